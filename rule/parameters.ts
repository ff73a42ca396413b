import { InvalidParameterError } from './errors';

/** The kinds of management events a trail must log (at least). */
export type ReadWriteType = 'ALL' | 'ReadOnly' | 'WriteOnly';

/** The rule's parameters after parsing (DESIGN §3 "Parameters"). */
export interface RuleParameters {
  s3BucketName?: string;
  snsTopicArn?: string;
  cloudWatchLogsLogGroupArn?: string;
  includeManagementEvents: boolean;
  readWriteType: ReadWriteType;
  trustOrganizationTrails: boolean;
}

export const DEFAULT_PARAMETERS: RuleParameters = {
  includeManagementEvents: true,
  readWriteType: 'ALL',
  trustOrganizationTrails: true,
};

/** The parameter names, as AWS Config passes them in `ruleParameters`. */
export const PARAMETER_NAMES = [
  's3BucketName',
  'snsTopicArn',
  'cloudWatchLogsLogGroupArn',
  'includeManagementEvents',
  'readWriteType',
  'trustOrganizationTrails',
] as const;
export type ParameterName = (typeof PARAMETER_NAMES)[number];

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SNS_TOPIC = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const LOG_GROUP = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[A-Za-z0-9_/.#-]{1,512}(:\*)?$/;

/** What each parameter accepts, said the way the error messages say it. */
const ACCEPTED: Record<ParameterName, string> = {
  s3BucketName: 'an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)',
  snsTopicArn: 'an SNS topic ARN such as arn:aws:sns:us-east-1:111122223333:trail-topic',
  cloudWatchLogsLogGroupArn:
    'a log group ARN such as arn:aws:logs:us-east-1:111122223333:log-group:trail-logs:*',
  includeManagementEvents: '"true" or "false" (any case)',
  readWriteType: '"ALL", "ReadOnly" or "WriteOnly" (any case)',
  trustOrganizationTrails: '"true" or "false" (any case)',
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

function setParameter(parameters: RuleParameters, name: ParameterName, value: string): void {
  const bad = () =>
    new InvalidParameterError(
      `Rule parameter ${name} has the value ${JSON.stringify(value)}, which is not accepted: ` +
        `set it to ${ACCEPTED[name]}, or leave it empty.`,
    );
  switch (name) {
    case 's3BucketName':
      if (!BUCKET.test(value)) throw bad();
      parameters.s3BucketName = value;
      return;
    case 'snsTopicArn':
      if (!SNS_TOPIC.test(value)) throw bad();
      parameters.snsTopicArn = value;
      return;
    case 'cloudWatchLogsLogGroupArn':
      if (!LOG_GROUP.test(value)) throw bad();
      parameters.cloudWatchLogsLogGroupArn = value;
      return;
    case 'includeManagementEvents':
    case 'trustOrganizationTrails': {
      const lower = value.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw bad();
      parameters[name] = lower === 'true';
      return;
    }
    case 'readWriteType': {
      const type = (['ALL', 'ReadOnly', 'WriteOnly'] as const).find(
        (t) => t.toLowerCase() === value.toLowerCase(),
      );
      if (type === undefined) throw bad();
      parameters.readWriteType = type;
      return;
    }
  }
}

/** The management-event kinds a parameter set requires. */
export function requiredKinds(readWriteType: ReadWriteType): ('read' | 'write')[] {
  if (readWriteType === 'ReadOnly') return ['read'];
  if (readWriteType === 'WriteOnly') return ['write'];
  return ['read', 'write'];
}
