import { Logger } from '@aws-lambda-powertools/logger';
import type { AccountVerdict } from './evaluate';

/**
 * The rule's structured JSON logger. The level comes from
 * `POWERTOOLS_LOG_LEVEL` (INFO by default); credentials are never logged.
 */
export const logger = new Logger({ serviceName: 'cloudtrail-multi-region-rule' });

/**
 * Logs the verdict with all its evidence at INFO: for every trail, each
 * requirement's outcome and why, the full coverage of its selectors, and
 * notes. This is where the details that do not fit the annotation go.
 */
export function logVerdict(verdict: AccountVerdict): void {
  logger.info('CloudTrail.1 verdict', {
    compliance: verdict.compliance,
    ...(verdict.compliance === 'UNDECIDED'
      ? { reason: verdict.reason }
      : { annotation: verdict.annotation }),
    trails: verdict.trails.map((t) => ({
      arn: t.arn,
      homeRegion: t.homeRegion,
      otherAccount: t.otherAccount,
      outcome: t.outcome,
      requirements: t.requirements,
      coverage: t.coverage ?? null,
      notes: t.notes,
    })),
  });
}
