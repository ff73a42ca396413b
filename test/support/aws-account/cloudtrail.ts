import type { GetEventSelectorsResponse, Trail } from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import { type AwsFault, fault, validated } from './errors';
import { type AccountKey, findKey, keyArn } from './kms';
import { policyAllows } from './policy';
import type { AccountBucket } from './s3';

/**
 * CloudTrail for one account, as CloudTrail answers from each Region:
 * home trails, shadow copies of
 * multi-Region and organization trails. Writes change the account at once
 * (no eventual consistency, so a caller that verifies never has to wait)
 * and check what CloudTrail checks: a trail is changed only from its home
 * Region and only by its owner; `UpdateTrail` changes only the fields given;
 * `PutEventSelectors` replaces the selectors, basic or advanced; a new trail
 * needs a free name in its Region, a bucket whose policy lets CloudTrail
 * deliver for that trail (`aws:SourceArn`), a key (if given) whose policy
 * lets CloudTrail generate data keys for it, and logs nothing until
 * `StartLogging`; a CloudWatch Logs log group comes with the role that
 * delivers to it. Tags (`CreateTrail`'s `TagsList`, `AddTags`, `ListTags`)
 * are reached by trail ARN only, of the caller's account and Region, at
 * most 50 a trail.
 */

/** A `DescribeTrails` entry as CloudTrail returns it; the model needs these fields set. */
export type TrailEntry = Trail & {
  Name: string;
  TrailARN: string;
  HomeRegion: string;
  IsMultiRegionTrail: boolean;
};

/** `GetTrailStatus` on the wire: timestamps are epoch seconds. */
export interface TrailStatusWire {
  IsLogging: boolean;
  LatestDeliveryTime?: number;
  StartLoggingTime?: number;
  StopLoggingTime?: number;
  LatestNotificationTime?: number;
  LatestDigestDeliveryTime?: number;
  LatestCloudWatchLogsDeliveryTime?: number;
  LatestDeliveryAttemptTime?: string;
  LatestNotificationAttemptTime?: string;
  LatestDeliveryAttemptSucceeded?: string;
  LatestNotificationAttemptSucceeded?: string;
  TimeLoggingStarted?: string;
  TimeLoggingStopped?: string;
}

/** Five minutes before this module was loaded, in epoch seconds: a logging trail delivers every few minutes. */
const RECENT_DELIVERY = Math.floor(Date.now() / 1000) - 300;

/**
 * `GetTrailStatus` of a trail that is logging and delivering, on the wire
 * (timestamps in epoch seconds). Its last delivery is recent, relative to
 * when the tests run, so the rule, which judges delivery against the time of
 * its read, finds it delivering.
 */
export const LOGGING: TrailStatusWire = {
  IsLogging: true,
  LatestDeliveryTime: RECENT_DELIVERY,
  StartLoggingTime: 1735689600.0,
  LatestDeliveryAttemptTime: '2026-03-02T04:00:00Z',
  LatestNotificationAttemptTime: '',
  LatestNotificationAttemptSucceeded: '',
  LatestDeliveryAttemptSucceeded: '2026-03-02T04:00:00Z',
  TimeLoggingStarted: '2025-01-01T00:00:00Z',
  TimeLoggingStopped: '',
};

/** `GetTrailStatus` of a trail whose logging was stopped. */
export const STOPPED: TrailStatusWire = {
  IsLogging: false,
  StartLoggingTime: 1735689600.0,
  StopLoggingTime: 1772000000.0,
  TimeLoggingStarted: '2025-01-01T00:00:00Z',
  TimeLoggingStopped: '2026-02-25T06:13:20Z',
};

/** A trail's tag; CloudTrail keeps a key given without a value, valueless. */
export interface TrailTag {
  Key: string;
  Value?: string;
}

export interface AccountTrail {
  trail: TrailEntry;
  status: TrailStatusWire;
  /** What the owning account reads with `GetEventSelectors`. */
  eventSelectors: GetEventSelectorsResponse;
  /** What the owning account reads with `ListTags`; none unless given. */
  tags?: TrailTag[];
}

