/** Text on one line: AWS error messages can span several, which would break a row apart. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
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
