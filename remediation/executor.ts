import {
  AddTagsCommand,
  type CloudTrailClient,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import { type KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type Action, type ActionOperation, describeCall } from './actions';
import { ConcurrentChangeError, RemediationStepError } from './errors';
import { logger } from './log';
import { changeSincePlan } from './reread';

/**
 * Runs a plan, step by step, each call in its Region. Stops at the first
 * failure with an error naming the step; every step is safe to repeat, and
 * the planner plans from a fresh read, so running again repairs whatever a
 * failure left. A step that rewrites something from a read (a policy, say)
 * reads it again first, and is not made if it changed since the plan
 * (`reread.ts`): the change is kept, never reverted.
 */

export interface ExecutorClients {
  cloudTrail: (region: string) => CloudTrailClient;
  s3: (region: string) => S3Client;
  kms: (region: string) => KMSClient;
}

export interface ExecuteOptions {
  /** Told before each step (the CLI prints it). */
  onStep?: (step: number, total: number, action: Action) => void;
  /** Waits between retries; tests pass one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts for the eventual-consistency errors below, first included. */
  attempts?: number;
  /** The first wait; it doubles on each retry. */
  baseDelayMs?: number;
}

/**
 * Errors CloudTrail raises for a short while after a bucket or key policy
 * changed, before the new policy is visible to it: worth waiting for.
 */
export const EVENTUAL_CONSISTENCY_ERRORS: ReadonlySet<string> = new Set([
  'InsufficientS3BucketPolicyException',
  'InsufficientEncryptionPolicyException',
]);

export const DEFAULT_ATTEMPTS = 6;
export const DEFAULT_BASE_DELAY_MS = 2000;

/**
 * Sends one action. Each operation maps to its SDK command here and only
 * here: this table is every write the remediation can make.
 */
export const WRITE_OPERATIONS: {
  [O in ActionOperation]: (
    action: Extract<Action, { operation: O }>,
    clients: ExecutorClients,
  ) => Promise<unknown>;
} = {
  UpdateTrail: (a, c) => c.cloudTrail(a.region).send(new UpdateTrailCommand(a.input)),
  PutEventSelectors: (a, c) => c.cloudTrail(a.region).send(new PutEventSelectorsCommand(a.input)),
  StartLogging: (a, c) => c.cloudTrail(a.region).send(new StartLoggingCommand(a.input)),
  CreateTrail: (a, c) => c.cloudTrail(a.region).send(new CreateTrailCommand(a.input)),
  AddTags: (a, c) => c.cloudTrail(a.region).send(new AddTagsCommand(a.input)),
  CreateBucket: (a, c) => c.s3(a.region).send(new CreateBucketCommand(a.input)),
  PutPublicAccessBlock: (a, c) => c.s3(a.region).send(new PutPublicAccessBlockCommand(a.input)),
  PutBucketEncryption: (a, c) => c.s3(a.region).send(new PutBucketEncryptionCommand(a.input)),
  PutBucketVersioning: (a, c) => c.s3(a.region).send(new PutBucketVersioningCommand(a.input)),
  PutObjectLockConfiguration: (a, c) =>
    c.s3(a.region).send(new PutObjectLockConfigurationCommand(a.input)),
  PutBucketLifecycleConfiguration: (a, c) =>
    c.s3(a.region).send(new PutBucketLifecycleConfigurationCommand(a.input)),
  PutBucketTagging: (a, c) => c.s3(a.region).send(new PutBucketTaggingCommand(a.input)),
  PutBucketLogging: (a, c) => c.s3(a.region).send(new PutBucketLoggingCommand(a.input)),
  PutBucketPolicy: (a, c) => c.s3(a.region).send(new PutBucketPolicyCommand(a.input)),
  PutKeyPolicy: (a, c) => c.kms(a.region).send(new PutKeyPolicyCommand(a.input)),
};

/** Runs every action in order; throws {@link RemediationStepError} at the first that fails. */
export async function executePlan(
  actions: readonly Action[],
  clients: ExecutorClients,
  options: ExecuteOptions = {},
): Promise<void> {
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const baseDelay = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;

  for (const [index, action] of actions.entries()) {
    const step = index + 1;
    options.onStep?.(step, actions.length, action);
    // `service` is a key the logger keeps for itself: name the call instead.
    logger.info('Remediation step', {
      step,
      of: actions.length,
      call: describeCall(action),
      input: action.input,
      reason: action.reason,
    });
    const applied =
      step === 1
        ? 'Nothing was changed'
        : step === 2
          ? 'Step 1 was applied'
          : `Steps 1-${step - 1} were applied`;
    let change: string | undefined;
    try {
      change = await changeSincePlan(action, clients);
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      throw new RemediationStepError(
        `Step ${step} of ${actions.length}, ${describeCall(action)}, was not made: reading again what it rewrites failed: ${name}: ${message}. ${applied}; run the remediation again to continue from the account's new state.`,
        { cause: error },
      );
    }
    if (change !== undefined) {
      throw new ConcurrentChangeError(
        `Step ${step} of ${actions.length}, ${describeCall(action)}, was not made: ${change}. Writing the planned value would revert that change, so it was left as it is. ${applied}; run the remediation again to plan from the account's new state.`,
      );
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await send(action, clients);
        break;
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        if (EVENTUAL_CONSISTENCY_ERRORS.has(name) && attempt < attempts) {
          const delay = baseDelay * 2 ** (attempt - 1);
          logger.info('Waiting for a policy change to reach CloudTrail', { step, name, delay });
          await sleep(delay);
          continue;
        }
        const message = error instanceof Error ? error.message : String(error);
        throw new RemediationStepError(
          `Step ${step} of ${actions.length}, ${describeCall(action)}, failed: ${name}: ${message}. Steps before it were applied; run the remediation again to continue from the account's new state.`,
          { cause: error },
        );
      }
    }
  }
}

/**
 * Sends a copy of the action's input: SDK middleware adds fields to the
 * input it is given (S3 adds `ChecksumAlgorithm`), and the plan, which is
 * returned and printed, must stay what was planned.
 */
function send(action: Action, clients: ExecutorClients): Promise<unknown> {
  const run = WRITE_OPERATIONS[action.operation] as (
    a: Action,
    c: ExecutorClients,
  ) => Promise<unknown>;
  return run({ ...action, input: structuredClone(action.input) } as Action, clients);
}
