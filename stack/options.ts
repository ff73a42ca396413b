import {
  assertDocumentName,
  documentWorstCaseSeconds,
  remediationDocument,
} from '../remediation/document';
import {
  BUCKET_NAME_PATTERN,
  isTrailName,
  KMS_KEY_ID_PATTERN,
  TRAIL_NAME_PATTERN,
} from '../remediation/input';
import { InvalidParameterError } from '../rule/errors';
import { PARAMETER_NAMES, parameterValues, type RuleParameters } from '../rule/parameters';
import {
  type ContextLookup,
  ContextOptions,
  type OptionSpec,
  rejectMisspelledNames,
} from './context-options';
import { InvalidOptionError } from './errors';
import { resourceNames } from './names';

/**
 * The deployment's options: what `cdk deploy -c name=value` (or the
 * `context` of cdk.json) can set, with their defaults. The stack and the
 * conformance pack are both built from one parsed {@link DeploymentOptions},
 * so they accept exactly the same values.
 */

/** How often Config runs the periodic evaluation, as Config spells it. */
export const EXECUTION_FREQUENCIES = [
  'One_Hour',
  'Three_Hours',
  'Six_Hours',
  'Twelve_Hours',
  'TwentyFour_Hours',
] as const;
export type ExecutionFrequency = (typeof EXECUTION_FREQUENCIES)[number];

export interface DeploymentOptions {
  /** The Config rule's name; every other name (functions, document, role, stack) derives from it. */
  ruleName: string;
  maximumExecutionFrequency: ExecutionFrequency;
  /** The rule's own parameters, parsed by the rule's own parser. */
  ruleParameters: RuleParameters;
  /** Also evaluate when a trail changes (needs `AWS::CloudTrail::Trail` recorded by Config). */
  triggerOnTrailChange: boolean;
  automaticRemediation: boolean;
  maximumAutomaticAttempts: number;
  /** The retry window when given; unset, it is the shortest that covers the attempts ({@link retryWindow}). */
  retryAttemptSeconds?: number;
  /** Static values for the remediation document; absent means the document's default. */
  trailName?: string;
  bucketName?: string;
  kmsKeyId?: string;
  /** A KMS key (ARN) for both functions' log groups. */
  logGroupKmsKeyArn?: string;
  /** Subnets and security groups for both functions: both or neither. */
  subnetIds?: string[];
  securityGroupIds?: string[];
  /** An SNS topic that the functions' error alarms notify. */
  alarmTopicArn?: string;
}

export { InvalidOptionError };

export const DEFAULT_RULE_NAME = 'cloudtrail-1-multi-region-trail';

/**
 * Rule names become the stack name, function names, the document name and
 * part of the automation role's name (`<ruleName>-automation-<Region>`, at
 * most 64 characters), so they are held to what all of those accept.
 */
export const RULE_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9-]{0,35}$';
const RULE_NAME = new RegExp(RULE_NAME_PATTERN);
const MAX_INPUT_PARAMETERS_LENGTH = 1024;

/** A KMS key ARN: CloudWatch Logs takes a key by its ARN, never by an alias. */
export const LOG_GROUP_KEY_ARN_PATTERN =
  '^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$';
/** 1 to 16 subnet IDs, comma-separated (Lambda's VpcConfig takes at most 16). */
export const SUBNET_IDS_PATTERN = '^subnet-[0-9a-f]{8,17}(,subnet-[0-9a-f]{8,17}){0,15}$';
/** 1 to 5 security group IDs, comma-separated (Lambda's VpcConfig takes at most 5). */
export const SECURITY_GROUP_IDS_PATTERN = '^sg-[0-9a-f]{8,17}(,sg-[0-9a-f]{8,17}){0,4}$';
/** A standard SNS topic ARN: CloudWatch alarm actions cannot publish to a FIFO topic. */
export const TOPIC_ARN_PATTERN = '^arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256}$';

/** The longest one run of the remediation document can take (its shape does not depend on the names in it). */
export const DOCUMENT_RUN_SECONDS = documentWorstCaseSeconds(
  remediationDocument({ remediationFunction: 'remediation', ruleName: 'rule' }),
);

