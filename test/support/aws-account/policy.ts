/**
 * Just enough IAM policy evaluation for the services of the model to decide what the
 * real ones decide from a resource policy: whether CloudTrail may deliver to
 * a bucket or encrypt with a key, whether a bucket policy is public, whether
 * a key policy keeps the account able to change it. Matching follows the IAM
 * policy reference (case-insensitive actions with `*` and `?`, resources
 * with `*` and `?`, condition keys case-insensitive, a condition on a key the
 * request does not carry fails unless it ends in `IfExists`). Statements with
 * `NotAction`, `NotResource` or `NotPrincipal` never match: the model then
 * refuses rather than guess.
 */

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: unknown;
  NotAction?: unknown;
  NotResource?: unknown;
  NotPrincipal?: unknown;
}

/** One request as a resource policy sees it. */
export interface PolicyRequest {
  /** `{ Service: 'cloudtrail.amazonaws.com' }` or `{ AWS: 'arn:aws:iam::111122223333:root' }`. */
  principal: { Service: string } | { AWS: string };
  action: string;
  resource: string;
  /** Condition keys the request carries (`aws:SourceArn`, `s3:x-amz-acl`, ...), any case. */
  context: Record<string, string>;
}

/** The statements of a policy document, or `undefined` when it is not one. */
export function policyStatements(text: string | undefined): Statement[] | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const statement = (parsed as { Statement?: unknown }).Statement;
  if (statement === undefined) return undefined;
  const list = Array.isArray(statement) ? statement : [statement];
  if (!list.every((s) => typeof s === 'object' && s !== null && !Array.isArray(s))) {
    return undefined;
  }
  return list as Statement[];
}

/** Whether the policy allows the request: some Allow statement matches and no Deny does. */
export function policyAllows(text: string | undefined, request: PolicyRequest): boolean {
  const statements = policyStatements(text) ?? [];
  const matching = statements.filter((s) => statementMatches(s, request));
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}

/**
 * Whether S3 would call the policy public: it allows something to every
 * principal without a condition that pins the caller down (S3 counts fixed
 * `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceVpce`, `aws:SourceIp`,
 * `aws:PrincipalOrgID` values and the like as pinning; any condition counts
 * here).
 */
export function isPublicPolicy(text: string): boolean {
  return (policyStatements(text) ?? []).some(
    (s) => s.Effect === 'Allow' && everyone(s.Principal) && s.Condition === undefined,
  );
}

function everyone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  return values((principal as Record<string, unknown>).AWS).includes('*');
}

function statementMatches(statement: Statement, request: PolicyRequest): boolean {
  if (
    statement.NotAction !== undefined ||
    statement.NotResource !== undefined ||
    statement.NotPrincipal !== undefined
  ) {
    return false;
  }
  return (
    principalMatches(statement.Principal, request.principal) &&
    values(statement.Action).some((a) => glob(a, request.action, true)) &&
    values(statement.Resource).some((r) => glob(r, request.resource, false)) &&
    conditionsHold(statement.Condition, request.context)
  );
}

function principalMatches(principal: unknown, caller: PolicyRequest['principal']): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const byType = principal as Record<string, unknown>;
  if ('Service' in caller) return values(byType.Service).includes(caller.Service);
  const account = caller.AWS.split(':')[4];
  return values(byType.AWS).some((p) => p === '*' || p === caller.AWS || p === account);
}

function conditionsHold(condition: unknown, context: Record<string, string>): boolean {
  if (condition === undefined) return true;
  if (typeof condition !== 'object' || condition === null) return false;
  const lowered = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.entries(condition as Record<string, unknown>).every(([operator, block]) => {
    if (typeof block !== 'object' || block === null) return false;
    return Object.entries(block as Record<string, unknown>).every(([key, wanted]) => {
      const ifExists = operator.endsWith('IfExists');
      const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
      const actual = lowered.get(key.toLowerCase());
      if (actual === undefined) return ifExists;
      return operatorHolds(base, values(wanted), actual);
    });
  });
}

function operatorHolds(operator: string, wanted: string[], actual: string): boolean {
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
    case 'Bool':
      return wanted.includes(actual);
    case 'StringEqualsIgnoreCase':
      return wanted.some((w) => w.toLowerCase() === actual.toLowerCase());
    case 'StringNotEquals':
    case 'ArnNotEquals':
      return !wanted.includes(actual);
    case 'StringLike':
    case 'ArnLike':
      return wanted.some((w) => glob(w, actual, false));
    case 'StringNotLike':
    case 'ArnNotLike':
      return !wanted.some((w) => glob(w, actual, false));
    default:
      // An operator the model does not know: the condition does not hold.
      return false;
  }
}

/** Policy values as strings: one value or a list; booleans as IAM compares them. */
function values(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.flatMap((v) =>
    typeof v === 'string'
      ? [v]
      : typeof v === 'boolean' || typeof v === 'number'
        ? [String(v)]
        : [],
  );
}

function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}
