import {
  AccountMismatchError,
  BucketNotOwnedError,
  InvalidRemediationInputError,
  PublicBucketPolicyError,
  RemediationStepError,
} from '../../../remediation/errors';
import {
  DEFAULT_TRAIL_NAME,
  defaultAccessLogBucketName,
  defaultBucketName,
  type RemediationInput,
} from '../../../remediation/input';
import type { PolicyDocument } from '../../../remediation/policies';
import { type RemediationResult, remediate } from '../../../remediation/remediate';
import { managementCoverage } from '../../../rule/selectors';
import { eventSelectorsSchema } from '../../../rule/state';
import {
  type AccountBucket,
  type AccountTrail,
  type Fault,
  LOGGING,
  STOPPED,
} from '../../support/aws-account/model';
import { type MockedAccount, mockAccount } from '../../support/aws-account/serve-sdk-mock';
import {
  ACCOUNT,
  MANAGEMENT_ACCOUNT,
  organizationTrail,
  ROOT_KEY_STATEMENT,
  trail,
} from '../../support/fixtures';
import { SUFFIX } from './facts-fixtures';

const BUCKET = defaultBucketName(ACCOUNT, 'us-east-1', SUFFIX);
const ACCESS_LOG_BUCKET = defaultAccessLogBucketName(ACCOUNT, 'us-east-1', SUFFIX);
/** The bucket the fixture trails deliver to: this account's, so a trail of it may be repaired. */
const TRAIL_BUCKET: AccountBucket = {
  name: trail().S3BucketName ?? '',
  owner: ACCOUNT,
  region: 'us-east-1',
};
/** The management account's organization trail delivers to a bucket of its own. */
const ORG_TRAIL_BUCKET: AccountBucket = {
  name: organizationTrail().S3BucketName ?? '',
  owner: MANAGEMENT_ACCOUNT,
  region: 'us-east-1',
};
const KEY_ID = '0f1e2d3c-aaaa-bbbb-cccc-111122223333';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
const KEY_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [ROOT_KEY_STATEMENT] });
const S3_DATA = {
  ReadWriteType: 'WriteOnly' as const,
  IncludeManagementEvents: false,
  DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::payroll-exports/'] }],
  ExcludeManagementEventSources: [],
};

/** Calls the remediation must never make, whatever the account looks like. */
const FORBIDDEN =
  /^(StopLogging|DeleteTrail|DeleteBucket.*|DeleteBucketPolicy|DeleteEventDataStore)Command$/;

let account: MockedAccount;
const sleeps: number[] = [];

afterEach(() => {
  // Whatever a test does, these calls must never have been made.
  const forbidden = account.commandsSent().filter((c) => FORBIDDEN.test(c));
  account.restore();
  expect(forbidden).toEqual([]);
});

function setUp(
  trails: AccountTrail[] = [],
  options: { key?: boolean; faults?: Fault[] } = {},
): MockedAccount {
  const keys = options.key
    ? [
        {
          keyId: KEY_ID,
          region: 'us-east-1',
          owner: ACCOUNT,
          aliases: ['alias/cloudtrail'],
          policy: KEY_POLICY,
        },
      ]
    : [];
  account = mockAccount(
    { accountId: ACCOUNT, trails, keys, buckets: [structuredClone(TRAIL_BUCKET)] },
    options.faults,
  );
  return account;
}

/** Runs as the deployed function does: with its deployment's bucket name suffix. */
function run(input: Partial<RemediationInput> = {}): Promise<RemediationResult> {
  return remediate(
    { dryRun: false, ...input },
    { ...account.dependencies((ms) => sleeps.push(ms)), bucketSuffix: SUFFIX },
  );
}

/** A single-Region trail, stopped, logging read-only management events plus S3 writes. */
function brokenTrail(): AccountTrail {
  return {
    trail: trail({ IsMultiRegionTrail: false }),
    status: STOPPED,
    eventSelectors: {
      EventSelectors: [
        { ...S3_DATA },
        { ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [] },
      ],
    },
  };
}

