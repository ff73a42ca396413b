import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AwsFault, fault } from './errors';
import { isPublicPolicy, policyStatements } from './policy';

/**
 * The bucket-level S3 operations the remediation calls, as S3 behaves where
 * the remediation depends on it: bucket names are global, so a bucket may
 * belong to another account, and another account's bucket answers 403
 * (`ExpectedBucketOwner` too); a request signed for another Region than the
 * bucket's is redirected (301 with `x-amz-bucket-region`); `CreateBucket`
 * answers `BucketAlreadyOwnedByYou` (or, for legacy compatibility, succeeds
 * in us-east-1) or `BucketAlreadyExists`, and checks the location
 * constraint against the Region; a new bucket gets S3's defaults since 2023
 * (Block Public Access on, ACLs disabled, SSE-S3); `BlockPublicPolicy`
 * refuses a public policy. A new bucket has no versioning, lifecycle
 * rules, server access logging, tags or Object Lock, unless created with
 * Object Lock, which turns versioning on with it. The hardening writes check
 * what S3 checks: a lifecycle rule needs a status, a filter (or the legacy
 * prefix) and an action; logging needs a target bucket of the same account
 * and Region without an Object Lock default retention; bucket tags replace
 * the set, at most 50, with unique keys; Object Lock needs versioning, and
 * versioning cannot be suspended under it. Inputs and outputs are the API's
 * fields, as the SDK names them (`Policy`, `PublicAccessBlockConfiguration`,
 * `LifecycleConfiguration`, ...), timestamps in epoch seconds; the REST-XML
 * wire form is `serve-http-s3.ts`'s business.
 */

export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export interface BucketEncryption {
  SSEAlgorithm: string;
  KMSMasterKeyID?: string;
  BucketKeyEnabled?: boolean;
}

/** A bucket tag: S3 requires a value, which may be empty. */
export interface BucketTag {
  Key: string;
  Value: string;
}

/** `VersioningConfiguration`: a bucket that was never versioned has none. */
export interface Versioning {
  Status: 'Enabled' | 'Suspended';
  /** Only once it was ever set: S3 then reports it. */
  MFADelete?: 'Enabled' | 'Disabled';
}

/** `ObjectLockConfiguration` of a bucket with Object Lock enabled. */
export interface ObjectLock {
  ObjectLockEnabled: 'Enabled';
  /** The default retention of new objects, if any. */
  Rule?: {
    DefaultRetention: { Mode: 'GOVERNANCE' | 'COMPLIANCE'; Days?: number; Years?: number };
  };
}

/** One ACL grant, as `GetBucketAcl` lists it. */
export interface BucketGrant {
  Grantee: {
    Type: 'CanonicalUser' | 'Group' | 'AmazonCustomerByEmail';
    ID?: string;
    URI?: string;
    EmailAddress?: string;
  };
  Permission: 'FULL_CONTROL' | 'WRITE' | 'WRITE_ACP' | 'READ' | 'READ_ACP';
}

export interface AccountBucket {
  name: string;
  /** The owning account. */
  owner: string;
  region: string;
  /** The policy text as it was put. */
  policy?: string;
  publicAccessBlock?: PublicAccessBlock;
  encryption?: BucketEncryption;
  /** The bucket's ownership controls; none for a bucket from before they existed. */
  objectOwnership?: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
  versioning?: Versioning;
  /** The lifecycle configuration, rules as put (or as S3 stores them: an ID given to each). */
  lifecycle?: {
    Rules: LifecycleRule[];
    /** `all_storage_classes_128K`, S3's default since September 2024, unless given. */
    TransitionDefaultMinimumObjectSize?: TransitionDefaultMinimumObjectSize;
  };
  /** Where the server access logs go. */
  logging?: { TargetBucket: string; TargetPrefix: string };
  /** The tag set; none is no tag set at all (`NoSuchTagSet`). */
  tags?: BucketTag[];
  /** Object Lock, when enabled (which needs versioning enabled too). */
  objectLock?: ObjectLock;
  /**
   * ACL grants besides the owner's `FULL_CONTROL`, which `GetBucketAcl`
   * always lists first: a bucket with ACLs enabled may have more (the log
   * delivery group's `WRITE`, say).
   */
  grants?: BucketGrant[];
}

