import { z } from 'zod';
import type { Verdict } from '../integ/expected-compliance';

/** The acceptance test's CDK app. */
export const INTEG_APP = 'integ/integ.cloudtrail-rule.ts';

/** The stack the assertions deploy in, and whose outputs hold their results. */
export const ASSERTION_STACK = 'CloudTrailRuleIntegAssertions';

/**
 * The project's own CDK CLI (aws-cdk in devDependencies) with these
 * arguments: `npm exec --no` never fetches a package from the registry.
 */
export function cdk(args: readonly string[]): [string, string[]] {
  return ['npm', ['exec', '--no', '--', 'cdk', ...args]];
}

/**
 * Synthesizes the test app into `outdir`, as `cdk synth` runs any app:
 * cdk.json's context, the CLI's own switches, the assembly exactly as
 * aws-cdk-lib writes it. Without the construct paths and asset paths the
 * CLI would add to each resource's metadata, so that the stack's template
 * is the one the tests build in-process and compare with it.
 */
export function synthArgs(outdir: string): string[] {
  return [
    'synth',
    '--app',
    `npx tsx ${INTEG_APP}`,
    '--output',
    outdir,
    '--no-path-metadata',
    '--no-asset-metadata',
    '--quiet',
  ];
}

/** The committed snapshot: the test app's assembly, synthesized without a verdict. */
export const SNAPSHOT_DIRECTORY = 'integ/integ.cloudtrail-rule.ts.snapshot';

/**
 * The base of every error the acceptance test's script raises on purpose: its
 * message says what to do, and the script writes it as it is. Any other
 * error is a defect, shown with its stack.
 */
export abstract class IntegError extends Error {}

export class IntegUsageError extends IntegError {
  override readonly name = 'IntegUsageError';
}

export class CliVerdictError extends IntegError {
  override readonly name = 'CliVerdictError';
}

export interface RunOptions {
  region: string;
  profile?: string;
  /** Destroy the stacks afterwards (the default); `--no-clean` keeps them for debugging. */
  clean: boolean;
  /** Repetitions of the CDK CLI's `-v`. */
  verbosity: number;
}

export const RUN_USAGE =
  'Usage: npm run integ -- [--profile NAME] [--region REGION] [--no-clean] [-v]\n' +
  'Deploys the stack into the account of these credentials, asserts, and destroys it. ' +
  'The Region is --region, else AWS_REGION, else AWS_DEFAULT_REGION.';

/**
 * The options of `npm run integ`, from its arguments and the environment.
 *
 * @example parseRunArgs(['--profile', 'sandbox'], { AWS_REGION: 'eu-west-1' }) // => { region: 'eu-west-1', profile: 'sandbox', clean: true, verbosity: 0 }
 */
export function parseRunArgs(args: string[], env: Record<string, string | undefined>): RunOptions {
  let region: string | undefined;
  let profile: string | undefined;
  let clean = true;
  let verbosity = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--region' || arg === '--profile') {
      const value = args[++i];
      if (value === undefined || value === '' || value.startsWith('-')) {
        throw new IntegUsageError(`${arg} needs a value.\n${RUN_USAGE}`);
      }
      if (arg === '--region') region = value;
      else profile = value;
    } else if (arg === '--no-clean') {
      clean = false;
    } else if (/^-v+$/.test(arg)) {
      verbosity += arg.length - 1;
    } else {
      throw new IntegUsageError(`Unknown argument "${arg}".\n${RUN_USAGE}`);
    }
  }
  region ??= nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (region === undefined) {
    throw new IntegUsageError(
      `No AWS Region: pass --region (for example --region eu-west-1) or set AWS_REGION.\n${RUN_USAGE}`,
    );
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new IntegUsageError(
      `"${region}" is not an AWS Region name: give one such as eu-west-1 or us-east-1.`,
    );
  }
  return { region, ...(profile !== undefined ? { profile } : {}), clean, verbosity };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The CLI command that gives the expected verdict: the same account and Region, the same credentials. */
export function cliArgs(options: RunOptions): string[] {
  return [
    'bin/cloudtrail-rule.cjs',
    'evaluate',
    '--json',
    '--region',
    options.region,
    ...(options.profile !== undefined ? ['--profile', options.profile] : []),
  ];
}

/** The CDK CLI's arguments that choose the credentials and how much it says. */
function credentialAndVerbosity(options: RunOptions): string[] {
  return [
    ...(options.profile !== undefined ? ['--profile', options.profile] : []),
    ...Array.from({ length: options.verbosity }, () => '-v'),
  ];
}

/**
 * Deploys the assembly synthesized in `assembly` (the stack, then the
 * assertion stack, whose custom resources run the assertions), without a
 * question, and writes the stacks' outputs, where the assertions' results
 * are, to `outputsFile`. The Region is the environment's AWS_REGION, which
 * the script sets.
 */
