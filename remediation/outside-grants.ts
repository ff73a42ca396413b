import type { OwnBucketFacts } from './facts';
import { PINNING_OPERATORS, type PolicyDocument, type PolicyStatement } from './policies';

/**
 * Who, besides this account and the trusted log accounts, a log bucket or a
 * KMS key lets in. The remediation never makes a trail deliver every
 * Region's events to a bucket or key that answers this with anything, so
 * each grant is named, in words a person can act on.
 *
 * Inside: principals of this account and of the trusted log accounts; the
 * service principals that deliver logs (CloudTrail, S3 server access
 * logging); any principal, `"*"` included, when a condition pins the caller
 * to those accounts with fixed values (`aws:SourceAccount`,
 * `aws:PrincipalAccount`, `kms:CallerAccount`, or the account of an ARN in
 * `aws:SourceArn`, `aws:PrincipalArn` or a `kms:EncryptionContext:` key);
 * S3's log delivery group in an ACL. Everything else is outside, including
 * `aws:PrincipalOrgID` (every account of the organization, not only the
 * trusted ones), a principal whose account cannot be told from its text
 * (a canonical user ID, a unique ID), and any ACL grant to another
 * canonical user or to the AllUsers or AuthenticatedUsers groups, unless
 * the bucket's ACLs are disabled (`BucketOwnerEnforced`).
 */

/** What a bucket grants through its policy and ACL, as `facts.ts` reads it. */
export type BucketAccess = Pick<OwnBucketFacts, 'policy' | 'outsideAclGrants' | 'objectOwnership'>;

/** The service principals that only deliver logs: CloudTrail, and S3's server access logging. */
export const DELIVERY_SERVICES: ReadonlySet<string> = new Set([
  'cloudtrail.amazonaws.com',
  'logging.s3.amazonaws.com',
]);

/** S3's log delivery group: an ACL grant to it is how legacy buckets take server access logs. */
const LOG_DELIVERY_GROUP = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

/** Condition keys whose values are account IDs. Lower case: condition keys are case-insensitive. */
const ACCOUNT_KEYS: ReadonlySet<string> = new Set([
  'aws:sourceaccount',
  'aws:principalaccount',
  'kms:calleraccount',
]);

/** Condition keys whose values are ARNs, the account in their fifth field. */
function isArnKey(key: string): boolean {
  const k = key.toLowerCase();
  return (
    k === 'aws:sourcearn' || k === 'aws:principalarn' || k.startsWith('kms:encryptioncontext:')
  );
}

/**
 * The grants of a bucket's policy and ACL to anyone outside `inside` (this
 * account first, then the trusted log accounts), each in words.
 *
 * @example
 * bucketOutsideGrants({ policy, outsideAclGrants: ['READ to http://acs.amazonaws.com/groups/global/AllUsers'], objectOwnership: undefined }, ['111122223333'])
 * // => ['the ACL grants READ to http://acs.amazonaws.com/groups/global/AllUsers']
 */
export function bucketOutsideGrants(bucket: BucketAccess, inside: readonly string[]): string[] {
  return [
    ...(bucket.policy === undefined
      ? []
      : policyOutsideGrants(bucket.policy, inside, 'its policy')),
    ...aclOutsideGrants(bucket).map((grant) => `the ACL grants ${grant}`),
  ];
}

/** The grants of a KMS key's policy to anyone outside `inside`, each in words. */
export function keyOutsideGrants(policy: PolicyDocument, inside: readonly string[]): string[] {
  return policyOutsideGrants(policy, inside, 'its key policy');
}

/**
 * The ACL grants that let someone else in. With ACLs disabled
 * (`BucketOwnerEnforced`), S3 no longer uses the ACL to authorize anything,
 * so none counts.
 */
export function aclOutsideGrants(bucket: BucketAccess): string[] {
  if (bucket.objectOwnership === 'BucketOwnerEnforced') return [];
  return bucket.outsideAclGrants.filter((grant) => !grant.endsWith(` to ${LOG_DELIVERY_GROUP}`));
}

/** The Allow statements of a policy that let in a principal outside `inside`. */
export function policyOutsideGrants(
  policy: PolicyDocument,
  inside: readonly string[],
  where: string,
): string[] {
  return policy.Statement.flatMap((statement, index) => {
    if (statement.Effect !== 'Allow') return [];
    if (pinnedInside(statement.Condition, inside)) return [];
    const outsiders =
      statement.NotPrincipal !== undefined
        ? ['every principal but those in NotPrincipal']
        : principalsOutside(statement.Principal, inside);
    if (outsiders.length === 0) return [];
    const sid =
      typeof statement.Sid === 'string' && statement.Sid !== '' ? ` ("${statement.Sid}")` : '';
    return [
      `${where} Statement[${index}]${sid} allows ${actionsOf(statement)} to ${outsiders.join(', ')}`,
    ];
  });
}

function actionsOf(statement: PolicyStatement): string {
  if (statement.Action === undefined) return 'every action but those in NotAction';
  return [statement.Action].flat().map(String).join(', ');
}

/** The principals of a statement that are outside `inside`, in words. */
function principalsOutside(principal: unknown, inside: readonly string[]): string[] {
  if (principal === '*') return ['every principal ("*")'];
  if (typeof principal !== 'object' || principal === null) {
    return principal === undefined ? [] : [`principal ${JSON.stringify(principal)}`];
  }
  return Object.entries(principal as Record<string, unknown>).flatMap(([type, values]) =>
    [values]
      .flat()
      .map(String)
      .flatMap((value) => {
        if (type === 'AWS') {
          if (value === '*') return ['every principal ({"AWS": "*"})'];
          const account = accountOfPrincipal(value);
          if (account === undefined)
            return [`AWS principal "${value}", whose account cannot be told`];
          return inside.includes(account) ? [] : [`account ${account} ("${value}")`];
        }
        if (type === 'Service') {
          return DELIVERY_SERVICES.has(value)
            ? []
            : [
                `service ${value} with no aws:SourceAccount or aws:SourceArn condition naming this account`,
              ];
        }
        return [`${type} principal "${value}"`];
      }),
  );
}

/** The account of an `AWS` principal: an account ID, or the account field of an IAM or STS ARN. */
function accountOfPrincipal(value: string): string | undefined {
  if (/^\d{12}$/.test(value)) return value;
  return /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(value)?.[1];
}

/**
 * Whether one of the statement's conditions admits only callers of `inside`
 * accounts. Conditions are all required, so one such condition is enough.
 */
function pinnedInside(condition: PolicyStatement['Condition'], inside: readonly string[]): boolean {
  if (condition === undefined || typeof condition !== 'object') return false;
  return Object.entries(condition).some(([operator, block]) => {
    if (!PINNING_OPERATORS.has(operator) || typeof block !== 'object' || block === null) {
      return false;
    }
    return Object.entries(block).some(([key, value]) => {
      const values = [value].flat();
      if (values.length === 0 || !values.every((v) => typeof v === 'string')) return false;
      const texts = values as string[];
      if (ACCOUNT_KEYS.has(key.toLowerCase())) {
        return texts.every((v) => inside.includes(v));
      }
      if (isArnKey(key)) {
        return texts.every((v) => {
          const account = v.split(':')[4];
          return account !== undefined && inside.includes(account);
        });
      }
      return false;
    });
  });
}