export const S3_OPERATIONS = [
  'HeadBucket',
  'CreateBucket',
  'GetBucketPolicy',
  'PutBucketPolicy',
  'GetPublicAccessBlock',
  'PutPublicAccessBlock',
  'GetBucketEncryption',
  'PutBucketEncryption',
  'GetBucketVersioning',
  'PutBucketVersioning',
  'GetBucketLifecycleConfiguration',
  'PutBucketLifecycleConfiguration',
  'GetBucketLogging',
  'PutBucketLogging',
  'GetBucketTagging',
  'PutBucketTagging',
  'GetObjectLockConfiguration',
  'PutObjectLockConfiguration',
  'GetBucketOwnershipControls',
  'GetBucketAcl',
] as const;
export type S3Operation = (typeof S3_OPERATIONS)[number];

/** The request fields of the operations above that the model reads. */
const s3InputSchema = z
  .object({
    Bucket: z.string(),
    ExpectedBucketOwner: z.string().optional(),
    Policy: z.string().optional(),
    PublicAccessBlockConfiguration: z
      .object({
        BlockPublicAcls: z.boolean().optional(),
        IgnorePublicAcls: z.boolean().optional(),
        BlockPublicPolicy: z.boolean().optional(),
        RestrictPublicBuckets: z.boolean().optional(),
      })
      .optional(),
    ServerSideEncryptionConfiguration: z
      .object({
        Rules: z.array(
          z.object({
            ApplyServerSideEncryptionByDefault: z
              .object({ SSEAlgorithm: z.string(), KMSMasterKeyID: z.string().optional() })
              .optional(),
            BucketKeyEnabled: z.boolean().optional(),
          }),
        ),
      })
      .optional(),
    CreateBucketConfiguration: z.object({ LocationConstraint: z.string().optional() }).optional(),
    ObjectOwnership: z.string().optional(),
    ObjectLockEnabledForBucket: z.boolean().optional(),
    /** `x-amz-mfa`: the MFA device's serial number and code, for MFA delete. */
    MFA: z.string().optional(),
    TransitionDefaultMinimumObjectSize: z.string().optional(),
  })
  .passthrough();
type S3Input = z.infer<typeof s3InputSchema>;

const TRANSITION_MINIMUM_SIZES = ['all_storage_classes_128K', 'varies_by_storage_class'] as const;
type TransitionDefaultMinimumObjectSize = (typeof TRANSITION_MINIMUM_SIZES)[number];

/** A whole number, as S3's XML schema types a count of days or bytes. */
const integer = z.int().optional();

const filterTagSchema = z.object({ Key: z.string(), Value: z.string() }).strict();
const TRANSITION_CLASSES = [
  'GLACIER',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
] as const;

