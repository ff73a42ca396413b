import { assertDocumentName } from '../remediation/document';
import {
  BUCKET_NAME_PATTERN,
  isTrailName,
  KMS_KEY_ID_PATTERN,
  TRAIL_NAME_PATTERN,
} from '../remediation/input';
import { InvalidParameterError } from '../rule/errors';
import { PARAMETER_NAMES, parameterValues, type RuleParameters } from '../rule/parameters';
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
  retryAttemptSeconds: number;
  /** Static values for the remediation document; absent means the document's default. */
  trailName?: string;
  bucketName?: string;
  kmsKeyId?: string;
}

/** A context option has a value the deployment does not accept. */
export class InvalidOptionError extends Error {
  override readonly name = 'InvalidOptionError';
}

export const DEFAULT_RULE_NAME = 'cloudtrail-1-multi-region-trail';

/**
 * Rule names become the stack name, function names, the document name and
 * part of the automation role's name (`<ruleName>-automation-<Region>`, at
 * most 64 characters), so they are held to what all of those accept.
 */
export const RULE_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9-]{0,35}$';
const RULE_NAME = new RegExp(RULE_NAME_PATTERN);
const MAX_INPUT_PARAMETERS_LENGTH = 1024;

/** Every option, its default and what it accepts, as the README and the errors say it. */
export const OPTIONS = {
  ruleName: {
    default: DEFAULT_RULE_NAME,
    accepts: '1–36 letters, digits and hyphens, starting with a letter',
  },
  maximumExecutionFrequency: {
    default: 'TwentyFour_Hours',
    accepts: EXECUTION_FREQUENCIES.join(', '),
  },
  s3BucketName: { default: '(not set)', accepts: 'an S3 bucket name' },
  snsTopicArn: { default: '(not set)', accepts: 'an SNS topic ARN' },
  cloudWatchLogsLogGroupArn: { default: '(not set)', accepts: 'a CloudWatch Logs log group ARN' },
  includeManagementEvents: { default: 'true', accepts: 'true, false' },
  readWriteType: { default: 'ALL', accepts: 'ALL, ReadOnly, WriteOnly' },
  trustOrganizationTrails: { default: 'true', accepts: 'true, false' },
  triggerOnTrailChange: { default: 'true', accepts: 'true, false' },
  automaticRemediation: { default: 'false', accepts: 'true, false' },
  maximumAutomaticAttempts: { default: '5', accepts: 'a whole number from 1 to 25' },
  retryAttemptSeconds: { default: '60', accepts: 'a whole number of seconds from 1 to 2678000' },
  trailName: {
    default: '(not set)',
    accepts:
      'a trail name: 3–128 letters and digits with single ".", "_" or "-" between them, not an IP address',
  },
  bucketName: {
    default: '(not set)',
    accepts: 'an S3 bucket name: 3–63 lower-case letters, digits, ".", "-"',
  },
  kmsKeyId: { default: '(not set)', accepts: 'a KMS key ID, key ARN, alias name or alias ARN' },
} as const satisfies Record<string, { default: string; accepts: string }>;

export type OptionName = keyof typeof OPTIONS;
export const OPTION_NAMES = Object.keys(OPTIONS) as OptionName[];

