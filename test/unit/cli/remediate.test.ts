import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessDeniedException,
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
} from '@aws-sdk/client-cloudtrail';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { main } from '../../../cli/main';
import { callerBucketSuffix } from '../../../remediation/input';
import { evaluateAccount } from '../../../rule/evaluate';
import { DEFAULT_PARAMETERS } from '../../../rule/parameters';
import { type AccountTrailState, accountTrailStateSchema } from '../../../rule/state';
import type {
  AccountBucket,
  AccountTrail,
  TrailEntry,
  TrailStatusWire,
} from '../../support/aws-account/model';
import { type MockedAccount, mockAccount } from '../../support/aws-account/serve-sdk-mock';

const EXAMPLES = join(__dirname, '../../..', 'examples');
const example = (file: string) => join('examples', file);
const ACCOUNT = '111122223333';

/** The suffix a dry run from a snapshot names its default buckets with (a live run's is the caller's). */
const SNAPSHOT_SUFFIX = callerBucketSuffix(ACCOUNT, 'snapshot');
/** A snapshot dry run's default log bucket and access-log bucket in us-east-1. */
const LOG_BUCKET = `cloudtrail-logs-${ACCOUNT}-us-east-1-${SNAPSHOT_SUFFIX}`;
const ACCESS_LOG_BUCKET = `cloudtrail-access-logs-${ACCOUNT}-us-east-1-${SNAPSHOT_SUFFIX}`;
/** The bucket the example snapshots' own trails deliver to. */
const EXAMPLE_BUCKET = 'aws-cloudtrail-logs-111122223333-3f1c9a2e';
/**
 * A live run's suffix: from the caller's principal, the role ID the mocked
 * account's GetCallerIdentity answers with.
 */
const LIVE_SUFFIX = callerBucketSuffix(ACCOUNT, 'AROAEXAMPLEROLEID0001');
const LIVE_LOG_BUCKET = `cloudtrail-logs-${ACCOUNT}-us-east-1-${LIVE_SUFFIX}`;
const LIVE_ACCESS_LOG_BUCKET = `cloudtrail-access-logs-${ACCOUNT}-us-east-1-${LIVE_SUFFIX}`;
const LOG_GROUP = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:cloudtrail`;
const LOG_ROLE = `arn:aws:iam::${ACCOUNT}:role/cloudtrail-to-cloudwatch-logs`;
const NEW_TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/multi-region-management-events`;

/**
 * What a new trail takes where the account has no bucket: the access-log
 * bucket first (the log bucket's logging points at it), hardened; the log
 * bucket, hardened the same way, with its server access logs on; then the
 * trail, started.
 */
const NEW_TRAIL_STEPS = [
  '1. s3:CreateBucket in us-east-1',
  '2. s3:PutPublicAccessBlock in us-east-1',
  '3. s3:PutBucketEncryption in us-east-1',
  '4. s3:PutBucketVersioning in us-east-1',
  '5. s3:PutBucketLifecycleConfiguration in us-east-1',
  '6. s3:PutBucketTagging in us-east-1',
  '7. s3:PutBucketPolicy in us-east-1',
  '8. s3:CreateBucket in us-east-1',
  '9. s3:PutPublicAccessBlock in us-east-1',
  '10. s3:PutBucketEncryption in us-east-1',
  '11. s3:PutBucketVersioning in us-east-1',
  '12. s3:PutBucketLifecycleConfiguration in us-east-1',
  '13. s3:PutBucketTagging in us-east-1',
  '14. s3:PutBucketPolicy in us-east-1',
  '15. s3:PutBucketLogging in us-east-1',
  '16. cloudtrail:CreateTrail in us-east-1',
  '17. cloudtrail:StartLogging in us-east-1',
];
/** The same calls as the executor sends them. */
const NEW_TRAIL_OPERATIONS = NEW_TRAIL_STEPS.map((step) => step.replace(/^.*:(\w+) in .*$/, '$1'));

function loadExample(file: string): AccountTrailState {
  return accountTrailStateSchema.parse(JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')));
}

const files = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith('.json'))
  .sort();
const withVerdict = (compliance: string) =>
  files.filter(
    (file) => evaluateAccount(loadExample(file), DEFAULT_PARAMETERS).compliance === compliance,
  );
const failing = withVerdict('NON_COMPLIANT');
const passing = withVerdict('COMPLIANT');

interface CliOptions {
  /** What the person types at the question; without it, stdin is not a terminal. */
  answer?: string;
  /** Runs when the question is asked, before the answer: the account can change meanwhile. */
  whileAsking?: () => void;
  /** Sees each write to stdout as it happens. */
  onOut?: (text: string) => void;
}