/** A lifecycle rule as `PutBucketLifecycleConfiguration` takes it (`Date`s in epoch seconds). */
const lifecycleRuleSchema = z
  .object({
    ID: z.string().optional(),
    Status: z.enum(['Enabled', 'Disabled']),
    /** The legacy filter, instead of `Filter`. */
    Prefix: z.string().optional(),
    Filter: z
      .object({
        Prefix: z.string().optional(),
        Tag: filterTagSchema.optional(),
        ObjectSizeGreaterThan: integer,
        ObjectSizeLessThan: integer,
        And: z
          .object({
            Prefix: z.string().optional(),
            Tags: z.array(filterTagSchema).optional(),
            ObjectSizeGreaterThan: integer,
            ObjectSizeLessThan: integer,
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    Expiration: z
      .object({
        Date: z.number().optional(),
        Days: integer,
        ExpiredObjectDeleteMarker: z.boolean().optional(),
      })
      .strict()
      .optional(),
    Transitions: z
      .array(
        z
          .object({
            Date: z.number().optional(),
            Days: integer,
            StorageClass: z.enum(TRANSITION_CLASSES),
          })
          .strict(),
      )
      .optional(),
    NoncurrentVersionTransitions: z
      .array(
        z
          .object({
            NoncurrentDays: integer,
            StorageClass: z.enum(TRANSITION_CLASSES),
            NewerNoncurrentVersions: integer,
          })
          .strict(),
      )
      .optional(),
    NoncurrentVersionExpiration: z
      .object({ NoncurrentDays: integer, NewerNoncurrentVersions: integer })
      .strict()
      .optional(),
    AbortIncompleteMultipartUpload: z.object({ DaysAfterInitiation: integer }).strict().optional(),
  })
  .strict();
/** A lifecycle rule, as S3 keeps it; `Date`s in epoch seconds. */
export type LifecycleRule = z.infer<typeof lifecycleRuleSchema>;

const lifecycleConfigurationSchema = z
  .object({ Rules: z.array(lifecycleRuleSchema).min(1).max(1000) })
  .strict();
const versioningConfigurationSchema = z
  .object({
    Status: z.enum(['Enabled', 'Suspended']),
    MFADelete: z.enum(['Enabled', 'Disabled']).optional(),
  })
  .strict();
const bucketLoggingStatusSchema = z
  .object({
    LoggingEnabled: z
      .object({ TargetBucket: z.string(), TargetPrefix: z.string() })
      .strict()
      .optional(),
  })
  .strict();
const taggingSchema = z
  .object({ TagSet: z.array(z.object({ Key: z.string(), Value: z.string() }).strict()) })
  .strict();
const objectLockConfigurationSchema = z
  .object({
    ObjectLockEnabled: z.literal('Enabled'),
    Rule: z
      .object({
        DefaultRetention: z
          .object({
            Mode: z.enum(['GOVERNANCE', 'COMPLIANCE']),
            Days: integer,
            Years: integer,
          })
          .strict(),
      })
      .strict()
      .optional(),
  })
  .strict();

export interface S3Call {
  /** The Region the request was signed for. */
  region: string;
  /** The calling account. */
  accountId: string;
  input: Record<string, unknown>;
}

/** Answers one call, changing `buckets` for a write; throws an {@link AwsFault} as S3 would fail. */
export function answerS3(
  operation: S3Operation,
  call: S3Call,
  buckets: AccountBucket[],
): Record<string, unknown> {
  const parsed = s3InputSchema.safeParse(call.input);
  if (!parsed.success) {
    throw fault('InvalidRequest', `Invalid request: ${parsed.error.issues[0]?.message ?? ''}`, 400);
  }
  const input = parsed.data;
  const { region, accountId } = call;
  const bucket = buckets.find((b) => b.name === input.Bucket);
  if (operation === 'CreateBucket') return createBucket(input, call, bucket, buckets);
  if (bucket === undefined) {
    throw fault('NoSuchBucket', 'The specified bucket does not exist', 404);
  }
  const expected = input.ExpectedBucketOwner ?? '';
  if ((expected !== '' && expected !== bucket.owner) || bucket.owner !== accountId) {
    // Another account's bucket: this caller has no access to it.
    throw fault('AccessDenied', 'Access Denied', 403);
  }
  if (bucket.region !== region) {
    // A request signed for another Region than the bucket's: S3 names the bucket's Region.
    throw new AwsFault({
      type: 'PermanentRedirect',
      message:
        'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      status: 301,
      headers: { 'x-amz-bucket-region': bucket.region },
    });
  }
  switch (operation) {
    case 'HeadBucket':
      return { BucketRegion: bucket.region, AccessPointAlias: false };
    case 'GetBucketPolicy':
      if (bucket.policy === undefined) {
        throw fault('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
      }
      return { Policy: bucket.policy };
    case 'PutBucketPolicy': {
      const policy = input.Policy ?? '';
      if (!policy.trimStart().startsWith('{') || policyStatements(policy) === undefined) {
        throw fault(
          'MalformedPolicy',
          "Policies must be valid JSON and the first byte must be '{'",
          400,
        );
      }
      if (bucket.publicAccessBlock?.BlockPublicPolicy === true && isPublicPolicy(policy)) {
        throw fault('AccessDenied', 'Access Denied', 403);
      }
      bucket.policy = policy;
      return {};
    }
    case 'GetPublicAccessBlock': {
      const block = bucket.publicAccessBlock;
      if (block === undefined) {
        throw fault(
          'NoSuchPublicAccessBlockConfiguration',
          'The public access block configuration was not found',
          404,
        );
      }
      return { PublicAccessBlockConfiguration: { ...block } };
    }
    case 'PutPublicAccessBlock': {
      const given = input.PublicAccessBlockConfiguration ?? {};
      bucket.publicAccessBlock = {
        BlockPublicAcls: given.BlockPublicAcls === true,
        IgnorePublicAcls: given.IgnorePublicAcls === true,
        BlockPublicPolicy: given.BlockPublicPolicy === true,
        RestrictPublicBuckets: given.RestrictPublicBuckets === true,
      };
      return {};
    }
    case 'GetBucketEncryption': {
      const encryption = bucket.encryption;
      if (encryption === undefined) {
        throw fault(
          'ServerSideEncryptionConfigurationNotFoundError',
          'The server side encryption configuration was not found',
          404,
        );
      }
      return {
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: encryption.SSEAlgorithm,
                ...(encryption.KMSMasterKeyID === undefined
                  ? {}
                  : { KMSMasterKeyID: encryption.KMSMasterKeyID }),
              },
              BucketKeyEnabled: encryption.BucketKeyEnabled ?? false,
            },
          ],
        },
      };
    }
    case 'PutBucketEncryption': {
      const [rule] = input.ServerSideEncryptionConfiguration?.Rules ?? [];
      const byDefault = rule?.ApplyServerSideEncryptionByDefault;
      const algorithm = byDefault?.SSEAlgorithm;
      if (algorithm === undefined || !['AES256', 'aws:kms', 'aws:kms:dsse'].includes(algorithm)) {
        throw fault('MalformedXML', 'The XML you provided was not well-formed', 400);
      }
      const key = byDefault?.KMSMasterKeyID;
      bucket.encryption = {
        SSEAlgorithm: algorithm,
        ...(key === undefined ? {} : { KMSMasterKeyID: key }),
        BucketKeyEnabled: rule?.BucketKeyEnabled === true,
      };
      return {};
    }
    case 'GetBucketVersioning':
      // A bucket that was never versioned answers neither field.
      return { ...bucket.versioning };
    case 'PutBucketVersioning':
      putVersioning(bucket, input);
      return {};
    case 'GetBucketLifecycleConfiguration': {
      const lifecycle = bucket.lifecycle;
      if (lifecycle === undefined) {
        throw fault(
          'NoSuchLifecycleConfiguration',
          'The lifecycle configuration does not exist',
          404,
        );
      }
      return {
        Rules: structuredClone(lifecycle.Rules),
        TransitionDefaultMinimumObjectSize:
          lifecycle.TransitionDefaultMinimumObjectSize ?? 'all_storage_classes_128K',
      };
    }
    case 'PutBucketLifecycleConfiguration': {
      const size = input.TransitionDefaultMinimumObjectSize ?? 'all_storage_classes_128K';
      const minimum = TRANSITION_MINIMUM_SIZES.find((s) => s === size);
      if (minimum === undefined) {
        throw fault('InvalidRequest', `Invalid TransitionDefaultMinimumObjectSize: ${size}`, 400);
      }
      const { Rules } = configuration(
        lifecycleConfigurationSchema,
        call.input.LifecycleConfiguration,
      );
      bucket.lifecycle = {
        Rules: checkLifecycleRules(Rules, bucket.name),
        ...(input.TransitionDefaultMinimumObjectSize === undefined
          ? {}
          : { TransitionDefaultMinimumObjectSize: minimum }),
      };
      return { TransitionDefaultMinimumObjectSize: minimum };
    }
    case 'GetBucketLogging':
      return bucket.logging === undefined ? {} : { LoggingEnabled: { ...bucket.logging } };
    case 'PutBucketLogging': {
      const { LoggingEnabled } = configuration(
        bucketLoggingStatusSchema,
        call.input.BucketLoggingStatus,
      );
      if (LoggingEnabled === undefined) {
        // An empty BucketLoggingStatus turns logging off.
        delete bucket.logging;
        return {};
      }
      checkLogTarget(bucket, LoggingEnabled.TargetBucket, buckets);
      bucket.logging = { ...LoggingEnabled };
      return {};
    }
    case 'GetBucketTagging':
      if (bucket.tags === undefined) {
        throw fault('NoSuchTagSet', 'The TagSet does not exist', 404);
      }
      return { TagSet: structuredClone(bucket.tags) };
    case 'PutBucketTagging': {
      const { TagSet } = configuration(taggingSchema, call.input.Tagging);
      checkBucketTags(TagSet);
      // The set replaces the old one; an empty set leaves the bucket without one.
      if (TagSet.length === 0) delete bucket.tags;
      else bucket.tags = TagSet.map(({ Key, Value }) => ({ Key, Value }));
      return {};
    }
    case 'GetObjectLockConfiguration':
      if (bucket.objectLock === undefined) {
        throw fault(
          'ObjectLockConfigurationNotFoundError',
          'Object Lock configuration does not exist for this bucket',
          404,
        );
      }
      return { ObjectLockConfiguration: structuredClone(bucket.objectLock) };
    case 'PutObjectLockConfiguration':
      putObjectLock(bucket, call.input.ObjectLockConfiguration);
      return {};
    case 'GetBucketOwnershipControls':
      if (bucket.objectOwnership === undefined) {
        throw fault(
          'OwnershipControlsNotFoundError',
          'The bucket ownership controls were not found',
          404,
        );
      }
      return { OwnershipControls: { Rules: [{ ObjectOwnership: bucket.objectOwnership }] } };
    case 'GetBucketAcl': {
      const owner = canonicalUserId(bucket.owner);
      return {
        Owner: { ID: owner },
        Grants: [
          { Grantee: { Type: 'CanonicalUser', ID: owner }, Permission: 'FULL_CONTROL' },
          ...structuredClone(bucket.grants ?? []),
        ],
      };
    }
  }
}

/**
 * The canonical user ID S3 names an account by in ACLs (64 hex digits);
 * the model derives one from the account ID.
 */
export function canonicalUserId(accountId: string): string {
  return createHash('sha256').update(`canonical-user:${accountId}`).digest('hex');
}

/** The URI of the S3 log delivery group, the grantee of server access logs under ACLs. */
export const LOG_DELIVERY_GROUP = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

/**
 * Parses a configuration document with its schema, failing as S3 fails a
 * document that does not match its XML schema (`MalformedXML`). A field
 * the schema does not know is a gap of the model, not of the caller: it
 * fails loudly instead of being ignored.
 */
function configuration<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const unknown = parsed.error.issues.find((i) => i.code === 'unrecognized_keys');
  if (unknown !== undefined && unknown.code === 'unrecognized_keys') {
    throw new Error(
      `The account model does not serve ${[...unknown.path, ...unknown.keys].join('.')}: add it to test/support/aws-account/s3.ts.`,
    );
  }
  throw malformedXml();
}

