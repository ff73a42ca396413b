import type { Action } from '../../../remediation/actions';
import type { ControlForecast } from '../../../remediation/controls';
import { TrailNotRepairableError } from '../../../remediation/errors';
import type { BucketOwnership } from '../../../remediation/facts';
import { DEFAULT_TRAIL_NAME } from '../../../remediation/input';
import {
  factsNeeded,
  ownershipNeeded,
  type PlanFacts,
  type PlanOptions,
  planRemediation,
} from '../../../remediation/plan';
import {
  denyInsecureTransport,
  keyPolicyStatements,
  type PolicyDocument,
} from '../../../remediation/policies';
import type { Trail } from '../../../rule/state';
import {
  ACCOUNT,
  accountState,
  basicSelector,
  basicSelectors,
  organizationTrail,
  readTrail,
  trail,
} from '../../support/fixtures';
import {
  ALL_BLOCKED,
  KEY_ARN,
  keyFacts,
  LOG_ARCHIVE,
  legacyBucket,
  newTrailFacts,
  OPTIONS,
  ownedBy,
  STRANGER,
} from './facts-fixtures';

/*
 * Before a trail is repaired, the remediation checks that it delivers where
 * the account trusts: to a bucket and key of this account or of a trusted
 * log account (docs/security-hub.md, "Trails that deliver outside the
 * account"). With hardenRepairedTrail a repair also hardens the trail and
 * its own bucket ("Repairs").
 */

