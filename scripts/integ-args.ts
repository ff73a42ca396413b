import { z } from 'zod';
import type { Verdict } from '../integ/expected-compliance';

/**
 * How integ-runner finds and runs the acceptance test: the test apps are
 * `integ/integ.*.ts`, run by tsx (integ-runner's TypeScript preset would use
 * ts-node, which this project does not have).
 */
export const INTEG_RUNNER_BASE_ARGS = [
  '--directory',
  'integ',
  '--language',
  'typescript',
  '--app',
  'npx tsx {filePath}',
] as const;

/** The snapshot directory integ-runner keeps beside the test app. */
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
  /** Destroy the stacks afterwards (integ-runner's default); `--no-clean` keeps them for debugging. */
  clean: boolean;
  /** Repetitions of integ-runner's `-v`. */
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

/**
 * integ-runner's arguments for the real run. `--force`: deploy although the
 * snapshot is unchanged (without it integ-runner deploys only a test whose
 * snapshot differs).
 */
export function deployArgs(options: RunOptions): string[] {
  return [
    ...INTEG_RUNNER_BASE_ARGS,
    '--force',
    '--no-update-workflow',
    '--parallel-regions',
    options.region,
    ...(options.profile !== undefined ? ['--profiles', options.profile] : []),
    ...(options.clean ? [] : ['--no-clean']),
    ...Array.from({ length: options.verbosity }, () => '-v'),
  ];
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
