/**
 * The base of every error the deployment code raises on purpose (this file's,
 * and `InvalidPackTargetError` in `conformance-pack.ts`): bad input, with a
 * message that says what to change. Any other error from `stack/` is a
 * defect.
 */
export abstract class StackError extends Error {}

/** A context option has a value the deployment does not accept. */
export class InvalidOptionError extends StackError {
  override readonly name = 'InvalidOptionError';
}
