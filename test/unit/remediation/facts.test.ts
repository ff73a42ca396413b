import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { BucketNotOwnedError, KmsKeyError } from '../../../remediation/errors';
import { readBucketFacts, readKeyFacts } from '../../../remediation/facts';
import { ACCOUNT } from '../../support/fixtures';

const kms = mockClient(KMSClient);
const s3 = mockClient(S3Client);
afterEach(() => {
  kms.reset();
  s3.reset();
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
const readBucket = () =>
  readBucketFacts({
    name: 'audit-logs',
    accountId: ACCOUNT,
    region: 'us-east-1',
    s3: (region) => new S3Client({ region }),
  });

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
        'KMS key "alias/cloudtrail" was not found in us-east-1. Nothing was changed. CloudTrail needs a key in the same Region as the log bucket: give a key of us-east-1, or leave KmsKeyId empty.',
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

    await expect(readKey()).resolves.toEqual({
      given: 'alias/cloudtrail',
      arn: KEY_ARN,
      region: 'us-east-1',
      accountId: ACCOUNT,
      policy: { Version: '2012-10-17', Statement: [] },
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

    await expect(readBucket()).resolves.toEqual({
      name: 'audit-logs',
      status: 'ours',
      region: 'eu-west-1',
      policy: undefined,
      publicAccessBlock: undefined,
      encrypted: false,
    });
  });

  it('passes on an error it does not expect rather than guessing', async () => {
    s3.on(HeadBucketCommand).resolves({});
    s3.on(GetBucketPolicyCommand).rejects(s3Error('SlowDown', 503));

    await expect(readBucket()).rejects.toThrow('SlowDown');
  });
});
