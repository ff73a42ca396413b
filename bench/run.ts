// First, before any AWS SDK client is built.
import '../scripts/quiet-sdk';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CloudTrailClient,
  CloudTrailServiceException,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  type GetEventSelectorsCommandInput,
  GetTrailStatusCommand,
  type GetTrailStatusCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { assetBundle, inlineBundle, RULE_ENTRY } from '../stack/bundle';
import {
  ACCOUNT_ID,
  ACCOUNTS,
  type BenchAccount,
  type BenchTrail,
  LISTING_REGION,
} from './accounts';

/*
 * `npm run bench`: how many calls and how long one evaluation takes when
 * every AWS call takes LATENCY_MS, against the floor of three sequential
 * round trips (list, inspect, report); then what the deployed bundles
 * (stack/bundle.ts) weigh and cost a cold `node` process to load.
 */

const LATENCY_MS = 50;
const LOWER_BOUND_MS = 3 * LATENCY_MS;
const MAX_RATIO = 1.3;
const RUNS = 5;
const LOAD_RUNS = 10;

type Operation = 'DescribeTrails' | 'GetTrailStatus' | 'GetEventSelectors' | 'PutEvaluations';
const OPERATIONS: Operation[] = [
  'DescribeTrails',
  'GetTrailStatus',
  'GetEventSelectors',
  'PutEvaluations',
];

interface Call {
  operation: Operation;
  region: string;
  trailArn?: string;
}

/** What the mocked AWS saw during one evaluation. */
class Recorder {
  calls: Call[] = [];
  inFlight = 0;
  peak = 0;
  account: BenchAccount | undefined;

  reset(account: BenchAccount): void {
    this.account = account;
    this.calls = [];
    this.inFlight = 0;
    this.peak = 0;
  }

  /** Records a call, then answers it after LATENCY_MS. */
  async call<T>(call: Call, answer: () => T): Promise<T> {
    this.calls.push(call);
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      await sleep(LATENCY_MS);
      return answer();
    } finally {
      this.inFlight -= 1;
    }
  }

  trail(arn: string | undefined): BenchTrail {
    const found = this.account?.trails.find((t) => t.trail.TrailARN === arn);
    if (found === undefined) {
      throw new CloudTrailServiceException({
        name: 'TrailNotFoundException',
        $fault: 'client',
        $metadata: {},
        message: `Unknown trail: ${arn} for the user: ${ACCOUNT_ID}`,
      });
    }
    return found;
  }
}

function installMocks(recorder: Recorder): void {
  const cloudTrail = mockClient(CloudTrailClient);
  const region = async (client: { config: { region: unknown } }) => {
    const provider = client.config.region;
    return String(typeof provider === 'function' ? await provider() : provider);
  };
  cloudTrail.on(DescribeTrailsCommand).callsFake(async (_input: unknown, getClient) =>
    recorder.call({ operation: 'DescribeTrails', region: await region(getClient()) }, () => ({
      trailList: recorder.account?.trails.map((t) => t.trail) ?? [],
    })),
  );
  cloudTrail
    .on(GetTrailStatusCommand)
    .callsFake(async (input: GetTrailStatusCommandInput, getClient) =>
      recorder.call(
        { operation: 'GetTrailStatus', region: await region(getClient()), trailArn: input.Name },
        () => ({ IsLogging: recorder.trail(input.Name).isLogging }),
      ),
    );
  cloudTrail
    .on(GetEventSelectorsCommand)
    .callsFake(async (input: GetEventSelectorsCommandInput, getClient) =>
      recorder.call(
        {
          operation: 'GetEventSelectors',
          region: await region(getClient()),
          trailArn: input.TrailName,
        },
        () => {
          const { trail, eventSelectors } = recorder.trail(input.TrailName);
          if ('error' in eventSelectors) {
            throw new CloudTrailServiceException({
              name: eventSelectors.error,
              $fault: 'client',
              $metadata: {},
              message: `not authorized to perform: cloudtrail:GetEventSelectors on resource: ${trail.TrailARN}`,
            });
          }
          return { TrailARN: trail.TrailARN, ...eventSelectors };
        },
      ),
    );

  const config = mockClient(ConfigServiceClient);
  config.on(PutEvaluationsCommand).callsFake(async (_input: unknown, getClient) =>
    recorder.call({ operation: 'PutEvaluations', region: await region(getClient()) }, () => ({
      FailedEvaluations: [],
    })),
  );
}