/** A single-Region trail that stopped logging: repairing it takes UpdateTrail and StartLogging. */
function stopped(overrides: Partial<Trail> = {}) {
  return trail({ IsMultiRegionTrail: false, ...overrides });
}
const NEW_TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${DEFAULT_TRAIL_NAME}`;

function calls(actions: readonly Action[]): string[] {
  return actions.map((a) => `${a.service}:${a.operation}`);
}

function plan(
  trails: Trail[],
  ownership: Record<string, BucketOwnership>,
  options: Partial<PlanOptions> = {},
  facts: PlanFacts = {},
) {
  return planRemediation(
    accountState(trails.map((t) => readTrail(t, { logging: false }))),
    { ...OPTIONS, ...options },
    { ...newTrailFacts(), ...facts, ownership },
  );
}

function status(forecast: readonly ControlForecast[], controlId: string, resource: string) {
  return forecast.find((c) => c.controlId === controlId && c.resource === resource);
}

describe('Security Hub forecast', () => {
  describe('trust before a repair', () => {
    it('does not repair a stopped single-Region trail whose bucket is owned outside the account: the account gets a trail of its own, and the reason names the bucket', () => {
      const old = stopped();
      const bucket = old.S3BucketName ?? '';

      const result = plan([old], { [bucket]: { status: 'outside' } });

      expect(result.trailArn).toBe(NEW_TRAIL_ARN);
      expect(calls(result.actions).slice(-2)).toEqual([
        'cloudtrail:CreateTrail',
        'cloudtrail:StartLogging',
      ]);
      expect(JSON.stringify(result.actions.map((a) => a.input))).not.toContain(old.TrailARN);
      expect(result.actions.find((a) => a.operation === 'CreateTrail')?.reason).toMatch(
        new RegExp(
          `^no trail of this account can be repaired: "management-events" is left alone, since it delivers to bucket "${bucket}", which belongs to an account other than this account: create `,
        ),
      );
    });

    it('does not repair a trail whose KMS key belongs to another account, and the reason names the key', () => {
      const key = `arn:aws:kms:us-east-1:${STRANGER}:key/0f1e2d3c-aaaa-bbbb-cccc-777788889999`;
      const old = stopped({ KmsKeyId: key });

      const result = plan([old], ownedBy([old]));

      expect(result.trailArn).toBe(NEW_TRAIL_ARN);
      expect(result.actions.find((a) => a.operation === 'CreateTrail')?.reason).toContain(
        `"management-events" is left alone, since its KMS key ${key} belongs to account ${STRANGER}, not this account`,
      );
    });

    it('does not repair a trail whose bucket does not exist', () => {
      const old = stopped();

      const result = plan([old], { [old.S3BucketName ?? '']: { status: 'absent' } });

      expect(result.trailArn).toBe(NEW_TRAIL_ARN);
      expect(result.actions.find((a) => a.operation === 'CreateTrail')?.reason).toContain(
        `its bucket "${old.S3BucketName}" does not exist`,
      );
    });

    it('repairs a trail that delivers to a trusted log account’s bucket with its key', () => {
      const key = `arn:aws:kms:us-east-1:${LOG_ARCHIVE}:key/0f1e2d3c-aaaa-bbbb-cccc-444455556666`;
      const old = stopped({ S3BucketName: 'org-log-archive', KmsKeyId: key });

      const result = plan([old], ownedBy([old], LOG_ARCHIVE), {
        trustedLogAccountIds: [LOG_ARCHIVE],
      });

      expect(result.trailArn).toBe(old.TrailARN);
      expect(calls(result.actions)).toEqual(['cloudtrail:UpdateTrail', 'cloudtrail:StartLogging']);
    });

    it('names in the reason the trusted log accounts a trail’s key is not in', () => {
      const key = `arn:aws:kms:us-east-1:${STRANGER}:key/0f1e2d3c-aaaa-bbbb-cccc-777788889999`;
      const old = stopped({ S3BucketName: 'org-log-archive', KmsKeyId: key });

      const result = plan([old], ownedBy([old], LOG_ARCHIVE), {
        trustedLogAccountIds: [LOG_ARCHIVE],
      });

      expect(result.actions.find((a) => a.operation === 'CreateTrail')?.reason).toContain(
        `belongs to account ${STRANGER}, not this account and the trusted log accounts (${LOG_ARCHIVE})`,
      );
    });

    it('refuses, before any change, to repair the trail named by TrailName when it delivers outside the account', () => {
      const old = stopped();

      expect(() =>
        plan([old], { [old.S3BucketName ?? '']: { status: 'outside' } }, { trailName: old.Name }),
      ).toThrow(
        new TrailNotRepairableError(
          `Trail "management-events" cannot be repaired: it delivers to bucket "${old.S3BucketName}", which belongs to an account other than this account. Nothing was changed. Fix that first, or name another trail (or none).`,
        ),
      );
    });

    it('asks who owns the buckets of this account’s trails only, each once', () => {
      const a = stopped({ Name: 'a', TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/a` });
      const b = stopped({ Name: 'b', TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/b` });
      const state = accountState([readTrail(a), readTrail(b), readTrail(organizationTrail())]);

      expect(ownershipNeeded(state)).toEqual([a.S3BucketName]);
    });
  });

  describe('a repair with hardenRepairedTrail', () => {
    const CLOUDWATCH = {
      cloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:cloudtrail`,
      cloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/cloudtrail-to-cloudwatch-logs`,
    };
    const bare = stopped({ LogFileValidationEnabled: false });
    const bucketName = bare.S3BucketName ?? '';
    const bucketArn = `arn:aws:s3:::${bucketName}`;
    const readers = {
      Sid: 'AllowAuditorsRead',
      Effect: 'Allow' as const,
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/auditor` },
      Action: 's3:GetObject',
      Resource: `${bucketArn}/*`,
    };
    // A bucket from before 2023, with a policy of its own.
    const ownBucket = legacyBucket(bucketName, {
      policy: { Version: '2012-10-17', Statement: [readers] },
    });
    const hardened: Partial<PlanOptions> = {
      hardenRepairedTrail: true,
      kmsKeyId: 'alias/cloudtrail',
      tags: { team: 'security' },
      ...CLOUDWATCH,
    };

    it('reads the trail’s own bucket and the configured key, and only those', () => {
      const target = planRemediation(accountState([readTrail(bare)]), OPTIONS, {
        ownership: ownedBy([bare]),
      }).target;

      expect(factsNeeded(target, hardened, ownedBy([bare]))).toEqual({
        trailArn: bare.TrailARN,
        bucketName,
        kmsKeyId: 'alias/cloudtrail',
      });
      expect(factsNeeded(target, hardened, ownedBy([bare], LOG_ARCHIVE))).toEqual({
        trailArn: bare.TrailARN,
        kmsKeyId: 'alias/cloudtrail',
      });
      expect(factsNeeded(target, {}, ownedBy([bare]))).toEqual({ trailArn: bare.TrailARN });
    });

    it('turns on log file validation, the configured key and CloudWatch Logs, tags the trail, and hardens its bucket', () => {
      const result = plan([bare], ownedBy([bare]), hardened, {
        bucket: ownBucket,
        key: keyFacts({ rotation: true }),
        trailTags: { owner: 'platform' },
      });

      expect(calls(result.actions)).toEqual([
        'cloudtrail:UpdateTrail',
        'cloudtrail:StartLogging',
        'kms:PutKeyPolicy',
        'cloudtrail:UpdateTrail',
        'cloudtrail:AddTags',
        's3:PutPublicAccessBlock',
        's3:PutBucketPolicy',
      ]);
      expect(result.actions[3]?.input).toEqual({
        Name: bare.TrailARN,
        EnableLogFileValidation: true,
        KmsKeyId: KEY_ARN,
        CloudWatchLogsLogGroupArn: `${CLOUDWATCH.cloudWatchLogsLogGroupArn}:*`,
        CloudWatchLogsRoleArn: CLOUDWATCH.cloudWatchLogsRoleArn,
      });
      expect(result.actions[4]?.input).toEqual({
        ResourceId: bare.TrailARN,
        TagsList: [{ Key: 'team', Value: 'security' }],
      });
      expect(result.actions[5]?.input).toEqual({
        Bucket: bucketName,
        ExpectedBucketOwner: ACCOUNT,
        PublicAccessBlockConfiguration: ALL_BLOCKED,
      });
    });

    it('merges CloudTrail’s statements into the key policy, keeping the policy’s own', () => {
      const result = plan([bare], ownedBy([bare]), hardened, {
        bucket: ownBucket,
        key: keyFacts(),
        trailTags: {},
      });

      const put = result.actions.find((a) => a.operation === 'PutKeyPolicy');
      const policy = JSON.parse(String(put?.input.Policy)) as PolicyDocument;
      expect(policy.Statement).toEqual([
        ...keyFacts().policy.Statement,
        ...keyPolicyStatements({
          accountId: ACCOUNT,
          trailArn: bare.TrailARN,
          region: 'us-east-1',
        }),
      ]);
    });

    it('adds the TLS-only statement beside the bucket policy’s own statements', () => {
      const result = plan([bare], ownedBy([bare]), hardened, {
        bucket: ownBucket,
        key: keyFacts(),
        trailTags: {},
      });

      const put = result.actions.find((a) => a.operation === 'PutBucketPolicy');
      expect(JSON.parse(String(put?.input.Policy))).toEqual({
        Version: '2012-10-17',
        Statement: [readers, denyInsecureTransport(bucketArn)],
      });
    });

    it('forecasts the hardened trail, its bucket and the key passing what hardening sets', () => {
      const result = plan([bare], ownedBy([bare]), hardened, {
        bucket: ownBucket,
        key: keyFacts({ rotation: true }),
        trailTags: {},
      });

      const passed = (id: string, resource: string) =>
        expect(status(result.securityHubControls, id, resource)).toMatchObject({
          status: 'PASSED',
        });
      for (const id of ['CloudTrail.2', 'CloudTrail.4', 'CloudTrail.5', 'CloudTrail.9']) {
        passed(id, bare.TrailARN);
      }
      // CloudTrail.6 judges the bucket and reports on the trail; S3.5 and S3.8 are what hardening adds.
      passed('CloudTrail.6', bare.TrailARN);
      for (const id of ['S3.2', 'S3.3', 'S3.5', 'S3.8']) passed(id, bucketArn);
      passed('KMS.4', KEY_ARN);
      expect(result.resources.map((r) => `${r.kind} ${r.arn}`)).toEqual([
        `trail ${bare.TrailARN}`,
        `bucket ${bucketArn}`,
        `key ${KEY_ARN}`,
      ]);
    });

    it('replaces no key or log group the trail already has, and adds only the tags it lacks', () => {
      const ownKey = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11112222-3333-4444-5555-666677778888`;
      const configured = stopped({
        KmsKeyId: ownKey,
        CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:existing:*`,
        CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/existing`,
        LogFileValidationEnabled: false,
      });
      const target = planRemediation(accountState([readTrail(configured)]), OPTIONS, {
        ownership: ownedBy([configured]),
      }).target;

      const result = plan([configured], ownedBy([configured]), hardened, {
        bucket: ownBucket,
        trailTags: { team: 'platform' },
      });

      expect(factsNeeded(target, hardened, ownedBy([configured]))).not.toHaveProperty('kmsKeyId');
      expect(
        result.actions.filter((a) => a.operation === 'UpdateTrail').map((a) => a.input),
      ).toEqual([
        { Name: configured.TrailARN, IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true },
        { Name: configured.TrailARN, EnableLogFileValidation: true },
      ]);
      expect(calls(result.actions)).not.toContain('kms:PutKeyPolicy');
      expect(calls(result.actions)).not.toContain('cloudtrail:AddTags');
    });

    it('changes nothing on the bucket of a trusted log account', () => {
      const archived = stopped({
        S3BucketName: 'org-log-archive',
        LogFileValidationEnabled: false,
      });

      const result = plan(
        [archived],
        ownedBy([archived], LOG_ARCHIVE),
        {
          ...hardened,
          trustedLogAccountIds: [LOG_ARCHIVE],
        },
        { key: keyFacts(), trailTags: {} },
      );

      expect(result.actions.filter((a) => a.service === 's3')).toEqual([]);
      expect(result.resources.map((r) => r.kind)).toEqual(['trail', 'key']);
    });

    it('changes nothing on a bucket of its own whose policy is public, and forecasts S3.8 failing', () => {
      const publicRead = {
        Sid: 'PublicReports',
        Effect: 'Allow' as const,
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `${bucketArn}/reports/*`,
      };

      const result = plan([bare], ownedBy([bare]), hardened, {
        bucket: legacyBucket(bucketName, {
          policy: { Version: '2012-10-17', Statement: [publicRead] },
        }),
        key: keyFacts(),
        trailTags: {},
      });

      expect(result.actions.filter((a) => a.service === 's3')).toEqual([]);
      expect(status(result.securityHubControls, 'S3.8', bucketArn)?.status).toBe('FAILED');
      expect(status(result.securityHubControls, 'CloudTrail.6', bare.TrailARN)?.status).toBe(
        'FAILED',
      );
    });

    it('changes nothing on a bucket of its own whose ACL lets everyone read', () => {
      const result = plan([bare], ownedBy([bare]), hardened, {
        bucket: legacyBucket(bucketName, {
          outsideAclGrants: ['READ to http://acs.amazonaws.com/groups/global/AllUsers'],
        }),
        key: keyFacts(),
        trailTags: {},
      });

      expect(result.actions.filter((a) => a.service === 's3')).toEqual([]);
      expect(status(result.securityHubControls, 'S3.2', bucketArn)?.status).toBe('FAILED');
    });

    it('adds the TLS-only statement to a bucket whose public policy Block Public Access already restricts', () => {
      const result = plan([bare], ownedBy([bare]), hardened, {
        bucket: legacyBucket(bucketName, {
          publicAccessBlock: ALL_BLOCKED,
          policy: {
            Version: '2012-10-17',
            Statement: [{ ...readers, Principal: '*' }],
          },
        }),
        key: keyFacts(),
        trailTags: {},
      });

      expect(calls(result.actions.filter((a) => a.service === 's3'))).toEqual([
        's3:PutBucketPolicy',
      ]);
    });

    it('plans nothing more on a trail and bucket that are already hardened', () => {
      const ready = stopped({
        KmsKeyId: KEY_ARN,
        CloudWatchLogsLogGroupArn: `${CLOUDWATCH.cloudWatchLogsLogGroupArn}:*`,
        CloudWatchLogsRoleArn: CLOUDWATCH.cloudWatchLogsRoleArn,
      });

      const result = plan([ready], ownedBy([ready]), hardened, {
        bucket: legacyBucket(bucketName, {
          publicAccessBlock: ALL_BLOCKED,
          policy: { Version: '2012-10-17', Statement: [denyInsecureTransport(bucketArn)] },
        }),
        trailTags: { team: 'security' },
      });

      expect(calls(result.actions)).toEqual(['cloudtrail:UpdateTrail', 'cloudtrail:StartLogging']);
    });
  });

  describe('a repair without hardenRepairedTrail', () => {
    it('is the smallest change, whatever the hardening options say, and forecasts only the trail', () => {
      const bare = stopped({ LogFileValidationEnabled: false });
      const selectors = basicSelectors(bare.TrailARN, [
        basicSelector({ ReadWriteType: 'ReadOnly' }),
      ]);
      const state = accountState([readTrail(bare, { logging: false, selectors })]);

      const result = planRemediation(
        state,
        {
          ...OPTIONS,
          kmsKeyId: 'alias/cloudtrail',
          tags: { team: 'security' },
          cloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:cloudtrail`,
          cloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/cloudtrail-to-cloudwatch-logs`,
        },
        { ownership: ownedBy([bare]), trailTags: {} },
      );

      expect(calls(result.actions)).toEqual([
        'cloudtrail:UpdateTrail',
        'cloudtrail:PutEventSelectors',
        'cloudtrail:StartLogging',
      ]);
      expect(result.resources.map((r) => r.kind)).toEqual(['trail']);
      expect(result.securityHubControls.map((c) => `${c.controlId} ${c.status}`)).toEqual([
        'CloudTrail.2 FAILED',
        'CloudTrail.4 FAILED',
        'CloudTrail.5 FAILED',
        'CloudTrail.9 FAILED',
      ]);
      expect(status(result.securityHubControls, 'CloudTrail.4', bare.TrailARN)?.passWith).toBe(
        'hardenRepairedTrail',
      );
    });
  });
});
