import { InvalidRemediationInputError } from '../../../remediation/errors';
import {
  callerBucketSuffix,
  defaultAccessLogBucketName,
  defaultBucketName,
  type RemediationInput,
} from '../../../remediation/input';
import { type RemediationDependencies, remediate } from '../../../remediation/remediate';
import {
  type AccountBucket,
  type AccountKey,
  type AccountTrail,
  STOPPED,
} from '../../support/aws-account/model';
import { type MockedAccount, mockAccount } from '../../support/aws-account/serve-sdk-mock';
import { ACCOUNT, DEFAULT_KEY_POLICY, trail } from '../../support/fixtures';
import { KEY_ID, LOG_ARCHIVE, STRANGER, SUFFIX } from './facts-fixtures';

/*
 * One run against the account model: the Security Hub forecast of a dry
 * run is what a fresh read finds once the plan is applied, and the
 * deployment's settings bound what a request may ask.
 */

/** The role the account model's GetCallerIdentity answers with (its unique ID). */
const CALLER_ROLE_ID = 'AROAEXAMPLEROLEID0001';
const KEY: AccountKey = {
  keyId: KEY_ID,
  region: 'us-east-1',
  owner: ACCOUNT,
  aliases: ['alias/cloudtrail'],
  policy: DEFAULT_KEY_POLICY,
  rotationEnabled: true,
};
const CLOUDWATCH_LOGS = {
  cloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:cloudtrail`,
  cloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/cloudtrail-to-cloudwatch-logs`,
};

let account: MockedAccount | undefined;
afterEach(() => account?.restore());

function setUp(
  arrange: { trails?: AccountTrail[]; buckets?: AccountBucket[]; keys?: AccountKey[] } = {},
): MockedAccount {
  account = mockAccount({
    accountId: ACCOUNT,
    trails: arrange.trails ?? [],
    buckets: arrange.buckets ?? [],
    keys: arrange.keys ?? [KEY],
  });
  return account;
}

function run(
  mocked: MockedAccount,
  input: Partial<RemediationInput>,
  deps: Partial<RemediationDependencies> = {},
) {
  return remediate(
    { dryRun: false, ...input },
    { ...mocked.dependencies(), bucketSuffix: SUFFIX, ...deps },
  );
}

