// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are CloudFormation Fn::Sub variables.
import {
  Aws,
  CfnCondition,
  CfnMapping,
  CfnParameter,
  CfnRule,
  Fn,
  type ICfnConditionExpression,
  Lazy,
  Token,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_TRAIL_NAME } from '../remediation/input';
import { PARAMETER_NAMES, type ParameterName } from '../rule/parameters';
import { frequencyChoiceString } from './frequency-choice';
import {
  DEPLOYMENT_OPTION_SCHEMA,
  defaultUndecidedWindowHours,
  EXECUTION_FREQUENCIES,
} from './option-schema';
import type { DeploymentOptions, OptionName } from './options';
import {
  bucketArnOf,
  DEFAULT_BUCKETS,
  type DeploymentSettings,
  type RemediationStatics,
  roleNames,
  stackIdSuffix,
} from './settings';
import { EC2_HERE } from './statements';
import {
  hasValueCondition,
  OPTIONAL_OPTIONS,
  optionValues,
  parameterDeclaration,
  parameterName,
  RETRY_WINDOW_MAPPING,
  retryWindowMapping,
  switchCondition,
  TEMPLATE_PARAMETER_OPTIONS,
  type TemplateParameterOption,
} from './template-parameters';

/**
 * The deployment options as CloudFormation parameters, for the templates
 * deployed without the CDK: the member template (every option) and the
 * conformance pack (the rule's parameters). Each parameter defaults to the
 * option's value; an empty string means "not set".
 */

/** Declares a parameter for each of the given options, defaulting to the option's value. */
export function declareParameters<O extends TemplateParameterOption>(
  scope: Construct,
  options: DeploymentOptions,
  names: readonly O[],
): Record<O, CfnParameter> {
  const values = optionValues(options);
  const parameters = {} as Record<O, CfnParameter>;
  for (const option of names) {
    const { Type, Default, Description, ...constraints } = parameterDeclaration(
      option,
      values[option],
    );
    parameters[option] = new CfnParameter(scope, parameterName(option), {
      type: Type,
      default: Default,
      description: Description,
      allowedValues: constraints.AllowedValues,
      allowedPattern: constraints.AllowedPattern,
      constraintDescription: constraints.ConstraintDescription,
      minValue: constraints.MinValue,
      maxValue: constraints.MaxValue,
    });
  }
  return parameters;
}

/** The parameter is not empty. */
function isSet(parameter: CfnParameter): ICfnConditionExpression {
  return Fn.conditionNot(Fn.conditionEquals('', parameter.valueAsString));
}

/** Declares `Has<Parameter>`, that the parameter is set, for each optional option among the given ones. */
export function declareSetConditions<O extends OptionName>(
  scope: Construct,
  parameters: Record<O, CfnParameter>,
): Partial<Record<O, CfnCondition>> {
  const conditions: Partial<Record<O, CfnCondition>> = {};
  for (const [option, parameter] of Object.entries(parameters) as [O, CfnParameter][]) {
    if (!OPTIONAL_OPTIONS.has(option)) continue;
    conditions[option] = new CfnCondition(scope, hasValueCondition(option), {
      expression: isSet(parameter),
    });
  }
  return conditions;
}

/** Declares `<Parameter>Enabled`, that a `true`/`false` parameter is `true`. */
export function declareSwitch(
  scope: Construct,
  option: OptionName,
  parameter: CfnParameter,
): CfnCondition {
  return new CfnCondition(scope, switchCondition(option), {
    expression: Fn.conditionEquals(parameter.valueAsString, 'true'),
  });
}

/**
 * The options that harden what the remediation creates or repairs and are
 * passed to it as they are: parameters of the member template and of the
 * conformance pack alike.
 */
export const HARDENING_OPTIONS = [
  'accessLogBucketName',
  'logRetentionDays',
  'objectLockDays',
  'tags',
  'hardenRepairedTrail',
  'trustedLogAccountIds',
] as const satisfies readonly TemplateParameterOption[];
type HardeningOption = (typeof HARDENING_OPTIONS)[number];

/**
 * The document parameters of the {@link HARDENING_OPTIONS}, from their
 * template parameters: each only when set (`HardenRepairedTrail` only when
 * `true`).
 */
export function hardeningStatics(
  parameters: Record<HardeningOption, CfnParameter>,
  has: Partial<Record<OptionName, CfnCondition>>,
  harden: CfnCondition,
): Pick<
  RemediationStatics,
  | 'AccessLogBucketName'
  | 'LogRetentionDays'
  | 'ObjectLockDays'
  | 'Tags'
  | 'HardenRepairedTrail'
  | 'TrustedLogAccountIds'
