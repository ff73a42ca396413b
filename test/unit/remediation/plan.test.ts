import type { Action } from '../../../remediation/actions';
import {
  KmsKeyError,
  PublicBucketPolicyError,
  TrailNotRepairableError,
  UndecidedAccountError,
  UnsupportedRequirementError,
} from '../../../remediation/errors';
import type { BucketFacts, KeyFacts, OwnBucketFacts } from '../../../remediation/facts';
import {
  CREATED_BY_TAG,
  DEFAULT_TRAIL_NAME,
  defaultAccessLogBucketName,
  defaultBucketName,
} from '../../../remediation/input';
import { planRemediation } from '../../../remediation/plan';
import { bucketPolicyStatements, type PolicyDocument } from '../../../remediation/policies';
import { evaluateAccount } from '../../../rule/evaluate';
import { DEFAULT_PARAMETERS } from '../../../rule/parameters';
import { managementCoverage } from '../../../rule/selectors';
import type { EventSelectors, Trail } from '../../../rule/state';
import {
  ACCOUNT,
  accountState,
  advancedSelectors,
  basicSelector,
  basicSelectors,
  MANAGEMENT_ACCOUNT,
  managementSelector,
  organizationTrail,
  readTrail,
  s3DataSelector,
  trail,
} from '../../support/fixtures';
import {
  ACCESS_LOG_BUCKET,
  absent,
  keyFacts,
  LOG_BUCKET,
  legacyBucket,
  newTrailFacts,
  OPTIONS,
  ownBucket,
  ownedBy,
  SUFFIX,
} from './facts-fixtures';

const ABSENT = (name = LOG_BUCKET): BucketFacts => absent(name);

const own = trail();
const ARN = own.TrailARN;
/** This account owns the bucket the trail delivers to, so the trail may be repaired. */
const OWNED = ownedBy([own]);

function calls(actions: readonly Action[]): string[] {
  return actions.map((a) => `${a.service}:${a.operation}`);
}

/**
 * What a new trail gets besides CreateTrail and StartLogging: the
 * access-log bucket, then the log bucket, each created and hardened so
 * it passes the Security Hub controls on S3 (docs/security-hub.md).
 */
const ACCESS_LOG_BUCKET_STEPS = [
  's3:CreateBucket',
  's3:PutPublicAccessBlock',
  's3:PutBucketEncryption',
  's3:PutBucketVersioning',
  's3:PutBucketLifecycleConfiguration',
  's3:PutBucketTagging',
  's3:PutBucketPolicy',
];
const LOG_BUCKET_STEPS = [
  's3:CreateBucket',
  's3:PutPublicAccessBlock',
  's3:PutBucketEncryption',
  's3:PutBucketVersioning',
  's3:PutBucketLifecycleConfiguration',
  's3:PutBucketTagging',
  's3:PutBucketPolicy',
  's3:PutBucketLogging',
];

/** The steps on one bucket, in order. */
function callsOn(actions: readonly Action[], bucket: string): string[] {
  return calls(actions.filter((a) => a.service === 's3' && a.input.Bucket === bucket));
}

function stepOn(actions: readonly Action[], bucket: string, operation: Action['operation']) {
  return actions.find(
    (a) => a.operation === operation && a.service === 's3' && a.input.Bucket === bucket,
  );
}

function putSelectors(actions: readonly Action[]): EventSelectors {
  const put = actions.find((a) => a.operation === 'PutEventSelectors');
  if (put?.operation !== 'PutEventSelectors') throw new Error('no PutEventSelectors planned');
  const { TrailName: _, ...selectors } = put.input;
  return selectors as EventSelectors;
}

function policyOf(action: Action | undefined): PolicyDocument {
  if (action?.operation !== 'PutBucketPolicy' && action?.operation !== 'PutKeyPolicy') {
    throw new Error('not a policy action');
  }
  return JSON.parse(action.input.Policy ?? '{}') as PolicyDocument;
}

