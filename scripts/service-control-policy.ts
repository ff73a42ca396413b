import { resolve } from 'node:path';
import { StackError } from '../stack/errors';
import { DEFAULT_RULE_NAME, parseOptions } from '../stack/options';
import { parseRolloutOptions } from '../stack/rollout-options';
import {
  type GuardRailPolicy,
  guardRailPolicy,
  guardRailPolicyText,
  MAX_POLICY_CHARACTERS,
  policyCharacters,
} from '../stack/service-control-policy';
import { contextArgs, wantsHelp } from './context-args';
import { outputPath, outputProblem, writeOutput } from './output-file';

/*
 * `npm run scp [-- -c name=value ...] [--out file] [--force]`: writes the
 * example service control policy for the rule name and StackSet name the
 * rollout uses (cdk.json's context, then `-c`), by default to
 * dist/guard-rails.scp.json. It never writes a file the repository keeps:
 * `npm run scp:example` (`--example`) rewrites org/guard-rails.scp.json, the
 * policy for the default names, and a test checks that the file is what it
 * writes.
 */

const DEFAULT_OUT = 'dist/guard-rails.scp.json';
/** The example the repository keeps, relative to the project's root. */
const EXAMPLE = 'org/guard-rails.scp.json';
export const EXAMPLE_POLICY = resolve(__dirname, '..', EXAMPLE);

const USAGE = [
  'Usage: npm run scp -- [-c name=value ...] [--out FILE] [--force]',
  '       npm run scp:example',
  '  -c name=value  a CDK context option: ruleName and stackSetName name what the policy protects',
  `  --out FILE     where to write the policy (default ${DEFAULT_OUT}); its directory must exist`,
  '  --force        replace FILE if it exists',
  `  --example      rewrite ${EXAMPLE}, the example for the default names (npm run scp:example)`,
  '  --help         this help',
].join('\n');

/** The example policy the repository keeps: the one for the default rule and StackSet names. */
export function examplePolicyText(): string {
  return guardRailPolicyText(
    guardRailPolicy({ ruleName: DEFAULT_RULE_NAME, stackSetName: DEFAULT_RULE_NAME }),
  );
}

/** Runs the command; returns the exit status. */
export function main(args: string[]): number {
  if (wantsHelp(args)) {
    console.log(USAGE);
    return 0;
  }
  if (args.includes('--example')) {
    if (args.length > 1) return usage('--example takes no other argument');
    return write(outputPath(undefined, EXAMPLE), examplePolicyText(), true);
  }
  const parsed = contextArgs(args, DEFAULT_OUT);
  if ('problem' in parsed) return usage(parsed.problem);
  const { context, out, force } = parsed;
  // Before building anything: a file that may not be replaced, or a missing directory.
  const refused = outputProblem(out, force);
  if (refused !== undefined) {
    console.error(refused);
    return 2;
  }

  let policy: GuardRailPolicy;
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
  return write(out, guardRailPolicyText(policy), force);
}

function write(out: ReturnType<typeof outputPath>, text: string, force: boolean): number {
  const problem = writeOutput(out, text, force);
  if (problem !== undefined) {
    console.error(problem);
    return 2;
  }
  console.log(`Wrote ${out.shown} (${text.length} characters, of ${MAX_POLICY_CHARACTERS}).`);
  return 0;
}

function usage(problem: string): number {
  console.error(`${problem}\n${USAGE}`);
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
