import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/**
 * The project's root directory: the nearest one above this module that
 * holds a package.json. The same from the TypeScript sources (cli/) and
 * from the compiled command line (dist/cli/).
 */
export const PROJECT_ROOT = findRoot(__dirname);

function findRoot(from: string): string {
  for (let directory = from; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    if (dirname(directory) === directory) {
      throw new Error(`No package.json in ${from} or any directory above it`);
    }
  }
}

/** The version in the project's package.json, for `--version`. */
export function projectVersion(root: string = PROJECT_ROOT): string {
  const manifest = z
    .object({ version: z.string() })
    .parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
  return manifest.version;
}
