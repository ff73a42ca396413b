import { z } from 'zod';
import { fault, validated } from './errors';

/*
 * AWS Config's reads of an account's rules and remediation configurations,
 * as the organization audit makes them through the role it assumes:
 *
 * DescribeConfigRules: https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigRules.html
 * DescribeRemediationConfigurations: https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeRemediationConfigurations.html
 *
 * Asking for a rule name the account does not have fails the whole call with
 * NoSuchConfigRuleException; DescribeRemediationConfigurations leaves out the
 * names that have no configuration.
 */

type ExecutionFrequency =
  | 'One_Hour'
  | 'Three_Hours'
  | 'Six_Hours'
  | 'Twelve_Hours'
  | 'TwentyFour_Hours';

/** A `ConfigRule` as `DescribeConfigRules` returns it (the fields the audit reads, and a few it does not). */
export interface ConfigRuleWire {
  ConfigRuleName: string;
  ConfigRuleArn: string;
  ConfigRuleId: string;
  Description?: string;
  Scope?: { ComplianceResourceTypes?: string[] };
  Source: {
    Owner: 'CUSTOM_LAMBDA' | 'AWS' | 'CUSTOM_POLICY';
    SourceIdentifier?: string;
    SourceDetails?: {
      EventSource: 'aws.config';
      MessageType:
        | 'ConfigurationItemChangeNotification'
        | 'ConfigurationSnapshotDeliveryCompleted'
        | 'OversizedConfigurationItemChangeNotification'
        | 'ScheduledNotification';
      MaximumExecutionFrequency?: ExecutionFrequency;
    }[];
  };
  InputParameters?: string;
  MaximumExecutionFrequency?: ExecutionFrequency;
  ConfigRuleState: 'ACTIVE' | 'DELETING' | 'DELETING_RESULTS' | 'EVALUATING';
  EvaluationModes?: { Mode: 'DETECTIVE' | 'PROACTIVE' }[];
}

/** A `RemediationConfiguration` as `DescribeRemediationConfigurations` returns it. */
export interface RemediationConfigurationWire {
  ConfigRuleName: string;
  TargetType: 'SSM_DOCUMENT';
  TargetId: string;
  TargetVersion?: string;
  Parameters?: Record<
    string,
    { ResourceValue?: { Value: 'RESOURCE_ID' }; StaticValue?: { Values: string[] } }
  >;
  Automatic?: boolean;
  MaximumAutomaticAttempts?: number;
  RetryAttemptSeconds?: number;
  Arn?: string;
}

/** The account's Config rules and remediation configurations in one Region. */
export interface AccountConfig {
  rules: ConfigRuleWire[];
  remediations: RemediationConfigurationWire[];
}

export const CONFIG_READ_OPERATIONS = [
  'DescribeConfigRules',
  'DescribeRemediationConfigurations',
] as const;
export type ConfigReadOperation = (typeof CONFIG_READ_OPERATIONS)[number];

const ruleNames = z.array(z.string().min(1).max(128)).max(25);
const describeRulesSchema = z
  .object({ ConfigRuleNames: ruleNames.optional(), NextToken: z.string().optional() })
  .strict();
const describeRemediationsSchema = z.object({ ConfigRuleNames: ruleNames }).strict();

/** What the account's Config answers to a read. */
export function answerConfigRead(
  operation: ConfigReadOperation,
  input: Record<string, unknown>,
  config: AccountConfig,
): Record<string, unknown> {
  switch (operation) {
    case 'DescribeConfigRules': {
      const { ConfigRuleNames } = validated(describeRulesSchema, input);
      if (ConfigRuleNames === undefined || ConfigRuleNames.length === 0) {
        return { ConfigRules: structuredClone(config.rules) };
      }
      const found = ConfigRuleNames.map((name) => {
        const rule = config.rules.find((r) => r.ConfigRuleName === name);
        if (rule === undefined) {
          throw fault(
            'NoSuchConfigRuleException',
            `The ConfigRule '${name}' provided in the request is invalid. Please check the configRule name`,
          );
        }
        return rule;
      });
      return { ConfigRules: structuredClone(found) };
    }
    case 'DescribeRemediationConfigurations': {
      const { ConfigRuleNames } = validated(describeRemediationsSchema, input);
      return {
        RemediationConfigurations: structuredClone(
          config.remediations.filter((r) => ConfigRuleNames.includes(r.ConfigRuleName)),
        ),
      };
    }
  }
}

/** The deployment's default names and parameters, as a stack of this project writes them. */
const RULE_NAME = 'cloudtrail-1-multi-region-trail';
/** What a default deployment writes: the rule's defaults, and the undecided window as twice the 24-hour period. */
const DEFAULT_INPUT_PARAMETERS = JSON.stringify({
  includeManagementEvents: 'true',
  readWriteType: 'ALL',
  trustOrganizationTrails: 'true',
  requireDelivery: 'false',
  undecidedWindowHours: '48',
});

/**
 * The Config rule and remediation configuration a default deployment of
 * this project leaves in `accountId` and `region`, as the two Describe
 * calls return them; `changes` alters the rule (for example a re-pointed
 * `Source`).
 */
export function deployedConfig(
  accountId: string,
  region = 'us-east-1',
  changes: Partial<ConfigRuleWire> = {},
): AccountConfig {
  return {
    rules: [
      {
        ConfigRuleName: RULE_NAME,
        ConfigRuleArn: `arn:aws:config:${region}:${accountId}:config-rule/config-rule-0a1b2c`,
        ConfigRuleId: 'config-rule-0a1b2c',
        Description:
          'Security Hub CloudTrail.1 (CIS 3.1): at least one multi-Region trail is logging and records read and write management events from every event source. Evaluates the account (AWS::::Account).',
        Scope: { ComplianceResourceTypes: ['AWS::CloudTrail::Trail'] },
        Source: {
          Owner: 'CUSTOM_LAMBDA',
          SourceIdentifier: `arn:aws:lambda:${region}:${accountId}:function:${RULE_NAME}-rule`,
          SourceDetails: [
            {
              EventSource: 'aws.config',
              MessageType: 'ScheduledNotification',
              MaximumExecutionFrequency: 'TwentyFour_Hours',
            },
            { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
            {
              EventSource: 'aws.config',
              MessageType: 'OversizedConfigurationItemChangeNotification',
            },
          ],
        },
        InputParameters: DEFAULT_INPUT_PARAMETERS,
        MaximumExecutionFrequency: 'TwentyFour_Hours',
        ConfigRuleState: 'ACTIVE',
        EvaluationModes: [{ Mode: 'DETECTIVE' }],
        ...changes,
      },
    ],
    remediations: [
      {
        ConfigRuleName: RULE_NAME,
        TargetType: 'SSM_DOCUMENT',
        TargetId: `${RULE_NAME}-remediation`,
        Parameters: {
          AutomationAssumeRole: {
            StaticValue: {
              Values: [`arn:aws:iam::${accountId}:role/${RULE_NAME}-automation-${region}`],
            },
          },
          AccountId: { ResourceValue: { Value: 'RESOURCE_ID' } },
        },
        Automatic: false,
        Arn: `arn:aws:config:${region}:${accountId}:remediation-configuration/${RULE_NAME}/5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b`,
      },
    ],
  };
}
