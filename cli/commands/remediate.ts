import type { STSClient } from '@aws-sdk/client-sts';
import { type Action, describeCall } from '../../remediation/actions';
import { remediationClients, stsClient } from '../../remediation/clients';
import { RemediationStepError, VerificationFailedError } from '../../remediation/errors';
import type { ExecutorClients } from '../../remediation/executor';
import {
  callerBucketSuffix,
  defaultBucketName,
  type RemediationInput,
} from '../../remediation/input';
import {
  chooseTarget,
  factsNeeded,
  ownershipNeeded,
  type PlanOptions,
  planRemediation,
} from '../../remediation/plan';
import {
  planFor,
  type RemediationDependencies,
  type RemediationResult,
  remediate,
} from '../../remediation/remediate';
import { failedCall } from '../../rule/clients';
import type { RuleParameters } from '../../rule/parameters';
import type { LiveTarget, RemediateCommand } from '../args';
import { unreachableReason } from '../aws-errors';
import { AwsReadError, CliError, UsageError } from '../errors';
import { EXIT, type ExitCode, type Io } from '../io';
import { resolveRegion } from '../live';
import { type PlanView, planJson, renderApplied, renderPlan, renderStep } from '../render-plan';
import { formatJson } from '../report';
import { MAX_SNAPSHOT_BYTES, readSnapshot } from '../snapshot-file';
import { plural } from '../table';

/** The account changed between the plan a person confirmed and the plan about to be applied. */
export class PlanChangedError extends CliError {
  override readonly name = 'PlanChangedError';
}

/**
 * `remediate`: the remediation's plan for a snapshot or the live account
 * (`--dry-run`), or the plan applied to the live account and verified
 * (`--apply`), with the remediation's own code.
 *
 * Exit status: a dry run exits 0 when the account already passes and 1 when
 * it plans changes; an apply exits 0 once a fresh read passes, and 1 when
 * the person answers no. Errors exit 2, including an account the rule
 * cannot decide, which the remediation refuses to plan for.
 */
export async function remediateCommand(command: RemediateCommand, io: Io): Promise<ExitCode> {
  if (command.mode === 'apply') return apply(command, io);
  const { source } = command;
  const view =
    'snapshot' in source
      ? await planFromSnapshot(source.snapshot, command, io)
      : await withLiveAccount(source.live, command.parameters, io, (deps) =>
          planLive(source.live, command, deps),
        );
  io.out(command.json ? formatJson(planJson(view)) : renderPlan(view, 'dry-run'));
  return view.plan.compliantBefore ? EXIT.compliant : EXIT.nonCompliant;
}

/**
 * A plan from a snapshot, with the snapshot's Region as the account's. A
 * snapshot holds trails only: a new trail's bucket is assumed not to exist,
 * which is what a first run in a fresh account finds, and the output says so.
 */
async function planFromSnapshot(
  file: string,
  command: Pick<RemediateCommand, 'parameters' | 'choices'>,
  io: Io,
): Promise<PlanView> {
  const state = await readSnapshot(file, MAX_SNAPSHOT_BYTES, io.stdin);
  // A live run names its buckets after the caller; a snapshot has none.
  const bucketSuffix = callerBucketSuffix(state.accountId, 'snapshot');
  const options: PlanOptions = {
    region: state.region,
    parameters: command.parameters,
    bucketSuffix,
    ...command.choices,
  };
  // A snapshot holds trails only: every bucket a trail delivers to is taken to be this account's.
  const ownership = Object.fromEntries(
    ownershipNeeded(state).map((name) => [
      name,
      { status: 'owned', account: state.accountId } as const,
    ]),
  );
  const needed = factsNeeded(chooseTarget(state, options, ownership).target, options, ownership);
  const { bucketName, accessLogBucketName, accessLogOwnerOf } = needed;
  // Only a default name has the suffix, which a live run takes from the caller instead.
  const named = (name: string, isDefault: boolean) =>
    `"${name}"${isDefault ? '; a live run names it after the caller' : ''}`;
  const plan = planRemediation(state, options, {
    ownership,
    ...(bucketName === undefined ? {} : { bucket: { name: bucketName, status: 'absent' } }),
    ...(accessLogBucketName === undefined
      ? {}
      : { accessLogBucket: { name: accessLogBucketName, status: 'absent' } }),
    ...(accessLogOwnerOf === undefined
      ? {}
      : { accessLogOwnership: { status: 'owned', account: state.accountId } }),
  });
  return {
    accountId: state.accountId,
    region: state.region,
    readAt: state.readAt ?? null,
    source: { type: 'snapshot', file },
    parameters: command.parameters,
    plan,
    assumptions: [
      ...(ownership === undefined || Object.keys(ownership).length === 0 || plan.compliantBefore
        ? []
        : [
            `bucket owners not read from a snapshot: the buckets its trails deliver to (${Object.keys(ownership).join(', ')}) assumed to be this account's`,
          ]),
      ...(bucketName === undefined
        ? []
        : [
            `bucket state not read from a snapshot: assumed absent (${named(bucketName, bucketName === defaultBucketName(state.accountId, state.region, bucketSuffix))})`,
          ]),
      ...(accessLogBucketName === undefined
        ? []
        : [
            `access-log bucket not read from a snapshot: assumed absent (${named(accessLogBucketName, true)})`,
          ]),
      ...(accessLogOwnerOf === undefined
        ? []
        : [
            `access-log bucket "${accessLogOwnerOf}" not read from a snapshot: assumed this account's`,
          ]),
    ],
  };
}

