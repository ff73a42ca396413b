import { PolicyMergeError } from '../../../remediation/errors';
import { planRemediation } from '../../../remediation/plan';
import {
  bucketPolicyStatements,
  mergeStatements,
  type PolicyDocument,
  type PolicyStatement,
  parsePolicy,
  publicStatements,
} from '../../../remediation/policies';
import { ACCOUNT, accountState } from '../../support/fixtures';
import { ACCESS_LOG_BUCKET, absent, OPTIONS } from './facts-fixtures';

const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/multi-region-management-events`;
const ours = bucketPolicyStatements({
  bucketName: 'audit-logs',
  accountId: ACCOUNT,
  trailArn: TRAIL_ARN,
  region: 'us-east-1',
});

/** The steps on the new log bucket "audit-logs" (the access-log bucket is planned beside it). */
function newBucketPlan() {
  return planRemediation(
    accountState([]),
    { ...OPTIONS, bucketName: 'audit-logs' },
    { bucket: absent('audit-logs'), accessLogBucket: absent(ACCESS_LOG_BUCKET) },
  ).actions.filter((a) => a.service === 's3' && a.input.Bucket === 'audit-logs');
}

/** Every S3 step of a new trail: the log bucket's and the access-log bucket's. */
function newBucketsPlan() {
  return planRemediation(
    accountState([]),
    { ...OPTIONS, bucketName: 'audit-logs' },
    { bucket: absent('audit-logs'), accessLogBucket: absent(ACCESS_LOG_BUCKET) },
  ).actions.filter((a) => a.service === 's3');
}

describe('log bucket security', () => {
  it('limits both CloudTrail statements to the trail with aws:SourceArn', () => {
    const cloudTrail = ours.filter((s) => JSON.stringify(s.Principal).includes('cloudtrail'));

    expect(cloudTrail.map((s) => s.Action)).toEqual(['s3:GetBucketAcl', 's3:PutObject']);
    for (const statement of cloudTrail) {
      expect(statement.Condition?.StringEquals?.['aws:SourceArn']).toBe(TRAIL_ARN);
    }
  });

  it("lets CloudTrail write only under this account's AWSLogs prefix, with the bucket owner in control", () => {
    const write = ours.find((s) => s.Action === 's3:PutObject');

    expect(write?.Resource).toBe(`arn:aws:s3:::audit-logs/AWSLogs/${ACCOUNT}/*`);
    expect(write?.Condition?.StringEquals?.['s3:x-amz-acl']).toBe('bucket-owner-full-control');
  });

  it('denies every request to the bucket and its objects that does not use TLS', () => {
    expect(ours).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::audit-logs', 'arn:aws:s3:::audit-logs/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('creates a new bucket with ACLs disabled, all Block Public Access settings and default encryption', () => {
    const actions = newBucketPlan();

    expect(actions.find((a) => a.operation === 'CreateBucket')?.input).toMatchObject({
      ObjectOwnership: 'BucketOwnerEnforced',
    });
    expect(actions.find((a) => a.operation === 'PutPublicAccessBlock')?.input).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(actions.find((a) => a.operation === 'PutBucketEncryption')?.input).toMatchObject({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
  });

  it('names this account as the expected owner on every bucket write, so a bucket taken meanwhile is never changed', () => {
    const writes = newBucketsPlan().filter((a) => a.operation !== 'CreateBucket');

    expect(new Set(writes.map((a) => a.input.Bucket))).toEqual(
      new Set(['audit-logs', ACCESS_LOG_BUCKET]),
    );
    for (const action of writes)
      expect(action.input).toMatchObject({ ExpectedBucketOwner: ACCOUNT });
  });
});

describe('policy merging', () => {
  const unrelated = {
    Sid: 'AWSCloudTrailWrite',
    Effect: 'Allow' as const,
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/exporter` },
    Action: 's3:PutObject',
    Resource: 'arn:aws:s3:::audit-logs/exports/*',
  };

  it('keeps every existing statement first and in order', () => {
    const merged = mergeStatements({ Version: '2012-10-17', Statement: [unrelated] }, ours);

    expect(merged?.policy.Statement[0]).toEqual(unrelated);
    expect(merged?.policy.Statement).toHaveLength(1 + ours.length);
  });

  it('gives a new statement a numbered Sid when its Sid is taken by another statement', () => {
    const merged = mergeStatements({ Statement: [unrelated] }, ours);

    expect(merged?.policy.Statement.map((s) => s.Sid)).toEqual([
      'AWSCloudTrailWrite',
      'AWSCloudTrailAclCheck',
      'AWSCloudTrailWrite2',
      'DenyInsecureTransport',
    ]);
  });

  it('does not add a statement that is already there under another Sid or with one-item lists', () => {
    const renamed = ours.map((s, i) => ({
      ...s,
      Sid: `Existing${i}`,
      Action: [s.Action].flat(),
    }));

    expect(mergeStatements({ Statement: renamed }, ours)).toBeUndefined();
  });

  it('reads a policy whose Statement is a single object', () => {
    const policy = parsePolicy(
      JSON.stringify({ Version: '2012-10-17', Statement: unrelated }),
      'policy',
    );

    expect(policy.Statement).toEqual([unrelated]);
  });

  it('refuses a policy that is not JSON, saying what to fix', () => {
    expect(() => parsePolicy('{"Statement": [', 'policy of bucket "audit-logs"')).toThrow(
      new PolicyMergeError(
        'The policy of bucket "audit-logs" is not valid JSON: fix or remove it, then run again.',
      ),
    );
  });

  it('keeps fields it does not know (Id, Version)', () => {
    const existing: PolicyDocument = { Version: '2008-10-17', Id: 'Policy1', Statement: [] };

    expect(mergeStatements(existing, ours)?.policy).toMatchObject({
      Version: '2008-10-17',
      Id: 'Policy1',
    });
  });
});

/*
 * Which bucket policies S3 calls public: a statement allowing every
 * principal is public unless a condition limits it to fixed values of a key
 * S3 counts. The S3 User Guide, "The meaning of 'public'":
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
 */
