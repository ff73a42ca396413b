import { PolicyMergeError } from './errors';

/**
 * The resource policies a CloudTrail log bucket and key need, and how they
 * are merged into a policy that already exists: statements are only ever
 * added, never changed or removed, and a statement already there (whatever
 * its `Sid`) is not added twice.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
  [key: string]: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
  [key: string]: unknown;
}

/** The AWS partition a Region belongs to, for ARNs. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The ARN a trail has (or will have) in its home Region. */
export function trailArnFor(region: string, accountId: string, name: string): string {
  return `arn:${partitionOf(region)}:cloudtrail:${region}:${accountId}:trail/${name}`;
}

/**
 * What a bucket policy needs for CloudTrail to deliver one trail's logs,
 * as the CloudTrail User Guide gives it: `GetBucketAcl` and `PutObject` for
 * the CloudTrail service principal, each limited by `aws:SourceArn` to that
 * trail, plus a deny of every request that does not use TLS.
 */
export function bucketPolicyStatements(options: {
  bucketName: string;
  accountId: string;
  trailArn: string;
  region: string;
}): PolicyStatement[] {
  const bucketArn = `arn:${partitionOf(options.region)}:s3:::${options.bucketName}`;
  return [
    {
      Sid: 'AWSCloudTrailAclCheck',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: bucketArn,
      Condition: { StringEquals: { 'aws:SourceArn': options.trailArn } },
    },
    {
      Sid: 'AWSCloudTrailWrite',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${bucketArn}/AWSLogs/${options.accountId}/*`,
      Condition: {
        StringEquals: {
          's3:x-amz-acl': 'bucket-owner-full-control',
          'aws:SourceArn': options.trailArn,
        },
      },
    },
    denyInsecureTransport(bucketArn),
  ];
}

/** The statement that refuses every request made to a bucket without TLS (S3.5). */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/**
 * What a key policy needs for CloudTrail to encrypt one trail's log files
 * with the key: `GenerateDataKey*` for the CloudTrail service principal,
 * limited to that trail by `aws:SourceArn` and to this account's trails by
 * the encryption context, `DescribeKey`, and `Decrypt`, which CloudTrail
 * needs when the log bucket uses the key with an S3 Bucket Key (the CloudTrail
 * User Guide's key policy page).
 */
export function keyPolicyStatements(options: {
  accountId: string;
  trailArn: string;
  region: string;
}): PolicyStatement[] {
  const partition = partitionOf(options.region);
  return [
    {
      Sid: 'AllowCloudTrailToEncryptLogs',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceArn': options.trailArn },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${partition}:cloudtrail:*:${options.accountId}:trail/*`,
        },
      },
    },
    {
      Sid: 'AllowCloudTrailToDescribeKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': options.trailArn } },
    },
    // The log bucket's default encryption uses this key with an S3 Bucket Key,
    // and CloudTrail then needs kms:Decrypt to create or update the trail.
    {
      Sid: 'AllowCloudTrailToDecryptWithBucketKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': options.trailArn } },
    },
  ];
}

/**
 * Parses a policy as S3 and KMS return it (a JSON string). `Statement` may
 * be one object or a list; the result always has a list.
 */
