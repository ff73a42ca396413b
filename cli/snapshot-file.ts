import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { isTrailName } from '../remediation/input';
import { InvalidSnapshotError } from '../rule/errors';
import { type AccountTrailState, accountTrailStateSchema } from '../rule/state';
import { jsonErrorPosition } from './json-error';
import { writeFileSafely } from './output-file';
import { formatJson } from './report';

/** Issues named in one error line; the rest are counted. */
const SHOWN_ISSUES = 3;

/**
 * The largest snapshot read, in bytes: 64 MiB. A snapshot holds one entry
 * per trail the account sees (a few KB each, tens of KB with hundreds of
 * advanced selector values), so even an account with hundreds of trails
 * writes a few MB; 64 MiB leaves room for far more, while keeping what a
 * mistaken path (a log, a disk image, /dev/zero) can make the command read
 * and parse within what a laptop or a CI runner holds in memory.
 */
export const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

/** How much is read at a time, so that a stream with no size is cut at the limit. */
const CHUNK_BYTES = 1024 * 1024;

/** The snapshot "file" that means standard input: `--snapshot -`. */
export const STDIN = '-';

/**
 * Reads and checks a snapshot file (an `AccountTrailState` as JSON), or
 * standard input for `-` (`stdin`, by default the process's). Any
 * problem — unreadable, too large, not JSON, not the right shape — raises
 * {@link InvalidSnapshotError} naming the file and what is wrong with it,
 * and never quoting what the file holds (a path given by mistake could be
 * anything, a password file included): a JSON error is given by its line
 * and column, a shape error by the path of the field.
 */
export async function readSnapshot(
  file: string,
  maxBytes = MAX_SNAPSHOT_BYTES,
  stdin: (() => Readable) | undefined = undefined,
): Promise<AccountTrailState> {
  const text =
    file === STDIN
      ? await readStreamCapped((stdin ?? (() => process.stdin))(), maxBytes)
      : await readCapped(file, maxBytes);
  const name = file === STDIN ? 'on stdin' : file;
  if (text.trim() === '') {
    throw new InvalidSnapshotError(`Snapshot ${name} is empty. ${HOW_TO_SNAPSHOT}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const at = jsonErrorPosition(text);
    const where =
      at === undefined
        ? ''
        : ` at line ${at.line}, column ${at.column} (character ${at.offset + 1})`;
    throw new InvalidSnapshotError(
      `Snapshot ${name} is not valid JSON${where}: fix it, or write a new one with "cloudtrail-rule snapshot".`,
    );
  }
  if (isDescribeTrailsOutput(json)) {
    throw new InvalidSnapshotError(
      `Snapshot ${name} holds the output of "aws cloudtrail describe-trails" (a trailList), which lists the trails but not whether each is logging or what its event selectors record, nor the account and Region. ${HOW_TO_SNAPSHOT}`,
    );
  }
  const parsed = accountTrailStateSchema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidSnapshotError(
      `Snapshot ${name} is not an account trail state: ${describeIssues(parsed.error.issues)}. ` +
        'Compare it with the files in examples/, or write a new one with "cloudtrail-rule snapshot".',
    );
  }
  const badNames = trailNameIssues(parsed.data);
  if (badNames.length > 0) {
    const trails = new Set(badNames.map((issue) => issue.trail)).size;
    throw new InvalidSnapshotError(
      `Snapshot ${name} names ${trails === 1 ? 'a trail' : `${trails} trails`} as CloudTrail never would: ${listIssues(badNames.map((issue) => issue.problem))}. ` +
        'A snapshot that "cloudtrail-rule snapshot" writes holds the names CloudTrail gave: correct the file, or write a new one.',
    );
  }
  return parsed.data;
}

/** How a snapshot is made, said by every error that finds none. */
const HOW_TO_SNAPSHOT =
  'Write a snapshot with "cloudtrail-rule snapshot --out FILE" (with --region and --profile for the account to read), or evaluate the account live with "cloudtrail-rule evaluate".';

/**
 * What `aws cloudtrail describe-trails` prints: an object whose only field
 * is `trailList`, a list of trails
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html).
 */
function isDescribeTrailsOutput(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const keys = Object.keys(json);
  return (
    keys.length === 1 &&
    keys[0] === 'trailList' &&
    Array.isArray((json as { trailList: unknown }).trailList)
  );
}

/** CloudTrail's rules for a trail name, as {@link isTrailName} checks them. */
const TRAIL_NAME_RULES =
  '3–128 letters and digits, with single ".", "_" or "-" between them, not an IP address';

/** A trail's ARN, `arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME`, with its name captured. */
const TRAIL_ARN = /^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/(.*)$/s;

/**
 * What is wrong with the snapshot's trail names, one entry per field, each
 * naming the trail by its index (`trail`) and the rule it breaks, never
 * quoting the name. CloudTrail accepts only the names {@link isTrailName} accepts, and
 * a trail's ARN ends in its name; a snapshot is a file anyone can edit, and
 * trail names are printed, so a name CloudTrail would refuse (one holding
 * escape sequences or a carriage return that would rewrite the verdict on
 * a terminal) means the file was not written by CloudTrail's answers.
 */
export function trailNameIssues(state: AccountTrailState): { trail: number; problem: string }[] {
  return state.trails.flatMap(({ trail }, index) => {
    const at = `trails[${index}].trail`;
    const problems: string[] = [];
    if (trail.Name !== undefined && !isTrailName(trail.Name)) {
      problems.push(`${at}.Name is not a trail name (${TRAIL_NAME_RULES})`);
    }
    const arnName = TRAIL_ARN.exec(trail.TrailARN)?.[1];
    if (arnName === undefined || !isTrailName(arnName)) {
      problems.push(
        `${at}.TrailARN is not a trail's ARN (arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME, the NAME ${TRAIL_NAME_RULES})`,
      );
    } else if (trail.Name !== undefined && isTrailName(trail.Name) && arnName !== trail.Name) {
      problems.push(
        `${at}.TrailARN ends in another name than ${at}.Name: a trail's ARN ends in its name`,
      );
    }
    return problems.map((problem) => ({ trail: index, problem }));
  });
}