/** Runs the CLI in-process, never waiting, and collects what it writes and asks. */
async function cli(argv: string[], options: CliOptions = {}) {
  let stdout = '';
  let stderr = '';
  const asked: string[] = [];
  const sleeps: number[] = [];
  const { answer } = options;
  const code = await main(argv, {
    out: (text) => {
      stdout += text;
      options.onOut?.(text);
    },
    err: (text) => {
      stderr += text;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...(answer === undefined
      ? {}
      : {
          ask: async (question: string) => {
            asked.push(question);
            options.whileAsking?.();
            return answer;
          },
        }),
  });
  return { code, stdout, stderr, asked, sleeps };
}

/** The numbered calls of a plan: `  1. cloudtrail:StartLogging in us-east-1`. */
function steps(stdout: string): string[] {
  return [...stdout.matchAll(/^ {2}(\d+)\. (\S+) in (\S+)$/gm)].map(
    ([, n, call, region]) => `${n}. ${call} in ${region}`,
  );
}

describe('cloudtrail-rule remediate --dry-run --snapshot', () => {
  it('has failing and passing examples to plan for', () => {
    expect(failing.length).toBeGreaterThan(0);
    expect(passing.length).toBeGreaterThan(0);
  });

  it.each(failing)('plans numbered API calls for %s and exits 1', async (file) => {
    const { code, stdout, stderr } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example(file),
    ]);

    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stdout).toMatch(/^Before: NON_COMPLIANT: No \S+/);
    const planned = steps(stdout);
    expect(planned.length).toBeGreaterThanOrEqual(1);
    expect(planned.map((step) => step.split('.')[0])).toEqual(
      planned.map((_, index) => String(index + 1)),
    );
    expect(stdout).toContain(`Plan: ${planned.length} API call`);
    expect(stdout).toContain('Dry run: nothing was changed.');
  });

  it.each(passing)('plans nothing for %s, names the passing trail, and exits 0', async (file) => {
    const { code, stdout } = await cli(['remediate', '--dry-run', '--snapshot', example(file)]);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^Before: COMPLIANT: /);
    expect(stdout).toMatch(
      /Nothing to change: trail \S+ \(arn:aws:cloudtrail:[^)]+\) already passes/,
    );
    expect(steps(stdout)).toEqual([]);
    expect(stdout).not.toContain('Plan:');
  });

  it('gives each call its reason and exact input, then the end state and the forecast', async () => {
    const { stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('single-region-trail.json'),
    ]);
    const arn = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/us-east-1-only';

    expect(stdout).toContain(
      [
        `Assumed: bucket owners not read from a snapshot: the buckets its trails deliver to (${EXAMPLE_BUCKET}) assumed to be this account's.`,
        '',
        'Plan: 1 API call',
        '  1. cloudtrail:UpdateTrail in us-east-1',
        '     "us-east-1-only" logs only us-east-1: make it multi-Region (global service events included, as CloudTrail requires); every other setting is left as it is',
        `     {"Name":"${arn}","IsMultiRegionTrail":true,"IncludeGlobalServiceEvents":true}`,
        '',
        'Planned end state:',
        `  trail ${arn} (changed): log file validation on; SSE-S3; no CloudWatch Logs; tags not read`,
        'Security Hub controls, forecast:',
        `  ${arn}`,
        // A repair sets these only with --harden-repaired-trail.
        '     CloudTrail.2 FAILED: passes with --kms-key-id with --harden-repaired-trail',
        '     CloudTrail.4 PASSED',
        '     CloudTrail.5 FAILED: passes with --cloudwatch-logs-group-arn and --cloudwatch-logs-role-arn with --harden-repaired-trail',
        '     CloudTrail.9 FAILED: passes with --tag with --harden-repaired-trail',
        '',
        `Dry run: nothing was changed. Once applied, trail us-east-1-only (${arn}) should pass CloudTrail.1.`,
      ].join('\n'),
    );
  });

  it('plans a hardened log bucket, an access-log bucket and a trail where there is none, assuming the buckets absent', async () => {
    const { code, stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('no-trails.json'),
    ]);

    expect(code).toBe(1);
    expect(stdout).toContain(
      [
        `Assumed: bucket state not read from a snapshot: assumed absent ("${LOG_BUCKET}"; a live run names it after the caller).`,
        `Assumed: access-log bucket not read from a snapshot: assumed absent ("${ACCESS_LOG_BUCKET}"; a live run names it after the caller).`,
      ].join('\n'),
    );
    expect(steps(stdout)).toEqual(NEW_TRAIL_STEPS);
    expect(stdout).toContain(
      [
        'Planned end state:',
        `  trail ${NEW_TRAIL_ARN} (created): log file validation on; SSE-S3; no CloudWatch Logs; tags created-by=cloudtrail-multi-region-rule`,
        `  bucket arn:aws:s3:::${LOG_BUCKET} (created): log bucket; Block Public Access on; TLS only; encryption AES256; versioning on; lifecycle rules; access logs to ${ACCESS_LOG_BUCKET}; no Object Lock`,
        `  bucket arn:aws:s3:::${ACCESS_LOG_BUCKET} (created): access-log bucket; Block Public Access on; TLS only; encryption AES256; versioning on; lifecycle rules; no access logs; no Object Lock`,
      ].join('\n'),
    );
  });

  it('prints one forecast line per control, each failure naming the flag that passes it or why none does', async () => {
    const { stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('no-trails.json'),
    ]);
    const passed = (...ids: string[]) => ids.map((id) => `     ${id.padEnd(13)}PASSED`);

    expect(stdout).toContain(
      [
        'Security Hub controls, forecast:',
        `  ${NEW_TRAIL_ARN}`,
        '     CloudTrail.2 FAILED: passes with --kms-key-id',
        '     CloudTrail.4 PASSED',
        '     CloudTrail.5 FAILED: passes with --cloudwatch-logs-group-arn and --cloudwatch-logs-role-arn',
        '     CloudTrail.9 PASSED',
        '     CloudTrail.6 PASSED',
        '     CloudTrail.7 PASSED',
        `  arn:aws:s3:::${LOG_BUCKET}`,
        ...passed('S3.2', 'S3.3', 'S3.5', 'S3.6', 'S3.8', 'S3.9', 'S3.12', 'S3.13', 'S3.14'),
        '     S3.15        FAILED: passes with --object-lock-days',
        '     S3.17        FAILED: passes with --kms-key-id',
        '     S3.20        NO_FINDING',
        `  arn:aws:s3:::${ACCESS_LOG_BUCKET}`,
        ...passed('S3.2', 'S3.3', 'S3.5', 'S3.6', 'S3.8'),
        '     S3.9         FAILED: the bucket that receives server access logs does not log itself: S3 advises against a target that logs to itself, and a third bucket would only move the finding',
        ...passed('S3.12', 'S3.13', 'S3.14'),
        '     S3.15        FAILED: S3 refuses server access logs into a bucket with an Object Lock default retention',
        '     S3.17        FAILED: S3 delivers server access logs only to a bucket whose default encryption is SSE-S3',
        '     S3.20        NO_FINDING',
        '',
        'Dry run: nothing was changed.',
      ].join('\n'),
    );
  });

  it('prints a policy readably below the input instead of as an escaped string', async () => {
    const { stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('no-trails.json'),
    ]);

    for (const bucket of [ACCESS_LOG_BUCKET, LOG_BUCKET]) {
      expect(stdout).toContain(
        `     {"Bucket":"${bucket}","ExpectedBucketOwner":"111122223333","Policy":"(below)"}\n` +
          '     Policy (sent as a JSON string):\n' +
          '       {\n' +
          '         "Version": "2012-10-17",\n',
      );
    }
    expect(stdout).toContain('             "Sid": "S3ServerAccessLogsPolicy",\n');
    expect(stdout).toContain('             "Sid": "AWSCloudTrailWrite",\n');
    expect(stdout).not.toContain('\\"');
  });

  it('refuses to plan for an account the rule cannot decide, and exits 2', async () => {
    const { code, stdout, stderr } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('own-trail-selectors-access-denied.json'),
    ]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^cloudtrail-rule: Cannot tell whether the account already passes: .*Nothing was changed: a new trail could be a needless, billed second copy/,
    );
  });

  it('creates the trail and bucket named by --trail-name and --bucket-name', async () => {
    const { stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('no-trails.json'),
      '--trail-name',
      'org-audit',
      '--bucket-name',
      'audit-logs-111122223333',
    ]);

    expect(stdout).toContain(
      '     {"Bucket":"audit-logs-111122223333","ObjectOwnership":"BucketOwnerEnforced"}',
    );
    expect(stdout).toContain(
      '{"Name":"org-audit","S3BucketName":"audit-logs-111122223333","IsMultiRegionTrail":true,',
    );
    expect(stdout).toContain(
      `{"Bucket":"audit-logs-111122223333","ExpectedBucketOwner":"111122223333","BucketLoggingStatus":{"LoggingEnabled":{"TargetBucket":"${ACCESS_LOG_BUCKET}","TargetPrefix":"audit-logs-111122223333/"}}}`,
    );
    // A name given is the name a live run uses too: no caller's suffix to mention.
    expect(stdout).toContain(
      'Assumed: bucket state not read from a snapshot: assumed absent ("audit-logs-111122223333").\n',
    );
  });

  describe("for the management account, whose organization trail is listed with the account's own ARN", () => {
    /** write-only-trail.json as the management account sees its write-only organization trail. */
    function managementSnapshot(): string {
      const state = loadExample('write-only-trail.json');
      const trails = state.trails.map((t) => ({
        ...t,
        trail: { ...t.trail, IsOrganizationTrail: true },
      }));
      const file = join(mkdtempSync(join(tmpdir(), 'cloudtrail-rule-remediate-')), 'mgmt.json');
      writeFileSync(file, JSON.stringify({ ...state, trails }));
      return file;
    }

    it('plans a trail of its own and says why the organization trail is left alone', async () => {
      const { code, stdout } = await cli([
        'remediate',
        '--dry-run',
        '--snapshot',
        managementSnapshot(),
      ]);

      expect(code).toBe(1);
      expect(steps(stdout)).toEqual(NEW_TRAIL_STEPS);
      expect(stdout).toContain(
        '     the organization trail "write-events-only" of this account is left alone, since a change to an organization trail changes logging, and its cost, for every account in the organization (give its name as the trail name to repair it), and this account has no other trail: create ',
      );
      expect(stdout).not.toContain('PutEventSelectors');
    });

    it('repairs the organization trail named by --trail-name', async () => {
      const { code, stdout } = await cli([
        'remediate',
        '--dry-run',
        '--snapshot',
        managementSnapshot(),
        '--trail-name',
        'write-events-only',
      ]);

      expect(code).toBe(1);
      expect(steps(stdout)).toEqual(['1. cloudtrail:PutEventSelectors in us-east-1']);
    });
  });

  it('means by "compliant" what the rule means with the same --param', async () => {
    const { code, stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('write-only-trail.json'),
      '--param',
      'readWriteType=WriteOnly',
    ]);

    expect(code).toBe(0);
    expect(stdout).toContain(
      'Parameters: readWriteType=WriteOnly; custom: the account is judged by readWriteType=WriteOnly, not by CloudTrail.1 as Security Hub defines it (read and write management events).',
    );
    expect(stdout).toMatch(
      /^Before: COMPLIANT: Custom parameters \(readWriteType=WriteOnly\), not CloudTrail\.1 as Security Hub defines it: /,
    );
    expect(stdout).toContain('Nothing to change: trail write-events-only');
  });

  it('refuses a named trail it cannot repair, with the remediation’s message alone', async () => {
    const { code, stdout, stderr } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('single-region-trail.json'),
      '--param',
      's3BucketName=another-bucket',
      '--trail-name',
      'us-east-1-only',
    ]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^cloudtrail-rule: Trail "us-east-1-only" cannot be repaired: S3 bucket is .*Nothing was changed\.[^\n]*\n$/,
    );
  });

  it('prints the plan as JSON with --json', async () => {
    const { code, stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('logging-stopped.json'),
      '--json',
    ]);
    const arn = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events';

    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      accountId: ACCOUNT,
      compliantBefore: false,
      actions: [
        {
          step: 1,
          service: 'cloudtrail',
          operation: 'StartLogging',
          region: 'us-east-1',
          input: { Name: arn },
          reason: '"management-events" is not logging: start it',
        },
      ],
      trailArn: arn,
      verdict:
        'NON_COMPLIANT: No trail passes CloudTrail.1. Closest: management-events (us-east-1): logging is stopped.',
      assumptions: [
        `bucket owners not read from a snapshot: the buckets its trails deliver to (${EXAMPLE_BUCKET}) assumed to be this account's`,
      ],
      securityHubControls: [
        {
          controlId: 'CloudTrail.2',
          resource: arn,
          status: 'FAILED',
          passWith: 'kmsKeyId with hardenRepairedTrail',
        },
        { controlId: 'CloudTrail.4', resource: arn, status: 'PASSED' },
        {
          controlId: 'CloudTrail.5',
          resource: arn,
          status: 'FAILED',
          passWith: 'cloudWatchLogs with hardenRepairedTrail',
        },
        {
          controlId: 'CloudTrail.9',
          resource: arn,
          status: 'FAILED',
          passWith: 'tags with hardenRepairedTrail',
        },
      ],
      // A repair changes the trail only; a snapshot does not hold its tags.
      resources: [{ kind: 'trail', arn, created: false, logFileValidation: true }],
    });
  });

  it('keeps a policy a JSON string in --json, and lists the assumptions', async () => {
    const { stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('no-trails.json'),
      '--json',
    ]);
    const plan = JSON.parse(stdout);
    const policyOf = (bucket: string) =>
      plan.actions.find(
        (a: { operation: string; input: { Bucket?: string } }) =>
          a.operation === 'PutBucketPolicy' && a.input.Bucket === bucket,
      ).input.Policy;

    expect(plan.actions.map((a: { step: number }) => a.step)).toEqual(
      NEW_TRAIL_STEPS.map((_, index) => index + 1),
    );
    for (const bucket of [LOG_BUCKET, ACCESS_LOG_BUCKET]) {
      expect(typeof policyOf(bucket)).toBe('string');
    }
    expect(
      JSON.parse(policyOf(LOG_BUCKET)).Statement.map((statement: { Sid: string }) => statement.Sid),
    ).toEqual(['AWSCloudTrailAclCheck', 'AWSCloudTrailWrite', 'DenyInsecureTransport']);
    expect(
      JSON.parse(policyOf(ACCESS_LOG_BUCKET)).Statement.map(
        (statement: { Sid: string }) => statement.Sid,
      ),
    ).toEqual(['S3ServerAccessLogsPolicy', 'DenyInsecureTransport']);
    expect(plan.assumptions).toEqual([
      `bucket state not read from a snapshot: assumed absent ("${LOG_BUCKET}"; a live run names it after the caller)`,
      `access-log bucket not read from a snapshot: assumed absent ("${ACCESS_LOG_BUCKET}"; a live run names it after the caller)`,
    ]);
  });

  it('gives no actions and the passing trail in --json when compliant', async () => {
    const { code, stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('compliant-default-trail.json'),
      '--json',
    ]);

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(
      expect.objectContaining({
        compliantBefore: true,
        actions: [],
        trailArn: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events',
        verdict: expect.stringMatching(/^COMPLIANT: Trail management-events/),
        // Nothing is created or changed, so there is nothing to forecast.
        securityHubControls: [],
        resources: [],
      }),
    );
  });
});

