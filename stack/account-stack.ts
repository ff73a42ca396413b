import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Deployment } from './deployment';
import { FunctionCode } from './function-code';
import type { DeploymentOptions } from './options';
import { GroupedStack } from './resource-group';
import { literalSettings } from './settings';

export interface AccountStackProps extends StackProps {
  options: DeploymentOptions;
}

/**
 * The single-account stack, for `cdk deploy` into a bootstrapped account:
 * the options as literal values, the functions as CDK assets.
 */
export class AccountStack extends GroupedStack {
  readonly deployment: Deployment;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    // No AWS::CDK::Metadata resource: the template holds exactly the deployment.
    super(scope, id, { analyticsReporting: false, ...props });
    this.deployment = new Deployment(this, 'Deployment', {
      settings: literalSettings(props.options),
      code: FunctionCode.asset(),
    });
  }
}
