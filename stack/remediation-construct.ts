import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import {
  documentProps,
  remediationConfigurationProps,
  remediationFunctionSettings,
} from './definitions';
import type { FunctionCode } from './function-code';
import { MonitoredFunction } from './monitored-function';
import { resourceNames } from './names';
import { ResourceGroup } from './resource-group';
import { type DeploymentSettings, withTrailResources } from './settings';
import {
  AUTOMATION_PRINCIPAL,
  automationRoleStatements,
  automationTrustConditions,
  conditionalStatements,
  type RemediationResources,
  remediationFunctionStatements,
} from './statements';
import { TrailResources } from './trail-resources';

export interface RemediationProps {
  settings: DeploymentSettings;
  code: FunctionCode;
  /** The Config rule it remediates. */
  rule: config.CfnConfigRule;
}

/**
 * The remediation: its function (with role, log group and error alarm), the
 * SSM Automation document that runs it, the role SSM Automation assumes,
 * the remediation configuration that attaches the document to the rule,
 * and what the deployment creates for the trails ({@link TrailResources}).
 */
export class Remediation extends ResourceGroup {
  readonly trailResources: TrailResources;
  readonly function: MonitoredFunction;
  readonly document: ssm.CfnDocument;
  readonly automationRole: iam.Role;
  readonly configuration: config.CfnRemediationConfiguration;

  constructor(scope: Construct, id: string, props: RemediationProps) {
    super(scope, id);
    this.trailResources = new TrailResources(this, 'TrailResources', props);
    const settings = withTrailResources(props.settings, this.trailResources.arns);
    const names = resourceNames(settings.ruleName);
    const resources: RemediationResources = {
      bucketArns: settings.bucketArns,
      logAccounts: settings.logAccounts,
      keyArn: settings.keyArn,
      trailLogsRoleArn: this.trailResources.role?.roleArn,
    };
    this.function = new MonitoredFunction(this, 'RemediationFunction', {
      settings: remediationFunctionSettings(settings),
      code: props.code,
      roleName: settings.roleNames.remediation,
      statements: remediationFunctionStatements(resources),
      policyName: 'Remediation',
      placement: settings.functions,
    });
    this.function.grantWhen(
      settings.grantKeyPolicy,
      'RemediationFunctionKeyPolicyGrant',
      conditionalStatements('keyPolicy', resources),
    );
    this.function.grantWhen(
      settings.hardenRepairedTrail,
      'RemediationFunctionRepairedTrailBucketGrant',
      conditionalStatements('repairedTrailBucket', resources),
    );
    if (this.trailResources.role !== undefined) {
      this.function.grantWhen(
        settings.trailResources.cloudWatchLogs,
        'RemediationFunctionTrailLogsRoleGrant',
        conditionalStatements('cloudWatchLogsRole', resources),
      );
    }

    this.document = new ssm.CfnDocument(this, 'RemediationDocument', documentProps(settings));
    this.automationRole = new iam.Role(this, 'AutomationRole', {
      roleName: settings.roleNames.automation,
      description: `Assumed by SSM Automation to run ${names.documentName}: invokes the remediation function and re-evaluates ${names.ruleName}.`,
      assumedBy: new iam.ServicePrincipal(AUTOMATION_PRINCIPAL).withConditions(
        automationTrustConditions(),
      ),
      inlinePolicies: {
        Remediate: new iam.PolicyDocument({
          statements: automationRoleStatements({
            remediationFunctionArn: this.function.fn.functionArn,
            ruleArn: props.rule.attrArn,
          }),
        }),
      },
    });
    this.configuration = new config.CfnRemediationConfiguration(
      this,
      'RemediationConfiguration',
      remediationConfigurationProps(settings, { automationRoleArn: this.automationRole.roleArn }),
    );
    this.configuration.node.addDependency(props.rule);
    this.configuration.node.addDependency(this.document);
  }
}
