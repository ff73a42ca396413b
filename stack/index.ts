/**
 * The package's entry point, for a CDK app, a rollout or a tool of one's
 * own (docs/construct-library.md):
 * - {@link CloudTrailOneRule}, the construct: the rule and its remediation,
 *   exactly what the project's stack deploys, its props the deployment
 *   options;
 * - {@link buildMemberTemplate}, the member template for StackSets and
 *   landing zones, with the props as its parameters' defaults;
 * - {@link evaluateAccount}, the rule's decision: the verdict on one read
 *   of an account's trails, with no AWS call;
 * - what a user's own validators need to judge the construct as the
 *   project's synth does.
 * It is compiled to lib/index.js by scripts/build-lib.ts; the functions'
 * code is prebuilt beside it.
 */

export type {
  AccountVerdict,
  Outcome,
  Requirement,
  RequirementResult,
  TrailVerdict,
} from '../rule/evaluate';
export { evaluateAccount, evaluateTrail } from '../rule/evaluate';
export type { ReadWriteType, RuleParameters } from '../rule/parameters';
export { DEFAULT_PARAMETERS, parseRuleParameters } from '../rule/parameters';
export type {
  AccountTrailState,
  AdvancedEventSelector,
  EventSelector,
  EventSelectors,
  ReadError,
  Trail,
  TrailState,
  TrailStatus,
} from '../rule/state';
export { accountTrailStateSchema } from '../rule/state';
export { CloudTrailOneRule, type CloudTrailOneRuleProps } from './cloudtrail-one-rule';
export { InvalidOptionError, StackError } from './errors';
export { buildMemberTemplate, memberTemplateText, TEMPLATE_LIMITS } from './member-template';
export type { DeploymentOptions } from './options';
export { GUARD_DISABLED_RULES } from './validation';
