import { CLI_WORDING } from '../../../cli/wording';
import type { ControlForecast } from '../../../remediation/controls';
import { BucketNotOwnedError, InvalidRemediationInputError } from '../../../remediation/errors';
import { DEFAULT_TRAIL_NAME } from '../../../remediation/input';
import {
  factsNeeded,
  type PlanFacts,
  type PlanOptions,
  planRemediation,
} from '../../../remediation/plan';
import { messageIn } from '../../../rule/wording';
import { ACCOUNT, accountState } from '../../support/fixtures';
import {
  ACCESS_LOG_BUCKET,
  KEY_ARN,
  keyFacts,
  LOG_ARCHIVE,
  LOG_BUCKET,
  newTrailFacts,
  OPTIONS,
  ownBucket,
} from './facts-fixtures';

/*
 * A new trail: what it, its log bucket and the access-log bucket pass of
 * the Security Hub controls, by default and with each option
 * (docs/security-hub.md, "The controls, one row each").
 */

const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${DEFAULT_TRAIL_NAME}`;
const LOG_BUCKET_ARN = `arn:aws:s3:::${LOG_BUCKET}`;
const ACCESS_LOG_BUCKET_ARN = `arn:aws:s3:::${ACCESS_LOG_BUCKET}`;
const CLOUDWATCH_LOGS = {
  cloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:cloudtrail`,
  cloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/cloudtrail-to-cloudwatch-logs`,
};
const EVERY_OPTION: Partial<PlanOptions> = {
  kmsKeyId: 'alias/cloudtrail',
  objectLockDays: 365,
  logRetentionDays: 2557,
  tags: { team: 'security' },
  ...CLOUDWATCH_LOGS,
};

function create(options: Partial<PlanOptions> = {}, facts: PlanFacts = {}) {
  return planRemediation(
    accountState([]),
    { ...OPTIONS, ...options },
    {
      ...newTrailFacts(),
      ...(options.kmsKeyId === undefined ? {} : { key: keyFacts({ rotation: true }) }),
      ...facts,
    },
  );
}

/** The forecast as `control resource status`, for one resource. */
function on(forecast: readonly ControlForecast[], resource: string): string[] {
  return forecast.filter((c) => c.resource === resource).map((c) => `${c.controlId} ${c.status}`);
}

function find(forecast: readonly ControlForecast[], controlId: string, resource: string) {
  return forecast.find((c) => c.controlId === controlId && c.resource === resource);
}

describe('Security Hub forecast', () => {
  describe('a new trail with every option', () => {
    const plan = create(EVERY_OPTION);

    it('passes every control on the trail', () => {
      expect(on(plan.securityHubControls, TRAIL_ARN)).toEqual([
        'CloudTrail.2 PASSED',
        'CloudTrail.4 PASSED',
        'CloudTrail.5 PASSED',
        'CloudTrail.9 PASSED',
        'CloudTrail.6 PASSED',
        'CloudTrail.7 PASSED',
      ]);
    });

    it('passes every control on the log bucket, S3.20 making no finding beside a lifecycle rule', () => {
      expect(on(plan.securityHubControls, LOG_BUCKET_ARN)).toEqual([
        'S3.2 PASSED',
        'S3.3 PASSED',
        'S3.5 PASSED',
        'S3.6 PASSED',
        'S3.8 PASSED',
        'S3.9 PASSED',
        'S3.12 PASSED',
        'S3.13 PASSED',
        'S3.14 PASSED',
        'S3.15 PASSED',
        'S3.17 PASSED',
        'S3.20 NO_FINDING',
      ]);
    });

    it('fails on the access-log bucket only what S3 rules out there, each with a note and no option', () => {
      const failed = plan.securityHubControls.filter(
        (c) => c.resource === ACCESS_LOG_BUCKET_ARN && c.status === 'FAILED',
      );

      expect(failed.map((c) => c.controlId)).toEqual(['S3.9', 'S3.15', 'S3.17']);
      for (const control of failed) {
        expect(control.note).toEqual(expect.any(String));
        expect(control).not.toHaveProperty('passWith');
      }
    });

    it('passes KMS.4 on a key with rotation on', () => {
      expect(on(plan.securityHubControls, KEY_ARN)).toEqual(['KMS.4 PASSED']);
    });
  });

  describe('a new trail by default', () => {
    const plan = create();

    it('fails only what an option passes, and names that option', () => {
      const failed = plan.securityHubControls
        .filter((c) => c.status === 'FAILED' && c.resource !== ACCESS_LOG_BUCKET_ARN)
        .map((c) => [c.controlId, c.resource, c.passWith]);

      expect(failed).toEqual([
        ['CloudTrail.2', TRAIL_ARN, 'kmsKeyId'],
        ['CloudTrail.5', TRAIL_ARN, 'cloudWatchLogs'],
        ['S3.15', LOG_BUCKET_ARN, 'objectLockDays'],
        ['S3.17', LOG_BUCKET_ARN, 'kmsKeyId'],
      ]);
    });

    it('lists the trail, the log bucket and the access-log bucket it creates, in that order', () => {
      expect(plan.resources.map((r) => [r.kind, r.arn, r.kind === 'key' || r.created])).toEqual([
        ['trail', TRAIL_ARN, true],
        ['bucket', LOG_BUCKET_ARN, true],
        ['bucket', ACCESS_LOG_BUCKET_ARN, true],
      ]);
    });
  });

  describe.each<[string, string[], Partial<PlanOptions>]>([
    ['kmsKeyId', ['CloudTrail.2', 'S3.17'], { kmsKeyId: 'alias/cloudtrail' }],
    ['CloudWatch Logs', ['CloudTrail.5'], CLOUDWATCH_LOGS],
    ['objectLockDays', ['S3.15'], { objectLockDays: 30 }],
  ])('%s', (_, controls, option) => {
    it(`flips ${controls.join(' and ')} from FAILED to PASSED, and nothing else`, () => {
      const without = create().securityHubControls;
      const withIt = create(option).securityHubControls.filter((c) => c.resource !== KEY_ARN);

      const flipped = withIt
        .filter((c, i) => c.status !== without[i]?.status)
        .map(
          (c) =>
            `${c.controlId} ${without.find((w) => w.controlId === c.controlId && w.resource === c.resource)?.status} -> ${c.status}`,
        );
      expect(flipped).toEqual(controls.map((id) => `${id} FAILED -> PASSED`));
    });
  });

  it('encrypts the trail and the log bucket with the key, and gives CloudTrail the key', () => {
    const plan = create({ kmsKeyId: 'alias/cloudtrail' });

    expect(plan.actions.find((a) => a.operation === 'CreateTrail')?.input).toMatchObject({
      KmsKeyId: KEY_ARN,
    });
    expect(
      plan.actions.find(
        (a) => a.operation === 'PutBucketEncryption' && a.input.Bucket === LOG_BUCKET,
      )?.input,
    ).toMatchObject({
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: KEY_ARN,
            },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
    // S3 delivers server access logs only to a bucket encrypted with SSE-S3.
    expect(
      plan.actions.find(
        (a) => a.operation === 'PutBucketEncryption' && a.input.Bucket === ACCESS_LOG_BUCKET,
      )?.input,
    ).toMatchObject({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    expect(plan.actions.map((a) => a.operation)).toContain('PutKeyPolicy');
  });

  it('sends the trail to CloudWatch Logs, the log group as CloudTrail takes it', () => {
    const plan = create(CLOUDWATCH_LOGS);

    expect(plan.actions.find((a) => a.operation === 'CreateTrail')?.input).toMatchObject({
      CloudWatchLogsLogGroupArn: `${CLOUDWATCH_LOGS.cloudWatchLogsLogGroupArn}:*`,
      CloudWatchLogsRoleArn: CLOUDWATCH_LOGS.cloudWatchLogsRoleArn,
    });
  });

  it.each([
    [
      'the log group',
      { cloudWatchLogsLogGroupArn: CLOUDWATCH_LOGS.cloudWatchLogsLogGroupArn },
      'log group',
    ],
    ['the role', { cloudWatchLogsRoleArn: CLOUDWATCH_LOGS.cloudWatchLogsRoleArn }, 'role'],
  ])('refuses CloudWatch Logs with only %s, before any change', (_, half, named) => {
    expect(() => create(half)).toThrow(InvalidRemediationInputError);
    expect(() => create(half)).toThrow(`only the ${named} was given`);
  });

  it('tags the trail and both buckets with the organization’s tags beside created-by', () => {
    const plan = create({ tags: { team: 'security' } });
    const expected = [
      { Key: 'created-by', Value: 'cloudtrail-multi-region-rule' },
      { Key: 'team', Value: 'security' },
    ];

    expect(plan.actions.find((a) => a.operation === 'CreateTrail')?.input).toMatchObject({
      TagsList: expected,
    });
    for (const bucket of [LOG_BUCKET, ACCESS_LOG_BUCKET]) {
      expect(
        plan.actions.find((a) => a.operation === 'PutBucketTagging' && a.input.Bucket === bucket)
          ?.input,
      ).toMatchObject({ Tagging: { TagSet: expected } });
    }
  });

  describe('with accessLogBucketName', () => {
    const given = 'central-access-logs';

    it('creates no access-log bucket, and sends the log bucket’s server access logs to the one given', () => {
      const plan = create(
        { accessLogBucketName: given },
        { accessLogOwnership: { status: 'owned', account: ACCOUNT } },
      );

      expect(
        plan.actions.some(
          (a) => a.input && 'Bucket' in a.input && a.input.Bucket === ACCESS_LOG_BUCKET,
        ),
      ).toBe(false);
      expect(plan.actions.find((a) => a.operation === 'PutBucketLogging')?.input).toMatchObject({
        Bucket: LOG_BUCKET,
        BucketLoggingStatus: {
          LoggingEnabled: { TargetBucket: given, TargetPrefix: `${LOG_BUCKET}/` },
        },
      });
      expect(plan.resources.map((r) => r.arn)).toEqual([TRAIL_ARN, LOG_BUCKET_ARN]);
      expect(find(plan.securityHubControls, 'S3.9', LOG_BUCKET_ARN)?.status).toBe('PASSED');
      expect(find(plan.securityHubControls, 'CloudTrail.7', TRAIL_ARN)?.status).toBe('PASSED');
    });

    it('asks who owns the access-log bucket given instead of reading the default one', () => {
      const { target } = create(
        { accessLogBucketName: given },
        { accessLogOwnership: { status: 'owned', account: ACCOUNT } },
      );

      expect(
        factsNeeded(target, { accessLogBucketName: given, bucketSuffix: OPTIONS.bucketSuffix }),
      ).toEqual({
        bucketName: LOG_BUCKET,
        accessLogOwnerOf: given,
      });
      expect(factsNeeded(target, { bucketSuffix: OPTIONS.bucketSuffix })).toEqual({
        bucketName: LOG_BUCKET,
        accessLogBucketName: ACCESS_LOG_BUCKET,
      });
    });

    it('refuses, before any change, an access-log bucket that does not exist', () => {
      expect(() =>
        create({ accessLogBucketName: given }, { accessLogOwnership: { status: 'absent' } }),
      ).toThrow(
        new BucketNotOwnedError(
          `The access-log bucket "${given}" does not exist. Nothing was changed. Create it in us-east-1, with a policy that lets logging.s3.amazonaws.com write, or leave AccessLogBucketName empty and the remediation creates one.`,
        ),
      );
    });

    it.each<[string, PlanFacts['accessLogOwnership']]>([
      ['another account', { status: 'outside' }],
      // S3 delivers server access logs only within one account: a trusted log account's bucket will not do.
      ['a trusted log account', { status: 'owned', account: LOG_ARCHIVE }],
    ])('refuses, before any change, an access-log bucket of %s', (_, owner) => {
      expect(() =>
        create(
          { accessLogBucketName: given, trustedLogAccountIds: [LOG_ARCHIVE] },
          { accessLogOwnership: owner },
        ),
      ).toThrow(
        new BucketNotOwnedError(
          `The access-log bucket "${given}" is not a bucket of account ${ACCOUNT} (or this role may not see it): S3 delivers server access logs only to a bucket of the same account and Region as the log bucket. Nothing was changed. Give a bucket of this account in us-east-1, or leave AccessLogBucketName empty and the remediation creates one.`,
        ),
      );
    });

    it('speaks of the person’s credentials and flags on the command line', () => {
      let refused: unknown;
      try {
        create({ accessLogBucketName: given }, { accessLogOwnership: { status: 'outside' } });
      } catch (error) {
        refused = error;
      }

      expect(refused).toBeInstanceOf(BucketNotOwnedError);
      const message = messageIn(refused as BucketNotOwnedError, CLI_WORDING);
      expect(message).toContain('(or these credentials may not see it)');
      expect(message).toContain(
        'or leave out --access-log-bucket and the remediation creates one.',
      );
      expect(message).not.toMatch(/this role|AccessLogBucketName/);
    });
  });

  it('refuses, before any change, an access-log bucket of this account in another Region', () => {
    expect(() =>
      create(
        { accessLogBucketName: 'eu-access-logs' },
        { accessLogOwnership: { status: 'owned', account: ACCOUNT, region: 'eu-west-1' } },
      ),
    ).toThrow(
      new BucketNotOwnedError(
        'The access-log bucket "eu-access-logs" is in eu-west-1, and the log bucket in us-east-1: S3 delivers server access logs only to a bucket of the same Region. Nothing was changed. Give a bucket of this account in us-east-1, or leave AccessLogBucketName empty and the remediation creates one.',
      ),
    );
  });

  it('tags created-by the log bucket a run that stopped halfway created, found under its default name', () => {
    const plan = create({}, { bucket: ownBucket(LOG_BUCKET) });

    const tagging = plan.actions.find(
      (a) => a.operation === 'PutBucketTagging' && a.input.Bucket === LOG_BUCKET,
    );
    expect(tagging?.input).toMatchObject({
      Tagging: { TagSet: [{ Key: 'created-by', Value: 'cloudtrail-multi-region-rule' }] },
    });
  });

  it('creates no access-log bucket for a log bucket that already sends its server access logs elsewhere', () => {
    const logging = { targetBucket: 'central-access-logs', targetPrefix: 'trail-logs/' };

    const plan = create({}, { bucket: ownBucket(LOG_BUCKET, { logging }) });

    expect(plan.actions.filter((a) => a.service === 's3').map((a) => a.input.Bucket)).not.toContain(
      ACCESS_LOG_BUCKET,
    );
    expect(plan.resources.map((r) => r.arn)).toEqual([TRAIL_ARN, LOG_BUCKET_ARN]);
    expect(find(plan.securityHubControls, 'S3.9', LOG_BUCKET_ARN)?.status).toBe('PASSED');
  });
});
