import type { LifecycleRule } from '@aws-sdk/client-s3';
import type { Action } from './actions';
import type { BucketFacts, OwnBucketFacts } from './facts';
import { CREATED_BY_TAG } from './input';
import {
  denyInsecureTransport,
  mergeStatements,
  type PolicyStatement,
  partitionOf,
} from './policies';

/**
 * The steps that make a bucket the remediation creates (or one of this
 * account it was given) pass the free Security Hub controls on S3, and the
 * bucket's settings once they are applied. Each step is planned only when
 * the bucket lacks what it sets, and none removes or replaces a setting:
 * statements, lifecycle rules and tags are added beside those there, an
 * existing SSE-KMS key or Object Lock retention is kept, and SSE-S3 is only
 * ever raised to SSE-KMS.
 */

export interface BucketWanted {
  name: string;
  /** The Region a new bucket goes to. */
  region: string;
  accountId: string;
  /** Statements its policy must hold. */
  statements: PolicyStatement[];
  /** SSE-KMS with this key (and an S3 Bucket Key); absent: SSE-S3 unless encrypted already. */
  kmsKeyArn?: string | undefined;
  /**
   * Object Lock GOVERNANCE default retention, in days, on a bucket the
   * remediation creates (or one created with Object Lock that has no default
   * retention yet, as a run that stopped halfway leaves it). Object Lock is
   * never turned on for an existing bucket: it cannot be turned off again.
   */
  objectLockDays?: number | undefined;
  /** Expire log files after this many days. */
  retentionDays?: number | undefined;
  /** Server access logs to this bucket, under the bucket's name. */
  accessLogTarget?: string | undefined;
  /** The organization's tags, beside {@link CREATED_BY_TAG} on a bucket the remediation creates. */
  tags: Record<string, string>;
  /** What the bucket is for, in the steps' reasons. */
  role: string;
  /**
   * The bucket carries a name the remediation chose (a default name with the
   * deployment's suffix): it is the remediation's even when a run that
   * stopped halfway created it, and gets the `created-by` tag.
   */
  named?: boolean | undefined;
}

/** The rule every log bucket gets: no incomplete upload is kept for ever, no log is deleted. */
export const ABORT_INCOMPLETE_UPLOADS: LifecycleRule = {
  ID: 'abort-incomplete-multipart-uploads',
  Status: 'Enabled',
  Filter: { Prefix: '' },
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
};

/** The rule `logRetentionDays` adds: log files, and their older versions, expire. */
export function expiryRule(days: number): LifecycleRule {
  return {
    ID: 'expire-log-files',
    Status: 'Enabled',
    Filter: { Prefix: '' },
    Expiration: { Days: days },
    NoncurrentVersionExpiration: { NoncurrentDays: days },
  };
}

/** A bucket CreateBucket leaves, as S3 creates every new bucket since 2023. */
function newBucket(name: string, region: string, objectLock: boolean): OwnBucketFacts {
  return {
    name,
    status: 'ours',
    region,
    policy: undefined,
    publicAccessBlock: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
    encrypted: true,
    encryption: { algorithm: 'AES256', bucketKey: false },
    versioning: objectLock ? 'Enabled' : undefined,
    mfaDelete: false,
    lifecycleRules: [],
    logging: undefined,
    tags: {},
    objectLock: { enabled: objectLock },
    objectOwnership: 'BucketOwnerEnforced',
    outsideAclGrants: [],
  };
}

/**
 * Plans the steps for one bucket from what was read of it, and returns the
 * settings it will have once they run.
 */
