// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are CloudFormation Fn::Sub variables.
import { RESERVED_DOCUMENT_PREFIXES } from '../remediation/document';
import { BUCKET_NAME_PATTERN, KMS_KEY_ID_PATTERN, TRAIL_NAME_PATTERN } from '../remediation/input';
import { PARAMETER_NAMES, type ParameterName, TEXT_PARAMETER_PATTERNS } from '../rule/parameters';
import {
  type DeploymentOptions,
  EXECUTION_FREQUENCIES,
  LOG_GROUP_KEY_ARN_PATTERN,
  MAX_AUTOMATIC_ATTEMPTS,
  minimumRetryAttemptSeconds,
  OPTION_NAMES,
  OPTIONS,
  type OptionName,
  RULE_NAME_PATTERN,
  ruleInputParameters,
  SECURITY_GROUP_IDS_PATTERN,
  SUBNET_IDS_PATTERN,
  TOPIC_ARN_PATTERN,
} from './options';
import { type CfnValue, NO_VALUE, type OptionalValue, type Switch } from './template-options';

/**
 * The deployment options as CloudFormation parameters, for the templates
 * that are deployed without the CDK: the organization's member template
 * (every option) and the conformance pack (the rule's parameters). Each
 * parameter is the option's name with a capital letter, its default is the
 * option's value (the stack's default unless cdk.json or `-c` set it), and
 * it only accepts what the option accepts, so a bad value fails before
 * anything is created. An empty string means "not set".
 */

export interface ParameterDeclaration {
  Type: 'String' | 'Number';
  Default: string;
  Description: string;
  AllowedValues?: string[];
  AllowedPattern?: string;
  ConstraintDescription?: string;
  MinValue?: number;
  MaxValue?: number;
}

/**
 * The options that are parameters of the member template. The retry window
 * is not one: CloudFormation cannot check that a window given at deploy
 * time covers the attempts given with it, so the template looks the window
 * up by the attempts instead ({@link retryWindowMapping}).
 */
export const TEMPLATE_PARAMETER_OPTIONS = OPTION_NAMES.filter(
  (name): name is Exclude<OptionName, 'retryAttemptSeconds'> => name !== 'retryAttemptSeconds',
);
export type TemplateParameterOption = (typeof TEMPLATE_PARAMETER_OPTIONS)[number];

/** The member template's mapping from MaximumAutomaticAttempts to RetryAttemptSeconds. */
export const RETRY_WINDOW_MAPPING = 'RemediationRetryWindow';

/**
 * For each number of attempts a template accepts, the retry window: the
 * shortest that covers that many worst-case runs of the document, or the
 * window `-c retryAttemptSeconds` gave when that is longer. Whatever
 * attempts a stack instance sets, Config records a remediation exception
 * instead of retrying forever.
 */
export function retryWindowMapping(
  options: DeploymentOptions,
): Record<string, { Seconds: number }> {
  const mapping: Record<string, { Seconds: number }> = {};
  for (let attempts = 1; attempts <= MAX_AUTOMATIC_ATTEMPTS; attempts++) {
    mapping[String(attempts)] = {
      Seconds: Math.max(options.retryAttemptSeconds ?? 0, minimumRetryAttemptSeconds(attempts)),
    };
  }
  return mapping;
}

/** The parameter for an option: `readWriteType` → `ReadWriteType`. */
export function parameterName(option: OptionName): string {
  return option.charAt(0).toUpperCase() + option.slice(1);
}

const TRUE_FALSE = ['true', 'false'];

