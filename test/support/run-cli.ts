import type { Io } from '../../cli/io';
import { main } from '../../cli/main';

/**
 * Runs the CLI in-process, as `cloudtrail-rule <argv>` would, and collects
 * what it writes to stdout and stderr. `io` gives it what else a test needs
 * of its surroundings: stdin, a terminal's status line, answers, a clock.
 */
export async function runCli(
  argv: readonly string[],
  io: Omit<Io, 'out' | 'err'> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    ...io,
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}
