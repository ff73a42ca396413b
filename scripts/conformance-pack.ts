import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { conformancePackYaml, MAX_TEMPLATE_BYTES } from '../stack/conformance-pack';
import { InvalidOptionError, parseOptions } from '../stack/options';
import { contextArgs } from './context-args';

/*
 * `npm run conformance-pack [-- -c name=value ...] [--out file]`: writes the
 * conformance pack template (default dist/conformance-pack.yaml) from the
 * same options as the stack: cdk.json's context, then `-c name=value`, read
 * by the same parser, so a bad value fails here exactly as it fails a synth.
 */

const ROOT = resolve(__dirname, '..');

/** Runs the command; returns the exit status. */
export function main(args: string[]): number {
  const parsed = contextArgs(args, join(ROOT, 'dist', 'conformance-pack.yaml'));
  if ('problem' in parsed) return usage(parsed.problem);
  const { context, out } = parsed;

  let yaml: string;
  try {
    yaml = conformancePackYaml(parseOptions((name) => context[name], Object.keys(context)));
  } catch (error) {
    if (error instanceof InvalidOptionError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const bytes = Buffer.byteLength(yaml);
  if (bytes > MAX_TEMPLATE_BYTES) {
    console.error(`The pack is ${bytes} bytes; AWS Config accepts at most ${MAX_TEMPLATE_BYTES}.`);
    return 1;
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, yaml);
  console.log(`Wrote ${relative(process.cwd(), out)} (${bytes} bytes).`);
  return 0;
}

function usage(problem: string): number {
  console.error(
    `${problem}\nUsage: npm run conformance-pack -- [-c name=value ...] [--out file]\nOptions are the stack's CDK context options (see the README).`,
  );
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
