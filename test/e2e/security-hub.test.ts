import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlForecast } from '../../remediation/controls';
import { type AwsAccount, STOPPED } from '../support/aws-account/model';
import {
  type AccountEndpoint,
  FAKE_ACCESS_KEY_ID,
  FAKE_SECRET_ACCESS_KEY,
  startAccountEndpoint,
} from '../support/aws-account/serve-http';
import { ACCOUNT, DEFAULT_KEY_POLICY, trail } from '../support/fixtures';

/*
 * Security Hub after Remediate, as a person sees it: the command line as it
 * ships (bin/cloudtrail-rule.cjs, the compiled code), in its own process,
 * against the account model over HTTP as its local AWS endpoint. Each
 * scenario runs `remediate --dry-run --json`, then `remediate --apply --yes
 * --json`, and compares the forecast with the controls the apply read back
 * from the account. The controls are judged as the AWS Config rule behind
 * each judges a resource: test/unit/remediation/controls.test.ts cites
 * each rule's page next to its test, and docs/security-hub.md lists them.
 */

jest.setTimeout(60_000);

const ROOT = join(__dirname, '../..');
const REGION = 'us-east-1';

/**
 * The controls that a trail and bucket the remediation creates pass by
 * default (the free ones), each judged as the AWS Config rule behind it
 * judges the resource:
 * - CloudTrail.4 https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-log-file-validation-enabled.html
 * - CloudTrail.6 https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-s3-bucket-public-access-prohibited.html
 * - CloudTrail.7 https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-s3-bucket-access-logging.html
 * - CloudTrail.9 https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-9
 * - S3.2 https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-read-prohibited.html
 * - S3.3 https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-write-prohibited.html
 * - S3.5 https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html
 * - S3.6 https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-blacklisted-actions-prohibited.html
 * - S3.8 https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-level-public-access-prohibited.html
 * - S3.9 https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-logging-enabled.html
 * - S3.12 https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-acl-prohibited.html
 * - S3.13 https://docs.aws.amazon.com/config/latest/developerguide/s3-lifecycle-policy-check.html
 * - S3.14 https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-versioning-enabled.html
 * - S3.20 https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-mfa-delete-enabled.html,
 *   which makes no finding for a bucket with a lifecycle configuration
 *   (https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-20).
 * With an option: CloudTrail.2 (cloud-trail-encryption-enabled), CloudTrail.5
 * (cloud-trail-cloud-watch-logs-enabled), S3.15 (s3-bucket-default-lock-enabled)
 * and S3.17 (s3-default-encryption-kms), each at
 * https://docs.aws.amazon.com/config/latest/developerguide/<rule>.html.
 */
const FREE_TRAIL_CONTROLS = ['CloudTrail.4', 'CloudTrail.6', 'CloudTrail.7', 'CloudTrail.9'];
const FREE_BUCKET_CONTROLS = [
  'S3.2',
  'S3.3',
  'S3.5',
  'S3.6',
  'S3.8',
  'S3.9',
  'S3.12',
  'S3.13',
  'S3.14',
  'S3.20',
];
const FREE = new Set([...FREE_TRAIL_CONTROLS, ...FREE_BUCKET_CONTROLS]);

let endpoint: AccountEndpoint;
beforeAll(async () => {
  endpoint = await startAccountEndpoint();
});
afterAll(async () => {
  await endpoint.close();
});

interface Result {
  securityHubControls: ControlForecast[];
  actions: { operation: string; input: Record<string, unknown> }[];
  trailArn: string | null;
}

