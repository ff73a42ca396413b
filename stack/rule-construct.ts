import { Token } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import {
  configInvokePermissionProps,
  configRuleProps,
  MISSED_RUN_HOURS,
  ruleFunctionSettings,
} from './definitions';
import { frequencyChoice } from './frequency-choice';
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
 * The hours without a run that raise the rule function's missed-runs
 * alarm: a number for a literal frequency; where a template parameter gives
 * the frequency, one `Fn::If` per frequency, on conditions of the stack (a
 * mapping cannot be keyed by the frequencies: its keys take no `_`).
 */
function missedRunHours(scope: Construct, frequency: string): number {
  if (!Token.isUnresolved(frequency)) {
    const hours = MISSED_RUN_HOURS[frequency];
    if (hours === undefined) throw new Error(`No missed-run window for ${frequency}`);
    return hours;
  }
  const value = frequencyChoice(scope, frequency, MISSED_RUN_HOURS);
  return Token.asNumber(value);
}

/**
 * The rule: its function (with role, log group and alarms on its errors,
 * throttles and missed runs), the permission for AWS Config to invoke it,
 * and the Config rule.
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
      missedRunHours: missedRunHours(this, settings.maximumExecutionFrequency),
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
