// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::…} here are CloudFormation Fn::Sub variables.
import { stringify } from 'yaml';
import { ROLE_ARN_PATTERN } from '../remediation/input';
import { PARAMETER_NAMES, type ParameterName } from '../rule/parameters';
import {
  type CfnValue,
  configRuleProperties,
  RULE_DESCRIPTION,
  remediationConfigurationProperties,
} from './definitions';
import { resourceNames } from './names';
import { type DeploymentOptions, ruleInputParameters } from './options';

/**
 * The conformance pack (DESIGN §6): the Config rule, pointing at a rule
 * function already deployed in the account, and its remediation
 * configuration, built by the same `definitions.ts` functions as the stack.
 * The rule parameters, the function ARN and the automation role ARN are pack
 * parameters; their defaults are the deployment options' values and the
 * functions and role that this project's stack deploys in the same account
 * and Region.
 */

/** AWS Config rejects pack templates larger than this (TemplateBody). */
export const MAX_TEMPLATE_BYTES = 51_200;

export const RULE_LOGICAL_ID = 'CloudTrailMultiRegionRule';
export const REMEDIATION_LOGICAL_ID = 'CloudTrailMultiRegionRemediation';
export const RULE_FUNCTION_PARAMETER = 'RuleFunctionArn';
export const AUTOMATION_ROLE_PARAMETER = 'AutomationRoleArn';

/** The pack parameter for a rule parameter: `readWriteType` → `ReadWriteType`. */
export function packParameterName(name: ParameterName): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Rule parameters that may be left unset: an empty pack parameter leaves them out. */
const OPTIONAL: ReadonlySet<ParameterName> = new Set([
  's3BucketName',
  'snsTopicArn',
  'cloudWatchLogsLogGroupArn',
]);

const ALLOWED_VALUES: Partial<Record<ParameterName, string[]>> = {
  includeManagementEvents: ['true', 'false'],
  readWriteType: ['ALL', 'ReadOnly', 'WriteOnly'],
  trustOrganizationTrails: ['true', 'false'],
};

const PARAMETER_DESCRIPTIONS: Record<ParameterName, string> = {
  s3BucketName: 'The passing trail must deliver to this S3 bucket. Empty: any bucket.',
  snsTopicArn: 'The passing trail must notify this SNS topic (ARN). Empty: any or none.',
  cloudWatchLogsLogGroupArn:
    'The passing trail must send to this CloudWatch Logs log group (ARN). Empty: any or none.',
  includeManagementEvents: 'Require management events to be logged from every event source.',
  readWriteType: 'The kinds of management events that must be logged: ALL, ReadOnly or WriteOnly.',
  trustOrganizationTrails:
    'Count a logging multi-Region organization trail whose selectors this member account cannot read.',
};

const hasValue = (parameter: string) => `Has${parameter}`;
const useDefault = (parameter: string) => `Default${parameter}`;
const ref = (name: string) => ({ Ref: name });

/** The pack template as an object (what {@link conformancePackYaml} writes). */
export function conformancePackTemplate(options: DeploymentOptions): Record<string, unknown> {
  const names = resourceNames(options.ruleName);
  const defaults = ruleInputParameters(options.ruleParameters);

  const parameters: Record<string, Record<string, unknown>> = {};
  const conditions: Record<string, unknown> = {};
  const inputParameters: Record<string, CfnValue> = {};
  for (const name of PARAMETER_NAMES) {
    const parameter = packParameterName(name);
    const allowed = ALLOWED_VALUES[name];
    parameters[parameter] = {
      Type: 'String',
      Default: defaults[name] ?? '',
      Description: PARAMETER_DESCRIPTIONS[name],
      ...(allowed === undefined ? {} : { AllowedValues: allowed }),
    };
    if (OPTIONAL.has(name)) {
      conditions[hasValue(parameter)] = { 'Fn::Not': [{ 'Fn::Equals': ['', ref(parameter)] }] };
      inputParameters[name] = {
        'Fn::If': [hasValue(parameter), ref(parameter), ref('AWS::NoValue')],
      };
    } else {
      inputParameters[name] = ref(parameter);
    }
  }

  parameters[RULE_FUNCTION_PARAMETER] = {
    Type: 'String',
    Default: '',
    Description: `ARN of the rule's Lambda function. Empty: ${names.ruleFunctionName} in this account and Region, as this project's stack deploys it.`,
    AllowedPattern: '^$|^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}$',
  };
  parameters[AUTOMATION_ROLE_PARAMETER] = {
    Type: 'String',
    Default: '',
    Description: `ARN of the role SSM Automation assumes to remediate. Empty: ${names.automationRoleNamePattern.replace('${AWS::Region}', '<Region>')} in this account, as this project's stack deploys it.`,
    AllowedPattern: `^$|${ROLE_ARN_PATTERN}`,
  };
  conditions[useDefault(RULE_FUNCTION_PARAMETER)] = {
    'Fn::Equals': ['', ref(RULE_FUNCTION_PARAMETER)],
  };
  conditions[useDefault(AUTOMATION_ROLE_PARAMETER)] = {
    'Fn::Equals': ['', ref(AUTOMATION_ROLE_PARAMETER)],
  };

  const ruleFunctionArn = {
    'Fn::If': [
      useDefault(RULE_FUNCTION_PARAMETER),
      {
        'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${names.ruleFunctionName}`,
      },
      ref(RULE_FUNCTION_PARAMETER),
    ],
  };
  const automationRoleArn = {
    'Fn::If': [
      useDefault(AUTOMATION_ROLE_PARAMETER),
      {
        'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${names.automationRoleNamePattern}`,
      },
      ref(AUTOMATION_ROLE_PARAMETER),
    ],
  };

  return {
    Parameters: parameters,
    Conditions: conditions,
    Resources: {
      [RULE_LOGICAL_ID]: {
        Type: 'AWS::Config::ConfigRule',
        Properties: configRuleProperties(options, { ruleFunctionArn, inputParameters }),
      },
      [REMEDIATION_LOGICAL_ID]: {
        Type: 'AWS::Config::RemediationConfiguration',
        DependsOn: RULE_LOGICAL_ID,
        Properties: remediationConfigurationProperties(options, { automationRoleArn }),
      },
    },
  };
}

/** The pack template as YAML, ready for `aws configservice put-conformance-pack --template-body`. */
export function conformancePackYaml(options: DeploymentOptions): string {
  const header = [
    '# Conformance pack: Security Hub CloudTrail.1 (CIS 3.1), with remediation.',
    `# ${RULE_DESCRIPTION}`,
    '# Generated by `npm run conformance-pack` from stack/definitions.ts: do not edit by hand.',
    '# Needs, in each account and Region: the rule function, the remediation function, the SSM',
    `# document ${resourceNames(options.ruleName).documentName} and the automation role (see the README).`,
    '',
  ].join('\n');
  return header + stringify(conformancePackTemplate(options), { lineWidth: 0 });
}
