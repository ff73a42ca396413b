import { ContextProvider } from 'aws-cdk-lib/cloud-assembly-schema';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { InvalidOptionError } from './errors';
import { DEPLOYMENT_OPTION_SCHEMA, ROLLOUT_OPTION_SCHEMA } from './option-schema';

/**
 * Which names in CDK context are ours, which are the CDK's, and what a name
 * that is neither was meant to be. CDK context is a flat namespace: a
 * misspelled option (`-c automaticRemediaton=true`) would otherwise be
 * ignored silently and leave the option at its default. Every place that
 * reads options (the CDK app, the member template, the conformance pack and
 * the service control policy scripts) refuses such a name before anything
 * is built.
 */

/** Every option name, from the one option schema: the deployment's and the rollout's. */
export const KNOWN_OPTION_NAMES: readonly string[] = [
  ...Object.keys(DEPLOYMENT_OPTION_SCHEMA),
  ...Object.keys(ROLLOUT_OPTION_SCHEMA),
];

/**
 * The namespace of a CDK context name: a feature flag's package scope
 * (`@aws-cdk/`, `@aws-cdk-containers/`), else everything up to and with its
 * last colon (`aws:cdk:` for the toolkit's switches, `aws-cdk:`); `''` for none.
 */
function namespaceOf(name: string): string {
  const slash = name.indexOf('/');
  if (name.startsWith('@') && slash > 0) return name.slice(0, slash + 1);
  return name.slice(0, name.lastIndexOf(':') + 1);
}

/**
 * The names aws-cdk-lib itself knows: every feature flag (current, expired
 * and those `cdk init` writes) and every context switch cx-api exports
 * (`aws:cdk:enable-path-metadata`, `aws:cdk:bundling-stacks`, ...).
 */
const CDK_LIBRARY_NAMES: readonly string[] = [
  ...Object.keys(cxapi.FLAGS),
  ...Object.keys(cxapi.CURRENTLY_RECOMMENDED_FLAGS),
  ...cxapi.CURRENT_VERSION_EXPIRED_FLAGS,
  ...Object.keys(cxapi.NEW_PROJECT_DEFAULT_CONTEXT),
  ...Object.entries(cxapi)
    .filter(([constant, value]) => constant.endsWith('_CONTEXT') && typeof value === 'string')
    .map(([, value]) => value as string),
  cxapi.BUNDLING_STACKS,
  cxapi.DISABLE_METADATA_STACK_TRACE,
  cxapi.DISABLE_LOGICAL_ID_METADATA,
  cxapi.DISABLE_CREATION_STACK_TRACES,
];

/**
 * The prefixes of CDK context names: the namespaces of the names above (so
 * a flag a newer aws-cdk-lib adds passes too), and the cached results of
 * context lookups, each `<provider>:<query>` for a provider of the cloud
 * assembly schema (`availability-zones:account=…:region=…`, `ssm:…`).
 */
const CDK_PREFIXES: readonly string[] = [
  ...new Set(CDK_LIBRARY_NAMES.map(namespaceOf).filter((prefix) => prefix !== '')),
  ...Object.values(ContextProvider).map((provider) => `${provider}:`),
];

/**
 * Settings the CDK CLI keeps in cdk.json's context, which no package of the
 * library exports: the notices acknowledged with `cdk acknowledge`, the
 * `cdk cli-telemetry` choice, and the mark `cdk migrate` leaves.
 */
const CDK_CLI_SETTINGS: readonly string[] = ['acknowledged-issue-numbers', 'cli-telemetry'];
const CDK_CLI_PREFIX = 'cdk-';

/**
 * Whether a context name is the CDK's own (the library's, the CLI's, or a
 * cached lookup), so that it passes without being one of our options.
 *
 * @example isCdkContextName('@aws-cdk/core:target-partitions') // => true
 * @example isCdkContextName('automaticRemediaton') // => false
 */
export function isCdkContextName(name: string): boolean {
  return (
    CDK_LIBRARY_NAMES.includes(name) ||
    CDK_CLI_SETTINGS.includes(name) ||
    name.startsWith(CDK_CLI_PREFIX) ||
    CDK_PREFIXES.some((prefix) => name.startsWith(prefix))
  );
}

/**
 * The edit distance between two names, ignoring case (a case-only slip is
 * distance 0): letters inserted, deleted or replaced, and two neighbouring
 * letters swapped, each one slip, as a typist makes them.
 */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= x.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= y.length; j++) {
      const same = x[i - 1] === y[j - 1];
      row[j] = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (same ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        row[j] = Math.min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(x.length, y.length);
}

/**
 * The known option name closest to `given`.
 *
 * @example closestOptionName('automaticRemediaton') // => 'automaticRemediation'
 */
export function closestOptionName(given: string): string {
  let best = KNOWN_OPTION_NAMES[0] ?? '';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of KNOWN_OPTION_NAMES) {
    const d = distance(given, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Refuses the first context name that is neither an option nor the CDK's,
 * naming it and the closest option, before anything is built.
 */
export function rejectUnknownContextNames(contextNames: readonly string[]): void {
  for (const given of contextNames) {
    if (KNOWN_OPTION_NAMES.includes(given) || isCdkContextName(given)) continue;
    const meant = closestOptionName(given);
    const caseOnly = meant.toLowerCase() === given.toLowerCase();
    throw new InvalidOptionError(
      `Context option "${given}" is not an option${caseOnly ? ' (names are case-sensitive)' : ''}: did you mean ${meant}? The options are listed in docs/deployment.md and docs/organization-rollout.md.`,
    );
  }
}
