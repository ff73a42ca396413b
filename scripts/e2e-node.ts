import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LAMBDA_RUNTIME } from '../stack/definitions';

/*
 * `npm run e2e:node24 [-- jest options]`: the bundled functions' end-to-end
 * tests again, with the bundles run by the Node.js of the Lambda runtime
 * (`LAMBDA_RUNTIME`), fetched from the npm registry as `node@<major>` (npm
 * caches it after the first run). Jest's results go to
 * coverage/jest-results-node<major>.json, which .ci/run counts.
 */

const ROOT = resolve(__dirname, '..');

/** The test files that run the deployed bundles (through test/support/bundled-handler.ts). */
export const BUNDLED_FUNCTION_TESTS = ['test/e2e/rule.test.ts', 'test/e2e/remediation.test.ts'];

/** `24` for `nodejs24.x`. */
export function runtimeMajor(runtime: string = LAMBDA_RUNTIME): number {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (match === null) throw new Error(`LAMBDA_RUNTIME ${runtime} is not a nodejs<major>.x runtime`);
  return Number(match[1]);
}

/** The path of the `node` binary of `node@<major>` from the npm registry (or npm's cache). */
function nodeBinary(major: number): string {
  const fetched = spawnSync(
    'npx',
    ['--yes', '--prefer-offline', '-p', `node@${major}`, 'node', '-p', 'process.execPath'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const path = fetched.stdout?.trim() ?? '';
  if (fetched.status !== 0 || path === '') {
    throw new Error(
      `Could not get Node.js ${major} from the npm registry ("npx -p node@${major} node" exited with ${fetched.status}): ${fetched.stderr?.trim() || fetched.error?.message}`,
    );
  }
  return path;
}

/** Runs the command; returns the exit status. */
export function main(args: string[]): number {
  const [wanted, ...jestArgs] = args;
  const major = runtimeMajor();
  if (wanted !== String(major)) {
    console.error(
      `This runs the end-to-end tests under the Lambda runtime's Node.js, which is ${major} (${LAMBDA_RUNTIME}), not ${wanted}: rename the npm script to e2e:node${major} and pass ${major}.`,
    );
    return 2;
  }
  const node = nodeBinary(major);
  const results = join(ROOT, 'coverage', `jest-results-node${major}.json`);
  mkdirSync(dirname(results), { recursive: true });
  console.error(`Running the bundled functions' end-to-end tests under ${node}`);
  const jest = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
      ...BUNDLED_FUNCTION_TESTS,
      '--json',
      `--outputFile=${results}`,
      ...jestArgs,
    ],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, E2E_NODE: node, E2E_NODE_MAJOR: String(major) },
    },
  );
  return jest.status ?? 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
