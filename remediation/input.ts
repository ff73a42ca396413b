import { createHash } from 'node:crypto';
import * as z from 'zod';

/**
 * What the remediation function accepts, and the patterns that guard each
 * value. The SSM document's `allowedPattern`s are these same patterns, so a
 * value the document lets through is a value the function accepts.
 */

/** A 12-digit AWS account ID. */
export const ACCOUNT_ID_PATTERN = '^[0-9]{12}$';
/**
 * A trail name's shape as CloudTrail allows it: letters and digits, with
 * single `.`, `_` or `-` between them (none at either end, never two side by
 * side). CloudTrail also wants 3–128 characters and no IP address: the
 * function checks those too (see {@link isTrailName}), before any change.
 */
export const TRAIL_NAME_PATTERN = '^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$';

/** Whether CloudTrail accepts a trail name (CreateTrail's naming rules). */
export function isTrailName(name: string): boolean {
  return (
    new RegExp(TRAIL_NAME_PATTERN).test(name) &&
    name.length >= 3 &&
    name.length <= 128 &&
    !/^\d{1,3}(\.\d{1,3}){3}$/.test(name)
  );
}
/** An S3 bucket name: 3–63 lower-case letters, digits, `.` and `-`, starting and ending with a letter or digit. */
export const BUCKET_NAME_PATTERN = '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$';
/** A KMS key ID, key ARN, alias name or alias ARN. */
export const KMS_KEY_ID_PATTERN =
  '^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]{1,128}|alias/[A-Za-z0-9/_-]{1,250})|alias/[A-Za-z0-9/_-]{1,250}|[A-Za-z0-9-]{1,128})$';
/** An IAM role ARN. */
export const ROLE_ARN_PATTERN = '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$';
/** A CloudWatch Logs log group ARN, as CloudTrail takes it (ending in `:*` or not). */
export const LOG_GROUP_ARN_PATTERN =
  '^arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:log-group:[A-Za-z0-9_./#-]{1,512}(:\\*)?$';
/** A number of days, 1 to 36,500 (a hundred years), as the document passes it: digits. */
export const DAYS_PATTERN = '^[1-9][0-9]{0,4}$';
/** The longest retention or lock the remediation sets: 100 years, S3's Object Lock limit. */
export const MAX_DAYS = 36_500;
/** Comma-separated 12-digit account IDs. */
export const ACCOUNT_IDS_PATTERN = '^[0-9]{12}(,[0-9]{12})*$';
/**
 * Tags as `key=value` pairs separated by commas. Keys and values use the
 * characters both CloudTrail and S3 accept (letters, digits, spaces and
 * `_ . : / + - @`, and `=` in a value); no quote or backslash, so a value
 * can never break out of the JSON payload the document builds.
 */
export const TAGS_PATTERN =
  '^[A-Za-z0-9 _.:/+@-]{1,128}=[A-Za-z0-9 _.:/=+@-]{0,256}(,[A-Za-z0-9 _.:/+@-]{1,128}=[A-Za-z0-9 _.:/=+@-]{0,256})*$';
/** Tags the remediation may not set: AWS reserves the `aws:` prefix. */
const RESERVED_TAG_PREFIX = /^aws:/i;
/** At most this many of the user's tags: S3 and CloudTrail take 50, and the remediation adds one. */
export const MAX_USER_TAGS = 49;

const TRAIL_NAME_RULES =
  'a trail name of 3–128 letters and digits, with single ".", "_" or "-" between them, not an IP address';

/** A pattern that also accepts the empty string, which means "not given". */
export function orEmpty(pattern: string): string {
  return `^$|${pattern}`;
}

/**
 * An optional string field: absent or `''` (what the SSM document sends for
 * a parameter left empty) means not given; anything else must match.
 */
function optionalMatching(pattern: string, what: string, example: string) {
  return z
    .string()
    .regex(new RegExp(orEmpty(pattern)), `must be ${what}, for example ${example}`)
    .optional()
    .transform((value) => (value === '' ? undefined : value));
}

