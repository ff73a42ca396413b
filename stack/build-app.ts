import { App, type AppProps } from 'aws-cdk-lib';
import { AccountStack } from './account-stack';
import { cdkJsonContext } from './cdk-json';
import { memberTemplate, memberTemplateText } from './member-template';
import { parseOptions } from './options';
import { parseRolloutOptions } from './rollout-options';
import { CloudTrailRuleRolloutStack } from './rollout-stack';
import { addValidators } from './validators';

export { cdkJsonContext };

/** The stack's construct ID (what `cdk deploy <id>` and the tests select). */
export const STACK_ID = 'CloudTrailRule';
/** The organization rollout stack's construct ID. */
export const ROLLOUT_STACK_ID = 'CloudTrailRuleRollout';

export interface BuildOptions {
  /** Also build the organization rollout stack (default true, as `cdk synth` does). */
  rollout?: boolean;
}

/**
 * Builds the CDK app, for the account and Region of the credentials `cdk
 * deploy` uses (no account or Region is looked up, so synth needs none):
 * the single-account stack, named after the rule, and the organization
 * rollout stack (`<rule>-rollout`), which deploys the member template
 * through a StackSet. Options come from context (`-c name=value`): a bad
 * value throws `InvalidOptionError` before anything is built. cdk-nag's
 * AwsSolutions checks run on every synth.
 */
export function buildApp(
  props: AppProps = {},
  build: BuildOptions = {},
): { app: App; stack: AccountStack; rollout?: CloudTrailRuleRolloutStack } {
  const app = new App(props);
  const lookup = (name: string) => app.node.tryGetContext(name);
  const contextNames = Object.keys(app.node.getAllContext());
  const options = parseOptions(lookup, contextNames);
  const rolloutOptions = parseRolloutOptions(lookup, options.ruleName, contextNames);
  const stack = new AccountStack(app, STACK_ID, {
    stackName: options.ruleName,
    description: `AWS Config rule ${options.ruleName} for Security Hub control CloudTrail.1 (CIS 3.1), with its remediation.`,
    options,
  });
  let rollout: CloudTrailRuleRolloutStack | undefined;
  if (build.rollout ?? true) {
    const template = memberTemplate(app.node.getAllContext(), {
      validate: props.builtinCloudFormationValidation ?? true,
    });
    rollout = new CloudTrailRuleRolloutStack(app, ROLLOUT_STACK_ID, {
      stackName: `${options.ruleName}-rollout`,
      description: `Organization rollout of AWS Config rule ${options.ruleName} (Security Hub CloudTrail.1) through a StackSet.`,
      options,
      rollout: rolloutOptions,
      memberTemplate: memberTemplateText(template),
    });
  }
  addValidators(app);
  return { app, stack, rollout };
}
