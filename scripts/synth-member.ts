import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { StackError } from '../stack/errors';
import { memberTemplate, memberTemplateText } from '../stack/member-template';
import { contextArgs } from './context-args';

/*
 * `npm run synth:member [-- -c name=value ...] [--out file]`: writes the
 * member template (default dist/member.template.json) for StackSets or plain
 * CloudFormation. Options (cdk.json's context, then `-c`) set the defaults
 * of the template's parameters, read by the stack's own parser.
 */

const ROOT = resolve(__dirname, '..');

/** Runs the command; returns the exit status. */
export function main(args: string[]): number {
  const parsed = contextArgs(args, join(ROOT, 'dist', 'member.template.json'));
  if ('problem' in parsed) return usage(parsed.problem);
  const { context, out } = parsed;

  let text: string;
  try {
    text = memberTemplateText(memberTemplate(context));
  } catch (error) {
    if (error instanceof StackError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  console.log(`Wrote ${relative(process.cwd(), out)} (${Buffer.byteLength(text)} bytes).`);
  return 0;
}

function usage(problem: string): number {
  console.error(
    `${problem}\nUsage: npm run synth:member -- [-c name=value ...] [--out file]\nOptions are the stack's CDK context options (see docs/deployment.md); they become the parameters' defaults.`,
  );
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
