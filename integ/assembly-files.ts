import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The newest cloud assembly schema (major version) that integ-runner
 * 2.197.10, the newest release, can read: its bundled toolkit-lib refuses a
 * manifest of a later major version ("Cloud assembly schema version
 * mismatch"), and aws-cdk-lib 2.276 writes 55.
 */
export const INTEG_RUNNER_SCHEMA_MAJOR = 53;

/** The assembly files whose `version` integ-runner checks: the cloud assembly, integ and asset manifests. */
function isCheckedManifest(file: string): boolean {
  return file === 'manifest.json' || file === 'integ.json' || file.endsWith('.assets.json');
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, undefined, 2)}\n`);
}

/**
 * Declares the schema version integ-runner reads on the manifests of the
 * assembly in `outdir`, and returns the files it changed. Nothing else in
 * them changes: the templates and the assets are exactly what aws-cdk-lib
 * wrote, and the reader ignores the manifest properties it does not know.
 * Remove this (and its call) once integ-runner reads the schema aws-cdk-lib
 * writes.
 */
export function declareIntegRunnerSchema(outdir: string): string[] {
  const changed: string[] = [];
  for (const file of readdirSync(outdir).filter(isCheckedManifest)) {
    const path = join(outdir, file);
    const manifest = readJson(path) as { version?: unknown };
    if (typeof manifest.version !== 'string') continue;
    const major = Number.parseInt(manifest.version, 10);
    if (!(major > INTEG_RUNNER_SCHEMA_MAJOR)) continue;
    manifest.version = `${INTEG_RUNNER_SCHEMA_MAJOR}.0.0`;
    writeJson(path, manifest);
    changed.push(file);
  }
  return changed;
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
