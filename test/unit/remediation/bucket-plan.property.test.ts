import type { LifecycleRule } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import type { Action } from '../../../remediation/actions';
import { type BucketWanted, planBucket } from '../../../remediation/bucket-plan';
import type { OwnBucketFacts } from '../../../remediation/facts';
import {
  bucketPolicyStatements,
  type PolicyDocument,
  type PolicyStatement,
} from '../../../remediation/policies';
import { ACCOUNT } from '../../support/fixtures';
import { ACCESS_LOG_BUCKET, KEY_ARN, LOG_BUCKET } from './facts-fixtures';

/*
 * Whatever an existing bucket of this account looks like, the hardening
 * only adds: no tag, lifecycle rule or policy statement it has is removed
 * or changed, and planning again from the settings the steps leave finds
 * nothing left to do (docs/security-hub.md; remediation/bucket-plan.ts).
 */

const NUM_RUNS = 500;
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/multi-region-management-events`;
const BUCKET_ARN = `arn:aws:s3:::${LOG_BUCKET}`;
const OURS = bucketPolicyStatements({
  bucketName: LOG_BUCKET,
  accountId: ACCOUNT,
  trailArn: TRAIL_ARN,
  region: 'us-east-1',
});

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

// Small pools, so that keys, IDs and Sids collide with the ones the plan adds.
const TAG_KEYS = ['team', 'env', 'created-by', 'cost-center', 'owner'];
const TAG_VALUES = ['', 'security', 'platform', 'cloudtrail-multi-region-rule'];
const RULE_IDS = [
  'abort-incomplete-multipart-uploads',
  'expire-log-files',
  'expire-log-files-2',
  'expire-log-files-3',
  'archive',
];

const tags = fc.dictionary(fc.constantFrom(...TAG_KEYS), fc.constantFrom(...TAG_VALUES), {
  maxKeys: 4,
});

const lifecycleRule = (id: string): fc.Arbitrary<LifecycleRule> =>
  fc
    .record({
      ID: fc.constant(id),
      Status: fc.constantFrom('Enabled' as const, 'Disabled' as const),
      Filter: fc.constantFrom({ Prefix: '' }, { Prefix: 'AWSLogs/' }),
      action: fc.constantFrom<Partial<LifecycleRule>>(
        { Expiration: { Days: 400 } },
        { Transitions: [{ Days: 90, StorageClass: 'GLACIER' }] },
        { AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 } },
      ),
    })
    .map(({ action, ...rule }) => ({ ...rule, ...action }));

const lifecycleRules = fc
  .uniqueArray(fc.constantFrom(...RULE_IDS), { maxLength: 4 })
  .chain((ids) => fc.tuple(...ids.map(lifecycleRule)));

const unrelated: PolicyStatement[] = [
  {
    Sid: 'AWSCloudTrailWrite',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/exporter` },
    Action: 's3:PutObject',
    Resource: `${BUCKET_ARN}/exports/*`,
  },
  {
    Sid: 'AllowAnalyticsRead',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/analytics` },
    Action: ['s3:GetObject'],
    Resource: `${BUCKET_ARN}/reports/*`,
  },
  {
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:DeleteObject',
    Resource: `${BUCKET_ARN}/*`,
  },
];

const policy: fc.Arbitrary<PolicyDocument | undefined> = optional(
  fc
    .subarray([...unrelated, ...OURS.map((s, i) => ({ ...s, Sid: `Existing${i}` }))])
    .chain((statements) => fc.shuffledSubarray(statements, { minLength: statements.length }))
    .map((Statement) => ({ Version: '2012-10-17', Statement })),
);

const ownBucketFacts: fc.Arbitrary<OwnBucketFacts> = fc
  .record({
    name: fc.constant(LOG_BUCKET),
    status: fc.constant('ours' as const),
    region: fc.constant('us-east-1'),
    policy,
    publicAccessBlock: optional(
      fc.record({
        BlockPublicAcls: fc.boolean(),
        IgnorePublicAcls: fc.boolean(),
        BlockPublicPolicy: fc.boolean(),
        RestrictPublicBuckets: fc.boolean(),
      }),
    ),
    encrypted: fc.constant(false),
    encryption: fc.constantFrom(
      undefined,
      { algorithm: 'AES256', bucketKey: false },
      { algorithm: 'aws:kms', kmsKeyId: KEY_ARN, bucketKey: true },
      {
        algorithm: 'aws:kms',
        kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/another`,
        bucketKey: false,
      },
    ),
    versioning: fc.constantFrom(undefined, 'Enabled' as const, 'Suspended' as const),
    mfaDelete: fc.boolean(),
    lifecycleRules,
    transitionDefaultMinimumObjectSize: fc.constantFrom(
      undefined,
      'all_storage_classes_128K' as const,
      'varies_by_storage_class' as const,
    ),
    logging: optional(
      fc.record({
        targetBucket: fc.constantFrom(ACCESS_LOG_BUCKET, 'central-access-logs'),
        targetPrefix: fc.constantFrom('', `${LOG_BUCKET}/`),
      }),
    ),
    tags,
    objectLock: fc.constantFrom(
      { enabled: false },
      { enabled: true },
      { enabled: true, mode: 'GOVERNANCE', days: 30 },
      { enabled: true, mode: 'COMPLIANCE', years: 1 },
    ),
    objectOwnership: fc.constantFrom(undefined, 'BucketOwnerEnforced', 'ObjectWriter'),
    outsideAclGrants: fc.constant<string[]>([]),
  })
  // As facts.ts reads it: a bucket is encrypted by default exactly when it has a default encryption.
  .map((facts) => ({ ...facts, encrypted: facts.encryption !== undefined }));

const bucketWanted: fc.Arbitrary<BucketWanted> = fc.record({
  name: fc.constant(LOG_BUCKET),
  region: fc.constant('us-east-1'),
  accountId: fc.constant(ACCOUNT),
  statements: fc.constant(OURS),
  kmsKeyArn: optional(fc.constant(KEY_ARN)),
  objectLockDays: optional(fc.integer({ min: 1, max: 36_500 })),
  retentionDays: optional(fc.integer({ min: 1, max: 36_500 })),
  accessLogTarget: optional(fc.constant(ACCESS_LOG_BUCKET)),
  tags,
  role: fc.constant('log bucket'),
});

function put<O extends Action['operation']>(
  actions: readonly Action[],
  operation: O,
): Extract<Action, { operation: O }> | undefined {
  return actions.find((a): a is Extract<Action, { operation: O }> => a.operation === operation);
}

describe('log bucket hardening, for any existing bucket of this account', () => {
  it('never removes or changes a tag', () => {
    fc.assert(
      fc.property(ownBucketFacts, bucketWanted, (before, wanted) => {
        const { actions, after } = planBucket(before, wanted);

        expect(after.tags).toEqual({ ...after.tags, ...before.tags });
        const tagging = put(actions, 'PutBucketTagging');
        if (tagging !== undefined) {
          expect(tagging.input.Tagging?.TagSet).toEqual(
            Object.entries(after.tags).map(([Key, Value]) => ({ Key, Value })),
          );
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('never removes or changes a lifecycle rule, and gives each added rule an ID of its own', () => {
    fc.assert(
      fc.property(ownBucketFacts, bucketWanted, (before, wanted) => {
        const { actions, after } = planBucket(before, wanted);

        expect(after.lifecycleRules.slice(0, before.lifecycleRules.length)).toEqual(
          before.lifecycleRules,
        );
        const ids = after.lifecycleRules.map((r) => r.ID);
        expect(new Set(ids).size).toBe(ids.length);
        const lifecycle = put(actions, 'PutBucketLifecycleConfiguration');
        if (lifecycle !== undefined) {
          expect(lifecycle.input.LifecycleConfiguration?.Rules).toEqual(after.lifecycleRules);
          expect(lifecycle.input.TransitionDefaultMinimumObjectSize).toBe(
            before.transitionDefaultMinimumObjectSize,
          );
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('never removes or changes a policy statement', () => {
    fc.assert(
      fc.property(ownBucketFacts, bucketWanted, (before, wanted) => {
        const { actions, after } = planBucket(before, wanted);

        const kept = before.policy?.Statement ?? [];
        expect(after.policy?.Statement.slice(0, kept.length)).toEqual(kept);
        const policy = put(actions, 'PutBucketPolicy');
        if (policy !== undefined) {
          expect(JSON.parse(policy.input.Policy ?? '{}')).toEqual(after.policy);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('keeps server access logs, an SSE-KMS key and an Object Lock retention it finds', () => {
    fc.assert(
      fc.property(ownBucketFacts, bucketWanted, (before, wanted) => {
        const { after } = planBucket(before, wanted);

        if (before.logging !== undefined) expect(after.logging).toEqual(before.logging);
        if (before.encryption?.algorithm === 'aws:kms') {
          expect(after.encryption).toEqual(before.encryption);
        }
        if (!before.objectLock.enabled) expect(after.objectLock).toEqual({ enabled: false });
        if (before.objectLock.days !== undefined || before.objectLock.years !== undefined) {
          expect(after.objectLock).toEqual(before.objectLock);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('plans no step when planned again from the settings its steps leave', () => {
    fc.assert(
      fc.property(ownBucketFacts, bucketWanted, (before, wanted) => {
        const { after } = planBucket(before, wanted);

        expect(planBucket(after, wanted).actions).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
