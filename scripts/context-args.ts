import { resolve } from 'node:path';
import { cdkJsonContext } from '../stack/build-app';

/**
 * The arguments every template-writing command takes, as `cdk synth` does:
 * `-c name=value` (or `--context`) on top of cdk.json's context, and
 * `--out file`. Gives the context and the output path, or what is wrong.
 */
export function contextArgs(
  args: string[],
  defaultOut: string,
): { context: Record<string, unknown>; out: string } | { problem: string } {
  const context: Record<string, unknown> = { ...cdkJsonContext() };
  let out = defaultOut;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-c' || arg === '--context') {
      const pair = args[++i] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) return { problem: `"${arg} ${pair}" is not name=value` };
      context[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else if (arg === '--out') {
      out = resolve(args[++i] ?? '');
    } else {
      return { problem: `unknown argument "${arg}"` };
    }
  }
  return { context, out };
}
