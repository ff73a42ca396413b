import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { type AccountVerdict, evaluateAccount } from '../rule/evaluate';
import type { RuleParameters } from '../rule/parameters';
import { readAccountTrailState } from '../rule/reader';
import type { AccountTrailState } from '../rule/state';
import type { Action } from './actions';
import {
  AccountMismatchError,
  InvalidRemediationInputError,
  VerificationFailedError,
} from './errors';
import { type ExecuteOptions, type ExecutorClients, executePlan } from './executor';
import { type BucketFacts, type KeyFacts, readBucketFacts, readKeyFacts } from './facts';
import type { RemediationInput } from './input';
import { logger } from './log';
import { chooseTarget, factsNeeded, type Plan, planRemediation } from './plan';

/**
 * One remediation run (docs/design.md, "Remediation"): check the account, read it as the rule
 * does, plan, apply, and verify with the rule's own verdict.
 */

export interface RemediationDependencies {
  clients: ExecutorClients;
  sts: STSClient;
  /** The function's Region: trails are listed from here, and a new trail is created here. */
  region: string;
  /** The rule's parameters, so that "compliant" means what the rule means. */
  parameters: RuleParameters;
  /**
   * The KMS key the deployment was set up with (`kmsKeyId`), when one was:
   * the only key whose policy the function's role may change, and so the
   * only one a request may name. Whoever may invoke the function cannot
   * point it at another key of the account.
   */
  configuredKmsKeyId?: string;
  /** Options for the executor (waits, progress). */
  execute?: ExecuteOptions;
  /** Fresh reads after applying before giving up on a COMPLIANT verdict. */
  verifyAttempts?: number;
  verifyDelayMs?: number;
}

/** One planned call, as the function returns it and the CLI prints it. */
export interface PlannedStep {
  step: number;
  service: Action['service'];
  operation: Action['operation'];
  region: string;
  input: Action['input'];
  reason: string;
}

export interface RemediationResult {
  dryRun: boolean;
  accountId: string;
  compliantBefore: boolean;
  actions: PlannedStep[];
  /** After the change: `true` once verified; `null` on a dry run, which changes nothing. */
  compliantAfter: boolean | null;
  /** The trail that passes (or, on a dry run, would pass once the plan is applied). */
  trailArn: string | null;
  /** The verdict's annotation: why the account passes or does not. */
  verdict: string;
}

/** Reads the account and plans, without writing anything. */
export async function planFor(
  input: RemediationInput,
  deps: RemediationDependencies,
): Promise<{ accountId: string; plan: Plan; state: AccountTrailState }> {
  const accountId = await callerAccount(deps.sts);
  if (input.accountId !== undefined && input.accountId !== accountId) {
    throw new AccountMismatchError(
      `Asked to remediate account ${input.accountId}, but this function runs in account ${accountId}. Nothing was changed. Run the remediation in account ${input.accountId} (its own deployment), or leave AccountId empty.`,
    );
  }
  if (
    input.kmsKeyId !== undefined &&
    deps.configuredKmsKeyId !== undefined &&
    input.kmsKeyId !== deps.configuredKmsKeyId
  ) {
    throw new InvalidRemediationInputError(
      `KmsKeyId ${input.kmsKeyId} is not the key this deployment was set up with (${deps.configuredKmsKeyId}). Nothing was changed. Leave KmsKeyId empty or give that key, or deploy with -c kmsKeyId=${input.kmsKeyId} to use another.`,
    );
  }
  const state = await readAccountTrailState({
    accountId,
    region: deps.region,
    clientFor: deps.clients.cloudTrail,
  });
  const options = {
    region: deps.region,
    parameters: deps.parameters,
    ...(input.trailName === undefined ? {} : { trailName: input.trailName }),
    ...(input.bucketName === undefined ? {} : { bucketName: input.bucketName }),
    ...(input.kmsKeyId === undefined ? {} : { kmsKeyId: input.kmsKeyId }),
  };
  const needed = factsNeeded(chooseTarget(state, options).target);
  let bucket: BucketFacts | undefined;
  let key: KeyFacts | undefined;
  if (needed.bucketName !== undefined) {
    bucket = await readBucketFacts({
      name: needed.bucketName,
      accountId,
      region: deps.region,
      s3: deps.clients.s3,
    });
  }
  if (needed.kmsKeyId !== undefined) {
    key = await readKeyFacts({
      keyId: needed.kmsKeyId,
      accountId,
      region: bucket?.status === 'ours' ? bucket.region : deps.region,
      kms: deps.clients.kms,
    });
  }
  const plan = planRemediation(state, options, {
    ...(bucket === undefined ? {} : { bucket }),
    ...(key === undefined ? {} : { key }),
  });
  return { accountId, plan, state };
}

/**
 * Plans and, unless it is a dry run, applies the plan and verifies it: the
 * run succeeds only when a fresh read evaluated by the rule's own code says
 * COMPLIANT; otherwise it fails with the verdict's reason.
 */
export async function remediate(
  input: RemediationInput,
  deps: RemediationDependencies,
): Promise<RemediationResult> {
  const { accountId, plan } = await planFor(input, deps);
  const actions = plan.actions.map((a, i) => ({ step: i + 1, ...a }));
  const result = {
    dryRun: input.dryRun,
    accountId,
    compliantBefore: plan.compliantBefore,
    actions,
    trailArn: plan.trailArn ?? null,
  };
  logger.info('Remediation plan', { ...result, before: summary(plan.verdict) });

  if (plan.compliantBefore) {
    return { ...result, compliantAfter: true, verdict: summary(plan.verdict) };
  }
  if (input.dryRun) {
    return { ...result, compliantAfter: null, verdict: summary(plan.verdict) };
  }

  await executePlan(plan.actions, deps.clients, deps.execute);
  const after = await verify(accountId, deps);
  logger.info('Remediation verified', { accountId, after: summary(after) });
  return {
    ...result,
    compliantAfter: true,
    trailArn: after.compliance === 'COMPLIANT' ? after.passing.arn : result.trailArn,
    verdict: summary(after),
  };
}

/**
 * Reads the account again and evaluates it with the rule's code. CloudTrail
 * can take a moment to show a change (a trail just started, selectors just
 * put), so a verdict other than COMPLIANT is read again a few times first.
 */
async function verify(accountId: string, deps: RemediationDependencies): Promise<AccountVerdict> {
  const attempts = deps.verifyAttempts ?? 4;
  const delay = deps.verifyDelayMs ?? 3000;
  const sleep = deps.execute?.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  let verdict: AccountVerdict | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const state = await readAccountTrailState({
      accountId,
      region: deps.region,
      clientFor: deps.clients.cloudTrail,
    });
    verdict = evaluateAccount(state, deps.parameters);
    if (verdict.compliance === 'COMPLIANT') return verdict;
    if (attempt < attempts) await sleep(delay);
  }
  throw new VerificationFailedError(
    `The changes were applied, but the account still does not pass CloudTrail.1: ${verdict === undefined ? 'no verdict' : summary(verdict)}. Run the remediation again; if it fails the same way, fix what the reason names by hand.`,
  );
}

function summary(verdict: AccountVerdict): string {
  return verdict.compliance === 'UNDECIDED'
    ? `UNDECIDED: ${verdict.reason}`
    : `${verdict.compliance}: ${verdict.annotation}`;
}

async function callerAccount(sts: STSClient): Promise<string> {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  if (identity.Account === undefined) throw new Error('STS GetCallerIdentity returned no account');
  return identity.Account;
}
