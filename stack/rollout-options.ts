import { type ContextLookup, InvalidOptionError } from './options';

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

/** Every rollout option, its default and what it accepts, as the README and the errors say it. */
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
  for (const given of contextNames) {
    const meant = ROLLOUT_OPTION_NAMES.find(
      (o) => o !== given && o.toLowerCase() === given.toLowerCase(),
    );
    if (meant !== undefined) {
      throw new InvalidOptionError(
        `Context option "${given}" is not an option (names are case-sensitive): did you mean ${meant}?`,
      );
    }
  }
  const text = (name: RolloutOptionName): string | undefined => {
    const value = context(name);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'boolean' || typeof value === 'number') return String(value);
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
    if (typeof value !== 'string') throw invalid(name, value);
    return value;
  };
  const options: RolloutOptions = {
    stackSetName: matching('stackSetName', text('stackSetName') ?? ruleName, STACK_SET_NAME),
    callAs: oneOf('callAs', text('callAs') ?? 'DELEGATED_ADMIN', CALL_AS),
    failureTolerancePercentage: percentage(
      'failureTolerancePercentage',
      text('failureTolerancePercentage'),
      10,
      0,
    ),
    maxConcurrentPercentage: percentage(
      'maxConcurrentPercentage',
      text('maxConcurrentPercentage'),
      25,
      1,
    ),
    regionConcurrencyType: oneOf(
      'regionConcurrencyType',
      text('regionConcurrencyType') ?? 'PARALLEL',
      REGION_CONCURRENCY,
    ),
    concurrencyMode: oneOf(
      'concurrencyMode',
      text('concurrencyMode') ?? 'SOFT_FAILURE_TOLERANCE',
      CONCURRENCY_MODES,
    ),
    retainStacksOnAccountRemoval: booleanOption(
      'retainStacksOnAccountRemoval',
      text('retainStacksOnAccountRemoval'),
    ),
    organizationAggregator: booleanOption('organizationAggregator', text('organizationAggregator')),
  };
  const ous = list('organizationalUnitIds', text('organizationalUnitIds'), OU_OR_ROOT);
  if (ous !== undefined && ous.length > MAX_OUS)
    throw invalid('organizationalUnitIds', ous.join(','));
  const regions = list('regions', text('regions'), REGION);
  if (ous !== undefined) options.organizationalUnitIds = ous;
  if (regions !== undefined) options.regions = regions;
  return options;
}

function list(
  name: RolloutOptionName,
  value: string | undefined,
  item: RegExp,
): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((v) => v.trim());
  if (items.some((v) => !item.test(v)) || new Set(items).size !== items.length) {
    throw invalid(name, value);
  }
  return items;
}

function matching(name: RolloutOptionName, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw invalid(name, value);
  return value;
}

function oneOf<T extends string>(
  name: RolloutOptionName,
  value: string,
  accepted: readonly T[],
): T {
  const found = accepted.find((a) => a === value);
  if (found === undefined) throw invalid(name, value);
  return found;
}

function percentage(
  name: RolloutOptionName,
  value: string | undefined,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed >= min && parsed <= 100)) throw invalid(name, value);
  return parsed;
}

function booleanOption(name: RolloutOptionName, value: string | undefined): boolean {
  if (value === undefined) return false;
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw invalid(name, value);
  return lower === 'true';
}

function invalid(name: RolloutOptionName, value: unknown): InvalidOptionError {
  const option = ROLLOUT_OPTIONS[name];
  return new InvalidOptionError(
    `Context option ${name} has the value ${JSON.stringify(value)}, which is not accepted: set it to ${option.accepts} (for example -c ${name}=${option.example}), or leave it unset for the default, ${option.default}.`,
  );
}