/** The most automatic attempts, and the longest retry window, AWS Config accepts. */
export const MAX_AUTOMATIC_ATTEMPTS = 25;
export const MAX_RETRY_ATTEMPT_SECONDS = 2_678_000;
const DEFAULT_AUTOMATIC_ATTEMPTS = 5;

/**
 * The shortest retry window in which AWS Config can count `attempts` failed
 * runs of the document and record a remediation exception. Config records
 * one only when that many attempts fall inside `RetryAttemptSeconds`; with a
 * shorter window a failing account is remediated again and again, forever.
 */
export function minimumRetryAttemptSeconds(attempts: number): number {
  return attempts * DOCUMENT_RUN_SECONDS;
}

/** Every option, its default and what it accepts, as docs/deployment.md and the errors say it. */
export const OPTIONS = {
  ruleName: {
    default: DEFAULT_RULE_NAME,
    accepts: '1–36 letters, digits and hyphens, starting with a letter',
    example: DEFAULT_RULE_NAME,
  },
  maximumExecutionFrequency: {
    default: 'TwentyFour_Hours',
    accepts: EXECUTION_FREQUENCIES.join(', '),
    example: 'Six_Hours',
  },
  s3BucketName: {
    default: '(not set)',
    accepts: 'an S3 bucket name',
    example: 'org-cloudtrail-logs',
  },
  snsTopicArn: {
    default: '(not set)',
    accepts: 'an SNS topic ARN',
    example: 'arn:aws:sns:us-east-1:111122223333:trail-topic',
  },
  cloudWatchLogsLogGroupArn: {
    default: '(not set)',
    accepts: 'a CloudWatch Logs log group ARN',
    example: 'arn:aws:logs:us-east-1:111122223333:log-group:trail-logs:*',
  },
  includeManagementEvents: { default: 'true', accepts: 'true, false', example: 'true' },
  readWriteType: { default: 'ALL', accepts: 'ALL, ReadOnly, WriteOnly', example: 'ALL' },
  trustOrganizationTrails: { default: 'true', accepts: 'true, false', example: 'false' },
  triggerOnTrailChange: { default: 'true', accepts: 'true, false', example: 'false' },
  automaticRemediation: { default: 'false', accepts: 'true, false', example: 'true' },
  maximumAutomaticAttempts: {
    default: String(DEFAULT_AUTOMATIC_ATTEMPTS),
    accepts: `a whole number from 1 to ${MAX_AUTOMATIC_ATTEMPTS}`,
    example: '3',
  },
  retryAttemptSeconds: {
    default: `maximumAutomaticAttempts × ${DOCUMENT_RUN_SECONDS}`,
    accepts: `a whole number of seconds up to ${MAX_RETRY_ATTEMPT_SECONDS}, at least maximumAutomaticAttempts × ${DOCUMENT_RUN_SECONDS}`,
    example: '3600',
  },
  trailName: {
    default: '(not set)',
    accepts:
      'a trail name: 3–128 letters and digits with single ".", "_" or "-" between them, not an IP address',
    example: 'management-events',
  },
  bucketName: {
    default: '(not set)',
    accepts: 'an S3 bucket name: 3–63 lower-case letters, digits, ".", "-"',
    example: 'cloudtrail-logs-111122223333',
  },
  kmsKeyId: {
    default: '(not set)',
    accepts: 'a KMS key ID, key ARN, alias name or alias ARN',
    example: 'alias/cloudtrail',
  },
  logGroupKmsKeyArn: {
    default: '(not set)',
    accepts: 'a KMS key ARN in the stack’s Region',
    example: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  },
  subnetIds: {
    default: '(not set)',
    accepts: '1 to 16 subnet IDs, comma-separated, with securityGroupIds',
    example: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
  },
  securityGroupIds: {
    default: '(not set)',
    accepts: '1 to 5 security group IDs, comma-separated, with subnetIds',
    example: 'sg-0123456789abcdef0',
  },
  alarmTopicArn: {
    default: '(not set)',
    accepts: 'a standard (not FIFO) SNS topic ARN',
    example: 'arn:aws:sns:eu-west-1:111122223333:security-alerts',
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
export const OPTION_NAMES = Object.keys(OPTIONS) as OptionName[];

export type { ContextLookup };

/**
 * Parses the deployment options from CDK context. Every value may be given
 * as a string (`-c name=value` always gives strings) or, from cdk.json, as a
 * JSON boolean or number. An empty string means "not set". A value that is
 * not accepted raises {@link InvalidOptionError} naming the option and what
 * it accepts, so `cdk synth` stops before anything is built.
 *
 * @example
 * parseOptions((name) => app.node.tryGetContext(name)).maximumExecutionFrequency
 */
export function parseOptions(
  context: ContextLookup,
  contextNames: string[] = [],
): DeploymentOptions {
  rejectMisspelledNames(OPTION_NAMES, contextNames);
  const read = new ContextOptions(OPTIONS, context);
  const text = (name: OptionName): string | undefined => read.text(name);

  const ruleName = text('ruleName') ?? DEFAULT_RULE_NAME;
  checkRuleName(ruleName, read);

  const options: DeploymentOptions = {
    ruleName,
    maximumExecutionFrequency: read.oneOf(
      'maximumExecutionFrequency',
      'TwentyFour_Hours',
      EXECUTION_FREQUENCIES,
    ),
    ruleParameters: ruleParameters(text),
    triggerOnTrailChange: read.boolean('triggerOnTrailChange', true),
    automaticRemediation: read.boolean('automaticRemediation', false),
    ...retrySettings(read),
  };
  const trailName = read.matching('trailName', TRAIL_NAME_PATTERN);
  const bucketName = read.matching('bucketName', BUCKET_NAME_PATTERN);
  const kmsKeyId = read.matching('kmsKeyId', KMS_KEY_ID_PATTERN);
  if (trailName !== undefined && !isTrailName(trailName)) {
    throw read.invalid('trailName', trailName);
  }
  const required = options.ruleParameters.s3BucketName;
  if (bucketName !== undefined && required !== undefined && bucketName !== required) {
    throw new InvalidOptionError(
      `Context options bucketName (${bucketName}) and s3BucketName (${required}) differ: a trail the remediation creates in bucketName would still fail the rule. Set only s3BucketName (the remediation then uses it), or give both the same value.`,
    );
  }
  if (trailName !== undefined) options.trailName = trailName;
  if (bucketName !== undefined) options.bucketName = bucketName;
  if (kmsKeyId !== undefined) options.kmsKeyId = kmsKeyId;
  return { ...options, ...functionOptions(read) };
}

/**
 * Where the functions run and who hears of their failures: a key for their
 * log groups, a VPC (subnets and security groups together), and a topic for
 * their error alarms. Organizations that enforce AWS Control Tower's
 * proactive controls need the first two to deploy at all.
 */
function functionOptions(
  read: ContextOptions<OptionName>,
): Pick<
  DeploymentOptions,
  'logGroupKmsKeyArn' | 'subnetIds' | 'securityGroupIds' | 'alarmTopicArn'
> {
  const list = (name: 'subnetIds' | 'securityGroupIds', pattern: string) => {
    const value = read.text(name, { list: true });
    if (value === undefined) return undefined;
    if (!new RegExp(pattern).test(value)) throw read.invalid(name, value);
    return value.split(',');
  };
  const subnetIds = list('subnetIds', SUBNET_IDS_PATTERN);
  const securityGroupIds = list('securityGroupIds', SECURITY_GROUP_IDS_PATTERN);
  if ((subnetIds === undefined) !== (securityGroupIds === undefined)) {
    throw new InvalidOptionError(
      `Context option ${subnetIds === undefined ? 'securityGroupIds' : 'subnetIds'} is set without ${subnetIds === undefined ? 'subnetIds' : 'securityGroupIds'}: a function in a VPC needs both. Set both (for example -c subnetIds=${OPTIONS.subnetIds.example} -c securityGroupIds=${OPTIONS.securityGroupIds.example}), or neither to keep the functions outside any VPC.`,
    );
  }
  const settings: ReturnType<typeof functionOptions> = {};
  const key = read.matching('logGroupKmsKeyArn', LOG_GROUP_KEY_ARN_PATTERN);
  const topic = read.matching('alarmTopicArn', TOPIC_ARN_PATTERN);
  if (key !== undefined) settings.logGroupKmsKeyArn = key;
  if (subnetIds !== undefined) settings.subnetIds = subnetIds;
  if (securityGroupIds !== undefined) settings.securityGroupIds = securityGroupIds;
  if (topic !== undefined) settings.alarmTopicArn = topic;
  return settings;
}

/** The rule parameters as AWS Config passes them: strings, in the rule's order, unset ones left out. */
export function ruleInputParameters(parameters: RuleParameters): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of PARAMETER_NAMES) {
    const value = parameters[name];
    if (value !== undefined) values[name] = String(value);
  }
  return values;
}

