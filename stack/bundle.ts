import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The project root: entries, the lock file and esbuild are found from here. */
export const PROJECT_ROOT = resolve(__dirname, '..');

/**
 * How both functions are bundled, wherever they are deployed: one minified
 * CommonJS file for Node.js 24, the major version of the Lambda runtime
 * (`LAMBDA_RUNTIME`). Every bundle (the stack's assets, the member
 * template's inline code, the end-to-end tests, the benchmark) starts here.
 */
export const BUNDLE_SETTINGS = {
  minify: true,
  target: 'node24',
  format: 'cjs',
} as const satisfies Partial<BuildOptions>;

/** The entry file of the bundle's `handler` export, relative to the project root. */
export const RULE_ENTRY = 'rule/handler.ts';
export const REMEDIATION_ENTRY = 'remediation/handler.ts';

/**
 * The NodejsFunction `bundling` of the single-account stack's functions:
 * {@link BUNDLE_SETTINGS}, with a source map (without the sources, which
 * would double its size) and the AWS SDK inside at the versions the lock
 * file pins, instead of whichever the runtime happens to carry. Bundled by
 * local esbuild, never in Docker.
 */
export function assetBundling(): BundlingOptions & {
  minify: boolean;
  target: string;
  format: OutputFormat;
  sourceMap: boolean;
  sourcesContent: boolean;
  externalModules: string[];
} {
  return {
    forceDockerBundling: false,
    minify: BUNDLE_SETTINGS.minify,
    target: BUNDLE_SETTINGS.target,
    format: OutputFormat.CJS,
    sourceMap: true,
    sourcesContent: false,
    externalModules: [],
  };
}

/**
 * Builds a function's asset as the stack's NodejsFunction does from
 * {@link assetBundling} (`esbuild --bundle`, from the project root), into
 * `<outdir>/index.js` and `<outdir>/index.js.map`; gives the path of
 * `index.js`. The end-to-end tests and the benchmark run this file, and a
 * stack test checks that it is byte for byte the asset the stack stages.
 */
export async function assetBundle(entry: string, outdir: string): Promise<string> {
  const bundling = assetBundling();
  const outfile = join(outdir, 'index.js');
  await esbuild().build({
    entryPoints: [resolve(PROJECT_ROOT, entry)],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    target: bundling.target,
    format: bundling.format,
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    sourcesContent: bundling.sourcesContent,
    external: bundling.externalModules,
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

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

function esbuild(): typeof import('esbuild') {
  assertLocalEsbuild();
  return createRequire(join(PROJECT_ROOT, 'package.json'))('esbuild') as typeof import('esbuild');
}

/**
 * A function's code as one string, for a template's inline `ZipFile` (the
 * member template has no asset bucket to point at). The AWS SDK for
 * JavaScript v3 is left to the Lambda runtime, which includes it: with it
 * inside, the two functions would not fit in one template. No source map:
 * it would double the size.
 */
export function inlineBundle(entry: string): string {
  const result = esbuild().buildSync({
    ...BUNDLE_SETTINGS,
    entryPoints: [resolve(PROJECT_ROOT, entry)],
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
