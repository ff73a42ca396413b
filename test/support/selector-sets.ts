import type { AdvancedEventSelector, EventSelector, EventSelectors } from '../../rule/state';

/**
 * Short builders for `GetEventSelectors` responses, shaped as the CloudTrail
 * API reference gives them (without `$metadata`), for the selector coverage
 * and selector repair specifications.
 */

export const TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events';

export const basic = (...selectors: EventSelector[]): EventSelectors => ({
  TrailARN: TRAIL_ARN,
  EventSelectors: selectors,
});

export const advanced = (...selectors: AdvancedEventSelector[]): EventSelectors => ({
  TrailARN: TRAIL_ARN,
  AdvancedEventSelectors: selectors,
});

/** A basic selector for management events only, with the kinds and exclusions given. */
export const managementSelector = (
  readWriteType: 'All' | 'ReadOnly' | 'WriteOnly',
  excluded: string[] = [],
): EventSelector => ({
  ReadWriteType: readWriteType,
  IncludeManagementEvents: true,
  DataResources: [],
  ExcludeManagementEventSources: excluded,
});
