import type { Action } from '../../../remediation/actions';
import {
  ABORT_INCOMPLETE_UPLOADS,
  type BucketWanted,
  expiryRule,
  planBucket,
} from '../../../remediation/bucket-plan';
import type { OwnBucketFacts } from '../../../remediation/facts';
import { CREATED_BY_TAG } from '../../../remediation/input';
import {
  bucketPolicyStatements,
  denyInsecureTransport,
  type PolicyDocument,
  type PolicyStatement,
} from '../../../remediation/policies';
import { ACCOUNT } from '../../support/fixtures';
import { applyToModel, modelBucket, targetBucket } from './bucket-model';
import {
  ACCESS_LOG_BUCKET,
  ALL_BLOCKED,
  absent,
  hardenedBucket,
  KEY_ARN,
  LOG_BUCKET,
  legacyBucket,
  ownBucket,
} from './facts-fixtures';

const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/multi-region-management-events`;
/** What the log bucket's policy must hold: CloudTrail's two statements and the TLS-only one. */
const STATEMENTS = bucketPolicyStatements({
  bucketName: LOG_BUCKET,
  accountId: ACCOUNT,
  trailArn: TRAIL_ARN,
  region: 'us-east-1',
});
const S3 = { Bucket: LOG_BUCKET, ExpectedBucketOwner: ACCOUNT };

function wanted(overrides: Partial<BucketWanted> = {}): BucketWanted {
  return {
    name: LOG_BUCKET,
    region: 'us-east-1',
    accountId: ACCOUNT,
    statements: STATEMENTS,
    accessLogTarget: ACCESS_LOG_BUCKET,
    tags: {},
    role: 'log bucket',
    ...overrides,
  };
}

function calls(actions: readonly Action[]): string[] {
  return actions.map((a) => a.operation);
}

function input(actions: readonly Action[], operation: Action['operation']): unknown {
  return actions.find((a) => a.operation === operation)?.input;
}

function policyOf(actions: readonly Action[]): PolicyDocument {
  const put = actions.find((a) => a.operation === 'PutBucketPolicy');
  if (put?.operation !== 'PutBucketPolicy') throw new Error('no PutBucketPolicy planned');
  return JSON.parse(put.input.Policy ?? '{}') as PolicyDocument;
}

describe('log bucket hardening', () => {
  describe('a new log bucket', () => {
    const { actions, after } = planBucket(
      absent(LOG_BUCKET),
      wanted({ tags: { team: 'security' } }),
    );

    it('gets every hardening step, in order, each in the bucket’s Region', () => {
      expect(calls(actions)).toEqual([
        'CreateBucket',
        'PutPublicAccessBlock',
        'PutBucketEncryption',
        'PutBucketVersioning',
        'PutBucketLifecycleConfiguration',
        'PutBucketTagging',
        'PutBucketPolicy',
        'PutBucketLogging',
      ]);
      expect(new Set(actions.map((a) => a.region))).toEqual(new Set(['us-east-1']));
    });

    it('is created with ACLs disabled (S3.12), no location constraint in us-east-1', () => {
      expect(input(actions, 'CreateBucket')).toEqual({
        Bucket: LOG_BUCKET,
        ObjectOwnership: 'BucketOwnerEnforced',
      });
    });

    it('names this account as the expected owner on every write after CreateBucket', () => {
      for (const action of actions.slice(1)) expect(action.input).toMatchObject(S3);
    });

    it('gets all four Block Public Access settings (S3.8)', () => {
      expect(input(actions, 'PutPublicAccessBlock')).toEqual({
        ...S3,
        PublicAccessBlockConfiguration: ALL_BLOCKED,
      });
    });

    it('is encrypted with SSE-S3 by default when no key is given', () => {
      expect(input(actions, 'PutBucketEncryption')).toEqual({
        ...S3,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
    });

    it('is versioned (S3.14)', () => {
      expect(input(actions, 'PutBucketVersioning')).toEqual({
        ...S3,
        VersioningConfiguration: { Status: 'Enabled' },
      });
    });

    it('aborts incomplete uploads and expires nothing without logRetentionDays (S3.13)', () => {
      expect(input(actions, 'PutBucketLifecycleConfiguration')).toEqual({
        ...S3,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'abort-incomplete-multipart-uploads',
              Status: 'Enabled',
              Filter: { Prefix: '' },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            },
          ],
        },
      });
    });

    it('is tagged created-by, beside the organization’s tags', () => {
      expect(input(actions, 'PutBucketTagging')).toEqual({
        ...S3,
        Tagging: {
          TagSet: [
            { Key: CREATED_BY_TAG.key, Value: CREATED_BY_TAG.value },
            { Key: 'team', Value: 'security' },
          ],
        },
      });
    });

    it('lets CloudTrail deliver and denies every request without TLS (S3.5)', () => {
      expect(policyOf(actions)).toEqual({ Version: '2012-10-17', Statement: STATEMENTS });
      expect(policyOf(actions).Statement).toContainEqual(
        denyInsecureTransport(`arn:aws:s3:::${LOG_BUCKET}`),
      );
    });

    it('sends its server access logs to the access-log bucket, under its own name (S3.9, CloudTrail.7)', () => {
      expect(input(actions, 'PutBucketLogging')).toEqual({
        ...S3,
        BucketLoggingStatus: {
          LoggingEnabled: { TargetBucket: ACCESS_LOG_BUCKET, TargetPrefix: `${LOG_BUCKET}/` },
        },
      });
    });

    it('ends with the settings the steps set, as S3 leaves them and the remediation reads them back', async () => {
      const { facts } = await applyToModel([targetBucket(ACCESS_LOG_BUCKET)], actions, LOG_BUCKET);

      expect(after).toEqual(facts);
      expect(after).toMatchObject({
        publicAccessBlock: ALL_BLOCKED,
        encryption: { algorithm: 'AES256', bucketKey: false },
        versioning: 'Enabled',
        lifecycleRules: [ABORT_INCOMPLETE_UPLOADS],
        tags: { [CREATED_BY_TAG.key]: CREATED_BY_TAG.value, team: 'security' },
        policy: { Statement: STATEMENTS },
        logging: { targetBucket: ACCESS_LOG_BUCKET, targetPrefix: `${LOG_BUCKET}/` },
        objectLock: { enabled: false },
        objectOwnership: 'BucketOwnerEnforced',
      });
    });
  });

  it('creates a bucket outside us-east-1 with its location constraint, every step in its Region', () => {
    const { actions } = planBucket(absent(LOG_BUCKET), wanted({ region: 'eu-west-1' }));

    expect(input(actions, 'CreateBucket')).toEqual({
      Bucket: LOG_BUCKET,
      ObjectOwnership: 'BucketOwnerEnforced',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    });
    expect(new Set(actions.map((a) => a.region))).toEqual(new Set(['eu-west-1']));
  });

  it('encrypts with SSE-KMS and an S3 Bucket Key when a key is given (S3.17)', async () => {
    const { actions, after } = planBucket(absent(LOG_BUCKET), wanted({ kmsKeyArn: KEY_ARN }));

    expect(input(actions, 'PutBucketEncryption')).toEqual({
      ...S3,
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: KEY_ARN,
            },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
    expect(after.encryption).toEqual({ algorithm: 'aws:kms', kmsKeyId: KEY_ARN, bucketKey: true });
    const { facts } = await applyToModel([targetBucket(ACCESS_LOG_BUCKET)], actions, LOG_BUCKET);
    expect(after).toEqual(facts);
  });

  it('expires log files and their older versions after logRetentionDays, beside the upload rule', () => {
    const { actions } = planBucket(absent(LOG_BUCKET), wanted({ retentionDays: 2557 }));

    expect(input(actions, 'PutBucketLifecycleConfiguration')).toEqual({
      ...S3,
      LifecycleConfiguration: {
        Rules: [
          ABORT_INCOMPLETE_UPLOADS,
          {
            ID: 'expire-log-files',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            Expiration: { Days: 2557 },
            NoncurrentVersionExpiration: { NoncurrentDays: 2557 },
          },
        ],
      },
    });
  });

  describe('with objectLockDays', () => {
    const { actions, after } = planBucket(absent(LOG_BUCKET), wanted({ objectLockDays: 365 }));

    it('creates the bucket with Object Lock, which turns versioning on with it', () => {
      expect(input(actions, 'CreateBucket')).toEqual({
        Bucket: LOG_BUCKET,
        ObjectOwnership: 'BucketOwnerEnforced',
        ObjectLockEnabledForBucket: true,
      });
      expect(calls(actions)).not.toContain('PutBucketVersioning');
    });

    it('keeps every log file for that many days by default, in GOVERNANCE mode (S3.15)', () => {
      expect(input(actions, 'PutObjectLockConfiguration')).toEqual({
        ...S3,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
        },
      });
    });

    it('ends with the settings the steps set, as S3 leaves them', async () => {
      const { facts } = await applyToModel([targetBucket(ACCESS_LOG_BUCKET)], actions, LOG_BUCKET);

      expect(after).toEqual(facts);
      expect(after).toMatchObject({
        versioning: 'Enabled',
        objectLock: { enabled: true, mode: 'GOVERNANCE', days: 365 },
      });
    });
  });

  it('sends no server access logs anywhere when there is no access-log target', () => {
    const { actions, after } = planBucket(
      absent(ACCESS_LOG_BUCKET),
      wanted({ name: ACCESS_LOG_BUCKET, accessLogTarget: undefined }),
    );

    expect(calls(actions)).not.toContain('PutBucketLogging');
    expect(after.logging).toBeUndefined();
  });

  describe('an existing bucket of this account', () => {
    const existingStatement: PolicyStatement = {
      Sid: 'AllowAnalyticsRead',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/analytics` },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${LOG_BUCKET}/reports/*`,
    };
    const archive = {
      ID: 'archive',
      Status: 'Enabled' as const,
      Filter: { Prefix: 'reports/' },
      Transitions: [{ Days: 90, StorageClass: 'GLACIER' as const }],
    };
    const existing = legacyBucket(LOG_BUCKET, {
      policy: { Version: '2012-10-17', Statement: [existingStatement] },
      lifecycleRules: [archive],
      tags: { team: 'platform', env: 'prod' },
    });

    it('keeps its tags, adding only the keys it lacks and no created-by tag', () => {
      const { actions, after } = planBucket(
        existing,
        wanted({ tags: { team: 'security', 'cost-center': '1234' } }),
      );

      expect(input(actions, 'PutBucketTagging')).toEqual({
        ...S3,
        Tagging: {
          TagSet: [
            { Key: 'team', Value: 'platform' },
            { Key: 'env', Value: 'prod' },
            { Key: 'cost-center', Value: '1234' },
          ],
        },
      });
      expect(after.tags).toEqual({ team: 'platform', env: 'prod', 'cost-center': '1234' });
    });

    it('leaves the tags alone of a bucket with aws: tags, which S3 refuses in a request that would have to keep them', () => {
      const stack = legacyBucket(LOG_BUCKET, {
        tags: { 'aws:cloudformation:stack-name': 'logging', team: 'platform' },
      });

      const { actions, after } = planBucket(stack, wanted({ tags: { 'cost-center': '1234' } }));

      expect(calls(actions)).not.toContain('PutBucketTagging');
      expect(after.tags).toEqual(stack.tags);
    });

    it('keeps its lifecycle rules first, adding the expiry it lacks', () => {
      const { actions } = planBucket(existing, wanted({ retentionDays: 400 }));

      expect(input(actions, 'PutBucketLifecycleConfiguration')).toEqual({
        ...S3,
        LifecycleConfiguration: { Rules: [archive, expiryRule(400)] },
      });
    });

    it('adds no lifecycle rule beside an enabled one when no retention is asked', () => {
      expect(calls(planBucket(existing, wanted()).actions)).not.toContain(
        'PutBucketLifecycleConfiguration',
      );
    });

    it('keeps its policy statements first, adding the ones it lacks', () => {
      const policy = policyOf(planBucket(existing, wanted()).actions);

      expect(policy.Statement).toEqual([existingStatement, ...STATEMENTS]);
    });

    it('is hardened where it lacks a setting, and its existing server access logs are kept', () => {
      const logging = { targetBucket: 'central-access-logs', targetPrefix: 'logs/' };

      const { actions, after } = planBucket({ ...existing, logging }, wanted());

      expect(calls(actions)).toEqual([
        'PutPublicAccessBlock',
        'PutBucketEncryption',
        'PutBucketVersioning',
        'PutBucketPolicy',
      ]);
      expect(after.logging).toEqual(logging);
    });

    it('ends with the settings the steps set, as S3 leaves them', async () => {
      const { actions, after } = planBucket(
        existing,
        wanted({ tags: { team: 'security', owner: 'secops' }, retentionDays: 400 }),
      );

      const { facts } = await applyToModel(
        [modelBucket(existing), targetBucket(ACCESS_LOG_BUCKET)],
        actions,
        LOG_BUCKET,
      );

      expect(after).toEqual(facts);
    });
  });

  describe('never replaces what an existing bucket has', () => {
    it('keeps an existing SSE-KMS key: the bucket already passes S3.17, and its readers may not hold the trail’s key', () => {
      const otherKey = `arn:aws:kms:us-east-1:${ACCOUNT}:key/9a8b7c6d-0000-1111-2222-333344445555`;
      const encrypted = hardenedBucket(LOG_BUCKET, {
        encryption: { algorithm: 'aws:kms', kmsKeyId: otherKey, bucketKey: false },
      });

      const { actions, after } = planBucket(encrypted, wanted({ kmsKeyArn: KEY_ARN }));

      expect(calls(actions)).not.toContain('PutBucketEncryption');
      expect(after.encryption).toEqual(encrypted.encryption);
    });

    it('never turns Object Lock on for an existing bucket, which cannot be undone: objectLockDays is for a new log bucket', () => {
      const { actions, after } = planBucket(
        hardenedBucket(LOG_BUCKET),
        wanted({ objectLockDays: 365 }),
      );

      expect(calls(actions)).not.toContain('PutObjectLockConfiguration');
      expect(after.objectLock).toEqual({ enabled: false });
    });

    it('gives the default retention to a bucket created with Object Lock by a run that stopped before setting it', () => {
      const created = hardenedBucket(LOG_BUCKET, { objectLock: { enabled: true } });

      const { actions } = planBucket(created, wanted({ objectLockDays: 365 }));

      expect(calls(actions)).toEqual(['PutObjectLockConfiguration', 'PutBucketPolicy']);
    });

    it('keeps a default retention given in years', () => {
      const locked = hardenedBucket(LOG_BUCKET, {
        objectLock: { enabled: true, mode: 'COMPLIANCE', years: 7 },
      });

      const { actions } = planBucket(locked, wanted({ objectLockDays: 30 }));

      expect(calls(actions)).not.toContain('PutObjectLockConfiguration');
    });

    it('gives a new lifecycle rule an ID no existing rule has', () => {
      const rules = [
        {
          ID: 'expire-log-files',
          Status: 'Enabled' as const,
          Filter: { Prefix: 'a/' },
          Transitions: [{ Days: 90, StorageClass: 'GLACIER' as const }],
        },
        {
          ID: 'expire-log-files-3',
          Status: 'Enabled' as const,
          Filter: { Prefix: 'b/' },
          Transitions: [{ Days: 90, StorageClass: 'GLACIER' as const }],
        },
      ];

      const { after } = planBucket(
        hardenedBucket(LOG_BUCKET, { lifecycleRules: rules }),
        wanted({ retentionDays: 400 }),
      );

      const ids = after.lifecycleRules.map((r) => r.ID);
      expect(ids).toHaveLength(3);
      expect(new Set(ids).size).toBe(3);
    });

    it('keeps the lifecycle configuration’s minimum object size for transitions', async () => {
      const bucket = modelBucket(legacyBucket(LOG_BUCKET, { versioning: 'Enabled' }));
      const archive = {
        ID: 'archive',
        Status: 'Enabled' as const,
        Filter: { Prefix: '' },
        Transitions: [{ Days: 30, StorageClass: 'GLACIER_IR' as const }],
      };
      bucket.lifecycle = {
        Rules: [archive],
        TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
      };
      const read = await applyToModel([bucket], [], LOG_BUCKET);

      const { actions } = planBucket(
        read.facts,
        wanted({ retentionDays: 400, accessLogTarget: undefined }),
      );
      const { account } = await applyToModel([bucket], actions, LOG_BUCKET);

      expect(calls(actions)).toContain('PutBucketLifecycleConfiguration');
      expect(account.bucket(LOG_BUCKET)?.lifecycle?.TransitionDefaultMinimumObjectSize).toBe(
        'varies_by_storage_class',
      );
    });

    it('adds the upload rule, so S3.13 passes, to a bucket whose lifecycle rules are all disabled', () => {
      const disabled = {
        ID: 'old-expiry',
        Status: 'Disabled' as const,
        Filter: { Prefix: '' },
        Expiration: { Days: 30 },
      };

      const { actions } = planBucket(
        hardenedBucket(LOG_BUCKET, { lifecycleRules: [disabled] }),
        wanted({ retentionDays: 400 }),
      );

      expect(input(actions, 'PutBucketLifecycleConfiguration')).toEqual({
        ...S3,
        LifecycleConfiguration: {
          Rules: [disabled, ABORT_INCOMPLETE_UPLOADS, expiryRule(400)],
        },
      });
    });
  });

  it('plans no step for a bucket that already has everything', () => {
    const complete = hardenedBucket(LOG_BUCKET, {
      policy: { Version: '2012-10-17', Statement: STATEMENTS },
      encryption: { algorithm: 'aws:kms', kmsKeyId: KEY_ARN, bucketKey: true },
      lifecycleRules: [ABORT_INCOMPLETE_UPLOADS, expiryRule(2557)],
      objectLock: { enabled: true, mode: 'GOVERNANCE', days: 365 },
      tags: { team: 'security' },
    });

    const { actions, after } = planBucket(
      complete,
      wanted({
        kmsKeyArn: KEY_ARN,
        objectLockDays: 365,
        retentionDays: 2557,
        tags: { team: 'security' },
      }),
    );

    expect(actions).toEqual([]);
    expect(after).toEqual(complete);
  });

  it('plans nothing again from the settings its steps leave', () => {
    const everything = wanted({
      kmsKeyArn: KEY_ARN,
      objectLockDays: 30,
      retentionDays: 400,
      tags: { team: 'security' },
    });
    const first = planBucket(absent(LOG_BUCKET), everything);

    expect(planBucket(first.after, everything).actions).toEqual([]);
  });

  it('leaves the facts it was given as they were', () => {
    const before: OwnBucketFacts = ownBucket(LOG_BUCKET, { tags: { team: 'platform' } });
    const copy = structuredClone(before);

    planBucket(before, wanted({ tags: { env: 'prod' }, retentionDays: 30 }));

    expect(before).toEqual(copy);
  });
});
