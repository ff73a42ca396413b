import type { Action } from '../../../remediation/actions';
import { executePlan } from '../../../remediation/executor';
import { type OwnBucketFacts, readBucketFacts } from '../../../remediation/facts';
import type { AccountBucket, LifecycleRule } from '../../support/aws-account/model';
import { type MockedAccount, mockAccount } from '../../support/aws-account/serve-sdk-mock';
import { ACCOUNT } from '../../support/fixtures';

/**
 * A bucket's facts put into the account model, and a plan's steps run
 * against it: so a test can check a planned end state against what S3 (as
 * the model answers for it) leaves, read back the way the remediation reads.
 */

/** The bucket in the account model that `readBucketFacts` reads as `facts`. */
export function modelBucket(facts: OwnBucketFacts): AccountBucket {
  const block = facts.publicAccessBlock;
  return {
    name: facts.name,
    owner: ACCOUNT,
    region: facts.region,
    ...(facts.policy === undefined ? {} : { policy: JSON.stringify(facts.policy) }),
    ...(block === undefined
      ? {}
      : {
          publicAccessBlock: {
            BlockPublicAcls: block.BlockPublicAcls === true,
            IgnorePublicAcls: block.IgnorePublicAcls === true,
            BlockPublicPolicy: block.BlockPublicPolicy === true,
            RestrictPublicBuckets: block.RestrictPublicBuckets === true,
          },
        }),
    ...(facts.encryption === undefined
      ? {}
      : {
          encryption: {
            SSEAlgorithm: facts.encryption.algorithm,
            ...(facts.encryption.kmsKeyId === undefined
              ? {}
              : { KMSMasterKeyID: facts.encryption.kmsKeyId }),
            BucketKeyEnabled: facts.encryption.bucketKey,
          },
        }),
    ...(facts.objectOwnership === undefined
      ? {}
      : { objectOwnership: facts.objectOwnership as AccountBucket['objectOwnership'] }),
    ...(facts.versioning === undefined
      ? {}
      : {
          versioning: {
            Status: facts.versioning,
            ...(facts.mfaDelete ? { MFADelete: 'Enabled' as const } : {}),
          },
        }),
    ...(facts.lifecycleRules.length === 0
      ? {}
      : {
          lifecycle: {
            Rules: structuredClone(facts.lifecycleRules) as LifecycleRule[],
            ...(facts.transitionDefaultMinimumObjectSize === undefined
              ? {}
              : { TransitionDefaultMinimumObjectSize: facts.transitionDefaultMinimumObjectSize }),
          },
        }),
    ...(facts.logging === undefined
      ? {}
      : {
          logging: {
            TargetBucket: facts.logging.targetBucket,
            TargetPrefix: facts.logging.targetPrefix,
          },
        }),
    ...(Object.keys(facts.tags).length === 0
      ? {}
      : { tags: Object.entries(facts.tags).map(([Key, Value]) => ({ Key, Value })) }),
    ...(facts.objectLock.enabled
      ? {
          objectLock: {
            ObjectLockEnabled: 'Enabled' as const,
            ...(facts.objectLock.mode === undefined
              ? {}
              : {
                  Rule: {
                    DefaultRetention: {
                      Mode: facts.objectLock.mode as 'GOVERNANCE' | 'COMPLIANCE',
                      ...(facts.objectLock.days === undefined
                        ? {}
                        : { Days: facts.objectLock.days }),
                      ...(facts.objectLock.years === undefined
                        ? {}
                        : { Years: facts.objectLock.years }),
                    },
                  },
                }),
          },
        }
      : {}),
  };
}

/** A bucket of this account with nothing set, to receive server access logs in a test. */
export function targetBucket(name: string, region = 'us-east-1'): AccountBucket {
  return { name, owner: ACCOUNT, region, objectOwnership: 'BucketOwnerEnforced' };
}

/**
 * Runs `actions` against an account holding `buckets`, and reads `name`
 * back as the remediation reads a bucket.
 */
export async function applyToModel(
  buckets: AccountBucket[],
  actions: readonly Action[],
  name: string,
): Promise<{ facts: OwnBucketFacts; account: MockedAccount }> {
  const account = mockAccount({ accountId: ACCOUNT, trails: [], buckets });
  try {
    await executePlan(actions, account.clients());
    const facts = await readBucketFacts({
      name,
      accountId: ACCOUNT,
      region: 'us-east-1',
      s3: account.clients().s3,
    });
    if (facts.status !== 'ours') throw new Error(`bucket ${name} was not created`);
    return { facts, account };
  } finally {
    account.restore();
  }
}
