import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessDeniedException,
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
} from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { main } from '../../../cli/main';
import { evaluateAccount } from '../../../rule/evaluate';
import { DEFAULT_PARAMETERS } from '../../../rule/parameters';
import { type AccountTrailState, accountTrailStateSchema } from '../../../rule/state';
import type { AccountTrail, TrailEntry, TrailStatusWire } from '../../support/aws-account/model';
import { type MockedAccount, mockAccount } from '../../support/aws-account/serve-sdk-mock';

const EXAMPLES = join(__dirname, '../../..', 'examples');
const example = (file: string) => join('examples', file);
const ACCOUNT = '111122223333';

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

  it('gives each call its reason and exact input, indented under it', async () => {
    const { stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('single-region-trail.json'),
    ]);

    expect(stdout).toContain(
      [
        'Plan: 1 API call',
        '  1. cloudtrail:UpdateTrail in us-east-1',
        '     "us-east-1-only" logs only us-east-1: make it multi-Region (global service events included, as CloudTrail requires); every other setting is left as it is',
        '     {"Name":"arn:aws:cloudtrail:us-east-1:111122223333:trail/us-east-1-only","IsMultiRegionTrail":true,"IncludeGlobalServiceEvents":true}',
        '',
        'Dry run: nothing was changed. Once applied, trail us-east-1-only (arn:aws:cloudtrail:us-east-1:111122223333:trail/us-east-1-only) should pass CloudTrail.1.',
      ].join('\n'),
    );
  });

  it('plans a new bucket and trail where there is none, assuming the bucket absent', async () => {
    const { code, stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('no-trails.json'),
    ]);

    expect(code).toBe(1);
    expect(stdout).toContain(
      'Assumed: bucket state not read from a snapshot: assumed absent ("cloudtrail-logs-111122223333-us-east-1").',
    );
    expect(steps(stdout)).toEqual([
      '1. s3:CreateBucket in us-east-1',
      '2. s3:PutPublicAccessBlock in us-east-1',
      '3. s3:PutBucketEncryption in us-east-1',
      '4. s3:PutBucketPolicy in us-east-1',
      '5. cloudtrail:CreateTrail in us-east-1',
      '6. cloudtrail:StartLogging in us-east-1',
    ]);
  });

  it('prints a policy readably below the input instead of as an escaped string', async () => {
    const { stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('no-trails.json'),
    ]);

    expect(stdout).toContain(
      '     {"Bucket":"cloudtrail-logs-111122223333-us-east-1","ExpectedBucketOwner":"111122223333","Policy":"(below)"}\n' +
        '     Policy (sent as a JSON string):\n' +
        '       {\n' +
        '         "Version": "2012-10-17",\n',
    );
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
    expect(stdout).toContain('assumed absent ("audit-logs-111122223333")');
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
      expect(steps(stdout)).toEqual([
        '1. s3:CreateBucket in us-east-1',
        '2. s3:PutPublicAccessBlock in us-east-1',
        '3. s3:PutBucketEncryption in us-east-1',
        '4. s3:PutBucketPolicy in us-east-1',
        '5. cloudtrail:CreateTrail in us-east-1',
        '6. cloudtrail:StartLogging in us-east-1',
      ]);
      expect(stdout).toContain(
        '     the organization trail "write-events-only" of this account is left alone, since a change to an organization trail changes logging, and its cost, for every account in the organization (name one with TrailName to repair it), and this account has no other trail: create ',
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
      assumptions: [],
    });
  });

  it('keeps a policy a JSON string in --json, and lists the assumption', async () => {
    const { stdout } = await cli([
      'remediate',
      '--dry-run',
      '--snapshot',
      example('no-trails.json'),
      '--json',
    ]);
    const plan = JSON.parse(stdout);
    const policyStep = plan.actions.find(
      (a: { operation: string }) => a.operation === 'PutBucketPolicy',
    );

    expect(plan.actions.map((a: { step: number }) => a.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(typeof policyStep.input.Policy).toBe('string');
    expect(JSON.parse(policyStep.input.Policy).Statement).toHaveLength(3);
    expect(plan.assumptions).toEqual([
      'bucket state not read from a snapshot: assumed absent ("cloudtrail-logs-111122223333-us-east-1")',
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
      }),
    );
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
      else if (!cell.includes('new bucket and trail'))
        expect({ file, ...planned }).toEqual({ file, ...listed });
    }
  });
});

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
    [['remediate', '--dry-run', ...snapshot, '--yes'], /--yes answers the question --apply asks/],
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

  it('documents the command and its exit statuses in --help', async () => {
    const { stdout } = await cli(['--help']);

    expect(stdout).toContain('remediate --dry-run');
    expect(stdout).toContain('remediate --apply');
    expect(stdout).toMatch(/remediate --dry-run: 0 nothing to change, 1 changes planned, 2 error/);
    for (const option of ['--trail-name', '--bucket-name', '--kms-key-id', '--yes']) {
      expect(stdout).toContain(option);
    }
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

/** A mocked account holding the trails of an example snapshot (each read fully there). */
function accountOf(file: string): MockedAccount {
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
  return mockAccount({ accountId: example.accountId, trails });
}

describe('cloudtrail-rule remediate against a live account (SDK mocked)', () => {
  let account: MockedAccount | undefined;
  const open = (file: string) => {
    account = accountOf(file);
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

    it('reads the bucket instead of assuming it, and plans only what it lacks', async () => {
      const mock = open('no-trails.json');
      mock.state.buckets.push({
        name: 'cloudtrail-logs-111122223333-us-east-1',
        owner: ACCOUNT,
        region: 'us-east-1',
        publicAccessBlock: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
        encryption: { SSEAlgorithm: 'AES256' },
      });

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
      expect(plan.actions.map((a: { operation: string }) => a.operation)).toEqual([
        'PutBucketPolicy',
        'CreateTrail',
        'StartLogging',
      ]);
      expect(mock.requests.some((r) => r.operation === 'HeadBucket')).toBe(true);
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
      expect(progress).toEqual([
        '[1/6] s3:CreateBucket (us-east-1) …',
        '[2/6] s3:PutPublicAccessBlock (us-east-1) …',
        '[3/6] s3:PutBucketEncryption (us-east-1) …',
        '[4/6] s3:PutBucketPolicy (us-east-1) …',
        '[5/6] cloudtrail:CreateTrail (us-east-1) …',
        '[6/6] cloudtrail:StartLogging (us-east-1) …',
      ]);
      // Each line appears before its call is sent.
      expect(writesAtStep).toEqual([0, 1, 2, 3, 4, 5]);
      expect(stdout).toMatch(
        /Plan: 6 API calls\n[\s\S]*\nApplying 6 changes to account 111122223333:\n\[1\/6\][\s\S]*\[6\/6\][^\n]*\nAfter: COMPLIANT: Trail multi-region-management-events \(us-east-1\)/,
      );
      expect(stdout).toContain(
        'Done: 6 changes applied to account 111122223333; a fresh read passes CloudTrail.1 (arn:aws:cloudtrail:us-east-1:111122223333:trail/multi-region-management-events).',
      );
      expect(mock.writes().map((w) => w.operation)).toEqual([
        'CreateBucket',
        'PutPublicAccessBlock',
        'PutBucketEncryption',
        'PutBucketPolicy',
        'CreateTrail',
        'StartLogging',
      ]);
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

      expect(asked).toEqual(['Apply these 6 changes to account 111122223333? [y/N] ']);
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
      expect(stdout).toContain('[2/6] s3:PutPublicAccessBlock (us-east-1) …');
      expect(stdout).not.toContain('[3/6]');
      expect(stdout).not.toContain('After:');
      expect(stderr).toMatch(
        /^cloudtrail-rule: Step 2 of 6, s3:PutPublicAccessBlock \(us-east-1\), failed: InternalFailure: .*run the remediation again[^\n]*\n$/,
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
          trailArn: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events',
          verdict: expect.stringMatching(/^COMPLIANT: /),
        });
        expect(stderr).toContain('1. cloudtrail:StartLogging in us-east-1');
        expect(stderr).toContain('[1/1] cloudtrail:StartLogging (us-east-1) …\nAfter: COMPLIANT:');
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
