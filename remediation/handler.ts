import { EnvironmentError } from '../rule/errors';
import { DEFAULT_PARAMETERS, parseRuleParameters } from '../rule/parameters';
import { remediationClients } from './clients';
import { InvalidRemediationInputError } from './errors';
import { REMEDIATION_INPUT_FIELDS, remediationInputSchema } from './input';
import { logger } from './log';
import { type RemediationDependencies, type RemediationResult, remediate } from './remediate';

/**
 * The remediation Lambda entry point, invoked by the SSM Automation
 * document: parse the input → read → plan → apply → verify. It throws on
 * any failure, so the Automation step (and the remediation in the Config
 * console) fails with the message.
 */
export function createRemediationHandler(dependencies: () => RemediationDependencies) {
  return async (event: unknown): Promise<RemediationResult> => {
    const parsed = remediationInputSchema.safeParse(event);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => {
        const field = issue.path.join('.') || 'input';
        return issue.code === 'unrecognized_keys'
          ? `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}: accepted fields are ${REMEDIATION_INPUT_FIELDS.join(', ')}`
          : `${field} ${issue.message}`;
      });
      throw new InvalidRemediationInputError(
        `Invalid remediation input: ${problems.join('; ')}. Nothing was changed.`,
      );
    }
    try {
      return await remediate(parsed.data, dependencies());
    } catch (error) {
      logger.error('Remediation failed', error as Error);
      throw error;
    }
  };
}

/**
 * What the Lambda runs with: SDK clients, its Region (`AWS_REGION`), and the
 * rule's parameters, which the stack passes as `RULE_PARAMETERS` (the same
 * JSON as the Config rule's input parameters) so that "compliant" means what
 * the rule means, and the deployment's `kmsKeyId` as `KMS_KEY_ID` (empty when
 * none), the only key a request may name. Bad parameters are refused here,
 * before any call.
 */
export function defaultDependencies(env: NodeJS.ProcessEnv = process.env): RemediationDependencies {
  const region = env.AWS_REGION;
  if (region === undefined || region === '') {
    throw new EnvironmentError(
      'AWS_REGION is not set: run the remediation in AWS Lambda, or set AWS_REGION to the Region to remediate from.',
    );
  }
  const parameters = env.RULE_PARAMETERS
    ? parseRuleParameters(env.RULE_PARAMETERS)
    : DEFAULT_PARAMETERS;
  const { sts, ...clients } = remediationClients();
  const configuredKmsKeyId = env.KMS_KEY_ID ? { configuredKmsKeyId: env.KMS_KEY_ID } : {};
  const trusted = (env.TRUSTED_LOG_ACCOUNT_IDS ?? '').split(',').filter((id) => id !== '');
  return {
    clients,
    sts,
    region,
    parameters,
    ...configuredKmsKeyId,
    ...(env.LOG_BUCKET_SUFFIX ? { bucketSuffix: env.LOG_BUCKET_SUFFIX } : {}),
    configuredTrustedLogAccountIds: trusted,
  };
}

let defaults: RemediationDependencies | undefined;

/** The Lambda entry point. Clients are created once per execution environment. */
export const handler = createRemediationHandler(() => {
  defaults ??= defaultDependencies();
  return defaults;
});
