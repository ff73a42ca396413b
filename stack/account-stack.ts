import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CloudTrailOneRule, propsOf } from './cloudtrail-one-rule';
import type { Deployment } from './deployment';
import type { DeploymentOptions } from './options';
import { GroupedStack } from './resource-group';

export interface AccountStackProps extends StackProps {
  options: DeploymentOptions;
}

/**
 * The single-account stack, for `cdk deploy` into a bootstrapped account:
 * the {@link CloudTrailOneRule} construct that the package gives users for
 * stacks of their own (the options as literal values, the functions as CDK
 * assets), alone in a stack whose logical IDs leave out the code's grouping.
 */
export class AccountStack extends GroupedStack {
  readonly deployment: Deployment;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    // No AWS::CDK::Metadata resource: the template holds exactly the deployment.
    super(scope, id, { analyticsReporting: false, ...props });
    this.deployment = new CloudTrailOneRule(this, 'Deployment', propsOf(props.options));
  }
}