export function planBucket(
  facts: BucketFacts,
  wanted: BucketWanted,
): { actions: Action[]; after: OwnBucketFacts } {
  const { name } = wanted;
  const created = facts.status === 'absent';
  const lock = wanted.objectLockDays !== undefined;
  const region = facts.status === 'ours' ? facts.region : wanted.region;
  const before = facts.status === 'ours' ? facts : newBucket(name, region, lock);
  const after: OwnBucketFacts = structuredClone(before);
  const s3 = { Bucket: name, ExpectedBucketOwner: wanted.accountId };
  const actions: Action[] = [];
  const step = <A extends Action>(action: Omit<A, 'region'>) =>
    actions.push({ ...action, region } as Action);

  if (created) {
    step({
      service: 's3',
      operation: 'CreateBucket',
      input: {
        Bucket: name,
        ObjectOwnership: 'BucketOwnerEnforced',
        ...(lock ? { ObjectLockEnabledForBucket: true } : {}),
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
      },
      reason: `create the ${wanted.role} "${name}" with ACLs disabled (bucket owner enforced)${lock ? ' and Object Lock on' : ''}`,
    });
  }

  const block = before.publicAccessBlock;
  const allBlocked =
    !created &&
    block?.BlockPublicAcls === true &&
    block.IgnorePublicAcls === true &&
    block.BlockPublicPolicy === true &&
    block.RestrictPublicBuckets === true;
  if (!allBlocked) {
    const all = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    };
    step({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      input: { ...s3, PublicAccessBlockConfiguration: all },
      reason: `turn on all four Block Public Access settings of "${name}": logs must never be public`,
    });
    after.publicAccessBlock = all;
  }

  const key = wanted.kmsKeyArn;
  // Any KMS key passes S3.17, and CloudTrail names the trail's key on each log file it writes:
  // a bucket's own SSE-KMS key stays, so whoever reads its other objects keeps their access.
  const kmsEncrypted =
    before.encryption?.algorithm === 'aws:kms' || before.encryption?.algorithm === 'aws:kms:dsse';
  if (key !== undefined ? !kmsEncrypted : created || !before.encrypted) {
    step({
      service: 's3',
      operation: 'PutBucketEncryption',
      input: {
        ...s3,
        ServerSideEncryptionConfiguration: {
          Rules: [
            key === undefined
              ? { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }
              : {
                  ApplyServerSideEncryptionByDefault: {
                    SSEAlgorithm: 'aws:kms',
                    KMSMasterKeyID: key,
                  },
                  BucketKeyEnabled: true,
                },
          ],
        },
      },
      basedOn: before.encryption ?? null,
      reason:
        key === undefined
          ? `encrypt objects in "${name}" by default (SSE-S3)`
          : `encrypt objects in "${name}" by default with the trail's key (SSE-KMS, with an S3 Bucket Key to keep KMS requests down)`,
    });
    after.encrypted = true;
    after.encryption =
      key === undefined
        ? { algorithm: 'AES256', bucketKey: false }
        : { algorithm: 'aws:kms', kmsKeyId: key, bucketKey: true };
  }

  if (before.versioning !== 'Enabled') {
    step({
      service: 's3',
      operation: 'PutBucketVersioning',
      input: { ...s3, VersioningConfiguration: { Status: 'Enabled' } },
      reason: `turn on versioning of "${name}": an overwritten or deleted log file stays recoverable`,
    });
    after.versioning = 'Enabled';
  }

  const retained = before.objectLock.days !== undefined || before.objectLock.years !== undefined;
  if (lock && (created || before.objectLock.enabled) && !retained) {
    step({
      service: 's3',
      operation: 'PutObjectLockConfiguration',
      input: {
        ...s3,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: wanted.objectLockDays } },
        },
      },
      reason: `keep every log file of "${name}" for ${wanted.objectLockDays} days by default (Object Lock, GOVERNANCE mode)`,
    });
    after.objectLock = { enabled: true, mode: 'GOVERNANCE', days: wanted.objectLockDays as number };
  }

  const rules = lifecycleToAdd(before.lifecycleRules, wanted.retentionDays);
  if (rules.length > 0) {
    const all = [...before.lifecycleRules, ...rules];
    const size = before.transitionDefaultMinimumObjectSize;
    step({
      service: 's3',
      operation: 'PutBucketLifecycleConfiguration',
      input: {
        ...s3,
        LifecycleConfiguration: { Rules: all },
        ...(size === undefined ? {} : { TransitionDefaultMinimumObjectSize: size }),
      },
      basedOn: before.lifecycleRules,
      reason: `add the lifecycle rule${rules.length === 1 ? '' : 's'} ${rules.map((r) => r.ID).join(', ')} to "${name}": ${wanted.retentionDays === undefined ? 'incomplete uploads are cleaned up, and no log file is ever deleted' : `log files expire after ${wanted.retentionDays} days`}${before.lifecycleRules.length === 0 ? '' : '; existing rules kept'}`,
    });
    after.lifecycleRules = all;
    // What S3 applies to a configuration put without one (since September 2024).
    after.transitionDefaultMinimumObjectSize = size ?? 'all_storage_classes_128K';
  }

  const tags = {
    ...(created || wanted.named === true ? { [CREATED_BY_TAG.key]: CREATED_BY_TAG.value } : {}),
    ...wanted.tags,
  };
  const missing = Object.entries(tags).filter(([k]) => !(k in before.tags));
  // PutBucketTagging replaces the whole set, and S3 refuses the aws: tags AWS put there
  // (CloudFormation's, say) in a request: such a bucket keeps its tags as they are.
  const system = Object.keys(before.tags).some((k) => /^aws:/i.test(k));
  if (missing.length > 0 && !system) {
    const all = { ...before.tags, ...Object.fromEntries(missing) };
    step({
      service: 's3',
      operation: 'PutBucketTagging',
      input: {
        ...s3,
        Tagging: { TagSet: Object.entries(all).map(([Key, Value]) => ({ Key, Value })) },
      },
      basedOn: before.tags,
      reason: `tag "${name}" with ${missing.map(([k, v]) => `${k}=${v}`).join(', ')}${Object.keys(before.tags).length === 0 ? '' : '; existing tags kept'}`,
    });
    after.tags = all;
  }

  const merged = mergeStatements(before.policy, wanted.statements);
  if (merged !== undefined) {
    step({
      service: 's3',
      operation: 'PutBucketPolicy',
      input: { ...s3, Policy: JSON.stringify(merged.policy) },
      basedOn: before.policy ?? null,
      reason: `${before.policy === undefined ? 'set the policy' : 'add to the existing policy'} of "${name}": ${merged.added.map((s) => s.Sid).join(', ')}${before.policy === undefined ? '' : '; existing statements kept'}`,
    });
    after.policy = merged.policy;
  }

  if (wanted.accessLogTarget !== undefined && before.logging === undefined) {
    step({
      service: 's3',
      operation: 'PutBucketLogging',
      input: {
        ...s3,
        BucketLoggingStatus: {
          LoggingEnabled: { TargetBucket: wanted.accessLogTarget, TargetPrefix: `${name}/` },
        },
      },
      basedOn: null,
      reason: `send the server access logs of "${name}" to "${wanted.accessLogTarget}": who read or changed the logs is recorded`,
    });
    after.logging = { targetBucket: wanted.accessLogTarget, targetPrefix: `${name}/` };
  }
  return { actions, after };
}

