import { WRITE_OPERATIONS } from '../../../remediation/executor';
import {
  actionsFor,
  operationsOf,
  REMEDIATION_ACTIONS,
  REMEDIATION_PERMISSIONS,
} from '../../../remediation/permissions';
import { remediate } from '../../../remediation/remediate';
import { type AccountTrail, type AwsAccount, STOPPED } from '../../support/aws-account/model';
import { mockAccount } from '../../support/aws-account/serve-sdk-mock';
import { ACCOUNT, DEFAULT_KEY_POLICY, trail } from '../../support/fixtures';

/** Runs the remediation on an account and returns every SDK command class it sent. */
async function commandsSentFor(
  arrange: Partial<AwsAccount>,
  input: { kmsKeyId?: string; bucketName?: string } = {},
): Promise<string[]> {
  const account = mockAccount({ accountId: ACCOUNT, trails: [], ...arrange });
  try {
    await remediate({ dryRun: false, ...input }, account.dependencies());
    return account.commandsSent();
  } finally {
    account.restore();
  }
}

describe('remediation permissions', () => {
  it('lists every operation the executor can send, and no write it cannot', () => {
    const executor = Object.keys(WRITE_OPERATIONS).sort();
    const listed = REMEDIATION_PERMISSIONS.filter((p) => p.write).map((p) => p.operation);

    expect([...new Set(listed)].sort()).toEqual(executor);
  });

  it('covers every call made in a repair, a creation with a KMS key and a merge into an existing bucket, and lists nothing unused', async () => {
    const broken: AccountTrail = {
      trail: trail({ IsMultiRegionTrail: false }),
      status: STOPPED,
      eventSelectors: {
        EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }],
      },
    };
    const sent = [
      ...(await commandsSentFor({ trails: [broken] })),
      ...(await commandsSentFor(
        {
          keys: [
            {
              keyId: '0f1e2d3c-aaaa-bbbb-cccc-111122223333',
              region: 'us-east-1',
              owner: ACCOUNT,
              aliases: ['alias/ct'],
              policy: DEFAULT_KEY_POLICY,
            },
          ],
        },
        { kmsKeyId: 'alias/ct' },
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
      'cloudtrail:CreateTrail',
      'cloudtrail:DescribeTrails',
      'cloudtrail:GetEventSelectors',
      'cloudtrail:GetTrailStatus',
      'cloudtrail:PutEventSelectors',
      'cloudtrail:StartLogging',
      'cloudtrail:UpdateTrail',
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'kms:PutKeyPolicy',
      's3:CreateBucket',
      's3:GetBucketPolicy',
      's3:GetBucketPublicAccessBlock',
      's3:GetEncryptionConfiguration',
      's3:ListBucket',
      's3:PutBucketOwnershipControls',
      's3:PutBucketPolicy',
      's3:PutBucketPublicAccessBlock',
      's3:PutEncryptionConfiguration',
    ]);
  });

  it('writes only to trails of this account, and reads any trail', () => {
    expect(actionsFor('ownTrail')).toEqual([
      'cloudtrail:CreateTrail',
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
