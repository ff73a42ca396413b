import { examplesCommand } from '../../../cli/commands/examples';
import { PlanChangedError } from '../../../cli/commands/remediate';
import {
  AwsReadError,
  CliError,
  InvalidAccountsFileError,
  OutputFileError,
  UsageError,
} from '../../../cli/errors';
import {
  AccountMismatchError,
  BucketNotOwnedError,
  InvalidRemediationInputError,
  KmsKeyError,
  PolicyMergeError,
  PublicBucketPolicyError,
  RemediationError,
  RemediationStepError,
  TrailNotRepairableError,
  UndecidedAccountError,
  UnsupportedRequirementError,
  VerificationFailedError,
} from '../../../remediation/errors';
import { InvalidParameterError, InvalidSnapshotError, RuleError } from '../../../rule/errors';
import { InvalidOptionError } from '../../../stack/errors';
import { runCli } from '../../support/run-cli';

/*
 * How `main` reports an error a command throws: always exit status 2 and one
 * line on stderr; the message alone for an error raised on purpose (one of
 * the command line's, the rule's or the remediation's), the type and the
 * message for anything else, which is a defect. A command is replaced by
 * one that throws the error under test.
 */
jest.mock('../../../cli/commands/examples', () => ({ examplesCommand: jest.fn() }));

/** What `cloudtrail-rule examples` does when the command throws `error`. */
function runThrowing(error: unknown) {
  jest.mocked(examplesCommand).mockRejectedValueOnce(error);
  return runCli(['examples']);
}

type ErrorClass = new (message: string) => Error;

/** The classes `main` listed one by one before the base classes, each written as its message. */
const LISTED_BEFORE: ErrorClass[] = [
  UsageError,
  AwsReadError,
  InvalidParameterError,
  InvalidSnapshotError,
  OutputFileError,
  InvalidAccountsFileError,
  InvalidRemediationInputError,
  AccountMismatchError,
  BucketNotOwnedError,
  KmsKeyError,
  TrailNotRepairableError,
  PolicyMergeError,
  PublicBucketPolicyError,
  RemediationStepError,
  VerificationFailedError,
  PlanChangedError,
  UndecidedAccountError,
  UnsupportedRequirementError,
];

describe('cloudtrail-rule error line and exit status', () => {
  it.each(LISTED_BEFORE.map((type) => [type.name, type] as const))(
    'writes the message of %s alone and exits 2',
    async (_name, type) => {
      const result = await runThrowing(new type('The thing is wrong: give another.'));

      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: 'cloudtrail-rule: The thing is wrong: give another.\n',
      });
    },
  );

  it.each([
    [
      'CliError',
      class NewCliError extends CliError {
        override readonly name = 'NewCliError';
      },
    ],
    [
      'RuleError',
      class NewRuleError extends RuleError {
        override readonly name = 'NewRuleError';
      },
    ],
    [
      'RemediationError',
      class NewRemediationError extends RemediationError {
        override readonly name = 'NewRemediationError';
      },
    ],
  ])('writes the message alone, exit 2, for a new subclass of %s', async (_base, NewError) => {
    const result = await runThrowing(new NewError('Something new went wrong: do this.'));

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'cloudtrail-rule: Something new went wrong: do this.\n',
    });
  });

  it.each([
    ['a TypeError', new TypeError('x is undefined'), 'TypeError: x is undefined'],
    ['a plain Error', new Error('unreachable'), 'Error: unreachable'],
    [
      "the stack's InvalidOptionError, which the command line never raises",
      new InvalidOptionError('bad option'),
      'InvalidOptionError: bad option',
    ],
  ])('writes the type and the message of %s and exits 2', async (_what, error, line) => {
    const result = await runThrowing(error);

    expect(result).toEqual({ code: 2, stdout: '', stderr: `cloudtrail-rule: ${line}\n` });
  });

  it('writes a thrown value that is not an Error as text and exits 2', async () => {
    const result = await runThrowing('socket hang up');

    expect(result).toEqual({ code: 2, stdout: '', stderr: 'cloudtrail-rule: socket hang up\n' });
  });

  it('writes a message of several lines as one line', async () => {
    const result = await runThrowing(new UsageError('Unknown option --x.\nSee --help.'));

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'cloudtrail-rule: Unknown option --x. See --help.\n',
    });
  });
});