/** Reads one context value, as `app.node.tryGetContext` does. */
export type ContextLookup = (name: string) => unknown;

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
  rejectMisspelledNames(contextNames);
  const text = (name: OptionName): string | undefined => textValue(name, context(name));

  const ruleName = text('ruleName') ?? DEFAULT_RULE_NAME;
  checkRuleName(ruleName);

  const options: DeploymentOptions = {
    ruleName,
    maximumExecutionFrequency: oneOf(
      'maximumExecutionFrequency',
      text('maximumExecutionFrequency') ?? 'TwentyFour_Hours',
      EXECUTION_FREQUENCIES,
    ),
    ruleParameters: ruleParameters(text),
    triggerOnTrailChange: booleanOption('triggerOnTrailChange', text('triggerOnTrailChange'), true),
    automaticRemediation: booleanOption(
      'automaticRemediation',
      text('automaticRemediation'),
      false,
    ),
    maximumAutomaticAttempts: wholeNumber(
      'maximumAutomaticAttempts',
      text('maximumAutomaticAttempts'),
      5,
      1,
      25,
    ),
    retryAttemptSeconds: wholeNumber(
      'retryAttemptSeconds',
      text('retryAttemptSeconds'),
      60,
      1,
      2678000,
    ),
  };
  const trailName = matching('trailName', text('trailName'), TRAIL_NAME_PATTERN);
  const bucketName = matching('bucketName', text('bucketName'), BUCKET_NAME_PATTERN);
  const kmsKeyId = matching('kmsKeyId', text('kmsKeyId'), KMS_KEY_ID_PATTERN);
  if (trailName !== undefined && !isTrailName(trailName)) throw invalid('trailName', trailName);
  const required = options.ruleParameters.s3BucketName;
  if (bucketName !== undefined && required !== undefined && bucketName !== required) {
    throw new InvalidOptionError(
      `Context options bucketName (${bucketName}) and s3BucketName (${required}) differ: a trail the remediation creates in bucketName would still fail the rule. Set only s3BucketName (the remediation then uses it), or give both the same value.`,
    );
  }
  if (trailName !== undefined) options.trailName = trailName;
  if (bucketName !== undefined) options.bucketName = bucketName;
  if (kmsKeyId !== undefined) options.kmsKeyId = kmsKeyId;
  return options;
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

function textValue(name: OptionName, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value !== 'string') throw invalid(name, value);
  return value === '' ? undefined : value;
}

function checkRuleName(ruleName: string): void {
  if (!RULE_NAME.test(ruleName)) throw invalid('ruleName', ruleName);
  try {
    assertDocumentName(resourceNames(ruleName).documentName);
  } catch (error) {
    throw new InvalidOptionError(
      `Context option ruleName has the value "${ruleName}", which is not accepted: the remediation document is named after it, and ${(error as Error).message}.`,
    );
  }
}

function oneOf<T extends string>(name: OptionName, value: string, accepted: readonly T[]): T {
  const found = accepted.find((a) => a === value);
  if (found === undefined) throw invalid(name, value);
  return found;
}

function booleanOption(name: OptionName, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw invalid(name, value);
  return lower === 'true';
}

function wholeNumber(
  name: OptionName,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed >= min && parsed <= max)) throw invalid(name, value);
  return parsed;
}

function matching(
  name: OptionName,
  value: string | undefined,
  pattern: string,
): string | undefined {
  if (value === undefined) return undefined;
  if (!new RegExp(pattern).test(value)) throw invalid(name, value);
  return value;
}

function invalid(name: OptionName, value: unknown): InvalidOptionError {
  const option = OPTIONS[name];
  return new InvalidOptionError(
    `Context option ${name} has the value ${JSON.stringify(value)}, which is not accepted: set it to ${option.accepts} (for example -c ${name}=${exampleOf(name)}), or leave it unset for the default, ${option.default}.`,
  );
}

function exampleOf(name: OptionName): string {
  const examples: Record<OptionName, string> = {
    ruleName: DEFAULT_RULE_NAME,
    maximumExecutionFrequency: 'Six_Hours',
    s3BucketName: 'org-cloudtrail-logs',
    snsTopicArn: 'arn:aws:sns:us-east-1:111122223333:trail-topic',
    cloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:111122223333:log-group:trail-logs:*',
    includeManagementEvents: 'true',
    readWriteType: 'ALL',
    trustOrganizationTrails: 'false',
    triggerOnTrailChange: 'false',
    automaticRemediation: 'true',
    maximumAutomaticAttempts: '3',
    retryAttemptSeconds: '600',
    trailName: 'management-events',
    bucketName: 'cloudtrail-logs-111122223333',
    kmsKeyId: 'alias/cloudtrail',
  };
  return examples[name];
}

/**
 * A context name that differs from an option only in case is a typo that
 * would otherwise be ignored silently (CDK context names are case-sensitive).
 */
function rejectMisspelledNames(contextNames: string[]): void {
  for (const given of contextNames) {
    const meant = OPTION_NAMES.find((o) => o !== given && o.toLowerCase() === given.toLowerCase());
    if (meant !== undefined) {
      throw new InvalidOptionError(
        `Context option "${given}" is not an option (names are case-sensitive): did you mean ${meant}?`,
      );
    }
  }
}
