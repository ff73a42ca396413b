import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuildOptions, buildApp, cdkJsonContext } from '../../stack/build-app';

/*
 * The CDK app as `cdk synth -c name=value ...` builds it, for the tests of
 * options: cdk.json's context under the given options, asset bundling
 * skipped (the CDK's own `aws:cdk:bundling-stacks` switch, as `cdk deploy
 * -e` uses it: the bundles do not depend on options, and stack.test.ts
 * checks them once) and CloudFormation's schema validation left to `npm run
 * synth`. Each synth gets a temporary directory, removed after the test file.
 */

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory removed after the test file. */
export function temporaryDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  outdirs.push(dir);
  return dir;
}

/** Builds the app with these options; `build` chooses whether the rollout stack is built too. */
export function synthApp(context: Record<string, string> = {}, build: BuildOptions = {}) {
  const outdir = temporaryDirectory('cloudtrail1-synth-');
  const built = buildApp(
    {
      outdir,
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context },
      builtinCloudFormationValidation: false,
    },
    build,
  );
  return { ...built, outdir };
}
