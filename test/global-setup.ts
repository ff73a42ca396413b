import { buildCli } from '../scripts/build-cli';

/**
 * Compiles the command line once before any test runs, so the tests that
 * run bin/cloudtrail-rule.cjs as a process run the current sources, as
 * `npm run build` ships them.
 */
export default async function globalSetup(): Promise<void> {
  await buildCli();
}