const DESCRIPTIONS: Record<TemplateParameterOption, string> = {
  ruleName:
    'The Config rule name; the functions, document and roles are named after it. 1-36 letters, digits and hyphens, starting with a letter.',
  maximumExecutionFrequency: 'How often AWS Config runs the periodic evaluation.',
  s3BucketName: 'The passing trail must deliver to this S3 bucket. Empty: any bucket.',
  snsTopicArn: 'The passing trail must notify this SNS topic (ARN). Empty: any or none.',
  cloudWatchLogsLogGroupArn:
    'The passing trail must send to this CloudWatch Logs log group (ARN). Empty: any or none.',
  includeManagementEvents: 'Require management events to be logged from every event source.',
  readWriteType: 'The kinds of management events that must be logged: ALL, ReadOnly or WriteOnly.',
  trustOrganizationTrails:
    'Count a logging multi-Region organization trail whose selectors this member account cannot read.',
  triggerOnTrailChange:
    'Also evaluate when a trail changes (needs AWS::CloudTrail::Trail recorded by AWS Config).',
  automaticRemediation: 'Remediate automatically when the rule is NON_COMPLIANT.',
  maximumAutomaticAttempts:
    'Failed automatic remediation attempts before AWS Config records a remediation exception. The retry window covers that many runs of the document.',
  trailName: 'The name of a trail the remediation creates. Empty: multi-region-management-events.',
  bucketName:
    'The bucket a trail the remediation creates delivers to. Empty: S3BucketName, else cloudtrail-logs-<account>-<Region>. Must equal S3BucketName when both are set.',
  kmsKeyId:
    'The KMS key (ID, ARN, alias name or alias ARN) a trail the remediation creates encrypts with. Empty: SSE-S3.',
  logGroupKmsKeyArn:
    "A KMS key ARN, in this Region, that encrypts both functions' log groups; its policy must let CloudWatch Logs use it. Empty: CloudWatch Logs' own encryption.",
  subnetIds:
    'Subnet IDs, comma-separated, for both functions; they need VPC endpoints or a NAT route to the AWS APIs. Set with SecurityGroupIds. Empty: no VPC.',
  securityGroupIds:
    'Security group IDs, comma-separated, for both functions. Set with SubnetIds. Empty: no VPC.',
  alarmTopicArn:
    "An SNS topic ARN that the functions' error alarms notify. Empty: the alarms change state without notifying anyone.",
};

/** A pattern that refuses, in any case, the prefixes SSM reserves for document names (which are named after the rule). */
const NOT_RESERVED = `(?!${RESERVED_DOCUMENT_PREFIXES.map((prefix) =>
  [...prefix].map((c) => `[${c.toUpperCase()}${c.toLowerCase()}]`).join(''),
).join('|')})`;

/**
 * What the stack's parser checks besides its patterns, as lookaheads a
 * template parameter can hold: a rule name the document name may take, and
 * a trail name of 3–128 characters that is not an IP address.
 */
const FREE_TEXT: Partial<Record<OptionName, string>> = {
  ruleName: `^${NOT_RESERVED}${RULE_NAME_PATTERN.slice(1)}`,
  s3BucketName: TEXT_PARAMETER_PATTERNS.s3BucketName.source,
  snsTopicArn: TEXT_PARAMETER_PATTERNS.snsTopicArn.source,
  cloudWatchLogsLogGroupArn: TEXT_PARAMETER_PATTERNS.cloudWatchLogsLogGroupArn.source,
  trailName: `^(?=.{3,128}$)(?![0-9]{1,3}([.][0-9]{1,3}){3}$)${TRAIL_NAME_PATTERN.slice(1)}`,
  bucketName: BUCKET_NAME_PATTERN,
  kmsKeyId: KMS_KEY_ID_PATTERN,
  logGroupKmsKeyArn: LOG_GROUP_KEY_ARN_PATTERN,
  subnetIds: SUBNET_IDS_PATTERN,
  securityGroupIds: SECURITY_GROUP_IDS_PATTERN,
  alarmTopicArn: TOPIC_ARN_PATTERN,
};

const NUMBERS: Partial<Record<OptionName, [number, number]>> = {
  maximumAutomaticAttempts: [1, MAX_AUTOMATIC_ATTEMPTS],
};

const CHOICES: Partial<Record<OptionName, readonly string[]>> = {
  maximumExecutionFrequency: EXECUTION_FREQUENCIES,
  includeManagementEvents: TRUE_FALSE,
  readWriteType: ['ALL', 'ReadOnly', 'WriteOnly'],
  trustOrganizationTrails: TRUE_FALSE,
  triggerOnTrailChange: TRUE_FALSE,
  automaticRemediation: TRUE_FALSE,
};

/** Options that may be left unset: an empty parameter leaves them out. */
export const OPTIONAL_OPTIONS: ReadonlySet<OptionName> = new Set([
  's3BucketName',
  'snsTopicArn',
  'cloudWatchLogsLogGroupArn',
  'trailName',
  'bucketName',
  'kmsKeyId',
  'logGroupKmsKeyArn',
  'subnetIds',
  'securityGroupIds',
  'alarmTopicArn',
]);

