import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { unreadableSummary } from './annotation';
import { cloudTrailClients, configServiceClient } from './clients';
import { EnvironmentError, UndecidedVerdictError } from './errors';
import { type AccountVerdict, evaluateAccount, readsNeeded } from './evaluate';
import { parseInvocation, type RuleInvocation } from './event';
import { latestEvaluation } from './history';
import { logger, logVerdict } from './log';
import { DEFAULT_UNDECIDED_WINDOW_HOURS, type RuleParameters } from './parameters';
import { type CloudTrailClientFor, readAccountTrailState } from './reader';
import { accountEvaluation, putEvaluations, type ReportedCompliance } from './report';
import { type LastEvaluation, type UndecidedOutcome, undecidedOutcome } from './undecided';

/** What one invocation reported. */
export interface RuleResult {
  compliance: ReportedCompliance;
  annotation: string;
}

export interface RuleDependencies {
  clientFor: CloudTrailClientFor;
  config: ConfigServiceClient;
  /** The Region the function runs in; trails are listed from here. */
  region: string | undefined;
  /** The time, for the undecided window; the clock by default. */
  now?: () => Date;
}

/**
 * Builds the rule's Lambda handler: parse the event, read the trail state,
 * decide, report. Every decision lives in `evaluate.ts`; this only wires
 * the steps together, so tests and the benchmark can pass their own clients.
 */
export function createHandler(dependencies: () => RuleDependencies) {
  return async (event: unknown): Promise<RuleResult> => {
    try {
      return await evaluateInvocation(event, dependencies());
    } catch (error) {
      logger.error('Evaluation failed; no evaluation was reported', error as Error);
      throw error;
    }
  };
}

async function evaluateInvocation(event: unknown, deps: RuleDependencies): Promise<RuleResult> {
  const invocation = parseInvocation(event);
  const { accountId, parameters, resultToken, orderingTimestamp } = invocation;
  logger.info('Evaluating CloudTrail.1', {
    accountId,
    messageType: invocation.messageType,
    testMode: invocation.testMode,
    parameters,
  });

  const report = async (compliance: ReportedCompliance, annotation: string) => {
    const evaluation = accountEvaluation(accountId, compliance, annotation, orderingTimestamp);
    await putEvaluations(deps.config, [evaluation], resultToken);
    return { compliance, annotation: evaluation.Annotation ?? annotation };
  };

  if (invocation.leftScope) {
    return report('NOT_APPLICABLE', 'The account is no longer in the scope of this rule.');
  }
  if (deps.region === undefined || deps.region === '') {
    throw new EnvironmentError(
      'AWS_REGION is not set: run the rule in AWS Lambda, or set AWS_REGION to the Region to read trails from.',
    );
  }

  const state = await readAccountTrailState({
    accountId,
    region: deps.region,
    clientFor: deps.clientFor,
    readsNeeded: (trail) => readsNeeded(trail, parameters),
  });
  const verdict = evaluateAccount(state, parameters);
  logVerdict(verdict);

  if (verdict.compliance === 'UNDECIDED') {
    const outcome = await whenUndecided(deps, invocation, verdict);
    if (outcome.action === 'fail') {
      throw new UndecidedVerdictError(
        `${verdict.reason} The last decided verdict was recorded at ${outcome.since.toISOString()}; ` +
          `if the rule still cannot decide after ${outcome.deadline.toISOString()} ` +
          `(undecidedWindowHours=${windowHours(parameters)}), it reports NON_COMPLIANT "could not verify".`,
      );
    }
    logger.warn('No decided verdict within the window: reporting NON_COMPLIANT', {
      since: outcome.since.toISOString(),
      windowHours: windowHours(parameters),
    });
    return report('NON_COMPLIANT', outcome.annotation);
  }
  return report(verdict.compliance, verdict.annotation);
}

function windowHours(parameters: RuleParameters): number {
  return parameters.undecidedWindowHours ?? DEFAULT_UNDECIDED_WINDOW_HOURS;
}

/**
 * An undecided run: the rule's own latest evaluation, from AWS Config, says
 * whether the window has passed. When it cannot be read (no rule name in
 * the event, or the call fails), nothing on record shows a decided verdict,
 * so the run fails closed as with no evaluation at all.
 */
async function whenUndecided(
  deps: RuleDependencies,
  invocation: RuleInvocation,
  verdict: Extract<AccountVerdict, { compliance: 'UNDECIDED' }>,
): Promise<UndecidedOutcome> {
  let last: LastEvaluation | undefined;
  let unread = '';
  if (invocation.ruleName === undefined) {
    unread = '; the event names no Config rule, so its last evaluation could not be read';
  } else {
    try {
      last = await latestEvaluation(deps.config, invocation.ruleName, invocation.accountId);
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      logger.error("Could not read the rule's last evaluation", error as Error);
      unread = `; its last evaluation could not be read (${name})`;
    }
  }
  return undecidedOutcome({
    last,
    now: deps.now?.() ?? new Date(),
    windowHours: windowHours(invocation.parameters),
    reason: `${unreadableSummary(verdict.unreadable)}${unread}`,
  });
}

let defaults: RuleDependencies | undefined;

/** The Lambda entry point. Clients are created once per execution environment. */
export const handler = createHandler(() => {
  defaults ??= {
    clientFor: cloudTrailClients(),
    config: configServiceClient(),
    region: process.env.AWS_REGION,
  };
  return defaults;
});
