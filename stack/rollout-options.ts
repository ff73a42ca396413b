import {
  type ContextLookup,
  type ContextValues,
  contextObject,
  parseContext,
} from './context-options';
import { type OptionFields, optionSpecs } from './option-entry';
import { ROLLOUT_OPTION_SCHEMA, type RolloutOptionName } from './option-schema';

/**
 * The organization rollout's own options: where the StackSet deploys and
 * how fast. Each is one entry of {@link ROLLOUT_OPTION_SCHEMA}
 * (stack/option-schema.ts); they are read from CDK context like the rule's
 * options (`-c name=value` or cdk.json), and a bad value stops the synth
 * with an {@link InvalidOptionError} naming the option and what it accepts.
 */

export { OU_OR_ROOT, type RolloutOptionName } from './option-schema';

/**
 * The parsed rollout options, typed from their entries in
 * {@link ROLLOUT_OPTION_SCHEMA}: an optional entry (the target OUs and
 * Regions) is an optional field, absent when not set.
 */
export type RolloutOptions = OptionFields<typeof ROLLOUT_OPTION_SCHEMA>;

/**
 * Every rollout option, its default and what it accepts, as
 * docs/organization-rollout.md and the errors say it.
 */
export const ROLLOUT_OPTIONS = optionSpecs(ROLLOUT_OPTION_SCHEMA);
export const ROLLOUT_OPTION_NAMES = Object.keys(ROLLOUT_OPTION_SCHEMA) as RolloutOptionName[];

/**
 * Parses the rollout options from CDK context; `ruleName` is the default
 * StackSet name.
 *
 * @example
 * parseRolloutOptions((n) => app.node.tryGetContext(n), 'cloudtrail-1-multi-region-trail').regions // => undefined
 */
export function parseRolloutOptions(
  context: ContextLookup,
  ruleName: string,
  contextNames: string[] = [],
): RolloutOptions {
  const object = contextObject(ROLLOUT_OPTION_SCHEMA, { stackSetName: ruleName });
  return rolloutOptions(parseContext(object, ROLLOUT_OPTION_NAMES, context, contextNames));
}

/** The parsed options, unset optional ones left out. */
function rolloutOptions(values: ContextValues<typeof ROLLOUT_OPTION_SCHEMA>): RolloutOptions {
  const { organizationalUnitIds, regions, ...options } = values;
  return {
    ...options,
    ...(organizationalUnitIds === undefined ? {} : { organizationalUnitIds }),
    ...(regions === undefined ? {} : { regions }),
  };
}
