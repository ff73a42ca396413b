import { functionMessage, type Worded, type WordedError } from '../rule/wording';

/**
 * Errors the remediation raises on purpose. Each message says what is wrong
 * and what to change: it is what a person sees in the Automation execution,
 * the Config console or the CLI. None of them is raised after a write call
 * except {@link RemediationStepError}, {@link ConcurrentChangeError} and
 * {@link VerificationFailedError},
 * and a rerun repairs whatever state those leave.
 */

/**
 * The base of every error the remediation raises on purpose (these, and
 * `SelectorRepairError` in `selectors.ts`). A caller that shows these
 * messages to a person as they are (the command line) catches this class
 * rather than a list of its subclasses; any other error is a defect, shown
 * with its type.
 */
export abstract class RemediationError extends Error implements WordedError {
  /** The message for every reader, when it names a role or an input (see `rule/wording.ts`). */
  readonly worded?: Worded;

  /** `message` in the function's words when it is {@link Worded}. */
  constructor(message: string | Worded, options?: ErrorOptions) {
    super(functionMessage(message), options);
    if (typeof message !== 'string') this.worded = message;
  }
}

/** The function's input is not what the SSM document or the CLI should send. */
export class InvalidRemediationInputError extends RemediationError {
  override readonly name = 'InvalidRemediationInputError';
}

/** The account to remediate is not the account the function runs in. */
export class AccountMismatchError extends RemediationError {
  override readonly name = 'AccountMismatchError';
}

/** The log bucket exists and belongs to someone else (or cannot be read). */
export class BucketNotOwnedError extends RemediationError {
  override readonly name = 'BucketNotOwnedError';
}

/** The KMS key given for a new trail cannot be used for it. */
export class KmsKeyError extends RemediationError {
  override readonly name = 'KmsKeyError';
}

/** The trail named for repair cannot be repaired (another account's, or unreadable). */
export class TrailNotRepairableError extends RemediationError {
  override readonly name = 'TrailNotRepairableError';
}

/**
 * The remediation cannot safely decide what to change: a trail that may
 * already pass, or could be repaired, could not be read.
 */
export class UndecidedAccountError extends RemediationError {
  override readonly name = 'UndecidedAccountError';
}

/** The rule requires something the remediation does not set up (SNS or CloudWatch Logs delivery). */
export class UnsupportedRequirementError extends RemediationError {
  override readonly name = 'UnsupportedRequirementError';
}

/** An existing policy document is not JSON the remediation can merge into. */
export class PolicyMergeError extends RemediationError {
  override readonly name = 'PolicyMergeError';
}

/**
 * The policy of the existing log bucket is public as S3 judges it: with
 * Block Public Access on, S3 would refuse the merged policy halfway through
 * the run, and trail logs must not be public anyway.
 */
export class PublicBucketPolicyError extends RemediationError {
  override readonly name = 'PublicBucketPolicyError';
}

/**
 * An existing log bucket or KMS key lets in someone outside the account and
 * the trusted log accounts: a trail delivering there would hand them every
 * Region's events. The message names each grant.
 */
export class OutsideAccessError extends RemediationError {
  override readonly name = 'OutsideAccessError';
}

/** A write call failed; the message names the step. */
export class RemediationStepError extends RemediationError {
  override readonly name: string = 'RemediationStepError';
}

/**
 * A step was not made: what it rewrites (a policy, the event selectors, the
 * tags, the lifecycle rules) changed between the plan and the write, and
 * writing the planned value would revert that change. The message names
 * the step and the change; a rerun plans from the new value.
 */
export class ConcurrentChangeError extends RemediationStepError {
  override readonly name = 'ConcurrentChangeError';
}

/** After the change, a fresh read still does not pass CloudTrail.1. */
export class VerificationFailedError extends RemediationError {
  override readonly name = 'VerificationFailedError';
}
