// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::…} here are CloudFormation Fn::Sub variables.
import { DOCUMENT_PARAMETERS, remediationDocument } from '../remediation/document';
import { actionsFor, type PermissionScope } from '../remediation/permissions';
import { TRAIL_RESOURCE_TYPE } from '../rule/event';
import { type ResourceNames, resourceNames } from './names';
import {
  type CfnValue,
  type Intrinsics,
  includeWhen,
  type OptionalValue,
  optionalProperty,
  presentWhen,
  type TemplateOptions,
} from './template-options';

export { type CfnValue, type Intrinsics, TEMPLATE_INTRINSICS } from './template-options';

/**
 * What the deployment is made of, as plain CloudFormation data: the Config
 * rule, the remediation configuration, the document, the functions' settings
 * and every IAM statement. The CDK stack and the conformance pack (and any
 * other template generator) build their resources from these functions, so
 * rule parameters, triggers, permissions and remediation parameters cannot
 * drift apart between them.
 *
 * Values that only the deployment knows (a function's ARN, the account ID)
 * are passed in as {@link CfnValue}s: a CDK token in the stack, an intrinsic
 * function such as `{ Ref: 'RuleFunctionArn' }` in a plain template.
 */

export interface PolicyStatementJson {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue | CfnValue[];
  Condition?: Record<string, Record<string, CfnValue>>;
}

/** The Lambda runtime and architecture of both functions (Node.js 24: the AWS SDK needs Node ≥ 22 from 2027). */
export const LAMBDA_RUNTIME = 'nodejs24.x';
export const LAMBDA_ARCHITECTURE: 'arm64' | 'x86_64' = 'arm64';
/** How long the functions' logs are kept: a year of evidence for audits, at a few KB a day. */
export const LOG_RETENTION_DAYS = 365;

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
    entry: 'rule/handler.ts',
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
export function remediationFunctionSettings(values: TemplateOptions): FunctionSettings {
  const names = resourceNames(values.ruleName);
  return {
    functionName: names.remediationFunctionName,
    description: `Remediation for AWS Config rule ${names.ruleName} (CloudTrail.1): repairs or creates a multi-Region trail, then verifies with the rule's own verdict.`,
    entry: 'remediation/handler.ts',
    memorySize: 256,
    timeoutSeconds: 270,
    // The rule's own parameters, so that "remediated" means what the rule means; and the one
    // key whose policy its role may change, so that no request can name another.
    environment: {
      RULE_PARAMETERS: values.ruleParametersJson,
      KMS_KEY_ID: values.configuredKmsKeyId,
    },
    alarmMeaning: 'a remediation of CloudTrail.1 did not make the account COMPLIANT.',
  };
}

/** The rule function's permissions, besides writing its own logs. */
export function ruleFunctionStatements(cfn: Intrinsics): PolicyStatementJson[] {
  return [
    {
      // Shadow and organization trails live in Regions and accounts not known in advance.
      Sid: 'ReadAnyTrail',
      Effect: 'Allow',
      Action: ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'],
      Resource: cfn.sub(ANY_TRAIL),
    },
    {
      // Neither action supports resource-level permissions.
      Sid: 'ListTrailsAndReport',
      Effect: 'Allow',
      Action: ['cloudtrail:DescribeTrails', 'config:PutEvaluations'],
      Resource: '*',
    },
  ];
}

const NETWORK_INTERFACES_HERE =
  'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*';

/**
 * What Lambda needs, through a function's role, to attach the function to
 * its subnets: the actions of AWSLambdaVPCAccessExecutionRole, without its
 * logs actions and without `*` where an action takes a resource. Network
 * interfaces are created only in the given subnets with the given security
 * groups; those Lambda creates are named at run time.
 */
