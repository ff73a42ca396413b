import type { ComplianceType, EvaluationResult } from '@aws-sdk/client-config-service';
import type { PolicyStatement } from '../../remediation/policies';
import type {
  AccountTrailState,
  AdvancedEventSelector,
  EventSelector,
  EventSelectors,
  Trail,
  TrailState,
} from '../../rule/state';

/** The account every fixture reads; trails of other accounts are organization trails. */
export const ACCOUNT = '111122223333';
export const MANAGEMENT_ACCOUNT = '999988887777';

/**
 * The one statement of the key policy KMS gives a key created without one
 * (AWS KMS Developer Guide, "Default key policy"): the account may do
 * anything with the key, through IAM.
 */
export const ROOT_KEY_STATEMENT: PolicyStatement = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 'kms:*',
  Resource: '*',
};

/** The key policy KMS gives a key created without one, as `GetKeyPolicy` returns it. */
export const DEFAULT_KEY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Id: 'key-default-1',
  Statement: [ROOT_KEY_STATEMENT],
});

/**
 * A `DescribeTrails` trailList entry, shaped as the CloudTrail API returns it
 * for a multi-Region trail in us-east-1 delivering to an S3 bucket, owned by
 * `owner` (an organization trail when that is not {@link ACCOUNT}).
 */
export function trail<T extends Partial<Trail>>(
  overrides: T = {} as T,
  owner = overrides.TrailARN?.split(':')[4] ?? ACCOUNT,
): Trail & { Name: string; TrailARN: string; HomeRegion: string; IsMultiRegionTrail: boolean } {
  const name = overrides.Name ?? 'management-events';
  const region = overrides.HomeRegion ?? 'us-east-1';
  return {
    Name: name,
    S3BucketName: `aws-cloudtrail-logs-${owner}-3b5c1e2f`,
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: true,
    HomeRegion: region,
    TrailARN: `arn:aws:cloudtrail:${region}:${owner}:trail/${name}`,
    LogFileValidationEnabled: true,
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
    IsOrganizationTrail: owner !== ACCOUNT,
    ...overrides,
  };
}

/** An organization trail owned by the management account, as a member account sees it. */
export function organizationTrail(overrides: Partial<Trail> = {}): Trail {
  return trail({
    Name: 'org-trail',
    TrailARN: `arn:aws:cloudtrail:us-east-1:${MANAGEMENT_ACCOUNT}:trail/org-trail`,
    S3BucketName: 'aws-controltower-logs-999988887777-us-east-1',
    IsOrganizationTrail: true,
    ...overrides,
  });
}

/** Five minutes before this module was loaded: a logging trail delivers every few minutes. */
const RECENT_DELIVERY = new Date(Date.now() - 5 * 60_000).toISOString();

/**
 * A `GetTrailStatus` response (without `$metadata`), timestamps as ISO
 * strings. Its last delivery is recent, relative to when the tests run, so
 * a logging trail is also delivering.
 */
export function status(isLogging = true): { IsLogging: boolean; [key: string]: unknown } {
  return {
    IsLogging: isLogging,
    LatestDeliveryTime: RECENT_DELIVERY,
    StartLoggingTime: '2026-01-05T09:12:44.000Z',
    ...(isLogging ? {} : { StopLoggingTime: '2026-11-20T16:01:03.000Z' }),
    LatestDeliveryAttemptTime: '2026-11-27T23:55:12Z',
    LatestNotificationAttemptTime: '',
    LatestNotificationAttemptSucceeded: '',
    LatestDeliveryAttemptSucceeded: '2026-11-27T23:55:12Z',
    TimeLoggingStarted: '2026-01-05T09:12:44Z',
    TimeLoggingStopped: isLogging ? '' : '2026-11-20T16:01:03Z',
  };
}

/** The basic selector CloudTrail gives a trail created with default settings. */
export function basicSelector(overrides: Partial<EventSelector> = {}): EventSelector {
  return {
    ReadWriteType: 'All',
    IncludeManagementEvents: true,
    DataResources: [],
    ExcludeManagementEventSources: [],
    ...overrides,
  };
}

/** An advanced selector logging every management event, as the console creates it. */
export function managementSelector(
  extra: AdvancedEventSelector['FieldSelectors'] = [],
  name = 'Management events selector',
): AdvancedEventSelector {
  return {
    Name: name,
    FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, ...extra],
  };
}

