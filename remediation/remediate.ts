import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { type AccountVerdict, evaluateAccount } from '../rule/evaluate';
import type { RuleParameters } from '../rule/parameters';
import { readAccountTrailState } from '../rule/reader';
import type { AccountTrailState } from '../rule/state';
import type { Action } from './actions';
import { type ControlForecast, type ResourceEndState, securityHubControls } from './controls';
import { bucketEndState, trailEndState } from './end-state';
import {
  AccountMismatchError,
  InvalidRemediationInputError,
  VerificationFailedError,
} from './errors';
import { type ExecuteOptions, type ExecutorClients, executePlan } from './executor';
import {
  type BucketOwnership,
  readBucketAccess,
  readBucketFacts,
  readBucketOwnership,
  readKeyFacts,
  readKeyRotation,
} from './facts';
import { BUCKET_SUFFIX_PATTERN, callerBucketSuffix, type RemediationInput } from './input';
import { logger } from './log';
import {
  chooseTarget,
  factsNeeded,
  ownershipNeeded,
  type Plan,
  type PlanFacts,
  type PlanOptions,
  planRemediation,
  trustedAccounts,
} from './plan';
import { readTrailTags } from './trail-tags';

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
  /**
   * Makes default bucket names unpredictable from outside the account: the
   * deployment's (`LOG_BUCKET_SUFFIX`, from its stack's ID), or, on the
   * command line, one derived from the caller ({@link callerBucketSuffix}).
   */
  bucketSuffix?: string;
  /**
   * The trusted log accounts the deployment was set up with
   * (`TRUSTED_LOG_ACCOUNT_IDS`): a request may name only these, so whoever
   * may invoke the function cannot make it promote a trail that delivers to
   * their own account. Absent on the command line, whose user trusts whom
   * they name.
   */
  configuredTrustedLogAccountIds?: string[];
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
  /**
   * The Security Hub controls on what the plan creates or changes: forecast
   * on a dry run, judged from a fresh read once applied
   * (docs/security-hub.md).
   */
  securityHubControls: ControlForecast[];
  /** The end state those controls judge: forecast on a dry run, read back once applied. */
  resources: ResourceEndState[];
}

/**
 * Who owns each bucket this account's trails deliver to, among this account
 * and the trusted ones, and, for this account's, who else they let in.
 */
async function readOwnership(
  state: AccountTrailState,
  accountId: string,
  options: PlanOptions,
  deps: RemediationDependencies,
): Promise<Record<string, BucketOwnership>> {
  const ownership: Record<string, BucketOwnership> = {};
  for (const name of ownershipNeeded(state)) {
    const owner = await readBucketOwnership({
      name,
      accounts: trustedAccounts(accountId, options),
      region: deps.region,
      s3: deps.clients.s3,
    });
    // A bucket of this account: who else it lets in decides whether its trail may be repaired.
    ownership[name] =
      owner.status === 'owned' && owner.account === accountId
        ? {
            ...owner,
            access: await readBucketAccess({
              name,
              accountId,
              region: owner.region ?? deps.region,
              s3: deps.clients.s3,
            }),
          }
        : owner;
  }
  return ownership;
}

