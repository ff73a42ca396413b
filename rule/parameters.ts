import * as z from 'zod';
import { InvalidParameterError } from './errors';

/** The kinds of management events a trail must log (at least), as `readWriteType` spells them. */
export const READ_WRITE_TYPES = ['ALL', 'ReadOnly', 'WriteOnly'] as const;
export type ReadWriteType = (typeof READ_WRITE_TYPES)[number];

/** The rule's parameters after parsing (docs/design.md, "Parameters"). */
export interface RuleParameters {
  s3BucketName?: string;
  snsTopicArn?: string;
  cloudWatchLogsLogGroupArn?: string;
  includeManagementEvents: boolean;
  readWriteType: ReadWriteType;
  trustOrganizationTrails: boolean;
  /** A logging trail whose last delivery failed does not pass (Security Hub's CloudTrail.1 leaves this off). */
  requireDelivery: boolean;
  /**
   * Hours the account may go without a decided verdict before an undecided
   * run reports NON_COMPLIANT "could not verify since …". Unset: {@link DEFAULT_UNDECIDED_WINDOW_HOURS}.
   */
  undecidedWindowHours?: number;
}

/** Twice the default period (24 hours): the window when `undecidedWindowHours` is not set. */
export const DEFAULT_UNDECIDED_WINDOW_HOURS = 48;
/** The longest window accepted: a year. */
export const MAX_UNDECIDED_WINDOW_HOURS = 8760;
/** 1 to 8,760 as one pattern, for templates whose parameter is a String that may be empty. */
export const UNDECIDED_WINDOW_HOURS_PATTERN =
  /^([1-9][0-9]{0,2}|[1-7][0-9]{3}|8[0-6][0-9]{2}|87[0-5][0-9]|8760)$/;

export const DEFAULT_PARAMETERS: RuleParameters = {
  includeManagementEvents: true,
  readWriteType: 'ALL',
  trustOrganizationTrails: true,
  requireDelivery: false,
};

/** The parameter names, as AWS Config passes them in `ruleParameters`. */
export const PARAMETER_NAMES = [
  's3BucketName',
  'snsTopicArn',
  'cloudWatchLogsLogGroupArn',
  'includeManagementEvents',
  'readWriteType',
  'trustOrganizationTrails',
  'requireDelivery',
  'undecidedWindowHours',
] as const;
export type ParameterName = (typeof PARAMETER_NAMES)[number];

/**
 * The parameters that make the check weaker than CloudTrail.1 as Security
 * Hub defines it (read and write management events), as `name=value`; empty
 * when the account is judged by CloudTrail.1 itself (or something stricter).
 *
 * @example
 * weakeningParameters({ ...DEFAULT_PARAMETERS, readWriteType: 'WriteOnly' }) // => ['readWriteType=WriteOnly']
 */
export function weakeningParameters(parameters: RuleParameters): string[] {
  return [
    ...(parameters.includeManagementEvents ? [] : ['includeManagementEvents=false']),
    ...(parameters.readWriteType === 'ALL' ? [] : [`readWriteType=${parameters.readWriteType}`]),
  ];
}

