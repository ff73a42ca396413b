import { cdkJsonContext } from '../stack/build-app';
import { type OutputPath, outputPath } from './output-file';

/**
 * The arguments every template-writing script takes, as `cdk synth` does:
 * `-c name=value` (or `--context`) on top of cdk.json's context, `--out
 * file` and `--force`. Gives the context, the output path and whether it
 * may be replaced, or what is wrong.
 */
export function contextArgs(
  args: string[],
  defaultOut: string,
): { context: Record<string, unknown>; out: OutputPath; force: boolean } | { problem: string } {
  const context: Record<string, unknown> = { ...cdkJsonContext() };
  let out: string | undefined;
  let force = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-c' || arg === '--context') {
      const pair = args[++i] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) return { problem: `"${arg} ${pair}" is not name=value` };
      context[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else if (arg === '--out') {
      const value = args[++i];
      if (value === undefined || value === '') return { problem: '--out needs a file: --out FILE' };
      out = value;
    } else if (arg === '--force') {
      force = true;
    } else {
      return { problem: `unknown argument "${arg}"` };
    }
  }
  return { context, out: outputPath(out, defaultOut), force };
}

/** The arguments that take a value after them: skipped when looking for --help. */
const WITH_VALUE = new Set(['-c', '--context', '--out']);

/** Whether `--help` (or `-h`) is among the arguments, other than as a value. */
export function wantsHelp(args: string[], withValue: Iterable<string> = []): boolean {
  const skip = new Set([...WITH_VALUE, ...withValue]);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--help' || arg === '-h') return true;
    if (skip.has(arg)) i++;
  }
  return false;
}
