/*
 * AWS Config API calls as CloudTrail delivers them to EventBridge's default
 * event bus ("AWS API Call via CloudTrail"): the event envelope, and in
 * `detail` the CloudTrail record, whose `requestParameters` holds the
 * request's fields with a lower-case first letter.
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html
 * https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-log-files-for-aws-config.html
 */

const ACCOUNT = '111111111111';
const ADMIN_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice`;

/** One Config API call by a member account's administrator, as EventBridge receives it. */
export function configApiCall(
  eventName: string,
  requestParameters: Record<string, unknown>,
  options: { readOnly?: boolean } = {},
): Record<string, unknown> {
  return {
    version: '0',
    id: '6f7c3a1e-2b4d-4c5e-8f90-0a1b2c3d4e5f',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.config',
    account: ACCOUNT,
    time: '2026-12-07T10:15:02Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEID0123456:alice',
        arn: ADMIN_SESSION,
        accountId: ACCOUNT,
        accessKeyId: 'ASIAEXAMPLEKEY012345',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLEID0123456',
            arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef`,
            accountId: ACCOUNT,
            userName: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
          },
          attributes: { creationDate: '2026-12-07T10:01:44Z', mfaAuthenticated: 'false' },
        },
      },
      eventTime: '2026-12-07T10:15:02Z',
      eventSource: 'config.amazonaws.com',
      eventName,
      awsRegion: 'us-east-1',
      sourceIPAddress: '203.0.113.10',
      userAgent: 'aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.1 os/linux#6.8.0',
      requestParameters,
      responseElements: null,
      requestID: '4e9d2c1b-7a6f-4b3e-9c8d-1e2f3a4b5c6d',
      eventID: '0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d',
      readOnly: options.readOnly ?? false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  };
}
