import * as config from 'aws-cdk-lib/aws-config';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { configInvokePermissionProps, configRuleProps, ruleFunctionSettings } from './definitions';
import type { FunctionCode } from './function-code';
import { MonitoredFunction } from './monitored-function';
import { resourceNames } from './names';
import { ResourceGroup } from './resource-group';
import type { DeploymentSettings } from './settings';
import { ruleEvaluationsStatements, ruleFunctionStatements } from './statements';

export interface RuleProps {
  settings: DeploymentSettings;
  code: FunctionCode;
}

/**
 * The rule: its function (with role, log group and error alarm), the
 * permission for AWS Config to invoke it, and the Config rule.
 */
export class Rule extends ResourceGroup {
  readonly function: MonitoredFunction;
  readonly rule: config.CfnConfigRule;

  constructor(scope: Construct, id: string, props: RuleProps) {
    super(scope, id);
    const { settings } = props;
    this.function = new MonitoredFunction(this, 'RuleFunction', {
      settings: ruleFunctionSettings(resourceNames(settings.ruleName)),
      code: props.code,
      roleName: settings.roleNames.rule,
      statements: ruleFunctionStatements(),
      policyName: 'Rule',
      placement: settings.functions,
    });
    const functionArn = this.function.fn.functionArn;
    const invoke = new lambda.CfnPermission(
      this,
      'ConfigInvokesRuleFunction',
      configInvokePermissionProps(functionArn),
    );
    this.rule = new config.CfnConfigRule(
      this,
      'ConfigRule',
      configRuleProps(settings, {
        ruleFunctionArn: functionArn,
        inputParameters: settings.inputParameters,
      }),
    );
    // Config checks that it may invoke the function when the rule is created.
    this.rule.node.addDependency(invoke);
    // Until this policy exists the read is refused, which an undecided run treats as nothing on record.
    this.function.grantWhen(
      true,
      'RuleFunctionReadsOwnEvaluations',
      ruleEvaluationsStatements(this.rule.attrArn),
    );
  }
}
