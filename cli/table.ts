import { escapeControlCharacters } from './control-characters';

/**
 * Text on one line, as a terminal should show it: a line break and the
 * spaces around it become one space (AWS error messages can span several
 * lines, which would break a row apart), and every other control character
 * is escaped ({@link escapeControlCharacters}), so a value from an account
 * or a snapshot cannot move the cursor or rewrite the line it is on.
 */
export function oneLine(text: string): string {
  return escapeControlCharacters(text.replace(/\s*\n\s*/g, ' '));
}

/** `1 trail`, `2 trails`, `0 trails`: a count and its noun, in the singular for one. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/**
 * Lays out rows as aligned columns separated by two spaces. The last column
 * is not padded, so a long explanation there does not widen the others.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const all = [headers, ...rows].map((row) => row.map(oneLine));
  // A loop, not Math.max(...lengths): spreading one argument per row overflows
  // the call stack for a table of hundreds of thousands of rows.
  const widths = headers.map((_, column) =>
    all.reduce((widest, row) => Math.max(widest, (row[column] ?? '').length), 0),
  );
  return all
    .map((row) =>
      headers
        .map((_, column) => {
          const cell = row[column] ?? '';
          return column === headers.length - 1 ? cell : cell.padEnd(widths[column] ?? 0);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
