/**
 * Comma-separated values as RFC 4180 defines them
 * (https://www.rfc-editor.org/rfc/rfc4180): CRLF after every record, and a
 * field in double quotes, its quotes doubled, when it holds a comma, a
 * quote, a CR or an LF.
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

/** One field, quoted only when it must be. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