export const remediationInputSchema = z.strictObject({
  accountId: optionalMatching(ACCOUNT_ID_PATTERN, 'a 12-digit AWS account ID', '111122223333'),
  trailName: optionalMatching(TRAIL_NAME_PATTERN, TRAIL_NAME_RULES, 'management-events').refine(
    (name) => name === undefined || isTrailName(name),
    {
      message: `must be ${TRAIL_NAME_RULES}, for example management-events`,
    },
  ),
  bucketName: optionalMatching(
    BUCKET_NAME_PATTERN,
    'an S3 bucket name of 3–63 lower-case letters, digits, "." or "-"',
    'cloudtrail-logs-111122223333',
  ),
  kmsKeyId: optionalMatching(
    KMS_KEY_ID_PATTERN,
    'a KMS key ID, key ARN, alias name or alias ARN',
    'alias/cloudtrail',
  ),
  accessLogBucketName: optionalMatching(
    BUCKET_NAME_PATTERN,
    'an S3 bucket name of 3–63 lower-case letters, digits, "." or "-"',
    'access-logs-111122223333',
  ),
  logRetentionDays: optionalDays(
    'the number of days after which log files (and access logs) expire',
    '2557',
  ),
  tags: optionalMatching(
    TAGS_PATTERN,
    'key=value pairs separated by commas (letters, digits, spaces and _ . : / + - @)',
    'team=security,cost-center=1234',
  ).transform((text, context) => {
    if (text === undefined) return undefined;
    const tags = parseTags(text);
    if (typeof tags === 'string') {
      context.addIssue({ code: 'custom', message: tags });
      return z.NEVER;
    }
    return tags;
  }),
  cloudWatchLogsLogGroupArn: optionalMatching(
    LOG_GROUP_ARN_PATTERN,
    'a CloudWatch Logs log group ARN',
    'arn:aws:logs:us-east-1:111122223333:log-group:cloudtrail:*',
  ),
  cloudWatchLogsRoleArn: optionalMatching(
    ROLE_ARN_PATTERN,
    'an IAM role ARN',
    'arn:aws:iam::111122223333:role/cloudtrail-to-cloudwatch-logs',
  ),
  objectLockDays: optionalDays(
    'the number of days of Object Lock GOVERNANCE retention on a new log bucket',
    '365',
  ),
  hardenRepairedTrail: z
    .union([z.boolean(), z.enum(['', 'true', 'false'])])
    .optional()
    .transform((value) => value === true || value === 'true'),
  trustedLogAccountIds: optionalMatching(
    ACCOUNT_IDS_PATTERN,
    '12-digit AWS account IDs separated by commas',
    '444455556666',
  ).transform((text) => (text === undefined ? undefined : [...new Set(text.split(','))])),
  dryRun: z.boolean().optional().default(false),
});

/** A number of days given as digits (the document) or a number (the command line); `''` is not given. */
function optionalDays(what: string, example: string) {
  return z
    .union([z.number(), z.string()])
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return undefined;
      const text = String(value);
      const days = Number(text);
      if (!new RegExp(DAYS_PATTERN).test(text) || days > MAX_DAYS) {
        context.addIssue({
          code: 'custom',
          message: `must be ${what}: a whole number from 1 to ${MAX_DAYS}, for example ${example}`,
        });
        return z.NEVER;
      }
      return days;
    });
}

/**
 * Reads `key=value,key=value` into tags, or says what is wrong: a key given
 * twice, a key AWS reserves (`aws:`), or more than {@link MAX_USER_TAGS}.
 *
 * @example
 * parseTags('team=security,env=prod') // => { team: 'security', env: 'prod' }
 */
export function parseTags(text: string): Record<string, string> | string {
  const tags: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (at < 1 || key === '') return `has "${pair}", which is not key=value`;
    if (RESERVED_TAG_PREFIX.test(key)) return `has the key "${key}": AWS reserves the aws: prefix`;
    if (key === CREATED_BY_TAG.key) {
      return `has the key "${key}", which the remediation sets itself to "${CREATED_BY_TAG.value}"`;
    }
    if (key in tags) return `gives the key "${key}" twice`;
    tags[key] = value;
  }
  if (Object.keys(tags).length > MAX_USER_TAGS) {
    return `has ${Object.keys(tags).length} tags, more than the ${MAX_USER_TAGS} the remediation can add beside its own`;
  }
  return tags;
}

