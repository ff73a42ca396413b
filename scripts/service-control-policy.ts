import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { StackError } from '../stack/errors';
import { parseOptions } from '../stack/options';
import { parseRolloutOptions } from '../stack/rollout-options';
import {
  guardRailPolicy,
  guardRailPolicyText,
  MAX_POLICY_CHARACTERS,
  policyCharacters,
} from '../stack/service-control-policy';
import { contextArgs } from './context-args';

/*
 * `npm run scp [-- -c name=value ...] [--out file]`: writes the example
 * service control policy for the rule name and StackSet name the rollout
 * uses (cdk.json's context, then `-c`), by default to
 * org/guard-rails.scp.json, the example the repository keeps.
 */

const ROOT = resolve(__dirname, '..');
export const EXAMPLE_POLICY = join(ROOT, 'org', 'guard-rails.scp.json');

/** Runs the command; returns the exit status. */
export function main(args: string[]): number {
  const parsed = contextArgs(args, EXAMPLE_POLICY);
  if ('problem' in parsed) return usage(parsed.problem);
  const { context, out } = parsed;

  let policy: ReturnType<typeof guardRailPolicy>;
  try {
    const lookup = (name: string) => context[name];
    const { ruleName } = parseOptions(lookup, Object.keys(context));
    const { stackSetName } = parseRolloutOptions(lookup, ruleName, Object.keys(context));
    policy = guardRailPolicy({ ruleName, stackSetName });
  } catch (error) {
    if (error instanceof StackError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const characters = policyCharacters(policy);
  if (characters > MAX_POLICY_CHARACTERS) {
    console.error(
      `The policy is ${characters} characters; AWS Organizations accepts at most ${MAX_POLICY_CHARACTERS}.`,
    );
    return 1;
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, guardRailPolicyText(policy));
  console.log(
    `Wrote ${relative(process.cwd(), out)} (${characters} characters, of ${MAX_POLICY_CHARACTERS}).`,
  );
  return 0;
}

function usage(problem: string): number {
  console.error(`${problem}\nUsage: npm run scp -- [-c name=value ...] [--out file]`);
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
