import {
  AddTagsCommand,
  CloudTrailClient,
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  DescribeConfigRulesCommand,
  DescribeRemediationConfigurationsCommand,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type LifecycleRule,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  type AwsAccount,
  accountState,
  cloudTrail1Finding,
  deployedConfig,
  type Fault,
  isWrite,
  LOG_DELIVERY_GROUP,
  LOGGING,
  OPERATIONS,
  type Operation,
  type Service,
  STOPPED,
} from '../support/aws-account/model';
import {
  type AccountEndpoint,
  FAKE_ACCESS_KEY_ID,
  FAKE_SECRET_ACCESS_KEY,
  startAccountEndpoint,
} from '../support/aws-account/serve-http';
import { mockAccount } from '../support/aws-account/serve-sdk-mock';
import {
  ACCOUNT,
  basicSelector,
  MANAGEMENT_ACCOUNT,
  managementSelector,
  organizationTrail,
  ROOT_KEY_STATEMENT,
  s3DataSelector,
  trail,
} from '../support/fixtures';

/*
 * The account model is served two ways: behind aws-sdk-client-mock for the
 * unit tests and over HTTP, in each service's wire protocol, for the bundled
 * functions. Both must answer alike, or a unit test and an end-to-end test
 * would describe two different AWS accounts. Each request below goes through
 * a real AWS SDK v3 client twice, each time against a fresh copy of the same
 * account: once with the clients mocked, once to the local endpoint. The
 * SDK's parsed outputs, its errors (name, fault, HTTP status, message) and
 * the account the request leaves behind must be the same. A write may be
 * followed by a read (`readBack`), so that what it changed is seen as the API
 * shows it, through each serving.
 */

const BUCKET = `aws-cloudtrail-logs-${ACCOUNT}-3b5c1e2f`;
const EU_BUCKET = `cloudtrail-logs-${ACCOUNT}-eu-west-1`;
const FOREIGN_BUCKET = `aws-controltower-logs-${MANAGEMENT_ACCOUNT}-us-east-1`;
const LOG_BUCKET = `access-logs-${ACCOUNT}-us-east-1`;
const LOCKED_BUCKET = `cloudtrail-locked-${ACCOUNT}`;
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ROOT_ONLY_KEY_ID = '0987dcba-09fe-87dc-65ba-ab0987654321';
const EU_KEY_ID = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';
const MANAGEMENT_TRAIL = trail();
const EU_TRAIL = trail({
  Name: 'data-events',
  HomeRegion: 'eu-west-1',
  IsMultiRegionTrail: false,
  S3BucketName: EU_BUCKET,
  HasCustomEventSelectors: true,
});
const ORGANIZATION_TRAIL = organizationTrail();
const LOG_GROUP = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:aws-cloudtrail-logs:*`;
const LOG_ROLE = `arn:aws:iam::${ACCOUNT}:role/CloudTrailRoleForCloudWatchLogs`;

/** The lifecycle rules of a log bucket: incomplete uploads cleaned up, logs and their old versions expired. */
const LOG_BUCKET_RULES: LifecycleRule[] = [
  {
    ID: 'abort-incomplete-multipart-uploads',
    Status: 'Enabled',
    Filter: { Prefix: '' },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
  },
  {
    ID: 'expire-log-files',
    Status: 'Enabled',
    Filter: { Prefix: '' },
    Expiration: { Days: 365 },
    NoncurrentVersionExpiration: { NoncurrentDays: 365 },
  },
];

/** `count` tags `tag-1`, `tag-2`, ... */
function manyTags(count: number): { Key: string; Value: string }[] {
  return Array.from({ length: count }, (_, i) => ({ Key: `tag-${i + 1}`, Value: 'x' }));
}

/** The bucket policy CloudTrail needs, for this account's trails (CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail"). */
function deliveryPolicy(bucket: string): string {
  const trails = `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: { ArnLike: { 'aws:SourceArn': trails } },
      },
      {
        Sid: 'AWSCloudTrailWrite',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${bucket}/AWSLogs/${ACCOUNT}/*`,
        Condition: {
          StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' },
          ArnLike: { 'aws:SourceArn': trails },
        },
      },
    ],
  });
}

/** A key policy letting the account manage the key and CloudTrail encrypt for its trails (CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail"). */
const KEY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Id: 'Key policy created by CloudTrail',
  Statement: [
    ROOT_KEY_STATEMENT,
    {
      Sid: 'Allow CloudTrail to encrypt logs',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: {
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*`,
        },
      },
    },
  ],
});
const ROOT_ONLY_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [ROOT_KEY_STATEMENT] });
/** A policy that leaves the account unable to change it again (the KMS policy lockout safety check refuses it). */
const LOCKOUT_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Admin` },
      Action: 'kms:DescribeKey',
      Resource: '*',
    },
  ],
});
const PUBLIC_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
    },
  ],
});