function assertNoDuplicates(): void {
  const arns = account.state.trails.map((t) => t.trail.TrailARN);
  expect(new Set(arns).size).toBe(arns.length);
  for (const bucket of account.state.buckets) {
    const statements =
      bucket.policy === undefined ? [] : (JSON.parse(bucket.policy) as PolicyDocument).Statement;
    const texts = statements.map(({ Sid: _, ...rest }) => JSON.stringify(rest));
    expect(new Set(texts).size).toBe(texts.length);
  }
  const keyStatements = account.state.keys.flatMap(
    (k) => (JSON.parse(k.policy) as { Statement: { Sid?: string }[] }).Statement,
  );
  const keyTexts = keyStatements.map(({ Sid: _, ...rest }) => JSON.stringify(rest));
  expect(new Set(keyTexts).size).toBe(keyTexts.length);
}

beforeEach(() => {
  sleeps.length = 0;
});

describe('remediation executor', () => {
  it('repairs a broken trail in place and a second run makes zero write calls', async () => {
    setUp([brokenTrail()]);

    const first = await run();
    const writes = account.writes().length;
    const second = await run();

    expect(first).toMatchObject({ compliantBefore: false, compliantAfter: true });
    expect(writes).toBe(3);
    expect(second).toMatchObject({ compliantBefore: true, compliantAfter: true, actions: [] });
    expect(account.writes()).toHaveLength(writes);
  });

  it('keeps the data event selector exactly as it was', async () => {
    setUp([brokenTrail()]);

    await run();

    const [repaired] = account.state.trails;
    expect(repaired?.eventSelectors.EventSelectors ?? []).toContainEqual(S3_DATA);
    expect(managementCoverage(eventSelectorsSchema.parse(repaired?.eventSelectors))).toMatchObject({
      uncoveredRead: [],
      uncoveredWrite: [],
    });
  });

  it('creates the buckets, key policy and trail in an empty account, and a second run makes zero write calls', async () => {
    setUp([], { key: true });

    const first = await run({ kmsKeyId: 'alias/cloudtrail' });
    const writes = account.writes().length;
    const second = await run({ kmsKeyId: 'alias/cloudtrail' });

    expect(first.trailArn).toBe(
      `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${DEFAULT_TRAIL_NAME}`,
    );
    expect(account.state.trails[0]?.trail).toMatchObject({
      KmsKeyId: KEY_ARN,
      LogFileValidationEnabled: true,
    });
    // Seven writes make the access-log bucket, eight the log bucket (docs/security-hub.md), then the key policy and the trail.
    expect(writes).toBe(18);
    expect(
      account
        .writes()
        .slice(0, 15)
        .map((w) => `${String(w.input.Bucket)} ${w.operation}`),
    ).toEqual([
      ...[
        'CreateBucket',
        'PutPublicAccessBlock',
        'PutBucketEncryption',
        'PutBucketVersioning',
        'PutBucketLifecycleConfiguration',
        'PutBucketTagging',
        'PutBucketPolicy',
      ].map((o) => `${ACCESS_LOG_BUCKET} ${o}`),
      ...[
        'CreateBucket',
        'PutPublicAccessBlock',
        'PutBucketEncryption',
        'PutBucketVersioning',
        'PutBucketLifecycleConfiguration',
        'PutBucketTagging',
        'PutBucketPolicy',
        'PutBucketLogging',
      ].map((o) => `${BUCKET} ${o}`),
    ]);
    expect(
      account
        .writes()
        .slice(15)
        .map((w) => w.operation),
    ).toEqual(['PutKeyPolicy', 'CreateTrail', 'StartLogging']);
    expect(second.actions).toEqual([]);
    expect(account.writes()).toHaveLength(writes);
  });

  describe.each([
    ['an empty account (buckets, key and trail created)', () => setUp([], { key: true }), 18],
    ['a broken trail (repaired in place)', () => setUp([brokenTrail()]), 3],
  ])('in %s', (_, arrange, writes) => {
    it.each(Array.from({ length: writes }, (_, i) => i + 1))(
      'converges without duplicates when write %i fails and the remediation runs again',
      async (failing) => {
        arrange();
        account.failWrite(failing);
        const input = {
          kmsKeyId: account.state.keys.length > 0 ? 'alias/cloudtrail' : undefined,
        };

        await expect(run(input)).rejects.toThrow(
          new RegExp(`^Step ${failing} of ${writes}, .* failed: InternalFailure`),
        );
        const again = await run(input);
        const third = await run(input);

        expect(again.compliantAfter).toBe(true);
        expect(third.actions).toEqual([]);
        expect(account.state.trails).toHaveLength(1);
        // The trail's own bucket, and in the empty account the log and access-log buckets.
        expect(account.state.buckets.map((b) => b.name).sort()).toEqual(
          account.state.keys.length > 0
            ? [TRAIL_BUCKET.name, ACCESS_LOG_BUCKET, BUCKET].sort()
            : [TRAIL_BUCKET.name],
        );
        assertNoDuplicates();
      },
    );
  });

  it('stops at the first real failure and makes no later call', async () => {
    setUp([brokenTrail()]);
    account.failWrite(2);

    const error = await run().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RemediationStepError);
    expect((error as Error).message).toContain(
      'Step 2 of 3, cloudtrail:PutEventSelectors (us-east-1)',
    );
    expect(account.writes().map((w) => w.operation)).toEqual(['UpdateTrail', 'PutEventSelectors']);
  });

  it('waits and retries CreateTrail while CloudTrail does not yet see the new bucket policy', async () => {
    setUp([], {
      faults: [
        {
          operation: 'CreateTrail',
          error: {
            type: 'InsufficientS3BucketPolicyException',
            message: `Incorrect S3 bucket policy is detected for bucket: ${BUCKET}`,
          },
          times: 2,
        },
      ],
    });

    const result = await run();

    expect(result.compliantAfter).toBe(true);
    expect(sleeps.slice(0, 2)).toEqual([2000, 4000]);
    expect(account.writes().filter((w) => w.operation === 'CreateTrail')).toHaveLength(3);
  });

  it('refuses a bucket owned by someone else with a clear error and changes nothing', async () => {
    setUp();
    account.state.buckets.push({ name: 'taken-name', owner: '444455556666', region: 'us-east-1' });

    const error = await run({ bucketName: 'taken-name' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BucketNotOwnedError);
    expect((error as Error).message).toMatch(
      /"taken-name" exists and is not owned by account 111122223333/,
    );
    expect(account.writes()).toEqual([]);
  });

  it('refuses an existing log bucket whose policy is public before any write call', async () => {
    setUp();
    account.state.buckets.push({
      name: BUCKET,
      owner: ACCOUNT,
      region: 'us-east-1',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PublicRead',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::${BUCKET}/*`,
          },
        ],
      }),
    });

    const error = await run().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PublicBucketPolicyError);
    expect((error as Error).message).toMatch(
      /^The policy of bucket "cloudtrail-logs-111122223333-us-east-1-3f9c04ab" is public as S3 judges it: statement "PublicRead" at Statement\[0\] allows every principal \(Principal \{"AWS": "\*"\}\) with no condition\./,
    );
    expect(account.writes()).toEqual([]);
  });

  it('never writes to an organization trail of another account, creating its own trail instead', async () => {
    setUp([
      {
        trail: organizationTrail({ IsMultiRegionTrail: true }) as AccountTrail['trail'],
        status: STOPPED,
        eventSelectors: {
          EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
        },
      },
    ]);

    const result = await run();

    expect(result.compliantAfter).toBe(true);
    expect(account.writes().length).toBeGreaterThan(0);
    expect(JSON.stringify(account.writes())).not.toContain(MANAGEMENT_ACCOUNT);
    expect(account.bucket(BUCKET)).toBeDefined();
  });

  describe('in the management account, which DescribeTrails shows its organization trail with its own ARN', () => {
    const WRITE_ONLY = {
      ReadWriteType: 'WriteOnly' as const,
      IncludeManagementEvents: true,
      DataResources: [],
      ExcludeManagementEventSources: [],
    };
    function setUpManagementAccount(): AccountTrail {
      const org: AccountTrail = {
        trail: organizationTrail({ HasCustomEventSelectors: true }) as AccountTrail['trail'],
        status: LOGGING,
        eventSelectors: { EventSelectors: [{ ...WRITE_ONLY }] },
      };
      account = mockAccount({
        accountId: MANAGEMENT_ACCOUNT,
        trails: [org],
        buckets: [structuredClone(ORG_TRAIL_BUCKET)],
      });
      return org;
    }
    const namingOrgTrail = () =>
      account
        .writes()
        .filter((w) => [w.input.Name, w.input.TrailName].some((n) => /org-trail$/.test(String(n))));

    it('makes no write call on the organization trail without a TrailName, and creates a trail of its own', async () => {
      const org = setUpManagementAccount();

      const result = await run();

      expect(result.compliantAfter).toBe(true);
      expect(namingOrgTrail()).toEqual([]);
      expect(account.state.trails[0]).toEqual(org);
      expect(result.trailArn).toBe(
        `arn:aws:cloudtrail:us-east-1:${MANAGEMENT_ACCOUNT}:trail/${DEFAULT_TRAIL_NAME}`,
      );
      expect(result.actions.find((a) => a.operation === 'CreateTrail')?.reason).toMatch(
        /the organization trail "org-trail" of this account is left alone/,
      );
    });

    it('repairs the organization trail when TrailName names it', async () => {
      const org = setUpManagementAccount();

      const result = await run({ trailName: 'org-trail' });

      expect(result).toMatchObject({ compliantAfter: true, trailArn: org.trail.TrailARN });
      expect(account.writes().map((w) => `${w.operation} ${String(w.input.TrailName)}`)).toEqual([
        `PutEventSelectors ${org.trail.TrailARN}`,
      ]);
      expect(account.state.buckets).toEqual([ORG_TRAIL_BUCKET]);
    });
  });

  it('makes no write call on a dry run, and returns the plan', async () => {
    setUp([brokenTrail()]);

    const result = await run({ dryRun: true });

    expect(result).toMatchObject({ dryRun: true, compliantBefore: false, compliantAfter: null });
    expect(result.actions.map((a) => a.operation)).toEqual([
      'UpdateTrail',
      'PutEventSelectors',
      'StartLogging',
    ]);
    expect(account.writes()).toEqual([]);
  });

  it('refuses to act for another account, calling nothing but GetCallerIdentity', async () => {
    setUp([brokenTrail()]);

    const error = await run({ accountId: '444455556666' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AccountMismatchError);
    expect((error as Error).message).toContain('444455556666');
    expect(account.requests.map((r) => r.operation)).toEqual(['GetCallerIdentity']);
  });

  it('refuses a KmsKeyId other than the key the deployment was set up with, calling nothing but GetCallerIdentity', async () => {
    setUp([brokenTrail()]);
    const deployed = { ...account.dependencies(), configuredKmsKeyId: KEY_ARN };

    const error = await remediate(
      { dryRun: false, kmsKeyId: 'alias/someone-elses-key' },
      deployed,
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidRemediationInputError);
    expect((error as Error).message).toBe(
      `KmsKeyId alias/someone-elses-key is not the key this deployment was set up with (${KEY_ARN}). Nothing was changed. Leave KmsKeyId empty or give that key, or deploy with -c kmsKeyId=alias/someone-elses-key to use another.`,
    );
    expect(account.requests.map((r) => r.operation)).toEqual(['GetCallerIdentity']);
  });

  it('changes only what fails on a trail with KMS, validation, SNS, CloudWatch Logs and insights on', async () => {
    const protectedTrail = brokenTrail();
    Object.assign(protectedTrail.trail, {
      KmsKeyId: KEY_ARN,
      LogFileValidationEnabled: true,
      SnsTopicName: `arn:aws:sns:us-east-1:${ACCOUNT}:trail-topic`,
      SnsTopicARN: `arn:aws:sns:us-east-1:${ACCOUNT}:trail-topic`,
      CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:trail:*`,
      CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/trail-to-logs`,
      HasInsightSelectors: true,
    });
    const before = { ...protectedTrail.trail };
    setUp([protectedTrail]);

    await run();

    const updates = account.writes().filter((w) => w.operation === 'UpdateTrail');
    expect(updates.map((u) => Object.keys(u.input).sort())).toEqual([
      ['IncludeGlobalServiceEvents', 'IsMultiRegionTrail', 'Name'],
    ]);
    expect(account.state.trails[0]?.trail).toEqual({
      ...before,
      IsMultiRegionTrail: true,
      HasCustomEventSelectors: true,
    });
  });
});
