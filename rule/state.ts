import * as z from 'zod';

/**
 * The trail-state model (docs/design.md, "The trail-state model"): what one
 * read of an account from one Region saw. It is plain JSON so that a snapshot written by the CLI can be
 * evaluated anywhere, offline, by the same code as the rule.
 *
 * Shapes follow the CloudTrail API responses (`DescribeTrails`,
 * `GetTrailStatus`, `GetEventSelectors`) with field names unchanged, so a
 * response can be pasted into a snapshot as it is.
 */

const fieldSelectorSchema = z.looseObject({
  Field: z.string(),
  Equals: z.array(z.string()).optional(),
  StartsWith: z.array(z.string()).optional(),
  EndsWith: z.array(z.string()).optional(),
  NotEquals: z.array(z.string()).optional(),
  NotStartsWith: z.array(z.string()).optional(),
  NotEndsWith: z.array(z.string()).optional(),
});
export type FieldSelector = z.infer<typeof fieldSelectorSchema>;

const advancedEventSelectorSchema = z.looseObject({
  Name: z.string().optional(),
  FieldSelectors: z.array(fieldSelectorSchema),
});
export type AdvancedEventSelector = z.infer<typeof advancedEventSelectorSchema>;

const dataResourceSchema = z.looseObject({
  Type: z.string().optional(),
  Values: z.array(z.string()).optional(),
});

const eventSelectorSchema = z.looseObject({
  ReadWriteType: z.enum(['ReadOnly', 'WriteOnly', 'All']).optional(),
  IncludeManagementEvents: z.boolean().optional(),
  DataResources: z.array(dataResourceSchema).optional(),
  ExcludeManagementEventSources: z.array(z.string()).optional(),
});
export type EventSelector = z.infer<typeof eventSelectorSchema>;

/** `GetEventSelectors` response, without `$metadata`. */
export const eventSelectorsSchema = z.looseObject({
  TrailARN: z.string().optional(),
  EventSelectors: z.array(eventSelectorSchema).optional(),
  AdvancedEventSelectors: z.array(advancedEventSelectorSchema).optional(),
});
export type EventSelectors = z.infer<typeof eventSelectorsSchema>;

/** `GetTrailStatus` response, without `$metadata`; timestamps as ISO strings. */
export const trailStatusSchema = z.looseObject({
  IsLogging: z.boolean().optional(),
  /** The error CloudTrail met delivering the last log file to the bucket (a bucket or key policy that refuses it, a bucket that is gone). */
  LatestDeliveryError: z.string().optional(),
  /** When CloudTrail last delivered a log file to the bucket. */
  LatestDeliveryTime: z.string().optional(),
  /** When logging was last started. */
  StartLoggingTime: z.string().optional(),
});
export type TrailStatus = z.infer<typeof trailStatusSchema>;

/** One entry of `DescribeTrails.trailList`. */
export const trailSchema = z.looseObject({
  Name: z.string().optional(),
  TrailARN: z.string(),
  HomeRegion: z.string().optional(),
  IsMultiRegionTrail: z.boolean().optional(),
  IsOrganizationTrail: z.boolean().optional(),
  IncludeGlobalServiceEvents: z.boolean().optional(),
  S3BucketName: z.string().optional(),
  S3KeyPrefix: z.string().optional(),
  SnsTopicName: z.string().optional(),
  SnsTopicARN: z.string().optional(),
  CloudWatchLogsLogGroupArn: z.string().optional(),
  CloudWatchLogsRoleArn: z.string().optional(),
  KmsKeyId: z.string().optional(),
  LogFileValidationEnabled: z.boolean().optional(),
  HasCustomEventSelectors: z.boolean().optional(),
  HasInsightSelectors: z.boolean().optional(),
});
export type Trail = z.infer<typeof trailSchema>;

/** An error a `Get*` call raised after the SDK's retries, by its API name. */
export const readErrorSchema = z.object({
  name: z.string(),
  message: z.string(),
});
export type ReadError = z.infer<typeof readErrorSchema>;

/**
 * The outcome of one `Get*` call for a trail: its response, the error it
 * raised, or absent when the reader did not need to make the call (the
 * trail's verdict did not depend on it).
 */
function readOutcome<T extends z.ZodType>(response: T) {
  return z.union([z.object({ response }).strict(), z.object({ error: readErrorSchema }).strict()]);
}

export const trailStateSchema = z
  .object({
    trail: trailSchema,
    status: readOutcome(trailStatusSchema).optional(),
    eventSelectors: readOutcome(eventSelectorsSchema).optional(),
  })
  .strict();
export type TrailState = z.infer<typeof trailStateSchema>;
export type ReadOutcome<T> = { response: T } | { error: ReadError };

export const accountTrailStateSchema = z
  .object({
    /** The account that was read: trails whose ARN names another account are organization trails. */
    accountId: z.string().regex(/^\d{12}$/, 'accountId must be a 12-digit AWS account ID'),
    /** The Region `DescribeTrails` was called in. */
    region: z.string().min(1),
    /** When the read finished (ISO 8601). */
    readAt: z.string().optional(),
    trails: z.array(trailStateSchema),
  })
  .strict();
export type AccountTrailState = z.infer<typeof accountTrailStateSchema>;

/** The account ID named in an ARN (`arn:partition:service:region:account:resource`). */
export function arnAccount(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account === undefined || account === '' ? undefined : account;
}

/** The Region named in an ARN. */
export function arnRegion(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region === undefined || region === '' ? undefined : region;
}

/** The Region a trail lives in: its `HomeRegion`, else the Region in its ARN. */
export function homeRegionOf(trail: Trail): string | undefined {
  return trail.HomeRegion ?? arnRegion(trail.TrailARN);
}

/** A trail whose ARN names another account: an organization trail seen from a member account. */
export function isOtherAccountTrail(trail: Trail, accountId: string): boolean {
  const owner = arnAccount(trail.TrailARN);
  return owner !== undefined && owner !== accountId;
}
