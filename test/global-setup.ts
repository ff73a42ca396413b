import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli } from '../scripts/build-cli';
import { RUN_CACHE_VARIABLE } from './support/run-cache';

/**
 * Compiles the command line once before any test runs, so the tests that
 * run bin/cloudtrail-rule.cjs as a process run the current sources, as
 * `npm run build` ships them; and makes the run's cache directory, where
 * what many test files build alike is built once (test/support/run-cache.ts).
 * The workers inherit the variable that names it. `CLOUDTRAIL1_CLI_BUILT`
 * says another jest run started at the same time builds the command line
 * (`npm run jest:all`), so this one does not write it at the same moment.
 */
export default async function globalSetup(): Promise<void> {
  process.env[RUN_CACHE_VARIABLE] = mkdtempSync(join(tmpdir(), 'cloudtrail1-test-run-'));
  if (process.env.CLOUDTRAIL1_CLI_BUILT !== '1') await buildCli();
}
