import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The rule's structured JSON logger. The level comes from
 * `POWERTOOLS_LOG_LEVEL` (INFO by default); credentials are never logged.
 */
export const logger = new Logger({ serviceName: 'cloudtrail-multi-region-rule' });