/** A member account of an organization, with a trail in each kind of place and the buckets and keys they use. */
const ACCOUNT_MODEL: AwsAccount = {
  accountId: ACCOUNT,
  config: deployedConfig(ACCOUNT),
  // As the Security Hub administrator sees them: its own account's, and a member's in two Regions.
  findings: [
    cloudTrail1Finding(ACCOUNT, 'PASSED'),
    cloudTrail1Finding(MANAGEMENT_ACCOUNT, 'FAILED'),
    cloudTrail1Finding(MANAGEMENT_ACCOUNT, 'PASSED', { region: 'eu-west-1' }),
    cloudTrail1Finding(MANAGEMENT_ACCOUNT, 'FAILED', {
      region: 'eu-west-2',
      recordState: 'ARCHIVED',
    }),
  ],
  trails: [
    {
      trail: MANAGEMENT_TRAIL,
      status: LOGGING,
      eventSelectors: { EventSelectors: [basicSelector()] },
      tags: [{ Key: 'owner', Value: 'security' }, { Key: 'reviewed' }],
    },
    {
      trail: EU_TRAIL,
      status: STOPPED,
      eventSelectors: { AdvancedEventSelectors: [managementSelector(), s3DataSelector] },
    },
    {
      trail: ORGANIZATION_TRAIL as typeof MANAGEMENT_TRAIL,
      status: LOGGING,
      eventSelectors: { EventSelectors: [basicSelector()] },
    },
  ],
  buckets: [
    {
      name: BUCKET,
      owner: ACCOUNT,
      region: 'us-east-1',
      policy: deliveryPolicy(BUCKET),
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
      encryption: {
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`,
        BucketKeyEnabled: true,
      },
      objectOwnership: 'BucketOwnerEnforced',
      versioning: { Status: 'Enabled' },
      lifecycle: {
        Rules: [
          {
            ID: 'abort-incomplete-multipart-uploads',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          },
          {
            ID: 'archive-then-expire',
            Status: 'Enabled',
            Filter: {},
            // 2027-01-01 and 2028-01-01, midnight UTC.
            Transitions: [{ Date: 1798761600, StorageClass: 'GLACIER' }],
            Expiration: { Date: 1830297600 },
          },
          {
            ID: 'expire-old-versions',
            Status: 'Disabled',
            Filter: { And: { Prefix: 'AWSLogs/', Tags: [{ Key: 'class', Value: 'log' }] } },
            NoncurrentVersionExpiration: { NoncurrentDays: 30, NewerNoncurrentVersions: 3 },
          },
        ],
      },
      logging: { TargetBucket: LOG_BUCKET, TargetPrefix: `${BUCKET}/` },
      tags: [{ Key: 'owner', Value: 'security' }],
    },
    // A bucket from before S3's 2023 defaults: no policy, no Block Public Access, no default
    // encryption, ACLs enabled, granting the log delivery group what server access logs need.
    {
      name: EU_BUCKET,
      owner: ACCOUNT,
      region: 'eu-west-1',
      objectOwnership: 'ObjectWriter',
      grants: [
        { Grantee: { Type: 'Group', URI: LOG_DELIVERY_GROUP }, Permission: 'WRITE' },
        { Grantee: { Type: 'Group', URI: LOG_DELIVERY_GROUP }, Permission: 'READ_ACP' },
      ],
    },
    // A bucket from before ownership controls existed.
    { name: LOG_BUCKET, owner: ACCOUNT, region: 'us-east-1' },
    // Created with Object Lock, keeping every object a year.
    {
      name: LOCKED_BUCKET,
      owner: ACCOUNT,
      region: 'us-east-1',
      objectOwnership: 'BucketOwnerEnforced',
      versioning: { Status: 'Enabled' },
      objectLock: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
      },
    },
    {
      name: FOREIGN_BUCKET,
      owner: MANAGEMENT_ACCOUNT,
      region: 'us-east-1',
      policy: deliveryPolicy(FOREIGN_BUCKET),
    },
  ],
  keys: [
    {
      keyId: KEY_ID,
      region: 'us-east-1',
      owner: ACCOUNT,
      aliases: ['alias/cloudtrail'],
      policy: KEY_POLICY,
      rotationEnabled: true,
    },
    { keyId: ROOT_ONLY_KEY_ID, region: 'us-east-1', owner: ACCOUNT, policy: ROOT_ONLY_POLICY },
    {
      keyId: EU_KEY_ID,
      region: 'eu-west-1',
      owner: ACCOUNT,
      aliases: ['alias/cloudtrail-eu'],
      policy: KEY_POLICY,
      keyState: 'Disabled',
    },
  ],
};

/** An SDK v3 command, whatever its service. */
interface SdkCommand {
  readonly input: object;
}

interface Request {
  title: string;
  service: Service;
  /** The Region of the client that sends it. */
  region: string;
  /** A fresh command each time: the two servings never share one. */
  command: () => SdkCommand;
  /** What the account answers: `'output'`, or the name of the SDK error. */
  answers: string;
  faults?: Fault[];
  /** A write that succeeds without changing the account as the model keeps it. */
  changesNothing?: true;
  /** A read sent next, by the same client: what the write left, as the API shows it. */
  readBack?: () => SdkCommand;
}

/** The operation a command calls: `GetTrailStatus` for a `GetTrailStatusCommand`. */
function operationOf(request: Request): string {
  return commandOperation(request.command());
}

function commandOperation(command: SdkCommand): string {
  return command.constructor.name.replace(/Command$/, '');
}

/** The operations a request sends: its command's, then its follow-up read's. */
function operationsOf(request: Request): string[] {
  return [request.command(), ...(request.readBack === undefined ? [] : [request.readBack()])].map(
    commandOperation,
  );
}

const ARN = MANAGEMENT_TRAIL.TrailARN;
const ORG_ARN = ORGANIZATION_TRAIL.TrailARN ?? '';

const REQUESTS: Request[] = [
  // CloudTrail
  {
    title: 'lists the trails of us-east-1 with shadow trails',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new DescribeTrailsCommand({ includeShadowTrails: true }),
    answers: 'output',
  },
  {
    title: 'lists only the home trails of eu-west-1',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () => new DescribeTrailsCommand({ includeShadowTrails: false }),
    answers: 'output',
  },
  {
    title: 'lists a trail by ARN, from another Region',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () => new DescribeTrailsCommand({ trailNameList: [ARN] }),
    answers: 'output',
  },
  {
    title: 'reads the status of a logging trail, timestamps parsed',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new GetTrailStatusCommand({ Name: 'management-events' }),
    answers: 'output',
  },
  {
    title: 'reads the status of a stopped trail in its home Region',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () => new GetTrailStatusCommand({ Name: 'data-events' }),
    answers: 'output',
  },
  {
    title: 'reads the status of an organization trail by ARN',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () => new GetTrailStatusCommand({ Name: ORG_ARN }),
    answers: 'output',
  },
  {
    title: 'refuses the status of an unknown trail',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new GetTrailStatusCommand({ Name: 'no-such-trail' }),
    answers: 'TrailNotFoundException',
  },
  {
    title: 'reads basic event selectors',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new GetEventSelectorsCommand({ TrailName: ARN }),
    answers: 'output',
  },
  {
    title: 'reads advanced event selectors',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () => new GetEventSelectorsCommand({ TrailName: 'data-events' }),
    answers: 'output',
  },
  {
    title: 'hides an organization trail’s selectors from a member account',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new GetEventSelectorsCommand({ TrailName: ORG_ARN }),
    answers: 'TrailNotFoundException',
  },
  {
    title: 'reads selectors only in the trail’s home Region',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () => new GetEventSelectorsCommand({ TrailName: ARN }),
    answers: 'TrailNotFoundException',
  },
  {
    title: 'creates a multi-Region trail encrypted with a key named by alias',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new CreateTrailCommand({
        Name: 'security-baseline',
        S3BucketName: BUCKET,
        IsMultiRegionTrail: true,
        EnableLogFileValidation: true,
        KmsKeyId: 'alias/cloudtrail',
        SnsTopicName: 'cloudtrail-notices',
        TagsList: [{ Key: 'owner', Value: 'security' }],
      }),
    answers: 'output',
  },
  {
    title: 'refuses a trail name in use',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new CreateTrailCommand({ Name: 'management-events', S3BucketName: BUCKET }),
    answers: 'TrailAlreadyExistsException',
  },
  {
    title: 'refuses an invalid trail name',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new CreateTrailCommand({ Name: '-bad name-', S3BucketName: BUCKET }),
    answers: 'InvalidTrailNameException',
  },
  {
    title: 'refuses a bucket whose policy does not let CloudTrail deliver',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () => new CreateTrailCommand({ Name: 'eu-trail', S3BucketName: EU_BUCKET }),
    answers: 'InsufficientS3BucketPolicyException',
  },
  {
    title: 'refuses a bucket that does not exist',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new CreateTrailCommand({ Name: 'lost', S3BucketName: 'no-such-bucket-4711' }),
    answers: 'S3BucketDoesNotExistException',
  },
  {
    title: 'refuses a key whose policy does not let CloudTrail encrypt',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new CreateTrailCommand({
        Name: 'encrypted',
        S3BucketName: BUCKET,
        KmsKeyId: ROOT_ONLY_KEY_ID,
      }),
    answers: 'InsufficientEncryptionPolicyException',
  },
  {
    title: 'refuses an unknown key',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new CreateTrailCommand({ Name: 'encrypted', S3BucketName: BUCKET, KmsKeyId: 'alias/none' }),
    answers: 'KmsKeyNotFoundException',
  },
  {
    title: 'refuses an organization trail from a member account',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new CreateTrailCommand({ Name: 'org', S3BucketName: BUCKET, IsOrganizationTrail: true }),
    answers: 'NotOrganizationMasterAccountException',
  },
  {
    title: 'updates only the settings given',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new UpdateTrailCommand({
        Name: 'management-events',
        EnableLogFileValidation: false,
        KmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/cloudtrail`,
      }),
    answers: 'output',
  },
  {
    title: 'refuses a key prefix the bucket policy does not allow',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new UpdateTrailCommand({ Name: 'management-events', S3KeyPrefix: 'trails' }),
    answers: 'InsufficientS3BucketPolicyException',
  },
  {
    title: 'refuses a multi-Region trail without global service events',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new UpdateTrailCommand({ Name: 'management-events', IncludeGlobalServiceEvents: false }),
    answers: 'InvalidParameterCombinationException',
  },
  {
    title: 'refuses to change an organization trail from a member account',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new UpdateTrailCommand({ Name: ORG_ARN, IsMultiRegionTrail: true }),
    answers: 'AccessDeniedException',
  },
  {
    title: 'refuses to change a trail outside its home Region',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () => new UpdateTrailCommand({ Name: ARN, EnableLogFileValidation: true }),
    answers: 'InvalidHomeRegionException',
  },
  {
    title: 'puts basic event selectors, filling in their defaults',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new PutEventSelectorsCommand({
        TrailName: 'management-events',
        EventSelectors: [
          {
            ReadWriteType: 'WriteOnly',
            DataResources: [{ Type: 'AWS::S3::Object', Values: [`arn:aws:s3:::${BUCKET}/`] }],
          },
        ],
      }),
    answers: 'output',
  },
  {
    title: 'puts advanced event selectors',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () =>
      new PutEventSelectorsCommand({
        TrailName: 'data-events',
        AdvancedEventSelectors: [
          managementSelector([{ Field: 'readOnly', Equals: ['false'] }]),
          s3DataSelector,
        ],
      }),
    answers: 'output',
  },
  {
    title: 'refuses basic and advanced selectors together',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new PutEventSelectorsCommand({
        TrailName: 'management-events',
        EventSelectors: [basicSelector()],
        AdvancedEventSelectors: [managementSelector()],
      }),
    answers: 'InvalidParameterCombinationException',
  },
  {
    title: 'refuses an advanced selector on a field management events lack',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new PutEventSelectorsCommand({
        TrailName: 'management-events',
        AdvancedEventSelectors: [
          managementSelector([{ Field: 'resources.type', Equals: ['AWS::S3::Object'] }]),
        ],
      }),
    answers: 'InvalidEventSelectorsException',
  },
  {
    title: 'refuses a read-write type CloudTrail does not know',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new PutEventSelectorsCommand({
        TrailName: 'management-events',
        EventSelectors: [basicSelector({ ReadWriteType: 'Everything' as 'All' })],
      }),
    answers: 'ValidationException',
  },
  {
    title: 'refuses selectors for an unknown trail',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new PutEventSelectorsCommand({
        TrailName: 'no-such-trail',
        EventSelectors: [basicSelector()],
      }),
    answers: 'TrailNotFoundException',
  },
  {
    title: 'starts logging',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () => new StartLoggingCommand({ Name: 'data-events' }),
    answers: 'output',
  },
  {
    title: 'refuses to start an organization trail from a member account',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new StartLoggingCommand({ Name: ORG_ARN }),
    answers: 'AccessDeniedException',
  },
  {
    title: 'answers an injected throttling error',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new GetTrailStatusCommand({ Name: 'management-events' }),
    answers: 'ThrottlingException',
    faults: [
      {
        operation: 'GetTrailStatus',
        trail: 'management-events',
        error: { type: 'ThrottlingException', message: 'Rate exceeded' },
      },
    ],
  },
  {
    title: 'answers an injected server error to a write',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new UpdateTrailCommand({ Name: 'management-events', S3KeyPrefix: '' }),
    answers: 'InternalFailure',
    faults: [
      {
        operation: 'UpdateTrail',
        error: { type: 'InternalFailure', message: 'injected failure of UpdateTrail', status: 500 },
      },
    ],
  },
  // CloudTrail: log file validation, CloudWatch Logs and tags
  {
    title:
      'creates a trail with log file validation, CloudWatch Logs and tags, which ListTags shows',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new CreateTrailCommand({
        Name: 'audited',
        S3BucketName: BUCKET,
        EnableLogFileValidation: true,
        CloudWatchLogsLogGroupArn: LOG_GROUP,
        CloudWatchLogsRoleArn: LOG_ROLE,
        TagsList: [{ Key: 'owner', Value: 'security' }, { Key: 'reviewed' }],
      }),
    answers: 'output',
    readBack: () =>
      new ListTagsCommand({
        ResourceIdList: [`arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/audited`],
      }),
  },
  {
    title: 'refuses a log group without the role that delivers to it',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new CreateTrailCommand({
        Name: 'audited',
        S3BucketName: BUCKET,
        CloudWatchLogsLogGroupArn: LOG_GROUP,
      }),
    answers: 'InvalidCloudWatchLogsRoleArnException',
  },
  {
    title: 'refuses more than 50 tags on a new trail',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new CreateTrailCommand({ Name: 'audited', S3BucketName: BUCKET, TagsList: manyTags(51) }),
    answers: 'TagsLimitExceededException',
  },
  {
    title: 'turns on log file validation and CloudWatch Logs, which DescribeTrails shows',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () =>
      new UpdateTrailCommand({
        Name: 'data-events',
        EnableLogFileValidation: true,
        CloudWatchLogsLogGroupArn: LOG_GROUP.replace('us-east-1', 'eu-west-1'),
        CloudWatchLogsRoleArn: LOG_ROLE,
      }),
    answers: 'output',
    readBack: () => new DescribeTrailsCommand({ trailNameList: ['data-events'] }),
  },
  {
    title: 'lists the tags of a trail by ARN, a valueless key without a value',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new ListTagsCommand({ ResourceIdList: [ARN] }),
    answers: 'output',
  },
  {
    title: 'lists an untagged trail with no tags',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () => new ListTagsCommand({ ResourceIdList: [EU_TRAIL.TrailARN] }),
    answers: 'output',
  },
  {
    title: 'refuses the tags of a trail outside its home Region',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () => new ListTagsCommand({ ResourceIdList: [ARN] }),
    answers: 'CloudTrailARNInvalidException',
  },
  {
    title: 'refuses the tags of another account’s organization trail',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new ListTagsCommand({ ResourceIdList: [ORG_ARN] }),
    answers: 'CloudTrailARNInvalidException',
  },
  {
    title: 'does not find the tags of an unknown trail',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new ListTagsCommand({
        ResourceIdList: [`arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/no-such-trail`],
      }),
    answers: 'ResourceNotFoundException',
  },
  {
    title: 'adds tags, replacing a value, which ListTags shows',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new AddTagsCommand({
        ResourceId: ARN,
        TagsList: [
          { Key: 'owner', Value: 'platform' },
          { Key: 'env', Value: 'prod' },
        ],
      }),
    answers: 'output',
    readBack: () => new ListTagsCommand({ ResourceIdList: [ARN] }),
  },
  {
    title: 'refuses to tag a trail named, not by ARN',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new AddTagsCommand({
        ResourceId: 'management-events',
        TagsList: [{ Key: 'env', Value: 'prod' }],
      }),
    answers: 'CloudTrailARNInvalidException',
  },
  {
    title: 'refuses to tag a trail outside its home Region',
    service: 'cloudtrail',
    region: 'eu-west-1',
    command: () =>
      new AddTagsCommand({ ResourceId: ARN, TagsList: [{ Key: 'env', Value: 'prod' }] }),
    answers: 'CloudTrailARNInvalidException',
  },
  {
    title: 'refuses tags beyond 50 on a trail',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () => new AddTagsCommand({ ResourceId: ARN, TagsList: manyTags(49) }),
    answers: 'TagsLimitExceededException',
  },
  {
    title: 'refuses a tag key AWS reserves',
    service: 'cloudtrail',
    region: 'us-east-1',
    command: () =>
      new AddTagsCommand({ ResourceId: ARN, TagsList: [{ Key: 'aws:owner', Value: 'me' }] }),
    answers: 'InvalidTagParameterException',
  },
  // S3
  {
    title: 'finds a bucket with HeadBucket',
    service: 's3',
    region: 'us-east-1',
    command: () => new HeadBucketCommand({ Bucket: BUCKET, ExpectedBucketOwner: ACCOUNT }),
    answers: 'output',
  },
  {
    title: 'answers 404 to HeadBucket for a missing bucket',
    service: 's3',
    region: 'us-east-1',
    command: () => new HeadBucketCommand({ Bucket: 'no-such-bucket-4711' }),
    answers: 'NotFound',
  },
  {
    title: 'answers 403 to HeadBucket for another account’s bucket',
    service: 's3',
    region: 'us-east-1',
    command: () => new HeadBucketCommand({ Bucket: FOREIGN_BUCKET }),
    answers: 'Unknown',
  },
  {
    title: 'answers 301 to HeadBucket for a bucket of another Region',
    service: 's3',
    region: 'us-east-1',
    command: () => new HeadBucketCommand({ Bucket: EU_BUCKET }),
    answers: 'Unknown',
  },
  {
    title: 'creates a bucket in us-east-1',
    service: 's3',
    region: 'us-east-1',
    command: () => new CreateBucketCommand({ Bucket: `new-logs-${ACCOUNT}` }),
    answers: 'output',
  },
  {
    title: 'creates a bucket in eu-west-1 with its location constraint and object ownership',
    service: 's3',
    region: 'eu-west-1',
    command: () =>
      new CreateBucketCommand({
        Bucket: `new-logs-${ACCOUNT}-eu`,
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        ObjectOwnership: 'BucketOwnerPreferred',
      }),
    answers: 'output',
  },
  {
    title: 're-creates its own us-east-1 bucket (S3’s legacy behaviour)',
    service: 's3',
    region: 'us-east-1',
    command: () => new CreateBucketCommand({ Bucket: BUCKET }),
    answers: 'output',
    changesNothing: true,
  },
  {
    title: 'refuses to re-create its own bucket elsewhere',
    service: 's3',
    region: 'eu-west-1',
    command: () =>
      new CreateBucketCommand({
        Bucket: EU_BUCKET,
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    answers: 'BucketAlreadyOwnedByYou',
  },
  {
    title: 'refuses a name another account owns',
    service: 's3',
    region: 'us-east-1',
    command: () => new CreateBucketCommand({ Bucket: FOREIGN_BUCKET }),
    answers: 'BucketAlreadyExists',
  },
  {
    title: 'refuses a location constraint of another Region',
    service: 's3',
    region: 'eu-west-1',
    command: () =>
      new CreateBucketCommand({
        Bucket: `new-logs-${ACCOUNT}-x`,
        CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
      }),
    answers: 'IllegalLocationConstraintException',
  },
  {
    title: 'reads a bucket policy',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketPolicyCommand({ Bucket: BUCKET }),
    answers: 'output',
  },
  {
    title: 'answers NoSuchBucketPolicy for a bucket without one',
    service: 's3',
    region: 'eu-west-1',
    command: () => new GetBucketPolicyCommand({ Bucket: EU_BUCKET }),
    answers: 'NoSuchBucketPolicy',
  },
  {
    title: 'denies another account’s bucket policy',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketPolicyCommand({ Bucket: FOREIGN_BUCKET }),
    answers: 'AccessDenied',
  },
  {
    title: 'denies a bucket whose owner is not the expected one',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new GetBucketPolicyCommand({ Bucket: BUCKET, ExpectedBucketOwner: MANAGEMENT_ACCOUNT }),
    answers: 'AccessDenied',
  },
  {
    title: 'redirects a request for a bucket of another Region',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketPolicyCommand({ Bucket: EU_BUCKET }),
    answers: 'PermanentRedirect',
  },
  {
    title: 'answers NoSuchBucket for a missing bucket',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketPolicyCommand({ Bucket: 'no-such-bucket-4711' }),
    answers: 'NoSuchBucket',
  },
  {
    title: 'puts a bucket policy',
    service: 's3',
    region: 'eu-west-1',
    command: () =>
      new PutBucketPolicyCommand({ Bucket: EU_BUCKET, Policy: deliveryPolicy(EU_BUCKET) }),
    answers: 'output',
  },
  {
    title: 'refuses a public policy under Block Public Access',
    service: 's3',
    region: 'us-east-1',
    command: () => new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: PUBLIC_POLICY }),
    answers: 'AccessDenied',
  },
  {
    title: 'refuses a policy that is not JSON',
    service: 's3',
    region: 'us-east-1',
    command: () => new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: 'Version: 2012-10-17' }),
    answers: 'MalformedPolicy',
  },
  {
    title: 'answers an injected server error to PutBucketPolicy',
    service: 's3',
    region: 'us-east-1',
    command: () => new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: deliveryPolicy(BUCKET) }),
    answers: 'InternalError',
    faults: [
      {
        operation: 'PutBucketPolicy',
        bucket: BUCKET,
        error: { type: 'InternalError', message: 'We encountered an internal error.', status: 500 },
      },
    ],
  },
  {
    title: 'answers an injected 503 to HeadBucket',
    service: 's3',
    region: 'us-east-1',
    command: () => new HeadBucketCommand({ Bucket: BUCKET }),
    answers: 'Unknown',
    faults: [
      {
        operation: 'HeadBucket',
        error: { type: 'SlowDown', message: 'Please reduce your request rate.', status: 503 },
      },
    ],
  },
  {
    title: 'reads Block Public Access',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetPublicAccessBlockCommand({ Bucket: BUCKET }),
    answers: 'output',
  },
  {
    title: 'answers NoSuchPublicAccessBlockConfiguration for a bucket without it',
    service: 's3',
    region: 'eu-west-1',
    command: () => new GetPublicAccessBlockCommand({ Bucket: EU_BUCKET }),
    answers: 'NoSuchPublicAccessBlockConfiguration',
  },
  {
    title: 'puts Block Public Access, unset fields false',
    service: 's3',
    region: 'eu-west-1',
    command: () =>
      new PutPublicAccessBlockCommand({
        Bucket: EU_BUCKET,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true },
      }),
    answers: 'output',
  },
  {
    title: 'reads default encryption with a KMS key',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketEncryptionCommand({ Bucket: BUCKET }),
    answers: 'output',
  },
  {
    title: 'answers ServerSideEncryptionConfigurationNotFoundError for a bucket without it',
    service: 's3',
    region: 'eu-west-1',
    command: () => new GetBucketEncryptionCommand({ Bucket: EU_BUCKET }),
    answers: 'ServerSideEncryptionConfigurationNotFoundError',
  },
  {
    title: 'puts default encryption',
    service: 's3',
    region: 'eu-west-1',
    command: () =>
      new PutBucketEncryptionCommand({
        Bucket: EU_BUCKET,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${EU_KEY_ID}`,
              },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    answers: 'output',
  },
  {
    title: 'refuses an encryption algorithm S3 does not know',
    service: 's3',
    region: 'eu-west-1',
    command: () =>
      new PutBucketEncryptionCommand({
        Bucket: EU_BUCKET,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'ROT13' as 'AES256' } }],
        },
      }),
    answers: 'MalformedXML',
  },
  // S3: versioning
  {
    title: 'reads the versioning of a versioned bucket',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketVersioningCommand({ Bucket: BUCKET }),
    answers: 'output',
  },
  {
    title: 'reads no versioning state of a bucket never versioned',
    service: 's3',
    region: 'eu-west-1',
    command: () => new GetBucketVersioningCommand({ Bucket: EU_BUCKET }),
    answers: 'output',
  },
  {
    title: 'turns versioning on, which GetBucketVersioning shows',
    service: 's3',
    region: 'eu-west-1',
    command: () =>
      new PutBucketVersioningCommand({
        Bucket: EU_BUCKET,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    answers: 'output',
    readBack: () => new GetBucketVersioningCommand({ Bucket: EU_BUCKET }),
  },
  {
    title: 'refuses to suspend versioning under Object Lock',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketVersioningCommand({
        Bucket: LOCKED_BUCKET,
        VersioningConfiguration: { Status: 'Suspended' },
      }),
    answers: 'InvalidBucketState',
  },
  {
    title: 'refuses MFA delete without the MFA device',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketVersioningCommand({
        Bucket: BUCKET,
        VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Enabled' },
      }),
    answers: 'AccessDenied',
  },
  {
    title: 'refuses a versioning status S3 does not know',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketVersioningCommand({
        Bucket: BUCKET,
        VersioningConfiguration: { Status: 'Paused' as 'Enabled' },
      }),
    answers: 'MalformedXML',
  },
  {
    title: 'denies the versioning of another account’s bucket',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketVersioningCommand({ Bucket: FOREIGN_BUCKET }),
    answers: 'AccessDenied',
  },
  // S3: lifecycle
  {
    title: 'reads lifecycle rules, dates parsed',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }),
    answers: 'output',
  },
  {
    title: 'answers NoSuchLifecycleConfiguration for a bucket without rules',
    service: 's3',
    region: 'eu-west-1',
    command: () => new GetBucketLifecycleConfigurationCommand({ Bucket: EU_BUCKET }),
    answers: 'NoSuchLifecycleConfiguration',
  },
  {
    title: 'redirects a lifecycle read for a bucket of another Region',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketLifecycleConfigurationCommand({ Bucket: EU_BUCKET }),
    answers: 'PermanentRedirect',
  },
  {
    title: 'puts a log bucket’s lifecycle rules, which GetBucketLifecycleConfiguration shows',
    service: 's3',
    region: 'eu-west-1',
    command: () =>
      new PutBucketLifecycleConfigurationCommand({
        Bucket: EU_BUCKET,
        LifecycleConfiguration: { Rules: LOG_BUCKET_RULES },
      }),
    answers: 'output',
    readBack: () => new GetBucketLifecycleConfigurationCommand({ Bucket: EU_BUCKET }),
  },
  {
    title: 'names a rule put without an ID',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketLifecycleConfigurationCommand({
        Bucket: LOG_BUCKET,
        LifecycleConfiguration: {
          Rules: [{ Status: 'Enabled', Filter: {}, Expiration: { Days: 90 } }],
        },
        TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
      }),
    answers: 'output',
    readBack: () => new GetBucketLifecycleConfigurationCommand({ Bucket: LOG_BUCKET }),
  },
  {
    title: 'refuses a rule without an action',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketLifecycleConfigurationCommand({
        Bucket: BUCKET,
        LifecycleConfiguration: { Rules: [{ ID: 'idle', Status: 'Enabled', Filter: {} }] },
      }),
    answers: 'InvalidRequest',
  },
  {
    title: 'refuses an expiration after 0 days',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketLifecycleConfigurationCommand({
        Bucket: BUCKET,
        LifecycleConfiguration: {
          Rules: [{ ID: 'now', Status: 'Enabled', Filter: {}, Expiration: { Days: 0 } }],
        },
      }),
    answers: 'InvalidArgument',
  },
  {
    title: 'refuses a rule without a filter',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketLifecycleConfigurationCommand({
        Bucket: BUCKET,
        LifecycleConfiguration: {
          Rules: [{ ID: 'all', Status: 'Enabled', Expiration: { Days: 30 } }],
        },
      }),
    answers: 'MalformedXML',
  },
  {
    title: 'refuses two rules of one ID',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketLifecycleConfigurationCommand({
        Bucket: BUCKET,
        LifecycleConfiguration: {
          Rules: [LOG_BUCKET_RULES[0] as LifecycleRule, LOG_BUCKET_RULES[0] as LifecycleRule],
        },
      }),
    answers: 'InvalidArgument',
  },
  // S3: server access logging
  {
    title: 'reads where a bucket’s access logs go',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketLoggingCommand({ Bucket: BUCKET }),
    answers: 'output',
  },
  {
    title: 'reads no logging of a bucket that does not log',
    service: 's3',
    region: 'eu-west-1',
    command: () => new GetBucketLoggingCommand({ Bucket: EU_BUCKET }),
    answers: 'output',
  },
  {
    title: 'sends access logs to a bucket of the account and Region, which GetBucketLogging shows',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketLoggingCommand({
        Bucket: LOCKED_BUCKET,
        BucketLoggingStatus: {
          LoggingEnabled: { TargetBucket: LOG_BUCKET, TargetPrefix: `${LOCKED_BUCKET}/` },
        },
      }),
    answers: 'output',
    readBack: () => new GetBucketLoggingCommand({ Bucket: LOCKED_BUCKET }),
  },
  {
    title: 'sends a bucket’s access logs to itself, under an empty prefix',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketLoggingCommand({
        Bucket: LOG_BUCKET,
        BucketLoggingStatus: { LoggingEnabled: { TargetBucket: LOG_BUCKET, TargetPrefix: '' } },
      }),
    answers: 'output',
    readBack: () => new GetBucketLoggingCommand({ Bucket: LOG_BUCKET }),
  },
  {
    title: 'turns logging off, which GetBucketLogging shows',
    service: 's3',
    region: 'us-east-1',
    command: () => new PutBucketLoggingCommand({ Bucket: BUCKET, BucketLoggingStatus: {} }),
    answers: 'output',
    readBack: () => new GetBucketLoggingCommand({ Bucket: BUCKET }),
  },
  {
    title: 'refuses a log target that does not exist',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketLoggingCommand({
        Bucket: BUCKET,
        BucketLoggingStatus: {
          LoggingEnabled: { TargetBucket: 'no-such-bucket-4711', TargetPrefix: 'logs/' },
        },
      }),
    answers: 'InvalidTargetBucketForLogging',
  },
  {
    title: 'refuses a log target of another account',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketLoggingCommand({
        Bucket: BUCKET,
        BucketLoggingStatus: {
          LoggingEnabled: { TargetBucket: FOREIGN_BUCKET, TargetPrefix: 'logs/' },
        },
      }),
    answers: 'InvalidTargetBucketForLogging',
  },
  {
    title: 'refuses a log target in another Region',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketLoggingCommand({
        Bucket: BUCKET,
        BucketLoggingStatus: { LoggingEnabled: { TargetBucket: EU_BUCKET, TargetPrefix: 'logs/' } },
      }),
    answers: 'CrossLocationLoggingProhibitted',
  },
  {
    title: 'refuses a log target with an Object Lock default retention',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketLoggingCommand({
        Bucket: BUCKET,
        BucketLoggingStatus: {
          LoggingEnabled: { TargetBucket: LOCKED_BUCKET, TargetPrefix: 'logs/' },
        },
      }),
    answers: 'InvalidTargetBucketForLogging',
  },
  // S3: tags
  {
    title: 'reads a bucket’s tags',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketTaggingCommand({ Bucket: BUCKET, ExpectedBucketOwner: ACCOUNT }),
    answers: 'output',
  },
  {
    title: 'answers NoSuchTagSet for a bucket without tags',
    service: 's3',
    region: 'eu-west-1',
    command: () => new GetBucketTaggingCommand({ Bucket: EU_BUCKET }),
    answers: 'NoSuchTagSet',
  },
  {
    title: 'denies the tags of a bucket whose owner is not the expected one',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new GetBucketTaggingCommand({ Bucket: BUCKET, ExpectedBucketOwner: MANAGEMENT_ACCOUNT }),
    answers: 'AccessDenied',
  },
  {
    title: 'replaces the tag set, which GetBucketTagging shows',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketTaggingCommand({
        Bucket: BUCKET,
        Tagging: {
          TagSet: [
            { Key: 'created-by', Value: 'cloudtrail-remediation' },
            { Key: 'cost center', Value: '' },
          ],
        },
      }),
    answers: 'output',
    readBack: () => new GetBucketTaggingCommand({ Bucket: BUCKET }),
  },
  {
    title: 'removes every tag with an empty tag set',
    service: 's3',
    region: 'us-east-1',
    command: () => new PutBucketTaggingCommand({ Bucket: BUCKET, Tagging: { TagSet: [] } }),
    answers: 'output',
    readBack: () => new GetBucketTaggingCommand({ Bucket: BUCKET }),
  },
  {
    title: 'refuses two tags of one key',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketTaggingCommand({
        Bucket: BUCKET,
        Tagging: {
          TagSet: [
            { Key: 'owner', Value: 'a' },
            { Key: 'owner', Value: 'b' },
          ],
        },
      }),
    answers: 'InvalidTag',
  },
  {
    title: 'refuses more than 50 tags',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketTaggingCommand({ Bucket: BUCKET, Tagging: { TagSet: manyTags(51) } }),
    answers: 'BadRequest',
  },
  {
    title: 'refuses a tag key AWS reserves',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutBucketTaggingCommand({
        Bucket: BUCKET,
        Tagging: { TagSet: [{ Key: 'aws:cloudformation:stack-name', Value: 'x' }] },
      }),
    answers: 'InvalidTag',
  },
  // S3: Object Lock
  {
    title: 'creates a bucket with Object Lock, which turns versioning on',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new CreateBucketCommand({
        Bucket: `locked-logs-${ACCOUNT}`,
        ObjectLockEnabledForBucket: true,
      }),
    answers: 'output',
    readBack: () => new GetBucketVersioningCommand({ Bucket: `locked-logs-${ACCOUNT}` }),
  },
  {
    title: 'reads an Object Lock configuration',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetObjectLockConfigurationCommand({ Bucket: LOCKED_BUCKET }),
    answers: 'output',
  },
  {
    title: 'answers ObjectLockConfigurationNotFoundError for a bucket without Object Lock',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetObjectLockConfigurationCommand({ Bucket: BUCKET }),
    answers: 'ObjectLockConfigurationNotFoundError',
  },
  {
    title: 'enables Object Lock with a default retention on a versioned bucket',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutObjectLockConfigurationCommand({
        Bucket: BUCKET,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } },
        },
      }),
    answers: 'output',
    readBack: () => new GetObjectLockConfigurationCommand({ Bucket: BUCKET }),
  },
  {
    title: 'removes the default retention with a configuration without a rule',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutObjectLockConfigurationCommand({
        Bucket: LOCKED_BUCKET,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' },
      }),
    answers: 'output',
    readBack: () => new GetObjectLockConfigurationCommand({ Bucket: LOCKED_BUCKET }),
  },
  {
    title: 'refuses Object Lock on a bucket without versioning',
    service: 's3',
    region: 'eu-west-1',
    command: () =>
      new PutObjectLockConfigurationCommand({
        Bucket: EU_BUCKET,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } },
        },
      }),
    answers: 'InvalidBucketState',
  },
  {
    title: 'refuses a default retention of 0 days',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutObjectLockConfigurationCommand({
        Bucket: LOCKED_BUCKET,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 0 } },
        },
      }),
    answers: 'InvalidArgument',
  },
  {
    title: 'refuses a default retention in days and years',
    service: 's3',
    region: 'us-east-1',
    command: () =>
      new PutObjectLockConfigurationCommand({
        Bucket: LOCKED_BUCKET,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30, Years: 1 } },
        },
      }),
    answers: 'MalformedXML',
  },
  // S3: ownership controls and ACL
  {
    title: 'reads the ownership controls',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketOwnershipControlsCommand({ Bucket: BUCKET }),
    answers: 'output',
  },
  {
    title: 'answers OwnershipControlsNotFoundError for a bucket without them',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketOwnershipControlsCommand({ Bucket: LOG_BUCKET }),
    answers: 'OwnershipControlsNotFoundError',
  },
  {
    title: 'reads the ACL of a bucket with ACLs disabled: the owner’s grant only',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketAclCommand({ Bucket: BUCKET }),
    answers: 'output',
  },
  {
    title: 'reads the ACL grants of a bucket with ACLs enabled',
    service: 's3',
    region: 'eu-west-1',
    command: () => new GetBucketAclCommand({ Bucket: EU_BUCKET }),
    answers: 'output',
  },
  {
    title: 'denies the ACL of another account’s bucket',
    service: 's3',
    region: 'us-east-1',
    command: () => new GetBucketAclCommand({ Bucket: FOREIGN_BUCKET }),
    answers: 'AccessDenied',
  },
  // KMS
  {
    title: 'describes a key by alias, its creation date parsed',
    service: 'kms',
    region: 'us-east-1',
    command: () => new DescribeKeyCommand({ KeyId: 'alias/cloudtrail' }),
    answers: 'output',
  },
  {
    title: 'describes a disabled key by ARN',
    service: 'kms',
    region: 'eu-west-1',
    command: () =>
      new DescribeKeyCommand({ KeyId: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${EU_KEY_ID}` }),
    answers: 'output',
  },
  {
    title: 'does not find a key of another Region by ID',
    service: 'kms',
    region: 'us-east-1',
    command: () => new DescribeKeyCommand({ KeyId: EU_KEY_ID }),
    answers: 'NotFoundException',
  },
  {
    title: 'reads a key policy',
    service: 'kms',
    region: 'us-east-1',
    command: () => new GetKeyPolicyCommand({ KeyId: KEY_ID, PolicyName: 'default' }),
    answers: 'output',
  },
  {
    title: 'refuses an alias for GetKeyPolicy',
    service: 'kms',
    region: 'us-east-1',
    command: () => new GetKeyPolicyCommand({ KeyId: 'alias/cloudtrail' }),
    answers: 'NotFoundException',
  },
  {
    title: 'refuses a policy name other than default',
    service: 'kms',
    region: 'us-east-1',
    command: () => new GetKeyPolicyCommand({ KeyId: KEY_ID, PolicyName: 'custom' }),
    answers: 'NotFoundException',
  },
  {
    title: 'puts a key policy',
    service: 'kms',
    region: 'us-east-1',
    command: () =>
      new PutKeyPolicyCommand({
        KeyId: ROOT_ONLY_KEY_ID,
        PolicyName: 'default',
        Policy: KEY_POLICY,
      }),
    answers: 'output',
  },
  {
    title: 'refuses a policy that locks the account out',
    service: 'kms',
    region: 'us-east-1',
    command: () => new PutKeyPolicyCommand({ KeyId: KEY_ID, Policy: LOCKOUT_POLICY }),
    answers: 'MalformedPolicyDocumentException',
  },
  {
    title: 'puts a locking-out policy when told to bypass the safety check',
    service: 'kms',
    region: 'us-east-1',
    command: () =>
      new PutKeyPolicyCommand({
        KeyId: KEY_ID,
        Policy: LOCKOUT_POLICY,
        BypassPolicyLockoutSafetyCheck: true,
      }),
    answers: 'output',
  },
  {
    title: 'refuses a key policy that is not JSON',
    service: 'kms',
    region: 'us-east-1',
    command: () => new PutKeyPolicyCommand({ KeyId: KEY_ID, Policy: 'not a policy' }),
    answers: 'MalformedPolicyDocumentException',
  },
  {
    title: 'answers an injected internal error',
    service: 'kms',
    region: 'us-east-1',
    command: () => new DescribeKeyCommand({ KeyId: KEY_ID }),
    answers: 'KMSInternalException',
    faults: [
      {
        operation: 'DescribeKey',
        error: { type: 'KMSInternalException', message: 'injected', status: 500 },
      },
    ],
  },
  {
    title: 'reads the rotation of a key that rotates, its next date parsed',
    service: 'kms',
    region: 'us-east-1',
    command: () => new GetKeyRotationStatusCommand({ KeyId: KEY_ID }),
    answers: 'output',
  },
  {
    title: 'reads the rotation of a key that does not rotate, by ARN',
    service: 'kms',
    region: 'us-east-1',
    command: () =>
      new GetKeyRotationStatusCommand({
        KeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${ROOT_ONLY_KEY_ID}`,
      }),
    answers: 'output',
  },
  {
    title: 'refuses an alias for GetKeyRotationStatus',
    service: 'kms',
    region: 'us-east-1',
    command: () => new GetKeyRotationStatusCommand({ KeyId: 'alias/cloudtrail' }),
    answers: 'NotFoundException',
  },
  // STS
  {
    title: 'names the caller',
    service: 'sts',
    region: 'us-east-1',
    command: () => new GetCallerIdentityCommand({}),
    answers: 'output',
  },
  {
    title: 'answers an injected throttling error',
    service: 'sts',
    region: 'us-east-1',
    command: () => new GetCallerIdentityCommand({}),
    answers: 'Throttling',
    faults: [
      {
        operation: 'GetCallerIdentity',
        error: { type: 'Throttling', message: 'Rate exceeded' },
      },
    ],
  },
  // AWS Config
  {
    title: 'takes evaluations',
    service: 'config',
    region: 'us-east-1',
    command: () =>
      new PutEvaluationsCommand({
        ResultToken: 'TESTMODE',
        TestMode: true,
        Evaluations: [
          {
            ComplianceResourceType: 'AWS::::Account',
            ComplianceResourceId: ACCOUNT,
            ComplianceType: 'NON_COMPLIANT',
            Annotation: 'No trail logs every management event.',
            OrderingTimestamp: new Date('2026-11-28T00:00:00.000Z'),
          },
        ],
      }),
    answers: 'output',
    // The account keeps no evaluations: AWS Config's side is the request itself.
    changesNothing: true,
  },
  {
    title: 'refuses a compliance type a custom rule cannot report',
    service: 'config',
    region: 'us-east-1',
    command: () =>
      new PutEvaluationsCommand({
        ResultToken: 'token',
        Evaluations: [
          {
            ComplianceResourceType: 'AWS::::Account',
            ComplianceResourceId: ACCOUNT,
            ComplianceType: 'INSUFFICIENT_DATA',
            OrderingTimestamp: new Date('2026-11-28T00:00:00.000Z'),
          },
        ],
      }),
    answers: 'ValidationException',
  },
  {
    title: 'gives the rule’s latest evaluation results',
    service: 'config',
    region: 'us-east-1',
    command: () =>
      new GetComplianceDetailsByConfigRuleCommand({
        ConfigRuleName: 'cloudtrail-1-multi-region-trail',
      }),
    answers: 'output',
  },
  {
    title: 'describes the deployed rule by name',
    service: 'config',
    region: 'us-east-1',
    command: () =>
      new DescribeConfigRulesCommand({ ConfigRuleNames: ['cloudtrail-1-multi-region-trail'] }),
    answers: 'output',
  },
  {
    title: 'refuses a rule name the account does not have',
    service: 'config',
    region: 'us-east-1',
    command: () => new DescribeConfigRulesCommand({ ConfigRuleNames: ['other-teams-rule'] }),
    answers: 'NoSuchConfigRuleException',
  },
  {
    title: "describes the deployed rule's remediation configuration",
    service: 'config',
    region: 'us-east-1',
    command: () =>
      new DescribeRemediationConfigurationsCommand({
        ConfigRuleNames: ['cloudtrail-1-multi-region-trail'],
      }),
    answers: 'output',
  },
  // Security Hub
  {
    title: 'lists the active CloudTrail.1 findings, one page at a time',
    service: 'securityhub',
    region: 'us-east-1',
    command: () =>
      new GetFindingsCommand({
        Filters: {
          ComplianceSecurityControlId: [{ Value: 'CloudTrail.1', Comparison: 'EQUALS' }],
          RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
        },
        MaxResults: 2,
      }),
    answers: 'output',
  },
  {
    title: 'refuses a page larger than 100',
    service: 'securityhub',
    region: 'us-east-1',
    command: () => new GetFindingsCommand({ MaxResults: 101 }),
    answers: 'InvalidInputException',
  },
];

/** What sends a command, whatever the client. */
interface Sender {
  send(command: SdkCommand): Promise<Record<string, unknown>>;
  destroy(): void;
}

/**
 * The client for `service` the way the code under test builds it, pointed at
 * `endpoint` (the mocked clients never reach it). One attempt each: the
 * mocked clients answer without the SDK's retry middleware, so a retried
 * error over HTTP would be a second request the other serving never sees.
 */
function clientFor(service: Service, region: string, endpoint: string): Sender {
  const config = {
    region,
    endpoint,
    credentials: { accessKeyId: FAKE_ACCESS_KEY_ID, secretAccessKey: FAKE_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  };
  const clients: Record<Service, () => unknown> = {
    cloudtrail: () => new CloudTrailClient(config),
    s3: () => new S3Client({ ...config, forcePathStyle: true }),
    kms: () => new KMSClient(config),
    sts: () => new STSClient(config),
    config: () => new ConfigServiceClient(config),
    securityhub: () => new SecurityHubClient(config),
  };
  return clients[service]() as Sender;
}

/**
 * What the SDK made of the answer: its output, or its error's name, fault,
 * HTTP status, message and class. Left out as transport only: `$metadata`
 * (request IDs, attempts) and, on an error from HTTP, `$response` and the
 * fields the SDK copies from the wire's error document (`__type`; S3's
 * `Code`, `BucketName`, `RequestId`, `HostId`; STS's `Type` and `Error`),
 * which the mocked clients never see.
 */
type Outcome =
  | { output: Record<string, unknown> }
  | { error: { name: string; fault: unknown; status: unknown; message: string; class: string } };

/** The outcomes of a request's command and of its follow-up read, if any. */
async function outcomesOf(sender: Sender, request: Request): Promise<Outcome[]> {
  const outcomes = [await outcomeOf(sender, request.command())];
  if (request.readBack !== undefined) outcomes.push(await outcomeOf(sender, request.readBack()));
  return outcomes;
}

async function outcomeOf(sender: Sender, command: SdkCommand): Promise<Outcome> {
  try {
    const { $metadata: _transport, ...output } = await sender.send(command);
    return { output };
  } catch (thrown) {
    if (!(thrown instanceof Error)) throw thrown;
    const error = thrown as Error & { $fault?: unknown; $metadata?: { httpStatusCode?: unknown } };
    return {
      error: {
        name: error.name,
        fault: error.$fault,
        status: error.$metadata?.httpStatusCode,
        message: error.message,
        class: error.constructor.name,
      },
    };
  }
}

let endpoint: AccountEndpoint;

beforeAll(async () => {
  endpoint = await startAccountEndpoint();
  // StartLogging stamps the time: only `Date` is faked, so that both servings answer at the
  // same instant while the HTTP listener and the SDK keep their real timers.
  jest.useFakeTimers({
    now: new Date('2026-11-30T08:00:00.000Z'),
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
});

afterAll(async () => {
  jest.useRealTimers();
  await endpoint?.close();
});

describe('The account model served behind aws-sdk-client-mock and over HTTP', () => {
  it('is asked here for every operation it serves', () => {
    const served = (Object.entries(OPERATIONS) as [Service, readonly Operation[]][]).flatMap(
      ([service, operations]) => operations.map((operation) => `${service}:${operation}`),
    );
    const asked = new Set(REQUESTS.map((r) => `${r.service}:${operationOf(r)}`));

    expect(served.filter((operation) => !asked.has(operation))).toEqual([]);
    expect([...asked].filter((operation) => !served.includes(operation))).toEqual([]);
  });

  it.each(REQUESTS.map((r) => [`${r.service} ${operationOf(r)} ${r.title}`, r] as const))(
    '%s alike',
    async (_, request) => {
      const { service, region, faults } = request;

      const mocked = mockAccount(ACCOUNT_MODEL, faults);
      const mockedClient = clientFor(service, region, endpoint.endpoint);
      let viaMock: Outcome[];
      try {
        viaMock = await outcomesOf(mockedClient, request);
      } finally {
        mocked.restore();
        mockedClient.destroy();
      }
      endpoint.serve(ACCOUNT_MODEL, faults);
      const client = clientFor(service, region, endpoint.endpoint);
      const viaHttp = await outcomesOf(client, request);
      client.destroy();

      // Each serving had the request (and its follow-up), and the model answered as the title says.
      expect(mocked.requests.map((r) => r.operation)).toEqual(operationsOf(request));
      expect(endpoint.requests.map((r) => r.operation)).toEqual(operationsOf(request));
      const [first] = viaHttp;
      expect(first !== undefined && 'error' in first ? first.error.name : 'output').toBe(
        request.answers,
      );
      const changed = request.answers === 'output' && isWrite({ operation: operationOf(request) });
      const before = accountState(ACCOUNT_MODEL);
      if (changed && request.changesNothing !== true) {
        expect(endpoint.account).not.toStrictEqual(before);
      } else {
        expect(endpoint.account).toStrictEqual(before);
      }

      expect(viaHttp).toStrictEqual(viaMock);
      expect(endpoint.account).toStrictEqual(mocked.state);
    },
  );
});
