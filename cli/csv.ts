import { escapeControlCharacters } from './control-characters';

/**
 * Comma-separated values as RFC 4180 defines them
 * (https://www.rfc-editor.org/rfc/rfc4180): CRLF after every record, and a
 * field in double quotes, its quotes doubled, when it holds a comma, a
 * quote, a CR or an LF. Each field is made safe first (see {@link csvField}):
 * no control character, and no part a spreadsheet could run as a formula.
 *
 * @example
 * formatCsv(['account', 'reason'], [['111122223333', 'not multi-Region; logging is stopped']])
 * // => 'account,reason\r\n111122223333,not multi-Region; logging is stopped\r\n'
 */
export function formatCsv(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  return [headers, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/**
 * One field, safe to open in a spreadsheet and to print on a terminal, and
 * quoted only when RFC 4180 requires it. Account names come from
 * Organizations or an `--accounts` file, and a member account's
 * administrator can set theirs, so:
 *
 * - control characters are written as `\xHH` ({@link escapeControlCharacters}),
 *   as on every other output: a record is one line, and `cat` of the file
 *   moves no cursor;
 * - every segment that could start a formula gets a leading `'`
 *   ({@link neutraliseFormulas}), not only the field's first character: a
 *   spreadsheet set to split on `;` or tab would otherwise read
 *   `Prod;=1+1;` as the cells `Prod` and `=1+1`.
 *
 * @example
 * csvField('Prod;=1+1;') // => "Prod;'=1+1;"
 */
export function csvField(value: string): string {
  const text = neutraliseFormulas(escapeControlCharacters(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Where a spreadsheet may start a new cell inside a field: a comma (a reader
 * that ignores quotes), a semicolon (the separator in locales with a decimal
 * comma), a tab, and a line break. Captured, so that splitting keeps them.
 */
const SEGMENT_SEPARATOR = /([,;\t\r\n])/;

/**
 * The start of a segment a spreadsheet would run: `=`, `+`, `-` or `@`
 * (OWASP, CSV injection: https://owasp.org/www-community/attacks/CSV_Injection),
 * after any spaces (which a spreadsheet may trim) and quote marks. OWASP's
 * other two starters, tab and CR, are separators here: what follows them
 * is checked as a segment of its own. Quote marks are included so that
 * {@link restoreFormulas} can tell the `'` this adds from one the value had.
 */
const FORMULA_START = /^[ ']*[=+\-@]/;

/** A segment as {@link neutraliseFormulas} writes it: its own `'`, then a formula start. */
const NEUTRALISED = /^'[ ']*[=+\-@]/;

/**
 * The text with a `'` before every segment that could start a formula, so
 * a spreadsheet shows it as text whichever of `,`, `;` and tab it splits
 * on. A segment that only starts with quote marks and spaces before a
 * formula character gets one more, so the change can be undone exactly.
 *
 * @example
 * neutraliseFormulas('Prod; =1+1, @SUM(A1)') // => "Prod;' =1+1,' @SUM(A1)"
 */
export function neutraliseFormulas(text: string): string {
  return text
    .split(SEGMENT_SEPARATOR)
    .map((part, index) => (index % 2 === 0 && FORMULA_START.test(part) ? `'${part}` : part))
    .join('');
}

/**
 * The text {@link neutraliseFormulas} was given: each `'` it added taken
 * away again, and nothing else. For reading back a name this command
 * wrote to CSV (`--accounts` reads `--csv` output).
 *
 * @example
 * restoreFormulas("Prod;'=1+1;") // => 'Prod;=1+1;'
 */
export function restoreFormulas(text: string): string {
  return text
    .split(SEGMENT_SEPARATOR)
    .map((part, index) => (index % 2 === 0 && NEUTRALISED.test(part) ? part.slice(1) : part))
    .join('');
}

/** One CSV record: its fields, and the line of the text it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Reads CSV as RFC 4180 writes it, records ending with CRLF or LF: a field
 * in double quotes may hold commas, doubled quotes and line breaks. Fields
 * are returned as written (no formula restored). `unclosedQuoteLine` is the
 * line of a quoted field that never ends, whose record swallowed the rest
 * of the text.
 *
 * @example
 * parseCsv('a,"b, ""c"""\r\n1,2\r\n').records
 * // => [{ line: 1, fields: ['a', 'b, "c"'] }, { line: 2, fields: ['1', '2'] }]
 */
export function parseCsv(text: string): { records: CsvRecord[]; unclosedQuoteLine?: number } {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quotedFrom: number | undefined;
  let fieldStarted = false;
  let line = 1;
  let recordLine = 1;
  const endRecord = () => {
    fields.push(field);
    records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let at = 0; at < text.length; at++) {
    const character = text.charAt(at);
    if (quotedFrom !== undefined) {
      if (character === '"' && text.charAt(at + 1) === '"') {
        field += '"';
        at++;
      } else if (character === '"') {
        quotedFrom = undefined;
      } else {
        if (character === '\n') line++;
        field += character;
      }
    } else if (character === '"' && !fieldStarted) {
      quotedFrom = line;
      fieldStarted = true;
    } else if (character === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
    } else if (character === '\n' || (character === '\r' && text.charAt(at + 1) === '\n')) {
      if (character === '\r') at++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += character;
      fieldStarted = true;
    }
  }
  if (fieldStarted || fields.length > 0) endRecord();
  return quotedFrom === undefined ? { records } : { records, unclosedQuoteLine: quotedFrom };
}