function malformedXml(): AwsFault {
  return fault(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
    400,
  );
}

function invalidArgument(message: string): AwsFault {
  return fault('InvalidArgument', message, 400);
}

/**
 * `PutBucketVersioning`: Object Lock keeps versioning on, and MFA delete,
 * once set or to be changed, needs the MFA device (`x-amz-mfa`).
 */
function putVersioning(bucket: AccountBucket, input: S3Input): void {
  const given = configuration(versioningConfigurationSchema, input.VersioningConfiguration);
  if (bucket.objectLock !== undefined && given.Status !== 'Enabled') {
    throw fault(
      'InvalidBucketState',
      'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.',
      409,
    );
  }
  const mfaDelete = bucket.versioning?.MFADelete;
  const changesMfaDelete =
    given.MFADelete !== undefined && given.MFADelete !== (mfaDelete ?? 'Disabled');
  if ((changesMfaDelete || mfaDelete === 'Enabled') && input.MFA === undefined) {
    throw fault('AccessDenied', 'Mfa Authentication must be used for this request', 403);
  }
  const next = given.MFADelete ?? mfaDelete;
  bucket.versioning = { Status: given.Status, ...(next === undefined ? {} : { MFADelete: next }) };
}

/**
 * The rules as S3 stores them, after its checks: unique IDs of at most 255
 * characters (S3 names a rule given without one), a filter or the legacy
 * prefix but not both, at least one action, and days that make sense.
 */
