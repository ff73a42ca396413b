import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import {
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
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { BucketNotOwnedError, KmsKeyError } from '../../../remediation/errors';
import { readBucketFacts, readBucketOwnership, readKeyFacts } from '../../../remediation/facts';
import { ACCOUNT } from '../../support/fixtures';
import { LOG_ARCHIVE, STRANGER } from './facts-fixtures';

const kms = mockClient(KMSClient);
const s3 = mockClient(S3Client);
afterEach(() => {
  kms.reset();
  s3.reset();
  s3Regions.length = 0;
});
afterAll(() => {
  kms.restore();
  s3.restore();
});

const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0f1e2d3c-aaaa-bbbb-cccc-111122223333`;
const readKey = () =>
  readKeyFacts({
    keyId: 'alias/cloudtrail',
    accountId: ACCOUNT,
    region: 'us-east-1',
    kms: (region) => new KMSClient({ region }),
  });
/** The Region of each S3 client the reader asked for. */
const s3Regions: string[] = [];
const readBucket = () =>
  readBucketFacts({
    name: 'audit-logs',
    accountId: ACCOUNT,
    region: 'us-east-1',
    s3: (region) => {
      s3Regions.push(region);
      return new S3Client({ region });
    },
  });

/** The canonical user ID of the bucket owner, as GetBucketAcl names it. */
const OWNER_ID = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';

/** No versioning, lifecycle, server access logs, tags, Object Lock or ownership controls, and the owner's grant only. */
function nothingElseSet(): void {
  s3.on(GetBucketVersioningCommand).resolves({});
  s3.on(GetBucketLifecycleConfigurationCommand).rejects(
    s3Error('NoSuchLifecycleConfiguration', 404),
  );
  s3.on(GetBucketLoggingCommand).resolves({});
  s3.on(GetBucketTaggingCommand).rejects(s3Error('NoSuchTagSet', 404));
  s3.on(GetObjectLockConfigurationCommand).rejects(
    s3Error('ObjectLockConfigurationNotFoundError', 404),
  );
  s3.on(GetBucketOwnershipControlsCommand).rejects(s3Error('OwnershipControlsNotFoundError', 404));
  s3.on(GetBucketAclCommand).resolves({
    Owner: { ID: OWNER_ID },
    Grants: [{ Grantee: { Type: 'CanonicalUser', ID: OWNER_ID }, Permission: 'FULL_CONTROL' }],
  });
}

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

describe('KMS key checks for a new trail', () => {
  it('says a key that does not exist in the Region is not found there, before any change', async () => {
    kms
      .on(DescribeKeyCommand)
      .rejects(new NotFoundException({ message: 'not found', $metadata: {} }));

    await expect(readKey()).rejects.toThrow(
      new KmsKeyError(
        'KMS key "alias/cloudtrail" was not found in us-east-1. Nothing was changed. CloudTrail needs a key in the same Region as the log bucket: give a key of us-east-1, or leave the key out.',
      ),
    );
  });

  it('lists every reason a key cannot be used: disabled, asymmetric, AWS managed, another account and Region', async () => {
    kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: {
        KeyId: 'k',
        Arn: 'arn:aws:kms:eu-west-1:444455556666:key/k',
        AWSAccountId: '444455556666',
        KeyState: 'Disabled',
        KeySpec: 'RSA_2048',
        KeyManager: 'AWS',
      },
    });

    const error = await readKey().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KmsKeyError);
    expect((error as Error).message).toContain(
      'it belongs to account 444455556666, not 111122223333; it is in eu-west-1, not us-east-1; its state is Disabled, not Enabled; it is a RSA_2048 key, not a symmetric encryption key; it is an AWS managed key',
    );
    expect(kms.commandCalls(GetKeyPolicyCommand)).toHaveLength(0);
  });

  it('reads the policy of a usable key by its ARN', async () => {
    kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: {
        KeyId: 'k',
        Arn: KEY_ARN,
        AWSAccountId: ACCOUNT,
        KeyState: 'Enabled',
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyManager: 'CUSTOMER',
      },
    });
    kms.on(GetKeyPolicyCommand, { KeyId: KEY_ARN, PolicyName: 'default' }).resolves({
      Policy: '{"Version":"2012-10-17","Statement":[]}',
    });
    kms.on(GetKeyRotationStatusCommand, { KeyId: KEY_ARN }).resolves({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 365,
    });

    await expect(readKey()).resolves.toEqual({
      given: 'alias/cloudtrail',
      arn: KEY_ARN,
      region: 'us-east-1',
      accountId: ACCOUNT,
      policy: { Version: '2012-10-17', Statement: [] },
      rotation: true,
    });
  });

  // KMS.4 judges whether automatic rotation is on:
  // https://docs.aws.amazon.com/config/latest/developerguide/cmk-backing-key-rotation-enabled.html
  it("reads a key's rotation as off when GetKeyRotationStatus says so", async () => {
    kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: { KeyId: 'k', Arn: KEY_ARN, AWSAccountId: ACCOUNT, KeyState: 'Enabled' },
    });
    kms.on(GetKeyPolicyCommand).resolves({ Policy: '{"Statement":[]}' });
    kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: false });

    await expect(readKey()).resolves.toMatchObject({ rotation: false });
    expect(kms.commandCalls(GetKeyRotationStatusCommand)[0]?.args[0].input).toEqual({
      KeyId: KEY_ARN,
    });
  });
});

describe('log bucket checks', () => {
  it('calls a 404 bucket absent', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));

    await expect(readBucket()).resolves.toEqual({ name: 'audit-logs', status: 'absent' });
  });

  it('refuses a bucket that answers 403 to its expected owner, naming it', async () => {
    s3.on(HeadBucketCommand, { Bucket: 'audit-logs', ExpectedBucketOwner: ACCOUNT }).rejects(
      s3Error('Forbidden', 403),
    );

    await expect(readBucket()).rejects.toThrow(BucketNotOwnedError);
  });

  it('reads a bucket of ours with no policy, no Block Public Access and no default encryption', async () => {
    s3.on(HeadBucketCommand).resolves({ BucketRegion: 'eu-west-1' });
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy', 404));
    s3.on(GetPublicAccessBlockCommand).rejects(
      s3Error('NoSuchPublicAccessBlockConfiguration', 404),
    );
    s3.on(GetBucketEncryptionCommand).rejects(
      s3Error('ServerSideEncryptionConfigurationNotFoundError', 404),
    );
    nothingElseSet();

    await expect(readBucket()).resolves.toEqual({
      name: 'audit-logs',
      status: 'ours',
      region: 'eu-west-1',
      policy: undefined,
      publicAccessBlock: undefined,
      encrypted: false,
      encryption: undefined,
      versioning: undefined,
      mfaDelete: false,
      lifecycleRules: [],
      logging: undefined,
      tags: {},
      objectLock: { enabled: false },
      objectOwnership: undefined,
      outsideAclGrants: [],
    });
  });

  it('reads every setting the Security Hub controls on S3 judge, in the Region HeadBucket names', async () => {
    const expire = {
      ID: 'expire',
      Status: 'Enabled' as const,
      Filter: { Prefix: 'AWSLogs/' },
      Expiration: { Days: 400 },
    };
    s3.on(HeadBucketCommand).resolves({ BucketRegion: 'eu-west-1' });
    s3.on(GetBucketPolicyCommand).resolves({ Policy: '{"Version":"2012-10-17","Statement":[]}' });
    s3.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: false,
      },
    });
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: 'arn:aws:kms:eu-west-1:111122223333:key/k',
            },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled', MFADelete: 'Enabled' });
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [expire] });
    s3.on(GetBucketLoggingCommand).resolves({
      LoggingEnabled: { TargetBucket: 'access-logs', TargetPrefix: 'audit-logs/' },
    });
    s3.on(GetBucketTaggingCommand).resolves({
      TagSet: [
        { Key: 'team', Value: 'security' },
        { Key: 'aws:cloudformation:stack-name', Value: 'logging' },
      ],
    });
    s3.on(GetObjectLockConfigurationCommand).resolves({
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
      },
    });
    s3.on(GetBucketOwnershipControlsCommand).resolves({
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
    });
    s3.on(GetBucketAclCommand).resolves({
      Owner: { ID: OWNER_ID },
      Grants: [
        { Grantee: { Type: 'CanonicalUser', ID: OWNER_ID }, Permission: 'FULL_CONTROL' },
        {
          Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/s3/LogDelivery' },
          Permission: 'WRITE',
        },
      ],
    });

    const facts = await readBucket();

    expect(facts).toEqual({
      name: 'audit-logs',
      status: 'ours',
      region: 'eu-west-1',
      policy: { Version: '2012-10-17', Statement: [] },
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: false,
      },
      encrypted: true,
      encryption: {
        algorithm: 'aws:kms',
        kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k',
        bucketKey: true,
      },
      versioning: 'Enabled',
      mfaDelete: true,
      lifecycleRules: [expire],
      logging: { targetBucket: 'access-logs', targetPrefix: 'audit-logs/' },
      tags: { team: 'security', 'aws:cloudformation:stack-name': 'logging' },
      objectLock: { enabled: true, mode: 'GOVERNANCE', days: 365 },
      objectOwnership: 'BucketOwnerPreferred',
      outsideAclGrants: ['WRITE to http://acs.amazonaws.com/groups/s3/LogDelivery'],
    });
    // Every read names the owner, and goes to the bucket's own Region.
    for (const call of s3.calls()) {
      expect(call.args[0].input).toMatchObject({
        Bucket: 'audit-logs',
        ExpectedBucketOwner: ACCOUNT,
      });
    }
    expect(s3.calls()).toHaveLength(11);
    expect(s3Regions).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('reads a default retention given in years, and the lifecycle’s minimum object size for transitions', async () => {
    s3.on(HeadBucketCommand).resolves({ BucketRegion: 'us-east-1' });
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy', 404));
    s3.on(GetPublicAccessBlockCommand).rejects(
      s3Error('NoSuchPublicAccessBlockConfiguration', 404),
    );
    s3.on(GetBucketEncryptionCommand).rejects(
      s3Error('ServerSideEncryptionConfigurationNotFoundError', 404),
    );
    nothingElseSet();
    const archive = {
      ID: 'archive',
      Status: 'Enabled' as const,
      Filter: { Prefix: '' },
      Transitions: [{ Days: 30, StorageClass: 'GLACIER_IR' as const }],
    };
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({
      Rules: [archive],
      TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
    });
    s3.on(GetObjectLockConfigurationCommand).resolves({
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 7 } },
      },
    });

    await expect(readBucket()).resolves.toMatchObject({
      lifecycleRules: [archive],
      transitionDefaultMinimumObjectSize: 'varies_by_storage_class',
      objectLock: { enabled: true, mode: 'COMPLIANCE', years: 7 },
    });
  });

  it('passes on an error it does not expect rather than guessing', async () => {
    s3.on(HeadBucketCommand).resolves({});
    s3.on(GetBucketPolicyCommand).rejects(s3Error('SlowDown', 503));

    await expect(readBucket()).rejects.toThrow('SlowDown');
  });
});

describe('who owns the bucket a trail delivers to', () => {
  const owner = (accounts: string[]) =>
    readBucketOwnership({
      name: 'org-logs',
      accounts,
      region: 'us-east-1',
      s3: (region) => new S3Client({ region }),
    });

  it('names this account when HeadBucket answers for it, and asks no one else', async () => {
    s3.on(HeadBucketCommand, { Bucket: 'org-logs', ExpectedBucketOwner: ACCOUNT }).resolves({});

    await expect(owner([ACCOUNT, LOG_ARCHIVE])).resolves.toEqual({
      status: 'owned',
      account: ACCOUNT,
      region: 'us-east-1',
    });
    expect(s3.commandCalls(HeadBucketCommand)).toHaveLength(1);
  });

  it('names the trusted log account that owns it when this account is refused', async () => {
    s3.on(HeadBucketCommand, { ExpectedBucketOwner: ACCOUNT }).rejects(s3Error('Forbidden', 403));
    s3.on(HeadBucketCommand, { ExpectedBucketOwner: LOG_ARCHIVE }).resolves({});

    await expect(owner([ACCOUNT, LOG_ARCHIVE])).resolves.toEqual({
      status: 'owned',
      account: LOG_ARCHIVE,
      region: 'us-east-1',
    });
  });

  it('calls a bucket that answers 403 for every trusted owner outside, never trusting it', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('Forbidden', 403));

    await expect(owner([ACCOUNT, LOG_ARCHIVE])).resolves.toEqual({ status: 'outside' });
    expect(
      s3.commandCalls(HeadBucketCommand).map((c) => c.args[0].input.ExpectedBucketOwner),
    ).toEqual([ACCOUNT, LOG_ARCHIVE]);
    expect(JSON.stringify(s3.calls().map((c) => c.args[0].input))).not.toContain(STRANGER);
  });

  it('calls a bucket that answers 404 absent', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));

    await expect(owner([ACCOUNT])).resolves.toEqual({ status: 'absent' });
  });

  it('passes on an error it does not expect rather than guessing an owner', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('SlowDown', 503));

    await expect(owner([ACCOUNT])).rejects.toThrow('SlowDown');
  });
});