export function deployArgs(options: RunOptions, assembly: string, outputsFile: string): string[] {
  return [
    'deploy',
    '--app',
    assembly,
    '--all',
    '--require-approval',
    'never',
    '--outputs-file',
    outputsFile,
    ...credentialAndVerbosity(options),
  ];
}

/** Deletes both stacks of the assembly (the assertion stack first, as it depends on the other), without a question. */
export function destroyArgs(options: RunOptions, assembly: string): string[] {
  return ['destroy', '--app', assembly, '--all', '--force', ...credentialAndVerbosity(options)];
}

export class AssertionFailedError extends IntegError {
  override readonly name = 'AssertionFailedError';
}

const assertionResult = z.object({
  status: z.enum(['success', 'fail']),
  message: z.string().optional(),
});

/**
 * The assertions' results, from the outputs `cdk deploy --outputs-file`
 * wrote: integ-tests gives each assertion an output `AssertionResults…` on
 * the assertion stack, `{"status":"success"}` or `{"status":"fail",
 * "message":…}`; an assertion that polls fails the deployment itself when it
 * times out. `expected` are the output names the assertion stack's template
 * declares: each must be there and say success.
 *
 * @example assertionResults({ Stack: { AssertionResultsX: '{"status":"success"}' } }, 'Stack', ['AssertionResultsX']) // => ['AssertionResultsX']
 */
export function assertionResults(
  outputs: unknown,
  stackName: string,
  expected: readonly string[],
): string[] {
  if (expected.length === 0) {
    throw new AssertionFailedError(
      `The assertion stack ${stackName} declares no assertion result.`,
    );
  }
  const stack = (outputs as Record<string, Record<string, unknown> | undefined> | null)?.[
    stackName
  ];
  const problems: string[] = [];
  for (const name of expected) {
    const value = stack?.[name];
    if (typeof value !== 'string') {
      problems.push(`${name}: no result (the stack has no such output)`);
      continue;
    }
    let parsed: z.infer<typeof assertionResult>;
    try {
      parsed = assertionResult.parse(JSON.parse(value));
    } catch {
      problems.push(`${name}: not an assertion result: ${value.slice(0, 200)}`);
      continue;
    }
    if (parsed.status === 'fail')
      problems.push(`${name}: failed: ${parsed.message ?? '(no message)'}`);
  }
  if (problems.length > 0) {
    throw new AssertionFailedError(
      `${problems.length} of ${expected.length} assertions did not pass:\n${problems.join('\n')}`,
    );
  }
  return [...expected];
}

/** The names of the assertion results a template declares among its outputs. */
export function declaredAssertionResults(template: unknown): string[] {
  const outputs = (template as { Outputs?: Record<string, unknown> } | null)?.Outputs ?? {};
  return Object.keys(outputs).filter((name) => name.startsWith('AssertionResults'));
}

const cliOutput = z.object({
  compliance: z.string(),
  accountId: z.string(),
  region: z.string(),
});

/**
 * The verdict of `cloudtrail-rule evaluate --json`, from its exit status
 * (0 COMPLIANT, 1 NON_COMPLIANT, 2 error) and its output, which must agree.
 * An error or an undecided account has no verdict to compare with: it is
 * thrown with what the CLI said.
 */
export function verdictFromCli(result: { status: number | null; stdout: string; stderr: string }): {
  verdict: Verdict;
  accountId: string;
  region: string;
} {
  const expected = result.status === 0 ? 'COMPLIANT' : result.status === 1 ? 'NON_COMPLIANT' : null;
  if (expected === null) {
    throw new CliVerdictError(
      `The CLI gave no verdict (exit status ${result.status}), so there is nothing to compare the rule with. ${noVerdictReason(result)}`,
    );
  }
  let parsed: z.infer<typeof cliOutput>;
  try {
    parsed = cliOutput.parse(JSON.parse(result.stdout));
  } catch (error) {
    throw new CliVerdictError(
      `The CLI's --json output could not be read (${error instanceof Error ? error.message : String(error)}): ${result.stdout.slice(0, 200)}`,
    );
  }
  if (parsed.compliance !== expected) {
    throw new CliVerdictError(
      `The CLI exited with status ${result.status} (${expected}) but printed compliance ${parsed.compliance}.`,
    );
  }
  return { verdict: expected, accountId: parsed.accountId, region: parsed.region };
}

const undecidedOutput = z.object({ compliance: z.string(), reason: z.string() });

/** What the CLI said instead of a verdict: an undecided account's reason (--json), else its error output. */
function noVerdictReason(result: { stdout: string; stderr: string }): string {
  try {
    const undecided = undecidedOutput.parse(JSON.parse(result.stdout));
    return `It says ${undecided.compliance}: ${undecided.reason}`;
  } catch {
    return result.stderr.trim() || result.stdout.trim().slice(0, 500);
  }
}