function checkLifecycleRules(rules: LifecycleRule[], bucketName: string): LifecycleRule[] {
  const ids = new Set<string>();
  return rules.map((given, index) => {
    const rule = { ...given, ID: given.ID ?? generatedRuleId(bucketName, index) };
    if ([...rule.ID].length > 255) {
      throw invalidArgument('ID length should not exceed allowed limit of 255');
    }
    if (ids.has(rule.ID)) {
      throw invalidArgument('Rule ID must be unique. Found same ID for more than one rule');
    }
    ids.add(rule.ID);
    const filter = rule.Filter;
    if ((filter === undefined) === (rule.Prefix === undefined)) throw malformedXml();
    if (filter !== undefined) {
      const conditions = [
        filter.Prefix,
        filter.Tag,
        filter.ObjectSizeGreaterThan,
        filter.ObjectSizeLessThan,
        filter.And,
      ].filter((c) => c !== undefined);
      if (conditions.length > 1) throw malformedXml();
    }
    const tagged =
      filter?.Tag !== undefined || (filter?.And?.Tags !== undefined && filter.And.Tags.length > 0);
    const { Expiration, NoncurrentVersionExpiration, AbortIncompleteMultipartUpload } = rule;
    const transitions = rule.Transitions ?? [];
    const noncurrentTransitions = rule.NoncurrentVersionTransitions ?? [];
    if (
      Expiration === undefined &&
      NoncurrentVersionExpiration === undefined &&
      AbortIncompleteMultipartUpload === undefined &&
      transitions.length === 0 &&
      noncurrentTransitions.length === 0
    ) {
      throw fault('InvalidRequest', 'At least one action needs to be specified in a rule', 400);
    }
    if (Expiration !== undefined) {
      const kinds = [Expiration.Date, Expiration.Days, Expiration.ExpiredObjectDeleteMarker];
      if (kinds.filter((k) => k !== undefined).length !== 1) throw malformedXml();
      if (Expiration.Days !== undefined && Expiration.Days < 1) {
        throw invalidArgument("'Days' for Expiration action must be a positive integer");
      }
      if (Expiration.Date !== undefined && Expiration.Date % 86400 !== 0) {
        throw invalidArgument("'Date' must be at midnight GMT");
      }
      if (Expiration.ExpiredObjectDeleteMarker === true && tagged) {
        throw fault(
          'InvalidRequest',
          'ExpiredObjectDeleteMarker cannot be specified with tags',
          400,
        );
      }
    }
    if (NoncurrentVersionExpiration !== undefined) {
      const days = NoncurrentVersionExpiration.NoncurrentDays;
      if (days === undefined || days < 1) {
        throw invalidArgument(
          "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
        );
      }
    }
    if (AbortIncompleteMultipartUpload !== undefined) {
      const days = AbortIncompleteMultipartUpload.DaysAfterInitiation;
      if (days === undefined || days < 1) {
        throw invalidArgument(
          "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
        );
      }
      if (tagged) {
        throw fault(
          'InvalidRequest',
          'AbortIncompleteMultipartUpload cannot be specified with Tags.',
          400,
        );
      }
    }
    for (const transition of transitions) {
      if ((transition.Date === undefined) === (transition.Days === undefined)) throw malformedXml();
      const days = transition.Days;
      if (days !== undefined && days < 0) throw malformedXml();
      if (
        days !== undefined &&
        days < 30 &&
        (transition.StorageClass === 'STANDARD_IA' || transition.StorageClass === 'ONEZONE_IA')
      ) {
        throw invalidArgument(
          `'Days' in Transition action must be greater than or equal to 30 for storageClass '${transition.StorageClass}'`,
        );
      }
    }
    return rule;
  });
}