/** What CloudTrail needs to see of the account: its trails, and the buckets and keys it delivers with. */
export interface CloudTrailWorld {
  accountId: string;
  trails: AccountTrail[];
  buckets: AccountBucket[];
  keys: AccountKey[];
}

export type CloudTrailOperation =
  | 'DescribeTrails'
  | 'GetTrailStatus'
  | 'GetEventSelectors'
  | 'UpdateTrail'
  | 'PutEventSelectors'
  | 'StartLogging'
  | 'CreateTrail'
  | 'AddTags'
  | 'ListTags';

export const CLOUDTRAIL_OPERATIONS: Record<string, CloudTrailOperation> = {
  'CloudTrail_20131101.DescribeTrails': 'DescribeTrails',
  'CloudTrail_20131101.GetTrailStatus': 'GetTrailStatus',
  'CloudTrail_20131101.GetEventSelectors': 'GetEventSelectors',
  'CloudTrail_20131101.UpdateTrail': 'UpdateTrail',
  'CloudTrail_20131101.PutEventSelectors': 'PutEventSelectors',
  'CloudTrail_20131101.StartLogging': 'StartLogging',
  'CloudTrail_20131101.CreateTrail': 'CreateTrail',
  'CloudTrail_20131101.AddTags': 'AddTags',
  'CloudTrail_20131101.ListTags': 'ListTags',
};

const describeTrailsSchema = z
  .object({
    trailNameList: z.array(z.string()).optional(),
    includeShadowTrails: z.boolean().optional(),
  })
  .strict();
const nameSchema = z.object({ Name: z.string().min(1) }).strict();
const trailNameSchema = z.object({ TrailName: z.string().min(1) }).strict();

/** The trail settings `CreateTrail` and `UpdateTrail` share. */
const trailSettings = {
  S3KeyPrefix: z.string().optional(),
  SnsTopicName: z.string().optional(),
  IncludeGlobalServiceEvents: z.boolean().optional(),
  IsMultiRegionTrail: z.boolean().optional(),
  EnableLogFileValidation: z.boolean().optional(),
  CloudWatchLogsLogGroupArn: z.string().optional(),
  CloudWatchLogsRoleArn: z.string().optional(),
  KmsKeyId: z.string().optional(),
  IsOrganizationTrail: z.boolean().optional(),
};
const updateTrailSchema = z
  .object({ Name: z.string().min(1), S3BucketName: z.string().optional(), ...trailSettings })
  .strict();
const tagsListSchema = z
  .array(z.object({ Key: z.string(), Value: z.string().optional() }).strict())
  .optional();
const createTrailSchema = z
  .object({
    Name: z.string().min(1),
    S3BucketName: z.string().min(1),
    ...trailSettings,
    TagsList: tagsListSchema,
  })
  .strict();
const addTagsSchema = z
  .object({ ResourceId: z.string().min(1), TagsList: tagsListSchema })
  .strict();
const listTagsSchema = z
  .object({
    ResourceIdList: z.array(z.string()).max(20),
    NextToken: z.string().optional(),
  })
  .strict();