> {
  const when = (option: Exclude<HardeningOption, 'hardenRepairedTrail'>) => {
    const condition = has[option];
    if (condition === undefined) throw new Error(`No condition for option ${option}`);
    return { when: condition, value: parameters[option].valueAsString };
  };
  return {
    AccessLogBucketName: when('accessLogBucketName'),
    LogRetentionDays: when('logRetentionDays'),
    ObjectLockDays: when('objectLockDays'),
    Tags: when('tags'),
    HardenRepairedTrail: { when: harden, value: 'true' },
    TrustedLogAccountIds: when('trustedLogAccountIds'),
  };
}

/**
 * The rule's InputParameters from the template's parameters; unset optional
 * ones are left out, but for those `otherwise` gives a value (the window,
 * twice the period).
 */
export function inputParametersFromTemplate(
  parameters: Record<ParameterName, CfnParameter>,
  conditions: Partial<Record<ParameterName, CfnCondition>>,
  otherwise: Partial<Record<ParameterName, string>> = {},
): Record<ParameterName, string> {
  const values = {} as Record<ParameterName, string>;
  for (const name of PARAMETER_NAMES) {
    const value = parameters[name].valueAsString;
    const condition = conditions[name];
    values[name] =
      condition === undefined
        ? value
        : Token.asString(
            Fn.conditionIf(condition.logicalId, value, otherwise[name] ?? Aws.NO_VALUE),
          );
  }
  return values;
}

/**
 * The rule parameters as the JSON text `RULE_PARAMETERS` holds, every one
 * present (`''` is "not set"), the window as the rule gets it.
 */
function ruleParametersJsonFromTemplate(undecidedWindowHours: string): string {
  const variable = 'UndecidedWindowHoursValue';
  return Fn.sub(
    JSON.stringify(
      Object.fromEntries(
        PARAMETER_NAMES.map((name) => [
          name,
          name === 'undecidedWindowHours' ? `\${${variable}}` : `\${${parameterName(name)}}`,
        ]),
      ),
    ),
    { [variable]: undecidedWindowHours },
  );
}

/** The `Fn::Sub` variable that holds the rule name in the role names' patterns. */
const RULE_NAME_VARIABLE = 'Value0';

/**
 * Declares every deployment option as a parameter of the member template
 * (defaulting to the given options' values) with the conditions they
 * decide and the retry window mapping, and gives the settings as tokens
 * for them. Rules in the template refuse a BucketName that differs from
 * S3BucketName, TrailKey create with a KmsKeyId, and SubnetIds without
 * SecurityGroupIds, as the stack's option parser does.
 */
