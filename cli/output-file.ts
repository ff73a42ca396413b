import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { type FileHandle, link, lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OutputFileError } from './errors';

/**
 * Writes a file the way a tool run with a person's privileges should: never
 * over an existing file unless told to (`force`), never through a symbolic
 * link (not even with `force`: the link could point anywhere the person may
 * write), and atomically, so a reader sees the old file or the whole new one
 * and an interrupted run leaves no half-written file.
 *
 * The text goes to a new temporary file in the same directory (created with
 * `O_EXCL | O_NOFOLLOW`, mode 0600), which then takes the path: with `force`
 * by `rename`, which replaces whatever is at the path (a link itself, never
 * its target); without, by `link`, which fails if anything, a symbolic link
 * included, appeared at the path in the meantime.
 *
 * @example
 * await writeFileSafely('state.json', text, { force: false }) // OutputFileError if state.json exists
 */
export async function writeFileSafely(
  file: string,
  text: string,
  options: { force: boolean },
): Promise<void> {
  refuseExisting(file, await lstatIfAny(file), options.force);

  const temporary = join(
    dirname(file),
    `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  let handle: FileHandle;
  try {
    handle = await open(
      temporary,
      // O_NOFOLLOW is not defined on Windows, where open() does not follow links anyway.
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
      0o600,
    );
  } catch (error) {
    throw cannotWrite(file, error);
  }
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    if (options.force) {
      await rename(temporary, file);
    } else {
      await linkOrRename(temporary, file);
    }
  } catch (error) {
    await handle.close().catch(() => undefined);
    if (error instanceof OutputFileError) throw error;
    if (errorCode(error) === 'EEXIST') throw alreadyExists(file);
    throw cannotWrite(file, error);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Without `force`, the path must be free; with it, it may hold a regular file only. */
function refuseExisting(file: string, existing: Stats | undefined, force: boolean): void {
  if (existing === undefined) return;
  if (existing.isSymbolicLink()) {
    throw new OutputFileError(
      `${file} is a symbolic link: cloudtrail-rule never writes through one, even with --force, since it could point anywhere you may write. Give the path of a regular file, or a new name.`,
    );
  }
  if (!existing.isFile()) {
    throw new OutputFileError(`${file} exists and is not a regular file: give a file path.`);
  }
  if (!force) throw alreadyExists(file);
}

/**
 * Gives the temporary file the path, failing if the path is taken. A file
 * system without hard links gets a fresh check and a `rename` instead.
 */
async function linkOrRename(temporary: string, file: string): Promise<void> {
  try {
    await link(temporary, file);
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    refuseExisting(file, await lstatIfAny(file), false);
    await rename(temporary, file);
  }
}

async function lstatIfAny(file: string): Promise<Stats | undefined> {
  try {
    return await lstat(file);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw cannotWrite(file, error);
  }
}

function alreadyExists(file: string): OutputFileError {
  return new OutputFileError(
    `${file} already exists, and cloudtrail-rule does not overwrite a file unless told to: give a new name, or add --force to replace it.`,
  );
}

const REASONS: Record<string, string> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of its directory path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  ELOOP: 'too many symbolic links in its path',
};

function cannotWrite(file: string, error: unknown): OutputFileError {
  const code = errorCode(error);
  const reason =
    code === undefined
      ? error instanceof Error
        ? error.message
        : String(error)
      : `${REASONS[code] ?? 'the system refused'} (${code})`;
  return new OutputFileError(`Cannot write ${file}: ${reason}. Nothing was written there.`);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