/** The remediation's own plan for the live account: it reads everything and writes nothing. */
async function planLive(
  target: LiveTarget,
  command: Pick<RemediateCommand, 'parameters' | 'choices'>,
  deps: RemediationDependencies,
): Promise<PlanView> {
  const { accountId, plan, state } = await planFor(inputOf(command, true), deps);
  return {
    accountId,
    region: state.region,
    readAt: state.readAt ?? null,
    source: { type: 'live', profile: target.profile ?? null },
    parameters: command.parameters,
    plan,
    assumptions: [],
  };
}

/**
 * Shows the plan, asks (unless `--yes`), then runs the remediation: it plans
 * again from a fresh read, applies step by step, and verifies with the
 * rule's verdict. A step that differs from the one confirmed stops the run
 * before it is sent.
 */
async function apply(
  command: Extract<RemediateCommand, { mode: 'apply' }>,
  io: Io,
): Promise<ExitCode> {
  const ask = io.ask;
  if (!command.yes && ask === undefined) {
    throw new UsageError(
      '--apply asks before it changes anything, and stdin is not a terminal to ask on. Review the plan with --dry-run, then run --apply --yes to apply it without asking.',
    );
  }
  // With --json, stdout gets one JSON object at the end; what a person
  // reads as it happens (the plan, the steps) goes to stderr.
  const say = command.json ? io.err : io.out;
  const report = (result: ApplyJson): void => {
    if (command.json) io.out(formatJson(result));
  };
  return withLiveAccount(command.live, command.parameters, io, async (deps) => {
    const view = await planLive(command.live, command, deps);
    const { plan, accountId } = view;
    say(renderPlan(view, 'apply'));
    if (plan.compliantBefore) {
      report(unapplied(view, 'nothing-to-change'));
      return EXIT.compliant;
    }

    const count = plan.actions.length;
    const changes = `${count} ${count === 1 ? 'change' : 'changes'}`;
    if (!command.yes && ask !== undefined) {
      const these = count === 1 ? 'this' : 'these';
      const answer = await ask(`Apply ${these} ${changes} to account ${accountId}? [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) {
        say('Nothing changed.\n');
        report(unapplied(view, 'declined'));
        return EXIT.nonCompliant;
      }
    }

    say(`\nApplying ${changes} to account ${accountId}:\n`);
    let started = 0;
    const result: RemediationResult = await remediate(inputOf(command, false), {
      ...deps,
      execute: {
        ...deps.execute,
        onStep: (step, total, action) => {
          checkConfirmed(plan.actions, step, total, action);
          started = step;
          say(renderStep(step, total, action));
        },
      },
    }).catch(async (error: unknown) => {
      // A failed step and a failed check say themselves what was applied; any
      // other error after the steps began comes from the fresh read that checks them.
      if (
        started === 0 ||
        error instanceof RemediationStepError ||
        error instanceof VerificationFailedError ||
        error instanceof PlanChangedError
      ) {
        throw error;
      }
      const why =
        (await unreachableReason(error, { ...command.live, region: deps.region })) ??
        (error instanceof Error ? `${error.name}: ${error.message}.` : `${String(error)}.`);
      throw new AwsReadError(
        `${count === 1 ? 'The change was applied' : `All ${changes} were applied`}, but reading the account again to check ${count === 1 ? 'it' : 'them'} failed: ${why} Run "cloudtrail-rule remediate --dry-run" to see where the account stands.`,
      );
    });
    say(renderApplied(result));
    report({ outcome: result.compliantBefore ? 'nothing-to-change' : 'applied', ...result });
    return EXIT.compliant;
  });
}

/**
 * What `remediate --apply --json` prints: the remediation function's result,
 * and the outcome: `applied` (and verified by a fresh read),
 * `nothing-to-change`, or `declined` (the answer was not yes; `actions` are
 * the steps that were shown, none of them sent).
 */
export type ApplyJson = {
  outcome: 'applied' | 'nothing-to-change' | 'declined';
} & RemediationResult;

/** The JSON of an apply that sent nothing, from the plan that was shown. */
function unapplied(view: PlanView, outcome: 'nothing-to-change' | 'declined'): ApplyJson {
  const { accountId, compliantBefore, actions, trailArn, verdict, securityHubControls, resources } =
    planJson(view);
  return {
    outcome,
    dryRun: false,
    accountId,
    compliantBefore,
    actions,
    compliantAfter: compliantBefore ? true : null,
    trailArn,
    verdict,
    securityHubControls,
    resources,
  };
}

/**
 * The remediation plans again before it applies; if the account changed in
 * between, its plan can differ from the one the person said yes to. Only
 * the steps they saw are sent.
 */
function checkConfirmed(
  confirmed: readonly Action[],
  step: number,
  total: number,
  action: Action,
): void {
  const expected = confirmed[step - 1];
  if (total === confirmed.length && JSON.stringify(action) === JSON.stringify(expected)) return;
  const what =
    total !== confirmed.length
      ? `the plan now has ${plural(total, 'step')} instead of ${confirmed.length}`
      : `step ${step} is now ${describeCall(action)}${expected === undefined ? '' : `, not ${describeCall(expected)} as shown,`} or has another input`;
  const sent =
    step === 1
      ? 'Nothing was changed'
      : `Steps 1-${step - 1} were applied as shown and nothing else was sent`;
  throw new PlanChangedError(
    `The account changed after the plan was shown: ${what}. ${sent}. Run the command again to see the new plan.`,
  );
}

function inputOf(command: Pick<RemediateCommand, 'choices'>, dryRun: boolean): RemediationInput {
  // The account is whichever the credentials belong to, so there is none to check against.
  return { accountId: undefined, ...command.choices, dryRun };
}

/**
 * Runs `work` with the remediation's clients for the live account: the
 * Region from `--region` or the SDK's default chain (as `evaluate` finds
 * it), the profile from `--profile`. Frees every client afterwards so the
 * process ends when the command does.
 */
async function withLiveAccount<T>(
  target: LiveTarget,
  parameters: RuleParameters,
  io: Io,
  work: (deps: RemediationDependencies) => Promise<T>,
): Promise<T> {
  const settings = {
    ...(target.profile === undefined ? {} : { profile: target.profile }),
    ...(target.timeouts === undefined ? {} : { timeouts: target.timeouts }),
    ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
  };
  // The remediation's own STS client takes no Region; this one honours --region,
  // which is also the Region trails are listed from and a new trail goes to.
  const sts: STSClient = stsClient({
    ...(target.region === undefined ? {} : { region: target.region }),
    ...settings,
  });
  const { sts: unused, ...clients } = remediationClients(settings);
  unused.destroy();
  const opened = new Set<{ destroy(): void }>();
  const track =
    <C extends { destroy(): void }>(clientFor: (region: string) => C) =>
    (region: string): C => {
      const client = clientFor(region);
      opened.add(client);
      return client;
    };
  const tracked: ExecutorClients = {
    cloudTrail: track(clients.cloudTrail),
    s3: track(clients.s3),
    kms: track(clients.kms),
  };
  try {
    const region = await resolveRegion(sts, 'remediate in', target.profile);
    return await work({
      clients: tracked,
      sts,
      region,
      parameters,
      ...(io.sleep === undefined ? {} : { execute: { sleep: io.sleep } }),
    }).catch(async (error: unknown) => {
      // A read that did not reach AWS (no credentials, a wrong endpoint or
      // Region) says so; the remediation's own errors already say what to do.
      const why = await unreachableReason(error, { ...target, region });
      if (why === undefined) throw error;
      const call = failedCall(error);
      const what =
        call === undefined
          ? 'Could not read the account'
          : `Could not read the account (${call.service} ${call.operation})`;
      throw new AwsReadError(`${what}: ${why}`);
    });
  } finally {
    sts.destroy();
    for (const client of opened) client.destroy();
  }
}
