import { readFile, writeFile } from 'node:fs/promises';
import type { z } from 'zod';
import { InvalidSnapshotError } from '../rule/errors';
import { type AccountTrailState, accountTrailStateSchema } from '../rule/state';
import { formatJson } from './report';

/** Issues named in one error line; the rest are counted. */
const SHOWN_ISSUES = 3;

/**
 * Reads and checks a snapshot file (an `AccountTrailState` as JSON). Any
 * problem — unreadable, not JSON, not the right shape — raises
 * {@link InvalidSnapshotError} naming the file and what is wrong with it.
 */
export async function readSnapshot(file: string): Promise<AccountTrailState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidSnapshotError(`Cannot read snapshot ${file}: ${(error as Error).message}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidSnapshotError(
      `Snapshot ${file} is not valid JSON (${(error as Error).message}): fix it, or write a new one with "cloudtrail-rule snapshot".`,
    );
  }
  const parsed = accountTrailStateSchema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidSnapshotError(
      `Snapshot ${file} is not an account trail state: ${describeIssues(parsed.error.issues)}. ` +
        'Compare it with the files in examples/, or write a new one with "cloudtrail-rule snapshot".',
    );
  }
  return parsed.data;
}

/** The snapshot file's text: the state as indented JSON, as `--json` prints any value. */
export function formatSnapshot(state: AccountTrailState): string {
  return formatJson(state);
}

/** Writes a snapshot file that {@link readSnapshot} (and `evaluate --snapshot`) reads back. */
export async function writeSnapshot(file: string, state: AccountTrailState): Promise<void> {
  await writeFile(file, formatSnapshot(state), 'utf8');
}

type Issue = z.core.$ZodIssue;

/** The first few issues, each as `path: message`, on one line. */
function describeIssues(issues: readonly Issue[]): string {
  const lines = issues.slice(0, SHOWN_ISSUES).map((issue) => describeIssue(issue, []));
  const more = issues.length - SHOWN_ISSUES;
  return more > 0 ? `${lines.join('; ')}; and ${more} more` : lines.join('; ');
}

function describeIssue(issue: Issue, at: readonly PropertyKey[]): string {
  const path = [...at, ...issue.path];
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