const values = z.array(z.string().min(1)).min(1).optional();
const putEventSelectorsSchema = z
  .object({
    TrailName: z.string().min(1),
    EventSelectors: z
      .array(
        z
          .object({
            ReadWriteType: z.enum(['ReadOnly', 'WriteOnly', 'All']).optional(),
            IncludeManagementEvents: z.boolean().optional(),
            DataResources: z
              .array(
                z
                  .object({ Type: z.string().optional(), Values: z.array(z.string()).optional() })
                  .strict(),
              )
              .optional(),
            ExcludeManagementEventSources: z.array(z.string()).optional(),
          })
          .strict(),
      )
      .optional(),
    AdvancedEventSelectors: z
      .array(
        z
          .object({
            Name: z.string().optional(),
            FieldSelectors: z
              .array(
                z
                  .object({
                    Field: z.string().min(1),
                    Equals: values,
                    StartsWith: values,
                    EndsWith: values,
                    NotEquals: values,
                    NotStartsWith: values,
                    NotEndsWith: values,
                  })
                  .strict(),
              )
              .min(1),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();
type PutEventSelectorsInput = z.infer<typeof putEventSelectorsSchema>;

/** Fields an advanced selector may test (CloudTrail API reference, AdvancedFieldSelector). */
const ADVANCED_FIELDS = new Set([
  'eventCategory',
  'eventSource',
  'eventName',
  'eventType',
  'readOnly',
  'resources.type',
  'resources.ARN',
  'errorCode',
  'sessionCredentialFromConsole',
  'userIdentity.arn',
  'vpcEndpointId',
]);
/** Of those, the ones a management-events selector may test. */
const MANAGEMENT_FIELDS = new Set(['eventCategory', 'readOnly', 'eventSource']);
const MAX_BASIC_SELECTORS = 5;
const MAX_BASIC_DATA_VALUES = 250;
const MAX_ADVANCED_VALUES = 500;
const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;
const MAX_TAGS = 50;
/** What a tag key or value may hold (CloudTrail API reference, InvalidTagParameterException). */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TRAIL_ARN = /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):trail\/(.+)$/;

/** The selectors CloudTrail gives a new trail: every management event, read and write. */
const DEFAULT_SELECTORS: GetEventSelectorsResponse = {
  EventSelectors: [
    {
      ReadWriteType: 'All',
      IncludeManagementEvents: true,
      DataResources: [],
      ExcludeManagementEventSources: [],
    },
  ],
};

/** Answers one CloudTrail call from `region`, changing `world` for a write. */
export function answerCloudTrail(
  operation: CloudTrailOperation,
  region: string,
  body: Record<string, unknown>,
  world: CloudTrailWorld,
): Record<string, unknown> {
  switch (operation) {
    case 'DescribeTrails':
      return describeTrails(world, region, validated(describeTrailsSchema, body));
    case 'GetTrailStatus': {
      const { Name } = validated(nameSchema, body);
      return { ...findTrail(world, Name, region, 'status').status };
    }
    case 'GetEventSelectors': {
      const { TrailName } = validated(trailNameSchema, body);
      const found = findTrail(world, TrailName, region, 'selectors');
      if (arnAccount(found.trail.TrailARN) !== world.accountId) {
        // A member account does not see the selectors of its organization's trail.
        throw unknownTrail(world, TrailName, region);
      }
      return { TrailARN: found.trail.TrailARN, ...found.eventSelectors };
    }
    case 'UpdateTrail':
      return updateTrail(world, region, validated(updateTrailSchema, body));
    case 'PutEventSelectors':
      return putEventSelectors(world, region, validated(putEventSelectorsSchema, body));
    case 'StartLogging': {
      const { Name } = validated(nameSchema, body);
      const found = trailToChange(world, Name, region);
      const now = new Date();
      found.status = {
        ...found.status,
        IsLogging: true,
        StartLoggingTime: Math.floor(now.getTime() / 1000),
        TimeLoggingStarted: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      };
      return {};
    }
    case 'CreateTrail':
      return createTrail(world, region, validated(createTrailSchema, body));
    case 'AddTags': {
      const { ResourceId, TagsList } = validated(addTagsSchema, body);
      const found = taggedTrail(world, region, ResourceId);
      const given = checkTags(TagsList ?? []);
      // A key already there takes the new value; the rest are added after.
      const tags = (found.tags ?? []).map((old) => given.find((t) => t.Key === old.Key) ?? old);
      tags.push(...given.filter((t) => !tags.some((old) => old.Key === t.Key)));
      if (tags.length > MAX_TAGS) throw tagsLimitExceeded();
      if (tags.length > 0) found.tags = tags;
      return {};
    }
    case 'ListTags': {
      const { ResourceIdList } = validated(listTagsSchema, body);
      return {
        ResourceTagList: ResourceIdList.map((arn) => ({
          ResourceId: arn,
          TagsList: structuredClone(taggedTrail(world, region, arn).tags ?? []),
        })),
      };
    }
  }
}

/**
 * The trail a tag operation names, by ARN only: CloudTrail refuses a name,
 * another account's ARN (an organization trail) and another Region's (a
 * shadow trail) as invalid ARNs, and a trail it does not have as not found.
 */
function taggedTrail(world: CloudTrailWorld, region: string, arn: string): AccountTrail {
  const [, arnRegion, account] = TRAIL_ARN.exec(arn) ?? [];
  if (arnRegion === undefined || account === undefined) {
    throw fault(
      'CloudTrailARNInvalidException',
      `Invalid trail ARN: ${arn}. The format of a trail ARN is arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail.`,
    );
  }
  if (account !== world.accountId) {
    throw fault(
      'CloudTrailARNInvalidException',
      `AccountID in ARN is wrong, you can only access resources with AccountID ${world.accountId}.`,
    );
  }
  if (arnRegion !== region) {
    throw fault(
      'CloudTrailARNInvalidException',
      `Region in ARN is wrong, you can only access resources in region ${region}.`,
    );
  }
  const found = world.trails.find((t) => t.trail.TrailARN === arn);
  if (found === undefined) {
    throw fault('ResourceNotFoundException', `Resource not found: ${arn}`);
  }
  return found;
}

/** Tags as CloudTrail takes them: keys of 1 to 128 characters, values up to 256, unique keys. */
function checkTags(tags: readonly TrailTag[]): TrailTag[] {
  const keys = new Set<string>();
  for (const { Key, Value } of tags) {
    const valid =
      [...Key].length >= 1 &&
      [...Key].length <= 128 &&
      TAG_CHARACTERS.test(Key) &&
      !Key.toLowerCase().startsWith('aws:') &&
      (Value === undefined || ([...Value].length <= 256 && TAG_CHARACTERS.test(Value)));
    if (!valid || keys.has(Key)) {
      throw fault(
        'InvalidTagParameterException',
        `The tag key or value is not valid, or the key is given more than once: ${Key}`,
      );
    }
    keys.add(Key);
  }
  if (tags.length > MAX_TAGS) throw tagsLimitExceeded();
  return tags.map((t) => ({ ...t }));
}

function tagsLimitExceeded(): AwsFault {
  return fault(
    'TagsLimitExceededException',
    `The number of tags per trail has exceeded the permitted amount. Currently, the limit is ${MAX_TAGS}.`,
  );
}

/** What `DescribeTrails` lists in a Region: its own trails, and shadows of the rest. */
function describeTrails(
  world: CloudTrailWorld,
  region: string,
  input: z.infer<typeof describeTrailsSchema>,
): Record<string, unknown> {
  const shadows = input.includeShadowTrails ?? true;
  const trailList = world.trails
    .map((t) => t.trail)
    .filter((t) => {
      const own = arnAccount(t.TrailARN) === world.accountId;
      const atHome = t.HomeRegion === region;
      // Shadow trails: copies of multi-Region trails outside their home Region, and
      // every organization trail of another account (CloudTrail lists them only with shadows).
      const shadow = own ? t.IsMultiRegionTrail && !atHome : t.IsMultiRegionTrail || atHome;
      return (own && atHome) || (shadows && shadow);
    })
    .filter(
      (t) =>
        input.trailNameList === undefined ||
        input.trailNameList.some((n) => n === t.Name || n === t.TrailARN),
    );
  return { trailList };
}

/**
 * Finds a trail the way CloudTrail resolves `Name` / `TrailName`: a name
 * means a trail homed in the calling Region; an ARN also reaches a shadow
 * trail for `GetTrailStatus`, but `GetEventSelectors` only answers in the
 * trail's home Region.
 */
function findTrail(
  world: CloudTrailWorld,
  nameOrArn: string,
  region: string,
  read: 'status' | 'selectors',
): AccountTrail {
  const isArn = nameOrArn.startsWith('arn:');
  const found = world.trails.find((t) =>
    isArn ? t.trail.TrailARN === nameOrArn : t.trail.Name === nameOrArn,
  );
  if (found === undefined) throw unknownTrail(world, nameOrArn, region);
  const atHome = found.trail.HomeRegion === region;
  const visibleHere = found.trail.IsMultiRegionTrail || atHome;
  if (!visibleHere || (!isArn && !atHome) || (read === 'selectors' && !atHome)) {
    throw unknownTrail(world, nameOrArn, region);
  }
  return found;
}

/**
 * The trail a write names, refused as CloudTrail refuses it: unknown here,
 * another account's (an organization trail, which a member account cannot
 * change), or not homed in the calling Region (a shadow trail).
 */
function trailToChange(world: CloudTrailWorld, nameOrArn: string, region: string): AccountTrail {
  const isArn = nameOrArn.startsWith('arn:');
  const named = world.trails.filter((t) =>
    isArn ? t.trail.TrailARN === nameOrArn : t.trail.Name === nameOrArn,
  );
  const found =
    named.find((t) => t.trail.HomeRegion === region) ??
    named.find((t) => t.trail.IsMultiRegionTrail);
  if (found === undefined) throw unknownTrail(world, nameOrArn, region);
  const owner = arnAccount(found.trail.TrailARN);
  if (owner !== world.accountId) {
    throw fault(
      'AccessDeniedException',
      `Account ${world.accountId} cannot change trail ${found.trail.TrailARN}: it belongs to account ${owner}, and member accounts cannot modify an organization trail.`,
    );
  }
  if (found.trail.HomeRegion !== region) {
    throw fault(
      'InvalidHomeRegionException',
      `The trail ${found.trail.TrailARN} can be changed only from its home Region, ${found.trail.HomeRegion}, not ${region}.`,
    );
  }
  return found;
}

function updateTrail(
  world: CloudTrailWorld,
  region: string,
  input: z.infer<typeof updateTrailSchema>,
): Record<string, unknown> {
  const found = trailToChange(world, input.Name, region);
  const next: TrailEntry = { ...found.trail };
  if (input.S3BucketName !== undefined) next.S3BucketName = input.S3BucketName;
  applySettings(world, region, next, input);
  if (input.S3BucketName !== undefined || input.S3KeyPrefix !== undefined) {
    checkDelivery(world, next);
  }
  if (input.KmsKeyId !== undefined && input.KmsKeyId !== '') {
    next.KmsKeyId = checkKey(world, input.KmsKeyId, next);
  }
  found.trail = next;
  return trailResponse(next);
}

function createTrail(
  world: CloudTrailWorld,
  region: string,
  input: z.infer<typeof createTrailSchema>,
): Record<string, unknown> {
  if (!TRAIL_NAME.test(input.Name)) {
    throw fault(
      'InvalidTrailNameException',
      'Trail name must starts with a letter or number, end with a letter or number, and contain only letters, numbers, periods, underscores, and dashes; between 3 and 128 characters.',
    );
  }
  const taken = world.trails.some(
    (t) =>
      arnAccount(t.trail.TrailARN) === world.accountId &&
      t.trail.Name === input.Name &&
      (t.trail.HomeRegion === region || t.trail.IsMultiRegionTrail),
  );
  if (taken) {
    throw fault(
      'TrailAlreadyExistsException',
      `Trail ${input.Name} already exists for customer: ${world.accountId}`,
    );
  }
  const trail: TrailEntry = {
    Name: input.Name,
    S3BucketName: input.S3BucketName,
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: false,
    HomeRegion: region,
    TrailARN: `arn:aws:cloudtrail:${region}:${world.accountId}:trail/${input.Name}`,
    LogFileValidationEnabled: false,
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
    IsOrganizationTrail: false,
  };
  applySettings(world, region, trail, input);
  checkDelivery(world, trail);
  if (input.KmsKeyId !== undefined && input.KmsKeyId !== '') {
    trail.KmsKeyId = checkKey(world, input.KmsKeyId, trail);
  }
  const tags = checkTags(input.TagsList ?? []);
  world.trails.push({
    trail,
    status: {
      IsLogging: false,
      LatestDeliveryAttemptTime: '',
      LatestNotificationAttemptTime: '',
      LatestNotificationAttemptSucceeded: '',
      LatestDeliveryAttemptSucceeded: '',
      TimeLoggingStarted: '',
      TimeLoggingStopped: '',
    },
    eventSelectors: structuredClone(DEFAULT_SELECTORS),
    ...(tags.length === 0 ? {} : { tags }),
  });
  return trailResponse(trail);
}

/** Applies the settings given, and only those; an empty string removes an optional setting. */
function applySettings(
  world: CloudTrailWorld,
  region: string,
  trail: TrailEntry,
  input: { [K in keyof typeof trailSettings]?: z.infer<(typeof trailSettings)[K]> },
): void {
  const optional = (
    field: 'S3KeyPrefix' | 'CloudWatchLogsLogGroupArn' | 'CloudWatchLogsRoleArn' | 'KmsKeyId',
    value: string | undefined,
  ) => {
    if (value === undefined) return;
    if (value === '') delete trail[field];
    else trail[field] = value;
  };
  const logGroup = input.CloudWatchLogsLogGroupArn;
  if (logGroup !== undefined && logGroup !== '' && (input.CloudWatchLogsRoleArn ?? '') === '') {
    // The role that delivers to a log group is given with it, each time.
    throw fault(
      'InvalidCloudWatchLogsRoleArnException',
      'You must specify a role ARN as well as a log group.',
    );
  }
  optional('S3KeyPrefix', input.S3KeyPrefix);
  optional('CloudWatchLogsLogGroupArn', input.CloudWatchLogsLogGroupArn);
  optional('CloudWatchLogsRoleArn', input.CloudWatchLogsRoleArn);
  optional('KmsKeyId', input.KmsKeyId);
  if (input.SnsTopicName === '') {
    delete trail.SnsTopicName;
    delete trail.SnsTopicARN;
  } else if (input.SnsTopicName !== undefined) {
    trail.SnsTopicName = input.SnsTopicName;
    trail.SnsTopicARN = input.SnsTopicName.startsWith('arn:')
      ? input.SnsTopicName
      : `arn:aws:sns:${region}:${world.accountId}:${input.SnsTopicName}`;
  }
  if (input.IncludeGlobalServiceEvents !== undefined) {
    trail.IncludeGlobalServiceEvents = input.IncludeGlobalServiceEvents;
  }
  if (input.IsMultiRegionTrail !== undefined) trail.IsMultiRegionTrail = input.IsMultiRegionTrail;
  if (input.EnableLogFileValidation !== undefined) {
    trail.LogFileValidationEnabled = input.EnableLogFileValidation;
  }
  if (input.IsOrganizationTrail === true) {
    throw fault(
      'NotOrganizationMasterAccountException',
      'This operation can be performed only by the management account of an organization.',
    );
  }
  if (trail.IsMultiRegionTrail && trail.IncludeGlobalServiceEvents === false) {
    throw fault(
      'InvalidParameterCombinationException',
      'Multi-Region trail must include global service events.',
    );
  }
}

/**
 * CloudTrail checks, when a trail is created or its bucket changes, that the
 * bucket policy lets it check the bucket ACL and write log files for this
 * trail (the request carries `aws:SourceArn` = the trail ARN).
 */
function checkDelivery(world: CloudTrailWorld, trail: TrailEntry): void {
  const name = trail.S3BucketName ?? '';
  const bucket = world.buckets.find((b) => b.name === name);
  if (bucket === undefined) {
    throw fault('S3BucketDoesNotExistException', `S3 bucket ${name} does not exist.`);
  }
  const bucketArn = `arn:aws:s3:::${name}`;
  const prefix = trail.S3KeyPrefix === undefined ? '' : `${trail.S3KeyPrefix}/`;
  const region = trail.HomeRegion;
  const context = {
    'aws:SourceArn': trail.TrailARN,
    'aws:SourceAccount': world.accountId,
    'aws:SecureTransport': 'true',
  };
  const principal = { Service: 'cloudtrail.amazonaws.com' };
  const aclCheck = policyAllows(bucket.policy, {
    principal,
    action: 's3:GetBucketAcl',
    resource: bucketArn,
    context,
  });
  const write = policyAllows(bucket.policy, {
    principal,
    action: 's3:PutObject',
    resource: `${bucketArn}/${prefix}AWSLogs/${world.accountId}/CloudTrail/${region}/2026/11/28/${world.accountId}_CloudTrail_${region}_20261128T0000Z_fake.json.gz`,
    context: { ...context, 's3:x-amz-acl': 'bucket-owner-full-control' },
  });
  if (!aclCheck || !write) {
    throw fault(
      'InsufficientS3BucketPolicyException',
      `Incorrect S3 bucket policy is detected for bucket: ${name}`,
    );
  }
}

/**
 * CloudTrail checks a KMS key given for a trail: it exists in the bucket's
 * Region, is enabled, and its policy lets CloudTrail generate data keys for
 * this trail. The trail records the key's ARN, whatever form was given.
 */
function checkKey(world: CloudTrailWorld, given: string, trail: TrailEntry): string {
  const bucketRegion =
    world.buckets.find((b) => b.name === trail.S3BucketName)?.region ?? trail.HomeRegion;
  const key = findKey(world.keys, given, bucketRegion, { aliases: true });
  if (key === undefined || key.region !== bucketRegion) {
    throw fault(
      'KmsKeyNotFoundException',
      `KMS key ${given} does not exist, or is not in the same Region as the S3 bucket ${trail.S3BucketName ?? ''}.`,
    );
  }
  const arn = keyArn(key);
  if ((key.keyState ?? 'Enabled') !== 'Enabled') {
    throw fault('KmsException', `KMS key ${arn} is not enabled.`);
  }
  const allowed = policyAllows(key.policy, {
    principal: { Service: 'cloudtrail.amazonaws.com' },
    action: 'kms:GenerateDataKey',
    resource: arn,
    context: {
      'aws:SourceArn': trail.TrailARN,
      'aws:SourceAccount': world.accountId,
      'kms:EncryptionContext:aws:cloudtrail:arn': trail.TrailARN,
    },
  });
  if (!allowed) {
    throw fault(
      'InsufficientEncryptionPolicyException',
      `Insufficient permissions to access S3 bucket ${trail.S3BucketName ?? ''} or KMS key ${arn}.`,
    );
  }
  return arn;
}

function putEventSelectors(
  world: CloudTrailWorld,
  region: string,
  input: PutEventSelectorsInput,
): Record<string, unknown> {
  const found = trailToChange(world, input.TrailName, region);
  const { EventSelectors: basic, AdvancedEventSelectors: advanced } = input;
  if (basic !== undefined && advanced !== undefined) {
    throw fault(
      'InvalidParameterCombinationException',
      'You cannot apply basic event selectors and advanced event selectors to a trail at the same time.',
    );
  }
  if (basic === undefined && advanced === undefined) {
    throw fault(
      'InvalidEventSelectorsException',
      'Specify either event selectors or advanced event selectors.',
    );
  }
  let selectors: GetEventSelectorsResponse;
  if (basic !== undefined) {
    checkBasic(basic);
    // CloudTrail stores basic selectors with every field filled in.
    selectors = {
      EventSelectors: basic.map((s) => ({
        ReadWriteType: s.ReadWriteType ?? 'All',
        IncludeManagementEvents: s.IncludeManagementEvents ?? true,
        DataResources: s.DataResources ?? [],
        ExcludeManagementEventSources: s.ExcludeManagementEventSources ?? [],
      })),
    };
  } else {
    checkAdvanced(advanced ?? []);
    selectors = { AdvancedEventSelectors: structuredClone(advanced) };
  }
  found.eventSelectors = selectors;
  found.trail = { ...found.trail, HasCustomEventSelectors: true };
  return { TrailARN: found.trail.TrailARN, ...structuredClone(selectors) };
}

function checkBasic(selectors: NonNullable<PutEventSelectorsInput['EventSelectors']>): void {
  if (selectors.length === 0 || selectors.length > MAX_BASIC_SELECTORS) {
    throw invalidSelectors(
      `A trail can have 1 to ${MAX_BASIC_SELECTORS} event selectors; got ${selectors.length}.`,
    );
  }
  const dataValues = selectors
    .flatMap((s) => s.DataResources ?? [])
    .reduce((sum, r) => sum + (r.Values ?? []).length, 0);
  if (dataValues > MAX_BASIC_DATA_VALUES) {
    throw invalidSelectors(
      `A trail can have up to ${MAX_BASIC_DATA_VALUES} data resource values; got ${dataValues}.`,
    );
  }
}

function checkAdvanced(
  selectors: NonNullable<PutEventSelectorsInput['AdvancedEventSelectors']>,
): void {
  if (selectors.length === 0) throw invalidSelectors('Specify at least one advanced selector.');
  let count = 0;
  for (const [index, selector] of selectors.entries()) {
    const category = selector.FieldSelectors.filter((f) => f.Field === 'eventCategory');
    const [only] = category;
    if (category.length !== 1 || only?.Equals === undefined) {
      throw invalidSelectors(
        `Advanced selector ${index + 1} must have exactly one eventCategory field with Equals.`,
      );
    }
    const management = only.Equals.includes('Management');
    for (const field of selector.FieldSelectors) {
      const allowed = management ? MANAGEMENT_FIELDS : ADVANCED_FIELDS;
      if (!allowed.has(field.Field)) {
        throw invalidSelectors(
          `Field ${field.Field} is not valid in advanced selector ${index + 1}${management ? ' for management events' : ''}.`,
        );
      }
      for (const list of [
        field.Equals,
        field.StartsWith,
        field.EndsWith,
        field.NotEquals,
        field.NotStartsWith,
        field.NotEndsWith,
      ]) {
        count += list?.length ?? 0;
      }
    }
  }
  if (count > MAX_ADVANCED_VALUES) {
    throw invalidSelectors(
      `Advanced selectors can have up to ${MAX_ADVANCED_VALUES} values in all; got ${count}.`,
    );
  }
}

function invalidSelectors(message: string): AwsFault {
  return fault('InvalidEventSelectorsException', message);
}

/** `CreateTrail` / `UpdateTrail` answer with the trail's settings. */
function trailResponse(trail: TrailEntry): Record<string, unknown> {
  const {
    HomeRegion: _home,
    HasCustomEventSelectors: _custom,
    HasInsightSelectors: _insights,
    ...settings
  } = trail;
  return settings;
}

/** CloudTrail's answer for a trail it cannot find from this caller and Region. */
function unknownTrail(world: CloudTrailWorld, nameOrArn: string, region: string): AwsFault {
  const name = nameOrArn.startsWith('arn:') ? nameOrArn.split('/').pop() : nameOrArn;
  const asSeenHere = `arn:aws:cloudtrail:${region}:${world.accountId}:trail/${name}`;
  return fault(
    'TrailNotFoundException',
    `Unknown trail: ${nameOrArn.startsWith('arn:') ? nameOrArn : asSeenHere} for the user: ${world.accountId}`,
  );
}

function arnAccount(arn: string): string | undefined {
  return arn.split(':')[4];
}
