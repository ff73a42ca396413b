import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { assetBundle, inlineBundle, REMEDIATION_ENTRY, RULE_ENTRY } from '../stack/bundle';
import { prebuiltAssetDir, prebuiltInlineFile } from '../stack/function-code';
import { buildCli } from './build-cli';
import { writePropsDeclaration } from './props-declaration';

/*
 * `npm run build` (and `prepare`, which npm runs after `npm ci` and before
 * `npm pack`): everything the package ships that is not a source file.
 * - dist/cli/main.js, the command line (scripts/build-cli.ts);
 * - lib/index.js, the library (stack/index.ts and what it imports, compiled
 *   to one CommonJS file; its dependencies and peer dependencies stay
 *   packages), and its type declarations under lib/types;
 * - lib/functions, both functions' code, bundled as the stack bundles it
 *   (stack/bundle.ts): each CDK asset's folder, and the inline bundles of
 *   the member template. A consumer's synth reads these, with no esbuild.
 */

const ROOT = resolve(__dirname, '..');
/** Where the library goes, relative to the project root. */
export const LIB_DIR = 'lib';
export const LIB_ENTRY = 'stack/index.ts';

/** The packages the compiled library may require at run time: the package's dependencies and peers. */
export function runtimePackages(root: string = ROOT): string[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  return [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ];
}

/**
 * Builds the command line (unless `cli` is false: the tests build it once,
 * before any runs it), the library, its declarations and the functions'
 * bundles.
 */
export async function buildLib(root: string = ROOT, { cli = true } = {}): Promise<void> {
  const lib = join(root, LIB_DIR);
  // Read before building, so a source changed during the build leaves the library out of date.
  const inputs = libInputsDigest(root);
  rmSync(join(root, LIB_STAMP), { force: true });
  rmSync(lib, { recursive: true, force: true });
  if (cli) await buildCli(root);
  await build({
    absWorkingDir: root,
    entryPoints: [LIB_ENTRY],
    outfile: join(lib, 'index.js'),
    bundle: true,
    external: runtimePackages(root).flatMap((name) => [name, `${name}/*`]),
    platform: 'node',
    format: 'cjs',
    // The oldest Node.js the package.json `engines` field accepts.
    target: 'node20',
    logLevel: 'warning',
    plugins: [projectChecksLeftOut],
  });
  assertRequiresOnly(join(lib, 'index.js'), runtimePackages(root));
  const functions = join(lib, 'functions');
  for (const entry of [RULE_ENTRY, REMEDIATION_ENTRY]) {
    await assetBundle(entry, join(functions, prebuiltAssetDir(entry)));
    const inline = join(functions, prebuiltInlineFile(entry));
    mkdirSync(dirname(inline), { recursive: true });
    writeFileSync(inline, inlineBundle(entry));
  }
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.lib.json')],
    { cwd: root, stdio: 'inherit' },
  );
  writePropsDeclaration(join(lib, 'types', 'stack', 'cloudtrail-one-rule.d.ts'));
  writeLibStamp(root, inputs);
}

/** Records that the library in `root` was built from inputs with this digest. */
export function writeLibStamp(root: string, digest: string): void {
  mkdirSync(dirname(join(root, LIB_STAMP)), { recursive: true });
  writeFileSync(join(root, LIB_STAMP), `${digest}\n`);
}

/**
 * What the library is built from: every file of the source folders (the
 * sources it compiles and bundles, and this build's own code), and the
 * files that pin its dependencies and compiler settings. More than it
 * reads, never less.
 */
export const LIB_INPUTS = {
  folders: ['stack', 'rule', 'remediation', 'cli', 'scripts'],
  files: ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.lib.json'],
} as const;

/**
 * Where a build records the digest of {@link LIB_INPUTS} it was built from:
 * under node_modules, so neither git nor the package carries it.
 */
export const LIB_STAMP = join(
  'node_modules',
  '.cache',
  'cloudtrail-multi-region-rule',
  'lib-inputs',
);

/** A digest of every input file's path and content, in path order. */
export function libInputsDigest(root: string = ROOT): string {
  const files: string[] = LIB_INPUTS.files.map((file) => join(root, file));
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  for (const folder of LIB_INPUTS.folders) walk(join(root, folder));
  const hash = createHash('sha256');
  for (const file of files.map((path) => relative(root, path)).sort()) {
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

/**
 * Builds the library unless the last build was made from the inputs as
 * they are now and its output is all there (as after `npm ci`, whose
 * `prepare` builds it). Says which it did.
 */
export async function buildLibUnlessCurrent(
  root: string = ROOT,
  options: { cli?: boolean } = {},
  build: typeof buildLib = buildLib,
): Promise<'built' | 'current'> {
  const stamp = join(root, LIB_STAMP);
  const outputs = ['index.js', 'functions', join('types', 'stack', 'index.d.ts')];
  const current =
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === libInputsDigest(root) &&
    outputs.every((output) => existsSync(join(root, LIB_DIR, output)));
  if (current) return 'current';
  await build(root, options);
  return 'built';
}

/**
 * stack/validators.ts runs the project's own checks (cdk-nag, Control
 * Tower's rules) on its synths; they are development dependencies, and
 * nothing the library exports calls them. Marked free of side effects, the
 * module is left out of the library instead of being bundled for its
 * imports' sake.
 */
const projectChecksLeftOut: Plugin = {
  name: 'project-checks-left-out',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/validators$/ }, (args) => ({
      path: join(args.resolveDir, 'validators.ts'),
      sideEffects: false,
    }));
  },
};

/** The packages a compiled file requires, besides Node.js's own modules. */
export function requiredPackages(file: string): string[] {
  const builtins = new Set(builtinModules);
  const required = [...readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map(
    ([, name = '']) => name,
  );
  const packages = required
    .filter((name) => !name.startsWith('node:') && !builtins.has(name))
    .map((name) =>
      name
        .split('/')
        .slice(0, name.startsWith('@') ? 2 : 1)
        .join('/'),
    );
  return [...new Set(packages)].sort();
}

/** Fails the build when the library would require a package its users do not get. */
function assertRequiresOnly(file: string, allowed: string[]): void {
  const extra = requiredPackages(file).filter((name) => !allowed.includes(name));
  if (extra.length > 0) {
    throw new Error(
      `${file} requires ${extra.join(', ')}, which the package does not depend on: keep it out of what stack/index.ts imports, or make it a dependency.`,
    );
  }
}

if (require.main === module) {
  buildLib().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
