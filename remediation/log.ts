import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The remediation's structured JSON logger: each step it runs and the
 * verdicts before and after at INFO. The level comes from
 * `POWERTOOLS_LOG_LEVEL`; credentials are never logged.
 */
export const logger = new Logger({ serviceName: 'cloudtrail-multi-region-remediation' });