function ruleParameters(text: (name: OptionName) => string | undefined): RuleParameters {
  const given: Record<string, string> = {};
  for (const name of PARAMETER_NAMES) {
    const value = text(name);
    if (value !== undefined) given[name] = value;
  }
  let parameters: RuleParameters;
  try {
    // The rule's own parser: the stack accepts exactly what the rule accepts.
    parameters = parameterValues(given);
  } catch (error) {
    if (error instanceof InvalidParameterError) {
      throw new InvalidOptionError(`Invalid context option (a rule parameter): ${error.message}`);
    }
    throw error;
  }
  const length = JSON.stringify(ruleInputParameters(parameters)).length;
  if (length > MAX_INPUT_PARAMETERS_LENGTH) {
    throw new InvalidOptionError(
      `The rule parameters s3BucketName, snsTopicArn and cloudWatchLogsLogGroupArn together make InputParameters ${length} characters long; AWS Config accepts at most ${MAX_INPUT_PARAMETERS_LENGTH}. Shorten or leave out one of them.`,
    );
  }
  return parameters;
}

/**
 * The automatic attempts and their window. The window defaults to the
 * shortest that covers every attempt's worst-case run; a shorter one given
 * explicitly is refused, since Config would then retry a failing account
 * forever instead of recording a remediation exception.
 */
