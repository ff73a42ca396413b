import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidEventError, InvalidParameterError } from '../../../rule/errors';
import { createHandler } from '../../../rule/handler';
import { parameterValues, parseRuleParameters } from '../../../rule/parameters';
import { ACCOUNT, scheduledEvent } from '../../support/fixtures';

const cloudTrail = mockClient(CloudTrailClient);
const config = mockClient(ConfigServiceClient);

const handler = createHandler(() => ({
  region: 'us-east-1',
  config: new ConfigServiceClient({ region: 'us-east-1' }),
  clientFor: (region) => new CloudTrailClient({ region }),
}));

const scheduled = (notification: Record<string, unknown>) =>
  scheduledEvent({ invokingEvent: JSON.stringify(notification) });

const withParameters = (ruleParameters: string) => scheduledEvent({ ruleParameters });

type Case = [
  description: string,
  event: unknown,
  error: new (message: string) => Error,
  message: RegExp,
];

const cases: Case[] = [
  [
    'an event that is not an object',
    'ScheduledNotification',
    InvalidEventError,
    /must be an object/,
  ],
  ['a null event', null, InvalidEventError, /must be an object/],
  [
    'a missing resultToken',
    { ...scheduledEvent(), resultToken: undefined },
    InvalidEventError,
    /resultToken is missing or invalid: it must be the non-empty token/,
  ],
  [
    'an empty resultToken',
    scheduledEvent({ resultToken: '' }),
    InvalidEventError,
    /resultToken is missing or invalid/,
  ],
  [
    'a missing accountId',
    { ...scheduledEvent(), accountId: undefined },
    InvalidEventError,
    /accountId is missing or invalid: it must be the 12-digit ID/,
  ],
  [
    'an accountId that is not 12 digits',
    scheduledEvent({ accountId: '12345' }),
    InvalidEventError,
    /accountId is missing or invalid/,
  ],
  [
    'an invokingEvent that is an object, not a JSON string',
    scheduledEvent({ invokingEvent: { messageType: 'ScheduledNotification' } }),
    InvalidEventError,
    /invokingEvent is missing or invalid: it must be a JSON string/,
  ],
  [
    'an invokingEvent that is not JSON',
    scheduledEvent({ invokingEvent: '{messageType: ScheduledNotification' }),
    InvalidEventError,
    /invokingEvent is not valid JSON/,
  ],
  [
    'an eventLeftScope that is not a boolean',
    scheduledEvent({ eventLeftScope: 'yes' }),
    InvalidEventError,
    /eventLeftScope is missing or invalid: it must be true or false/,
  ],
  [
    'an unknown message type',
    scheduled({ messageType: 'ConfigurationSnapshotDeliveryCompleted' }),
    InvalidEventError,
    /messageType "ConfigurationSnapshotDeliveryCompleted" is not accepted/,
  ],
  [
    'a notification without a messageType',
    scheduled({ notificationCreationTime: '2026-11-28T06:00:00.000Z' }),
    InvalidEventError,
    /messageType is missing and is not accepted/,
  ],
  [
    'a scheduled notification without a time',
    scheduled({ messageType: 'ScheduledNotification' }),
    InvalidEventError,
    /ScheduledNotification notification has no valid notificationCreationTime/,
  ],
  [
    'a scheduled notification with a time that is not ISO 8601',
    scheduled({ messageType: 'ScheduledNotification', notificationCreationTime: 'yesterday' }),
    InvalidEventError,
    /no valid notificationCreationTime/,
  ],
  [
    'a change notification without a configuration item',
    scheduled({ messageType: 'ConfigurationItemChangeNotification' }),
    InvalidEventError,
    /no valid configurationItem with resourceType and configurationItemCaptureTime/,
  ],
  [
    'a change notification for another resource type',
    scheduled({
      messageType: 'ConfigurationItemChangeNotification',
      configurationItem: {
        resourceType: 'AWS::S3::Bucket',
        configurationItemCaptureTime: '2026-11-28T05:41:07.511Z',
      },
    }),
    InvalidEventError,
    /change is for AWS::S3::Bucket, but the rule is triggered only by AWS::CloudTrail::Trail/,
  ],
  [
    'an oversized notification without a summary',
    scheduled({ messageType: 'OversizedConfigurationItemChangeNotification' }),
    InvalidEventError,
    /no valid configurationItemSummary/,
  ],
  [
    'ruleParameters that are not JSON',
    withParameters('readWriteType=ALL'),
    InvalidParameterError,
    /ruleParameters is not valid JSON/,
  ],
  [
    'ruleParameters that are a JSON array',
    withParameters('["ALL"]'),
    InvalidParameterError,
    /must be a JSON object of strings/,
  ],
  [
    'ruleParameters that are a JSON string',
    withParameters('"ALL"'),
    InvalidParameterError,
    /must be a JSON object of strings/,
  ],
  [
    'an unknown parameter name',
    withParameters('{"IsMultiRegionTrail":"true"}'),
    InvalidParameterError,
    /Unknown rule parameter "IsMultiRegionTrail": the accepted parameters are s3BucketName/,
  ],
  [
    'a parameter name in the wrong case',
    withParameters('{"S3BucketName":"central-audit-logs"}'),
    InvalidParameterError,
    /Unknown rule parameter "S3BucketName".*case-sensitive/,
  ],
  [
    'a bad readWriteType',
    withParameters('{"readWriteType":"ReadWrite"}'),
    InvalidParameterError,
    /readWriteType has the value "ReadWrite".*"ALL", "ReadOnly" or "WriteOnly"/,
  ],
  [
    'a bad boolean for includeManagementEvents',
    withParameters('{"includeManagementEvents":"yes"}'),
    InvalidParameterError,
    /includeManagementEvents has the value "yes".*"true" or "false"/,
  ],
  [
    'a bad boolean for trustOrganizationTrails',
    withParameters('{"trustOrganizationTrails":"1"}'),
    InvalidParameterError,
    /trustOrganizationTrails has the value "1".*"true" or "false"/,
  ],
  [
    'a JSON boolean instead of a string',
    withParameters('{"includeManagementEvents":true}'),
    InvalidParameterError,
    /includeManagementEvents must be a string.*got boolean/,
  ],
  [
    'a number for s3BucketName',
    withParameters('{"s3BucketName":42}'),
    InvalidParameterError,
    /s3BucketName must be a string.*got number/,
  ],
  [
    'a null parameter value',
    withParameters('{"snsTopicArn":null}'),
    InvalidParameterError,
    /snsTopicArn must be a string.*got null/,
  ],
  [
    'an s3BucketName that is not a bucket name',
    withParameters('{"s3BucketName":"s3://Central_Logs"}'),
    InvalidParameterError,
    /s3BucketName has the value "s3:\/\/Central_Logs".*S3 bucket name/,
  ],
  [
    'an snsTopicArn that is not an SNS topic ARN',
    withParameters('{"snsTopicArn":"trail-topic"}'),
    InvalidParameterError,
    /snsTopicArn has the value "trail-topic".*SNS topic ARN/,
  ],
  [
    'a cloudWatchLogsLogGroupArn that is a log group name',
    withParameters('{"cloudWatchLogsLogGroupArn":"aws-cloudtrail-logs"}'),
    InvalidParameterError,
    /cloudWatchLogsLogGroupArn has the value "aws-cloudtrail-logs".*log group ARN/,
  ],
  [
    'a parameter named __proto__',
    withParameters('{"__proto__":"ALL"}'),
    InvalidParameterError,
    /Unknown rule parameter "__proto__"/,
  ],
  [
    'a parameter value with surrounding spaces',
    withParameters('{"readWriteType":" ALL "}'),
    InvalidParameterError,
    /readWriteType has the value " ALL "/,
  ],
];

