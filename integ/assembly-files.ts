import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/*
 * The acceptance test's cloud assembly as files: what the committed
 * snapshot keeps of it, and how a fresh synth is compared with it. The
 * assembly is exactly what aws-cdk-lib writes (its schema version
 * included), read by the project's own CDK CLI; only the stack traces in
 * the metadata are taken out, since they name the machine's directories.
 */

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, undefined, 2)}\n`);
}

type MetadataEntries = Record<string, Array<Record<string, unknown>>>;

/**
 * Removes the stack traces from the stacks' metadata files (`*.metadata.json`)
 * in `outdir`: they name the directory of the machine that synthesized, so a
 * committed snapshot would change with every checkout it is written from.
 * cdk-nag's acknowledgements record one whatever the context says. The
 * templates and the rest of the metadata stay as they are.
 */
export function removeStackTraces(outdir: string): void {
  for (const file of readdirSync(outdir).filter((f) => f.endsWith('.metadata.json'))) {
    const path = join(outdir, file);
    const metadata = readJson(path) as MetadataEntries;
    const stripped = Object.fromEntries(
      Object.entries(metadata).map(([construct, entries]) => [
        construct,
        entries.map(({ trace: _trace, ...entry }) => entry),
      ]),
    );
    writeJson(path, stripped);
  }
}

/** The templates of an assembly directory, by file name. */
function templates(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.template.json'))
    .sort();
}

/**
 * A template as the comparison sees it: asset hashes (which change with
 * every change to the functions' code; the bundles are not committed) and
 * integ-tests' `salt` values (the time of the synth, which makes the
 * assertions run on every deployment) replaced by placeholders.
 */
export function comparableTemplate(text: string): unknown {
  return JSON.parse(
    text
      .replace(/[0-9a-f]{64}/g, '<asset hash>')
      .replace(/"salt": ?"\d+"/g, '"salt": "<time of synth>"'),
  );
}

/** The first place two JSON values differ, as a path (`Resources.Rule.Properties`), or `undefined`. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return path || '(the whole value)';
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const inner = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      path === '' ? key : `${path}.${key}`,
    );
    if (inner !== undefined) return inner;
  }
  return path || '(the whole value)';
}

/**
 * Where a fresh synth (`fresh`) differs from the committed snapshot
 * (`snapshot`): a template added, missing, or different (with the first
 * path that differs), asset hashes and salts aside. Empty when they agree.
 */
export function snapshotDifferences(snapshot: string, fresh: string): string[] {
  if (!existsSync(snapshot)) return [`There is no snapshot at ${snapshot}.`];
  const committed = templates(snapshot);
  const built = templates(fresh);
  const differences: string[] = [];
  for (const file of built.filter((f) => !committed.includes(f))) {
    differences.push(`${file}: a new stack, not in the snapshot`);
  }
  for (const file of committed.filter((f) => !built.includes(f))) {
    differences.push(`${file}: in the snapshot, no longer synthesized`);
  }
  for (const file of built.filter((f) => committed.includes(f))) {
    const where = firstDifference(
      comparableTemplate(readFileSync(join(snapshot, file), 'utf8')),
      comparableTemplate(readFileSync(join(fresh, file), 'utf8')),
    );
    if (where !== undefined) differences.push(`${file}: differs at ${where}`);
  }
  return differences;
}

/** What the CDK CLI leaves in an output directory for itself: its locks, its error and timing files. */
const CLI_FILES = /(\.lock|^error\.txt|^performance-counters\.json)$/;

/**
 * Makes `snapshot` the assembly in `fresh`: its files (manifests, templates,
 * metadata, tree), never the bundles (`asset.*`), which are not committed,
 * nor the CDK CLI's own files.
 */
export function writeSnapshot(fresh: string, snapshot: string): void {
  rmSync(snapshot, { recursive: true, force: true });
  mkdirSync(snapshot);
  for (const file of readdirSync(fresh)) {
    const from = join(fresh, file);
    if (file.startsWith('asset.') || CLI_FILES.test(file) || !statSync(from).isFile()) continue;
    copyFileSync(from, join(snapshot, file));
  }
}
