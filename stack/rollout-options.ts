import { type ContextLookup, ContextOptions, rejectMisspelledNames } from './context-options';

/**
 * The organization rollout's own options: where the StackSet deploys and
 * how fast. They are read from CDK context like the rule's options (`-c
 * name=value` or cdk.json), and a bad value stops the synth with an
 * {@link InvalidOptionError} naming the option and what it accepts.
 */

export const CALL_AS = ['DELEGATED_ADMIN', 'SELF'] as const;
export const REGION_CONCURRENCY = ['PARALLEL', 'SEQUENTIAL'] as const;
export const CONCURRENCY_MODES = ['SOFT_FAILURE_TOLERANCE', 'STRICT_FAILURE_TOLERANCE'] as const;

export interface RolloutOptions {
  /** Target OUs or the root; absent: the stack takes them as a CloudFormation parameter at deploy time. */
  organizationalUnitIds?: string[];
  /** Target Regions; absent: the Region the rollout stack is deployed in (one home Region). */
  regions?: string[];
  stackSetName: string;
  callAs: (typeof CALL_AS)[number];
  failureTolerancePercentage: number;
  maxConcurrentPercentage: number;
  regionConcurrencyType: (typeof REGION_CONCURRENCY)[number];
  concurrencyMode: (typeof CONCURRENCY_MODES)[number];
  retainStacksOnAccountRemoval: boolean;
  organizationAggregator: boolean;
}

/** An OU ID or the organization's root ID. */
export const OU_OR_ROOT = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
const STACK_SET_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
/** StackSets takes at most this many OUs in one operation (CreateStackInstances). */
const MAX_OUS = 50;

/**
 * Every rollout option, its default and what it accepts, as
 * docs/organization-rollout.md and the errors say it.
 */
export const ROLLOUT_OPTIONS = {
  organizationalUnitIds: {
    default: '(a CloudFormation parameter, OrganizationalUnitIds, given at deploy time)',
    accepts: `a comma-separated list of up to ${MAX_OUS} OU IDs (ou-…) or the root ID (r-…)`,
    example: 'ou-ab12-cdef3456,ou-ab12-7890abcd',
  },
  regions: {
    default: 'the Region the rollout stack is deployed in',
    accepts: 'a comma-separated list of Region codes',
    example: 'us-east-1,eu-west-1',
  },
  stackSetName: {
    default: 'the rule name',
    accepts: '1–128 letters, digits and hyphens, starting with a letter',
    example: 'cloudtrail-1',
  },
  callAs: {
    default: 'DELEGATED_ADMIN',
    accepts: 'DELEGATED_ADMIN (a delegated administrator account), SELF (the management account)',
    example: 'SELF',
  },
  failureTolerancePercentage: {
    default: '10',
    accepts: 'a whole number from 0 to 100',
    example: '5',
  },
  maxConcurrentPercentage: {
    default: '25',
    accepts: 'a whole number from 1 to 100',
    example: '50',
  },
  regionConcurrencyType: {
    default: 'PARALLEL',
    accepts: REGION_CONCURRENCY.join(', '),
    example: 'SEQUENTIAL',
  },
  concurrencyMode: {
    default: 'SOFT_FAILURE_TOLERANCE',
    accepts: CONCURRENCY_MODES.join(', '),
    example: 'STRICT_FAILURE_TOLERANCE',
  },
  retainStacksOnAccountRemoval: { default: 'false', accepts: 'true, false', example: 'true' },
  organizationAggregator: { default: 'false', accepts: 'true, false', example: 'true' },
} as const satisfies Record<
  keyof RolloutOptions,
  { default: string; accepts: string; example: string }
>;

export type RolloutOptionName = keyof typeof ROLLOUT_OPTIONS;
export const ROLLOUT_OPTION_NAMES = Object.keys(ROLLOUT_OPTIONS) as RolloutOptionName[];

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
  rejectMisspelledNames(ROLLOUT_OPTION_NAMES, contextNames);
  const read = new ContextOptions(ROLLOUT_OPTIONS, context);
  const stackSetName = read.text('stackSetName') ?? ruleName;
  if (!STACK_SET_NAME.test(stackSetName)) throw read.invalid('stackSetName', stackSetName);
  const options: RolloutOptions = {
    stackSetName,
    callAs: read.oneOf('callAs', 'DELEGATED_ADMIN', CALL_AS),
    failureTolerancePercentage: read.wholeNumber('failureTolerancePercentage', 10, 0, 100),
    maxConcurrentPercentage: read.wholeNumber('maxConcurrentPercentage', 25, 1, 100),
    regionConcurrencyType: read.oneOf('regionConcurrencyType', 'PARALLEL', REGION_CONCURRENCY),
    concurrencyMode: read.oneOf('concurrencyMode', 'SOFT_FAILURE_TOLERANCE', CONCURRENCY_MODES),
    retainStacksOnAccountRemoval: read.boolean('retainStacksOnAccountRemoval', false),
    organizationAggregator: read.boolean('organizationAggregator', false),
  };
  const ous = list(read, 'organizationalUnitIds', OU_OR_ROOT);
  if (ous !== undefined && ous.length > MAX_OUS) {
    throw read.invalid('organizationalUnitIds', ous.join(','));
  }
  const regions = list(read, 'regions', REGION);
  if (ous !== undefined) options.organizationalUnitIds = ous;
  if (regions !== undefined) options.regions = regions;
  return options;
}

/** A comma-separated list (or, from cdk.json, a JSON array) of distinct items that each match. */
function list(
  read: ContextOptions<RolloutOptionName>,
  name: RolloutOptionName,
  item: RegExp,
): string[] | undefined {
  const value = read.text(name, { list: true });
  if (value === undefined) return undefined;
  const items = value.split(',').map((v) => v.trim());
  if (items.some((v) => !item.test(v)) || new Set(items).size !== items.length) {
    throw read.invalid(name, value);
  }
  return items;
}
