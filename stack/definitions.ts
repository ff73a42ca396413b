import { Aws, Fn, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as config from 'aws-cdk-lib/aws-config';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { DOCUMENT_PARAMETERS, remediationDocument } from '../remediation/document';
import { TRAIL_RESOURCE_TYPE } from '../rule/event';
import { REMEDIATION_ENTRY, RULE_ENTRY } from './bundle';
import { alarmName, type FunctionAlarm, type ResourceNames, resourceNames } from './names';
import { type DeploymentSettings, includeWhen, type Optional, optionalProperty } from './settings';

/**
 * What the deployment is made of: the functions' settings and the typed
 * properties of the Config rule, the remediation configuration, the
 * document, the alarms and the invoke permission, from the
 * {@link DeploymentSettings}. The rule's and the remediation's constructs
 * build their resources from these functions, and so does the conformance
 * pack, so rule parameters, triggers and remediation parameters cannot
 * drift apart between them.
 */

/** The Lambda runtime and architecture of both functions (Node.js 24: the AWS SDK needs Node ≥ 22 from 2027). */
export const LAMBDA_RUNTIME = 'nodejs24.x';
export const LAMBDA_ARCHITECTURE: 'arm64' | 'x86_64' = 'arm64';
/** How long the functions' logs are kept: a year of evidence for audits, at a few KB a day. */
export const LOG_RETENTION_DAYS = RetentionDays.ONE_YEAR;

export interface FunctionSettings {
  functionName: string;
  description: string;
  /** The entry file, relative to the project root. */
  entry: string;
  memorySize: number;
  timeoutSeconds: number;
  environment: Record<string, string>;
  /** What an error of the function means, for its alarm. */
  alarmMeaning: string;
}

/**
 * The rule function. 256 MB and 120 s: see docs/speed.md ("Sizing the
 * functions") for what was measured. The timeout is twice the minute that
 * adaptive retry can take after a throttle.
 */
export function ruleFunctionSettings(names: ResourceNames): FunctionSettings {
  return {
    functionName: names.ruleFunctionName,
    description: `AWS Config rule ${names.ruleName}: Security Hub CloudTrail.1, at least one multi-Region trail logging read and write management events.`,
    entry: RULE_ENTRY,
    memorySize: 256,
    timeoutSeconds: 120,
    environment: {},
    alarmMeaning:
      'AWS Config got no fresh evaluation of CloudTrail.1 for the account (the rule could not decide, or could not read or report).',
  };
}

/**
 * The remediation function. Its timeout stays under the 300 s the SSM step
 * waits, so a slow run fails with the function's own timeout error rather
 * than an abandoned step; within it, CloudTrail's eventual-consistency errors
 * after a bucket or key policy change are retried with backoff.
 */
export function remediationFunctionSettings(settings: DeploymentSettings): FunctionSettings {
  const names = resourceNames(settings.ruleName);
  return {
    functionName: names.remediationFunctionName,
    description: `Remediation for AWS Config rule ${names.ruleName} (CloudTrail.1): repairs or creates a multi-Region trail, then verifies with the rule's own verdict.`,
    entry: REMEDIATION_ENTRY,
    memorySize: 256,
    timeoutSeconds: 270,
    // The rule's own parameters, so that "remediated" means what the rule means; the one
    // key whose policy its role may change, and the log accounts it may trust, so that no
    // request can name others; and the suffix of its default bucket names, which its role's
    // bucket statements name too.
    environment: {
      RULE_PARAMETERS: settings.ruleParametersJson,
      KMS_KEY_ID: settings.configuredKmsKeyId,
      LOG_BUCKET_SUFFIX: settings.logBucketSuffix,
      TRUSTED_LOG_ACCOUNT_IDS: settings.trustedLogAccountIds,
    },
    alarmMeaning: 'a remediation of CloudTrail.1 did not make the account COMPLIANT.',
  };
}

/** The alarm actions for a topic: one `Fn::If` stands for the whole list where a template condition decides. */
function alarmActions(topic: Optional<string>): string[] | undefined {
  const written = optionalProperty(topic, (arn) => [arn]);
  return written === undefined || Array.isArray(written) ? written : Token.asList(written);
}

/**
 * An alarm on a function's errors. The rule throws when it cannot decide
 * (an UNDECIDED verdict) and the remediation when it fails, so an error
 * means an account went without a fresh evaluation or stayed unremediated.
 * One error in an hour is enough; an hour without invocations is not an
 * error. The topic, when given, hears of the alarm and of its recovery.
 */
export function errorAlarmProps(
  settings: FunctionSettings,
  topic: Optional<string>,
): cloudwatch.CfnAlarmProps {
  return hourlyCountAlarmProps(
    settings,
    topic,
    'Errors',
    'errors',
    `${settings.functionName} failed: ${settings.alarmMeaning} See the function's log group for the error.`,
  );
}

/**
 * An alarm on a function's throttles: Lambda refused to run it, because
 * the account's concurrency was used up or the function's reservation was.
 * A throttled run raises no error, so the error alarm never hears of it.
 * One in an hour is enough; no throttle is no data, and not a failure.
 */
export function throttleAlarmProps(
  settings: FunctionSettings,
  topic: Optional<string>,
): cloudwatch.CfnAlarmProps {
  return hourlyCountAlarmProps(
    settings,
    topic,
    'Throttles',
    'throttles',
    `${settings.functionName} was throttled (Lambda refused to run it: the account's concurrency, or the function's reserved concurrency, was used up): ${settings.alarmMeaning}`,
  );
}

/**
 * An alarm that fires when a function's Lambda metric counts one or more
 * in an hour; an hour without data is not a failure. The topic, when given,
 * hears of the alarm and of its recovery.
 */
function hourlyCountAlarmProps(
  settings: FunctionSettings,
  topic: Optional<string>,
  metricName: 'Errors' | 'Throttles',
  suffix: FunctionAlarm,
  alarmDescription: string,
): cloudwatch.CfnAlarmProps {
  const actions = alarmActions(topic);
  return {
    alarmName: alarmName(settings.functionName, suffix),
    alarmDescription,
    namespace: 'AWS/Lambda',
    metricName,
    dimensions: [{ name: 'FunctionName', value: settings.functionName }],
    statistic: 'Sum',
    period: 3600,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
    alarmActions: actions,
    okActions: actions,
  };
}

/**
 * How many hours without a single run of the rule function raise its
 * missed-runs alarm, for each `maximumExecutionFrequency`: two periods, so
 * that one late periodic run is not an alarm, and a skipped one is.
 */
export const MISSED_RUN_HOURS: Readonly<Record<string, number>> = {
  One_Hour: 2,
  Three_Hours: 6,
  Six_Hours: 12,
  Twelve_Hours: 24,
  TwentyFour_Hours: 48,
};

/**
 * An alarm on runs of the rule function that did not happen: AWS Config
 * runs it every period, so hours without an invocation mean no fresh
 * evaluation, whatever the cause (the rule re-pointed, Config stopped,
 * every run throttled). Each hour is a data point, and an hour without
 * invocations has no data at all, so missing data counts as breaching;
 * the alarm fires when `hours` hours in a row had none.
 */
export function missedRunsAlarmProps(
  settings: FunctionSettings,
  topic: Optional<string>,
  hours: number,
): cloudwatch.CfnAlarmProps {
  const actions = alarmActions(topic);
  return {
    alarmName: alarmName(settings.functionName, 'invocations'),
    alarmDescription: `${settings.functionName} has not run for longer than twice the rule's period: AWS Config got no fresh evaluation of CloudTrail.1 for the account. Check that the Config rule still names this function and that AWS Config is recording.`,
    namespace: 'AWS/Lambda',
    metricName: 'Invocations',
    dimensions: [{ name: 'FunctionName', value: settings.functionName }],
    statistic: 'Sum',
    period: 3600,
    evaluationPeriods: hours,
    datapointsToAlarm: hours,
    threshold: 1,
    comparisonOperator: 'LessThanThreshold',
    treatMissingData: 'breaching',
    alarmActions: actions,
    okActions: actions,
  };
}

/**
 * The Config API calls that change what the rule reports, or what its
 * remediation runs: re-pointing it (`PutConfigRule` with another
 * function or parameters), deleting it or its evaluations, and replacing,
 * deleting or exempting its remediation.
 */
export const CONFIG_CHANGE_EVENTS = [
  'PutConfigRule',
  'DeleteConfigRule',
  'DeleteEvaluationResults',
  'PutRemediationConfigurations',
  'DeleteRemediationConfiguration',
  'PutRemediationExceptions',
] as const;

/**
 * The EventBridge rule that sees any of {@link CONFIG_CHANGE_EVENTS} for
 * this deployment's Config rule, as CloudTrail delivers them to the
 * default event bus. The calls name the rule in their request: by name
 * (`configRuleName`, or `configRule.configRuleName` for `PutConfigRule`,
 * or in each of `remediationConfigurations`), or for `PutConfigRule` by
 * its ARN or ID alone, which is why those two are matched too. It has no
 * target: the alarm on its matches ({@link configChangeAlarmProps}) is
 * what notifies.
 */
export function configChangeRuleProps(
  settings: DeploymentSettings,
  rule: { arn: string; id: string },
): events.CfnRuleProps {
  const names = resourceNames(settings.ruleName);
  const name = [settings.ruleName];
  return {
    name: names.configChangesName,
    description: `Matches every AWS Config API call that changes, deletes or exempts the Config rule ${names.ruleName} or its remediation, for the alarm of the same name.`,
    state: 'ENABLED',
    eventPattern: {
      source: ['aws.config'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['config.amazonaws.com'],
        eventName: [...CONFIG_CHANGE_EVENTS],
        $or: [
          { requestParameters: { configRuleName: name } },
          { requestParameters: { configRule: { configRuleName: name } } },
          { requestParameters: { configRule: { configRuleArn: [rule.arn] } } },
          { requestParameters: { configRule: { configRuleId: [rule.id] } } },
          { requestParameters: { remediationConfigurations: { configRuleName: name } } },
        ],
      },
    },
  };
}

/**
 * The alarm on the change watch's matches: one matched call within five
 * minutes. It goes back to OK five minutes later, so each change notifies
 * the topic again. A deployment or update of the stack makes the same calls
 * and raises it too: expected then, and a sign of tampering at any other time.
 */
export function configChangeAlarmProps(
  settings: DeploymentSettings,
  topic: Optional<string>,
): cloudwatch.CfnAlarmProps {
  const names = resourceNames(settings.ruleName);
  const actions = alarmActions(topic);
  return {
    alarmName: names.configChangesName,
    alarmDescription: `Someone changed, deleted or exempted the AWS Config rule ${names.ruleName} or its remediation configuration. Expected during a deployment or update of its stack; at any other time, find the call in CloudTrail (event source config.amazonaws.com) and redeploy the stack.`,
    namespace: 'AWS/Events',
    metricName: 'TriggeredRules',
    dimensions: [{ name: 'RuleName', value: names.configChangesName }],
    statistic: 'Sum',
    period: 300,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
    alarmActions: actions,
    okActions: actions,
  };
}

/** AWS Config may invoke the rule function, on behalf of this account only. */
export function configInvokePermissionProps(functionArn: string): lambda.CfnPermissionProps {
  return {
    action: 'lambda:InvokeFunction',
    functionName: functionArn,
    principal: 'config.amazonaws.com',
    sourceAccount: Aws.ACCOUNT_ID,
  };
}

export const RULE_DESCRIPTION =
  'Security Hub CloudTrail.1 (CIS 3.1): at least one multi-Region trail is logging and records read and write management events from every event source. Evaluates the account (AWS::::Account).';

const CHANGE_NOTIFICATIONS = [
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
];

/**
 * The `AWS::Config::ConfigRule` properties: periodic, plus trail changes
 * when enabled. `inputParameters` is the rule's parameters object: literal
 * strings in the stack, parameter references in a template.
 */
export function configRuleProps(
  settings: DeploymentSettings,
  refs: { ruleFunctionArn: string; inputParameters: Record<string, string> },
): config.CfnConfigRuleProps {
  const trigger = settings.triggerOnTrailChange;
  // Changes are reported for trails only; without the change trigger the rule has no scope.
  const scope =
    typeof trigger === 'boolean'
      ? trigger
        ? { complianceResourceTypes: [TRAIL_RESOURCE_TYPE] }
        : undefined
      : Fn.conditionIf(
          trigger.logicalId,
          { ComplianceResourceTypes: [TRAIL_RESOURCE_TYPE] },
          Aws.NO_VALUE,
        );
  return {
    configRuleName: settings.ruleName,
    description: RULE_DESCRIPTION,
    inputParameters: refs.inputParameters,
    scope,
    source: {
      owner: 'CUSTOM_LAMBDA',
      sourceIdentifier: refs.ruleFunctionArn,
      sourceDetails: [
        {
          eventSource: 'aws.config',
          messageType: 'ScheduledNotification',
          maximumExecutionFrequency: settings.maximumExecutionFrequency,
        },
        ...includeWhen(
          trigger,
          CHANGE_NOTIFICATIONS.map((messageType) => ({ eventSource: 'aws.config', messageType })),
          (detail) => ({ EventSource: detail.eventSource, MessageType: detail.messageType }),
        ),
      ],
    },
  };
}

/** The `AWS::SSM::Document` properties: a new version on update, never a replacement. */
export function documentProps(settings: DeploymentSettings): ssm.CfnDocumentProps {
  const names = resourceNames(settings.ruleName);
  return {
    name: names.documentName,
    documentType: 'Automation',
    documentFormat: 'JSON',
    updateMethod: 'NewVersion',
    // By name: the function has a fixed name in this account and Region.
    content: remediationDocument({
      remediationFunction: names.remediationFunctionName,
      ruleName: names.ruleName,
    }),
  };
}

/**
 * The document parameters the remediation configuration sets: the role
 * (static), the account (the evaluated resource's ID, which is the account
 * ID), and the options given; the others keep the document's defaults.
 */
function remediationParameters(
  settings: DeploymentSettings,
  automationRoleArn: string,
): Record<string, unknown> {
  const parameters: Record<string, unknown> = {
    AutomationAssumeRole: { StaticValue: { Values: [automationRoleArn] } },
    AccountId: { ResourceValue: { Value: 'RESOURCE_ID' } },
  };
  for (const [name, value] of Object.entries(settings.remediationStatics)) {
    const parameter = optionalProperty(value, (v) => ({ StaticValue: { Values: [v] } }));
    if (parameter !== undefined) parameters[name] = parameter;
  }
  for (const name of Object.keys(parameters)) {
    if (!(name in DOCUMENT_PARAMETERS)) throw new Error(`The document has no parameter ${name}`);
  }
  return parameters;
}

/** The `AWS::Config::RemediationConfiguration` properties. */
export function remediationConfigurationProps(
  settings: DeploymentSettings,
  refs: { automationRoleArn: string },
): config.CfnRemediationConfigurationProps {
  const names = resourceNames(settings.ruleName);
  return {
    configRuleName: names.ruleName,
    targetType: 'SSM_DOCUMENT',
    // No TargetVersion: Automation runs the document's default version, which
    // each stack update (UpdateMethod NewVersion) moves to the new content.
    targetId: names.documentName,
    parameters: remediationParameters(settings, refs.automationRoleArn),
    automatic: settings.automaticRemediation,
    maximumAutomaticAttempts: settings.maximumAutomaticAttempts,
    retryAttemptSeconds: settings.retryAttemptSeconds,
  };
}
