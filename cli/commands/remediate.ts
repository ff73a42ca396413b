import type { STSClient } from '@aws-sdk/client-sts';
import { type Action, describeCall } from '../../remediation/actions';
import { remediationClients, stsClient } from '../../remediation/clients';
import type { ExecutorClients } from '../../remediation/executor';
import type { RemediationInput } from '../../remediation/input';
import {
  chooseTarget,
  factsNeeded,
  type PlanOptions,
  planRemediation,
} from '../../remediation/plan';
import {
  planFor,
  type RemediationDependencies,
  type RemediationResult,
  remediate,
} from '../../remediation/remediate';
import type { RuleParameters } from '../../rule/parameters';
import type { LiveTarget, RemediateCommand } from '../args';
import { AwsReadError, UsageError } from '../errors';
import { EXIT, type ExitCode, type Io } from '../io';
import { resolveRegion } from '../live';
import { type PlanView, planJson, renderApplied, renderPlan, renderStep } from '../render-plan';
import { formatJson } from '../report';
import { readSnapshot } from '../snapshot-file';

/** The account changed between the plan a person confirmed and the plan about to be applied. */
export class PlanChangedError extends Error {
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
      ? await planFromSnapshot(source.snapshot, command)
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
): Promise<PlanView> {
  const state = await readSnapshot(file);
  const options: PlanOptions = {
    region: state.region,
    parameters: command.parameters,
    ...command.choices,
  };
  const { bucketName } = factsNeeded(chooseTarget(state, options).target);
  const plan = planRemediation(
    state,
    options,
    bucketName === undefined ? {} : { bucket: { name: bucketName, status: 'absent' } },
  );
  return {
    accountId: state.accountId,
    region: state.region,
    readAt: state.readAt ?? null,
    source: { type: 'snapshot', file },
    parameters: command.parameters,
    plan,
    assumptions:
      bucketName === undefined
        ? []
        : [`bucket state not read from a snapshot: assumed absent ("${bucketName}")`],
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
  return withLiveAccount(command.live, command.parameters, io, async (deps) => {
    const view = await planLive(command.live, command, deps);
    const { plan, accountId } = view;
    io.out(renderPlan(view, 'apply'));
    if (plan.compliantBefore) return EXIT.compliant;

    const count = plan.actions.length;
    const changes = `${count} ${count === 1 ? 'change' : 'changes'}`;
    if (!command.yes && ask !== undefined) {
      const these = count === 1 ? 'this' : 'these';
      const answer = await ask(`Apply ${these} ${changes} to account ${accountId}? [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) {
        io.out('Nothing changed.\n');
        return EXIT.nonCompliant;
      }
    }

    io.out(`\nApplying ${changes} to account ${accountId}:\n`);
    const result: RemediationResult = await remediate(inputOf(command, false), {
      ...deps,
      execute: {
        ...deps.execute,
        onStep: (step, total, action) => {
          checkConfirmed(plan.actions, step, total, action);
          io.out(renderStep(step, total, action));
        },
      },
    });
    io.out(renderApplied(result));
    return EXIT.compliant;
  });
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
      ? `the plan now has ${total} steps instead of ${confirmed.length}`
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
  const { trailName, bucketName, kmsKeyId } = command.choices;
  // The account is whichever the credentials belong to, so there is none to check against.
  return { accountId: undefined, trailName, bucketName, kmsKeyId, dryRun };
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
  const profile = target.profile === undefined ? {} : { profile: target.profile };
  // The remediation's own STS client takes no Region; this one honours --region,
  // which is also the Region trails are listed from and a new trail goes to.
  const sts: STSClient = stsClient({
    ...(target.region === undefined ? {} : { region: target.region }),
    ...profile,
  });
  const { sts: unused, ...clients } = remediationClients(profile);
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
    const region = await resolveRegion(sts, 'remediate in');
    return await work({
      clients: tracked,
      sts,
      region,
      parameters,
      ...(io.sleep === undefined ? {} : { execute: { sleep: io.sleep } }),
    }).catch((error: unknown) => {
      // The first call fails this way when there are no credentials: say where they come from.
      if (error instanceof Error && error.name === 'CredentialsProviderError') {
        throw new AwsReadError(
          `No AWS credentials to read the account with (${error.message}). Check the credentials (AWS_PROFILE, --profile, or "aws configure").`,
        );
      }
      throw error;
    });
  } finally {
    sts.destroy();
    for (const client of opened) client.destroy();
  }
}