describe('public bucket policies, as S3 judges them', () => {
  const read = (overrides: Partial<PolicyStatement>): PolicyStatement => ({
    Sid: 'Reports',
    Effect: 'Allow',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::audit-logs/reports/*',
    ...overrides,
  });
  const judge = (statement: PolicyStatement) =>
    publicStatements({ Version: '2012-10-17', Statement: [statement] }).map((p) => p.why);

  it.each([
    [
      'Principal "*" with no condition',
      read({}),
      'every principal (Principal "*") with no condition',
    ],
    [
      'Principal {"AWS": "*"} with no condition',
      read({ Principal: { AWS: ['*'] } }),
      'every principal (Principal {"AWS": "*"}) with no condition',
    ],
    [
      'NotPrincipal in an Allow statement',
      read({ Principal: undefined, NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }),
      'every principal but those in NotPrincipal with no condition',
    ],
    [
      'a wildcard in aws:SourceArn',
      read({ Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:*:trail/*' } } }),
      'every principal (Principal "*") with no condition that S3 counts as non-public',
    ],
    [
      'a negated operator on aws:PrincipalOrgID',
      read({ Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
      'every principal (Principal "*") with no condition that S3 counts as non-public',
    ],
    [
      'aws:SourceIp 0.0.0.0/0',
      read({ Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } }),
      'every principal (Principal "*") with no condition that S3 counts as non-public',
    ],
    [
      'a key S3 does not count (aws:SecureTransport)',
      read({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } }),
      'every principal (Principal "*") with no condition that S3 counts as non-public',
    ],
    [
      'a policy variable in aws:PrincipalAccount',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template.
      read({ Condition: { StringEquals: { 'aws:PrincipalAccount': '${aws:username}' } } }),
      'every principal (Principal "*") with no condition that S3 counts as non-public',
    ],
  ])('calls public: %s', (_, statement, why) => {
    expect(judge(statement)).toEqual([why]);
  });

  it.each([
    ['a named principal', read({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/analytics` } })],
    ['a service principal', read({ Principal: { Service: 'cloudtrail.amazonaws.com' } })],
    ['a Deny for everyone', read({ Effect: 'Deny' })],
    [
      'a fixed aws:PrincipalOrgID',
      read({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
    ],
    [
      'a fixed aws:SourceVpce (key in any case)',
      read({ Condition: { StringEquals: { 'AWS:SOURCEVPCE': 'vpce-1a2b3c4d' } } }),
    ],
    [
      'a fixed aws:SourceArn beside a key S3 does not count',
      read({
        Condition: {
          Bool: { 'aws:SecureTransport': 'true' },
          ArnEquals: { 'aws:SourceArn': TRAIL_ARN },
        },
      }),
    ],
    [
      'an aws:SourceIp range',
      read({ Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } } }),
    ],
  ])('calls non-public: %s', (_, statement) => {
    expect(judge(statement)).toEqual([]);
  });

  it('judges our own statements non-public (the TLS deny for everyone is a Deny)', () => {
    expect(publicStatements({ Statement: ours })).toEqual([]);
  });

  it('names each public statement by its position and Sid', () => {
    const policy: PolicyDocument = {
      Statement: [
        read({ Principal: { Service: 'logging.s3.amazonaws.com' } }),
        read({ Sid: undefined }),
      ],
    };

    expect(publicStatements(policy)).toEqual([
      { index: 1, sid: undefined, why: 'every principal (Principal "*") with no condition' },
    ]);
  });
});
