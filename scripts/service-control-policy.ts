import { resolve } from 'node:path';
import { StackError } from '../stack/errors';
import { DEFAULT_RULE_NAME, parseOptions } from '../stack/options';
import { parseRolloutOptions } from '../stack/rollout-options';
import {
  guardRailPolicies,
  guardRailPolicyText,
  MAX_POLICY_CHARACTERS,
  type NamedGuardRailPolicy,
  policyCharacters,
} from '../stack/service-control-policy';
import { contextArgs, wantsHelp } from './context-args';
import { type OutputPath, outputPath, outputProblem, writeOutput } from './output-file';

/*
 * `npm run scp [-- -c name=value ...] [--out file] [--force]`: writes the
 * example service control policies for the rule name, StackSet name and KMS
 * key the rollout uses (cdk.json's context, then `-c`), by default to
 * dist/guard-rails.scp.json and dist/guard-rails-resources.scp.json.
 * `--out` names the first file; the second is written beside it, its name
 * ending in `-resources` before the extension. It never writes a file the
 * repository keeps: `npm run scp:example` (`--example`) rewrites the two
 * files in org/, the policies for the default names, and a test checks that
 * they are what it writes.
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
  `  --example      rewrite ${EXAMPLE} and the -resources file beside it, the examples for the default names (npm run scp:example)`,
  '  --help         this help',
].join('\n');

/** The example policies the repository keeps: the ones for the default rule and StackSet names. */
export function examplePolicies(): NamedGuardRailPolicy[] {
  return guardRailPolicies({ ruleName: DEFAULT_RULE_NAME, stackSetName: DEFAULT_RULE_NAME });
}

/** The text of the first example policy, org/guard-rails.scp.json. */
export function examplePolicyText(): string {
  const [first] = examplePolicies();
  if (first === undefined) throw new Error('guardRailPolicies returned no policy');
  return guardRailPolicyText(first.policy);
}

/** The file each policy is written to, for the first policy's file `out`. */
export function policyFiles(out: string, policies: NamedGuardRailPolicy[]): string[] {
  const [first] = policies;
  const extension = /(\.scp)?\.json$/.exec(out)?.[0] ?? '';
  const base = out.slice(0, out.length - extension.length);
  return policies.map((p) =>
    p === first ? out : `${base}${p.name.replace(first?.name ?? '', '')}${extension}`,
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
    return writeAll(outputPath(undefined, EXAMPLE), examplePolicies(), true);
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

  let policies: NamedGuardRailPolicy[];
  try {
    const lookup = (name: string) => context[name];
    const { ruleName, kmsKeyId } = parseOptions(lookup, Object.keys(context));
    const { stackSetName } = parseRolloutOptions(lookup, ruleName, Object.keys(context));
    policies = guardRailPolicies({
      ruleName,
      stackSetName,
      ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
    });
  } catch (error) {
    if (error instanceof StackError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  for (const { name, policy } of policies) {
    const characters = policyCharacters(policy);
    if (characters > MAX_POLICY_CHARACTERS) {
      console.error(
        `The policy ${name} is ${characters} characters; AWS Organizations accepts at most ${MAX_POLICY_CHARACTERS}.`,
      );
      return 1;
    }
  }
  return writeAll(out, policies, force);
}

/** Writes each policy to its file (the first to `out`), refusing before writing any. */
function writeAll(out: OutputPath, policies: NamedGuardRailPolicy[], force: boolean): number {
  const paths = policyFiles(out.path, policies);
  const shown = policyFiles(out.shown, policies);
  const outs: OutputPath[] = policies.map((_, i) => ({
    path: paths[i] ?? out.path,
    shown: shown[i] ?? out.shown,
    isDefault: out.isDefault,
  }));
  for (const each of outs) {
    const refused = outputProblem(each, force);
    if (refused !== undefined) {
      console.error(refused);
      return 2;
    }
  }
  for (const [i, { policy }] of policies.entries()) {
    const status = write(outs[i] ?? out, guardRailPolicyText(policy), force);
    if (status !== 0) return status;
  }
  return 0;
}

function write(out: OutputPath, text: string, force: boolean): number {
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
