import {
  DescribeKeyCommand,
  type DescribeKeyCommandOutput,
  GetKeyPolicyCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type PublicAccessBlockConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import { BucketNotOwnedError, KmsKeyError } from './errors';
import { type PolicyDocument, parsePolicy } from './policies';

/**
 * What the planner needs to know, besides the trails, before it can plan a
 * new trail: the state of the log bucket and of the KMS key. Reading these
 * makes no change.
 */

export type BucketFacts =
  | { name: string; status: 'absent' }
  | {
      name: string;
      status: 'ours';
      /** The Region the bucket is in. */
      region: string;
      policy: PolicyDocument | undefined;
      publicAccessBlock: PublicAccessBlockConfiguration | undefined;
      /** Whether default encryption is configured. */
      encrypted: boolean;
    };

export interface KeyFacts {
  /** The key as given (ID, ARN or alias). */
  given: string;
  arn: string;
  region: string;
  accountId: string;
  policy: PolicyDocument;
}

export type S3ClientFor = (region: string) => S3Client;
export type KmsClientFor = (region: string) => KMSClient;

/**
 * Reads a bucket's ownership and security settings. `HeadBucket` with
 * `ExpectedBucketOwner` tells "absent" (404) from "someone else's" (403);
 * a bucket that belongs to someone else is an error, raised before any
 * change is made.
 */
export async function readBucketFacts(options: {
  name: string;
  accountId: string;
  region: string;
  s3: S3ClientFor;
}): Promise<BucketFacts> {
  const { name, accountId } = options;
  let region = options.region;
  try {
    const head = await options
      .s3(region)
      .send(new HeadBucketCommand({ Bucket: name, ExpectedBucketOwner: accountId }));
    region = head.BucketRegion ?? region;
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404) return { name, status: 'absent' };
    if (status === 403) {
      throw new BucketNotOwnedError(
        `S3 bucket "${name}" exists and is not owned by account ${accountId} (or this role may not read it). Nothing was changed. Give a BucketName of a bucket this account owns, or a new name to create.`,
      );
    }
    throw error;
  }

  const client = options.s3(region);
  const bucket = { Bucket: name, ExpectedBucketOwner: accountId };
  const policyText = await absentOn(
    ['NoSuchBucketPolicy'],
    async () => (await client.send(new GetBucketPolicyCommand(bucket))).Policy,
  );
  const publicAccessBlock = await absentOn(
    ['NoSuchPublicAccessBlockConfiguration'],
    async () =>
      (await client.send(new GetPublicAccessBlockCommand(bucket))).PublicAccessBlockConfiguration,
  );
  const encryption = await absentOn(
    ['ServerSideEncryptionConfigurationNotFoundError'],
    async () =>
      (await client.send(new GetBucketEncryptionCommand(bucket))).ServerSideEncryptionConfiguration,
  );
  return {
    name,
    status: 'ours',
    region,
    policy:
      policyText === undefined ? undefined : parsePolicy(policyText, `policy of bucket "${name}"`),
    publicAccessBlock,
    encrypted: (encryption?.Rules ?? []).length > 0,
  };
}

/**
 * Reads the KMS key given for a new trail: it must exist in the Region
 * where the trail and its bucket are, belong to this account, be enabled,
 * and be a symmetric encryption key, which is what CloudTrail accepts.
 */
export async function readKeyFacts(options: {
  keyId: string;
  accountId: string;
  region: string;
  kms: KmsClientFor;
}): Promise<KeyFacts> {
  const { keyId, accountId, region } = options;
  const client = options.kms(region);
  let metadata: DescribeKeyCommandOutput;
  try {
    metadata = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
  } catch (error) {
    if (errorName(error) === 'NotFoundException') {
      throw new KmsKeyError(
        `KMS key "${keyId}" was not found in ${region}. Nothing was changed. CloudTrail needs a key in the same Region as the log bucket: give a key of ${region}, or leave KmsKeyId empty.`,
      );
    }
    throw error;
  }
  const key = metadata.KeyMetadata;
  const arn = key?.Arn;
  if (key === undefined || arn === undefined) {
    throw new KmsKeyError(`KMS did not describe key "${keyId}". Nothing was changed.`);
  }
  const keyAccount = key.AWSAccountId ?? arn.split(':')[4] ?? '';
  const keyRegion = arn.split(':')[3] ?? region;
  const problems = [
    keyAccount !== accountId && `it belongs to account ${keyAccount}, not ${accountId}`,
    keyRegion !== region && `it is in ${keyRegion}, not ${region}`,
    key.KeyState !== 'Enabled' && `its state is ${key.KeyState ?? 'unknown'}, not Enabled`,
    (key.KeySpec ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT' &&
      `it is a ${key.KeySpec} key, not a symmetric encryption key`,
    key.KeyManager === 'AWS' && 'it is an AWS managed key, whose policy cannot be changed',
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) {
    throw new KmsKeyError(
      `KMS key "${keyId}" cannot encrypt the new trail's logs: ${problems.join('; ')}. Nothing was changed. Give an enabled symmetric customer managed key of this account in ${region}, or leave KmsKeyId empty.`,
    );
  }
  const policy = await client.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }));
  return {
    given: keyId,
    arn,
    region: keyRegion,
    accountId: keyAccount,
    policy: parsePolicy(policy.Policy ?? '{"Statement":[]}', `policy of KMS key ${arn}`),
  };
}

async function absentOn<T>(names: string[], read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (names.includes(errorName(error))) return undefined;
    throw error;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  if (metadata?.httpStatusCode !== undefined) return metadata.httpStatusCode;
  const name = errorName(error);
  if (name === 'NotFound' || name === 'NoSuchBucket') return 404;
  if (name === 'Forbidden' || name === 'AccessDenied') return 403;
  return undefined;
}