export function parsePolicy(text: string, what: string): PolicyDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PolicyMergeError(`The ${what} is not valid JSON: fix or remove it, then run again.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PolicyMergeError(`The ${what} is not a JSON object: fix it, then run again.`);
  }
  const document = parsed as Record<string, unknown>;
  const statement = document.Statement ?? [];
  const statements = Array.isArray(statement) ? statement : [statement];
  if (!statements.every((s) => typeof s === 'object' && s !== null && !Array.isArray(s))) {
    throw new PolicyMergeError(
      `The ${what} has a Statement that is not an object: fix it, then run again.`,
    );
  }
  return { ...document, Statement: statements as PolicyStatement[] };
}

/**
 * Adds the statements a policy lacks, keeping every statement it has, as it
 * is and in its order. A statement counts as present when one with the same
 * content exists, whatever its `Sid`; a new statement whose `Sid` is taken
 * gets a numbered one. Returns `undefined` when nothing is missing.
 *
 * @example
 * mergeStatements(undefined, ours)          // => a new policy with ours
 * mergeStatements(policyWithOurs, ours)     // => undefined: nothing to do
 */
export function mergeStatements(
  existing: PolicyDocument | undefined,
  wanted: readonly PolicyStatement[],
): { policy: PolicyDocument; added: PolicyStatement[] } | undefined {
  const current = existing ?? { Version: '2012-10-17', Statement: [] };
  const statements = [...current.Statement];
  const added: PolicyStatement[] = [];
  for (const statement of wanted) {
    if (statements.some((s) => sameStatement(s, statement))) continue;
    const sid = freeSid(statement.Sid, statements);
    const withSid = sid === undefined ? statement : { ...statement, Sid: sid };
    statements.push(withSid);
    added.push(withSid);
  }
  if (added.length === 0) return undefined;
  return {
    policy: { ...current, Version: current.Version ?? '2012-10-17', Statement: statements },
    added,
  };
}

/** Whether two statements say the same thing: equal apart from `Sid`, with one-item lists equal to their item. */
export function sameStatement(a: PolicyStatement, b: PolicyStatement): boolean {
  const { Sid: _a, ...restA } = a;
  const { Sid: _b, ...restB } = b;
  return canonical(restA) === canonical(restB);
}

/**
 * Whether two values read from AWS say the same thing: equal once object
 * keys are sorted, lists are taken as sets, and a one-item list is taken as
 * its item, as IAM reads a policy.
 */
export function sameContent(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalise);
    if (items.length === 1) return items[0];
    return items.map((i) => JSON.stringify(i)).sort();
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, normalise((value as Record<string, unknown>)[k])]),
    );
  }
  // IAM compares condition values as strings: `false` and "false" are the same.
  return typeof value === 'boolean' ? String(value) : value;
}

function freeSid(
  sid: string | undefined,
  statements: readonly PolicyStatement[],
): string | undefined {
  if (sid === undefined) return undefined;
  const taken = new Set(statements.map((s) => s.Sid));
  if (!taken.has(sid)) return sid;
  for (let n = 2; ; n++) {
    if (!taken.has(`${sid}${n}`)) return `${sid}${n}`;
  }
}

/** One Allow statement that makes a bucket policy public, and why. */
export interface PublicStatement {
  /** Its position in `Statement`, from 0. */
  index: number;
  sid: string | undefined;
  /** What it allows, in words: "every principal (Principal "*") with no condition that ...". */
  why: string;
}

/**
 * Condition keys whose fixed values make a statement for every principal
 * non-public, as the S3 User Guide lists them under "The meaning of
 * 'public'"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
 * Lower case: condition keys are case-insensitive.
 */
const NON_PUBLIC_KEYS: ReadonlySet<string> = new Set([
  'aws:sourcearn',
  'aws:sourceaccount',
  'aws:sourceowner',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceip',
  'aws:principalorgid',
  'aws:principalaccount',
  'aws:userid',
  's3:dataaccesspointarn',
  's3:dataaccesspointaccount',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
]);

/**
 * Operators that admit only the values given. A negated operator
 * (`StringNotEquals`), an `...IfExists` one (true when the key is absent)
 * or a set operator does not pin the caller down.
 */
export const PINNING_OPERATORS: ReadonlySet<string> = new Set([
  'StringEquals',
  'StringEqualsIgnoreCase',
  'StringLike',
  'ArnEquals',
  'ArnLike',
]);

/**
 * The Allow statements that make a bucket policy public as S3 judges it:
 * a statement for every principal (`"*"`, `{"AWS": "*"}`, or `NotPrincipal`)
 * is public unless one of its conditions limits it to fixed values (no
 * wildcard, no policy variable) of a key S3 counts ({@link NON_PUBLIC_KEYS};
 * `aws:SourceIp` with `IpAddress` and a range narrower than everything).
 * With Block Public Access on, S3 refuses to store such a policy.
 *
 * @example
 * publicStatements({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] })
 * // => [{ index: 0, sid: undefined, why: 'every principal (Principal "*") with no condition ...' }]
 */
export function publicStatements(policy: PolicyDocument): PublicStatement[] {
  return policy.Statement.flatMap((statement, index) => {
    if (statement.Effect !== 'Allow') return [];
    const who =
      statement.NotPrincipal !== undefined
        ? 'every principal but those in NotPrincipal'
        : everyone(statement.Principal);
    if (who === undefined || pinned(statement.Condition)) return [];
    const condition =
      statement.Condition === undefined
        ? 'with no condition'
        : 'with no condition that S3 counts as non-public';
    return [{ index, sid: statement.Sid, why: `${who} ${condition}` }];
  });
}

/** How a principal admits everyone, or `undefined` when it names principals. */
function everyone(principal: unknown): string | undefined {
  if (principal === '*') return 'every principal (Principal "*")';
  if (typeof principal !== 'object' || principal === null) return undefined;
  const aws = (principal as Record<string, unknown>).AWS;
  return [aws].flat().includes('*') ? 'every principal (Principal {"AWS": "*"})' : undefined;
}

/** Whether some condition limits the statement to fixed values of a key S3 counts. */
function pinned(condition: PolicyStatement['Condition']): boolean {
  if (condition === undefined || typeof condition !== 'object') return false;
  return Object.entries(condition).some(([operator, block]) => {
    if (typeof block !== 'object' || block === null) return false;
    return Object.entries(block).some(([key, value]) => {
      const values = [value].flat();
      const fixed =
        values.length > 0 &&
        values.every((v) => typeof v === 'string' && v !== '' && !/[*?]|\$\{/.test(v));
      if (!fixed) return false;
      if (key.toLowerCase() === 'aws:sourceip') {
        return operator === 'IpAddress' && values.every((v) => !/\/0+$/.test(String(v)));
      }
      return PINNING_OPERATORS.has(operator) && NON_PUBLIC_KEYS.has(key.toLowerCase());
    });
  });
}
