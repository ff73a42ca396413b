// First, before any AWS SDK client is built.
import '../scripts/quiet-sdk';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { assetBundle, REMEDIATION_ENTRY } from '../stack/bundle';
import {
  type AccountBucket,
  type AccountKey,
  type AccountTrail,
  LOGGING,
  STOPPED,
} from '../test/support/aws-account/model';
import { mockAccount } from '../test/support/aws-account/serve-sdk-mock';
import { ACCOUNT, DEFAULT_KEY_POLICY, trail } from '../test/support/fixtures';

/*
 * `npm run bench` (second part): how many calls and how long one remediation
 * takes when every AWS call takes LATENCY_MS, against the floor of its
 * sequential round trips: check the caller, list, inspect (one wave), learn
 * who owns each trail's bucket, read the trail's tags for a repair, or the
 * buckets and key when a trail is created, each write in turn (writes
 * depend on each other), then list and inspect again to verify, and read
 * back what was created or changed for the Security Hub controls (a
 * bucket's eleven reads one after another: HeadBucket, then each setting).
 */

const LATENCY_MS = 50;
const MAX_RATIO = 1.3;
const RUNS = 5;
/** A key with the policy KMS gives a key created without one. */
const KEY: AccountKey = {
  keyId: '0f1e2d3c-aaaa-bbbb-cccc-111122223333',
  region: 'us-east-1',
  owner: ACCOUNT,
  aliases: ['alias/cloudtrail'],
  policy: DEFAULT_KEY_POLICY,
};

interface Scenario {
  label: string;
  trails: () => AccountTrail[];
  buckets?: () => AccountBucket[];
  kmsKeyId?: string;
  /** Expected calls, reads and writes. */
  reads: number;
  writes: number;
  /** Sequential round trips: the floor is this many LATENCY_MS. */
  roundTrips: number;
}

const brokenTrail = (): AccountTrail => ({
  trail: trail({ IsMultiRegionTrail: false }),
  status: STOPPED,
  eventSelectors: {
    EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }],
  },
});

const SCENARIOS: Scenario[] = [
  {
    label: 'already compliant (1 trail)',
    trails: () => [
      {
        trail: trail(),
        status: LOGGING,
        eventSelectors: {
          EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
        },
      },
    ],
    // STS, DescribeTrails, GetTrailStatus + GetEventSelectors.
    reads: 4,
    writes: 0,
    roundTrips: 3,
  },
  {
    label: 'repair: single-Region, stopped, read-only (3 writes)',
    trails: () => [brokenTrail()],
    // The trail's bucket is this account's, so the trail is repaired, not replaced.
    buckets: () => [
      { name: brokenTrail().trail.S3BucketName ?? '', owner: ACCOUNT, region: 'us-east-1' },
    ],
    // Plan: STS, DescribeTrails, 2 Get*, HeadBucket (owner), ListTags;
    // verify: DescribeTrails + 2 Get*; read back: ListTags.
    reads: 10,
    writes: 3,
    roundTrips: 5 + 3 + 3,
  },
  {
    label: 'create: no trails (log bucket, access-log bucket and trail, 17 writes)',
    trails: () => [],
    // STS, DescribeTrails, HeadBucket (404) for each bucket; verify: DescribeTrails + 2 Get*;
    // read back: ListTags, and 11 reads of each bucket.
    reads: 30,
    writes: 17,
    roundTrips: 4 + 17 + 2 + 1 + 22,
  },
  {
    label: 'create with a KMS key (18 writes)',
    trails: () => [],
    kmsKeyId: 'alias/cloudtrail',
    // As above, plus DescribeKey, GetKeyPolicy, GetKeyRotationStatus, and the rotation read back.
    reads: 34,
    writes: 18,
    roundTrips: 7 + 18 + 2 + 1 + 22 + 1,
  },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const { remediate } = await import('../remediation/remediate');
  let failures = 0;
  console.log(
    `\nCloudTrail.1 remediation benchmark: every mocked AWS call takes ${LATENCY_MS} ms; median of ${RUNS} runs after one warm-up.`,
  );

  for (const scenario of SCENARIOS) {
    const times: number[] = [];
    let reads = 0;
    let writes = 0;
    for (let run = 0; run <= RUNS; run++) {
      const account = mockAccount({
        accountId: ACCOUNT,
        trails: scenario.trails(),
        buckets: scenario.buckets?.() ?? [],
        keys: [KEY],
      });
      account.latencyMs = LATENCY_MS;
      const started = performance.now();
      try {
        await remediate(
          { dryRun: false, ...(scenario.kmsKeyId ? { kmsKeyId: scenario.kmsKeyId } : {}) },
          account.dependencies(),
        );
      } finally {
        account.restore();
      }
      const elapsed = performance.now() - started;
      if (run === 0) continue;
      times.push(elapsed);
      writes = account.writes().length;
      reads = account.requests.length - writes;
    }
    const wall = median(times);
    const floor = scenario.roundTrips * LATENCY_MS;
    const callsOk = reads === scenario.reads && writes === scenario.writes;
    const ratio = wall / floor;
    if (!callsOk || ratio > MAX_RATIO) failures += 1;
    console.log(`\n${scenario.label}`);
    console.log(
      `  reads ${reads} (expected ${scenario.reads}), writes ${writes} (expected ${scenario.writes}): ${callsOk ? 'yes' : 'NO'}`,
    );
    console.log(
      `  wall ${wall.toFixed(1)} ms (runs ${times.map((t) => t.toFixed(0)).join(', ')}); floor ${scenario.roundTrips} round trips = ${floor} ms; wall / floor = ${ratio.toFixed(2)} (<= ${MAX_RATIO}: ${ratio <= MAX_RATIO ? 'yes' : 'NO'})`,
    );
  }

  const dir = mkdtempSync(join(tmpdir(), 'cloudtrail1-bench-'));
  try {
    const bundle = await assetBundle(REMEDIATION_ENTRY, dir);
    const load: number[] = [];
    for (let run = 0; run < 10; run++) {
      const started = performance.now();
      spawnSync(process.execPath, ['-e', `require(${JSON.stringify(bundle)})`], {
        env: {
          PATH: process.env.PATH ?? '',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          NODE_OPTIONS: '--enable-source-maps',
        },
        stdio: 'ignore',
      });
      load.push(performance.now() - started);
    }
    const size = statSync(bundle).size;
    const mapSize = statSync(`${bundle}.map`).size;
    console.log(
      `\nThe stack's asset (stack/bundle.ts: ${REMEDIATION_ENTRY}, node24, cjs, minified, AWS SDK inside, source map), run by node ${process.version}`,
    );
    console.log(
      `  size: ${size} bytes (${(size / 1024).toFixed(1)} KiB), source map ${(mapSize / 1024).toFixed(1)} KiB`,
    );
    console.log(
      `  fresh node --enable-source-maps, require(bundle): median ${median(load).toFixed(1)} ms over 10 runs`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  if (failures > 0) {
    console.log(`\n${failures} remediation check(s) failed.`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
