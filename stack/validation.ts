import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { OptionName } from './options';
import { parameterName } from './template-parameters';

/**
 * What the validators every synth runs (stack/validators.ts: cdk-nag's
 * AwsSolutions checks, and AWS Control Tower's proactive controls, the
 * CloudFormation Guard rules Control Tower itself enforces) may leave
 * unreported, and why. Any finding that is not acknowledged stops the
 * synth. This file holds every exception to the Control Tower rules, each
 * with its reason; cdk-nag's are next to the resources they concern. It
 * needs aws-cdk-lib only, so the construct library carries it without the
 * validators themselves.
 */

/**
 * Control Tower rules that cannot judge a template as written, disabled on
 * every synth. The key is the rule file's name, as the plugin takes it.
 */
export const GUARD_DISABLED_RULES: Readonly<Record<string, { control: string; reason: string }>> = {
  'ct-lambda-pr-2': {
    control: 'CT.LAMBDA.PR.2',
    reason:
      'It accepts a SourceAccount only as a literal string, and this template cannot know the account it is deployed to, so it says SourceAccount: {Ref: AWS::AccountId}, which the rule counts as missing. The only other condition it accepts, SourceArn, would have to name the Config rule, which AWS Config creates only after it may invoke the function. The permission lets config.amazonaws.com invoke the rule function only for this account, and a test checks that; deployed, with the account ID in place, the rule passes, as a test also shows.',
  },
};

/**
 * Control Tower rules the templates pass only when an option is set: an
 * organization that enforces them sets it. While it is not set, the finding
 * is acknowledged on the resource, naming the option. (In the member
 * template a parameter decides, so the finding is acknowledged there and the
 * tests run the rules on the template deployed with the parameter set.)
 */
export const GUARD_OPTION_CONTROLS = {
  logGroupKmsKeyArn: {
    control: 'CT.CLOUDWATCH.PR.3',
    rule: 'cloudwatch_log_group_encrypted_check',
    what: 'the log group is encrypted by CloudWatch Logs, not with a customer managed KMS key',
  },
  subnetIds: {
    control: 'CT.LAMBDA.PR.3',
    rule: 'lambda_inside_vpc_check',
    what: 'the function runs outside any VPC, as Lambda runs functions by default',
  },
  alarmTopicArn: {
    control: 'CT.CLOUDWATCH.PR.1',
    rule: 'cloudwatch_alarm_action_check',
    what: 'the alarm changes state in the console without notifying anyone',
  },
} as const satisfies Partial<Record<OptionName, { control: string; rule: string; what: string }>>;

export type GuardOption = keyof typeof GUARD_OPTION_CONTROLS;

/**
 * Control Tower rules that cannot read a value the member template takes
 * from a parameter (a `Ref` is no number to them), though every value the
 * parameter allows passes: acknowledged there, on the resource; the tests
 * run the rule on the template deployed with the parameter's values.
 */
export const GUARD_PARAMETER_CONTROLS = {
  cloudWatchLogsRetentionDays: {
    control: 'CT.CLOUDWATCH.PR.2',
    rule: 'cloudwatch_log_group_retention_period_check',
    why: 'every value its AllowedValues admit is 365 days or more',
  },
} as const satisfies Partial<Record<OptionName, { control: string; rule: string; why: string }>>;

/** Acknowledges the Control Tower finding on a value a member template parameter gives. */
export function acknowledgeParameterValue(
  scope: IConstruct,
  option: keyof typeof GUARD_PARAMETER_CONTROLS,
): void {
  const { control, rule, why } = GUARD_PARAMETER_CONTROLS[option];
  Validations.of(scope).acknowledge({
    id: guardFindingId(rule),
    reason: `${control} cannot read the ${parameterName(option)} parameter as a number, but ${why}; the tests run the rule on the template deployed with each of them.`,
  });
}

/** The acknowledgement ID of a Control Tower rule, as the plugin reports it. */
export function guardFindingId(rule: string): string {
  return `cdk-validator-cfnguard::${rule}`;
}

/** Acknowledges the Control Tower finding an unset option leaves on a resource. */
export function acknowledgeUnsetOption(
  scope: IConstruct,
  option: GuardOption,
  decidedBy: 'unset' | 'parameter',
): void {
  const { control, rule, what } = GUARD_OPTION_CONTROLS[option];
  const reason =
    decidedBy === 'unset'
      ? `${control} holds only when the ${option} option is set; it is not, so ${what}. Set -c ${option}=… to pass it.`
      : `${control} holds only when the ${parameterName(option)} parameter is set, which the template decides at deploy time; the tests run the rule on the template deployed with it set.`;
  Validations.of(scope).acknowledge({ id: guardFindingId(rule), reason });
}
