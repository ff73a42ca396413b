import { CLI_WORDING } from '../../../cli/wording';
import { OutsideAccessError, TrailNotRepairableError } from '../../../remediation/errors';
import type { RemediationInput } from '../../../remediation/input';
import { DEFAULT_TRAIL_NAME } from '../../../remediation/input';
import {
  type BucketAccess,
  bucketOutsideGrants,
  keyOutsideGrants,
} from '../../../remediation/outside-grants';
import { planRemediation } from '../../../remediation/plan';
import {
  bucketPolicyStatements,
  keyPolicyStatements,
  type PolicyDocument,
  type PolicyStatement,
} from '../../../remediation/policies';
import { remediate } from '../../../remediation/remediate';
import { messageIn } from '../../../rule/wording';
import {
  type AccountBucket,
  type AccountTrail,
  canonicalUserId,
  LOG_DELIVERY_GROUP,
  STOPPED,
} from '../../support/aws-account/model';
import { type MockedAccount, mockAccount } from '../../support/aws-account/serve-sdk-mock';
import {
  ACCOUNT,
  accountState,
  DEFAULT_KEY_POLICY,
  ROOT_KEY_STATEMENT,
  readTrail,
  trail,
} from '../../support/fixtures';
import {
  KEY_ARN,
  KEY_ID,
  keyFacts,
  LOG_ARCHIVE,
  LOG_BUCKET,
  newTrailFacts,
  OPTIONS,
  ownBucket,
  ownedBy,
  STRANGER,
  SUFFIX,
} from './facts-fixtures';

/*
 * An existing bucket or key that lets in someone outside this account and
 * the trusted log accounts never receives a trail's every-Region events:
 * a new trail is refused with the grant named (OutsideAccessError), and a
 * trail delivering there is not repaired, the plan's reason naming the
 * grant, so the account gets a trail of its own (docs/remediation.md,
 * "Who else can read the logs").
 */

const INSIDE = [ACCOUNT];
const WITH_ARCHIVE = [ACCOUNT, LOG_ARCHIVE];
const BUCKET_ARN = 'arn:aws:s3:::shared-logs';

function allow(principal: unknown, extra: Partial<PolicyStatement> = {}): PolicyStatement {
  return {
    Sid: 'ReadLogs',
    Effect: 'Allow',
    Principal: principal,
    Action: 's3:GetObject',
    Resource: `${BUCKET_ARN}/*`,
    ...extra,
  };
}

