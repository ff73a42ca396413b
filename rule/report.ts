import {
  ComplianceType,
  type ConfigServiceClient,
  type Evaluation,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { fitAnnotation, MAX_ANNOTATION_LENGTH } from './annotation';
import { EvaluationNotAcceptedError } from './errors';

/** The resource type of the one evaluation the rule reports: the account. */
export const ACCOUNT_RESOURCE_TYPE = 'AWS::::Account';

/** `PutEvaluations` accepts at most this many evaluations per call. */
export const MAX_EVALUATIONS_PER_CALL = 100;

export type ReportedCompliance = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

/** The account's evaluation, with the annotation fitted to what AWS Config accepts. */
export function accountEvaluation(
  accountId: string,
  compliance: ReportedCompliance,
  annotation: string,
  orderingTimestamp: Date,
): Evaluation {
  return {
    ComplianceResourceType: ACCOUNT_RESOURCE_TYPE,
    ComplianceResourceId: accountId,
    ComplianceType:
      ComplianceType[
        compliance === 'COMPLIANT'
          ? 'Compliant'
          : compliance === 'NON_COMPLIANT'
            ? 'Non_Compliant'
            : 'Not_Applicable'
      ],
    Annotation: fitAnnotation(annotation, MAX_ANNOTATION_LENGTH),
    OrderingTimestamp: orderingTimestamp,
  };
}

/**
 * Sends evaluations to AWS Config in batches of at most 100. A result token
 * of `TESTMODE` sends them with `TestMode: true`. Any `FailedEvaluations`
 * raise {@link EvaluationNotAcceptedError}, so the invocation fails visibly.
 */
export async function putEvaluations(
  client: ConfigServiceClient,
  evaluations: Evaluation[],
  resultToken: string,
): Promise<void> {
  const testMode = resultToken === 'TESTMODE';
  for (let start = 0; start < evaluations.length; start += MAX_EVALUATIONS_PER_CALL) {
    const batch = evaluations.slice(start, start + MAX_EVALUATIONS_PER_CALL);
    const response = await client.send(
      new PutEvaluationsCommand({
        Evaluations: batch,
        ResultToken: resultToken,
        ...(testMode ? { TestMode: true } : {}),
      }),
    );
    const failed = response.FailedEvaluations ?? [];
    if (failed.length > 0) {
      const which = failed
        .map((e) => `${e.ComplianceResourceType}/${e.ComplianceResourceId}`)
        .join(', ');
      throw new EvaluationNotAcceptedError(
        `AWS Config did not accept ${failed.length} evaluation${failed.length === 1 ? '' : 's'}: ${which}. ` +
          'Check that the result token is current and the resource type is AWS::::Account, then re-evaluate the rule.',
      );
    }
  }
}