describe('rule handler: bad input', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(() => process.off('unhandledRejection', onUnhandled));
  beforeEach(() => {
    cloudTrail.reset();
    config.reset();
  });

  it.each(cases)('rejects %s, and reads and sends nothing', async (_, event, type, message) => {
    const run = handler(event);

    await expect(run).rejects.toThrow(type);
    await expect(run).rejects.toThrow(message);
    expect(cloudTrail.calls()).toHaveLength(0);
    expect(config.calls()).toHaveLength(0);
    expect(unhandled).toEqual([]);
  });
});

describe('rule parameters', () => {
  it('defaults to exactly CloudTrail.1 when none are set', () => {
    expect(parseRuleParameters(undefined)).toEqual({
      includeManagementEvents: true,
      readWriteType: 'ALL',
      trustOrganizationTrails: true,
      requireDelivery: false,
    });
  });

  it('reads requireDelivery in any case, and undecidedWindowHours as whole hours', () => {
    expect(
      parseRuleParameters('{"requireDelivery":"TRUE","undecidedWindowHours":"12"}'),
    ).toMatchObject({ requireDelivery: true, undecidedWindowHours: 12 });
    expect(parseRuleParameters('{"undecidedWindowHours":"8760"}').undecidedWindowHours).toBe(8760);
    expect(parseRuleParameters('{"undecidedWindowHours":"1"}').undecidedWindowHours).toBe(1);
  });

  it.each(['0', '8761', '-1', '1.5', '48h', ' 48', '048', 'NaN'])(
    'refuses undecidedWindowHours %j, naming the parameter and the accepted range',
    (value) => {
      expect(() => parseRuleParameters(JSON.stringify({ undecidedWindowHours: value }))).toThrow(
        new InvalidParameterError(
          `Rule parameter undecidedWindowHours has the value ${JSON.stringify(value)}, which is not accepted: set it to a whole number of hours from 1 to 8760, such as "48", or leave it empty.`,
        ),
      );
    },
  );

  it('refuses a requireDelivery that is not true or false', () => {
    expect(() => parseRuleParameters('{"requireDelivery":"yes"}')).toThrow(
      /Rule parameter requireDelivery has the value "yes", which is not accepted: set it to "true" or "false" \(any case\)/,
    );
  });

  it('treats an empty string as not set', () => {
    expect(parseRuleParameters('{"s3BucketName":"","readWriteType":""}')).toEqual(
      parseRuleParameters('{}'),
    );
  });

  it('accepts booleans and readWriteType in any case', () => {
    expect(
      parseRuleParameters(
        '{"includeManagementEvents":"FALSE","trustOrganizationTrails":"True","readWriteType":"writeonly"}',
      ),
    ).toMatchObject({
      includeManagementEvents: false,
      trustOrganizationTrails: true,
      readWriteType: 'WriteOnly',
    });
  });

  it('keeps the delivery targets it is given', () => {
    const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:trail-topic`;
    const group = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:trail-logs:*`;

    expect(
      parameterValues({
        s3BucketName: 'central.audit-logs',
        snsTopicArn: topic,
        cloudWatchLogsLogGroupArn: group,
      }),
    ).toMatchObject({
      s3BucketName: 'central.audit-logs',
      snsTopicArn: topic,
      cloudWatchLogsLogGroupArn: group,
    });
  });
});

describe('rule parameter s3BucketName', () => {
  it('accepts a legacy us-east-1 bucket name with capitals and underscores', () => {
    expect(parseRuleParameters('{"s3BucketName":"Legacy_Audit.Logs"}').s3BucketName).toBe(
      'Legacy_Audit.Logs',
    );
  });
});