describe('Security Hub forecast', () => {
  describe('after applying, read back', () => {
    it.each<[string, Partial<RemediationInput>]>([
      ['by default', {}],
      [
        'with every option',
        {
          kmsKeyId: 'alias/cloudtrail',
          objectLockDays: 365,
          logRetentionDays: 2557,
          tags: { team: 'security' },
          ...CLOUDWATCH_LOGS,
        },
      ],
    ])('equals the dry run’s forecast for an account with no trail, %s', async (_, input) => {
      const mocked = setUp();

      const dryRun = await run(mocked, { ...input, dryRun: true });
      const applied = await run(mocked, input);

      expect(mocked.writes().length).toBe(applied.actions.length);
      expect(applied.compliantAfter).toBe(true);
      expect(applied.securityHubControls).toEqual(dryRun.securityHubControls);
      expect(applied.resources).toEqual(dryRun.resources);
      expect(applied.securityHubControls.length).toBeGreaterThan(0);
    });

    it('equals the dry run’s forecast for a hardened repair of a trail and its own bucket', async () => {
      const broken: AccountTrail = {
        trail: trail({ IsMultiRegionTrail: false, LogFileValidationEnabled: false }),
        status: STOPPED,
        eventSelectors: {
          EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }],
        },
      };
      const mocked = setUp({
        trails: [broken],
        // A bucket from before 2023: no Block Public Access, no policy.
        buckets: [{ name: broken.trail.S3BucketName ?? '', owner: ACCOUNT, region: 'us-east-1' }],
      });
      const input = {
        hardenRepairedTrail: true,
        kmsKeyId: 'alias/cloudtrail',
        tags: { team: 'security' },
        ...CLOUDWATCH_LOGS,
      };

      const dryRun = await run(mocked, { ...input, dryRun: true });
      const applied = await run(mocked, input);

      expect(applied.securityHubControls).toEqual(dryRun.securityHubControls);
      expect(
        applied.securityHubControls.filter((c) => c.status !== 'PASSED').map((c) => c.controlId),
      ).toEqual([
        // The repair sets neither server access logs, Object Lock, SSE-KMS on the bucket, nor a
        // lifecycle rule; S3.12 needs ACLs disabled, a person's decision.
        'CloudTrail.7',
        'S3.9',
        'S3.12',
        'S3.13',
        'S3.14',
        'S3.15',
        'S3.17',
        'S3.20',
      ]);
    });
  });

  describe('trusted log accounts', () => {
    it('refuses one the deployment was not set up with, calling nothing but GetCallerIdentity', async () => {
      const mocked = setUp();

      const error = await run(
        mocked,
        { trustedLogAccountIds: [LOG_ARCHIVE, STRANGER] },
        { configuredTrustedLogAccountIds: [LOG_ARCHIVE] },
      ).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvalidRemediationInputError);
      expect((error as Error).message).toBe(
        `TrustedLogAccountIds ${STRANGER} is not among the trusted log accounts this deployment was set up with (${LOG_ARCHIVE}). Nothing was changed. Leave TrustedLogAccountIds empty or give only those, or deploy with -c trustedLogAccountIds=... to trust another.`,
      );
      expect(mocked.requests.map((r) => r.operation)).toEqual(['GetCallerIdentity']);
    });

    it('refuses any when the deployment trusts none', async () => {
      const mocked = setUp();

      await expect(
        run(
          mocked,
          { trustedLogAccountIds: [LOG_ARCHIVE] },
          { configuredTrustedLogAccountIds: [] },
        ),
      ).rejects.toThrow(
        /not among the trusted log accounts this deployment was set up with \(none\)/,
      );
      expect(mocked.writes()).toEqual([]);
    });

    it('accepts those the deployment trusts, and any on the command line, which has no deployment', async () => {
      const mocked = setUp();

      await expect(
        run(
          mocked,
          { trustedLogAccountIds: [LOG_ARCHIVE], dryRun: true },
          { configuredTrustedLogAccountIds: [LOG_ARCHIVE] },
        ),
      ).resolves.toMatchObject({ compliantAfter: null });
      await expect(
        run(mocked, { trustedLogAccountIds: [STRANGER], dryRun: true }),
      ).resolves.toMatchObject({ compliantAfter: null });
    });
  });

  describe('default bucket names', () => {
    function createdBuckets(mocked: MockedAccount): string[] {
      return mocked
        .writes()
        .filter((w) => w.operation === 'CreateBucket')
        .map((w) => String(w.input.Bucket));
    }

    it('end in the deployment’s suffix', async () => {
      const mocked = setUp();

      await run(mocked, {}, { bucketSuffix: '0badc0de' });

      expect(createdBuckets(mocked)).toEqual([
        defaultAccessLogBucketName(ACCOUNT, 'us-east-1', '0badc0de'),
        defaultBucketName(ACCOUNT, 'us-east-1', '0badc0de'),
      ]);
      expect(createdBuckets(mocked)).toEqual([
        `cloudtrail-access-logs-${ACCOUNT}-us-east-1-0badc0de`,
        `cloudtrail-logs-${ACCOUNT}-us-east-1-0badc0de`,
      ]);
    });

    it('end, without a deployment, in a hash of the account and the caller’s unique ID', async () => {
      const mocked = setUp();
      const suffix = callerBucketSuffix(ACCOUNT, CALLER_ROLE_ID);

      await remediate({ dryRun: false }, mocked.dependencies());

      expect(suffix).toMatch(/^[0-9a-f]{8}$/);
      expect(createdBuckets(mocked)).toEqual([
        defaultAccessLogBucketName(ACCOUNT, 'us-east-1', suffix),
        defaultBucketName(ACCOUNT, 'us-east-1', suffix),
      ]);
    });

    it('differ for another caller or account, and stay the same for the same caller', () => {
      const suffix = callerBucketSuffix(ACCOUNT, CALLER_ROLE_ID);

      expect(callerBucketSuffix(ACCOUNT, CALLER_ROLE_ID)).toBe(suffix);
      expect(callerBucketSuffix(ACCOUNT, 'AROAOTHERROLEID00002')).not.toBe(suffix);
      expect(callerBucketSuffix(STRANGER, CALLER_ROLE_ID)).not.toBe(suffix);
    });

    it('refuses a suffix that is not 8 lower-case hexadecimal digits, calling nothing but GetCallerIdentity', async () => {
      const mocked = setUp();

      await expect(run(mocked, {}, { bucketSuffix: 'NOT-HEX!' })).rejects.toThrow(
        InvalidRemediationInputError,
      );
      expect(mocked.requests.map((r) => r.operation)).toEqual(['GetCallerIdentity']);
    });
  });

  it('refuses an access-log bucket that does not exist before any change', async () => {
    const mocked = setUp();

    await expect(run(mocked, { accessLogBucketName: 'no-such-access-logs' })).rejects.toThrow(
      /The access-log bucket "no-such-access-logs" does not exist\. Nothing was changed\./,
    );
    expect(mocked.writes()).toEqual([]);
  });

  it('refuses an access-log bucket of another account before any change', async () => {
    const mocked = setUp({
      buckets: [{ name: 'their-access-logs', owner: STRANGER, region: 'us-east-1' }],
    });

    await expect(run(mocked, { accessLogBucketName: 'their-access-logs' })).rejects.toThrow(
      /is not a bucket of account 111122223333/,
    );
    expect(mocked.writes()).toEqual([]);
  });
});