function scheduledEvent(): object {
  return {
    version: '1.0',
    invokingEvent: JSON.stringify({
      awsAccountId: ACCOUNT_ID,
      notificationCreationTime: new Date().toISOString(),
      messageType: 'ScheduledNotification',
      recordVersion: '1.0',
    }),
    resultToken: 'bench-result-token',
    eventLeftScope: false,
    accountId: ACCOUNT_ID,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const high = sorted[middle] ?? Number.NaN;
  const low = sorted[middle - 1] ?? high;
  return sorted.length % 2 === 0 ? (low + high) / 2 : high;
}

const pad = (text: string | number, width: number) => String(text).padStart(width);
const mark = (ok: boolean) => (ok ? 'yes' : 'NO');

async function main(): Promise<void> {
  // The rule's logger reads its level when the module loads: quiet it first.
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const { createHandler } = await import('../rule/handler');
  const { DEFAULT_CONCURRENCY } = await import('../rule/reader');
  const { cloudTrailClients } = await import('../rule/clients');

  const recorder = new Recorder();
  installMocks(recorder);
  const dependencies = {
    clientFor: cloudTrailClients(),
    config: new ConfigServiceClient({ region: LISTING_REGION }),
    region: LISTING_REGION,
  };
  const handler = createHandler(() => dependencies);
  let failures = 0;

  console.log(
    `CloudTrail.1 rule benchmark: every mocked AWS call takes ${LATENCY_MS} ms; ` +
      `lower bound ${LOWER_BOUND_MS} ms (list, inspect, report); ` +
      `DEFAULT_CONCURRENCY = ${DEFAULT_CONCURRENCY} trails at once; median of ${RUNS} runs after one warm-up.`,
  );

  for (const account of ACCOUNTS) {
    const multiRegion = account.trails.filter((t) => t.trail.IsMultiRegionTrail === true);
    const candidates = multiRegion.length;
    const waves = Math.ceil(candidates / DEFAULT_CONCURRENCY);

    const times: number[] = [];
    let calls: Call[] = [];
    let peak = 0;
    let compliance = '';
    for (let run = 0; run <= RUNS; run++) {
      recorder.reset(account);
      const started = performance.now();
      const result = await handler(scheduledEvent());
      const elapsed = performance.now() - started;
      if (run === 0) continue; // warm-up
      times.push(elapsed);
      calls = recorder.calls;
      peak = recorder.peak;
      compliance = result.compliance;
    }

    const count = (operation: Operation) => calls.filter((c) => c.operation === operation).length;
    const expected: Record<Operation, number> = {
      DescribeTrails: 1,
      GetTrailStatus: candidates,
      GetEventSelectors: candidates,
      PutEvaluations: 1,
    };
    const expectedTotal = 2 + 2 * candidates;
    const callsOk =
      calls.length === expectedTotal && OPERATIONS.every((o) => count(o) === expected[o]);
    const homeRegion = (arn: string | undefined) =>
      account.trails.find((t) => t.trail.TrailARN === arn)?.trail.HomeRegion;
    const misrouted = calls.filter(
      (c) => c.trailArn !== undefined && c.region !== homeRegion(c.trailArn),
    ).length;
    const wall = median(times);
    const ratio = wall / LOWER_BOUND_MS;
    const ratioChecked = waves <= 1;
    const ratioOk = !ratioChecked || ratio <= MAX_RATIO;
    const verdictOk = compliance === account.expected;
    if (!callsOk || !ratioOk || !verdictOk || misrouted > 0) failures += 1;

    console.log(`\n${account.label}`);
    console.log(
      `  visible trails ${account.trails.length}, candidates (multi-Region) ${candidates}, waves ${waves}`,
    );
    console.log(`  ${'operation'.padEnd(18)} ${pad('calls', 6)} ${pad('expected', 9)}`);
    for (const operation of OPERATIONS) {
      console.log(
        `  ${operation.padEnd(18)} ${pad(count(operation), 6)} ${pad(expected[operation], 9)}`,
      );
    }
    console.log(`  ${'total'.padEnd(18)} ${pad(calls.length, 6)} ${pad(expectedTotal, 9)}`);
    console.log(
      `  calls == 1 DescribeTrails + 2 x ${candidates} candidates + 1 PutEvaluations: ${mark(callsOk)}`,
    );
    console.log(`  Get* calls outside the trail's home Region: ${misrouted}`);
    console.log(`  peak concurrent calls: ${peak}`);
    console.log(`  verdict: ${compliance} (expected ${account.expected}) ${mark(verdictOk)}`);
    console.log(
      `  wall time ${wall.toFixed(1)} ms (runs ${times.map((t) => t.toFixed(0)).join(', ')}), ` +
        `wall / ${LOWER_BOUND_MS} ms = ${ratio.toFixed(2)}`,
    );
    console.log(
      ratioChecked
        ? `  ratio <= ${MAX_RATIO} (candidates fit one wave): ${mark(ratioOk)}`
        : `  ratio not checked: ${candidates} candidates need ${waves} waves of ${DEFAULT_CONCURRENCY}; ` +
            `floor for ${waves} waves = ${(2 + waves) * LATENCY_MS} ms, ` +
            `wall / floor = ${(wall / ((2 + waves) * LATENCY_MS)).toFixed(2)}`,
    );
  }

  failures += await bundleFigures();
  if (failures > 0) {
    console.log(`\n${failures} check(s) failed.`);
    process.exitCode = 1;
  }
}

/**
 * The deployed bundles' size and the time a fresh `node` takes to load them,
 * next to an empty `node`: the stack's asset loaded with
 * `--enable-source-maps`, as the stack runs it.
 */
async function bundleFigures(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudtrail1-bench-'));
  try {
    const bundle = await assetBundle(RULE_ENTRY, dir);
    const size = statSync(bundle).size;
    const mapSize = statSync(`${bundle}.map`).size;
    const env = { PATH: process.env.PATH ?? '', POWERTOOLS_LOG_LEVEL: 'SILENT' };
    const time = (args: string[], extraEnv: Record<string, string> = {}) => {
      const started = performance.now();
      const child = spawnSync(process.execPath, args, {
        env: { ...env, ...extraEnv },
        stdio: 'ignore',
      });
      const elapsed = performance.now() - started;
      if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${child.status}`);
      return elapsed;
    };
    const load: number[] = [];
    const empty: number[] = [];
    for (let run = 0; run < LOAD_RUNS; run++) {
      empty.push(time(['-e', '0']));
      load.push(
        time(['-e', `require(${JSON.stringify(bundle)})`], {
          NODE_OPTIONS: '--enable-source-maps',
        }),
      );
    }
    const loadMedian = median(load);
    const emptyMedian = median(empty);
    console.log(
      `\nThe stack's asset (stack/bundle.ts: ${RULE_ENTRY}, node24, cjs, minified, AWS SDK inside, source map), run by node ${process.version}`,
    );
    console.log(
      `  size: ${size} bytes (${(size / 1024).toFixed(1)} KiB), source map ${(mapSize / 1024).toFixed(1)} KiB`,
    );
    console.log(
      `  fresh node --enable-source-maps, require(bundle): median ${loadMedian.toFixed(1)} ms over ${LOAD_RUNS} runs`,
    );
    console.log(
      `  fresh node, -e 0:                                  median ${emptyMedian.toFixed(1)} ms over ${LOAD_RUNS} runs`,
    );
    console.log(`  loading the bundle adds ~${(loadMedian - emptyMedian).toFixed(1)} ms`);

    // The member template's inline code: the same entries, the AWS SDK left to the runtime
    // (here this project's node_modules, on NODE_PATH as the Lambda runtime puts its own).
    console.log('\nMember template inline code (stack/bundle.ts: node24, SDK from the runtime)');
    for (const entry of ['rule/handler.ts', 'remediation/handler.ts']) {
      const inline = join(dir, `${entry.split('/')[0]}-inline.js`);
      writeFileSync(inline, inlineBundle(entry));
      const inlineEnv = { ...env, NODE_PATH: join(__dirname, '..', 'node_modules') };
      const inlineLoad: number[] = [];
      for (let run = 0; run < LOAD_RUNS; run++) {
        const started = performance.now();
        const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(inline)})`], {
          env: inlineEnv,
          stdio: 'ignore',
        });
        if (child.status !== 0) throw new Error(`loading ${inline} exited with ${child.status}`);
        inlineLoad.push(performance.now() - started);
      }
      const inlineSize = statSync(inline).size;
      console.log(
        `  ${entry.padEnd(24)} ${(inlineSize / 1024).toFixed(1)} KiB, fresh node require: median ${median(inlineLoad).toFixed(1)} ms (adds ~${(median(inlineLoad) - emptyMedian).toFixed(1)} ms)`,
      );
    }
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
