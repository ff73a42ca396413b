// First, before any AWS SDK client is built.
import '../scripts/quiet-sdk';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  DescribeConfigRulesCommand,
  DescribeRemediationConfigurationsCommand,
} from '@aws-sdk/client-config-service';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { deployedConfig } from '../test/support/aws-account/model';
import { basicSelector, basicSelectors, status, trail } from '../test/support/fixtures';
import { LISTING_REGION, MANAGEMENT_ACCOUNT_ID } from './accounts';

/*
 * `npm run bench` (organization part): how many accounts a second
 * `evaluate --organization` judges when every mocked AWS call takes
 * LATENCY_MS. Each account is three round trips one after the other —
 * AssumeRole, DescribeTrails, then GetTrailStatus and GetEventSelectors
 * together, while DescribeConfigRules then DescribeRemediationConfigurations
 * (the deployment check) run beside the trail reads — so `concurrency` accounts at a time cannot go faster than
 * concurrency / (3 x LATENCY_MS) accounts a second. The benchmark checks
 * that the command reaches at least MIN_SHARE of that bound, over the
 * accounts' evaluation (listing the organization, 20 accounts a page, is
 * timed apart). Each size runs RUNS times after a warm-up (the first run
 * also loads and compiles the SDK's code paths); the median run counts.
 */

const LATENCY_MS = 20;
const ROUND_TRIPS_PER_ACCOUNT = 3;
const MIN_SHARE = 0.8;
const SIZES = [50, 500];
/** Runs per size, after one warm-up run; the median is reported and checked. */
const RUNS = 3;
const CONCURRENCY = 8;
/** ListAccounts' largest page. */
const PAGE_SIZE = 20;

interface Load {
  calls: number;
  inFlight: number;
  peak: number;
}

function installMocks(accountIds: readonly string[], load: Load): void {
  const answer = async <T>(reply: () => T): Promise<T> => {
    load.calls += 1;
    load.inFlight += 1;
    load.peak = Math.max(load.peak, load.inFlight);
    try {
      await sleep(LATENCY_MS);
      return reply();
    } finally {
      load.inFlight -= 1;
    }
  };
  const accountOf = async (client: unknown): Promise<string> => {
    const credentials = await (client as CloudTrailClient).config.credentials();
    return credentials.accessKeyId.replace(/^ASIA/, '');
  };
  const trailOf = (account: string) => trail({}, account);

  mockClient(OrganizationsClient)
    .on(ListAccountsCommand)
    .callsFake((input: { NextToken?: string }) =>
      answer(() => {
        const start = Number(input.NextToken ?? '0');
        const next = start + PAGE_SIZE;
        return {
          Accounts: accountIds.slice(start, next).map((Id) => ({
            Id,
            Name: `account-${Id}`,
            State: 'ACTIVE' as const,
            Status: 'ACTIVE' as const,
          })),
          ...(next < accountIds.length ? { NextToken: String(next) } : {}),
        };
      }),
    );
  const sts = mockClient(STSClient);
  sts.on(GetCallerIdentityCommand).callsFake(() =>
    answer(() => ({
      Account: MANAGEMENT_ACCOUNT_ID,
      Arn: `arn:aws:sts::${MANAGEMENT_ACCOUNT_ID}:assumed-role/OrganizationAuditor/bench`,
      UserId: 'AROAEXAMPLEAUDITOR:bench',
    })),
  );
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) =>
    answer(() => ({
      Credentials: {
        AccessKeyId: `ASIA${input.RoleArn.split(':')[4]}`,
        SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        SessionToken: 'FwoGZXIvYXdzEXAMPLE',
        Expiration: new Date(Date.now() + 900_000),
      },
    })),
  );
  const cloudTrail = mockClient(CloudTrailClient);
  cloudTrail.on(DescribeTrailsCommand).callsFake(async (_input, getClient) => {
    const account = await accountOf(getClient());
    return answer(() => ({ trailList: [trailOf(account)] }));
  });
  cloudTrail.on(GetTrailStatusCommand).callsFake(() => answer(() => status(true)));
  const config = mockClient(ConfigServiceClient);
  config.on(DescribeConfigRulesCommand).callsFake(async (_input, getClient) => {
    const account = await accountOf(getClient());
    return answer(() => ({ ConfigRules: deployedConfig(account, LISTING_REGION).rules }));
  });
  config.on(DescribeRemediationConfigurationsCommand).callsFake(async (_input, getClient) => {
    const account = await accountOf(getClient());
    return answer(() => ({
      RemediationConfigurations: deployedConfig(account, LISTING_REGION).remediations,
    }));
  });
  cloudTrail.on(GetEventSelectorsCommand).callsFake(async (_input, getClient) => {
    const account = await accountOf(getClient());
    return answer(() => basicSelectors(trailOf(account).TrailARN, [basicSelector()]));
  });
}