interface JsonStep {
  step: number;
  service: string;
  operation: string;
  input: Record<string, unknown> & { Bucket?: string };
  reason: string;
}

interface JsonForecast {
  controlId: string;
  resource: string;
  status: string;
  passWith?: string;
  note?: string;
}

/** `remediate --dry-run --json` for no-trails.json with `flags`: the plan, and each call by operation and bucket. */
async function newTrailPlan(...flags: string[]) {
  const { code, stdout, stderr } = await cli([
    'remediate',
    '--dry-run',
    '--snapshot',
    example('no-trails.json'),
    '--json',
    ...flags,
  ]);
  expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
  const plan = JSON.parse(stdout) as {
    actions: JsonStep[];
    assumptions: string[];
    securityHubControls: JsonForecast[];
    resources: { kind: string; arn: string; tags?: Record<string, string> }[];
  };
  const call = (operation: string, bucket?: string): JsonStep => {
    const found = plan.actions.filter(
      (a) => a.operation === operation && (bucket === undefined || a.input.Bucket === bucket),
    );
    expect(found).toHaveLength(1);
    return found[0] as JsonStep;
  };
  return { plan, call };
}

/** One line of the text forecast: `     S3.15        PASSED`. */
const forecastLine = (controlId: string, rest: string) => `     ${controlId.padEnd(13)}${rest}`;