export function memberSettings(scope: Construct, options: DeploymentOptions): DeploymentSettings {
  const parameters = declareParameters(scope, options, TEMPLATE_PARAMETER_OPTIONS);
  new CfnMapping(scope, RETRY_WINDOW_MAPPING, { mapping: retryWindowMapping(options) });
  new CfnMapping(scope, TRAIL_LOG_RETENTION_MAPPING, {
    mapping: Object.fromEntries(
      DEPLOYMENT_OPTION_SCHEMA.cloudWatchLogsRetentionDays.values.map((days) => [
        days,
        { Days: Number(days) },
      ]),
    ),
  });
  // SubnetIds decides the VPC for both; the template rule keeps the two set together.
  const { securityGroupIds: _, ...decided } = parameters;
  const has = declareSetConditions(scope, decided);
  const triggerOnTrailChange = declareSwitch(
    scope,
    'triggerOnTrailChange',
    parameters.triggerOnTrailChange,
  );
  const cloudWatchLogs = declareSwitch(scope, 'cloudWatchLogs', parameters.cloudWatchLogs);
  const harden = declareSwitch(scope, 'hardenRepairedTrail', parameters.hardenRepairedTrail);
  templateRules(scope, parameters);

  const value = (option: TemplateParameterOption) => parameters[option].valueAsString;
  const condition = (option: OptionName): CfnCondition => {
    const found = has[option as keyof typeof has];
    if (found === undefined) throw new Error(`No condition for option ${option}`);
    return found;
  };
  const when = (option: TemplateParameterOption) => ({
    when: condition(option),
    value: value(option),
  });
  const createKey = new CfnCondition(scope, CREATE_TRAIL_KEY, {
    expression: Fn.conditionEquals(value('trailKey'), 'create'),
  });
  const ruleName = value('ruleName');
  const suffix = stackIdSuffix();
  const inputParameters = inputParametersFromTemplate(parameters, has, {
    // Twice the period of the frequency the template is given.
    undecidedWindowHours: frequencyChoiceString(
      scope,
      value('maximumExecutionFrequency'),
      Object.fromEntries(
        EXECUTION_FREQUENCIES.map((frequency) => [
          frequency,
          String(defaultUndecidedWindowHours(frequency)),
        ]),
      ),
    ),
  });
  const subnetIds = value('subnetIds');
  return {
    ruleName,
    roleNames: roleNames(`\${${RULE_NAME_VARIABLE}}`, { [RULE_NAME_VARIABLE]: ruleName }),
    maximumExecutionFrequency: value('maximumExecutionFrequency'),
    triggerOnTrailChange,
    inputParameters,
    ruleParametersJson: ruleParametersJsonFromTemplate(inputParameters.undecidedWindowHours),
    // A Boolean property takes the parameter's "true" or "false" as it is.
    automaticRemediation: Token.asAny(parameters.automaticRemediation),
    maximumAutomaticAttempts: parameters.maximumAutomaticAttempts.valueAsNumber,
    retryAttemptSeconds: Token.asNumber(
      Fn.findInMap(RETRY_WINDOW_MAPPING, value('maximumAutomaticAttempts'), 'Seconds'),
    ),
    remediationStatics: {
      TrailName: when('trailName'),
      BucketName: when('bucketName'),
      KmsKeyId: when('kmsKeyId'),
      ...hardeningStatics(parameters, has, harden),
      CloudWatchLogsLogGroupArn: undefined,
      CloudWatchLogsRoleArn: undefined,
    },
    logBucketSuffix: suffix,
    bucketArns: [
      Token.asString(
        Fn.conditionIf(
          condition('bucketName').logicalId,
          bucketArnOf(`\${${parameterName('bucketName')}}`, suffix),
          Fn.conditionIf(
            condition('s3BucketName').logicalId,
            bucketArnOf(`\${${parameterName('s3BucketName')}}`, suffix),
            bucketArnOf(DEFAULT_BUCKETS.log, suffix),
          ),
        ),
      ),
      Token.asString(
        Fn.conditionIf(
          condition('accessLogBucketName').logicalId,
          bucketArnOf(`\${${parameterName('accessLogBucketName')}}`, suffix),
          bucketArnOf(DEFAULT_BUCKETS.accessLog, suffix),
        ),
      ),
    ],
    // This account alone, as the stack writes it, or with the trusted accounts as a list.
    logAccounts: Token.asString(
      Fn.conditionIf(
        condition('trustedLogAccountIds').logicalId,
        Fn.split(',', Fn.sub(`\${AWS::AccountId},\${${parameterName('trustedLogAccountIds')}}`)),
        Aws.ACCOUNT_ID,
      ),
    ),
    trustedLogAccountIds: value('trustedLogAccountIds'),
    hardenRepairedTrail: harden,
    keyArn: keysOfKeyAccountAndRegion(value('kmsKeyId')),
    grantKeyPolicy: new CfnCondition(scope, 'GrantKeyPolicy', {
      expression: Fn.conditionOr(condition('kmsKeyId'), Fn.conditionAnd(createKey, harden)),
    }),
    configuredKmsKeyId: value('kmsKeyId'),
    trailResources: {
      key: createKey,
      newTrailName: Token.asString(
        Fn.conditionIf(condition('trailName').logicalId, value('trailName'), DEFAULT_TRAIL_NAME),
      ),
      cloudWatchLogs,
      // A number, as the stack writes it: a parameter's value is a string wherever it is used.
      logRetentionDays: Token.asNumber(
        Fn.findInMap(TRAIL_LOG_RETENTION_MAPPING, value('cloudWatchLogsRetentionDays'), 'Days'),
      ),
      logGroupKmsKeyArn: when('logGroupKmsKeyArn'),
      logGroupUsesTrailKey: new CfnCondition(scope, 'TrailLogGroupUsesTrailKey', {
        expression: Fn.conditionAnd(
          createKey,
          cloudWatchLogs,
          Fn.conditionNot(condition('logGroupKmsKeyArn')),
        ),
      }),
    },
    functions: {
      logGroupKmsKeyArn: when('logGroupKmsKeyArn'),
      vpc: {
        when: condition('subnetIds'),
        value: {
          // The first of [the subnet IDs, what to wait for] is the subnet IDs.
          subnetIds: (waitFor) =>
            Fn.split(',', waitFor === undefined ? subnetIds : Fn.select(0, [subnetIds, waitFor])),
          securityGroupIds: Fn.split(',', value('securityGroupIds')),
        },
      },
      // Template conditions cannot turn a list of IDs into ARNs: any subnet and
      // security group of this account and Region.
      vpcResources: [Fn.sub(`${EC2_HERE}:subnet/*`), Fn.sub(`${EC2_HERE}:security-group/*`)],
      alarmTopicArn: when('alarmTopicArn'),
      // 0 means no reservation: a function reserved 0 would never run.
      reservedConcurrency: {
        when: new CfnCondition(scope, 'ReserveConcurrency', {
          expression: Fn.conditionNot(Fn.conditionEquals(value('reservedConcurrency'), '0')),
        }),
        value: parameters.reservedConcurrency.valueAsNumber,
      },
    },
  };
}

