import { StackError } from '../stack/errors';
import { memberTemplate, memberTemplateText } from '../stack/member-template';
import { contextArgs, wantsHelp } from './context-args';
import { outputProblem, writeOutput } from './output-file';

/*
 * `npm run synth:member [-- -c name=value ...] [--out file] [--force]`:
 * writes the member template (default dist/member.template.json) for
 * StackSets or plain CloudFormation. Options (cdk.json's context, then
 * `-c`) set the defaults of the template's parameters, read by the stack's
 * own parser. Nothing is written unless every argument is valid, and an
 * existing file only with --force.
 */

const DEFAULT_OUT = 'dist/member.template.json';

const USAGE = [
  'Usage: npm run synth:member -- [-c name=value ...] [--out FILE] [--force]',
  "  -c name=value  a CDK context option of the stack (see docs/deployment.md): it becomes its parameter's default",
  `  --out FILE     where to write the template (default ${DEFAULT_OUT}); its directory must exist`,
  '  --force        replace FILE if it exists',
  '  --help         this help',
].join('\n');

/** Runs the command; returns the exit status. */
export function main(args: string[]): number {
  if (wantsHelp(args)) {
    console.log(USAGE);
    return 0;
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
  const problem = writeOutput(out, text, force);
  if (problem !== undefined) {
    console.error(problem);
    return 2;
  }
  console.log(`Wrote ${out.shown} (${Buffer.byteLength(text)} bytes).`);
  return 0;
}

function usage(problem: string): number {
  console.error(`${problem}\n${USAGE}`);
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
