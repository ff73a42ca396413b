import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { StackError } from '../stack/errors';
import { parseOptions } from '../stack/options';
import { parseRolloutOptions } from '../stack/rollout-options';
import {
  guardRailPolicies,
  guardRailPolicyText,
  MAX_POLICY_CHARACTERS,
  type NamedGuardRailPolicy,
  policyCharacters,
} from '../stack/service-control-policy';
import { contextArgs } from './context-args';

/*
 * `npm run scp [-- -c name=value ...] [--out file]`: writes the example
 * service control policies for the rule name, StackSet name and KMS key the
 * rollout uses (cdk.json's context, then `-c`), by default to
 * org/guard-rails.scp.json and org/guard-rails-resources.scp.json, the
 * examples the repository keeps. `--out` names the first file; the second
 * is written beside it, its name ending in `-resources` before the extension.
 */

const ROOT = resolve(__dirname, '..');
export const EXAMPLE_POLICY = join(ROOT, 'org', 'guard-rails.scp.json');

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
  const parsed = contextArgs(args, EXAMPLE_POLICY);
  if ('problem' in parsed) return usage(parsed.problem);
  const { context, out } = parsed;

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
  const files = policyFiles(out, policies);
  mkdirSync(dirname(out), { recursive: true });
  policies.forEach(({ policy }, i) => {
    const file = files[i] ?? out;
    writeFileSync(file, guardRailPolicyText(policy));
    console.log(
      `Wrote ${relative(process.cwd(), file)} (${policyCharacters(policy)} characters, of ${MAX_POLICY_CHARACTERS}).`,
    );
  });
  return 0;
}

function usage(problem: string): number {
  console.error(`${problem}\nUsage: npm run scp -- [-c name=value ...] [--out file]`);
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
