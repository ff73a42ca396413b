import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
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
