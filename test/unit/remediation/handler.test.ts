import { InvalidRemediationInputError } from '../../../remediation/errors';
import { createRemediationHandler, defaultDependencies } from '../../../remediation/handler';
import { EnvironmentError, InvalidParameterError } from '../../../rule/errors';
import { DEFAULT_PARAMETERS } from '../../../rule/parameters';
import { STOPPED } from '../../support/aws-account/model';
import { type MockedAccount, mockAccount } from '../../support/aws-account/serve-sdk-mock';
import { ACCOUNT, trail } from '../../support/fixtures';

let account: MockedAccount;

beforeEach(() => {
  account = mockAccount({
    accountId: ACCOUNT,
    trails: [
      {
        trail: trail(),
        status: STOPPED,
        eventSelectors: {
          EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
        },
      },
    ],
    // The trail's bucket is this account's, so the trail is repaired rather than replaced.
    buckets: [{ name: trail().S3BucketName ?? '', owner: ACCOUNT, region: 'us-east-1' }],
  });
});
afterEach(() => account.restore());

const handler = createRemediationHandler(() => account.dependencies());

describe('remediation function input', () => {
  it.each([
    [{ trailName: 'x' }, /trailName must be a trail name of 3–128/],
    [{ trailName: 'bad name!' }, /trailName must be a trail name/],
    [{ trailName: 'my--trail' }, /trailName must be a trail name/],
    [{ trailName: 'a._b' }, /trailName must be a trail name/],
    [{ trailName: '192.168.5.4' }, /not an IP address/],
    [{ trailName: 'x'.repeat(129) }, /trailName must be a trail name of 3–128/],
    [{ bucketName: 'Upper_Case' }, /bucketName must be an S3 bucket name/],
    [{ kmsKeyId: 'key"}' }, /kmsKeyId must be a KMS key ID/],
    [{ accountId: '1234' }, /accountId must be a 12-digit AWS account ID/],
    [{ tags: 'team' }, /tags must be key=value pairs separated by commas/],
    [{ tags: 'aws:team=x' }, /tags has the key "aws:team": AWS reserves the aws: prefix/],
    [{ tags: 'created-by=me' }, /tags has the key "created-by", which the remediation sets itself/],
    [{ tags: 'team=a,team=b' }, /tags gives the key "team" twice/],
    [{ tags: 'team="x"' }, /tags must be key=value pairs/],
    [
      { logRetentionDays: '0' },
      /logRetentionDays must be the number of days after which log files/,
    ],
    [{ objectLockDays: '36501' }, /objectLockDays must be the number of days of Object Lock/],
    [{ trustedLogAccountIds: '1234' }, /trustedLogAccountIds must be 12-digit AWS account IDs/],
    [{ hardenRepairedTrail: 'yes' }, /hardenRepairedTrail/],
    [
      { cloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:111122223333:log-group:x"}' },
      /cloudWatchLogsLogGroupArn must be a CloudWatch Logs log group ARN/,
    ],
    [{ dryRun: 'yes' }, /dryRun/],
    [{ trailname: 'audit' }, /unknown field trailname: accepted fields are accountId, trailName/],
    [
      { trailname: 'audit', dryrun: true },
      /unknown fields trailname, dryrun: accepted fields are accountId, trailName/,
    ],
    ['not an object', /Invalid remediation input/],
  ])('refuses %j, naming what is wrong, and calls nothing', async (event, message) => {
    const error = await handler(event).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidRemediationInputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/Nothing was changed\.$/);
    expect(account.requests).toEqual([]);
  });

  it('reads empty strings, as the SSM document sends unset parameters, as not given', async () => {
    const result = await handler({
      accountId: '',
      trailName: '',
      bucketName: '',
      kmsKeyId: '',
      dryRun: true,
    });

    expect(result).toMatchObject({ dryRun: true, compliantBefore: false, compliantAfter: null });
    expect(result.actions.map((a) => a.operation)).toEqual(['StartLogging']);
  });

  it('returns what it did: the steps, the verdict before and after, the passing trail and its Security Hub controls', async () => {
    const result = await handler({ accountId: account.accountId });
    const trailArn = trail().TrailARN;

    expect(result).toEqual({
      dryRun: false,
      accountId: account.accountId,
      compliantBefore: false,
      actions: [
        expect.objectContaining({ step: 1, service: 'cloudtrail', operation: 'StartLogging' }),
      ],
      compliantAfter: true,
      trailArn,
      verdict: expect.stringMatching(/^COMPLIANT: /),
      // The smallest repair: the trail keeps SSE-S3, no CloudWatch Logs and no tags, which a
      // repair sets only with hardenRepairedTrail.
      securityHubControls: [
        {
          controlId: 'CloudTrail.2',
          resource: trailArn,
          status: 'FAILED',
          passWith: 'kmsKeyId with hardenRepairedTrail',
        },
        { controlId: 'CloudTrail.4', resource: trailArn, status: 'PASSED' },
        {
          controlId: 'CloudTrail.5',
          resource: trailArn,
          status: 'FAILED',
          passWith: 'cloudWatchLogs with hardenRepairedTrail',
        },
        {
          controlId: 'CloudTrail.9',
          resource: trailArn,
          status: 'FAILED',
          passWith: 'tags with hardenRepairedTrail',
        },
      ],
      resources: [
        {
          kind: 'trail',
          arn: trailArn,
          created: false,
          logFileValidation: true,
          kmsKeyId: undefined,
          cloudWatchLogsLogGroupArn: undefined,
          tags: {},
        },
      ],
    });
  });
});

describe('remediation function environment', () => {
  it('says AWS_REGION is missing', () => {
    expect(() => defaultDependencies({})).toThrow(
      new EnvironmentError(
        'AWS_REGION is not set: run the remediation in AWS Lambda, or set AWS_REGION to the Region to remediate from.',
      ),
    );
  });

  it('refuses rule parameters in RULE_PARAMETERS that the rule would refuse', () => {
    expect(() =>
      defaultDependencies({ AWS_REGION: 'us-east-1', RULE_PARAMETERS: '{"readWriteType":"both"}' }),
    ).toThrow(InvalidParameterError);
  });

  it("judges with the rule's parameters from RULE_PARAMETERS, else the defaults", () => {
    const given = defaultDependencies({
      AWS_REGION: 'eu-west-1',
      RULE_PARAMETERS: '{"includeManagementEvents":"false","readWriteType":"writeonly"}',
    });
    const unset = defaultDependencies({ AWS_REGION: 'eu-west-1' });

    expect(given).toMatchObject({
      region: 'eu-west-1',
      parameters: { includeManagementEvents: false, readWriteType: 'WriteOnly' },
    });
    expect(unset.parameters).toEqual(DEFAULT_PARAMETERS);
  });
});
