// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are CloudFormation Fn::Sub variables.
import type { OptionEntry, TemplateParameter } from './option-entry';
import { DEPLOYMENT_OPTION_SCHEMA } from './option-schema';
import {
  type DeploymentOptions,
  minimumRetryAttemptSeconds,
  OPTION_NAMES,
  type OptionName,
  ruleInputParameters,
} from './options';

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
 * The options that are parameters of the member template: those whose
 * schema entry has a `parameter`. The retry window is not one:
 * CloudFormation cannot check that a window given at deploy time covers the
 * attempts given with it, so the template looks the window up by the
 * attempts instead ({@link retryWindowMapping}).
 */
export type TemplateParameterOption = {
  [K in OptionName]: (typeof DEPLOYMENT_OPTION_SCHEMA)[K] extends { parameter: TemplateParameter }
    ? K
    : never;
}[OptionName];
export const TEMPLATE_PARAMETER_OPTIONS = OPTION_NAMES.filter(
  (name): name is TemplateParameterOption => entry(name).parameter !== undefined,
);

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
  const { min, max } = DEPLOYMENT_OPTION_SCHEMA.maximumAutomaticAttempts;
  for (let attempts = min; attempts <= max; attempts++) {
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

function entry(option: OptionName): OptionEntry {
  return DEPLOYMENT_OPTION_SCHEMA[option];
}

/** Options that may be left unset: an empty parameter leaves them out. */
export const OPTIONAL_OPTIONS: ReadonlySet<OptionName> = new Set(
  TEMPLATE_PARAMETER_OPTIONS.filter((name) => entry(name).optional === true),
);

/** Each option's value as a parameter value: a string (a list comma-separated), `''` when unset. */
export function optionValues(options: DeploymentOptions): Record<OptionName, string> {
  const rule: Record<string, string> = ruleInputParameters(options.ruleParameters);
  const set: Partial<Record<OptionName, unknown>> = options;
  const values = {} as Record<OptionName, string>;
  for (const name of OPTION_NAMES) {
    const value = entry(name).group === 'ruleParameter' ? rule[name] : set[name];
    values[name] =
      value === undefined ? '' : Array.isArray(value) ? value.join(',') : String(value);
  }
  return values;
}

/**
 * The declaration of one option's parameter, defaulting to the option's
 * value. A number that may be left empty is a String parameter held to its
 * `parameter.pattern`: a Number parameter cannot be empty.
 */
export function parameterDeclaration(
  option: TemplateParameterOption,
  value: string,
): ParameterDeclaration {
  const spec = entry(option);
  const parameter: TemplateParameter = DEPLOYMENT_OPTION_SCHEMA[option].parameter;
  const optional = OPTIONAL_OPTIONS.has(option);
  const numeric = spec.kind === 'number' && !optional;
  const declaration: ParameterDeclaration = {
    Type: numeric ? 'Number' : 'String',
    Default: value,
    Description: parameter.description,
  };
  if (spec.kind === 'choice') declaration.AllowedValues = [...spec.values];
  if (spec.kind === 'boolean') declaration.AllowedValues = ['true', 'false'];
  // A text or list parameter is held to all the stack's parser checks, written as one pattern.
  const pattern = parameter.pattern ?? ('pattern' in spec ? spec.pattern : undefined);
  if (spec.kind === 'number' && optional && pattern === undefined) {
    throw new Error(`Option ${option} is an optional number: its parameter needs a pattern`);
  }
  if (pattern !== undefined) {
    declaration.AllowedPattern = optional ? `^$|${pattern}` : pattern;
    declaration.ConstraintDescription = `must be ${spec.accepts}${optional ? ', or empty' : ''}.`;
  }
  if (spec.kind === 'number' && numeric) {
    [declaration.MinValue, declaration.MaxValue] = [spec.min, spec.max];
    declaration.ConstraintDescription = `must be ${spec.accepts}.`;
  }
  return declaration;
}

/** The condition that an optional option's parameter is set: `HasS3BucketName`. */
export function hasValueCondition(option: OptionName): string {
  return `Has${parameterName(option)}`;
}

/** The condition a `true`/`false` parameter makes: `TriggerOnTrailChangeEnabled`. */
export function switchCondition(option: OptionName): string {
  return `${parameterName(option)}Enabled`;
}
