import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  assertDocumentName,
  documentWorstCaseSeconds,
  RESERVED_DOCUMENT_PREFIXES,
  remediationDocument,
} from '../remediation/document';
import {
  ACCOUNT_IDS_PATTERN,
  BUCKET_NAME_PATTERN,
  isTrailName,
  KMS_KEY_ID_PATTERN,
  MAX_DAYS,
  MAX_USER_TAGS,
  parseTags,
  TAGS_PATTERN,
  TRAIL_NAME_PATTERN,
} from '../remediation/input';
import { unknownRegionReason } from '../remediation/regions';
import {
  DEFAULT_PARAMETERS,
  MAX_UNDECIDED_WINDOW_HOURS,
  type ParameterName,
  READ_WRITE_TYPES,
  TEXT_PARAMETER_PATTERNS,
  UNDECIDED_WINDOW_HOURS_PATTERN,
} from '../rule/parameters';
import {
  DEFAULT_RULE_NAME,
  defaultUndecidedWindowHours,
  EXECUTION_FREQUENCIES,
  EXECUTION_PERIOD_HOURS,
  RULE_NAME_PATTERN,
  resourceNames,
} from './names';
import type { OptionEntry } from './option-entry';

/**
 * Every option the deployment takes, one entry each: what kind of value it
 * is, its default, what it accepts (and how the errors say it), an example,
 * and the description of its template parameter. The context reader
 * (`parseOptions`, `parseRolloutOptions`), the parameters of the member
 * template and the conformance pack, and the check of the docs' option
 * tables are all derived from these entries.
 *
 * Adding an option is one entry here plus its use. An option with a
 * `parameter` is also a parameter of the member template; a rule parameter
 * (`group: 'ruleParameter'`) is read by the rule's own parser.
 */

export {
  DEFAULT_RULE_NAME,
  defaultUndecidedWindowHours,
  EXECUTION_FREQUENCIES,
  EXECUTION_PERIOD_HOURS,
};

/** A KMS key ARN: CloudWatch Logs takes a key by its ARN, never by an alias. */
const LOG_GROUP_KEY_ARN_PATTERN =
  '^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$';
/** 1 to 16 subnet IDs, comma-separated (Lambda's VpcConfig takes at most 16). */
const SUBNET_IDS_PATTERN = '^subnet-[0-9a-f]{8,17}(,subnet-[0-9a-f]{8,17}){0,15}$';
/** 1 to 5 security group IDs, comma-separated (Lambda's VpcConfig takes at most 5). */
const SECURITY_GROUP_IDS_PATTERN = '^sg-[0-9a-f]{8,17}(,sg-[0-9a-f]{8,17}){0,4}$';
/** A standard SNS topic ARN: CloudWatch alarm actions cannot publish to a FIFO topic. */
const TOPIC_ARN_PATTERN = '^arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256}$';

/**
 * A whole number of days from 1 to 36,500 ({@link MAX_DAYS}), as one
 * pattern: a template parameter that may be left empty is a String, which
 * `MinValue` and `MaxValue` cannot bound.
 */
const DAYS_RANGE_PATTERN = '^([1-9][0-9]{0,3}|[12][0-9]{4}|3[0-5][0-9]{3}|36[0-4][0-9]{2}|36500)$';

/**
 * How long the trails' CloudWatch Logs log group keeps events: CDK's
 * retention values from a year up. AWS Control Tower's CT.CLOUDWATCH.PR.2
 * (and Security Hub's CloudWatch.16, by default) want at least 365 days, and
 * every synth runs the Control Tower rules.
 */
const TRAIL_LOG_RETENTION_DAYS = Object.values(RetentionDays)
  .filter((days): days is number => typeof days === 'number')
  .filter((days) => days >= RetentionDays.ONE_YEAR && days !== RetentionDays.INFINITE)
  .map(String);

/** What `tags` refuses beyond its pattern: a key given twice, an `aws:` key, too many tags. */
function tagsProblem(text: string): string | undefined {
  const tags = parseTags(text);
  return typeof tags === 'string' ? `it ${tags}` : undefined;
}

