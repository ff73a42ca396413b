import {
  DescribeKeyCommand,
  type DescribeKeyCommandOutput,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import {
  GetBucketAclCommand,
  type GetBucketAclCommandOutput,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type LifecycleRule,
  type LoggingEnabled,
  type PublicAccessBlockConfiguration,
  type S3Client,
  type ServerSideEncryptionConfiguration,
  type TransitionDefaultMinimumObjectSize,
} from '@aws-sdk/client-s3';
import { BucketNotOwnedError, KmsKeyError } from './errors';
import type { BucketAccess } from './outside-grants';
import { type PolicyDocument, parsePolicy } from './policies';

/**
 * What the planner needs to know, besides the trails, before it can plan a
 * new trail: the state of the log bucket and of the KMS key. Reading these
 * makes no change.
 */

export type BucketFacts = { name: string; status: 'absent' } | OwnBucketFacts;

/** A bucket of this account, with every setting the Security Hub controls on S3 judge. */
export interface OwnBucketFacts {
  name: string;
  status: 'ours';
  /** The Region the bucket is in. */
  region: string;
  policy: PolicyDocument | undefined;
  publicAccessBlock: PublicAccessBlockConfiguration | undefined;
  /** Whether default encryption is configured. */
  encrypted: boolean;
  /** The default encryption: algorithm, key, and whether an S3 Bucket Key is on. */
  encryption: { algorithm: string; kmsKeyId?: string; bucketKey: boolean } | undefined;
  /** `Enabled`, `Suspended`, or absent for a bucket never versioned. */
  versioning: 'Enabled' | 'Suspended' | undefined;
  mfaDelete: boolean;
  lifecycleRules: LifecycleRule[];
  /**
   * The lifecycle configuration's minimum object size for transitions, as
   * S3 answers it: a lifecycle configuration put without it falls back to
   * S3's default, so a plan that adds a rule puts it back.
   */
  transitionDefaultMinimumObjectSize?: TransitionDefaultMinimumObjectSize | undefined;
  /** Where its server access logs go, when they are on. */
  logging: { targetBucket: string; targetPrefix: string } | undefined;
  tags: Record<string, string>;
  /** Whether Object Lock is on, and its default retention (in days or in years). */
  objectLock: { enabled: boolean; mode?: string; days?: number; years?: number };
  /** `BucketOwnerEnforced` and the like; absent when no ownership controls are set. */
  objectOwnership: string | undefined;
  /** ACL grants to anyone but the bucket owner, in words. */
  outsideAclGrants: string[];
}

/**
 * Who owns a bucket, as far as this account can tell: this account or a
 * trusted log account (`owned`), nobody (`absent`), or some other account,
 * or one whose bucket this role may not see (`outside`).
 */
export type BucketOwnership =
  | {
      status: 'owned';
      account: string;
      region?: string | undefined;
      /**
       * Who else its policy and ACL let in, read for a bucket of this account
       * ({@link readBucketAccess}); a trusted log account's bucket is that
       * account's to keep, and this role may not read its policy.
       */
      access?: BucketAccess | undefined;
    }
  | { status: 'absent' }
  | { status: 'outside' };

export interface KeyFacts {
  /** The key as given (ID, ARN or alias). */
  given: string;
  arn: string;
  region: string;
  accountId: string;
  policy: PolicyDocument;
  /** Whether automatic rotation is on (KMS.4). */
  rotation: boolean;
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
        (w) =>
          `S3 bucket "${name}" exists and is not owned by account ${accountId} (or ${w.caller('this role')} may not read it). Nothing was changed. Give a ${w.input('bucketName')} of a bucket this account owns, or a new name to create.`,
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
  const versioning = await client.send(new GetBucketVersioningCommand(bucket));
  const lifecycle = await absentOn(
    ['NoSuchLifecycleConfiguration'],
    async () => await client.send(new GetBucketLifecycleConfigurationCommand(bucket)),
  );
  const logging = (await client.send(new GetBucketLoggingCommand(bucket))).LoggingEnabled;
  const tags = await absentOn(
    ['NoSuchTagSet'],
    async () => (await client.send(new GetBucketTaggingCommand(bucket))).TagSet,
  );
  const lock = await absentOn(
    ['ObjectLockConfigurationNotFoundError'],
    async () =>
      (await client.send(new GetObjectLockConfigurationCommand(bucket))).ObjectLockConfiguration,
  );
  const ownership = await absentOn(
    ['OwnershipControlsNotFoundError'],
    async () =>
      (await client.send(new GetBucketOwnershipControlsCommand(bucket))).OwnershipControls,
  );
  const acl = await client.send(new GetBucketAclCommand(bucket));
  const retention = lock?.Rule?.DefaultRetention;
  return {
    name,
    status: 'ours',
    region,
    policy:
      policyText === undefined ? undefined : parsePolicy(policyText, `policy of bucket "${name}"`),
    publicAccessBlock,
    encrypted: (encryption?.Rules ?? []).length > 0,
    encryption: encryptionOf(encryption),
    versioning:
      versioning.Status === 'Enabled' || versioning.Status === 'Suspended'
        ? versioning.Status
        : undefined,
    mfaDelete: versioning.MFADelete === 'Enabled',
    lifecycleRules: lifecycle?.Rules ?? [],
    ...(lifecycle?.TransitionDefaultMinimumObjectSize === undefined
      ? {}
      : { transitionDefaultMinimumObjectSize: lifecycle.TransitionDefaultMinimumObjectSize }),
    logging: loggingOf(logging),
    tags: Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    objectLock: {
      enabled: lock?.ObjectLockEnabled === 'Enabled',
      ...(retention?.Mode === undefined ? {} : { mode: retention.Mode }),
      ...(retention?.Days === undefined ? {} : { days: retention.Days }),
      ...(retention?.Years === undefined ? {} : { years: retention.Years }),
    },
    objectOwnership: ownership?.Rules?.[0]?.ObjectOwnership,
    outsideAclGrants: aclGrantsOf(acl),
  };
}

/** A bucket's default encryption as `GetBucketEncryption` answers it, in the facts' words. */
export function encryptionOf(
  configuration: ServerSideEncryptionConfiguration | undefined,
): OwnBucketFacts['encryption'] {
  const byDefault = configuration?.Rules?.[0];
  const algorithm = byDefault?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
  if (byDefault === undefined || algorithm === undefined) return undefined;
  const key = byDefault.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID;
  return {
    algorithm,
    ...(key === undefined ? {} : { kmsKeyId: key }),
    bucketKey: byDefault.BucketKeyEnabled === true,
  };
}

/** Where a bucket's server access logs go, as `GetBucketLogging` answers it, in the facts' words. */
export function loggingOf(enabled: LoggingEnabled | undefined): OwnBucketFacts['logging'] {
  return enabled?.TargetBucket === undefined
    ? undefined
    : { targetBucket: enabled.TargetBucket, targetPrefix: enabled.TargetPrefix ?? '' };
}

/** ACL grants to anyone but the bucket owner, in words (`READ to <grantee>`). */
function aclGrantsOf(acl: GetBucketAclCommandOutput): string[] {
  return (acl.Grants ?? [])
    .filter((g) => g.Grantee?.ID === undefined || g.Grantee.ID !== acl.Owner?.ID)
    .map(
      (g) =>
        `${g.Permission ?? 'a permission'} to ${g.Grantee?.URI ?? g.Grantee?.ID ?? g.Grantee?.EmailAddress ?? 'a grantee'}`,
    );
}

/**
 * Reads who a bucket of this account lets in besides its owner: its policy,
 * its ACL, and whether ACLs are disabled. Read before a trail delivering
 * there is repaired, so that a trail is never made to deliver every Region's
 * events where someone outside the account can read them
 * (`outside-grants.ts`).
 */
export async function readBucketAccess(options: {
  name: string;
  accountId: string;
  region: string;
  s3: S3ClientFor;
}): Promise<BucketAccess> {
  const client = options.s3(options.region);
  const bucket = { Bucket: options.name, ExpectedBucketOwner: options.accountId };
  const policyText = await absentOn(
    ['NoSuchBucketPolicy'],
    async () => (await client.send(new GetBucketPolicyCommand(bucket))).Policy,
  );
  const ownership = await absentOn(
    ['OwnershipControlsNotFoundError'],
    async () =>
      (await client.send(new GetBucketOwnershipControlsCommand(bucket))).OwnershipControls,
  );
  const acl = await client.send(new GetBucketAclCommand(bucket));
  return {
    policy:
      policyText === undefined
        ? undefined
        : parsePolicy(policyText, `policy of bucket "${options.name}"`),
    outsideAclGrants: aclGrantsOf(acl),
    objectOwnership: ownership?.Rules?.[0]?.ObjectOwnership,
  };
}

/**
 * Finds which of `accounts` (this account first, then the trusted log
 * accounts) owns a bucket: `HeadBucket` with `ExpectedBucketOwner` answers
 * only when that account owns it, 404 when no account does, and 403
 * otherwise. A bucket that answers 403 for every one is `outside`: owned by
 * another account, or one this role may not see, which the remediation
 * treats alike, never trusting it.
 */
export async function readBucketOwnership(options: {
  name: string;
  accounts: readonly string[];
  region: string;
  s3: S3ClientFor;
}): Promise<BucketOwnership> {
  for (const account of options.accounts) {
    try {
      const head = await options
        .s3(options.region)
        .send(new HeadBucketCommand({ Bucket: options.name, ExpectedBucketOwner: account }));
      return { status: 'owned', account, region: head.BucketRegion ?? options.region };
    } catch (error) {
      const status = httpStatus(error);
      if (status === 404) return { status: 'absent' };
      if (status !== 403) throw error;
    }
  }
  return { status: 'outside' };
}

/** Whether automatic yearly rotation is on for a key (KMS.4). */
export async function readKeyRotation(options: {
  keyArn: string;
  region: string;
  kms: KmsClientFor;
}): Promise<boolean> {
  const status = await options
    .kms(options.region)
    .send(new GetKeyRotationStatusCommand({ KeyId: options.keyArn }));
  return status.KeyRotationEnabled === true;
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
        `KMS key "${keyId}" was not found in ${region}. Nothing was changed. CloudTrail needs a key in the same Region as the log bucket: give a key of ${region}, or leave the key out.`,
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
      `KMS key "${keyId}" cannot encrypt the new trail's logs: ${problems.join('; ')}. Nothing was changed. Give an enabled symmetric customer managed key of this account in ${region}, or leave the key out.`,
    );
  }
  const policy = await client.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }));
  return {
    given: keyId,
    arn,
    region: keyRegion,
    accountId: keyAccount,
    policy: parsePolicy(policy.Policy ?? '{"Statement":[]}', `policy of KMS key ${arn}`),
    rotation: await readKeyRotation({ keyArn: arn, region: keyRegion, kms: options.kms }),
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