/** Reads the account and plans, without writing anything. */
export async function planFor(
  input: RemediationInput,
  deps: RemediationDependencies,
): Promise<{ accountId: string; plan: Plan; state: AccountTrailState }> {
  const { accountId, principalId } = await caller(deps.sts);
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
    throw new InvalidRemediationInputError((w) => {
      const omit = w.omit('kmsKeyId');
      return `${w.input('kmsKeyId')} ${input.kmsKeyId} is not the key this deployment was set up with (${deps.configuredKmsKeyId}). Nothing was changed. ${omit.charAt(0).toUpperCase()}${omit.slice(1)} or give that key, or deploy with -c kmsKeyId=${input.kmsKeyId} to use another.`;
    });
  }
  const untrusted = (input.trustedLogAccountIds ?? []).filter(
    (id) => deps.configuredTrustedLogAccountIds?.includes(id) === false,
  );
  if (untrusted.length > 0) {
    throw new InvalidRemediationInputError((w) => {
      const omit = w.omit('trustedLogAccountIds');
      return `${w.input('trustedLogAccountIds')} ${untrusted.join(', ')} ${untrusted.length === 1 ? 'is' : 'are'} not among the trusted log accounts this deployment was set up with (${deps.configuredTrustedLogAccountIds?.join(', ') || 'none'}). Nothing was changed. ${omit.charAt(0).toUpperCase()}${omit.slice(1)} or give only those, or deploy with -c trustedLogAccountIds=... to trust another.`;
    });
  }
  const bucketSuffix = deps.bucketSuffix ?? callerBucketSuffix(accountId, principalId);
  if (!new RegExp(BUCKET_SUFFIX_PATTERN).test(bucketSuffix)) {
    throw new InvalidRemediationInputError(
      `The bucket name suffix "${bucketSuffix}" is not 8 lower-case hexadecimal digits. Nothing was changed. Deploy the remediation with its stack, which sets LOG_BUCKET_SUFFIX.`,
    );
  }
  const state = await readAccountTrailState({
    accountId,
    region: deps.region,
    clientFor: deps.clients.cloudTrail,
  });
  const { dryRun: _dryRun, accountId: _account, ...choices } = input;
  const options: PlanOptions = {
    region: deps.region,
    parameters: deps.parameters,
    bucketSuffix,
    ...Object.fromEntries(Object.entries(choices).filter(([, v]) => v !== undefined)),
  };
  const facts: PlanFacts = {};
  if (evaluateAccount(state, deps.parameters).compliance !== 'COMPLIANT') {
    facts.ownership = await readOwnership(state, accountId, options, deps);
  }
  const target = chooseTarget(state, options, facts.ownership).target;
  const needed = factsNeeded(target, options, facts.ownership);
  if (needed.bucketName !== undefined) {
    facts.bucket = await readBucketFacts({
      name: needed.bucketName,
      accountId,
      region: deps.region,
      s3: deps.clients.s3,
    });
  }
  if (needed.accessLogBucketName !== undefined) {
    facts.accessLogBucket = await readBucketFacts({
      name: needed.accessLogBucketName,
      accountId,
      region: deps.region,
      s3: deps.clients.s3,
    });
  }
  if (needed.accessLogOwnerOf !== undefined) {
    facts.accessLogOwnership = await readBucketOwnership({
      name: needed.accessLogOwnerOf,
      accounts: [accountId],
      region: deps.region,
      s3: deps.clients.s3,
    });
  }
  if (needed.kmsKeyId !== undefined) {
    facts.key = await readKeyFacts({
      keyId: needed.kmsKeyId,
      accountId,
      region: facts.bucket?.status === 'ours' ? facts.bucket.region : deps.region,
      kms: deps.clients.kms,
    });
  }
  if (needed.trailArn !== undefined) {
    facts.trailTags = await readTrailTags(needed.trailArn, deps.clients.cloudTrail);
  }
  const plan = planRemediation(state, options, facts);
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
  // What a step was planned from is for the executor's check, not part of the call shown.
  const actions = plan.actions.map(({ basedOn: _basedOn, ...a }, i) => ({ step: i + 1, ...a }));
  const result = {
    dryRun: input.dryRun,
    accountId,
    compliantBefore: plan.compliantBefore,
    actions,
    trailArn: plan.trailArn ?? null,
    securityHubControls: plan.securityHubControls,
    resources: plan.resources,
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
  const resources = await readBack(plan.resources, after.state, accountId, deps);
  const controls = securityHubControls(resources);
  logger.info('Remediation verified', {
    accountId,
    after: summary(after.verdict),
    securityHubControls: controls,
  });
  return {
    ...result,
    compliantAfter: true,
    trailArn:
      after.verdict.compliance === 'COMPLIANT' ? after.verdict.passing.arn : result.trailArn,
    verdict: summary(after.verdict),
    securityHubControls: controls,
    resources,
  };
}

/**
 * The resources the plan created or changed, as a fresh read finds them:
 * the trail from the verification's read and its tags, each bucket's
 * settings, the key's rotation. The forecast is judged again on these, so
 * a forecast that was wrong shows up in the result.
 */
async function readBack(
  planned: readonly ResourceEndState[],
  state: AccountTrailState,
  accountId: string,
  deps: RemediationDependencies,
): Promise<ResourceEndState[]> {
  const read: ResourceEndState[] = [];
  for (const resource of planned) {
    if (resource.kind === 'trail') {
      const found = state.trails.find((t) => t.trail.TrailARN === resource.arn);
      if (found === undefined) continue;
      const tags = await readTrailTags(resource.arn, deps.clients.cloudTrail);
      read.push(trailEndState(found.trail, tags, resource.created));
    } else if (resource.kind === 'bucket') {
      const facts = await readBucketFacts({
        name: resource.arn.split(':::')[1] ?? '',
        accountId,
        region: deps.region,
        s3: deps.clients.s3,
      });
      if (facts.status === 'ours') {
        read.push({
          ...bucketEndState(
            facts,
            resource.purpose,
            resource.created,
            accountId,
            resource.trailArn,
          ),
          ...(resource.repaired === true ? { repaired: true } : {}),
        });
      }
    } else {
      const region = resource.arn.split(':')[3] ?? deps.region;
      const rotation = await readKeyRotation({
        keyArn: resource.arn,
        region,
        kms: deps.clients.kms,
      });
      read.push({ kind: 'key', arn: resource.arn, rotation });
    }
  }
  return read;
}

/**
 * Reads the account again and evaluates it with the rule's code. CloudTrail
 * can take a moment to show a change (a trail just started, selectors just
 * put), so a verdict other than COMPLIANT is read again a few times first.
 */
async function verify(
  accountId: string,
  deps: RemediationDependencies,
): Promise<{ verdict: AccountVerdict; state: AccountTrailState }> {
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
    if (verdict.compliance === 'COMPLIANT') return { verdict, state };
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

async function caller(sts: STSClient): Promise<{ accountId: string; principalId: string }> {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  if (identity.Account === undefined) throw new Error('STS GetCallerIdentity returned no account');
  // An assumed role's UserId is "<role ID>:<session name>": the role's ID is the stable part.
  return { accountId: identity.Account, principalId: (identity.UserId ?? '').split(':')[0] ?? '' };
}