/** The ID S3 gives a rule put without one: a random-looking string, here derived so both servings agree. */
function generatedRuleId(bucketName: string, index: number): string {
  const hex = createHash('sha256').update(`${bucketName}/lifecycle/${index}`).digest('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return Buffer.from(uuid).toString('base64');
}

/**
 * The target of server access logs, refused as S3 refuses it: a bucket
 * that does not exist or another account's, one in another Region, or one
 * with an Object Lock default retention (log delivery could not write
 * there). The bucket itself is a valid target.
 */
function checkLogTarget(bucket: AccountBucket, name: string, buckets: AccountBucket[]): void {
  const target = buckets.find((b) => b.name === name);
  if (target === undefined) {
    throw fault(
      'InvalidTargetBucketForLogging',
      'The target bucket for logging does not exist',
      400,
    );
  }
  if (target.owner !== bucket.owner) {
    throw fault(
      'InvalidTargetBucketForLogging',
      'The owner for the bucket to be logged and the target bucket must be the same.',
      400,
    );
  }
  if (target.region !== bucket.region) {
    throw fault('CrossLocationLoggingProhibitted', 'Cross S3 location logging not allowed. ', 403);
  }
  if (target.objectLock?.Rule !== undefined) {
    throw fault(
      'InvalidTargetBucketForLogging',
      'The target bucket for logging must not have an Object Lock default retention period.',
      400,
    );
  }
}

/** S3's limits on a bucket's tags. */
const MAX_BUCKET_TAGS = 50;
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function checkBucketTags(tags: readonly BucketTag[]): void {
  if (tags.length > MAX_BUCKET_TAGS) {
    throw fault('BadRequest', `Bucket tag count cannot be greater than ${MAX_BUCKET_TAGS}`, 400);
  }
  const keys = new Set<string>();
  for (const { Key, Value } of tags) {
    const length = [...Key].length;
    if (length < 1 || length > 128 || !TAG_CHARACTERS.test(Key)) {
      throw fault('InvalidTag', 'The TagKey you have provided is invalid', 400);
    }
    if ([...Value].length > 256 || !TAG_CHARACTERS.test(Value)) {
      throw fault('InvalidTag', 'The TagValue you have provided is invalid', 400);
    }
    if (Key.toLowerCase().startsWith('aws:')) {
      throw fault('InvalidTag', 'System tags cannot be added/updated by requester', 400);
    }
    if (keys.has(Key)) {
      throw fault('InvalidTag', 'Cannot provide multiple Tags with the same key', 400);
    }
    keys.add(Key);
  }
}

/**
 * `PutObjectLockConfiguration`: enables Object Lock on a versioned bucket
 * (S3 allows it on existing buckets since 2023), and sets or, without a
 * rule, removes the default retention: days or years, not both.
 */
function putObjectLock(bucket: AccountBucket, value: unknown): void {
  const given = configuration(objectLockConfigurationSchema, value);
  const retention = given.Rule?.DefaultRetention;
  if (retention !== undefined) {
    if ((retention.Days === undefined) === (retention.Years === undefined)) throw malformedXml();
    const period = retention.Days ?? retention.Years ?? 0;
    if (period < 1) {
      throw invalidArgument('Default retention period must be a positive integer value');
    }
  }
  if (bucket.objectLock === undefined && bucket.versioning?.Status !== 'Enabled') {
    throw fault(
      'InvalidBucketState',
      "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
      409,
    );
  }
  bucket.objectLock = structuredClone(given);
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const OWNERSHIPS = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'] as const;

function createBucket(
  input: S3Input,
  call: S3Call,
  existing: AccountBucket | undefined,
  buckets: AccountBucket[],
): Record<string, unknown> {
  const { region, accountId } = call;
  const name = input.Bucket;
  if (!BUCKET_NAME.test(name)) {
    throw fault('InvalidBucketName', 'The specified bucket is not valid.', 400);
  }
  const constraint = input.CreateBucketConfiguration?.LocationConstraint;
  if (region === 'us-east-1' ? constraint !== undefined : constraint !== region) {
    throw constraint === undefined || region !== 'us-east-1'
      ? fault(
          'IllegalLocationConstraintException',
          constraint === undefined
            ? `The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.`
            : `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
          400,
        )
      : fault('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400);
  }
  if (existing !== undefined) {
    if (existing.owner !== accountId) {
      throw fault(
        'BucketAlreadyExists',
        'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
        409,
      );
    }
    if (region === 'us-east-1' && existing.region === 'us-east-1') {
      // S3's legacy behaviour in us-east-1: re-creating your own bucket succeeds.
      return { Location: `/${name}` };
    }
    throw fault(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      409,
    );
  }
  const ownership = input.ObjectOwnership || 'BucketOwnerEnforced';
  const objectOwnership = OWNERSHIPS.find((o) => o === ownership);
  if (objectOwnership === undefined) {
    throw fault('InvalidArgument', `Invalid x-amz-object-ownership header: ${ownership}`, 400);
  }
  buckets.push({
    name,
    owner: accountId,
    region,
    publicAccessBlock: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
    encryption: { SSEAlgorithm: 'AES256', BucketKeyEnabled: false },
    objectOwnership,
    // A bucket created with Object Lock is versioned from the start.
    ...(input.ObjectLockEnabledForBucket === true
      ? {
          versioning: { Status: 'Enabled' as const },
          objectLock: { ObjectLockEnabled: 'Enabled' as const },
        }
      : {}),
  });
  return { Location: `/${name}` };
}
