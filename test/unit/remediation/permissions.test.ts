import { WRITE_OPERATIONS } from '../../../remediation/executor';
import type { RemediationInput } from '../../../remediation/input';
import {
  actionsFor,
  operationsOf,
  REMEDIATION_ACTIONS,
  REMEDIATION_PERMISSIONS,
} from '../../../remediation/permissions';
import { remediate } from '../../../remediation/remediate';
import {
  type AccountKey,
  type AccountTrail,
  type AwsAccount,
  STOPPED,
} from '../../support/aws-account/model';
import { mockAccount } from '../../support/aws-account/serve-sdk-mock';
import { ACCOUNT, DEFAULT_KEY_POLICY, trail } from '../../support/fixtures';

/** Runs the remediation on an account and returns every SDK command class it sent. */
async function commandsSentFor(
  arrange: Partial<AwsAccount>,
  input: Partial<RemediationInput> = {},
): Promise<string[]> {
  const account = mockAccount({ accountId: ACCOUNT, trails: [], ...arrange });
  try {
    await remediate({ dryRun: false, ...input }, account.dependencies());
    return account.commandsSent();
  } finally {
    account.restore();
  }
}

const KEY: AccountKey = {
  keyId: '0f1e2d3c-aaaa-bbbb-cccc-111122223333',
  region: 'us-east-1',
  owner: ACCOUNT,
  aliases: ['alias/ct'],
  policy: DEFAULT_KEY_POLICY,
};
const CLOUDWATCH_LOGS = {
  cloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:cloudtrail`,
  cloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/cloudtrail-to-cloudwatch-logs`,
};

describe('remediation permissions', () => {
  it('lists every operation the executor can send, and no write it cannot', () => {
    const executor = Object.keys(WRITE_OPERATIONS).sort();
    const listed = REMEDIATION_PERMISSIONS.filter((p) => p.write).map((p) => p.operation);

    expect([...new Set(listed)].sort()).toEqual(executor);
  });

  it('covers every call made in a hardened repair, a creation with every option and a merge into an existing bucket, and lists nothing unused', async () => {
    const broken: AccountTrail = {
      trail: trail({ IsMultiRegionTrail: false, LogFileValidationEnabled: false }),
      status: STOPPED,
      eventSelectors: {
        EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }],
      },
    };
    const sent = [
      ...(await commandsSentFor(
        {
          trails: [broken],
          keys: [KEY],
          // The trail's own bucket, as a bucket from before 2023: no Block Public Access.
          buckets: [{ name: broken.trail.S3BucketName ?? '', owner: ACCOUNT, region: 'us-east-1' }],
        },
        {
          hardenRepairedTrail: true,
          kmsKeyId: 'alias/ct',
          tags: { team: 'security' },
          ...CLOUDWATCH_LOGS,
        },
      )),
      ...(await commandsSentFor(
        { keys: [KEY] },
        {
          kmsKeyId: 'alias/ct',
          objectLockDays: 365,
          logRetentionDays: 2557,
          tags: { team: 'security' },
          ...CLOUDWATCH_LOGS,
        },
      )),
      ...(await commandsSentFor(
        {
          buckets: [
            {
              name: 'shared-logs',
              owner: ACCOUNT,
              region: 'us-east-1',
              policy: '{"Version":"2012-10-17","Statement":[]}',
            },
          ],
        },
        { bucketName: 'shared-logs' },
      )),
    ];
    const operations = new Set(
      sent
        .map((name) => name.replace(/Command$/, ''))
        // STS GetCallerIdentity needs no permission: it only names the caller.
        .filter((operation) => operation !== 'GetCallerIdentity'),
    );
    const permitted = new Set(REMEDIATION_PERMISSIONS.map((p) => p.operation));

    expect([...operations].filter((o) => !permitted.has(o))).toEqual([]);
    expect([...permitted].filter((o) => !operations.has(o))).toEqual([]);
  });

  it('grants exactly these IAM actions, as the Service Authorization Reference names them', () => {
    expect(REMEDIATION_ACTIONS).toEqual([
      'cloudtrail:AddTags',
      'cloudtrail:CreateTrail',
      'cloudtrail:DescribeTrails',
      'cloudtrail:GetEventSelectors',
      'cloudtrail:GetTrailStatus',
      'cloudtrail:ListTags',
      'cloudtrail:PutEventSelectors',
      'cloudtrail:StartLogging',
      'cloudtrail:UpdateTrail',
      'iam:PassRole',
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'kms:GetKeyRotationStatus',
      'kms:PutKeyPolicy',
      's3:CreateBucket',
      's3:GetBucketAcl',
      's3:GetBucketLogging',
      's3:GetBucketObjectLockConfiguration',
      's3:GetBucketOwnershipControls',
      's3:GetBucketPolicy',
      's3:GetBucketPublicAccessBlock',
      's3:GetBucketTagging',
      's3:GetBucketVersioning',
      's3:GetEncryptionConfiguration',
      's3:GetLifecycleConfiguration',
      's3:ListBucket',
      's3:PutBucketLogging',
      's3:PutBucketObjectLockConfiguration',
      's3:PutBucketOwnershipControls',
      's3:PutBucketPolicy',
      's3:PutBucketPublicAccessBlock',
      's3:PutBucketTagging',
      's3:PutBucketVersioning',
      's3:PutEncryptionConfiguration',
      's3:PutLifecycleConfiguration',
    ]);
  });

  it('writes only to trails of this account, and reads any trail', () => {
    expect(actionsFor('ownTrail')).toEqual([
      'cloudtrail:AddTags',
      'cloudtrail:CreateTrail',
      'cloudtrail:ListTags',
      'cloudtrail:PutEventSelectors',
      'cloudtrail:StartLogging',
      'cloudtrail:UpdateTrail',
    ]);
    expect(actionsFor('anyTrail')).toEqual([
      'cloudtrail:GetEventSelectors',
      'cloudtrail:GetTrailStatus',
    ]);
    expect(actionsFor('none')).toEqual(['cloudtrail:DescribeTrails']);
  });

  it('has no action that stops, deletes or removes anything', () => {
    expect(REMEDIATION_ACTIONS.filter((a) => /:(Stop|Delete|Remove|Disable)/.test(a))).toEqual([]);
    expect(operationsOf('cloudtrail', { write: true })).not.toContain('StopLogging');
  });
});

