import { randomBytes } from 'node:crypto';
import { closeSync, constants, lstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

/*
 * How the scripts that write a template or a policy write it, as the
 * command line writes its files: to the path as given (relative to the
 * directory the command was started in), shown as given; never over an
 * existing file without --force, never through a symbolic link, never into
 * a directory that does not exist (none is created), and atomically.
 */

const ROOT = resolve(__dirname, '..');

/** Where a script writes, and how its messages show the path. */
export interface OutputPath {
  /** The absolute path. */
  path: string;
  /** The path as the person gave it, or the default relative to the project. */
  shown: string;
  /** Whether it is the script's default (under the project's dist/). */
  isDefault: boolean;
}

/**
 * The directory a relative path is taken from: where the person ran `npm
 * run` (npm itself runs scripts in the project's root, and says where it was
 * started in INIT_CWD).
 */
function startDirectory(): string {
  return process.env.INIT_CWD || process.cwd();
}

/**
 * The output path: `given` as given, else `defaultPath` (relative to the
 * project's root, shown so).
 *
 * @example outputPath(undefined, 'dist/member.template.json').shown // => 'dist/member.template.json'
 */
export function outputPath(given: string | undefined, defaultPath: string): OutputPath {
  if (given !== undefined) {
    return { path: resolve(startDirectory(), given), shown: given, isDefault: false };
  }
  const path = resolve(ROOT, defaultPath);
  const fromHere = relative(process.cwd(), path);
  const shown = fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
  return { path, shown, isDefault: true };
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The problem with writing to `out`, before anything is written; `undefined` when there is none. */
export function outputProblem(out: OutputPath, force: boolean): string | undefined {
  let directory: ReturnType<typeof lstatSync> | undefined;
  try {
    directory = lstatSync(dirname(out.path));
  } catch (error) {
    if (errorCode(error) !== 'ENOENT' && errorCode(error) !== 'ENOTDIR') throw error;
  }
  if (directory === undefined || !directory.isDirectory()) {
    return out.isDefault
      ? `Cannot write ${out.shown}: its directory ${dirname(out.shown)} does not exist. Run "npm run build", which creates it, or give --out FILE in a directory that exists.`
      : `Cannot write ${out.shown}: its directory ${dirname(out.shown)} does not exist (no directory is created). Create it first, or give a path in a directory that exists.`;
  }
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = lstatSync(out.path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  if (existing === undefined) return undefined;
  if (existing.isSymbolicLink()) {
    return `${out.shown} is a symbolic link: nothing is written through one, even with --force, since it could point anywhere you may write. Give the path of a regular file, or a new name with --out.`;
  }
  if (!existing.isFile())
    return `${out.shown} exists and is not a regular file: give a file path with --out.`;
  if (!force) {
    return `${out.shown} already exists, and is not overwritten unless told to: add --force to replace it, or give a new name with --out.`;
  }
  return undefined;
}

/**
 * Writes `text` to `out`, or says why it cannot: the text goes to a new
 * temporary file beside it, which then takes the path (`rename` with
 * --force; without, only if the path is still free).
 */
export function writeOutput(out: OutputPath, text: string, force: boolean): string | undefined {
  const problem = outputProblem(out, force);
  if (problem !== undefined) return problem;
  const temporary = join(
    dirname(out.path),
    `.${basename(out.path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    const fd = openSync(
      temporary,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
      0o644,
    );
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    if (!force) {
      // Taken in the meantime: refuse, as above.
      const again = outputProblem(out, false);
      if (again !== undefined) return again;
    }
    renameSync(temporary, out.path);
    return undefined;
  } catch (error) {
    return `Cannot write ${out.shown}: ${errorCode(error) ?? (error instanceof Error ? error.message : String(error))}. Nothing was written there.`;
  } finally {
    rmSync(temporary, { force: true });
  }
}
