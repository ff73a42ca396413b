import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/*
 * `npm run build` (and `prepare`, which npm runs after `npm ci` and
 * `npm install`): compiles the command line to one JavaScript file,
 * dist/cli/main.js, which bin/cloudtrail-rule.cjs runs with plain Node.js.
 * The packages it imports stay in node_modules (they are dependencies);
 * only the project's own TypeScript is compiled. Types are checked by
 * `npm run typecheck`, not here.
 */

const ROOT = resolve(__dirname, '..');

/** Where the compiled command line goes, relative to the project root. */
export const CLI_OUTFILE = join('dist', 'cli', 'main.js');

/** Compiles cli/main.ts and what it imports into {@link CLI_OUTFILE}. */
export async function buildCli(root: string = ROOT): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: ['cli/main.ts'],
    outfile: CLI_OUTFILE,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    // The oldest Node.js the package.json `engines` field accepts.
    target: 'node20',
    logLevel: 'warning',
  });
}

if (require.main === module) {
  buildCli().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