// Bucket names as S3 allows them, including legacy us-east-1 names (capitals, underscores, up to 255).
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;
const SNS_TOPIC = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const LOG_GROUP = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[A-Za-z0-9_/.#-]{1,512}(:\*)?$/;

/** The shape each free-text parameter must have, for templates that check values before the rule does. */
export const TEXT_PARAMETER_PATTERNS = {
  s3BucketName: BUCKET,
  snsTopicArn: SNS_TOPIC,
  cloudWatchLogsLogGroupArn: LOG_GROUP,
} as const satisfies Partial<Record<ParameterName, RegExp>>;

/** What each parameter accepts, said the way the error messages say it. */
const ACCEPTED: Record<ParameterName, string> = {
  s3BucketName: 'an S3 bucket name (letters, digits, dots, hyphens and underscores)',
  snsTopicArn: 'an SNS topic ARN such as arn:aws:sns:us-east-1:111122223333:trail-topic',
  cloudWatchLogsLogGroupArn:
    'a log group ARN such as arn:aws:logs:us-east-1:111122223333:log-group:trail-logs:*',
  includeManagementEvents: '"true" or "false" (any case)',
  readWriteType: '"ALL", "ReadOnly" or "WriteOnly" (any case)',
  trustOrganizationTrails: '"true" or "false" (any case)',
  requireDelivery: '"true" or "false" (any case)',
  undecidedWindowHours: `a whole number of hours from 1 to ${MAX_UNDECIDED_WINDOW_HOURS}, such as "48"`,
};

/**
 * Parses the rule's `ruleParameters` (a JSON object of strings, as AWS Config
 * passes them). An empty string means "not set". Anything else that is not
 * accepted, an unknown name, or text that is not a JSON object, is bad input:
 * it raises {@link InvalidParameterError} naming the parameter and what it
 * accepts.
 *
 * @example
 * parseRuleParameters('{"readWriteType":"writeonly"}').readWriteType // => 'WriteOnly'
 */
export function parseRuleParameters(ruleParameters: string | undefined): RuleParameters {
  if (ruleParameters === undefined || ruleParameters.trim() === '')
    return { ...DEFAULT_PARAMETERS };
  let raw: unknown;
  try {
    raw = JSON.parse(ruleParameters);
  } catch {
    throw new InvalidParameterError(
      'ruleParameters is not valid JSON: set the rule parameters as a JSON object of strings, ' +
        'for example {"readWriteType":"ALL"}.',
    );
  }
  return parameterValues(raw);
}

/**
 * Parses parameters given as an object of strings (the CLI's `--param
 * name=value` pairs, or parsed `ruleParameters`), with the same rules as
 * {@link parseRuleParameters}.
 */
export function parameterValues(raw: unknown): RuleParameters {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidParameterError(
      'ruleParameters must be a JSON object of strings, for example {"readWriteType":"ALL"}.',
    );
  }
  const parameters: RuleParameters = { ...DEFAULT_PARAMETERS };
  // Own keys of the object as given, so that even "__proto__" is seen and rejected.
  for (const [name, value] of Object.entries(raw)) {
    if (!isParameterName(name)) {
      throw new InvalidParameterError(
        `Unknown rule parameter "${name}": the accepted parameters are ${PARAMETER_NAMES.join(', ')} ` +
          '(names are case-sensitive).',
      );
    }
    if (typeof value !== 'string') {
      throw new InvalidParameterError(
        `Rule parameter ${name} must be a string (AWS Config passes every value as a string), ` +
          `got ${value === null ? 'null' : typeof value}: set it to ${ACCEPTED[name]}.`,
      );
    }
    if (value === '') continue;
    setParameter(parameters, name, value);
  }
  return parameters;
}

function isParameterName(name: string): name is ParameterName {
  return (PARAMETER_NAMES as readonly string[]).includes(name);
}

/** A boolean as AWS Config passes it: the string true or false, in any case. */
const booleanText = z
  .string()
  .transform((v) => v.toLowerCase())
  .pipe(z.enum(['true', 'false']))
  .transform((v) => v === 'true');

/** How each parameter's (non-empty) string value is checked and read. */
const VALUE_SCHEMAS = {
  s3BucketName: z.string().regex(BUCKET),
  snsTopicArn: z.string().regex(SNS_TOPIC),
  cloudWatchLogsLogGroupArn: z.string().regex(LOG_GROUP),
  includeManagementEvents: booleanText,
  readWriteType: z
    .string()
    .transform((v) => READ_WRITE_TYPES.find((t) => t.toLowerCase() === v.toLowerCase()))
    .pipe(z.enum(READ_WRITE_TYPES)),
  trustOrganizationTrails: booleanText,
  requireDelivery: booleanText,
  undecidedWindowHours: z.string().regex(UNDECIDED_WINDOW_HOURS_PATTERN).transform(Number),
} satisfies { [K in ParameterName]: z.ZodType<NonNullable<RuleParameters[K]>, string> };

function setParameter(parameters: RuleParameters, name: ParameterName, value: string): void {
  const parsed = VALUE_SCHEMAS[name].safeParse(value);
  if (!parsed.success) {
    throw new InvalidParameterError(
      `Rule parameter ${name} has the value ${JSON.stringify(value)}, which is not accepted: ` +
        `set it to ${ACCEPTED[name]}, or leave it empty.`,
    );
  }
  Object.assign(parameters, { [name]: parsed.data });
}

/** The management-event kinds a parameter set requires. */
export function requiredKinds(readWriteType: ReadWriteType): ('read' | 'write')[] {
  if (readWriteType === 'ReadOnly') return ['read'];
  if (readWriteType === 'WriteOnly') return ['write'];
  return ['read', 'write'];
}
