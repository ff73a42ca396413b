/**
 * Comma-separated values as RFC 4180 defines them
 * (https://www.rfc-editor.org/rfc/rfc4180): CRLF after every record, and a
 * field in double quotes, its quotes doubled, when it holds a comma, a
 * quote, a CR or an LF. A field that starts as a formula would is
 * neutralised with a leading `'` (see {@link csvField}).
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
 * What a spreadsheet reads as the start of a formula: `=`, `+`, `-`, `@`,
 * a tab or a CR (OWASP, CSV injection:
 * https://owasp.org/www-community/attacks/CSV_Injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One field, quoted only when it must be. A field a spreadsheet would take
 * for a formula gets a leading `'`, so it shows as text: account names come
 * from Organizations, and a member account's administrator can set them.
 */
export function csvField(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
