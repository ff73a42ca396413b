import { type CfnCondition, CfnOutput } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ConfigChangeWatch } from './config-change-watch';
import type { FunctionCode } from './function-code';
import { Remediation } from './remediation-construct';
import { ResourceGroup } from './resource-group';
import { Rule } from './rule-construct';
import type { DeploymentSettings } from './settings';

export interface DeploymentProps {
  settings: DeploymentSettings;
  code: FunctionCode;
}

/**
 * One account and Region's deployment of the CloudTrail.1 rule
 * (docs/design.md, "Deployment"): the {@link Rule}, its {@link Remediation},
 * the {@link ConfigChangeWatch} on both, and outputs that name what a
 * person or a script looks for.
 */
export class Deployment extends ResourceGroup {
  readonly rule: Rule;
  readonly remediation: Remediation;
  readonly changeWatch: ConfigChangeWatch;

  constructor(scope: Construct, id: string, props: DeploymentProps) {
    super(scope, id);
    this.rule = new Rule(this, 'Detection', props);
    this.remediation = new Remediation(this, 'Remediation', { ...props, rule: this.rule.rule });
    this.changeWatch = new ConfigChangeWatch(this, 'ChangeWatch', {
      settings: props.settings,
      rule: this.rule.rule,
    });
    const outputs: Record<string, [string, string]> = {
      ConfigRuleName: [this.rule.rule.ref, 'The AWS Config rule'],
      RuleFunctionArn: [this.rule.function.fn.functionArn, "The rule's Lambda function"],
      RemediationFunctionArn: [
        this.remediation.function.fn.functionArn,
        "The remediation's Lambda function",
      ],
      RemediationDocumentName: [
        this.remediation.document.ref,
        'The SSM Automation document the remediation runs',
      ],
      AutomationRoleArn: [
        this.remediation.automationRole.roleArn,
        'The role SSM Automation assumes to remediate',
      ],
      RuleLogGroupName: [this.rule.function.logGroup.logGroupName, "The rule function's logs"],
      RemediationLogGroupName: [
        this.remediation.function.logGroup.logGroupName,
        "The remediation function's logs",
      ],
    };
    for (const [outputId, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, outputId, { value, description });
    }
    // What the deployment creates for the trails, when it does: a conformance pack takes these ARNs.
    const { trailResources: created } = this.remediation;
    const { key, cloudWatchLogs } = props.settings.trailResources;
    const createdOutputs: [string, string | undefined, boolean | CfnCondition, string][] = [
      [
        'TrailKeyArn',
        created.key?.attrArn,
        key,
        'The KMS key that trails the remediation creates encrypt their log files with',
      ],
      [
        'TrailLogGroupArn',
        created.logGroup?.logGroupArn,
        cloudWatchLogs,
        'The CloudWatch Logs log group that trails the remediation creates send their events to',
      ],
      [
        'TrailLogsRoleArn',
        created.role?.roleArn,
        cloudWatchLogs,
        'The role CloudTrail assumes to write to that log group',
      ],
    ];
    for (const [outputId, value, when, description] of createdOutputs) {
      if (value === undefined || when === false) continue;
      new CfnOutput(this, outputId, {
        value,
        description,
        ...(when === true ? {} : { condition: when }),
      });
    }
  }
}