const S3_DATA_RESOURCES = [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::payroll-exports/'] }];

describe('remediation planner', () => {
  it('plans nothing for an account that already passes, naming the passing trail', () => {
    const plan = planRemediation(accountState([readTrail(own)]), OPTIONS);

    expect(plan.compliantBefore).toBe(true);
    expect(plan.actions).toEqual([]);
    expect(plan.trailArn).toBe(ARN);
  });

  it('only starts logging on a trail whose logging is stopped', () => {
    const plan = planRemediation(accountState([readTrail(own, { logging: false })]), OPTIONS, {
      ownership: OWNED,
    });

    expect(plan.actions).toEqual([
      expect.objectContaining({
        service: 'cloudtrail',
        operation: 'StartLogging',
        region: 'us-east-1',
        input: { Name: ARN },
      }),
    ]);
  });

  it('makes a single-Region trail multi-Region with UpdateTrail in its home Region, and nothing else', () => {
    const single = trail({
      IsMultiRegionTrail: false,
      HomeRegion: 'eu-west-1',
      TrailARN: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/management-events`,
      KmsKeyId: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/4f1c2d3e-1111-2222-3333-444455556666`,
      SnsTopicARN: `arn:aws:sns:eu-west-1:${ACCOUNT}:trail-topic`,
    });

    const plan = planRemediation(accountState([readTrail(single)]), OPTIONS, {
      ownership: ownedBy([single]),
    });

    expect(plan.actions).toEqual([
      expect.objectContaining({
        operation: 'UpdateTrail',
        region: 'eu-west-1',
        input: {
          Name: single.TrailARN,
          IsMultiRegionTrail: true,
          IncludeGlobalServiceEvents: true,
        },
      }),
    ]);
  });

  it('adds read events to a write-only basic selector and keeps its S3 data events exactly', () => {
    const selectors = basicSelectors(ARN, [
      basicSelector({ ReadWriteType: 'WriteOnly', DataResources: S3_DATA_RESOURCES }),
    ]);

    const plan = planRemediation(accountState([readTrail(own, { selectors })]), OPTIONS, {
      ownership: OWNED,
    });

    expect(calls(plan.actions)).toEqual(['cloudtrail:PutEventSelectors']);
    const repaired = putSelectors(plan.actions);
    expect(managementCoverage(repaired)).toMatchObject({ uncoveredRead: [], uncoveredWrite: [] });
    // The write-only data selector is kept as it was: widening it would log S3 reads too.
    expect(repaired.EventSelectors).toContainEqual(
      basicSelector({ ReadWriteType: 'WriteOnly', DataResources: S3_DATA_RESOURCES }),
    );
  });

  it('repairs a read-only advanced management selector and leaves the data selectors untouched', () => {
    const selectors = advancedSelectors(ARN, [
      managementSelector([{ Field: 'readOnly', Equals: ['true'] }]),
      s3DataSelector,
    ]);

    const plan = planRemediation(accountState([readTrail(own, { selectors })]), OPTIONS, {
      ownership: OWNED,
    });

    const repaired = putSelectors(plan.actions);
    expect(repaired.EventSelectors).toBeUndefined();
    expect(repaired.AdvancedEventSelectors).toContainEqual(s3DataSelector);
    expect(managementCoverage(repaired)).toMatchObject({ uncoveredRead: [], uncoveredWrite: [] });
  });

  it('stops excluding event sources from management events', () => {
    const selectors = basicSelectors(ARN, [
      basicSelector({
        ExcludeManagementEventSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'],
      }),
    ]);

    const plan = planRemediation(accountState([readTrail(own, { selectors })]), OPTIONS, {
      ownership: OWNED,
    });

    expect(calls(plan.actions)).toEqual(['cloudtrail:PutEventSelectors']);
    expect(managementCoverage(putSelectors(plan.actions)).uncoveredRead).toEqual([]);
  });

  it('translates five basic selectors already in use to advanced selectors when no edit fits', () => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((bucket) =>
      basicSelector({
        ReadWriteType: 'WriteOnly',
        DataResources: [{ Type: 'AWS::S3::Object', Values: [`arn:aws:s3:::${bucket}-exports/`] }],
      }),
    );

    const plan = planRemediation(
      accountState([readTrail(own, { selectors: basicSelectors(ARN, five) })]),
      OPTIONS,
      { ownership: OWNED },
    );

    const repaired = putSelectors(plan.actions);
    expect(repaired.EventSelectors).toBeUndefined();
    expect(repaired.AdvancedEventSelectors?.length).toBeGreaterThan(0);
    expect(managementCoverage(repaired)).toMatchObject({ uncoveredRead: [], uncoveredWrite: [] });
  });

  it('creates its own bucket and trail when only a failing organization trail of another account is seen, and plans nothing for that trail', () => {
    const org = organizationTrail({ IsMultiRegionTrail: false });
    const state = accountState([readTrail(org)]);

    const plan = planRemediation(state, OPTIONS, newTrailFacts());

    expect(calls(plan.actions)).toEqual([
      ...ACCESS_LOG_BUCKET_STEPS,
      ...LOG_BUCKET_STEPS,
      'cloudtrail:CreateTrail',
      'cloudtrail:StartLogging',
    ]);
    expect(callsOn(plan.actions, ACCESS_LOG_BUCKET)).toEqual(ACCESS_LOG_BUCKET_STEPS);
    expect(callsOn(plan.actions, LOG_BUCKET)).toEqual(LOG_BUCKET_STEPS);
    expect(JSON.stringify(plan.actions)).not.toContain(org.TrailARN);
  });

  it('creates a secure bucket and a multi-Region trail with log file validation when there are no trails', () => {
    const plan = planRemediation(accountState([]), OPTIONS, newTrailFacts());

    const bucketName = defaultBucketName(ACCOUNT, 'us-east-1', SUFFIX);
    const trailArn = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${DEFAULT_TRAIL_NAME}`;
    const s3 = { Bucket: bucketName, ExpectedBucketOwner: ACCOUNT };
    expect(plan.trailArn).toBe(trailArn);
    expect(stepOn(plan.actions, bucketName, 'CreateBucket')?.input).toEqual({
      Bucket: bucketName,
      ObjectOwnership: 'BucketOwnerEnforced',
    });
    // The hardening steps a new log bucket gets beside its policy (docs/security-hub.md).
    expect(stepOn(plan.actions, bucketName, 'PutBucketVersioning')?.input).toEqual({
      ...s3,
      VersioningConfiguration: { Status: 'Enabled' },
    });
    expect(stepOn(plan.actions, bucketName, 'PutBucketLifecycleConfiguration')?.input).toEqual({
      ...s3,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'abort-incomplete-multipart-uploads',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          },
        ],
      },
    });
    expect(stepOn(plan.actions, bucketName, 'PutBucketTagging')?.input).toEqual({
      ...s3,
      Tagging: { TagSet: [{ Key: CREATED_BY_TAG.key, Value: CREATED_BY_TAG.value }] },
    });
    expect(stepOn(plan.actions, bucketName, 'PutBucketLogging')?.input).toEqual({
      ...s3,
      BucketLoggingStatus: {
        LoggingEnabled: {
          TargetBucket: defaultAccessLogBucketName(ACCOUNT, 'us-east-1', SUFFIX),
          TargetPrefix: `${bucketName}/`,
        },
      },
    });
    expect(plan.actions.find((a) => a.operation === 'CreateTrail')?.input).toEqual({
      Name: DEFAULT_TRAIL_NAME,
      S3BucketName: bucketName,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      TagsList: [{ Key: CREATED_BY_TAG.key, Value: CREATED_BY_TAG.value }],
    });
    expect(plan.actions.at(-1)).toMatchObject({
      operation: 'StartLogging',
      input: { Name: trailArn },
    });
  });

  it('merges our statements into an existing bucket of ours with an unrelated policy, once', () => {
    const unrelated = {
      Sid: 'AllowAnalyticsRead',
      Effect: 'Allow' as const,
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/analytics` },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::shared-logs/reports/*',
    };
    // Versioned and with a lifecycle rule already: only the policy and server access logs are missing.
    const bucket: OwnBucketFacts = ownBucket('shared-logs', {
      policy: { Version: '2012-10-17', Statement: [unrelated] },
      versioning: 'Enabled',
      lifecycleRules: [
        { ID: 'archive', Status: 'Enabled', Filter: { Prefix: '' }, Transitions: [] },
      ],
    });
    const options = { ...OPTIONS, bucketName: 'shared-logs' };
    const accessLogBucket = newTrailFacts().accessLogBucket;

    const first = planRemediation(accountState([]), options, { bucket, accessLogBucket });
    const policy = policyOf(stepOn(first.actions, 'shared-logs', 'PutBucketPolicy'));
    const second = planRemediation(accountState([]), options, {
      bucket: {
        ...bucket,
        policy,
        logging: { targetBucket: ACCESS_LOG_BUCKET, targetPrefix: 'shared-logs/' },
      },
      accessLogBucket,
    });

    expect(calls(first.actions)).toEqual([
      ...ACCESS_LOG_BUCKET_STEPS,
      's3:PutBucketPolicy',
      's3:PutBucketLogging',
      'cloudtrail:CreateTrail',
      'cloudtrail:StartLogging',
    ]);
    expect(policy.Statement[0]).toEqual(unrelated);
    expect(policy.Statement.map((s) => s.Sid)).toEqual([
      'AllowAnalyticsRead',
      'AWSCloudTrailAclCheck',
      'AWSCloudTrailWrite',
      'DenyInsecureTransport',
    ]);
    expect(callsOn(second.actions, 'shared-logs')).toEqual([]);
    expect(calls(second.actions).slice(-2)).toEqual([
      'cloudtrail:CreateTrail',
      'cloudtrail:StartLogging',
    ]);
  });

  describe('an existing bucket whose policy is public', () => {
    const publicRead = {
      Sid: 'PublicReports',
      Effect: 'Allow' as const,
      Principal: '*',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::shared-logs/reports/*',
    };
    // A bucket from before 2023: no Block Public Access, no default encryption.
    const sharedLogs = (statements: PolicyDocument['Statement']): BucketFacts =>
      legacyBucket('shared-logs', { policy: { Version: '2012-10-17', Statement: statements } });
    const options = { ...OPTIONS, bucketName: 'shared-logs' };
    const { accessLogBucket } = newTrailFacts();

    it('is refused before any change, naming the statement and what to do', () => {
      expect(() =>
        planRemediation(accountState([]), options, {
          bucket: sharedLogs([publicRead]),
          accessLogBucket,
        }),
      ).toThrow(
        new PublicBucketPolicyError(
          'The policy of bucket "shared-logs" is public as S3 judges it: statement "PublicReports" at Statement[0] allows every principal (Principal "*") with no condition. With Block Public Access on, which the remediation turns on for a log bucket, S3 refuses to store a public policy, and trail logs must not be public. Nothing was changed. Give that statement named principals, or a condition with fixed values that S3 counts as non-public (aws:SourceArn, aws:SourceAccount, aws:SourceVpc, aws:SourceVpce, aws:SourceIp, aws:PrincipalOrgID, aws:PrincipalAccount), or remove it; or give another BucketName.',
        ),
      );
    });

    it('is refused even when the policy already has every statement the trail needs', () => {
      const trailArn = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${DEFAULT_TRAIL_NAME}`;
      const complete = bucketPolicyStatements({
        bucketName: 'shared-logs',
        accountId: ACCOUNT,
        trailArn,
        region: 'us-east-1',
      });

      expect(() =>
        planRemediation(accountState([]), options, {
          bucket: sharedLogs([...complete, { ...publicRead, Sid: undefined }]),
          accessLogBucket,
        }),
      ).toThrow(/the statement at Statement\[3\] allows every principal/);
    });

    // aws:PrincipalOrgID is non-public too, but lets in the whole organization:
    // outside-grants.test.ts shows it refused.
    it('is accepted with a condition S3 counts as non-public that keeps it inside the account, and merged', () => {
      const accountOnly = {
        ...publicRead,
        Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } },
      };

      const plan = planRemediation(accountState([]), options, {
        bucket: sharedLogs([accountOnly]),
        accessLogBucket,
      });

      expect(calls(plan.actions)).toEqual([
        ...ACCESS_LOG_BUCKET_STEPS,
        's3:PutPublicAccessBlock',
        's3:PutBucketEncryption',
        's3:PutBucketVersioning',
        's3:PutBucketLifecycleConfiguration',
        's3:PutBucketPolicy',
        's3:PutBucketLogging',
        'cloudtrail:CreateTrail',
        'cloudtrail:StartLogging',
      ]);
      expect(policyOf(stepOn(plan.actions, 'shared-logs', 'PutBucketPolicy')).Statement[0]).toEqual(
        accountOnly,
      );
    });
  });

  it('creates a trail with the TrailName given when no trail of that name exists', () => {
    const plan = planRemediation(
      accountState([readTrail(own, { logging: false })]),
      { ...OPTIONS, trailName: 'security-audit' },
      { ...newTrailFacts(), ownership: OWNED },
    );

    expect(plan.actions.find((a) => a.operation === 'CreateTrail')?.input).toMatchObject({
      Name: 'security-audit',
    });
    expect(plan.trailArn).toBe(`arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/security-audit`);
    expect(JSON.stringify(plan.actions)).not.toContain(ARN);
  });

  it('repairs the TrailName given before a trail that needs fewer changes', () => {
    const stopped = trail({
      Name: 'audit',
      TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/audit`,
    });
    const single = trail({
      Name: 'named',
      IsMultiRegionTrail: false,
      TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/named`,
    });
    const state = accountState([
      readTrail(stopped, { logging: false }),
      readTrail(single, { logging: false }),
    ]);

    const plan = planRemediation(
      state,
      { ...OPTIONS, trailName: 'named' },
      { ownership: ownedBy([stopped, single]) },
    );

    expect(calls(plan.actions)).toEqual(['cloudtrail:UpdateTrail', 'cloudtrail:StartLogging']);
    expect(plan.trailArn).toBe(single.TrailARN);
  });

  it('repairs the trail with the fewest changes, a multi-Region one before a single-Region one', () => {
    const single = trail({
      Name: 'a-single',
      IsMultiRegionTrail: false,
      TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/a-single`,
    });
    const multi = trail({
      Name: 'b-multi',
      TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/b-multi`,
    });
    const state = accountState([
      readTrail(single),
      readTrail(multi, {
        selectors: basicSelectors(multi.TrailARN, [basicSelector({ ReadWriteType: 'WriteOnly' })]),
      }),
    ]);

    const plan = planRemediation(state, OPTIONS, { ownership: ownedBy([single, multi]) });

    expect(plan.trailArn).toBe(multi.TrailARN);
    expect(calls(plan.actions)).toEqual(['cloudtrail:PutEventSelectors']);
  });

  it('never plans a change to a trail of another account, even when it is the closest to passing', () => {
    const org = organizationTrail();
    const state = accountState([readTrail(org, { logging: false })]);

    const plan = planRemediation(state, OPTIONS, newTrailFacts());

    expect(plan.actions.every((a) => !JSON.stringify(a.input).includes(org.TrailARN))).toBe(true);
    expect(plan.actions.some((a) => a.operation === 'CreateTrail')).toBe(true);
  });

  describe("in the management account, whose organization trail DescribeTrails lists with the account's own ARN", () => {
    const org = organizationTrail({ HasCustomEventSelectors: true });
    const writeOnly = basicSelectors(org.TrailARN, [basicSelector({ ReadWriteType: 'WriteOnly' })]);
    const managementView = (trails: Parameters<typeof accountState>[0]) => ({
      ...accountState(trails),
      accountId: MANAGEMENT_ACCOUNT,
    });
    const managementFacts = newTrailFacts(MANAGEMENT_ACCOUNT);
    const managementOwned = (...trails: Trail[]) => ownedBy(trails, MANAGEMENT_ACCOUNT);

    it.each([
      ['a write-only selector', readTrail(org, { selectors: writeOnly })],
      ['logging stopped', readTrail(org, { logging: false })],
    ])(
      'leaves the organization trail with %s alone without a TrailName: creates a trail of its own and says why',
      (_, orgState) => {
        const plan = planRemediation(managementView([orgState]), OPTIONS, {
          ...managementFacts,
          ownership: managementOwned(org),
        });

        expect(calls(plan.actions)).toEqual([
          ...ACCESS_LOG_BUCKET_STEPS,
          ...LOG_BUCKET_STEPS,
          'cloudtrail:CreateTrail',
          'cloudtrail:StartLogging',
        ]);
        expect(JSON.stringify(plan.actions.map((a) => a.input))).not.toContain(org.TrailARN);
        expect(plan.trailArn).toBe(
          `arn:aws:cloudtrail:us-east-1:${MANAGEMENT_ACCOUNT}:trail/${DEFAULT_TRAIL_NAME}`,
        );
        expect(plan.actions.find((a) => a.operation === 'CreateTrail')?.reason).toMatch(
          /^the organization trail "org-trail" of this account is left alone, since a change to an organization trail changes logging, and its cost, for every account in the organization \(give its name as the trail name to repair it\), and this account has no other trail: create /,
        );
      },
    );

    it('repairs the organization trail when TrailName names it', () => {
      const plan = planRemediation(
        managementView([readTrail(org, { selectors: writeOnly, logging: false })]),
        { ...OPTIONS, trailName: 'org-trail' },
        { ownership: managementOwned(org) },
      );

      expect(calls(plan.actions)).toEqual([
        'cloudtrail:PutEventSelectors',
        'cloudtrail:StartLogging',
      ]);
      expect(plan.actions.map((a) => a.input)).toEqual([
        expect.objectContaining({ TrailName: org.TrailARN }),
        { Name: org.TrailARN },
      ]);
      expect(plan.trailArn).toBe(org.TrailARN);
    });

    it('repairs a trail of its own rather than the organization trail, even when that needs more changes', () => {
      const single = trail({
        Name: 'account-trail',
        IsMultiRegionTrail: false,
        IsOrganizationTrail: false,
        TrailARN: `arn:aws:cloudtrail:us-east-1:${MANAGEMENT_ACCOUNT}:trail/account-trail`,
      });

      const plan = planRemediation(
        managementView([
          readTrail(org, { selectors: writeOnly }),
          readTrail(single, { logging: false }),
        ]),
        OPTIONS,
        { ownership: managementOwned(org, single) },
      );

      expect(plan.trailArn).toBe(single.TrailARN);
      expect(calls(plan.actions)).toEqual(['cloudtrail:UpdateTrail', 'cloudtrail:StartLogging']);
    });

    it('refuses, before any change, a new trail whose name the organization trail already has', () => {
      const named = organizationTrail({
        Name: DEFAULT_TRAIL_NAME,
        TrailARN: `arn:aws:cloudtrail:us-east-1:${MANAGEMENT_ACCOUNT}:trail/${DEFAULT_TRAIL_NAME}`,
      });

      expect(() =>
        planRemediation(managementView([readTrail(named, { logging: false })]), OPTIONS, {
          ...managementFacts,
          ownership: managementOwned(named),
        }),
      ).toThrow(
        new TrailNotRepairableError(
          `A new trail would be named "${DEFAULT_TRAIL_NAME}", but this account's organization trail in us-east-1 has that name, and an organization trail is changed only when TrailName names it. Nothing was changed. Give TrailName "${DEFAULT_TRAIL_NAME}" to repair the organization trail, or another TrailName for a trail of this account's own.`,
        ),
      );
    });
  });

  it('refuses a TrailName whose trail cannot be read, naming it, before any change', () => {
    const state = accountState([
      {
        trail: own,
        status: { response: { IsLogging: false } },
        eventSelectors: { error: { name: 'AccessDeniedException', message: 'not authorized' } },
      },
    ]);

    expect(() => planRemediation(state, { ...OPTIONS, trailName: own.Name })).toThrow(
      new TrailNotRepairableError(
        'Trail "management-events" cannot be repaired: GetEventSelectors failed: AccessDeniedException (not authorized). Nothing was changed. Fix that first, or name another trail (or none).',
      ),
    );
  });

  it('refuses to act on an account it cannot decide, rather than add a second trail', () => {
    const state = accountState([
      {
        trail: own,
        status: { response: { IsLogging: true } },
        eventSelectors: { error: { name: 'AccessDeniedException', message: 'not authorized' } },
      },
    ]);

    expect(() => planRemediation(state, OPTIONS, newTrailFacts())).toThrow(UndecidedAccountError);
  });

  it('refuses to create a trail while a failing trail of this account could not be read fully', () => {
    const state = accountState([
      {
        trail: own,
        status: { response: { IsLogging: false } },
        eventSelectors: { error: { name: 'ThrottlingException', message: 'Rate exceeded' } },
      },
    ]);

    expect(() => planRemediation(state, OPTIONS, { ...newTrailFacts(), ownership: OWNED })).toThrow(
      /"management-events" of this account could not be read fully/,
    );
  });

  it('refuses, before any change, to create a trail the rule would still fail for its SNS topic', () => {
    const parameters = {
      ...DEFAULT_PARAMETERS,
      snsTopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:trail-topic`,
    };

    expect(() =>
      planRemediation(accountState([]), { ...OPTIONS, parameters }, newTrailFacts()),
    ).toThrow(UnsupportedRequirementError);
  });

  it('refuses, before any change, a new trail whose name an unrepairable trail of this account already has', () => {
    const elsewhere = trail({
      Name: DEFAULT_TRAIL_NAME,
      TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${DEFAULT_TRAIL_NAME}`,
      S3BucketName: 'old-bucket',
    });
    const parameters = { ...DEFAULT_PARAMETERS, s3BucketName: 'central-logs' };

    expect(() =>
      planRemediation(
        accountState([readTrail(elsewhere)]),
        { ...OPTIONS, parameters },
        {
          bucket: ABSENT('central-logs'),
          accessLogBucket: ABSENT(ACCESS_LOG_BUCKET),
          ownership: { 'old-bucket': { status: 'owned', account: ACCOUNT } },
        },
      ),
    ).toThrow(
      /already has a trail of that name in us-east-1, and it cannot be repaired: S3 bucket is old-bucket, not central-logs\. Nothing was changed\./,
    );
  });

  it("refuses, before any change, a BucketName other than the rule's s3BucketName", () => {
    const parameters = { ...DEFAULT_PARAMETERS, s3BucketName: 'central-logs' };

    expect(() =>
      planRemediation(
        accountState([]),
        { ...OPTIONS, parameters, bucketName: 'other-logs' },
        {
          bucket: ABSENT('other-logs'),
          accessLogBucket: ABSENT(ACCESS_LOG_BUCKET),
        },
      ),
    ).toThrow(UnsupportedRequirementError);
  });

  it("creates the new trail in the rule's s3BucketName when no BucketName is given", () => {
    const parameters = { ...DEFAULT_PARAMETERS, s3BucketName: 'central-logs' };

    const plan = planRemediation(
      accountState([]),
      { ...OPTIONS, parameters },
      {
        bucket: ABSENT('central-logs'),
        accessLogBucket: ABSENT(ACCESS_LOG_BUCKET),
      },
    );

    expect(plan.actions.find((a) => a.operation === 'CreateTrail')?.input).toMatchObject({
      S3BucketName: 'central-logs',
    });
  });

  it('gives a new trail the KMS key and adds CloudTrail to the key policy, once', () => {
    const key: KeyFacts = keyFacts();
    const options = { ...OPTIONS, kmsKeyId: 'alias/cloudtrail' };

    const first = planRemediation(accountState([]), options, { ...newTrailFacts(), key });
    const keyPolicy = policyOf(first.actions.find((a) => a.operation === 'PutKeyPolicy'));
    const second = planRemediation(accountState([]), options, {
      ...newTrailFacts(),
      key: { ...key, policy: keyPolicy },
    });

    expect(first.actions.find((a) => a.operation === 'CreateTrail')?.input).toMatchObject({
      KmsKeyId: key.arn,
    });
    expect(keyPolicy.Statement.map((s) => s.Sid)).toEqual([
      'Enable IAM User Permissions',
      'AllowCloudTrailToEncryptLogs',
      'AllowCloudTrailToDescribeKey',
      'AllowCloudTrailToDecryptWithBucketKey',
    ]);
    expect(keyPolicy.Statement[0]).toEqual(key.policy.Statement[0]);
    expect(second.actions.some((a) => a.operation === 'PutKeyPolicy')).toBe(false);
  });

  it('refuses a KMS key in another Region than the bucket before any change', () => {
    const key: KeyFacts = keyFacts({
      arn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0f1e2d3c-aaaa-bbbb-cccc-111122223333`,
      region: 'eu-west-1',
      policy: { Statement: [] },
    });

    expect(() =>
      planRemediation(
        accountState([]),
        { ...OPTIONS, kmsKeyId: 'alias/cloudtrail' },
        { ...newTrailFacts(), key },
      ),
    ).toThrow(KmsKeyError);
  });

  it('leads, once applied, to a state the rule calls COMPLIANT (repairs combined)', () => {
    const single = trail({ IsMultiRegionTrail: false });
    const selectors = basicSelectors(single.TrailARN, [
      basicSelector({ ReadWriteType: 'ReadOnly' }),
    ]);
    const plan = planRemediation(
      accountState([readTrail(single, { logging: false, selectors })]),
      OPTIONS,
      { ownership: ownedBy([single]) },
    );

    const after = accountState([
      readTrail(
        { ...single, IsMultiRegionTrail: true },
        {
          logging: true,
          selectors: { TrailARN: single.TrailARN, ...putSelectors(plan.actions) },
        },
      ),
    ]);

    expect(calls(plan.actions)).toEqual([
      'cloudtrail:UpdateTrail',
      'cloudtrail:PutEventSelectors',
      'cloudtrail:StartLogging',
    ]);
    expect(evaluateAccount(after, DEFAULT_PARAMETERS).compliance).toBe('COMPLIANT');
  });
});
