import type { Trail } from '../rule/state';
import type { BucketEndState, TrailEndState } from './controls';
import type { OwnBucketFacts } from './facts';
import {
  type PolicyDocument,
  type PolicyStatement,
  partitionOf,
  publicStatements,
} from './policies';

/**
 * What the Security Hub forecast judges, made from what was read (or what
 * the plan will leave, which the plan writes in the same shape): one
 * conversion for both, so the forecast and the verification judge alike.
 */

/** A bucket of this account as the controls see it. */
export function bucketEndState(
  facts: OwnBucketFacts,
  purpose: BucketEndState['purpose'],
  created: boolean,
  accountId: string,
  trailArn?: string,
): BucketEndState {
  const block = facts.publicAccessBlock;
  return {
    kind: 'bucket',
    arn: `arn:${partitionOf(facts.region)}:s3:::${facts.name}`,
    purpose,
    ...(trailArn === undefined ? {} : { trailArn }),
    created,
    publicAccessBlocked:
      block?.BlockPublicAcls === true &&
      block.IgnorePublicAcls === true &&
      block.BlockPublicPolicy === true &&
      block.RestrictPublicBuckets === true,
    publicStatements:
      facts.policy === undefined
        ? []
        : publicStatements(facts.policy).map((s) => `Statement[${s.index}]: ${s.why}`),
    publicAclGrants: publicAclGrants(facts),
    tlsOnly: facts.policy !== undefined && deniesInsecureTransport(facts.policy),
    crossAccountGrants:
      facts.policy === undefined ? [] : crossAccountGrants(facts.policy, accountId),
    objectOwnership: facts.objectOwnership,
    encryption: facts.encryption?.algorithm,
    versioning: facts.versioning === 'Enabled',
    mfaDelete: facts.mfaDelete,
    lifecycle: facts.lifecycleRules.some((r) => r.Status === 'Enabled'),
    loggingTarget: facts.logging?.targetBucket,
    objectLock: facts.objectLock.enabled,
    tags: facts.tags,
  };
}

/** A trail as the controls see it: `DescribeTrails`' fields, and its tags when read. */
export function trailEndState(
  trail: Trail,
  tags: Record<string, string> | undefined,
  created: boolean,
): TrailEndState {
  return {
    kind: 'trail',
    arn: trail.TrailARN,
    created,
    logFileValidation: trail.LogFileValidationEnabled === true,
    kmsKeyId: nonEmpty(trail.KmsKeyId),
    cloudWatchLogsLogGroupArn: nonEmpty(trail.CloudWatchLogsLogGroupArn),
    tags,
  };
}

/**
 * A grant, as `facts.ts` words it (`READ to <grantee>`), to one of the two
 * groups that make an ACL public as S3 judges it: everyone (`AllUsers`) or
 * every AWS account (`AuthenticatedUsers`). A grant to a named account or to
 * S3's log delivery group is not public.
 */
const PUBLIC_GRANTEE =
  / to http:\/\/acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)$/;

/** The bucket's ACL grants that make it public, as S3 judges an ACL; none once ACLs are disabled. */
export function publicAclGrants(facts: OwnBucketFacts): string[] {
  return facts.objectOwnership === 'BucketOwnerEnforced'
    ? []
    : facts.outsideAclGrants.filter((grant) => PUBLIC_GRANTEE.test(grant));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Whether the policy denies, to everyone, every S3 action on the bucket and
 * its objects when `aws:SecureTransport` is false: what the rule behind S3.5
 * looks for.
 */
export function deniesInsecureTransport(policy: PolicyDocument): boolean {
  return policy.Statement.some((s) => {
    if (s.Effect !== 'Deny' || !everyone(s.Principal)) return false;
    const actions = [s.Action].flat();
    if (!actions.includes('s3:*') && !actions.includes('*')) return false;
    const resources = [s.Resource].flat().map(String);
    const onBucket = resources.some((r) => /^arn:[^:]+:s3:::[^/]+$/.test(r) || r === '*');
    const onObjects = resources.some((r) => /^arn:[^:]+:s3:::[^/]+\/\*$/.test(r) || r === '*');
    const bool = s.Condition?.Bool as Record<string, unknown> | undefined;
    const secure = Object.entries(bool ?? {}).find(
      ([key]) => key.toLowerCase() === 'aws:securetransport',
    )?.[1];
    return onBucket && onObjects && String(secure) === 'false';
  });
}

/** The actions S3.6 forbids granting to other accounts (its `blacklistedActionPattern`). */
export const CROSS_ACCOUNT_FORBIDDEN_ACTIONS = [
  's3:DeleteBucketPolicy',
  's3:PutBucketAcl',
  's3:PutBucketPolicy',
  's3:PutEncryptionConfiguration',
  's3:PutObjectAcl',
] as const;

/** Allow statements that give a principal of another account (or everyone) an action S3.6 forbids. */
export function crossAccountGrants(policy: PolicyDocument, accountId: string): string[] {
  return policy.Statement.flatMap((s, index) => {
    if (s.Effect !== 'Allow' || !outsider(s, accountId)) return [];
    const granted = [s.Action]
      .flat()
      .map(String)
      .filter((a) => CROSS_ACCOUNT_FORBIDDEN_ACTIONS.some((f) => matches(a, f)));
    return granted.length === 0 ? [] : [`Statement[${index}] allows ${granted.join(', ')}`];
  });
}

/** Whether an action pattern (`s3:Put*`, `*`) covers an action, as IAM matches them. */
function matches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(action);
}

function everyone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  return [(principal as Record<string, unknown>).AWS].flat().includes('*');
}

/** Whether a statement's principals include everyone or an AWS principal of another account. */
function outsider(statement: PolicyStatement, accountId: string): boolean {
  if (everyone(statement.Principal)) return true;
  const principal = statement.Principal;
  if (typeof principal !== 'object' || principal === null) return false;
  const aws = [(principal as Record<string, unknown>).AWS].flat().filter((p) => p !== undefined);
  return aws.some((p) => {
    const text = String(p);
    const account = /^\d{12}$/.test(text) ? text : /^arn:[^:]+:iam::(\d{12}):/.exec(text)?.[1];
    return account !== accountId;
  });
}
