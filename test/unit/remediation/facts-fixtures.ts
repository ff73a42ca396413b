import type {
  BucketFacts,
  BucketOwnership,
  KeyFacts,
  OwnBucketFacts,
} from '../../../remediation/facts';
import { defaultAccessLogBucketName, defaultBucketName } from '../../../remediation/input';
import type { PlanOptions } from '../../../remediation/plan';
import { denyInsecureTransport } from '../../../remediation/policies';
import { DEFAULT_PARAMETERS } from '../../../rule/parameters';
import type { Trail } from '../../../rule/state';
import { ACCOUNT, ROOT_KEY_STATEMENT } from '../../support/fixtures';

/**
 * What the planner is given besides the trails, as `remediation/facts.ts`
 * reads it, for the plan tests: buckets in the shapes S3 leaves them, who
 * owns a trail's bucket, a KMS key.
 */

/** The deployment's suffix for default bucket names (8 hexadecimal digits, `BUCKET_SUFFIX_PATTERN`). */
export const SUFFIX = '3f9c04ab';
export const REGION = 'us-east-1';
/** A trusted log account (the organization's log archive). */
export const LOG_ARCHIVE = '444455556666';
/** An account neither this one nor trusted. */
export const STRANGER = '777788889999';

export const OPTIONS: PlanOptions = {
  region: REGION,
  parameters: DEFAULT_PARAMETERS,
  bucketSuffix: SUFFIX,
};

export const LOG_BUCKET = defaultBucketName(ACCOUNT, REGION, SUFFIX);
export const ACCESS_LOG_BUCKET = defaultAccessLogBucketName(ACCOUNT, REGION, SUFFIX);

export const ALL_BLOCKED = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

export function absent(name: string): BucketFacts {
  return { name, status: 'absent' };
}

/**
 * A bucket of this account as S3 creates one today and nothing more: Block
 * Public Access on, ACLs disabled, SSE-S3; no policy, versioning, lifecycle
 * rules, server access logs, tags or Object Lock.
 */
export function ownBucket(name: string, overrides: Partial<OwnBucketFacts> = {}): OwnBucketFacts {
  return {
    name,
    status: 'ours',
    region: REGION,
    policy: undefined,
    publicAccessBlock: { ...ALL_BLOCKED },
    encrypted: true,
    encryption: { algorithm: 'AES256', bucketKey: false },
    versioning: undefined,
    mfaDelete: false,
    lifecycleRules: [],
    logging: undefined,
    tags: {},
    objectLock: { enabled: false },
    objectOwnership: 'BucketOwnerEnforced',
    outsideAclGrants: [],
    ...overrides,
  };
}

/**
 * A bucket created before 2023's defaults: no Block Public Access, no
 * default encryption, ACLs enabled (no ownership controls).
 */
export function legacyBucket(
  name: string,
  overrides: Partial<OwnBucketFacts> = {},
): OwnBucketFacts {
  return ownBucket(name, {
    publicAccessBlock: undefined,
    encrypted: false,
    encryption: undefined,
    objectOwnership: undefined,
    ...overrides,
  });
}

/** A bucket that already has every setting the log bucket hardening sets (but no policy for a trail). */
export function hardenedBucket(
  name: string,
  overrides: Partial<OwnBucketFacts> = {},
): OwnBucketFacts {
  return ownBucket(name, {
    policy: {
      Version: '2012-10-17',
      Statement: [denyInsecureTransport(`arn:aws:s3:::${name}`)],
    },
    versioning: 'Enabled',
    lifecycleRules: [
      {
        ID: 'abort-incomplete-multipart-uploads',
        Status: 'Enabled',
        Filter: { Prefix: '' },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ],
    logging: { targetBucket: 'central-access-logs', targetPrefix: `${name}/` },
    tags: { team: 'security' },
    ...overrides,
  });
}

/** Who owns the buckets these trails deliver to: `account` (this one unless told). */
export function ownedBy(
  trails: readonly Pick<Trail, 'S3BucketName'>[],
  account = ACCOUNT,
): Record<string, BucketOwnership> {
  return Object.fromEntries(
    trails.map((t) => [t.S3BucketName ?? '', { status: 'owned', account } as const]),
  );
}

export const KEY_ID = '0f1e2d3c-aaaa-bbbb-cccc-111122223333';
export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;

/** A customer managed key of this account, with KMS's default key policy and rotation off. */
export function keyFacts(overrides: Partial<KeyFacts> = {}): KeyFacts {
  return {
    given: 'alias/cloudtrail',
    arn: KEY_ARN,
    region: REGION,
    accountId: ACCOUNT,
    policy: { Version: '2012-10-17', Statement: [ROOT_KEY_STATEMENT] },
    rotation: false,
    ...overrides,
  };
}

/** The facts a new trail in an empty account is planned from: both default buckets absent. */
export function newTrailFacts(account = ACCOUNT) {
  return {
    bucket: absent(defaultBucketName(account, REGION, SUFFIX)),
    accessLogBucket: absent(defaultAccessLogBucketName(account, REGION, SUFFIX)),
  };
}