describe('cloudtrail-rule remediate --dry-run with the hardening flags', () => {
  const CREATED_BY = { Key: 'created-by', Value: 'cloudtrail-multi-region-rule' };

  it('puts --tag on the new trail and on both buckets it creates, beside created-by', async () => {
    const { plan, call } = await newTrailPlan('--tag', 'team=sec');
    const tags = [CREATED_BY, { Key: 'team', Value: 'sec' }];

    expect(call('CreateTrail').input.TagsList).toEqual(tags);
    for (const bucket of [LOG_BUCKET, ACCESS_LOG_BUCKET]) {
      expect(call('PutBucketTagging', bucket).input.Tagging).toEqual({ TagSet: tags });
    }
    expect(plan.resources.map((r) => r.tags)).toEqual([
      { 'created-by': 'cloudtrail-multi-region-rule', team: 'sec' },
      { 'created-by': 'cloudtrail-multi-region-rule', team: 'sec' },
      { 'created-by': 'cloudtrail-multi-region-rule', team: 'sec' },
    ]);
  });

  it('takes --tag repeated, in the order given', async () => {
    const { call } = await newTrailPlan('--tag', 'team=sec', '--tag', 'cost-center=1234');

    expect(call('CreateTrail').input.TagsList).toEqual([
      CREATED_BY,
      { Key: 'team', Value: 'sec' },
      { Key: 'cost-center', Value: '1234' },
    ]);
  });

  it('adds an expiry rule beside the upload clean-up with --log-retention-days, and none without', async () => {
    const abort = {
      ID: 'abort-incomplete-multipart-uploads',
      Status: 'Enabled',
      Filter: { Prefix: '' },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    };
    const expire = {
      ID: 'expire-log-files',
      Status: 'Enabled',
      Filter: { Prefix: '' },
      Expiration: { Days: 30 },
      NoncurrentVersionExpiration: { NoncurrentDays: 30 },
    };
    const kept = await newTrailPlan();
    const expiring = await newTrailPlan('--log-retention-days', '30');

    for (const bucket of [LOG_BUCKET, ACCESS_LOG_BUCKET]) {
      expect(
        kept.call('PutBucketLifecycleConfiguration', bucket).input.LifecycleConfiguration,
      ).toEqual({
        Rules: [abort],
      });
      const step = expiring.call('PutBucketLifecycleConfiguration', bucket);
      expect(step.input.LifecycleConfiguration).toEqual({ Rules: [abort, expire] });
      expect(step.reason).toContain('log files expire after 30 days');
    }
  });

  it('creates the log bucket with Object Lock and its default retention with --object-lock-days, and passes S3.15 there', async () => {
    const { plan, call } = await newTrailPlan('--object-lock-days', '365');

    expect(plan.actions.map((a) => `${a.operation} ${a.input.Bucket ?? ''}`.trim())).toEqual([
      ...[
        'CreateBucket',
        'PutPublicAccessBlock',
        'PutBucketEncryption',
        'PutBucketVersioning',
        'PutBucketLifecycleConfiguration',
        'PutBucketTagging',
        'PutBucketPolicy',
      ].map((operation) => `${operation} ${ACCESS_LOG_BUCKET}`),
      // Object Lock turns versioning on as the bucket is created.
      ...[
        'CreateBucket',
        'PutPublicAccessBlock',
        'PutBucketEncryption',
        'PutObjectLockConfiguration',
        'PutBucketLifecycleConfiguration',
        'PutBucketTagging',
        'PutBucketPolicy',
        'PutBucketLogging',
      ].map((operation) => `${operation} ${LOG_BUCKET}`),
      'CreateTrail',
      'StartLogging',
    ]);
    expect(call('CreateBucket', LOG_BUCKET).input).toEqual({
      Bucket: LOG_BUCKET,
      ObjectOwnership: 'BucketOwnerEnforced',
      ObjectLockEnabledForBucket: true,
    });
    // S3 refuses server access logs into a bucket with a default retention.
    expect(call('CreateBucket', ACCESS_LOG_BUCKET).input).toEqual({
      Bucket: ACCESS_LOG_BUCKET,
      ObjectOwnership: 'BucketOwnerEnforced',
    });
    expect(call('PutObjectLockConfiguration', LOG_BUCKET).input).toEqual({
      Bucket: LOG_BUCKET,
      ExpectedBucketOwner: ACCOUNT,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
      },
    });
    expect(
      plan.securityHubControls
        .filter((c) => c.controlId === 'S3.15')
        .map((c) => [c.resource, c.status]),
    ).toEqual([
      [`arn:aws:s3:::${LOG_BUCKET}`, 'PASSED'],
      [`arn:aws:s3:::${ACCESS_LOG_BUCKET}`, 'FAILED'],
    ]);
  });

  it("sends the log bucket's access logs to --access-log-bucket, creates no access-log bucket, and says what it assumed of it", async () => {
    const { code, stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('no-trails.json'),
      '--access-log-bucket',
      'central-access-logs-111122223333',
    ]);

    expect(code).toBe(1);
    expect(stdout).toContain(
      'Assumed: access-log bucket "central-access-logs-111122223333" not read from a snapshot: assumed this account\'s.\n',
    );
    expect(stdout).not.toContain('cloudtrail-access-logs-');
    expect(steps(stdout)).toEqual([
      '1. s3:CreateBucket in us-east-1',
      '2. s3:PutPublicAccessBlock in us-east-1',
      '3. s3:PutBucketEncryption in us-east-1',
      '4. s3:PutBucketVersioning in us-east-1',
      '5. s3:PutBucketLifecycleConfiguration in us-east-1',
      '6. s3:PutBucketTagging in us-east-1',
      '7. s3:PutBucketPolicy in us-east-1',
      '8. s3:PutBucketLogging in us-east-1',
      '9. cloudtrail:CreateTrail in us-east-1',
      '10. cloudtrail:StartLogging in us-east-1',
    ]);
    expect(stdout).toContain(
      `     {"Bucket":"${LOG_BUCKET}","ExpectedBucketOwner":"111122223333","BucketLoggingStatus":{"LoggingEnabled":{"TargetBucket":"central-access-logs-111122223333","TargetPrefix":"${LOG_BUCKET}/"}}}`,
    );
    // The forecast covers what the plan creates: the trail and the log bucket.
    expect([...stdout.matchAll(/^ {2}(arn:\S+)$/gm)].map(([, arn]) => arn)).toEqual([
      NEW_TRAIL_ARN,
      `arn:aws:s3:::${LOG_BUCKET}`,
    ]);
  });

  it('sends the new trail to CloudWatch Logs with --cloudwatch-logs-group-arn and --cloudwatch-logs-role-arn, and passes CloudTrail.5', async () => {
    const { plan, call } = await newTrailPlan(
      '--cloudwatch-logs-group-arn',
      LOG_GROUP,
      '--cloudwatch-logs-role-arn',
      LOG_ROLE,
    );

    expect(call('CreateTrail').input).toMatchObject({
      CloudWatchLogsLogGroupArn: `${LOG_GROUP}:*`,
      CloudWatchLogsRoleArn: LOG_ROLE,
    });
    expect(plan.securityHubControls.find((c) => c.controlId === 'CloudTrail.5')).toEqual({
      controlId: 'CloudTrail.5',
      resource: NEW_TRAIL_ARN,
      status: 'PASSED',
    });
  });

  it("prints each flag's control as PASSED in the text forecast once the flag is given", async () => {
    const { stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('no-trails.json'),
      '--object-lock-days',
      '365',
      '--cloudwatch-logs-group-arn',
      LOG_GROUP,
      '--cloudwatch-logs-role-arn',
      LOG_ROLE,
    ]);

    expect(stdout).toContain(
      [
        `  ${NEW_TRAIL_ARN}`,
        forecastLine('CloudTrail.2', 'FAILED: passes with --kms-key-id'),
        forecastLine('CloudTrail.4', 'PASSED'),
        forecastLine('CloudTrail.5', 'PASSED'),
      ].join('\n'),
    );
    expect(stdout).toContain(
      [
        forecastLine('S3.14', 'PASSED'),
        forecastLine('S3.15', 'PASSED'),
        forecastLine('S3.17', 'FAILED: passes with --kms-key-id'),
      ].join('\n'),
    );
    expect(stdout).toMatch(/\(created\): log bucket;[^\n]*; Object Lock on\n/);
  });

  it('gives the forecast in --json as securityHubControls, one entry per control and resource', async () => {
    const { plan } = await newTrailPlan();
    const entries = (resource: string, rows: [string, string, string?][]): JsonForecast[] =>
      rows.map(([controlId, status, passWith]) => ({
        controlId,
        resource,
        status,
        ...(passWith === undefined ? {} : { passWith }),
      }));
    const note = (controlId: string, resource: string, start: string): JsonForecast => ({
      controlId,
      resource,
      status: 'FAILED',
      note: expect.stringMatching(new RegExp(`^${start}`)),
    });
    const logBucket = `arn:aws:s3:::${LOG_BUCKET}`;
    const accessLogBucket = `arn:aws:s3:::${ACCESS_LOG_BUCKET}`;
    const passing = (...ids: string[]): [string, string][] => ids.map((id) => [id, 'PASSED']);

    expect(plan.securityHubControls).toEqual([
      ...entries(NEW_TRAIL_ARN, [
        ['CloudTrail.2', 'FAILED', 'kmsKeyId'],
        ['CloudTrail.4', 'PASSED'],
        ['CloudTrail.5', 'FAILED', 'cloudWatchLogs'],
        ['CloudTrail.9', 'PASSED'],
        // Judged on the log bucket, reported on the trail, as their Config rules do.
        ['CloudTrail.6', 'PASSED'],
        ['CloudTrail.7', 'PASSED'],
      ]),
      ...entries(logBucket, [
        ...passing('S3.2', 'S3.3', 'S3.5', 'S3.6', 'S3.8', 'S3.9', 'S3.12', 'S3.13', 'S3.14'),
        ['S3.15', 'FAILED', 'objectLockDays'],
        ['S3.17', 'FAILED', 'kmsKeyId'],
        ['S3.20', 'NO_FINDING'],
      ]),
      ...entries(accessLogBucket, passing('S3.2', 'S3.3', 'S3.5', 'S3.6', 'S3.8')),
      note(
        'S3.9',
        accessLogBucket,
        'the bucket that receives server access logs does not log itself',
      ),
      ...entries(accessLogBucket, passing('S3.12', 'S3.13', 'S3.14')),
      note('S3.15', accessLogBucket, 'S3 refuses server access logs'),
      note('S3.17', accessLogBucket, 'S3 delivers server access logs only'),
      ...entries(accessLogBucket, [['S3.20', 'NO_FINDING']]),
    ]);
  });
});

describe('examples/README.md', () => {
  it('lists for each example the calls remediate --dry-run plans', async () => {
    const readme = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([^`]+)` +\|[^|]*\| ([^|]*?) +\| \w+ +\|$/gm)];
    expect(rows.map(([, file]) => file).sort()).toEqual(files);

    for (const [, file = '', cell = ''] of rows) {
      const { code, stdout } = await cli([
        'remediate',
        '--dry-run',
        '--snapshot',
        example(file),
        '--json',
      ]);
      if (cell.startsWith('refused')) {
        expect({ file, code, stdout }).toEqual({ file, code: 2, stdout: '' });
        continue;
      }
      const actions: { service: string; operation: string }[] = JSON.parse(stdout).actions;
      const listed = {
        cloudtrail: [...cell.matchAll(/`(\w+)`/g)].map(([, operation]) => operation),
        s3: Number(/(\d+) S3 calls/.exec(cell)?.[1] ?? 0),
      };
      const planned = {
        cloudtrail: actions.filter((a) => a.service === 'cloudtrail').map((a) => a.operation),
        s3: actions.filter((a) => a.service === 's3').length,
      };
      if (cell === 'nothing') expect({ file, actions }).toEqual({ file, actions: [] });
      else expect({ file, ...planned }).toEqual({ file, ...listed });
    }
  });
});

/** The options remediate takes and no other command does. */
const REMEDIATE_ONLY = [
  '--dry-run',
  '--apply',
  '--trail-name',
  '--bucket-name',
  '--kms-key-id',
  '--access-log-bucket',
  '--log-retention-days',
  '--tag',
  '--cloudwatch-logs-group-arn',
  '--cloudwatch-logs-role-arn',
  '--object-lock-days',
  '--harden-repaired-trail',
  '--trusted-log-account',
  '--yes',
];

