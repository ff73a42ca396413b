/**
 * Errors the command line raises on purpose. Like the rule's errors, each
 * message says what is wrong and what to change: it is the one line a person
 * sees on stderr.
 */

/**
 * The base of every error the command line raises on purpose (these, and
 * `PlanChangedError` in `commands/remediate.ts`). `main` writes the message
 * of this class, of `RuleError` and of `RemediationError` as it is; any
 * other error is a defect, shown with its type.
 */
export abstract class CliError extends Error {}

/** The command line itself is wrong: an unknown command or option, or a missing value. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
}

/** A call to AWS failed (after the SDK's retries) before the trail state was known. */
export class AwsReadError extends CliError {
  override readonly name = 'AwsReadError';
}

/** A file the command line was told to write cannot or may not be written (it exists, or is a link). */
export class OutputFileError extends CliError {
  override readonly name = 'OutputFileError';
}

/** An `--accounts` file cannot be read or is not a list of account IDs. */
export class InvalidAccountsFileError extends CliError {
  override readonly name = 'InvalidAccountsFileError';
}
