import { open } from 'node:fs/promises';
import * as z from 'zod';
import { parseCsv, restoreFormulas } from './csv';
import { InvalidAccountsFileError } from './errors';

/** An account to evaluate, and its name when known (from Organizations or the file). */
export interface MemberAccount {
  id: string;
  name?: string;
}

/**
 * The largest `--accounts` file read, in bytes: 16 MiB. A line of a list is
 * an account ID and a name of at most 50 characters; a record of what
 * `evaluate --csv` writes adds the verdict, the trail and the reason, a
 * few hundred bytes (an ERROR's AWS message is the longest), so 16 MiB
 * holds tens of thousands of accounts either way; anything larger is a
 * wrong path, and is not read into memory.
 */
export const MAX_ACCOUNTS_FILE_BYTES = 16 * 1024 * 1024;

const FORMAT_HINT =
  'Each line is a 12-digit account ID, optionally followed by a comma and the account name (111122223333,Production); blank lines and lines starting with # are ignored. The CSV and the JSON that evaluate --organization writes (--csv, --json) are read too (their account and name columns).';

/**
 * Reads an `--accounts` file: one account per line, `ID` or `ID,name`, with
 * blank lines and `#` comment lines ignored. Everything after the first
 * comma is the name (account names may hold commas and `#`). The CSV that
 * `evaluate --csv` writes is an accounts file too: when the first line is
 * its header (`account,name,…`), the records are read as CSV, and each
 * name as it was before it was written (see {@link restoreFormulas}), so
 * one audit's output lists the accounts of the next. So is what `--json`
 * writes: a file whose text starts with `{` is read as that JSON, taking
 * each entry of `accounts` by its `account` and `name`. A problem —
 * unreadable, too large, a line that is not an account ID, an ID given
 * twice, no account at all — raises {@link InvalidAccountsFileError} naming
 * the file and the line, never quoting the line (a path given by mistake
 * could be any file).
 *
 * @example
 * // accounts.txt:
 * //   # production
 * //   111122223333,Production
 * //   444455556666
 * await readAccountsFile('accounts.txt')
 * // => [{ id: '111122223333', name: 'Production' }, { id: '444455556666' }]
 */
export async function readAccountsFile(
  file: string,
  maxBytes = MAX_ACCOUNTS_FILE_BYTES,
): Promise<MemberAccount[]> {
  return parseAccounts(await readCapped(file, maxBytes), file);
}

/** One account as a file lists it, before it is checked: the line it is on, its ID, its name. */
interface Entry {
  line: number;
  id: string;
  name: string | undefined;
  /** Where errors say it is, when not `line N`: `entry N of accounts` in JSON. */
  place?: string;
}

/** The header `evaluate --csv` writes starts with these two columns. */
const CSV_HEADER = /^account,name(,|$)/;

/** The accounts a file's text lists; `file` names it in errors. */
export function parseAccounts(text: string, file: string): MemberAccount[] {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('{')) return checked(jsonEntries(body, file), file);
  const first = body.split(/\r?\n/).find((line) => line.trim() !== '' && !line.startsWith('#'));
  const entries =
    first !== undefined && CSV_HEADER.test(first.trim())
      ? csvEntries(body, file)
      : listEntries(body, file);
  return checked(entries, file);
}

/** The accounts of the entries, each ID 12 digits and listed once, and at least one. */
function checked(entries: readonly Entry[], file: string): MemberAccount[] {
  const accounts: MemberAccount[] = [];
  const placeOf = new Map<string, string>();
  for (const { line, id, name, place = `line ${line}` } of entries) {
    if (!/^\d{12}$/.test(id)) {
      throw new InvalidAccountsFileError(
        `Accounts file ${file}, ${place}: the account ID is not 12 digits (its first field has ${id.length} characters). ${FORMAT_HINT}`,
      );
    }
    const earlier = placeOf.get(id);
    if (earlier !== undefined) {
      throw new InvalidAccountsFileError(
        `Accounts file ${file}: account ${id} is on ${earlier} and again on ${place}. List each account once.`,
      );
    }
    placeOf.set(id, place);
    accounts.push(name === undefined ? { id } : { id, name });
  }
  if (accounts.length === 0) {
    throw new InvalidAccountsFileError(`Accounts file ${file} lists no account. ${FORMAT_HINT}`);
  }
  return accounts;
}