describe('cloudtrail-rule remediate usage', () => {
  const snapshot = ['--snapshot', example('no-trails.json')];

  it.each([
    [['--trail-name', 'ab'], /--trail-name "ab" is not accepted: it must be a trail name of 3–128/],
    [['--trail-name', 'audit trail'], /--trail-name "audit trail" is not accepted/],
    [['--trail-name', ''], /--trail-name needs a value/],
    [
      ['--bucket-name', 'Audit_Logs'],
      /--bucket-name "Audit_Logs" is not accepted: it must be an S3 bucket name of 3–63 lower-case/,
    ],
    [
      ['--kms-key-id', 'key with spaces'],
      /--kms-key-id "key with spaces" is not accepted: it must be a KMS key ID/,
    ],
    [['--tag', 'team'], /--tag "team" is not accepted: it must be key=value pairs/],
    [['--tag', '=security'], /--tag "=security" is not accepted: it must be key=value pairs/],
    [
      ['--tag', 'aws:x=1'],
      /--tag "aws:x=1" is not accepted: it has the key "aws:x": AWS reserves the aws: prefix/,
    ],
    [
      ['--tag', 'team=sec', '--tag', 'AWS:createdBy=me'],
      /--tag "team=sec,AWS:createdBy=me" is not accepted: it has the key "AWS:createdBy": AWS reserves the aws: prefix/,
    ],
    [
      ['--tag', 'team=sec', '--tag', 'team=ops'],
      /--tag "team=sec,team=ops" is not accepted: it gives the key "team" twice/,
    ],
    [
      ['--tag', 'created-by=me'],
      /--tag "created-by=me" is not accepted: it has the key "created-by", which the remediation sets itself/,
    ],
    [['--tag', ''], /--tag needs a value/],
    [
      ['--tag', 'team=sec,env=prod'],
      /--tag "team=sec,env=prod" has a comma: give one value per --tag, repeating the flag for more/,
    ],
    [
      ['--trusted-log-account', '444455556666,777788889999'],
      /--trusted-log-account "444455556666,777788889999" has a comma: give one value per --trusted-log-account/,
    ],
    [
      ['--log-retention-days', '0'],
      /--log-retention-days "0" is not accepted: .*a whole number from 1 to 36500/,
    ],
    [
      ['--log-retention-days', '40000'],
      /--log-retention-days "40000" is not accepted: .*a whole number from 1 to 36500/,
    ],
    [
      ['--log-retention-days', '7.5'],
      /--log-retention-days "7.5" is not accepted: .*a whole number from 1 to 36500/,
    ],
    [['--log-retention-days', ''], /--log-retention-days needs a value/],
    [
      ['--object-lock-days', '0'],
      /--object-lock-days "0" is not accepted: .*a whole number from 1 to 36500/,
    ],
    [
      ['--object-lock-days', '36501'],
      /--object-lock-days "36501" is not accepted: .*a whole number from 1 to 36500/,
    ],
    [
      ['--trusted-log-account', '123'],
      /--trusted-log-account "123" is not accepted: it must be 12-digit AWS account IDs/,
    ],
    [
      ['--trusted-log-account', '444455556666', '--trusted-log-account', '4444-5555-6666'],
      /--trusted-log-account "444455556666,4444-5555-6666" is not accepted: it must be 12-digit AWS account IDs/,
    ],
    [['--trusted-log-account', ''], /--trusted-log-account needs a value/],
    [
      ['--access-log-bucket', 'Access_Logs'],
      /--access-log-bucket "Access_Logs" is not accepted: it must be an S3 bucket name/,
    ],
    [['--access-log-bucket', ''], /--access-log-bucket needs a value/],
    [
      ['--cloudwatch-logs-group-arn', 'log-group:cloudtrail'],
      /--cloudwatch-logs-group-arn "log-group:cloudtrail" is not accepted: it must be a CloudWatch Logs log group ARN/,
    ],
    [
      ['--cloudwatch-logs-role-arn', 'cloudtrail-to-cloudwatch-logs'],
      /--cloudwatch-logs-role-arn "cloudtrail-to-cloudwatch-logs" is not accepted: it must be an IAM role ARN/,
    ],
  ])('refuses %j with exit 2, naming the option and what it accepts', async (option, message) => {
    const { code, stdout, stderr } = await cli(['remediate', '--dry-run', ...snapshot, ...option]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/^cloudtrail-rule: [^\n]+\n$/);
  });

  it.each([
    [['remediate'], /remediate needs exactly one of --dry-run .* and --apply/],
    [['remediate', ...snapshot], /remediate needs exactly one of --dry-run/],
    [['remediate', '--dry-run', '--apply', '--region', 'us-east-1'], /exactly one of --dry-run/],
    [
      ['remediate', '--apply', ...snapshot],
      /--apply changes a live account, and a snapshot is only a record/,
    ],
    [
      ['remediate', '--dry-run', ...snapshot, '--kms-key-id', 'alias/cloudtrail'],
      /--kms-key-id needs the key read from the live account/,
    ],
    [
      ['remediate', '--dry-run', ...snapshot, '--harden-repaired-trail'],
      /--harden-repaired-trail needs the repaired trail's bucket read from the live account/,
    ],
    [
      ['remediate', '--apply', '--yes', ...snapshot, '--harden-repaired-trail'],
      /--apply changes a live account, and a snapshot is only a record/,
    ],
    // Without both, CloudTrail cannot deliver: even a repair, which would not use the one given, refuses it.
    ...[example('no-trails.json'), example('logging-stopped.json')].flatMap(
      (file): [string[], RegExp][] => [
        [
          ['remediate', '--dry-run', '--snapshot', file, '--cloudwatch-logs-group-arn', LOG_GROUP],
          /^cloudtrail-rule: --cloudwatch-logs-group-arn needs --cloudwatch-logs-role-arn too: .*Give both, or neither\.\n$/,
        ],
        [
          ['remediate', '--dry-run', '--snapshot', file, '--cloudwatch-logs-role-arn', LOG_ROLE],
          /^cloudtrail-rule: --cloudwatch-logs-role-arn needs --cloudwatch-logs-group-arn too: /,
        ],
      ],
    ),
    [['remediate', '--dry-run', ...snapshot, '--yes'], /--yes answers the question --apply asks/],
    [['evaluate', ...snapshot, '--tag', 'team=sec'], /The evaluate command does not take --tag/],
    [
      ['remediate', '--dry-run', ...snapshot, '--region', 'us-east-1'],
      /--region and --profile are for reading a live account/,
    ],
    [['remediate', '--dry-run', 'now'], /Unexpected argument "now" after remediate/],
    [['evaluate', '--trail-name', 'x'], /The evaluate command does not take --trail-name/],
  ])('refuses %j with exit 2 and one line on stderr', async (argv, message) => {
    const { code, stdout, stderr } = await cli(argv);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/^cloudtrail-rule: [^\n]+\n$/);
  });

  it.each(['evaluate', 'snapshot', 'examples'])(
    'keeps the options only remediate takes out of %s --help',
    async (command) => {
      const { stdout } = await cli([command, '--help']);
      const listed = [...stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map(
        ([, option]) => option,
      );

      expect(listed).toContain('--verbose');
      expect(listed.filter((option) => REMEDIATE_ONLY.includes(option ?? ''))).toEqual([]);
    },
  );

  it('documents the command and its exit statuses in --help', async () => {
    const { stdout } = await cli(['--help']);

    expect(stdout).toContain('remediate --dry-run');
    expect(stdout).toContain('remediate --apply');
    expect(stdout).toMatch(/remediate --dry-run: 0 nothing to change, 1 changes planned, 2 error/);
    for (const option of REMEDIATE_ONLY) expect(stdout).toContain(option);
  });
});

/**
 * `GetTrailStatus` as CloudTrail sends it, from a snapshot's response (the
 * SDK's dates, written as ISO strings): its timestamps in epoch seconds.
 */
function statusOnTheWire(response: Record<string, unknown>): TrailStatusWire {
  return Object.fromEntries(
    Object.entries(response).map(([field, value]) =>
      typeof value === 'string' && /^\d{4}-\d\d-\d\dT[\d:]+\.\d{3}Z$/.test(value)
        ? [field, Date.parse(value) / 1000]
        : [field, value],
    ),
  ) as unknown as TrailStatusWire;
}

/**
 * A mocked account holding the trails of an example snapshot (each read
 * fully there), and the bucket each trail delivers to, owned by the trail's
 * account, unless `buckets` gives it: the remediation repairs a trail only
 * once it knows the bucket is this account's (or a trusted account's).
 */
function accountOf(file: string, buckets: AccountBucket[] = []): MockedAccount {
  const example = loadExample(file);
  const trails = example.trails.map((t): AccountTrail => {
    const status = t.status !== undefined && 'response' in t.status ? t.status.response : undefined;
    const selectors =
      t.eventSelectors !== undefined && 'response' in t.eventSelectors
        ? t.eventSelectors.response
        : undefined;
    if (status === undefined || selectors === undefined)
      throw new Error(`${file} is not read fully`);
    const { TrailARN: _, ...rest } = selectors;
    return {
      trail: t.trail as TrailEntry,
      status: statusOnTheWire(status),
      eventSelectors: structuredClone(rest),
    };
  });
  const given = new Set(buckets.map((b) => b.name));
  const delivered = new Map<string, AccountBucket>();
  for (const { trail } of trails) {
    const name = trail.S3BucketName;
    if (name === undefined || given.has(name)) continue;
    const owner = trail.TrailARN.split(':')[4] ?? example.accountId;
    delivered.set(name, { name, owner, region: trail.HomeRegion ?? example.region });
  }
  return mockAccount({
    accountId: example.accountId,
    trails,
    buckets: [...buckets, ...delivered.values()],
  });
}