/** The member template's condition that the deployment creates the trails' key. */
const CREATE_TRAIL_KEY = 'CreateTrailKey';
/** The member template's mapping from CloudWatchLogsRetentionDays to the number of days. */
const TRAIL_LOG_RETENTION_MAPPING = 'TrailLogRetention';

/** The template's checks of values that go together, which parameters alone cannot state. */
function templateRules(
  scope: Construct,
  parameters: Record<TemplateParameterOption, CfnParameter>,
): void {
  const empty = (parameter: CfnParameter) => Fn.conditionEquals(parameter.valueAsString, '');
  new CfnRule(scope, 'BucketNameIsS3BucketName', {
    ruleCondition: Fn.conditionAnd(
      Fn.conditionNot(empty(parameters.bucketName)),
      Fn.conditionNot(empty(parameters.s3BucketName)),
    ),
    assertions: [
      {
        assert: Fn.conditionEquals(
          parameters.bucketName.valueAsString,
          parameters.s3BucketName.valueAsString,
        ),
        assertDescription:
          'BucketName and S3BucketName differ: a trail the remediation creates in BucketName would still fail the rule. Set only S3BucketName (the remediation then uses it), or give both the same value.',
      },
    ],
  });
  new CfnRule(scope, 'TrailKeyOrKmsKeyId', {
    ruleCondition: Fn.conditionEquals(parameters.trailKey.valueAsString, 'create'),
    assertions: [
      {
        assert: empty(parameters.kmsKeyId),
        assertDescription:
          'TrailKey create and KmsKeyId cannot be combined: TrailKey create makes the stack create the key that new trails encrypt with, and KmsKeyId names a key of yours for that. Leave out one of them.',
      },
    ],
  });
  new CfnRule(scope, 'SubnetIdsWithSecurityGroupIds', {
    assertions: [
      {
        assert: Fn.conditionOr(
          Fn.conditionAnd(empty(parameters.subnetIds), empty(parameters.securityGroupIds)),
          Fn.conditionAnd(
            Fn.conditionNot(empty(parameters.subnetIds)),
            Fn.conditionNot(empty(parameters.securityGroupIds)),
          ),
        ),
        assertDescription:
          'SubnetIds and SecurityGroupIds go together: a function in a VPC needs both. Set both, or neither to keep the functions outside any VPC.',
      },
    ],
  });
}

/**
 * The key statement's resource in the member template: any key of the
 * account and Region the KmsKeyId parameter's ARN names, or of this account
 * and Region when it is an alias name, a key ID or empty. A template cannot
 * tell those forms apart with conditions (they take no string functions), so
 * the ARN's fields are read with `Fn::Split` on a value padded with this
 * account and Region: `arn:aws:kms:eu-west-1:111122223333:alias/x` gives
 * eu-west-1 and 111122223333; `alias/x` gives this Region and account.
 */
function keysOfKeyAccountAndRegion(kmsKeyId: string): string {
  // A list token, so that Fn.join keeps each padding field an item of its own.
  const padded = Lazy.list({ produce: () => [kmsKeyId, 'aws', 'kms', Aws.REGION, Aws.ACCOUNT_ID] });
  const fields = Fn.split(':', Fn.join(':', padded));
  return Fn.sub('arn:${AWS::Partition}:kms:${KeyRegion}:${KeyAccount}:key/*', {
    KeyRegion: Fn.select(3, fields),
    KeyAccount: Fn.select(4, fields),
  });
}