/**
 * The shape of what `evaluate --organization --json` writes, as far as it
 * is read back: an `accounts` array whose entries have an `account` and a
 * `name` (`null` when not known); every other field, of the entries and of
 * the file, is left alone.
 */
const organizationJsonSchema = z.looseObject({
  accounts: z.array(z.looseObject({ account: z.string(), name: z.string().nullable().optional() })),
});

/**
 * `evaluate --organization --json` output: each entry of `accounts`, by its
 * `account` and `name`. A "line" in errors is the entry's number (from 1).
 */
function jsonEntries(text: string, file: string): Entry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const where = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new InvalidAccountsFileError(
      `Accounts file ${file} starts with { but is not valid JSON${where !== undefined ? ` (at character ${where})` : ''}. ${FORMAT_HINT}`,
    );
  }
  const parsed = organizationJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = issue?.path ?? [];
    const at =
      path[0] === 'accounts' && typeof path[1] === 'number'
        ? `entry ${path[1] + 1} of accounts${path[2] !== undefined ? `, its ${String(path[2])}` : ''}`
        : 'its accounts';
    throw new InvalidAccountsFileError(
      `Accounts file ${file} is JSON but not what evaluate --organization --json writes: ${at} is missing or not of the right type (an "accounts" array of objects with an "account" ID string and a "name" string or null). ${FORMAT_HINT}`,
    );
  }
  return parsed.data.accounts.map((entry, index) => ({
    line: index + 1,
    place: `entry ${index + 1} of accounts`,
    id: entry.account.trim(),
    name:
      entry.name === null || entry.name === undefined || entry.name === '' ? undefined : entry.name,
  }));
}

/** A list: `ID` or `ID,name` a line, everything after the first comma the name. */
function listEntries(text: string, file: string): Entry[] {
  const entries: Entry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const number = index + 1;
    if (line === '' || line.startsWith('#')) return;
    const comma = line.indexOf(',');
    const id = (comma === -1 ? line : line.slice(0, comma)).trim();
    const name = comma === -1 ? undefined : line.slice(comma + 1).trim();
    if (name === '') {
      throw new InvalidAccountsFileError(
        `Accounts file ${file}, line ${number}: nothing follows the comma after the account ID. Give the account's name after the comma, or leave the comma out.`,
      );
    }
    entries.push({ line: number, id, name });
  });
  return entries;
}

/**
 * `evaluate --csv` output: the `account` and `name` columns of each record
 * after the header, a name's neutralising `'` taken away again; an empty
 * name (the account's name was not known) is none.
 */
function csvEntries(text: string, file: string): Entry[] {
  const { records, unclosedQuoteLine } = parseCsv(text);
  if (unclosedQuoteLine !== undefined) {
    throw new InvalidAccountsFileError(
      `Accounts file ${file}, line ${unclosedQuoteLine}: a quoted field is never closed, so the lines after it cannot be read as accounts. ${FORMAT_HINT}`,
    );
  }
  const listed = records.filter(
    ({ fields }) =>
      !(fields.length === 1 && fields[0]?.trim() === '') && !fields[0]?.startsWith('#'),
  );
  // The first record is the header, whose first two columns are account and name.
  return listed.slice(1).map(({ line, fields }) => {
    const name = restoreFormulas(fields[1] ?? '');
    return { line, id: (fields[0] ?? '').trim(), name: name === '' ? undefined : name };
  });
}

/** The file's text, refused past `maxBytes` (by its size, or by what was read from a pipe). */
async function readCapped(file: string, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new InvalidAccountsFileError(
      `Accounts file ${file} is larger than ${maxBytes} bytes, more than a list of account IDs needs. Check that this is the file you meant.`,
    );
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new InvalidAccountsFileError(
      `Cannot read accounts file ${file}: ${(error as Error).message}.`,
    );
  }
  try {
    const stats = await handle.stat();
    if (stats.isFile() && stats.size > maxBytes) throw tooLarge();
    const buffer = Buffer.alloc(maxBytes + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, total, buffer.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw tooLarge();
    }
    return buffer.subarray(0, total).toString('utf8');
  } catch (error) {
    if (error instanceof InvalidAccountsFileError) throw error;
    throw new InvalidAccountsFileError(
      `Cannot read accounts file ${file}: ${(error as Error).message}.`,
    );
  } finally {
    await handle.close();
  }
}