/**
 * The lifecycle rules to add: ours when no rule of the bucket is enabled
 * (S3.13 counts only active rules), and the expiry when a retention is asked
 * for and no enabled rule expires objects yet. Each gets an ID no rule of
 * the bucket has, as S3 requires.
 */
function lifecycleToAdd(
  existing: LifecycleRule[],
  retentionDays: number | undefined,
): LifecycleRule[] {
  const enabled = existing.filter((r) => r.Status === 'Enabled');
  const rules: LifecycleRule[] = [];
  if (enabled.length === 0) rules.push(ABORT_INCOMPLETE_UPLOADS);
  if (retentionDays !== undefined && !enabled.some((r) => r.Expiration !== undefined)) {
    rules.push(expiryRule(retentionDays));
  }
  const ids = new Set(existing.map((r) => r.ID));
  return rules.map((rule) => {
    let id = rule.ID ?? '';
    for (let n = 2; ids.has(id); n++) id = `${rule.ID}-${n}`;
    ids.add(id);
    return id === rule.ID ? rule : { ...rule, ID: id };
  });
}

/**
 * What the bucket that receives server access logs needs in its policy, as
 * the S3 User Guide recommends over ACLs: `PutObject` for the logging
 * service, only for logs of the given bucket in this account.
 */
export function accessLogPolicyStatements(options: {
  targetBucket: string;
  sourceBucket: string;
  accountId: string;
  region: string;
}): PolicyStatement[] {
  const partition = partitionOf(options.region);
  const target = `arn:${partition}:s3:::${options.targetBucket}`;
  return [
    {
      Sid: 'S3ServerAccessLogsPolicy',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${target}/*`,
      Condition: {
        ArnLike: { 'aws:SourceArn': `arn:${partition}:s3:::${options.sourceBucket}` },
        StringEquals: { 'aws:SourceAccount': options.accountId },
      },
    },
    denyInsecureTransport(target),
  ];
}
