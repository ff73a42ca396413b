import {
  DEFAULT_PARAMETERS,
  PARAMETER_NAMES,
  type ParameterName,
  type RuleParameters,
} from '../rule/parameters';
import {
  type ContextLookup,
  type ContextValues,
  contextObject,
  parseContext,
} from './context-options';
import { InvalidOptionError } from './errors';
import { type OptionFields, optionSpecs } from './option-entry';
import {
  DEPLOYMENT_OPTION_SCHEMA,
  DOCUMENT_RUN_SECONDS,
  defaultUndecidedWindowHours,
  type OptionName,
} from './option-schema';

/**
 * The deployment's options: what `cdk deploy -c name=value` (or the
 * `context` of cdk.json) can set, with their defaults. Each option is one
 * entry of {@link DEPLOYMENT_OPTION_SCHEMA} (stack/option-schema.ts). The
 * stack and the conformance pack are both built from one parsed
 * {@link DeploymentOptions}, so they accept exactly the same values.
 */

export { DEFAULT_RULE_NAME, DOCUMENT_RUN_SECONDS, type OptionName } from './option-schema';

/**
 * The parsed options, typed from their entries in
 * {@link DEPLOYMENT_OPTION_SCHEMA}: an optional entry is an optional field,
 * and the rule's parameters are together in `ruleParameters`, parsed by the
 * rule's own parser. Nothing here restates an option.
 */
export type DeploymentOptions = OptionFields<Omit<DeploymentSchema, ParameterName>> & {
  ruleParameters: RuleParameters;
};

type DeploymentSchema = typeof DEPLOYMENT_OPTION_SCHEMA;

export { InvalidOptionError };

const MAX_INPUT_PARAMETERS_LENGTH = 1024;

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
export const OPTIONS = optionSpecs(DEPLOYMENT_OPTION_SCHEMA);
export const OPTION_NAMES = Object.keys(DEPLOYMENT_OPTION_SCHEMA) as OptionName[];

type SchemaValues = ContextValues<typeof DEPLOYMENT_OPTION_SCHEMA>;

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
  return parseContext(DEPLOYMENT_CONTEXT, OPTION_NAMES, context, contextNames);
}

/**
 * The options as their values, then the checks that concern more than one
 * option, in the order their errors are reported (each only once every
 * option's own value is accepted).
 */
const DEPLOYMENT_CONTEXT = contextObject(DEPLOYMENT_OPTION_SCHEMA)
  .transform(deploymentOptions)
  .superRefine((options, ctx) => {
    const problem = [
      inputParametersTooLong,
      retryWindowTooShort,
      bucketNameIsNotS3BucketName,
      trailKeyWithKmsKeyId,
      subnetsWithoutSecurityGroups,
    ]
      .map((check) => check(options))
      .find((message) => message !== undefined);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/** The parsed options: the rule's parameters together, unset optional ones left out. */
function deploymentOptions(values: SchemaValues): DeploymentOptions {
  const options: Record<string, unknown> = {};
  const ruleParameters: Record<string, unknown> = { ...DEFAULT_PARAMETERS };
  for (const name of OPTION_NAMES) {
    const value = values[name];
    if (DEPLOYMENT_OPTION_SCHEMA[name].group === 'ruleParameter') {
      options.ruleParameters = ruleParameters;
      if (value !== undefined) ruleParameters[name] = value;
    } else if (value !== undefined) {
      options[name] = value;
    }
  }
  return options as unknown as DeploymentOptions;
}

function inputParametersTooLong(options: DeploymentOptions): string | undefined {
  const length = JSON.stringify(ruleInputParameters(deployedRuleParameters(options))).length;
  if (length <= MAX_INPUT_PARAMETERS_LENGTH) return undefined;
  return `The rule parameters s3BucketName, snsTopicArn and cloudWatchLogsLogGroupArn together make InputParameters ${length} characters long; AWS Config accepts at most ${MAX_INPUT_PARAMETERS_LENGTH}. Shorten or leave out one of them.`;
}

/**
 * The window defaults to the shortest that covers every attempt's
 * worst-case run; a shorter one given explicitly is refused, since Config
 * would then retry a failing account forever instead of recording a
 * remediation exception.
 */
function retryWindowTooShort(options: DeploymentOptions): string | undefined {
  const { maximumAutomaticAttempts: attempts, retryAttemptSeconds: seconds } = options;
  const minimum = minimumRetryAttemptSeconds(attempts);
  if (seconds === undefined || seconds >= minimum) return undefined;
  return `Context option retryAttemptSeconds (${seconds}) is shorter than maximumAutomaticAttempts (${attempts}) runs of the remediation document at their longest (${attempts} × ${DOCUMENT_RUN_SECONDS} s = ${minimum} s): AWS Config would never record a remediation exception and would retry a failing account forever. Set retryAttemptSeconds to at least ${minimum}, leave it unset for exactly that, or lower maximumAutomaticAttempts.`;
}

function bucketNameIsNotS3BucketName(options: DeploymentOptions): string | undefined {
  const { bucketName } = options;
  const required = options.ruleParameters.s3BucketName;
  if (bucketName === undefined || required === undefined || bucketName === required) {
    return undefined;
  }
  return `Context options bucketName (${bucketName}) and s3BucketName (${required}) differ: a trail the remediation creates in bucketName would still fail the rule. Set only s3BucketName (the remediation then uses it), or give both the same value.`;
}

/** The trails get one key: the one the deployment creates, or the one kmsKeyId names. */
function trailKeyWithKmsKeyId(options: DeploymentOptions): string | undefined {
  if (options.trailKey !== 'create' || options.kmsKeyId === undefined) return undefined;
  return `Context options trailKey (create) and kmsKeyId (${options.kmsKeyId}) cannot be combined: trailKey=create makes the deployment create the key that new trails encrypt with, and kmsKeyId names a key of yours for that. Leave out one of them.`;
}

/** A function in a VPC needs subnets and security groups; organizations that enforce Control Tower's proactive controls need it to deploy at all. */
function subnetsWithoutSecurityGroups(options: DeploymentOptions): string | undefined {
  const { subnetIds, securityGroupIds } = options;
  if ((subnetIds === undefined) === (securityGroupIds === undefined)) return undefined;
  const [given, missing] =
    subnetIds === undefined ? ['securityGroupIds', 'subnetIds'] : ['subnetIds', 'securityGroupIds'];
  return `Context option ${given} is set without ${missing}: a function in a VPC needs both. Set both (for example -c subnetIds=${OPTIONS.subnetIds.example} -c securityGroupIds=${OPTIONS.securityGroupIds.example}), or neither to keep the functions outside any VPC.`;
}

/**
 * The rule's parameters as the deployment sets them: as given, with
 * `undecidedWindowHours`, when not given, twice the rule's period.
 */
export function deployedRuleParameters(options: DeploymentOptions): RuleParameters {
  return {
    ...options.ruleParameters,
    undecidedWindowHours:
      options.ruleParameters.undecidedWindowHours ??
      defaultUndecidedWindowHours(options.maximumExecutionFrequency),
  };
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

/** The remediation configuration's RetryAttemptSeconds: as given, else the shortest that covers the attempts. */
export function retryWindow(options: DeploymentOptions): number {
  return (
    options.retryAttemptSeconds ?? minimumRetryAttemptSeconds(options.maximumAutomaticAttempts)
  );
}