/** Runs the command against the endpoint, with example credentials and nothing else of AWS. */
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const directory = mkdtempSync(join(tmpdir(), 'cloudtrail-rule-sh-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !name.startsWith('POWERTOOLS_')) env[name] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/cloudtrail-rule.cjs', ...args], {
      cwd: ROOT,
      env: {
        ...env,
        AWS_ENDPOINT_URL: endpoint.endpoint,
        AWS_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: FAKE_SECRET_ACCESS_KEY,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(directory, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(directory, 'credentials'),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end('');
  });
}

/** The dry run's forecast and the apply's read-back, for one account and one set of flags. */
async function remediate(
  account: AwsAccount,
  flags: string[] = [],
): Promise<{ planned: Result; applied: Result }> {
  endpoint.serve(account);
  const dry = await run(['remediate', '--dry-run', '--json', '--region', REGION, ...flags]);
  expect({ status: dry.status, stderr: dry.stderr }).toEqual({ status: 1, stderr: '' });
  const apply = await run([
    'remediate',
    '--apply',
    '--yes',
    '--json',
    '--region',
    REGION,
    ...flags,
  ]);
  expect(apply.status).toBe(0);
  return {
    planned: JSON.parse(dry.stdout) as Result,
    applied: JSON.parse(apply.stdout) as Result,
  };
}

const failing = (controls: ControlForecast[]) =>
  controls.filter((c) => c.status === 'FAILED').map((c) => `${c.controlId} ${c.resource}`);

function statusOf(controls: ControlForecast[], controlId: string, resource: string): string {
  const found = controls.filter((c) => c.controlId === controlId && c.resource === resource);
  expect(found).toHaveLength(1);
  return found[0]?.status ?? '';
}

const bucketArn = (name: string) => `arn:aws:s3:::${name}`;

describe('Security Hub after Remediate on an account with no trail', () => {
  it('leaves the new trail and log bucket passing every free control, and only the access-log bucket’s own S3.9 failing among them', async () => {
    const { planned, applied } = await remediate({ accountId: ACCOUNT, trails: [] });

    expect(applied.securityHubControls).toEqual(planned.securityHubControls);
    const free = applied.securityHubControls.filter((c) => FREE.has(c.controlId));
    const [accessLog] = [
      ...new Set(
        applied.securityHubControls
          .map((c) => c.resource)
          .filter((r) => r.includes(':::cloudtrail-access-logs-')),
      ),
    ];
    expect(accessLog).toBeDefined();
    expect(failing(free)).toEqual([`S3.9 ${accessLog}`]);
    // Every free control is judged on the trail, the log bucket and the access-log bucket.
    const trailArn = applied.trailArn ?? '';
    for (const id of FREE_TRAIL_CONTROLS) {
      expect(statusOf(applied.securityHubControls, id, trailArn)).toBe('PASSED');
    }
    const logBucket = applied.securityHubControls.find(
      (c) => c.controlId === 'S3.2' && c.resource.includes(':::cloudtrail-logs-'),
    )?.resource;
    for (const id of FREE_BUCKET_CONTROLS) {
      expect(statusOf(applied.securityHubControls, id, logBucket ?? '')).toBe(
        id === 'S3.20' ? 'NO_FINDING' : 'PASSED',
      );
    }
  });

  it('says which option would pass each control that costs money', async () => {
    const { applied } = await remediate({ accountId: ACCOUNT, trails: [] });

    const paid = applied.securityHubControls.filter((c) => c.passWith !== undefined);
    expect(paid.map((c) => `${c.controlId}:${c.passWith}`).sort()).toEqual([
      'CloudTrail.2:kmsKeyId',
      'CloudTrail.5:cloudWatchLogs',
      'S3.15:objectLockDays',
      'S3.17:kmsKeyId',
    ]);
  });

  it('fails nothing free with --access-log-bucket, and creates no access-log bucket', async () => {
    const { planned, applied } = await remediate(
      {
        accountId: ACCOUNT,
        trails: [],
        buckets: [{ name: 'org-access-logs', owner: ACCOUNT, region: REGION }],
      },
      ['--access-log-bucket', 'org-access-logs'],
    );

    expect(applied.securityHubControls).toEqual(planned.securityHubControls);
    expect(failing(applied.securityHubControls.filter((c) => FREE.has(c.controlId)))).toEqual([]);
    expect(endpoint.account.buckets.map((b) => b.name).sort()).toEqual([
      expect.stringMatching(/^cloudtrail-logs-111122223333-us-east-1-[0-9a-f]{8}$/),
      'org-access-logs',
    ]);
  });

  it('passes CloudTrail.2, CloudTrail.5, S3.15 and S3.17 too with a key, CloudWatch Logs and Object Lock', async () => {
    const logGroup = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:cloudtrail`;
    const role = `arn:aws:iam::${ACCOUNT}:role/cloudtrail-to-cloudwatch-logs`;
    const { planned, applied } = await remediate(
      {
        accountId: ACCOUNT,
        trails: [],
        keys: [
          {
            keyId: '0f1e2d3c-aaaa-bbbb-cccc-111122223333',
            region: REGION,
            owner: ACCOUNT,
            aliases: ['alias/cloudtrail'],
            policy: DEFAULT_KEY_POLICY,
          },
        ],
      },
      [
        '--kms-key-id',
        'alias/cloudtrail',
        '--cloudwatch-logs-group-arn',
        logGroup,
        '--cloudwatch-logs-role-arn',
        role,
        '--object-lock-days',
        '365',
      ],
    );

    expect(applied.securityHubControls).toEqual(planned.securityHubControls);
    const trailArn = applied.trailArn ?? '';
    const logBucket =
      applied.securityHubControls.find(
        (c) => c.controlId === 'S3.2' && c.resource.includes(':::cloudtrail-logs-'),
      )?.resource ?? '';
    expect(statusOf(applied.securityHubControls, 'CloudTrail.2', trailArn)).toBe('PASSED');
    expect(statusOf(applied.securityHubControls, 'CloudTrail.5', trailArn)).toBe('PASSED');
    expect(statusOf(applied.securityHubControls, 'S3.15', logBucket)).toBe('PASSED');
    expect(statusOf(applied.securityHubControls, 'S3.17', logBucket)).toBe('PASSED');
  });
});

describe('Security Hub after Remediate on an account with a trail to repair', () => {
  const broken = (bucket: string) => ({
    trail: trail({
      IsMultiRegionTrail: false,
      S3BucketName: bucket,
      LogFileValidationEnabled: false,
    }),
    status: STOPPED,
    eventSelectors: {
      EventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true }],
    },
  });

  it('passes CloudTrail.4, and S3.5 and S3.8 on its own bucket, with --harden-repaired-trail', async () => {
    const { planned, applied } = await remediate(
      {
        accountId: ACCOUNT,
        trails: [broken('team-trail-logs')],
        buckets: [{ name: 'team-trail-logs', owner: ACCOUNT, region: REGION }],
      },
      ['--harden-repaired-trail'],
    );

    expect(applied.securityHubControls).toEqual(planned.securityHubControls);
    const trailArn = applied.trailArn ?? '';
    expect(trailArn).toBe(broken('team-trail-logs').trail.TrailARN);
    expect(statusOf(applied.securityHubControls, 'CloudTrail.4', trailArn)).toBe('PASSED');
    expect(statusOf(applied.securityHubControls, 'S3.5', bucketArn('team-trail-logs'))).toBe(
      'PASSED',
    );
    expect(statusOf(applied.securityHubControls, 'S3.8', bucketArn('team-trail-logs'))).toBe(
      'PASSED',
    );
  });

  it('leaves a stopped trail that delivers to another account’s bucket alone, and gives the account a trail of its own', async () => {
    const outside = broken('someone-elses-logs');
    const { planned, applied } = await remediate({
      accountId: ACCOUNT,
      trails: [outside],
      buckets: [{ name: 'someone-elses-logs', owner: '999988887777', region: REGION }],
    });

    expect(planned.actions.some((a) => a.operation === 'CreateTrail')).toBe(true);
    expect(applied.trailArn).not.toBe(outside.trail.TrailARN);
    const left = endpoint.trail(outside.trail.TrailARN);
    expect(left?.trail.IsMultiRegionTrail).toBe(false);
    expect(left?.status.IsLogging).toBe(false);
  });
});