export function vpcStatements(
  subnetsAndGroups: CfnValue[],
  cfn: Intrinsics,
): PolicyStatementJson[] {
  return [
    {
      Sid: 'CreateFunctionNetworkInterfaces',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkInterface'],
      Resource: [cfn.sub(NETWORK_INTERFACES_HERE), ...subnetsAndGroups],
    },
    {
      Sid: 'ManageFunctionNetworkInterfaces',
      Effect: 'Allow',
      Action: [
        'ec2:AssignPrivateIpAddresses',
        'ec2:DeleteNetworkInterface',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: cfn.sub(NETWORK_INTERFACES_HERE),
    },
    {
      Sid: 'DescribeNetwork',
      Effect: 'Allow',
      Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      Resource: '*',
    },
  ];
}

/**
 * An alarm on a function's errors. The rule throws when it cannot decide
 * (an UNDECIDED verdict) and the remediation when it fails, so an error
 * means an account went without a fresh evaluation or stayed unremediated.
 * One error in an hour is enough; an hour without invocations is not an
 * error. The topic, when given, hears of the alarm and of its recovery.
 */
export function errorAlarmProperties(
  settings: FunctionSettings,
  topic: OptionalValue,
): Record<string, unknown> {
  const actions = optionalProperty(topic, (arn) => [arn]);
  return {
    AlarmName: `${settings.functionName}-errors`,
    AlarmDescription: `${settings.functionName} failed: ${settings.alarmMeaning} See the function's log group for the error.`,
    Namespace: 'AWS/Lambda',
    MetricName: 'Errors',
    Dimensions: [{ Name: 'FunctionName', Value: settings.functionName }],
    Statistic: 'Sum',
    Period: 3600,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
    ...(actions === undefined ? {} : { AlarmActions: actions, OKActions: actions }),
  };
}

/** Writing to one log group: the only logs permission either function has. */
export function logsStatement(logGroupArn: CfnValue): PolicyStatementJson {
  return {
    Sid: 'WriteOwnLogs',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: logGroupArn,
  };
}

const ANY_TRAIL = 'arn:${AWS::Partition}:cloudtrail:*:*:trail/*';
const OWN_TRAIL = 'arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*';

const SCOPE_SIDS: Record<PermissionScope, string> = {
  none: 'ListTrails',
  anyTrail: 'ReadAnyTrail',
  ownTrail: 'ChangeOwnTrails',
  newBucket: 'CreateLogBucket',
  bucket: 'CheckOrSecureLogBucket',
  key: 'CheckNewTrailKey',
  keyPolicy: 'GrantNewTrailKey',
};

/** Scopes whose statement is a policy of its own, granted only when the deployment needs it. */
const SEPARATE_SCOPES: ReadonlySet<PermissionScope> = new Set(['keyPolicy']);

function scopeStatement(
  scope: PermissionScope,
  values: TemplateOptions,
  cfn: Intrinsics,
): PolicyStatementJson {
  const resources: Record<PermissionScope, CfnValue> = {
    none: '*',
    anyTrail: cfn.sub(ANY_TRAIL),
    // Writes: a trail of another account (an organization trail) is never changed.
    ownTrail: cfn.sub(OWN_TRAIL),
    newBucket: values.bucketResource(cfn),
    bucket: values.bucketResource(cfn),
    key: values.keyResource(cfn),
    keyPolicy: values.keyResource(cfn),
  };
  // A bucket of that name in another account (one created there first, say) is never touched.
  const condition =
    scope === 'bucket'
      ? { Condition: { StringEquals: { 's3:ResourceAccount': cfn.accountId } } }
      : {};
  return {
    Sid: SCOPE_SIDS[scope],
    Effect: 'Allow',
    Action: actionsFor(scope),
    Resource: resources[scope],
    ...condition,
  };
}

/**
 * The remediation function's permissions: exactly the actions
 * `remediation/permissions.ts` lists, one statement per scope, each limited
 * to the resources the code can touch; all but the key policy grant, which
 * is {@link keyPolicyStatements}.
 */
export function remediationFunctionStatements(
  values: TemplateOptions,
  cfn: Intrinsics,
): PolicyStatementJson[] {
  return (Object.keys(SCOPE_SIDS) as PermissionScope[])
    .filter((scope) => !SEPARATE_SCOPES.has(scope))
    .map((scope) => scopeStatement(scope, values, cfn))
    .filter((statement) => statement.Action.length > 0);
}

/**
 * Changing the new trail's key policy, so CloudTrail may use the key: a
 * policy of its own, granted only when a key is configured
 * (`values.grantKeyPolicy`), on that key.
 */
export function keyPolicyStatements(
  values: TemplateOptions,
  cfn: Intrinsics,
): PolicyStatementJson[] {
  return [scopeStatement('keyPolicy', values, cfn)];
}

/** The service that assumes the automation role. */
export const AUTOMATION_PRINCIPAL = 'ssm.amazonaws.com';

/**
 * Only SSM Automation, and only for an automation execution of this account
 * in this Region, may assume the automation role: no other account's or
 * Region's automation can act through it (Systems Manager's guidance on
 * cross-service confused deputy prevention).
 */
export function automationTrustConditions(
  cfn: Intrinsics,
): Record<string, Record<string, CfnValue>> {
  return {
    StringEquals: { 'aws:SourceAccount': cfn.accountId },
    ArnLike: {
      'aws:SourceArn': cfn.sub(
        'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:automation-execution/*',
      ),
    },
  };
}

/** The automation role: run the remediation function, then ask Config to evaluate this rule again. */
export function automationRoleStatements(refs: {
  remediationFunctionArn: CfnValue;
  ruleArn: CfnValue;
}): PolicyStatementJson[] {
  return [
    {
      Sid: 'RunRemediation',
      Effect: 'Allow',
      Action: ['lambda:InvokeFunction'],
      Resource: refs.remediationFunctionArn,
    },
    {
      Sid: 'ReevaluateRule',
      Effect: 'Allow',
      Action: ['config:StartConfigRulesEvaluation'],
      Resource: refs.ruleArn,
    },
  ];
}

/** The source details: periodic, plus trail changes when enabled. */
export function ruleSourceDetails(values: TemplateOptions): unknown[] {
  return [
    {
      EventSource: 'aws.config',
      MessageType: 'ScheduledNotification',
      MaximumExecutionFrequency: values.maximumExecutionFrequency,
    },
    ...includeWhen(values.triggerOnTrailChange, [
      { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
      { EventSource: 'aws.config', MessageType: 'OversizedConfigurationItemChangeNotification' },
    ]),
  ];
}

export const RULE_DESCRIPTION =
  'Security Hub CloudTrail.1 (CIS 3.1): at least one multi-Region trail is logging and records read and write management events from every event source. Evaluates the account (AWS::::Account).';

/**
 * The `AWS::Config::ConfigRule` properties. `inputParameters` is the rule's
 * parameters object: literal strings in the stack, parameter references in
 * a conformance pack.
 */
export function configRuleProperties(
  values: TemplateOptions,
  refs: { ruleFunctionArn: CfnValue; inputParameters: Record<string, CfnValue> },
): Record<string, unknown> {
  // Changes are reported for trails only; without the change trigger the rule has no scope.
  const scope = optionalProperty(
    presentWhen(values.triggerOnTrailChange, { ComplianceResourceTypes: [TRAIL_RESOURCE_TYPE] }),
    (v) => v,
  );
  return {
    ConfigRuleName: values.ruleName,
    Description: RULE_DESCRIPTION,
    InputParameters: refs.inputParameters,
    ...(scope === undefined ? {} : { Scope: scope }),
    Source: {
      Owner: 'CUSTOM_LAMBDA',
      SourceIdentifier: refs.ruleFunctionArn,
      SourceDetails: ruleSourceDetails(values),
    },
  };
}

/** Principal and condition under which AWS Config may invoke the rule function. */
export function configInvokePermissionProperties(
  functionArn: CfnValue,
  cfn: Intrinsics,
): Record<string, CfnValue> {
  return {
    Action: 'lambda:InvokeFunction',
    FunctionName: functionArn,
    Principal: 'config.amazonaws.com',
    SourceAccount: cfn.accountId,
  };
}

/** The `AWS::SSM::Document` properties: a new version on update, never a replacement. */
export function documentProperties(values: TemplateOptions): Record<string, unknown> {
  const names = resourceNames(values.ruleName);
  return {
    Name: names.documentName,
    DocumentType: 'Automation',
    DocumentFormat: 'JSON',
    UpdateMethod: 'NewVersion',
    // By name: the function has a fixed name in this account and Region.
    Content: remediationDocument({
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
export function remediationParameters(
  values: TemplateOptions,
  automationRoleArn: CfnValue,
): Record<string, unknown> {
  const parameters: Record<string, unknown> = {
    AutomationAssumeRole: { StaticValue: { Values: [automationRoleArn] } },
    AccountId: { ResourceValue: { Value: 'RESOURCE_ID' } },
  };
  for (const [name, value] of Object.entries(values.remediationStatics)) {
    const parameter = optionalProperty(value, (v) => ({ StaticValue: { Values: [v] } }));
    if (parameter !== undefined) parameters[name] = parameter;
  }
  for (const name of Object.keys(parameters)) {
    if (!(name in DOCUMENT_PARAMETERS)) throw new Error(`The document has no parameter ${name}`);
  }
  return parameters;
}

/** The `AWS::Config::RemediationConfiguration` properties. */
export function remediationConfigurationProperties(
  values: TemplateOptions,
  refs: { automationRoleArn: CfnValue },
): Record<string, unknown> {
  const names = resourceNames(values.ruleName);
  return {
    ConfigRuleName: names.ruleName,
    TargetType: 'SSM_DOCUMENT',
    // No TargetVersion: Automation runs the document's default version, which
    // each stack update (UpdateMethod NewVersion) moves to the new content.
    TargetId: names.documentName,
    Parameters: remediationParameters(values, refs.automationRoleArn),
    Automatic: values.automaticRemediation,
    MaximumAutomaticAttempts: values.maximumAutomaticAttempts,
    RetryAttemptSeconds: values.retryAttemptSeconds,
  };
}
