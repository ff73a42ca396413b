import { CfnOutput } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
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
 * and outputs that name what a person or a script looks for.
 */
export class Deployment extends ResourceGroup {
  readonly rule: Rule;
  readonly remediation: Remediation;

  constructor(scope: Construct, id: string, props: DeploymentProps) {
    super(scope, id);
    this.rule = new Rule(this, 'Detection', props);
    this.remediation = new Remediation(this, 'Remediation', { ...props, rule: this.rule.rule });
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
  }
}