/** The remediation function's input, after parsing: a value not given is absent. */
export interface RemediationInput extends HardeningChoices {
  accountId?: string | undefined;
  trailName?: string | undefined;
  bucketName?: string | undefined;
  kmsKeyId?: string | undefined;
  dryRun: boolean;
}

/**
 * What the remediation sets up beyond CloudTrail.1, so the trail and
 * buckets it creates or repairs pass the other Security Hub controls
 * (docs/security-hub.md). Each is an option of the deployment and a flag of
 * `remediate`.
 */
export interface HardeningChoices {
  /** Where the log bucket's server access logs go (a bucket of this account and Region); absent: a bucket the remediation creates. */
  accessLogBucketName?: string | undefined;
  /** Days after which log files expire; absent: they never do. */
  logRetentionDays?: number | undefined;
  /** The organization's own tags, beside {@link CREATED_BY_TAG}. */
  tags?: Record<string, string> | undefined;
  /** Where a new (or hardened) trail also sends its events, and the role CloudTrail uses for it. */
  cloudWatchLogsLogGroupArn?: string | undefined;
  cloudWatchLogsRoleArn?: string | undefined;
  /** Object Lock GOVERNANCE retention, in days, on a new log bucket. */
  objectLockDays?: number | undefined;
  /** Also harden a repaired trail: log file validation, key, CloudWatch Logs, its bucket's access. */
  hardenRepairedTrail?: boolean | undefined;
  /** Accounts besides this one whose buckets and keys a repaired trail may deliver to. */
  trustedLogAccountIds?: string[] | undefined;
}

// The schema's output must fit the interface the rest of the code uses.
const _parsedFits: (parsed: z.output<typeof remediationInputSchema>) => RemediationInput = (p) => p;

/** The input's fields: the SSM document passes exactly these. */
export const REMEDIATION_INPUT_FIELDS = Object.keys(remediationInputSchema.shape) as (keyof z.input<
  typeof remediationInputSchema
>)[];

/** The trail the remediation creates when no trail of the account can be repaired and none is named. */
export const DEFAULT_TRAIL_NAME = 'multi-region-management-events';

/**
 * The tag the remediation puts on every trail and bucket it creates, so a
 * person can tell what made them (and CloudTrail.9 finds the trail tagged).
 */
export const CREATED_BY_TAG = { key: 'created-by', value: 'cloudtrail-multi-region-rule' } as const;

/**
 * The suffix that makes a default bucket name unpredictable: 8 lower-case
 * hexadecimal digits that only the deployment knows (the deployed function
 * gets it from its stack's ID; the command line derives it from the
 * caller's principal). Bucket names are global, so a predictable name could
 * be created first by any other account, and the remediation could then
 * never create its bucket.
 */
export const BUCKET_SUFFIX_PATTERN = '^[0-9a-f]{8}$';

/**
 * The suffix for a run with no deployment behind it (the command line): the
 * first 8 hexadecimal digits of a hash of the account and the caller's
 * unique principal ID (a role's or user's ID, which AWS generates and does
 * not show outside the account). Stable for that caller, so a rerun finds
 * the bucket the first run created.
 */
export function callerBucketSuffix(accountId: string, principalId: string): string {
  return createHash('sha256')
    .update(`cloudtrail-logs:${accountId}:${principalId}`)
    .digest('hex')
    .slice(0, 8);
}

/**
 * The log bucket the remediation creates when none is named: one per
 * account, Region and deployment. Stable for a deployment, so a rerun after
 * a partial failure finds the bucket the first run created.
 *
 * @example
 * defaultBucketName('111122223333', 'eu-west-1', '3f9c04ab') // => 'cloudtrail-logs-111122223333-eu-west-1-3f9c04ab'
 */
export function defaultBucketName(accountId: string, region: string, suffix: string): string {
  return `cloudtrail-logs-${accountId}-${region}-${suffix}`;
}

/** The bucket that receives the log bucket's server access logs when none is named. */
export function defaultAccessLogBucketName(
  accountId: string,
  region: string,
  suffix: string,
): string {
  return `cloudtrail-access-logs-${accountId}-${region}-${suffix}`;
}
