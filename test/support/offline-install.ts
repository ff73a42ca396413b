import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { buildLibUnlessCurrent } from '../../scripts/build-lib';

/*
 * Installs packages into a scratch directory the way a user of the package
 * would, with no network: the scratch app's package-lock.json is cut from
 * the project's own (the same versions and integrity hashes, which CI's
 * `npm ci` has already put in the local npm cache), plus the packed
 * tarball, and `npm ci --offline` installs it. The scratch directory gets
 * its own node_modules and nothing of the project's.
 */

const ROOT = resolve(__dirname, '../..');

interface LockEntry {
  version?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bundleDependencies?: string[];
  inBundle?: boolean;
  [field: string]: unknown;
}

type Packages = Record<string, LockEntry>;

/** Where Node.js would find `name` from the package at `from` (a lock path, '' for the root). */
function locate(packages: Packages, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const at = base.lastIndexOf('/node_modules/');
    base = at === -1 ? '' : base.slice(0, at);
  }
}

/**
 * The registry address of a package's tarball, which the project's lock
 * leaves out (`omit-lockfile-registry-resolved`): npm caches the tarball
 * under it, and without it npm would ask the registry where the tarball is.
 */
function registryUrl(path: string, entry: LockEntry): string {
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const file = name.split('/').at(-1);
  return `https://registry.npmjs.org/${name}/-/${file}-${entry.version}.tgz`;
}

/** The lock entries of `names` (top-level) and of everything they need at run time. */
function closure(packages: Packages, names: string[], optionalPeers: Set<string>): Packages {
  const chosen: Packages = {};
  const queue = names.map((name) => locate(packages, '', name));
  while (queue.length > 0) {
    const path = queue.pop();
    if (path === undefined || chosen[path] !== undefined) continue;
    const entry = packages[path];
    if (entry === undefined) continue;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
    chosen[path] = entry.inBundle === true ? kept : { resolved: registryUrl(path, entry), ...kept };
    const needs = {
      ...entry.dependencies,
      ...entry.optionalDependencies,
      ...Object.fromEntries(
        Object.entries(entry.peerDependencies ?? {}).filter(
          ([peer]) => !entry.peerDependenciesMeta?.[peer]?.optional && !optionalPeers.has(peer),
        ),
      ),
    };
    for (const name of Object.keys(needs)) queue.push(locate(packages, path, name));
  }
  return chosen;
}

export interface ScratchInstall {
  /** The packed tarball of this project. */
  tarball: string;
  /** Other packages, at the versions the project's lock file pins. */
  packages: string[];
  /** Omit the development dependencies' flag, as `npm install --omit=dev` does. */
  omitDev?: boolean;
}

/**
 * Writes package.json and package-lock.json into `dir` and runs `npm ci
 * --offline` there. Throws with npm's output when it fails (a package
 * missing from the local cache, for one).
 */
export function installOffline(dir: string, install: ScratchInstall): void {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Packages;
  };
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    license: string;
    bin: Record<string, string>;
    engines: Record<string, string>;
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
  };
  const optionalPeers = new Set(
    Object.keys(manifest.peerDependenciesMeta).filter((p) => !install.packages.includes(p)),
  );
  const copied = closure(
    lock.packages,
    [...Object.keys(manifest.dependencies), ...install.packages],
    optionalPeers,
  );
  const tarballName = basename(install.tarball);
  const dependencies: Record<string, string> = { [manifest.name]: `file:${install.tarball}` };
  for (const name of install.packages) {
    const version = lock.packages[`node_modules/${name}`]?.version;
    if (version === undefined) throw new Error(`${name} is not in the project's package-lock.json`);
    dependencies[name] = version;
  }
  const integrity = `sha512-${createHash('sha512').update(readFileSync(install.tarball)).digest('base64')}`;
  const scratchLock = {
    name: 'scratch-consumer',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'scratch-consumer', dependencies },
      ...copied,
      [`node_modules/${manifest.name}`]: {
        version: manifest.version,
        resolved: `file:${install.tarball}`,
        integrity,
        license: manifest.license,
        dependencies: manifest.dependencies,
        bin: manifest.bin,
        engines: manifest.engines,
        peerDependencies: manifest.peerDependencies,
        peerDependenciesMeta: manifest.peerDependenciesMeta,
      },
    },
  };
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'scratch-consumer', private: true, dependencies }, null, 2),
  );
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(scratchLock, null, 2));
  const args = ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'];
  if (install.omitDev === true) args.push('--omit=dev');
  try {
    execFileSync('npm', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe', env: scratchEnv() });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ci in ${dir} (for ${tarballName}) failed:\n${stdout}\n${stderr}`);
  }
}

/** The environment of a scratch process: nothing that points Node.js or npm at the project. */
export function scratchEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name === 'NODE_PATH' || name.startsWith('npm_') || name === 'INIT_CWD') delete env[name];
  }
  return env;
}

/**
 * Builds the library, unless it was built from the sources as they are
 * (`npm ci` builds it), and packs the project into `dir`; gives the
 * tarball's path. npm's `prepare` (`npm run build`) would also rebuild the
 * command line, which other test files run meanwhile: the tests' global
 * setup has built it already, so the build here leaves it alone and `npm
 * pack` runs no script.
 */
export async function packProject(dir: string): Promise<string> {
  await buildLibUnlessCurrent(ROOT, { cli: false });
  const output = execFileSync(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', dir],
    {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const [packed] = JSON.parse(output) as { filename: string }[];
  if (packed === undefined) throw new Error('npm pack reported no tarball');
  return join(dir, packed.filename);
}