/** The longest one run of the remediation document can take (its shape does not depend on the names in it). */
export const DOCUMENT_RUN_SECONDS = documentWorstCaseSeconds(
  remediationDocument({ remediationFunction: 'remediation', ruleName: 'rule' }),
);

/** The most automatic attempts, and the longest retry window, AWS Config accepts. */
const MAX_AUTOMATIC_ATTEMPTS = 25;
const MAX_RETRY_ATTEMPT_SECONDS = 2_678_000;

/** A pattern that refuses, in any case, the prefixes SSM reserves for document names (which are named after the rule). */
const NOT_RESERVED = `(?!${RESERVED_DOCUMENT_PREFIXES.map((prefix) =>
  [...prefix].map((c) => `[${c.toUpperCase()}${c.toLowerCase()}]`).join(''),
).join('|')})`;

/** Why SSM would refuse the document named after a rule name, if it would. */
function documentNameProblem(ruleName: string): string | undefined {
  try {
    assertDocumentName(resourceNames(ruleName).documentName);
    return undefined;
  } catch (error) {
    return `the remediation document is named after it, and ${(error as Error).message}`;
  }
}

/**
 * The rule's own parameters, as options: names, patterns and defaults are
 * the rule's, and the reader checks their values with the rule's own parser,
 * so the stack accepts exactly what the rule accepts.
 */
const RULE_PARAMETER_SCHEMA = {
  s3BucketName: {
    kind: 'text',
    group: 'ruleParameter',
    pattern: TEXT_PARAMETER_PATTERNS.s3BucketName.source,
    optional: true,
    accepts: 'an S3 bucket name',
    example: 'org-cloudtrail-logs',
    parameter: {
      description: 'The passing trail must deliver to this S3 bucket. Empty: any bucket.',
    },
  },
  snsTopicArn: {
    kind: 'text',
    group: 'ruleParameter',
    pattern: TEXT_PARAMETER_PATTERNS.snsTopicArn.source,
    optional: true,
    accepts: 'an SNS topic ARN',
    example: 'arn:aws:sns:us-east-1:111122223333:trail-topic',
    parameter: {
      description: 'The passing trail must notify this SNS topic (ARN). Empty: any or none.',
    },
  },
  cloudWatchLogsLogGroupArn: {
    kind: 'text',
    group: 'ruleParameter',
    pattern: TEXT_PARAMETER_PATTERNS.cloudWatchLogsLogGroupArn.source,
    optional: true,
    accepts: 'a CloudWatch Logs log group ARN',
    example: 'arn:aws:logs:us-east-1:111122223333:log-group:trail-logs:*',
    parameter: {
      description:
        'The passing trail must send to this CloudWatch Logs log group (ARN). Empty: any or none.',
    },
  },
  includeManagementEvents: {
    kind: 'boolean',
    group: 'ruleParameter',
    default: DEFAULT_PARAMETERS.includeManagementEvents,
    accepts: 'true, false',
    example: 'true',
    parameter: { description: 'Require management events to be logged from every event source.' },
  },
  readWriteType: {
    kind: 'choice',
    group: 'ruleParameter',
    values: READ_WRITE_TYPES,
    default: DEFAULT_PARAMETERS.readWriteType,
    accepts: READ_WRITE_TYPES.join(', '),
    example: 'ALL',
    parameter: {
      description:
        'The kinds of management events that must be logged: ALL, ReadOnly or WriteOnly.',
    },
  },
  trustOrganizationTrails: {
    kind: 'boolean',
    group: 'ruleParameter',
    default: DEFAULT_PARAMETERS.trustOrganizationTrails,
    accepts: 'true, false',
    example: 'false',
    parameter: {
      description:
        'Count a logging multi-Region organization trail whose selectors this member account cannot read.',
    },
  },
  requireDelivery: {
    kind: 'boolean',
    group: 'ruleParameter',
    default: DEFAULT_PARAMETERS.requireDelivery,
    accepts: 'true, false',
    example: 'true',
    parameter: {
      description:
        'A logging trail whose last delivery to its bucket failed (LatestDeliveryError, or nothing delivered for over an hour) does not pass. false, as in Security Hub: it passes and the annotation names the error.',
    },
  },
  undecidedWindowHours: {
    kind: 'number',
    group: 'ruleParameter',
    min: 1,
    max: MAX_UNDECIDED_WINDOW_HOURS,
    optional: true,
    defaultText: 'twice the period of maximumExecutionFrequency',
    accepts: `a whole number of hours from 1 to ${MAX_UNDECIDED_WINDOW_HOURS}`,
    example: '48',
    parameter: {
      description:
        'Hours the account may go without a decided verdict before the rule reports NON_COMPLIANT "could not verify since ...". Empty: twice the period of MaximumExecutionFrequency.',
      pattern: UNDECIDED_WINDOW_HOURS_PATTERN.source,
    },
  },
} as const satisfies Record<ParameterName, OptionEntry & { group: 'ruleParameter' }>;