describe('cloudtrail-rule remediate against a live account (SDK mocked)', () => {
  let account: MockedAccount | undefined;
  const open = (file: string, buckets: AccountBucket[] = []) => {
    account = accountOf(file, buckets);
    return account;
  };

  afterEach(() => {
    account?.restore();
    account = undefined;
  });

  describe('--dry-run', () => {
    it('plans from a live read with the remediation’s own code and writes nothing', async () => {
      const mock = open('logging-stopped.json');

      const { code, stdout } = await cli(['remediate', '--dry-run', '--region', 'us-east-1']);

      expect(code).toBe(1);
      expect(stdout).toContain('trails listed from us-east-1; live, read ');
      expect(steps(stdout)).toEqual(['1. cloudtrail:StartLogging in us-east-1']);
      expect(mock.writes()).toEqual([]);
      expect(mock.requests.map((r) => `${r.service}:${r.operation}`)).toEqual(
        expect.arrayContaining(['sts:GetCallerIdentity', 'cloudtrail:DescribeTrails']),
      );
      expect(mock.requests.find((r) => r.operation === 'DescribeTrails')?.region).toBe('us-east-1');
    });

    it('reads the buckets instead of assuming them, and plans only what they lack', async () => {
      const mock = open('no-trails.json', [
        {
          name: LIVE_LOG_BUCKET,
          owner: ACCOUNT,
          region: 'us-east-1',
          objectOwnership: 'BucketOwnerEnforced',
          publicAccessBlock: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
          },
          encryption: { SSEAlgorithm: 'AES256' },
        },
      ]);

      const { code, stdout } = await cli([
        'remediate',
        '--dry-run',
        '--region',
        'us-east-1',
        '--json',
      ]);
      const plan = JSON.parse(stdout);

      expect(code).toBe(1);
      expect(plan.assumptions).toEqual([]);
      expect(
        plan.actions.map((a: { operation: string; input: { Bucket?: string } }) =>
          `${a.operation} ${a.input.Bucket ?? ''}`.trim(),
        ),
      ).toEqual([
        ...[
          'CreateBucket',
          'PutPublicAccessBlock',
          'PutBucketEncryption',
          'PutBucketVersioning',
          'PutBucketLifecycleConfiguration',
          'PutBucketTagging',
          'PutBucketPolicy',
        ].map((operation) => `${operation} ${LIVE_ACCESS_LOG_BUCKET}`),
        // It has ACLs disabled, Block Public Access and encryption; under the remediation's own
        // default name, it is tagged created-by as one it created.
        ...[
          'PutBucketVersioning',
          'PutBucketLifecycleConfiguration',
          'PutBucketTagging',
          'PutBucketPolicy',
          'PutBucketLogging',
        ].map((operation) => `${operation} ${LIVE_LOG_BUCKET}`),
        'CreateTrail',
        'StartLogging',
      ]);
      expect(
        mock.requests.filter((r) => r.operation === 'HeadBucket').map((r) => r.input.Bucket),
      ).toEqual(expect.arrayContaining([LIVE_LOG_BUCKET, LIVE_ACCESS_LOG_BUCKET]));
      expect(mock.writes()).toEqual([]);
    });

    it('exits 0 and plans nothing for a compliant account', async () => {
      open('compliant-default-trail.json');

      const { code, stdout } = await cli(['remediate', '--dry-run', '--region', 'us-east-1']);

      expect(code).toBe(0);
      expect(stdout).toContain('Nothing to change: trail management-events');
    });

    it('exits 2 with one line saying where credentials come from when there are none', async () => {
      const mock = open('logging-stopped.json');
      const send = STSClient.prototype.send as (command: unknown) => Promise<unknown>;
      const noCredentials = jest.spyOn(STSClient.prototype, 'send').mockImplementation(function (
        this: STSClient,
        command: unknown,
      ) {
        if (command instanceof GetCallerIdentityCommand) {
          return Promise.reject(
            Object.assign(new Error('Could not load credentials from any providers'), {
              name: 'CredentialsProviderError',
            }),
          );
        }
        return send.call(this, command);
      } as never);

      try {
        const { code, stdout, stderr } = await cli([
          'remediate',
          '--dry-run',
          '--region',
          'us-east-1',
        ]);

        expect(code).toBe(2);
        expect(stdout).toBe('');
        expect(stderr).toMatch(
          /^cloudtrail-rule: Could not read the account: No AWS credentials found \(Could not load credentials from any providers\)\. Give a profile with --profile NAME or AWS_PROFILE [^\n]*\n$/,
        );
        expect(mock.requests.filter((r) => r.service === 'cloudtrail')).toEqual([]);
      } finally {
        noCredentials.mockRestore();
      }
    });

    it('frees its SDK clients when done', async () => {
      open('logging-stopped.json');
      const destroyed = jest.spyOn(CloudTrailClient.prototype, 'destroy');

      await cli(['remediate', '--dry-run', '--region', 'us-east-1']);

      expect(destroyed).toHaveBeenCalled();
      destroyed.mockRestore();
    });
  });

  describe('with the hardening flags', () => {
    const LOG_ARCHIVE = '444455556666';
    const TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events';
    /** logging-stopped.json, its trail delivering to a bucket of `owner`. */
    const deliveringTo = (owner: string) =>
      open('logging-stopped.json', [{ name: EXAMPLE_BUCKET, owner, region: 'us-east-1' }]);
    const ownersAsked = (mock: MockedAccount) =>
      mock.requests
        .filter((r) => r.operation === 'HeadBucket' && r.input.Bucket === EXAMPLE_BUCKET)
        .map((r) => r.input.ExpectedBucketOwner);

    it("repairs a trail whose bucket is this account's, after asking S3 who owns it", async () => {
      const mock = deliveringTo(ACCOUNT);

      const { stdout } = await cli(['remediate', '--dry-run', '--region', 'us-east-1']);

      expect(steps(stdout)).toEqual(['1. cloudtrail:StartLogging in us-east-1']);
      expect(ownersAsked(mock)).toEqual([ACCOUNT]);
      expect(stdout).not.toContain('Assumed:');
    });

    it("leaves alone a trail whose bucket is another account's, and creates one of the account's own", async () => {
      const mock = deliveringTo(LOG_ARCHIVE);

      const { stdout } = await cli(['remediate', '--dry-run', '--region', 'us-east-1']);

      expect(steps(stdout)).toEqual(NEW_TRAIL_STEPS);
      expect(stdout).toContain(
        `     no trail of this account can be repaired: "management-events" is left alone, since it delivers to bucket "${EXAMPLE_BUCKET}", which belongs to an account other than this account: create "multi-region-management-events"`,
      );
      expect(ownersAsked(mock)).toEqual([ACCOUNT]);
    });

    /**
     * Lets this account see the log archive's bucket, as a bucket policy
     * granting it s3:ListBucket does (the account model answers 403 for any
     * other account's bucket): HeadBucket expecting the log archive as owner
     * succeeds. Records the owners HeadBucket was asked to expect, in order.
     */
    function logArchiveBucketVisible(): { owners: unknown[]; restore(): void } {
      const owners: unknown[] = [];
      const send = S3Client.prototype.send as (command: unknown) => Promise<unknown>;
      const spy = jest.spyOn(S3Client.prototype, 'send').mockImplementation(function (
        this: S3Client,
        command: unknown,
      ) {
        if (command instanceof HeadBucketCommand && command.input.Bucket === EXAMPLE_BUCKET) {
          owners.push(command.input.ExpectedBucketOwner);
          if (command.input.ExpectedBucketOwner === LOG_ARCHIVE) {
            return Promise.resolve({ BucketRegion: 'us-east-1', $metadata: {} });
          }
        }
        return send.call(this, command);
      } as never);
      return { owners, restore: () => spy.mockRestore() };
    }

    it("repairs that trail once --trusted-log-account names the bucket's owner", async () => {
      deliveringTo(LOG_ARCHIVE);
      const visible = logArchiveBucketVisible();

      try {
        const { stdout } = await cli([
          'remediate',
          '--dry-run',
          '--region',
          'us-east-1',
          '--trusted-log-account',
          LOG_ARCHIVE,
        ]);

        expect(steps(stdout)).toEqual(['1. cloudtrail:StartLogging in us-east-1']);
        expect(visible.owners).toEqual([ACCOUNT, LOG_ARCHIVE]);
      } finally {
        visible.restore();
      }
    });

    it('takes --trusted-log-account repeated, asking this account first, then each in turn', async () => {
      deliveringTo(LOG_ARCHIVE);
      const visible = logArchiveBucketVisible();

      try {
        const { stdout } = await cli([
          'remediate',
          '--dry-run',
          '--region',
          'us-east-1',
          '--trusted-log-account',
          '555566667777',
          '--trusted-log-account',
          LOG_ARCHIVE,
        ]);

        expect(steps(stdout)).toEqual(['1. cloudtrail:StartLogging in us-east-1']);
        expect(visible.owners).toEqual([ACCOUNT, '555566667777', LOG_ARCHIVE]);
      } finally {
        visible.restore();
      }
    });

    it('still leaves the trail alone when no trusted log account named owns its bucket', async () => {
      deliveringTo(LOG_ARCHIVE);
      const visible = logArchiveBucketVisible();

      try {
        const { stdout } = await cli([
          'remediate',
          '--dry-run',
          '--region',
          'us-east-1',
          '--trusted-log-account',
          '555566667777',
        ]);

        expect(steps(stdout)).toEqual(NEW_TRAIL_STEPS);
        expect(stdout).toContain(
          `since it delivers to bucket "${EXAMPLE_BUCKET}", which belongs to an account other than this account and the trusted log accounts (555566667777): create `,
        );
        expect(visible.owners).toEqual([ACCOUNT, '555566667777']);
      } finally {
        visible.restore();
      }
    });

    it('hardens the repaired trail and its own bucket with --harden-repaired-trail, adding the --tag it lacks', async () => {
      const mock = deliveringTo(ACCOUNT);

      const { code, stdout } = await cli([
        'remediate',
        '--dry-run',
        '--region',
        'us-east-1',
        '--harden-repaired-trail',
        '--tag',
        'team=sec',
        '--json',
      ]);
      const plan = JSON.parse(stdout) as {
        actions: JsonStep[];
        securityHubControls: JsonForecast[];
      };

      expect(code).toBe(1);
      expect(plan.actions.map((a) => `${a.service}:${a.operation}`)).toEqual([
        'cloudtrail:StartLogging',
        'cloudtrail:AddTags',
        's3:PutPublicAccessBlock',
        's3:PutBucketPolicy',
      ]);
      expect(plan.actions[1]?.input).toEqual({
        ResourceId: TRAIL_ARN,
        TagsList: [{ Key: 'team', Value: 'sec' }],
      });
      expect(
        plan.securityHubControls
          .filter((c) => ['CloudTrail.9', 'S3.5', 'S3.8'].includes(c.controlId))
          .map((c) => `${c.controlId} ${c.resource} ${c.status}`),
      ).toEqual([
        `CloudTrail.9 ${TRAIL_ARN} PASSED`,
        `S3.5 arn:aws:s3:::${EXAMPLE_BUCKET} PASSED`,
        `S3.8 arn:aws:s3:::${EXAMPLE_BUCKET} PASSED`,
      ]);
      expect(mock.writes()).toEqual([]);
    });

    it('repairs only what CloudTrail.1 needs without --harden-repaired-trail: --tag alone tags no repaired trail', async () => {
      deliveringTo(ACCOUNT);

      const { stdout } = await cli([
        'remediate',
        '--dry-run',
        '--region',
        'us-east-1',
        '--tag',
        'team=sec',
      ]);

      expect(steps(stdout)).toEqual(['1. cloudtrail:StartLogging in us-east-1']);
      // The tags were read (none), not assumed.
      expect(stdout).toContain(
        `Planned end state:\n  trail ${TRAIL_ARN} (changed): log file validation on; SSE-S3; no CloudWatch Logs; tags none\nSecurity Hub controls, forecast:\n`,
      );
    });
  });

  describe('--apply', () => {
    it('with --yes prints the plan, each step as it starts, and the verdict after', async () => {
      const mock = open('no-trails.json');
      const writesAtStep: number[] = [];

      const { code, stdout, asked } = await cli(
        ['remediate', '--apply', '--yes', '--region', 'us-east-1'],
        {
          onOut: (text) => {
            if (/^\[\d+\/\d+\]/.test(text)) writesAtStep.push(mock.writes().length);
          },
        },
      );

      expect(code).toBe(0);
      expect(asked).toEqual([]);
      const progress = stdout.split('\n').filter((line) => line.startsWith('['));
      expect(progress).toEqual(
        NEW_TRAIL_STEPS.map((step) =>
          step.replace(/^(\d+)\. (\S+) in (\S+)$/, '[$1/17] $2 ($3) …'),
        ),
      );
      // Each line appears before its call is sent.
      expect(writesAtStep).toEqual(NEW_TRAIL_STEPS.map((_, index) => index));
      expect(stdout).toMatch(
        /Plan: 17 API calls\n[\s\S]*\nApplying 17 changes to account 111122223333:\n\[1\/17\][\s\S]*\[17\/17\][^\n]*\nAfter: COMPLIANT: Trail multi-region-management-events \(us-east-1\)/,
      );
      expect(stdout).toContain(
        `Done: 17 changes applied to account 111122223333; a fresh read passes CloudTrail.1 (${NEW_TRAIL_ARN}).\nSecurity Hub controls, read back:\n  ${NEW_TRAIL_ARN}\n     CloudTrail.2 FAILED: passes with --kms-key-id\n`,
      );
      expect(mock.writes().map((w) => w.operation)).toEqual(NEW_TRAIL_OPERATIONS);
    });

    it.each(['n', '', 'no', 'sure', 'yes please'])(
      'changes nothing when the answer is %j, and exits 1',
      async (answer) => {
        const mock = open('logging-stopped.json');

        const { code, stdout, asked } = await cli(
          ['remediate', '--apply', '--region', 'us-east-1'],
          {
            answer,
          },
        );

        expect(code).toBe(1);
        expect(asked).toEqual(['Apply this 1 change to account 111122223333? [y/N] ']);
        expect(stdout).toContain('1. cloudtrail:StartLogging in us-east-1');
        expect(stdout).toMatch(/\nNothing changed\.\n$/);
        expect(mock.writes()).toEqual([]);
        expect(mock.state.trails[0]?.status.IsLogging).toBe(false);
      },
    );

    it.each(['y', 'yes', 'Y', ' YES '])('applies when the answer is %j', async (answer) => {
      const mock = open('write-only-trail.json');

      const { code, stdout, asked } = await cli(['remediate', '--apply', '--region', 'us-east-1'], {
        answer,
      });

      expect(code).toBe(0);
      expect(asked).toHaveLength(1);
      expect(stdout).toContain(
        '[1/1] cloudtrail:PutEventSelectors (us-east-1) …\nAfter: COMPLIANT:',
      );
      expect(mock.writes().map((w) => w.operation)).toEqual(['PutEventSelectors']);
    });

    it('asks about every change with their count', async () => {
      open('no-trails.json');

      const { asked } = await cli(['remediate', '--apply', '--region', 'us-east-1'], {
        answer: 'n',
      });

      expect(asked).toEqual(['Apply these 17 changes to account 111122223333? [y/N] ']);
    });

    it('refuses without --yes when stdin is not a terminal, before reading anything', async () => {
      const mock = open('logging-stopped.json');

      const { code, stdout, stderr } = await cli(['remediate', '--apply', '--region', 'us-east-1']);

      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        /^cloudtrail-rule: --apply asks before it changes anything, and stdin is not a terminal.*--yes/,
      );
      expect(mock.requests).toEqual([]);
    });

    it('neither asks nor writes when the account already passes, and exits 0', async () => {
      const mock = open('compliant-default-trail.json');

      const { code, stdout, asked } = await cli(['remediate', '--apply', '--region', 'us-east-1'], {
        answer: 'y',
      });

      expect(code).toBe(0);
      expect(asked).toEqual([]);
      expect(stdout).toContain('Nothing to change: trail management-events');
      expect(mock.writes()).toEqual([]);
    });

    it('sends nothing the person did not see when the account changes while asked', async () => {
      const mock = open('logging-stopped.json');

      const { code, stderr } = await cli(['remediate', '--apply', '--region', 'us-east-1'], {
        answer: 'y',
        whileAsking: () => {
          const trail = mock.state.trails[0];
          if (trail !== undefined) trail.trail.IsMultiRegionTrail = false;
        },
      });

      expect(code).toBe(2);
      expect(stderr).toMatch(
        /^cloudtrail-rule: The account changed after the plan was shown: the plan now has 2 steps instead of 1\. Nothing was changed\. Run the command again/,
      );
      expect(mock.writes()).toEqual([]);
    });

    it('names the failed step, and prints no step after it', async () => {
      const mock = open('no-trails.json');
      mock.failWrite(2);

      const { code, stdout, stderr } = await cli([
        'remediate',
        '--apply',
        '--yes',
        '--region',
        'us-east-1',
      ]);

      expect(code).toBe(2);
      expect(stdout).toContain('[2/17] s3:PutPublicAccessBlock (us-east-1) …');
      expect(stdout).not.toContain('[3/17]');
      expect(stdout).not.toContain('After:');
      expect(stderr).toMatch(
        /^cloudtrail-rule: Step 2 of 17, s3:PutPublicAccessBlock \(us-east-1\), failed: InternalFailure: .*run the remediation again[^\n]*\n$/,
      );
    });

    it('exits 2 with the reason when a fresh read still does not pass, without waiting', async () => {
      const mock = open('logging-stopped.json');
      const [trail] = mock.state.trails;
      // CloudTrail accepts StartLogging, but the trail keeps reading as stopped.
      if (trail !== undefined) {
        const stopped = trail.status;
        Object.defineProperty(trail, 'status', { get: () => stopped, set: () => {} });
      }

      const started = performance.now();
      const { code, stderr, sleeps } = await cli([
        'remediate',
        '--apply',
        '--yes',
        '--region',
        'us-east-1',
      ]);

      expect(code).toBe(2);
      expect(stderr).toMatch(
        /^cloudtrail-rule: The changes were applied, but the account still does not pass CloudTrail\.1: NON_COMPLIANT: .*logging is stopped/,
      );
      expect(sleeps.length).toBeGreaterThan(0);
      expect(performance.now() - started).toBeLessThan(2000);
    });

    it('says the one change was applied when the fresh read that checks it fails', async () => {
      const mock = open('logging-stopped.json');
      const send = CloudTrailClient.prototype.send as (command: unknown) => Promise<unknown>;
      const denied = jest.spyOn(CloudTrailClient.prototype, 'send').mockImplementation(function (
        this: CloudTrailClient,
        command: unknown,
      ) {
        if (command instanceof DescribeTrailsCommand && mock.writes().length > 0) {
          return Promise.reject(
            new AccessDeniedException({ message: 'not authorized', $metadata: {} }),
          );
        }
        return send.call(this, command);
      } as never);

      try {
        const { code, stderr } = await cli([
          'remediate',
          '--apply',
          '--yes',
          '--region',
          'us-east-1',
        ]);

        expect(code).toBe(2);
        expect(mock.writes()).toHaveLength(1);
        expect(stderr).toMatch(
          /^cloudtrail-rule: The change was applied, but reading the account again to check it failed: AccessDeniedException: not authorized\. Run "cloudtrail-rule remediate --dry-run"/,
        );
      } finally {
        denied.mockRestore();
      }
    });

    it('refuses an UNDECIDED account before asking, and changes nothing', async () => {
      // Logging and multi-Region: only the selectors it cannot read would decide.
      const mock = open('compliant-default-trail.json');
      const send = CloudTrailClient.prototype.send as (command: unknown) => Promise<unknown>;
      const refused = jest.spyOn(CloudTrailClient.prototype, 'send').mockImplementation(function (
        this: CloudTrailClient,
        command: unknown,
      ) {
        if (command instanceof GetEventSelectorsCommand) {
          return Promise.reject(
            new AccessDeniedException({ message: 'not authorized', $metadata: {} }),
          );
        }
        return send.call(this, command);
      } as never);

      try {
        const { code, stderr, asked } = await cli(
          ['remediate', '--apply', '--region', 'us-east-1'],
          {
            answer: 'y',
          },
        );

        expect(code).toBe(2);
        expect(asked).toEqual([]);
        expect(stderr).toMatch(
          /^cloudtrail-rule: Cannot tell whether the account already passes: .*Nothing was changed/,
        );
        expect(mock.writes()).toEqual([]);
      } finally {
        refused.mockRestore();
      }
    });

    describe('--json', () => {
      it('prints only the result as JSON on stdout, and the plan and steps on stderr', async () => {
        open('logging-stopped.json');
        const arn = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events';

        const { code, stdout, stderr } = await cli([
          'remediate',
          '--apply',
          '--yes',
          '--json',
          '--region',
          'us-east-1',
        ]);

        expect(code).toBe(0);
        expect(JSON.parse(stdout)).toEqual({
          outcome: 'applied',
          dryRun: false,
          accountId: '111122223333',
          compliantBefore: false,
          actions: [
            expect.objectContaining({
              step: 1,
              service: 'cloudtrail',
              operation: 'StartLogging',
              region: 'us-east-1',
            }),
          ],
          compliantAfter: true,
          trailArn: arn,
          verdict: expect.stringMatching(/^COMPLIANT: /),
          // Read back from the account once applied: the trail has no tag.
          securityHubControls: [
            {
              controlId: 'CloudTrail.2',
              resource: arn,
              status: 'FAILED',
              passWith: 'kmsKeyId with hardenRepairedTrail',
            },
            { controlId: 'CloudTrail.4', resource: arn, status: 'PASSED' },
            {
              controlId: 'CloudTrail.5',
              resource: arn,
              status: 'FAILED',
              passWith: 'cloudWatchLogs with hardenRepairedTrail',
            },
            {
              controlId: 'CloudTrail.9',
              resource: arn,
              status: 'FAILED',
              passWith: 'tags with hardenRepairedTrail',
            },
          ],
          resources: [{ kind: 'trail', arn, created: false, logFileValidation: true, tags: {} }],
        });
        expect(stderr).toContain('1. cloudtrail:StartLogging in us-east-1');
        expect(stderr).toContain('[1/1] cloudtrail:StartLogging (us-east-1) …\nAfter: COMPLIANT:');
      });

      it('gives the controls as read back after applying, not as forecast', async () => {
        const mock = open('logging-stopped.json');
        const arn = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events';

        const { code, stdout, stderr } = await cli(
          ['remediate', '--apply', '--json', '--region', 'us-east-1'],
          {
            answer: 'y',
            // Someone tags the trail after the forecast was shown.
            whileAsking: () => {
              const trail = mock.state.trails[0];
              if (trail !== undefined) trail.tags = [{ Key: 'team', Value: 'sec' }];
            },
          },
        );
        const result = JSON.parse(stdout);

        expect(code).toBe(0);
        expect(stderr).toContain(
          '     CloudTrail.9 FAILED: passes with --tag with --harden-repaired-trail\n',
        );
        expect(stderr).toContain(
          `Security Hub controls, read back:\n  ${arn}\n     CloudTrail.2 FAILED: passes with --kms-key-id with --harden-repaired-trail\n     CloudTrail.4 PASSED\n     CloudTrail.5 FAILED: passes with --cloudwatch-logs-group-arn and --cloudwatch-logs-role-arn with --harden-repaired-trail\n     CloudTrail.9 PASSED\n`,
        );
        expect(result.securityHubControls).toContainEqual({
          controlId: 'CloudTrail.9',
          resource: arn,
          status: 'PASSED',
        });
        expect(result.resources).toEqual([
          { kind: 'trail', arn, created: false, logFileValidation: true, tags: { team: 'sec' } },
        ]);
      });

      it('reads back every control the dry run forecast for a new trail and its buckets', async () => {
        open('no-trails.json');

        const dry = await cli(['remediate', '--dry-run', '--json', '--region', 'us-east-1']);
        const applied = await cli([
          'remediate',
          '--apply',
          '--yes',
          '--json',
          '--region',
          'us-east-1',
        ]);
        const planned = JSON.parse(dry.stdout);
        const result = JSON.parse(applied.stdout);

        expect(applied.code).toBe(0);
        expect(result.outcome).toBe('applied');
        expect(planned.securityHubControls).toHaveLength(30);
        expect(result.securityHubControls).toEqual(planned.securityHubControls);
        expect(
          result.resources.map((r: { kind: string; arn: string }) => `${r.kind} ${r.arn}`),
        ).toEqual([
          `trail ${NEW_TRAIL_ARN}`,
          `bucket arn:aws:s3:::${LIVE_LOG_BUCKET}`,
          `bucket arn:aws:s3:::${LIVE_ACCESS_LOG_BUCKET}`,
        ]);
      });

      it('says "declined" and lists the steps not sent when the answer is no, and exits 1', async () => {
        const mock = open('logging-stopped.json');

        const { code, stdout, asked } = await cli(
          ['remediate', '--apply', '--json', '--region', 'us-east-1'],
          { answer: 'n' },
        );

        expect(code).toBe(1);
        expect(asked).toHaveLength(1);
        expect(JSON.parse(stdout)).toMatchObject({
          outcome: 'declined',
          compliantBefore: false,
          compliantAfter: null,
          actions: [{ step: 1, operation: 'StartLogging' }],
          verdict: expect.stringMatching(/^NON_COMPLIANT: /),
        });
        expect(mock.writes()).toEqual([]);
      });

      it('says "nothing-to-change" when the account already passes, and exits 0', async () => {
        const mock = open('compliant-default-trail.json');

        const { code, stdout } = await cli([
          'remediate',
          '--apply',
          '--yes',
          '--json',
          '--region',
          'us-east-1',
        ]);

        expect(code).toBe(0);
        expect(JSON.parse(stdout)).toMatchObject({
          outcome: 'nothing-to-change',
          compliantBefore: true,
          compliantAfter: true,
          actions: [],
        });
        expect(mock.writes()).toEqual([]);
      });
    });
  });
});