/** An advanced selector for S3 object data events (it logs no management events). */
export const s3DataSelector: AdvancedEventSelector = {
  Name: 'S3 data events',
  FieldSelectors: [
    { Field: 'eventCategory', Equals: ['Data'] },
    { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
  ],
};

export function basicSelectors(trailArn: string, selectors: EventSelector[]): EventSelectors {
  return { TrailARN: trailArn, EventSelectors: selectors };
}

export function advancedSelectors(
  trailArn: string,
  selectors: AdvancedEventSelector[],
): EventSelectors {
  return { TrailARN: trailArn, AdvancedEventSelectors: selectors };
}

/** A trail read fully: logging, with the default basic selector unless told otherwise. */
export function readTrail(
  t: Trail,
  options: { logging?: boolean; selectors?: EventSelectors } = {},
): TrailState {
  return {
    trail: t,
    status: { response: status(options.logging ?? true) },
    eventSelectors: {
      response: options.selectors ?? basicSelectors(t.TrailARN, [basicSelector()]),
    },
  };
}

export function accountState(trails: TrailState[], region = 'us-east-1'): AccountTrailState {
  return { accountId: ACCOUNT, region, readAt: '2026-11-28T00:00:00.000Z', trails };
}

/** A scheduled notification event exactly as AWS Config invokes a periodic custom rule. */
export function scheduledEvent(
  overrides: Record<string, unknown> = {},
  ruleParameters?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    version: '1.0',
    invokingEvent: JSON.stringify({
      awsAccountId: ACCOUNT,
      notificationCreationTime: '2026-11-28T06:00:00.123Z',
      messageType: 'ScheduledNotification',
      recordVersion: '1.0',
    }),
    ...(ruleParameters ? { ruleParameters: JSON.stringify(ruleParameters) } : {}),
    resultToken: 'eyJlbmNyeXB0ZWREYXRhIjpbLTEyLDU0XX0=',
    eventLeftScope: false,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
    configRuleArn: `arn:aws:config:us-east-1:${ACCOUNT}:config-rule/config-rule-a1b2c3`,
    configRuleName: 'cloudtrail-multi-region-enabled',
    configRuleId: 'config-rule-a1b2c3',
    accountId: ACCOUNT,
    evaluationMode: 'DETECTIVE',
    ...overrides,
  };
}

/** A configuration item change notification for a trail, as AWS Config sends it. */
export function trailChangeEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return scheduledEvent({
    invokingEvent: JSON.stringify({
      configurationItemDiff: { changedProperties: {}, changeType: 'UPDATE' },
      configurationItem: {
        relatedEvents: [],
        relationships: [],
        configuration: { name: 'management-events', isMultiRegionTrail: true },
        supplementaryConfiguration: {},
        tags: {},
        configurationItemVersion: '1.3',
        configurationItemCaptureTime: '2026-11-28T05:41:07.511Z',
        configurationStateId: 1732772467511,
        awsAccountId: ACCOUNT,
        configurationItemStatus: 'OK',
        resourceType: 'AWS::CloudTrail::Trail',
        resourceId: 'management-events',
        resourceName: 'management-events',
        ARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management-events`,
        awsRegion: 'us-east-1',
        availabilityZone: 'Not Applicable',
        configurationStateMd5Hash: '',
      },
      notificationCreationTime: '2026-11-28T05:42:00.001Z',
      messageType: 'ConfigurationItemChangeNotification',
      recordVersion: '1.3',
    }),
    ...overrides,
  });
}

/** An oversized configuration item change notification for a trail. */
export function oversizedTrailChangeEvent(): Record<string, unknown> {
  return scheduledEvent({
    invokingEvent: JSON.stringify({
      configurationItemSummary: {
        changeType: 'UPDATE',
        configurationItemVersion: '1.3',
        configurationItemCaptureTime: '2026-11-28T05:43:09.002Z',
        configurationStateId: 1732772589002,
        awsAccountId: ACCOUNT,
        configurationItemStatus: 'OK',
        resourceType: 'AWS::CloudTrail::Trail',
        resourceId: 'management-events',
        resourceName: 'management-events',
        ARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management-events`,
        awsRegion: 'us-east-1',
        availabilityZone: 'Not Applicable',
        configurationStateMd5Hash: '',
        resourceCreationTime: '2026-01-05T09:12:40.000Z',
      },
      s3DeliverySummary: { s3BucketLocation: 'config-bucket/oversized/ci.json' },
      notificationCreationTime: '2026-11-28T05:44:00.000Z',
      messageType: 'OversizedConfigurationItemChangeNotification',
      recordVersion: '1.0',
    }),
  });
}

/** The rule name {@link scheduledEvent} names (`configRuleName`). */
export const EVENT_RULE_NAME = 'cloudtrail-multi-region-enabled';

/**
 * One `EvaluationResults` entry of `GetComplianceDetailsByConfigRule`, as
 * the SDK returns it (timestamps as `Date`): the rule's evaluation of the
 * account, recorded at `recorded` (AWS Config API Reference,
 * "EvaluationResult" and "EvaluationResultIdentifier").
 */
export function accountEvaluationResult(
  recorded: Date,
  overrides: { ComplianceType?: ComplianceType; Annotation?: string; ResourceId?: string } = {},
): EvaluationResult {
  const ordering = new Date(recorded.getTime() - 40_000);
  return {
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: {
        ConfigRuleName: EVENT_RULE_NAME,
        ResourceType: 'AWS::::Account',
        ResourceId: overrides.ResourceId ?? ACCOUNT,
        EvaluationMode: 'DETECTIVE',
      },
      OrderingTimestamp: ordering,
    },
    ComplianceType: overrides.ComplianceType ?? 'COMPLIANT',
    ResultRecordedTime: recorded,
    ConfigRuleInvokedTime: new Date(ordering.getTime() + 2_000),
    Annotation:
      overrides.Annotation ??
      'Trail management-events (us-east-1) is multi-Region, logging and records read and write management events from every source.',
  };
}