function policy(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

function access(overrides: Partial<BucketAccess> = {}): BucketAccess {
  return {
    policy: undefined,
    outsideAclGrants: [],
    objectOwnership: 'BucketOwnerEnforced',
    ...overrides,
  };
}

describe('who else a log bucket or key lets in', () => {
  describe('a bucket policy', () => {
    it('names a principal of another account, with the statement and its actions', () => {
      const grants = bucketOutsideGrants(
        access({ policy: policy(allow({ AWS: `arn:aws:iam::${STRANGER}:root` })) }),
        INSIDE,
      );

      expect(grants).toEqual([
        `its policy Statement[0] ("ReadLogs") allows s3:GetObject to account ${STRANGER} ("arn:aws:iam::${STRANGER}:root")`,
      ]);
    });

    it('names a bare account ID and a role of another account alike', () => {
      const grants = bucketOutsideGrants(
        access({
          policy: policy(
            allow({ AWS: [STRANGER, `arn:aws:iam::${STRANGER}:role/reader`] }, { Sid: undefined }),
          ),
        }),
        INSIDE,
      );

      expect(grants).toEqual([
        `its policy Statement[0] allows s3:GetObject to account ${STRANGER} ("${STRANGER}"), account ${STRANGER} ("arn:aws:iam::${STRANGER}:role/reader")`,
      ]);
    });

    it('accepts principals of this account and of a trusted log account', () => {
      const statements = policy(
        allow({ AWS: `arn:aws:iam::${ACCOUNT}:role/auditor` }),
        allow({ AWS: `arn:aws:iam::${LOG_ARCHIVE}:root` }),
      );

      expect(bucketOutsideGrants(access({ policy: statements }), WITH_ARCHIVE)).toEqual([]);
      // Without the trust, the log account is an outsider like any other.
      expect(bucketOutsideGrants(access({ policy: statements }), INSIDE)).toEqual([
        `its policy Statement[1] ("ReadLogs") allows s3:GetObject to account ${LOG_ARCHIVE} ("arn:aws:iam::${LOG_ARCHIVE}:root")`,
      ]);
    });

    it('accepts the statements CloudTrail and S3 server access logging need, and ignores Deny statements', () => {
      const trailArn = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${DEFAULT_TRAIL_NAME}`;
      const statements = policy(
        ...bucketPolicyStatements({
          bucketName: 'shared-logs',
          accountId: ACCOUNT,
          trailArn,
          region: 'us-east-1',
        }),
        // CloudTrail's older documented statement, with no condition at all.
        {
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: BUCKET_ARN,
        },
        allow({ Service: 'logging.s3.amazonaws.com' }, { Action: 's3:PutObject' }),
      );

      expect(bucketOutsideGrants(access({ policy: statements }), INSIDE)).toEqual([]);
    });

    it('names another service principal unless a condition ties it to this account', () => {
      const config = allow({ Service: 'config.amazonaws.com' }, { Action: 's3:PutObject' });

      expect(bucketOutsideGrants(access({ policy: policy(config) }), INSIDE)).toEqual([
        'its policy Statement[0] ("ReadLogs") allows s3:PutObject to service config.amazonaws.com with no aws:SourceAccount or aws:SourceArn condition naming this account',
      ]);
      expect(
        bucketOutsideGrants(
          access({
            policy: policy({
              ...config,
              Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
            }),
          }),
          INSIDE,
        ),
      ).toEqual([]);
    });

    // aws:SourceAccount and aws:SourceArn are in the request only when a service principal
    // calls for a resource: a person's own call has neither, so a statement for "*" that
    // requires one of them with this account's ID admits only services acting for this account.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceaccount
    // aws:PrincipalAccount is the account of whoever calls, person or role.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalaccount
    it.each<[string, PolicyStatement['Condition']]>([
      ['aws:SourceAccount', { StringEquals: { 'aws:SourceAccount': ACCOUNT } }],
      [
        'aws:PrincipalAccount',
        { StringEquals: { 'aws:PrincipalAccount': [ACCOUNT, LOG_ARCHIVE] } },
      ],
      [
        'aws:SourceArn (ArnLike, any Region and trail, this account)',
        { ArnLike: { 'aws:SourceArn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` } },
      ],
      [
        'aws:PrincipalArn',
        { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/auditor` } },
      ],
    ])('accepts "*" when %s pins the caller to this account or a trusted one', (_, condition) => {
      expect(
        bucketOutsideGrants(
          access({ policy: policy(allow('*', { Condition: condition })) }),
          WITH_ARCHIVE,
        ),
      ).toEqual([]);
    });

    // aws:PrincipalOrgID admits every account of the organization, not only this one
    // and the trusted log accounts: S3 counts it as non-public, but it is still outside.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
    it.each<[string, PolicyStatement['Condition']]>([
      ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }],
      [
        'aws:SourceAccount naming another account',
        { StringEquals: { 'aws:SourceAccount': STRANGER } },
      ],
      [
        'a wildcard account in aws:SourceArn',
        { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:*:trail/*' } },
      ],
      ['a negated operator', { StringNotEquals: { 'aws:PrincipalAccount': STRANGER } }],
      ['an ...IfExists operator', { StringEqualsIfExists: { 'aws:SourceAccount': ACCOUNT } }],
      ['aws:SourceVpce alone', { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }],
    ])('names "*" when the only condition is %s', (_, condition) => {
      expect(
        bucketOutsideGrants(
          access({ policy: policy(allow('*', { Condition: condition })) }),
          INSIDE,
        ),
      ).toEqual([
        'its policy Statement[0] ("ReadLogs") allows s3:GetObject to every principal ("*")',
      ]);
    });

    it('names NotPrincipal, {"AWS": "*"}, and principals whose account cannot be told', () => {
      const grants = bucketOutsideGrants(
        access({
          policy: policy(
            allow(undefined, { Sid: 'A', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }),
            allow({ AWS: '*' }, { Sid: 'B' }),
            allow({ AWS: 'AROAEXAMPLEUNIQUEID01' }, { Sid: 'C' }),
            allow({ CanonicalUser: canonicalUserId(STRANGER) }, { Sid: 'D' }),
          ),
        }),
        INSIDE,
      );

      expect(grants).toEqual([
        'its policy Statement[0] ("A") allows s3:GetObject to every principal but those in NotPrincipal',
        'its policy Statement[1] ("B") allows s3:GetObject to every principal ({"AWS": "*"})',
        'its policy Statement[2] ("C") allows s3:GetObject to AWS principal "AROAEXAMPLEUNIQUEID01", whose account cannot be told',
        `its policy Statement[3] ("D") allows s3:GetObject to CanonicalUser principal "${canonicalUserId(STRANGER)}"`,
      ]);
    });
  });

  describe('a bucket ACL', () => {
    const groups = 'http://acs.amazonaws.com/groups/global';

    it('names grants to everyone, to every AWS account and to another canonical user', () => {
      const grants = bucketOutsideGrants(
        access({
          objectOwnership: 'BucketOwnerPreferred',
          outsideAclGrants: [
            `READ to ${groups}/AllUsers`,
            `READ_ACP to ${groups}/AuthenticatedUsers`,
            `READ to ${canonicalUserId(STRANGER)}`,
          ],
        }),
        INSIDE,
      );

      expect(grants).toEqual([
        `the ACL grants READ to ${groups}/AllUsers`,
        `the ACL grants READ_ACP to ${groups}/AuthenticatedUsers`,
        `the ACL grants READ to ${canonicalUserId(STRANGER)}`,
      ]);
    });

    it("accepts the S3 log delivery group's grants, which legacy server access logging needs", () => {
      expect(
        bucketOutsideGrants(
          access({
            objectOwnership: undefined,
            outsideAclGrants: [
              `WRITE to ${LOG_DELIVERY_GROUP}`,
              `READ_ACP to ${LOG_DELIVERY_GROUP}`,
            ],
          }),
          INSIDE,
        ),
      ).toEqual([]);
    });

    // With Object Ownership "bucket owner enforced", ACLs are disabled and no longer affect
    // permissions: a grant left in the ACL lets nobody in.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
    it('counts no grant once ACLs are disabled (BucketOwnerEnforced)', () => {
      expect(
        bucketOutsideGrants(access({ outsideAclGrants: [`READ to ${groups}/AllUsers`] }), INSIDE),
      ).toEqual([]);
    });
  });

  describe('a key policy', () => {
    const trailArn = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${DEFAULT_TRAIL_NAME}`;

    it("accepts KMS's default policy and the statements CloudTrail needs", () => {
      expect(
        keyOutsideGrants(
          policy(
            ROOT_KEY_STATEMENT,
            ...keyPolicyStatements({ accountId: ACCOUNT, trailArn, region: 'us-east-1' }),
          ),
          INSIDE,
        ),
      ).toEqual([]);
    });

    it('names a principal of another account', () => {
      const decrypt: PolicyStatement = {
        Sid: 'AllowPartnerDecrypt',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${STRANGER}:role/partner` },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
      };

      expect(keyOutsideGrants(policy(ROOT_KEY_STATEMENT, decrypt), INSIDE)).toEqual([
        `its key policy Statement[1] ("AllowPartnerDecrypt") allows kms:Decrypt, kms:DescribeKey to account ${STRANGER} ("arn:aws:iam::${STRANGER}:role/partner")`,
      ]);
    });

    // kms:CallerAccount is the account of whoever calls: AWS managed keys' own policies
    // open a key to "*" with it, pinning every caller to the key's account.
    // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
    it('accepts "*" pinned by kms:CallerAccount to this account, and names it pinned to another', () => {
      const via = (account: string): PolicyStatement => ({
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:CallerAccount': account,
            'kms:ViaService': 's3.us-east-1.amazonaws.com',
          },
        },
      });

      expect(keyOutsideGrants(policy(via(ACCOUNT)), INSIDE)).toEqual([]);
      expect(keyOutsideGrants(policy(via(STRANGER)), INSIDE)).toEqual([
        'its key policy Statement[0] allows kms:Decrypt to every principal ({"AWS": "*"})',
      ]);
    });

    it('accepts a trusted log account', () => {
      const archive = allow(
        { AWS: `arn:aws:iam::${LOG_ARCHIVE}:root` },
        { Action: 'kms:Decrypt', Resource: '*' },
      );

      expect(keyOutsideGrants(policy(archive), WITH_ARCHIVE)).toEqual([]);
    });
  });
});

describe('remediation planner, with a bucket or key that lets outsiders in', () => {
  const strangerRead = allow(
    { AWS: `arn:aws:iam::${STRANGER}:root` },
    { Resource: `arn:aws:s3:::${LOG_BUCKET}/*` },
  );

  it('refuses a new trail on an existing log bucket whose policy lets another account in, naming the grant', () => {
    const bucket = ownBucket(LOG_BUCKET, { policy: policy(strangerRead) });

    expect(() =>
      planRemediation(accountState([]), OPTIONS, { ...newTrailFacts(), bucket }),
    ).toThrow(
      new OutsideAccessError(
        `The log bucket "${LOG_BUCKET}" lets in principals outside this account: its policy Statement[0] ("ReadLogs") allows s3:GetObject to account ${STRANGER} ("arn:aws:iam::${STRANGER}:root"). A trail delivering there would let them read every Region's management events. Nothing was changed. Remove those grants, or limit them with a condition on aws:SourceAccount, aws:PrincipalAccount or aws:SourceArn naming this account (an account that is your log archive can be given in TrustedLogAccountIds); or give another BucketName.`,
      ),
    );
  });

  it('names the flags, not the SSM document parameters, in the command line’s words', () => {
    const bucket = ownBucket(LOG_BUCKET, { policy: policy(strangerRead) });
    let refused: unknown;
    try {
      planRemediation(accountState([]), OPTIONS, { ...newTrailFacts(), bucket });
    } catch (error) {
      refused = error;
    }

    expect(refused).toBeInstanceOf(OutsideAccessError);
    const message = messageIn(refused as OutsideAccessError, CLI_WORDING);
    expect(message).toContain(
      'can be given in --trusted-log-account); or give another --bucket-name.',
    );
    expect(message).not.toMatch(/TrustedLogAccountIds|BucketName/);
  });

  it('refuses a new trail on an existing log bucket whose ACL is open to every AWS account', () => {
    const bucket = ownBucket(LOG_BUCKET, {
      objectOwnership: 'ObjectWriter',
      outsideAclGrants: ['READ to http://acs.amazonaws.com/groups/global/AuthenticatedUsers'],
    });

    expect(() =>
      planRemediation(accountState([]), OPTIONS, { ...newTrailFacts(), bucket }),
    ).toThrow(
      /lets in principals outside this account: the ACL grants READ to http:\/\/acs\.amazonaws\.com\/groups\/global\/AuthenticatedUsers\. /,
    );
  });

  it('accepts the same bucket policy when the account it names is a trusted log account', () => {
    const archiveRead = allow(
      { AWS: `arn:aws:iam::${LOG_ARCHIVE}:root` },
      { Resource: `arn:aws:s3:::${LOG_BUCKET}/*` },
    );
    const bucket = ownBucket(LOG_BUCKET, { policy: policy(archiveRead) });

    const plan = planRemediation(
      accountState([]),
      { ...OPTIONS, trustedLogAccountIds: [LOG_ARCHIVE] },
      { ...newTrailFacts(), bucket },
    );

    expect(plan.actions.map((a) => a.operation)).toContain('CreateTrail');
  });

  it('refuses a new trail with a KMS key whose policy lets another account decrypt, naming the grant', () => {
    const key = keyFacts({
      policy: policy(ROOT_KEY_STATEMENT, {
        Sid: 'AllowPartnerDecrypt',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${STRANGER}:root` },
        Action: 'kms:Decrypt',
        Resource: '*',
      }),
    });

    expect(() =>
      planRemediation(
        accountState([]),
        { ...OPTIONS, kmsKeyId: 'alias/cloudtrail' },
        { ...newTrailFacts(), key },
      ),
    ).toThrow(
      new OutsideAccessError(
        `KMS key ${KEY_ARN} lets in principals outside this account: its key policy Statement[1] ("AllowPartnerDecrypt") allows kms:Decrypt to account ${STRANGER} ("arn:aws:iam::${STRANGER}:root"). A trail delivering there would let them read every Region's management events. Nothing was changed. Remove those grants, or limit them with a condition on aws:SourceAccount, aws:PrincipalAccount or aws:SourceArn naming this account (an account that is your log archive can be given in TrustedLogAccountIds); or leave the key out.`,
      ),
    );
  });

  it('refuses to harden a repaired trail with a KMS key that lets another account in', () => {
    const old = trail({ IsMultiRegionTrail: false });
    const key = keyFacts({
      policy: policy(
        ROOT_KEY_STATEMENT,
        allow({ AWS: STRANGER }, { Action: 'kms:Decrypt', Resource: '*' }),
      ),
    });

    expect(() =>
      planRemediation(
        accountState([readTrail(old, { logging: false })]),
        { ...OPTIONS, hardenRepairedTrail: true, kmsKeyId: 'alias/cloudtrail' },
        { ownership: ownedBy([old]), key },
      ),
    ).toThrow(OutsideAccessError);
  });

  describe('a trail of this account whose own bucket lets outsiders in', () => {
    const old = trail({ IsMultiRegionTrail: false });
    const bucket = old.S3BucketName ?? '';
    const state = () => accountState([readTrail(old, { logging: false })]);
    const leaky = {
      [bucket]: {
        status: 'owned' as const,
        account: ACCOUNT,
        access: access({
          policy: policy(
            allow(
              { AWS: `arn:aws:iam::${STRANGER}:root` },
              { Resource: `arn:aws:s3:::${bucket}/*` },
            ),
          ),
        }),
      },
    };

    it('is not made multi-Region: the account gets a trail of its own, and the reason names the grant', () => {
      const plan = planRemediation(state(), OPTIONS, { ...newTrailFacts(), ownership: leaky });

      expect(plan.target?.kind).toBe('create');
      const create = plan.actions.find((a) => a.operation === 'CreateTrail');
      expect(create?.reason).toContain(
        `"management-events" is left alone, since its bucket "${bucket}" lets in principals outside this account: its policy Statement[0] ("ReadLogs") allows s3:GetObject to account ${STRANGER}`,
      );
      expect(JSON.stringify(plan.actions)).not.toContain(old.TrailARN);
    });

    it('is refused by name when TrailName names it', () => {
      expect(() =>
        planRemediation(
          state(),
          { ...OPTIONS, trailName: 'management-events' },
          { ...newTrailFacts(), ownership: leaky },
        ),
      ).toThrow(TrailNotRepairableError);
      expect(() =>
        planRemediation(
          state(),
          { ...OPTIONS, trailName: 'management-events' },
          { ...newTrailFacts(), ownership: leaky },
        ),
      ).toThrow(/cannot be repaired: its bucket ".*" lets in principals outside this account: /);
    });

    it('is repaired when the account it names is a trusted log account', () => {
      const archive = {
        [bucket]: {
          status: 'owned' as const,
          account: ACCOUNT,
          access: access({ policy: policy(allow({ AWS: `arn:aws:iam::${LOG_ARCHIVE}:root` })) }),
        },
      };

      const plan = planRemediation(
        state(),
        { ...OPTIONS, trustedLogAccountIds: [LOG_ARCHIVE] },
        { ...newTrailFacts(), ownership: archive },
      );

      expect(plan.target?.kind).toBe('repair');
    });
  });
});

describe('one remediation run against the account model', () => {
  let account: MockedAccount | undefined;
  afterEach(() => account?.restore());

  /** A stopped single-Region trail of this account, delivering to its own bucket. */
  function stoppedTrail(): AccountTrail {
    return {
      trail: trail({ IsMultiRegionTrail: false }),
      status: STOPPED,
      eventSelectors: {
        EventSelectors: [
          {
            ReadWriteType: 'All',
            IncludeManagementEvents: true,
            DataResources: [],
            ExcludeManagementEventSources: [],
          },
        ],
      },
    };
  }
  const trailBucket = (overrides: Partial<AccountBucket> = {}): AccountBucket => ({
    name: trail().S3BucketName ?? '',
    owner: ACCOUNT,
    region: 'us-east-1',
    ...overrides,
  });

  function run(input: Partial<RemediationInput> = {}) {
    if (account === undefined) throw new Error('no account');
    return remediate(
      { dryRun: true, ...input },
      { ...account.dependencies(), bucketSuffix: SUFFIX },
    );
  }

  it("reads the repaired trail's bucket policy and ACL, and leaves a trail whose bucket ACL lets every AWS account read", async () => {
    account = mockAccount({
      accountId: ACCOUNT,
      trails: [stoppedTrail()],
      buckets: [
        trailBucket({
          objectOwnership: 'BucketOwnerPreferred',
          grants: [
            {
              Grantee: {
                Type: 'Group',
                URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
              },
              Permission: 'READ',
            },
          ],
        }),
      ],
    });

    const result = await run();

    expect(account.requests.map((r) => r.operation)).toEqual(
      expect.arrayContaining(['GetBucketPolicy', 'GetBucketAcl', 'GetBucketOwnershipControls']),
    );
    expect(result.actions.map((a) => a.operation)).toContain('CreateTrail');
    expect(result.actions.find((a) => a.operation === 'CreateTrail')?.reason).toContain(
      'lets in principals outside this account: the ACL grants READ to http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
    );
    expect(account.writes()).toEqual([]);
  });

  it('repairs the same trail in place when its bucket lets in only this account and CloudTrail', async () => {
    const bucket = trail().S3BucketName ?? '';
    account = mockAccount({
      accountId: ACCOUNT,
      trails: [stoppedTrail()],
      buckets: [
        trailBucket({
          policy: JSON.stringify(
            policy(
              ...bucketPolicyStatements({
                bucketName: bucket,
                accountId: ACCOUNT,
                trailArn: trail().TrailARN,
                region: 'us-east-1',
              }),
            ),
          ),
        }),
      ],
    });

    const result = await run();

    expect(result.actions.map((a) => a.operation)).toEqual(['UpdateTrail', 'StartLogging']);
  });

  it('refuses an existing log bucket whose policy lets another account read, and changes nothing', async () => {
    account = mockAccount({
      accountId: ACCOUNT,
      trails: [],
      buckets: [
        {
          name: 'shared-logs',
          owner: ACCOUNT,
          region: 'us-east-1',
          policy: JSON.stringify(policy(allow({ AWS: `arn:aws:iam::${STRANGER}:root` }))),
        },
      ],
      keys: [
        {
          keyId: KEY_ID,
          region: 'us-east-1',
          owner: ACCOUNT,
          aliases: ['alias/cloudtrail'],
          policy: DEFAULT_KEY_POLICY,
        },
      ],
    });

    const error = await run({ dryRun: false, bucketName: 'shared-logs' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OutsideAccessError);
    expect((error as Error).message).toContain(`allows s3:GetObject to account ${STRANGER}`);
    expect(account.writes()).toEqual([]);
  });
});
