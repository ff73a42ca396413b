import {
  type ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
} from '@aws-sdk/client-config-service';
import { ACCOUNT_RESOURCE_TYPE } from './report';
import type { LastEvaluation } from './undecided';

/** Pages of `GetComplianceDetailsByConfigRule` read at most: the rule evaluates one resource, the account. */
export const MAX_HISTORY_PAGES = 10;

/**
 * The rule's own latest evaluation of the account, as AWS Config recorded
 * it, or `undefined` when Config holds none. This is where the rule learns
 * when it last decided: Config records each evaluation with the time it was
 * recorded (`ResultRecordedTime`), and nothing in the account but the rule's
 * own `PutEvaluations` (with a result token only Config hands out) writes one.
 * Errors are thrown as the SDK raises them.
 */
export async function latestEvaluation(
  client: ConfigServiceClient,
  ruleName: string,
  accountId: string,
): Promise<LastEvaluation | undefined> {
  let latest: LastEvaluation | undefined;
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const response = await client.send(
      new GetComplianceDetailsByConfigRuleCommand({
        ConfigRuleName: ruleName,
        // Every type the filter takes: without it, a result of any kind counts as the last one.
        ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'],
        Limit: 100,
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      }),
    );
    for (const result of response.EvaluationResults ?? []) {
      const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
      if (qualifier?.ResourceType !== ACCOUNT_RESOURCE_TYPE || qualifier.ResourceId !== accountId) {
        continue;
      }
      const recorded = result.ResultRecordedTime;
      if (recorded === undefined || Number.isNaN(recorded.getTime())) continue;
      if (latest !== undefined && latest.resultRecordedTime >= recorded) continue;
      latest = {
        complianceType: result.ComplianceType ?? 'INSUFFICIENT_DATA',
        resultRecordedTime: recorded,
        ...(result.Annotation === undefined ? {} : { annotation: result.Annotation }),
      };
    }
    nextToken = response.NextToken;
    if (nextToken === undefined || nextToken === '') break;
  }
  return latest;
}