/** The deployment's options, in the order docs/deployment.md and the member template list them. */
export const DEPLOYMENT_OPTION_SCHEMA = {
  ruleName: {
    kind: 'text',
    group: 'rule',
    pattern: RULE_NAME_PATTERN,
    refuse: documentNameProblem,
    default: DEFAULT_RULE_NAME,
    accepts: '1–36 letters, digits and hyphens, starting with a letter',
    example: DEFAULT_RULE_NAME,
    parameter: {
      description:
        'The Config rule name; the functions, document and roles are named after it. 1-36 letters, digits and hyphens, starting with a letter.',
      // The parser explains a reserved prefix on its own; the parameter can only refuse it.
      pattern: `^${NOT_RESERVED}${RULE_NAME_PATTERN.slice(1)}`,
    },
  },
  maximumExecutionFrequency: {
    kind: 'choice',
    group: 'schedule',
    values: EXECUTION_FREQUENCIES,
    default: 'TwentyFour_Hours',
    accepts: EXECUTION_FREQUENCIES.join(', '),
    example: 'Six_Hours',
    parameter: { description: 'How often AWS Config runs the periodic evaluation.' },
  },
  ...RULE_PARAMETER_SCHEMA,
  triggerOnTrailChange: {
    kind: 'boolean',
    group: 'schedule',
    default: true,
    accepts: 'true, false',
    example: 'false',
    parameter: {
      description:
        'Also evaluate when a trail changes (needs AWS::CloudTrail::Trail recorded by AWS Config).',
    },
  },
  automaticRemediation: {
    kind: 'boolean',
    group: 'remediation',
    default: false,
    accepts: 'true, false',
    example: 'true',
    parameter: { description: 'Remediate automatically when the rule is NON_COMPLIANT.' },
  },
  maximumAutomaticAttempts: {
    kind: 'number',
    group: 'remediation',
    min: 1,
    max: MAX_AUTOMATIC_ATTEMPTS,
    default: 5,
    accepts: `a whole number from 1 to ${MAX_AUTOMATIC_ATTEMPTS}`,
    example: '3',
    parameter: {
      description:
        'Failed automatic remediation attempts before AWS Config records a remediation exception. The retry window covers that many runs of the document.',
    },
  },
  // No template parameter: CloudFormation cannot check that a window given at deploy time
  // covers the attempts given with it, so the member template looks the window up by the attempts.
  retryAttemptSeconds: {
    kind: 'number',
    group: 'remediation',
    min: 1,
    max: MAX_RETRY_ATTEMPT_SECONDS,
    optional: true,
    defaultText: `maximumAutomaticAttempts × ${DOCUMENT_RUN_SECONDS}`,
    accepts: `a whole number of seconds up to ${MAX_RETRY_ATTEMPT_SECONDS}, at least maximumAutomaticAttempts × ${DOCUMENT_RUN_SECONDS}`,
    example: '3600',
  },
  trailName: {
    kind: 'text',
    group: 'remediation',
    pattern: TRAIL_NAME_PATTERN,
    valid: isTrailName,
    optional: true,
    accepts:
      'a trail name: 3–128 letters and digits with single ".", "_" or "-" between them, not an IP address',
    example: 'management-events',
    parameter: {
      description:
        'The name of a trail the remediation creates. Empty: multi-region-management-events.',
      // What isTrailName checks besides the pattern: 3–128 characters, not an IP address.
      pattern: `^(?=.{3,128}$)(?![0-9]{1,3}([.][0-9]{1,3}){3}$)${TRAIL_NAME_PATTERN.slice(1)}`,
    },
  },
  bucketName: {
    kind: 'text',
    group: 'remediation',
    pattern: BUCKET_NAME_PATTERN,
    optional: true,
    accepts: 'an S3 bucket name: 3–63 lower-case letters, digits, ".", "-"',
    example: 'cloudtrail-logs-111122223333',
    parameter: {
      description:
        'The bucket a trail the remediation creates delivers to. Empty: S3BucketName, else cloudtrail-logs-<account>-<Region>-<suffix> (the suffix from the stack ID). Must equal S3BucketName when both are set.',
    },
  },
  kmsKeyId: {
    kind: 'text',
    group: 'remediation',
    pattern: KMS_KEY_ID_PATTERN,
    optional: true,
    accepts: 'a KMS key ID, key ARN, alias name or alias ARN',
    example: 'alias/cloudtrail',
    parameter: {
      description:
        'The KMS key (ID, ARN, alias name or alias ARN) a trail the remediation creates encrypts with. Empty: SSE-S3.',
    },
  },
  trailKey: {
    kind: 'choice',
    group: 'remediation',
    values: ['none', 'create'],
    default: 'none',
    accepts: 'none, create (not with kmsKeyId)',
    example: 'create',
    parameter: {
      description:
        'create: the deployment creates a KMS key (rotation on, kept when the stack is deleted) that trails the remediation creates encrypt their log files with. Not with KmsKeyId. none: no key of its own.',
    },
  },
  accessLogBucketName: {
    kind: 'text',
    group: 'remediation',
    pattern: BUCKET_NAME_PATTERN,
    optional: true,
    accepts: 'an S3 bucket name: 3–63 lower-case letters, digits, ".", "-"',
    example: 'access-logs-111122223333',
    parameter: {
      description:
        "The bucket that receives the server access logs of a log bucket the remediation creates: this account's or a trusted log account's. Empty: cloudtrail-access-logs-<account>-<Region>-<suffix>, which the remediation creates.",
    },
  },
  logRetentionDays: {
    kind: 'number',
    group: 'remediation',
    min: 1,
    max: MAX_DAYS,
    optional: true,
    accepts: `a whole number of days from 1 to ${MAX_DAYS}`,
    example: '2557',
    parameter: {
      description:
        'Days after which log files in a log bucket the remediation creates expire. Empty: they never do.',
      pattern: DAYS_RANGE_PATTERN,
    },
  },
  objectLockDays: {
    kind: 'number',
    group: 'remediation',
    min: 1,
    max: MAX_DAYS,
    optional: true,
    accepts: `a whole number of days from 1 to ${MAX_DAYS}`,
    example: '365',
    parameter: {
      description:
        'Days of Object Lock retention (GOVERNANCE mode) on a log bucket the remediation creates. Empty: no Object Lock.',
      pattern: DAYS_RANGE_PATTERN,
    },
  },
  tags: {
    kind: 'text',
    group: 'remediation',
    pattern: TAGS_PATTERN,
    refuse: tagsProblem,
    optional: true,
    accepts: `key=value pairs, comma-separated: letters, digits, spaces and _ . : / + - @ (and = in a value); at most ${MAX_USER_TAGS}, no key twice, no aws: key`,
    example: 'team=security,cost-center=1234',
    parameter: {
      description:
        'key=value pairs, comma-separated, for the trail and buckets the remediation creates, beside its own created-by tag. Empty: only that tag.',
    },
  },
  cloudWatchLogs: {
    kind: 'boolean',
    group: 'remediation',
    default: false,
    accepts: 'true, false',
    example: 'true',
    parameter: {
      description:
        'true: the deployment creates a CloudWatch Logs log group and the role CloudTrail writes to it with, and trails the remediation creates (or hardens) send their events there.',
    },
  },
  cloudWatchLogsRetentionDays: {
    kind: 'choice',
    group: 'remediation',
    values: TRAIL_LOG_RETENTION_DAYS,
    default: String(RetentionDays.ONE_YEAR),
    accepts: TRAIL_LOG_RETENTION_DAYS.join(', '),
    example: '731',
    parameter: {
      description:
        'Days the log group CloudWatchLogs creates keeps the trail events: 365 or more, as AWS Control Tower (CT.CLOUDWATCH.PR.2) wants.',
    },
  },
  hardenRepairedTrail: {
    kind: 'boolean',
    group: 'remediation',
    default: false,
    accepts: 'true, false',
    example: 'true',
    parameter: {
      description:
        "true: a repaired trail also gets log file validation, the trails' key and CloudWatch Logs where it has none, and its own bucket (this account's) Block Public Access and the TLS-only statement. The remediation role may then change any bucket policy of this account.",
    },
  },
  trustedLogAccountIds: {
    kind: 'list',
    group: 'remediation',
    pattern: ACCOUNT_IDS_PATTERN,
    optional: true,
    accepts: '12-digit account IDs, comma-separated',
    example: '444455556666',
    parameter: {
      description:
        'Accounts besides this one (a log archive account, say) whose buckets a trail may deliver to and still be repaired, comma-separated. Empty: this account only.',
    },
  },
  logGroupKmsKeyArn: {
    kind: 'text',
    group: 'functionPlacement',
    pattern: LOG_GROUP_KEY_ARN_PATTERN,
    optional: true,
    accepts: 'a KMS key ARN in the stack’s Region',
    example: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    parameter: {
      description:
        "A KMS key ARN, in this Region, that encrypts both functions' log groups; its policy must let CloudWatch Logs use it. Empty: CloudWatch Logs' own encryption.",
    },
  },
  subnetIds: {
    kind: 'list',
    group: 'functionPlacement',
    pattern: SUBNET_IDS_PATTERN,
    optional: true,
    accepts: '1 to 16 subnet IDs, comma-separated, with securityGroupIds',
    example: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
    parameter: {
      description:
        'Subnet IDs, comma-separated, for both functions; they need VPC endpoints or a NAT route to the AWS APIs. Set with SecurityGroupIds. Empty: no VPC.',
    },
  },
  securityGroupIds: {
    kind: 'list',
    group: 'functionPlacement',
    pattern: SECURITY_GROUP_IDS_PATTERN,
    optional: true,
    accepts: '1 to 5 security group IDs, comma-separated, with subnetIds',
    example: 'sg-0123456789abcdef0',
    parameter: {
      description:
        'Security group IDs, comma-separated, for both functions. Set with SubnetIds. Empty: no VPC.',
    },
  },
  alarmTopicArn: {
    kind: 'text',
    group: 'functionPlacement',
    pattern: TOPIC_ARN_PATTERN,
    optional: true,
    accepts: 'a standard (not FIFO) SNS topic ARN',
    example: 'arn:aws:sns:eu-west-1:111122223333:security-alerts',
    parameter: {
      description:
        "An SNS topic ARN that the functions' error alarms notify. Empty: the alarms change state without notifying anyone.",
    },
  },
  reservedConcurrency: {
    kind: 'number',
    group: 'functionPlacement',
    min: 0,
    max: 20,
    default: 3,
    accepts: 'a whole number from 0 (no reservation) to 20',
    example: '0',
    parameter: {
      description:
        "Concurrent runs reserved for each function, so that other functions using up the account's Lambda concurrency cannot throttle them. Lambda keeps 100 unreserved: the account's concurrency quota must be at least 100 plus twice this. 0: no reservation.",
    },
  },
} as const satisfies Record<string, OptionEntry>;

