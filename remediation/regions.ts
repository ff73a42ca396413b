import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/**
 * AWS Region names as the installed AWS SDK knows them: the partition data
 * `@aws-sdk/core` ships, from which the SDK resolves every endpoint. A
 * Region the SDK knows is one AWS has announced by the SDK's release; a
 * name it does not know is a typo far more often than a Region newer than
 * the SDK, and a typo found here costs a second, not a failed deployment.
 */

/** The SDK's partition data, inside the `@aws-sdk/core` package. */
const PARTITIONS_FILE = join(
  'dist-es',
  'submodules',
  'client',
  'util-endpoints',
  'lib',
  'aws',
  'partitions.js',
);

const partitionsSchema = z.object({
  partitions: z.array(
    z.object({
      id: z.string(),
      regionRegex: z.string(),
      regions: z.record(z.string(), z.object({ description: z.string().optional() })),
    }),
  ),
});

/** One Region of the SDK's partition data. */
export interface KnownRegion {
  name: string;
  /** `aws`, `aws-cn`, `aws-us-gov`, … */
  partition: string;
  /** `US East (N. Virginia)`. */
  description: string;
}

let cached: ReadonlyMap<string, KnownRegion> | null | undefined;

/**
 * Every Region of the SDK's partition data, by name; the partitions'
 * pseudo-Regions (`aws-global`) left out, since no resource lives there.
 * `null` when the data cannot be read (an SDK that moved it): then no name
 * is refused here, and the SDK's own error says what is wrong.
 */
export function knownRegions(): ReadonlyMap<string, KnownRegion> | null {
  if (cached === undefined) {
    const file = sdkPartitionsFile();
    cached = file === undefined ? null : readPartitions(file);
  }
  return cached;
}

function sdkPartitionsFile(): string | undefined {
  try {
    return join(dirname(require.resolve('@aws-sdk/core/package.json')), PARTITIONS_FILE);
  } catch {
    return undefined;
  }
}

/** The Regions of a partition data file, or `null` when it is not one. */
export function readPartitions(file: string): ReadonlyMap<string, KnownRegion> | null {
  try {
    // The module is one exported object literal in JSON syntax.
    const text = readFileSync(file, 'utf8')
      .replace(/^[^{]*/, '')
      .replace(/;?\s*$/, '');
    const { partitions } = partitionsSchema.parse(JSON.parse(text));
    const regions = new Map<string, KnownRegion>();
    for (const partition of partitions) {
      const shape = new RegExp(partition.regionRegex);
      for (const [name, { description = name }] of Object.entries(partition.regions)) {
        if (shape.test(name)) regions.set(name, { name, partition: partition.id, description });
      }
    }
    return regions.size === 0 ? null : regions;
  } catch {
    return null;
  }
}

/**
 * Why `name` is not a Region, with the closest known name, or `undefined`
 * when the SDK knows it (or its data cannot be read). Each caller puts the
 * option's name in front.
 *
 * @example
 * unknownRegionReason('us-est-1') // => 'is not an AWS Region the AWS SDK knows: did you mean us-east-1?'
 */
export function unknownRegionReason(
  name: string,
  regions: ReadonlyMap<string, KnownRegion> | null = knownRegions(),
): string | undefined {
  if (regions === null || regions.has(name)) return undefined;
  const closest = closestRegion(name, [...regions.keys()]);
  return `is not an AWS Region the AWS SDK knows: ${
    closest === undefined
      ? 'give a Region code such as us-east-1 or eu-west-1'
      : `did you mean ${closest}?`
  }`;
}

/** The known name nearest to `name` by edit distance, if one is near enough to be the one meant. */
export function closestRegion(name: string, names: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of names) {
    const distance = editDistance(name.toLowerCase(), candidate);
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  // A typo is an edit or two; past three, the nearest name is a guess that misleads.
  return best !== undefined && best.distance <= 3 ? best.name : undefined;
}

/** Levenshtein distance: the fewest insertions, deletions and substitutions from `a` to `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