async function main(): Promise<void> {
  // The rule's logger reads its level when the module loads: quiet it first.
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  // Static credentials for the caller, so the SDK looks for no profile.
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const { evaluateOrganization } = await import('../cli/organization');
  const { resultRow, countVerdicts } = await import('../cli/verdict-row');
  const { DEFAULT_PARAMETERS } = await import('../rule/parameters');
  const { expectedDeployment } = await import('../cli/deployment');

  const bound = CONCURRENCY / ((ROUND_TRIPS_PER_ACCOUNT * LATENCY_MS) / 1000);
  console.log(
    `\nevaluate --organization benchmark: every mocked AWS call takes ${LATENCY_MS} ms; ` +
      `${ROUND_TRIPS_PER_ACCOUNT} round trips per account (AssumeRole, DescribeTrails, GetTrailStatus + GetEventSelectors); ` +
      `--concurrency ${CONCURRENCY}: bound ${bound.toFixed(1)} accounts/s; required >= ${(MIN_SHARE * 100).toFixed(0)} % of it.`,
  );

  const run = async (size: number) => {
    const accountIds = Array.from({ length: size }, (_, i) => String(100000000000 + i));
    const load: Load = { calls: 0, inFlight: 0, peak: 0 };
    installMocks(accountIds, load);
    let listedAt = 0;
    const started = performance.now();
    const { results } = await evaluateOrganization({
      live: { region: LISTING_REGION },
      roleName: 'OrganizationAuditor',
      concurrency: CONCURRENCY,
      parameters: DEFAULT_PARAMETERS,
      deployment: expectedDeployment(DEFAULT_PARAMETERS),
      onProgress: (done) => {
        if (done === 0) listedAt = performance.now();
      },
    });
    const ended = performance.now();
    return { load, results, listingMs: listedAt - started, evaluationMs: ended - listedAt };
  };

  await run(2 * CONCURRENCY); // warm-up
  let failures = 0;
  for (const size of SIZES) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await run(size));
    runs.sort((a, b) => a.evaluationMs - b.evaluationMs);
    const median = runs[Math.floor(RUNS / 2)];
    if (median === undefined) throw new Error('no run');
    const { load, results, listingMs } = median;
    const evaluationSeconds = median.evaluationMs / 1000;
    const throughput = size / evaluationSeconds;
    const share = throughput / bound;
    const counts = countVerdicts(results.map(resultRow));
    const pages = Math.ceil(size / PAGE_SIZE);
    const expectedCalls = 1 + pages + 6 * size;
    const intact = results.filter((r) => r.deployment.status === 'INTACT').length;
    const allCompliant = counts.COMPLIANT === size && intact === size;
    const callsOk = load.calls === expectedCalls;
    // Each account has at most three calls in flight (GetTrailStatus, GetEventSelectors and a Config read).
    const peakOk = load.peak <= 3 * CONCURRENCY;
    const shareOk = share >= MIN_SHARE;
    if (!allCompliant || !callsOk || !peakOk || !shareOk) failures += 1;

    console.log(`\n${size} accounts, --concurrency ${CONCURRENCY}`);
    console.log(
      `  listing (GetCallerIdentity + ${pages} ListAccounts pages): ${listingMs.toFixed(0)} ms`,
    );
    console.log(
      `  evaluation (median of ${RUNS}; runs ${runs.map((r) => r.evaluationMs.toFixed(0)).join(', ')} ms): ` +
        `${(evaluationSeconds * 1000).toFixed(0)} ms, ${throughput.toFixed(1)} accounts/s, ` +
        `${(share * 100).toFixed(1)} % of the bound ${bound.toFixed(1)}: ${mark(shareOk)}`,
    );
    console.log(
      `  calls ${load.calls} (expected 1 + ${pages} + 6 x ${size} = ${expectedCalls}): ${mark(callsOk)}; ` +
        `peak concurrent calls ${load.peak} (at most 3 x ${CONCURRENCY}): ${mark(peakOk)}`,
    );
    console.log(
      `  verdicts: ${counts.COMPLIANT} COMPLIANT, ${counts.NON_COMPLIANT} NON_COMPLIANT, ${counts.ERROR} ERROR; deployments: ${intact} INTACT: ${mark(allCompliant)}`,
    );
  }
  if (failures > 0) {
    console.log(`\n${failures} check(s) failed.`);
    process.exitCode = 1;
  }
}

function mark(ok: boolean): string {
  return ok ? 'ok' : 'FAILED';
}

void main();