export type OptionName = keyof typeof DEPLOYMENT_OPTION_SCHEMA;

const CALL_AS = ['DELEGATED_ADMIN', 'SELF'] as const;
const REGION_CONCURRENCY = ['PARALLEL', 'SEQUENTIAL'] as const;
const CONCURRENCY_MODES = ['SOFT_FAILURE_TOLERANCE', 'STRICT_FAILURE_TOLERANCE'] as const;

/** An OU ID or the organization's root ID. */
export const OU_OR_ROOT = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
const STACK_SET_NAME = '^[a-zA-Z][-a-zA-Z0-9]{0,127}$';
/** StackSets takes at most this many OUs in one operation (CreateStackInstances). */
const MAX_OUS = 50;

/**
 * The organization rollout's options, in the order
 * docs/organization-rollout.md lists them. `stackSetName` defaults to the
 * rule name, which the reader is given.
 */
export const ROLLOUT_OPTION_SCHEMA = {
  organizationalUnitIds: {
    kind: 'list',
    group: 'rollout',
    item: OU_OR_ROOT,
    maxItems: MAX_OUS,
    optional: true,
    defaultText: '(a CloudFormation parameter, OrganizationalUnitIds, given at deploy time)',
    accepts: `a comma-separated list of up to ${MAX_OUS} OU IDs (ou-…) or the root ID (r-…)`,
    example: 'ou-ab12-cdef3456,ou-ab12-7890abcd',
    // Left unset, the rollout stack takes the OUs as this CloudFormation parameter at deploy time.
    parameter: {
      description:
        'The OUs (ou-…) or the root (r-…) to deploy the rule to, comma-separated. Accounts that join them later get it too.',
    },
  },
  regions: {
    kind: 'list',
    group: 'rollout',
    item: REGION,
    refuseItem: unknownRegionReason,
    optional: true,
    defaultText: 'the Region the rollout stack is deployed in',
    accepts: 'a comma-separated list of Region codes',
    example: 'us-east-1,eu-west-1',
  },
  stackSetName: {
    kind: 'text',
    group: 'rollout',
    pattern: STACK_SET_NAME,
    defaultText: 'the rule name',
    accepts: '1–128 letters, digits and hyphens, starting with a letter',
    example: 'cloudtrail-1',
  },
  callAs: {
    kind: 'choice',
    group: 'rollout',
    values: CALL_AS,
    default: 'DELEGATED_ADMIN',
    accepts: 'DELEGATED_ADMIN (a delegated administrator account), SELF (the management account)',
    example: 'SELF',
  },
  failureTolerancePercentage: {
    kind: 'number',
    group: 'rollout',
    min: 0,
    max: 100,
    default: 10,
    accepts: 'a whole number from 0 to 100',
    example: '5',
  },
  maxConcurrentPercentage: {
    kind: 'number',
    group: 'rollout',
    min: 1,
    max: 100,
    default: 25,
    accepts: 'a whole number from 1 to 100',
    example: '50',
  },
  regionConcurrencyType: {
    kind: 'choice',
    group: 'rollout',
    values: REGION_CONCURRENCY,
    default: 'PARALLEL',
    accepts: REGION_CONCURRENCY.join(', '),
    example: 'SEQUENTIAL',
  },
  concurrencyMode: {
    kind: 'choice',
    group: 'rollout',
    values: CONCURRENCY_MODES,
    default: 'SOFT_FAILURE_TOLERANCE',
    accepts: CONCURRENCY_MODES.join(', '),
    example: 'STRICT_FAILURE_TOLERANCE',
  },
  retainStacksOnAccountRemoval: {
    kind: 'boolean',
    group: 'rollout',
    default: false,
    accepts: 'true, false',
    example: 'true',
  },
  organizationAggregator: {
    kind: 'boolean',
    group: 'rollout',
    default: false,
    accepts: 'true, false',
    example: 'true',
  },
} as const satisfies Record<string, OptionEntry>;

export type RolloutOptionName = keyof typeof ROLLOUT_OPTION_SCHEMA;
