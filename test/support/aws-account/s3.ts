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
 * refuses a public policy. Inputs and outputs are the API's fields, as the
 * SDK names them (`Policy`, `PublicAccessBlockConfiguration`, ...); the
 * REST-XML wire form is `serve-http-s3.ts`'s business.
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

export interface AccountBucket {
  name: string;
  /** The owning account. */
  owner: string;
  region: string;
  /** The policy text as it was put. */
  policy?: string;
  publicAccessBlock?: PublicAccessBlock;
  encryption?: BucketEncryption;
  objectOwnership?: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
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
  })
  .passthrough();
type S3Input = z.infer<typeof s3InputSchema>;

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
  }
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
  });
  return { Location: `/${name}` };
}