function retrySettings(
  read: ContextOptions<OptionName>,
): Pick<DeploymentOptions, 'maximumAutomaticAttempts' | 'retryAttemptSeconds'> {
  const attempts = read.wholeNumber(
    'maximumAutomaticAttempts',
    DEFAULT_AUTOMATIC_ATTEMPTS,
    1,
    MAX_AUTOMATIC_ATTEMPTS,
  );
  const minimum = minimumRetryAttemptSeconds(attempts);
  const given = read.text('retryAttemptSeconds');
  if (given === undefined) return { maximumAutomaticAttempts: attempts };
  const seconds = read.wholeNumber('retryAttemptSeconds', minimum, 1, MAX_RETRY_ATTEMPT_SECONDS);
  if (seconds < minimum) {
    throw new InvalidOptionError(
      `Context option retryAttemptSeconds (${seconds}) is shorter than maximumAutomaticAttempts (${attempts}) runs of the remediation document at their longest (${attempts} × ${DOCUMENT_RUN_SECONDS} s = ${minimum} s): AWS Config would never record a remediation exception and would retry a failing account forever. Set retryAttemptSeconds to at least ${minimum}, leave it unset for exactly that, or lower maximumAutomaticAttempts.`,
    );
  }
  return { maximumAutomaticAttempts: attempts, retryAttemptSeconds: seconds };
}

/** The remediation configuration's RetryAttemptSeconds: as given, else the shortest that covers the attempts. */
export function retryWindow(options: DeploymentOptions): number {
  return (
    options.retryAttemptSeconds ?? minimumRetryAttemptSeconds(options.maximumAutomaticAttempts)
  );
}

function checkRuleName(ruleName: string, read: ContextOptions<OptionName>): void {
  if (!RULE_NAME.test(ruleName)) throw read.invalid('ruleName', ruleName);
  try {
    assertDocumentName(resourceNames(ruleName).documentName);
  } catch (error) {
    throw new InvalidOptionError(
      `Context option ruleName has the value "${ruleName}", which is not accepted: the remediation document is named after it, and ${(error as Error).message}.`,
    );
  }
}