/** `size`, when known, is said before the limit; unknown, the limit says it all. */
function tooLarge(file: string, maxBytes: number, size?: string): InvalidSnapshotError {
  return new InvalidSnapshotError(
    `Snapshot ${file} is ${size === undefined ? '' : `${size}, `}more than the ${formatBytes(maxBytes)} a snapshot may be: a snapshot of even a large account is a few MB. Check that this is the snapshot you meant, or write a new one with "cloudtrail-rule snapshot".`,
  );
}

/** Standard input's text, refused once more than `maxBytes` has come, without reading on. */
async function readStreamCapped(stream: Readable, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      total += bytes.length;
      if (total > maxBytes) {
        stream.destroy();
        throw tooLarge('on stdin', maxBytes);
      }
      chunks.push(bytes);
    }
  } catch (error) {
    if (error instanceof InvalidSnapshotError) throw error;
    throw new InvalidSnapshotError(
      `Cannot read the snapshot on stdin: ${(error as Error).message}.`,
    );
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The file's text, refused if it is larger than `maxBytes`: by its size
 * before reading when it is a regular file, and by what was read otherwise
 * (a pipe or a device has no size).
 */
async function readCapped(file: string, maxBytes: number): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw cannotRead(file, error);
  }
  try {
    const stats = await handle.stat();
    if (stats.isFile() && stats.size > maxBytes) {
      throw tooLarge(file, maxBytes, `${stats.size} bytes (${formatBytes(stats.size)})`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(file, maxBytes);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof InvalidSnapshotError) throw error;
    throw cannotRead(file, error);
  } finally {
    await handle.close();
  }
}

function cannotRead(file: string, error: unknown): InvalidSnapshotError {
  return new InvalidSnapshotError(`Cannot read snapshot ${file}: ${(error as Error).message}.`);
}

/** `64 MiB`, `1.5 KiB`, `200 bytes`. */
function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${rounded} ${units[unit]}`;
}

/** The snapshot file's text: the state as indented JSON, as `--json` prints any value. */
export function formatSnapshot(state: AccountTrailState): string {
  return formatJson(state);
}

/**
 * Writes a snapshot file that {@link readSnapshot} (and `evaluate --snapshot`)
 * reads back: not over an existing file unless `force`, never through a
 * symbolic link, and atomically (see {@link writeFileSafely}).
 */
export async function writeSnapshot(
  file: string,
  state: AccountTrailState,
  options: { force: boolean } = { force: false },
): Promise<void> {
  await writeFileSafely(file, formatSnapshot(state), options);
}

type Issue = z.core.$ZodIssue;

/** The first few issues, each as `path: message`, on one line. */
function describeIssues(issues: readonly Issue[]): string {
  return listIssues(issues.map((issue) => describeIssue(issue, [])));
}

/** The first few of a list of problems, on one line, and how many more. */
function listIssues(lines: readonly string[]): string {
  const shown = lines.slice(0, SHOWN_ISSUES).join('; ');
  const more = lines.length - SHOWN_ISSUES;
  return more > 0 ? `${shown}; and ${more} more` : shown;
}

function describeIssue(issue: Issue, at: readonly PropertyKey[]): string {
  const path = [...at, ...issue.path];
  // zod would name the keys, and a key is the file's content: count them instead.
  if (issue.code === 'unrecognized_keys') {
    const count = issue.keys.length;
    return `${formatPath(path)}: ${count} ${count === 1 ? 'key' : 'keys'} that an account trail state does not have`;
  }
  // A union ("a response or an error") says only "Invalid input"; the branch
  // with the fewest issues is the one the author most likely meant.
  if (issue.code === 'invalid_union') {
    const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0]?.[0];
    if (closest !== undefined) return describeIssue(closest, path);
  }
  return `${formatPath(path)}: ${issue.message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`,
    )
    .join('');
}
