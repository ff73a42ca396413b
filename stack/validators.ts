import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GUARD_DISABLED_RULES } from './validation';

/*
 * The validators every synth of the project runs, none of them written here:
 * cdk-nag's AwsSolutions checks, and AWS Control Tower's proactive controls
 * through `@cdklabs/cdk-validator-cfnguard`. They are the project's
 * development dependencies: the construct library leaves them to its user,
 * and stack/validation.ts holds what they may leave unreported.
 */

/** The Control Tower validator, with the rules stack/validation.ts disables. */
function controlTowerValidator(): CfnGuardValidator {
  return new CfnGuardValidator({
    controlTowerRulesEnabled: true,
    disabledRules: Object.keys(GUARD_DISABLED_RULES),
  });
}

/** Runs both validators on every stack of the app when it is synthesized. */
export function addValidators(app: App): void {
  // Verbose: a cdk-nag finding says why the rule exists, not only what it found.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    controlTowerValidator(),
  );
}
