import type {
  AddTagsCommandInput,
  CreateTrailCommandInput,
  PutEventSelectorsCommandInput,
  StartLoggingCommandInput,
  UpdateTrailCommandInput,
} from '@aws-sdk/client-cloudtrail';
import type { PutKeyPolicyCommandInput } from '@aws-sdk/client-kms';
import type {
  CreateBucketCommandInput,
  LifecycleRule,
  PutBucketEncryptionCommandInput,
  PutBucketLifecycleConfigurationCommandInput,
  PutBucketLoggingCommandInput,
  PutBucketPolicyCommandInput,
  PutBucketTaggingCommandInput,
  PutBucketVersioningCommandInput,
  PutObjectLockConfigurationCommandInput,
  PutPublicAccessBlockCommandInput,
} from '@aws-sdk/client-s3';
import type { EventSelectors } from '../rule/state';
import type { OwnBucketFacts } from './facts';
import type { PolicyDocument } from './policies';

/**
 * One step of a remediation plan: an exact API call, the Region it is made
 * in, and why. A plan is plain data, so a dry run can show it and a test can
 * compare it, and the executor only sends what the plan says.
 */
interface Call<S extends string, O extends string, I, B = never> {
  service: S;
  operation: O;
  region: string;
  input: I;
  reason: string;
  /**
   * For a write that rewrites something whole from a read (a policy, the
   * selectors, the tag set, the lifecycle rules), or sets what the read
   * found unset (default encryption, server access logging): the value the
   * plan read.
   * The executor reads it again just before the write and stops, reverting
   * nothing, if it changed (`reread.ts`).
   */
  basedOn?: B;
}

/** A bucket's default encryption, as `facts.ts` reads it. */
export type BucketEncryption = NonNullable<OwnBucketFacts['encryption']>;
/** Where a bucket's server access logs go, as `facts.ts` reads it. */
export type BucketLogging = NonNullable<OwnBucketFacts['logging']>;

/** The tag set of a bucket, as `facts.ts` reads it. */
export type TagMap = Record<string, string>;

export type Action =
  | Call<'cloudtrail', 'UpdateTrail', UpdateTrailCommandInput>
  | Call<'cloudtrail', 'PutEventSelectors', PutEventSelectorsCommandInput, EventSelectors>
  | Call<'cloudtrail', 'StartLogging', StartLoggingCommandInput>
  | Call<'cloudtrail', 'CreateTrail', CreateTrailCommandInput>
  | Call<'cloudtrail', 'AddTags', AddTagsCommandInput>
  | Call<'s3', 'CreateBucket', CreateBucketCommandInput>
  | Call<'s3', 'PutPublicAccessBlock', PutPublicAccessBlockCommandInput>
  | Call<'s3', 'PutBucketEncryption', PutBucketEncryptionCommandInput, BucketEncryption | null>
  | Call<'s3', 'PutBucketVersioning', PutBucketVersioningCommandInput>
  | Call<'s3', 'PutObjectLockConfiguration', PutObjectLockConfigurationCommandInput>
  | Call<
      's3',
      'PutBucketLifecycleConfiguration',
      PutBucketLifecycleConfigurationCommandInput,
      LifecycleRule[]
    >
  | Call<'s3', 'PutBucketTagging', PutBucketTaggingCommandInput, TagMap>
  | Call<'s3', 'PutBucketLogging', PutBucketLoggingCommandInput, BucketLogging | null>
  | Call<'s3', 'PutBucketPolicy', PutBucketPolicyCommandInput, PolicyDocument | null>
  | Call<'kms', 'PutKeyPolicy', PutKeyPolicyCommandInput, PolicyDocument>;

export type ActionOperation = Action['operation'];

/** How a step is written for a person: `cloudtrail:StartLogging (us-east-1)`. */
export function describeCall(action: Pick<Action, 'service' | 'operation' | 'region'>): string {
  return `${action.service}:${action.operation} (${action.region})`;
}
