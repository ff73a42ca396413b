import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { cloudTrailClients, configServiceClient } from './clients';
import { EnvironmentError, UndecidedVerdictError } from './errors';
import { evaluateAccount, readsNeeded } from './evaluate';
import { parseInvocation } from './event';
import { logger, logVerdict } from './log';
import { type CloudTrailClientFor, readAccountTrailState } from './reader';
import { accountEvaluation, putEvaluations, type ReportedCompliance } from './report';

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

  if (verdict.compliance === 'UNDECIDED') throw new UndecidedVerdictError(verdict.reason);
  return report(verdict.compliance, verdict.annotation);
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
