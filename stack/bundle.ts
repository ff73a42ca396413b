import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { BuildOptions } from 'esbuild';

/** The project root: entries, the lock file and esbuild are found from here. */
export const PROJECT_ROOT = resolve(__dirname, '..');

/** How both functions are bundled, wherever they are deployed: one minified CommonJS file for Node.js 24. */
export const BUNDLE_SETTINGS = {
  minify: true,
  target: 'node24',
  format: 'cjs',
} as const satisfies Partial<BuildOptions>;

/**
 * The functions are bundled with local esbuild, never in Docker (CDK's
 * NodejsFunction falls back to Docker when it cannot find esbuild): a
 * missing esbuild stops the synth instead.
 */
export function assertLocalEsbuild(): void {
  try {
    createRequire(join(PROJECT_ROOT, 'package.json')).resolve('esbuild');
  } catch {
    throw new Error(
      'esbuild is not installed in this project: run "npm ci". The functions are bundled with local esbuild, never in Docker.',
    );
  }
}

/**
 * A function's code as one string, for a template's inline `ZipFile` (the
 * member template has no asset bucket to point at). The AWS SDK for
 * JavaScript v3 is left to the Lambda runtime, which includes it: with it
 * inside, the two functions would not fit in one template. No source map:
 * it would double the size.
 */
export function inlineBundle(entry: string): string {
  assertLocalEsbuild();
  const esbuild = createRequire(join(PROJECT_ROOT, 'package.json'))(
    'esbuild',
  ) as typeof import('esbuild');
  const result = esbuild.buildSync({
    ...BUNDLE_SETTINGS,
    entryPoints: [join(PROJECT_ROOT, entry)],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    external: ['@aws-sdk/*', '@smithy/*'],
    charset: 'ascii',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  return output.text;
}