describe('remediation permissions for the hardening', () => {
  it("may change a repaired trail's own bucket only by Block Public Access and the policy, adding the TLS-only statement", () => {
    expect(
      REMEDIATION_PERMISSIONS.filter((p) => p.scope === 'repairedTrailBucket' && p.write).map(
        (p) => p.action,
      ),
    ).toEqual(['s3:PutBucketPublicAccessBlock', 's3:PutBucketPolicy']);
  });

  it('only reads the KMS key, rotation included, and changes nothing but its policy', () => {
    expect(actionsFor('key')).toEqual([
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'kms:GetKeyRotationStatus',
    ]);
    expect(actionsFor('keyPolicy')).toEqual(['kms:PutKeyPolicy']);
  });

  it('passes a role to CloudTrail only for CloudWatch Logs, when a trail is created or updated', () => {
    expect(
      REMEDIATION_PERMISSIONS.filter((p) => p.action === 'iam:PassRole').map((p) => [
        p.operation,
        p.scope,
      ]),
    ).toEqual([
      ['CreateTrail', 'cloudWatchLogsRole'],
      ['UpdateTrail', 'cloudWatchLogsRole'],
    ]);
  });

  it('may only learn who owns the bucket another trail delivers to', () => {
    expect(actionsFor('trailBucket')).toEqual(['s3:ListBucket']);
  });
});

describe('reading who else a trail bucket lets in', () => {
  it('may only read the policy, ACL and ownership controls of a bucket a trail delivers to', () => {
    expect(actionsFor('trailBucketAccess')).toEqual([
      's3:GetBucketAcl',
      's3:GetBucketOwnershipControls',
      's3:GetBucketPolicy',
    ]);
    expect(
      REMEDIATION_PERMISSIONS.filter((p) => p.scope === 'trailBucketAccess' && p.write),
    ).toEqual([]);
  });
});
