/** Text on one line: AWS error messages can span several, which would break a row apart. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
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
  const widths = headers.map((_, column) =>
    Math.max(...all.map((row) => (row[column] ?? '').length)),
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