/** Each option's value as a parameter value: a string, `''` when unset. */
export function optionValues(options: DeploymentOptions): Record<OptionName, string> {
  const rule = ruleInputParameters(options.ruleParameters);
  const values = {
    ruleName: options.ruleName,
    maximumExecutionFrequency: options.maximumExecutionFrequency,
    triggerOnTrailChange: String(options.triggerOnTrailChange),
    automaticRemediation: String(options.automaticRemediation),
    maximumAutomaticAttempts: String(options.maximumAutomaticAttempts),
    retryAttemptSeconds: options.retryAttemptSeconds?.toString() ?? '',
    trailName: options.trailName ?? '',
    bucketName: options.bucketName ?? '',
    kmsKeyId: options.kmsKeyId ?? '',
    logGroupKmsKeyArn: options.logGroupKmsKeyArn ?? '',
    subnetIds: options.subnetIds?.join(',') ?? '',
    securityGroupIds: options.securityGroupIds?.join(',') ?? '',
    alarmTopicArn: options.alarmTopicArn ?? '',
  } as Record<OptionName, string>;
  for (const name of PARAMETER_NAMES) values[name] = rule[name] ?? '';
  for (const name of OPTION_NAMES) {
    if (values[name] === undefined) throw new Error(`No parameter value for option ${name}`);
  }
  return values;
}

/** The declaration of one option's parameter, defaulting to the option's value. */
export function parameterDeclaration(
  option: TemplateParameterOption,
  value: string,
): ParameterDeclaration {
  const declaration: ParameterDeclaration = {
    Type: NUMBERS[option] === undefined ? 'String' : 'Number',
    Default: value,
    Description: DESCRIPTIONS[option],
  };
  const choices = CHOICES[option];
  const pattern = FREE_TEXT[option];
  const range = NUMBERS[option];
  if (choices !== undefined) declaration.AllowedValues = [...choices];
  if (pattern !== undefined) {
    declaration.AllowedPattern = OPTIONAL_OPTIONS.has(option) ? `^$|${pattern}` : pattern;
    declaration.ConstraintDescription = `must be ${OPTIONS[option].accepts}${OPTIONAL_OPTIONS.has(option) ? ', or empty' : ''}.`;
  }
  if (range !== undefined) {
    [declaration.MinValue, declaration.MaxValue] = range;
    declaration.ConstraintDescription = `must be ${OPTIONS[option].accepts}.`;
  }
  return declaration;
}

/** The condition that an optional option's parameter is set: `HasS3BucketName`. */
export function hasValueCondition(option: OptionName): string {
  return `Has${parameterName(option)}`;
}

/** `{ 'Fn::Not': [{ 'Fn::Equals': ['', { Ref }] }] }`: the parameter is not empty. */
export function isSetExpression(option: OptionName): CfnValue {
  return { 'Fn::Not': [{ 'Fn::Equals': ['', { Ref: parameterName(option) }] }] };
}

/** The rule's InputParameters from the template's parameters; unset optional ones are left out. */
export function inputParametersFromTemplate(): Record<ParameterName, CfnValue> {
  const values = {} as Record<ParameterName, CfnValue>;
  for (const name of PARAMETER_NAMES) {
    const ref = { Ref: parameterName(name) };
    values[name] = OPTIONAL_OPTIONS.has(name)
      ? { 'Fn::If': [hasValueCondition(name), ref, NO_VALUE] }
      : ref;
  }
  return values;
}

/** An optional option as a template value: present when its parameter is set. */
export function optionalFromTemplate(option: OptionName): OptionalValue {
  return { when: hasValueCondition(option), value: { Ref: parameterName(option) } };
}

/** The condition a `true`/`false` parameter makes: `TriggerOnTrailChangeEnabled`. */
export function switchCondition(option: OptionName): string {
  return `${parameterName(option)}Enabled`;
}

/** The switch a `true`/`false` parameter makes, through its condition. */
export function switchFromTemplate(option: OptionName): Switch {
  return { condition: switchCondition(option) };
}

/** `{ 'Fn::Equals': [{ Ref }, 'true'] }`: the condition a `true`/`false` parameter makes. */
export function isTrueExpression(option: OptionName): CfnValue {
  return { 'Fn::Equals': [{ Ref: parameterName(option) }, 'true'] };
}

/** The rule parameters as the JSON text `RULE_PARAMETERS` holds, every one present (`''` is "not set"), for `Fn::Sub`. */
export function ruleParametersJsonPattern(): string {
  return JSON.stringify(
    Object.fromEntries(PARAMETER_NAMES.map((name) => [name, `\${${parameterName(name)}}`])),
  );
}
