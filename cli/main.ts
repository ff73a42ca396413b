import { RemediationError } from '../remediation/errors';
import { RuleError } from '../rule/errors';
import { messageIn } from '../rule/wording';
import { type Command, parseCommandLine } from './args';
import { checkEndpointVariables } from './aws-errors';
import { evaluateCommand } from './commands/evaluate';
import { evaluateOrganizationCommand } from './commands/evaluate-organization';
import { examplesCommand } from './commands/examples';
import { remediateCommand } from './commands/remediate';
import { snapshotCommand } from './commands/snapshot';
import { CliError } from './errors';
import { commandUsage, USAGE } from './help';
import { EXIT, type ExitCode, escapingIo, type Io, processIo } from './io';
import { projectVersion } from './project';
import { oneLine } from './table';
import { CLI_WORDING } from './wording';

/**
 * The `cloudtrail-rule` command line: parses the arguments (without the
 * program name), runs the command, and returns the exit status. Every error
 * becomes one line on stderr and status 2. Whatever the command writes has
 * its control characters escaped (see {@link escapingIo}).
 *
 * @example
 * await main(['evaluate', '--snapshot', 'examples/no-trails.json']) // => 1
 */
export async function main(argv: readonly string[], streams: Io = processIo): Promise<ExitCode> {
  const io = escapingIo(streams);
  try {
    return await run(parseCommandLine(argv), io);
  } catch (error) {
    io.err(`cloudtrail-rule: ${errorLine(error)}\n`);
    return EXIT.error;
  }
}

function run(command: Command, io: Io): Promise<ExitCode> {
  if (callsAws(command)) checkEndpointVariables();
  switch (command.name) {
    case 'help':
      io.out(command.topic === undefined ? USAGE : commandUsage(command.topic));
      return Promise.resolve(EXIT.compliant);
    case 'version':
      io.out(`${projectVersion()}\n`);
      return Promise.resolve(EXIT.compliant);
    case 'evaluate':
      return evaluateCommand(command, io);
    case 'evaluate-organization':
      return evaluateOrganizationCommand(command, io);
    case 'snapshot':
      return snapshotCommand(command, io);
    case 'examples':
      return examplesCommand(command, io);
    case 'remediate':
      return remediateCommand(command, io);
  }
}

/** Whether the command reads or changes a live account (and so reads the endpoint variables). */
function callsAws(command: Command): boolean {
  switch (command.name) {
    case 'evaluate':
      return 'live' in command.source;
    case 'remediate':
      return command.mode === 'apply' || 'live' in command.source;
    case 'evaluate-organization':
    case 'snapshot':
      return true;
    default:
      return false;
  }
}

/**
 * Errors whose message is written for the user: every error the command
 * line, the rule and the remediation raise on purpose extends one of these.
 * Anything else also shows its type.
 */
const EXPECTED_ERRORS = [CliError, RuleError, RemediationError];

function errorLine(error: unknown): string {
  const message = !(error instanceof Error)
    ? String(error)
    : EXPECTED_ERRORS.some((type) => error instanceof type)
      ? messageIn(error, CLI_WORDING)
      : `${error.name}: ${error.message}`;
  return oneLine(message);
}

/** Runs as the process: arguments from `process.argv`, exit status to `process.exitCode`. */
export async function runProcess(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2));
}

if (require.main === module) void runProcess();
