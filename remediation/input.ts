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
  dryRun: z.boolean().optional().default(false),
});

/** The remediation function's input, after parsing: a value not given is absent. */
export interface RemediationInput {
  accountId?: string | undefined;
  trailName?: string | undefined;
  bucketName?: string | undefined;
  kmsKeyId?: string | undefined;
  dryRun: boolean;
}

// The schema's output must fit the interface the rest of the code uses.
const _parsedFits: (parsed: z.output<typeof remediationInputSchema>) => RemediationInput = (p) => p;

/** The input's fields: the SSM document passes exactly these. */
export const REMEDIATION_INPUT_FIELDS = Object.keys(remediationInputSchema.shape) as (
  | 'accountId'
  | 'trailName'
  | 'bucketName'
  | 'kmsKeyId'
  | 'dryRun'
)[];

/** The trail the remediation creates when no trail of the account can be repaired and none is named. */
export const DEFAULT_TRAIL_NAME = 'multi-region-management-events';

/**
 * The log bucket the remediation creates when none is named: one per account
 * and Region, so the name is predictable for the IAM policy that allows it.
 */
export function defaultBucketName(accountId: string, region: string): string {
  return `cloudtrail-logs-${accountId}-${region}`;
}
