/** Characters of the bar itself. */
const BAR_WIDTH = 30;

/**
 * A progress bar for a status line: how many accounts are done of how many.
 *
 * @example
 * progressBar(5, 20) // => '[#######.......................] 5/20 accounts'
 */
export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total === 0 ? width : Math.floor((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${total === 1 ? 'account' : 'accounts'}`;
}
