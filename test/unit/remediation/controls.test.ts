import {
  type BucketEndState,
  CONTROLS,
  type ControlForecast,
  type KeyEndState,
  type ResourceEndState,
  securityHubControls,
  type TrailEndState,
} from '../../../remediation/controls';
import { bucketEndState, trailEndState } from '../../../remediation/end-state';
import type { OwnBucketFacts } from '../../../remediation/facts';
import { denyInsecureTransport, type PolicyStatement } from '../../../remediation/policies';
import { ACCOUNT, trail } from '../../support/fixtures';
import { ACCESS_LOG_BUCKET, KEY_ARN, LOG_BUCKET, ownBucket, STRANGER } from './facts-fixtures';

/*
 * The forecast judges each control as the AWS Config rule behind it judges
 * the resource (docs/security-hub.md). Each test that encodes a control
 * cites that rule's page; the research behind them is
 * docs/.research-security-hub.md.
 */

const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/multi-region-management-events`;
const BUCKET_ARN = `arn:aws:s3:::${LOG_BUCKET}`;

/** A new trail as the create plan leaves it: every control on trails passes but CloudTrail.2 and .5. */
function newTrail(overrides: Partial<TrailEndState> = {}): TrailEndState {
  return {
    kind: 'trail',
    arn: TRAIL_ARN,
    created: true,
    logFileValidation: true,
    kmsKeyId: undefined,
    cloudWatchLogsLogGroupArn: undefined,
    tags: { 'created-by': 'cloudtrail-multi-region-rule' },
    ...overrides,
  };
}

/** The trail's log bucket, hardened as the create plan leaves it. */
function logBucket(
  overrides: Partial<OwnBucketFacts> = {},
  options: { created?: boolean; repaired?: boolean } = {},
): BucketEndState {
  const state = bucketEndState(
    ownBucket(LOG_BUCKET, {
      policy: { Version: '2012-10-17', Statement: [denyInsecureTransport(BUCKET_ARN)] },
      versioning: 'Enabled',
      lifecycleRules: [
        {
          ID: 'abort-incomplete-multipart-uploads',
          Status: 'Enabled',
          Filter: { Prefix: '' },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
      logging: { targetBucket: ACCESS_LOG_BUCKET, targetPrefix: `${LOG_BUCKET}/` },
      tags: { 'created-by': 'cloudtrail-multi-region-rule' },
      ...overrides,
    }),
    'trail-logs',
    options.repaired === true ? false : (options.created ?? true),
    ACCOUNT,
    TRAIL_ARN,
  );
  return options.repaired === true ? { ...state, repaired: true } : state;
}

/** The bucket that receives the log bucket's server access logs, as the create plan leaves it. */
function accessLogBucket(overrides: Partial<OwnBucketFacts> = {}): BucketEndState {
  return bucketEndState(
    ownBucket(ACCESS_LOG_BUCKET, {
      policy: {
        Version: '2012-10-17',
        Statement: [denyInsecureTransport(`arn:aws:s3:::${ACCESS_LOG_BUCKET}`)],
      },
      versioning: 'Enabled',
      lifecycleRules: [
        {
          ID: 'abort',
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
      ...overrides,
    }),
    'access-logs',
    true,
    ACCOUNT,
  );
}

/** The one verdict of a control on the resources, failing the test when there is not exactly one. */
function verdict(resource: ResourceEndState, controlId: string): ControlForecast {
  const found = securityHubControls([resource]).filter((c) => c.controlId === controlId);
  if (found.length !== 1) throw new Error(`${found.length} verdicts of ${controlId}`);
  return found[0] as ControlForecast;
}

const PASSED = { status: 'PASSED' } as const;

function policyWith(...statements: PolicyStatement[]): OwnBucketFacts['policy'] {
  return { Version: '2012-10-17', Statement: statements };
}

describe('Security Hub forecast', () => {
  describe('the controls it judges', () => {
    it('judges one entry per control, each with the AWS Config rule behind it and that rule’s page', () => {
      expect(CONTROLS.map((c) => [c.controlId, c.configRule])).toEqual([
        ['CloudTrail.2', 'cloud-trail-encryption-enabled'],
        ['CloudTrail.4', 'cloud-trail-log-file-validation-enabled'],
        ['CloudTrail.5', 'cloud-trail-cloud-watch-logs-enabled'],
        ['CloudTrail.9', 'tagged-cloudtrail-trail'],
        ['CloudTrail.6', 'cloudtrail-s3-bucket-public-access-prohibited'],
        ['CloudTrail.7', 'cloudtrail-s3-bucket-access-logging'],
        ['S3.2', 's3-bucket-public-read-prohibited'],
        ['S3.3', 's3-bucket-public-write-prohibited'],
        ['S3.5', 's3-bucket-ssl-requests-only'],
        ['S3.6', 's3-bucket-blacklisted-actions-prohibited'],
        ['S3.8', 's3-bucket-level-public-access-prohibited'],
        ['S3.9', 's3-bucket-logging-enabled'],
        ['S3.12', 's3-bucket-acl-prohibited'],
        ['S3.13', 's3-lifecycle-policy-check'],
        ['S3.14', 's3-bucket-versioning-enabled'],
        ['S3.15', 's3-bucket-default-lock-enabled'],
        ['S3.17', 's3-default-encryption-kms'],
        ['S3.20', 's3-bucket-mfa-delete-enabled'],
        ['KMS.4', 'cmk-backing-key-rotation-enabled'],
      ]);
    });

    it("links each control with a Config rule page to that page, and CloudTrail.9 to Security Hub's", () => {
      for (const control of CONTROLS) {
        expect(control.page).toBe(
          control.controlId === 'CloudTrail.9' ||
            control.controlId === 'CloudTrail.6' ||
            control.controlId === 'CloudTrail.7'
            ? `https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#${control.controlId.toLowerCase().replace('.', '-')}`
            : `https://docs.aws.amazon.com/config/latest/developerguide/${control.configRule}.html`,
        );
      }
    });

    it('judges a trail by the trail controls, a bucket by the S3 controls, a key by KMS.4, in that order', () => {
      const forecast = securityHubControls([
        newTrail(),
        logBucket(),
        accessLogBucket(),
        { kind: 'key', arn: KEY_ARN, rotation: true },
      ]);

      expect(forecast.map((c) => `${c.controlId} ${c.resource}`)).toEqual([
        ...['CloudTrail.2', 'CloudTrail.4', 'CloudTrail.5', 'CloudTrail.9'].map(
          (id) => `${id} ${TRAIL_ARN}`,
        ),
        // CloudTrail.6 and .7 judge the log bucket and report on its trail.
        `CloudTrail.6 ${TRAIL_ARN}`,
        `CloudTrail.7 ${TRAIL_ARN}`,
        ...S3_CONTROLS.map((id) => `${id} ${BUCKET_ARN}`),
        ...S3_CONTROLS.map((id) => `${id} arn:aws:s3:::${ACCESS_LOG_BUCKET}`),
        `KMS.4 ${KEY_ARN}`,
      ]);
    });

    it('has no entry for a plan that changes nothing', () => {
      expect(securityHubControls([])).toEqual([]);
    });
  });

  describe('CloudTrail.2, encryption at rest', () => {
    // "The rule is COMPLIANT if the KmsKeyId is defined."
    // https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-encryption-enabled.html
    it('passes a trail with a KMS key', () => {
      expect(verdict(newTrail({ kmsKeyId: KEY_ARN }), 'CloudTrail.2')).toEqual({
        controlId: 'CloudTrail.2',
        resource: TRAIL_ARN,
        ...PASSED,
      });
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-encryption-enabled.html
    it('fails a trail without one, and says kmsKeyId passes it', () => {
      expect(verdict(newTrail(), 'CloudTrail.2')).toEqual({
        controlId: 'CloudTrail.2',
        resource: TRAIL_ARN,
        status: 'FAILED',
        passWith: 'kmsKeyId',
      });
    });

    // DescribeTrails gives an unset key as nothing; the end state reads "" as unset too.
    // https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-encryption-enabled.html
    it('fails a trail read back with an empty KmsKeyId', () => {
      const read = trailEndState(trail({ KmsKeyId: '' }), {}, false);

      expect(verdict(read, 'CloudTrail.2').status).toBe('FAILED');
    });
  });

  describe('CloudTrail.4, log file validation', () => {
    // "NON_COMPLIANT if the validation is not enabled."
    // https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-log-file-validation-enabled.html
    it('passes a trail with log file validation on', () => {
      expect(verdict(newTrail(), 'CloudTrail.4')).toMatchObject(PASSED);
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-log-file-validation-enabled.html
    it('fails a repaired trail without it, and says hardenRepairedTrail passes it', () => {
      expect(
        verdict(newTrail({ created: false, logFileValidation: false }), 'CloudTrail.4'),
      ).toEqual({
        controlId: 'CloudTrail.4',
        resource: TRAIL_ARN,
        status: 'FAILED',
        passWith: 'hardenRepairedTrail',
      });
    });
  });

  describe('CloudTrail.5, CloudWatch Logs', () => {
    // "NON_COMPLIANT if the CloudWatchLogsLogGroupArn property of the trail is empty."
    // https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-cloud-watch-logs-enabled.html
    it('passes a trail that sends to a log group', () => {
      const group = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:cloudtrail:*`;

      expect(verdict(newTrail({ cloudWatchLogsLogGroupArn: group }), 'CloudTrail.5')).toMatchObject(
        PASSED,
      );
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-cloud-watch-logs-enabled.html
    it('fails a trail that does not, and names the CloudWatch Logs option', () => {
      expect(verdict(newTrail(), 'CloudTrail.5')).toMatchObject({
        status: 'FAILED',
        passWith: 'cloudWatchLogs',
      });
    });
  });

  describe('CloudTrail.9, tagged', () => {
    // "fails if the trail doesn't have any tag keys ... System tags, which are automatically
    // applied and begin with aws:, are ignored."
    // https://docs.aws.amazon.com/securityhub/latest/userguide/standards-tagging.html
    it('passes a trail with a tag of its own', () => {
      expect(verdict(newTrail({ tags: { team: '' } }), 'CloudTrail.9')).toMatchObject(PASSED);
    });

    // https://docs.aws.amazon.com/securityhub/latest/userguide/standards-tagging.html
    it('fails a repaired trail with only aws: tags, and says tags with hardenRepairedTrail passes it', () => {
      expect(
        verdict(
          newTrail({ created: false, tags: { 'aws:cloudformation:stack-name': 'trails' } }),
          'CloudTrail.9',
        ),
      ).toMatchObject({ status: 'FAILED', passWith: 'tags with hardenRepairedTrail' });
    });

    // https://docs.aws.amazon.com/securityhub/latest/userguide/standards-tagging.html
    it('fails a trail without tags', () => {
      expect(verdict(newTrail({ tags: {} }), 'CloudTrail.9').status).toBe('FAILED');
    });
  });

  describe('CloudTrail.6, the log bucket is not public', () => {
    // "NON_COMPLIANT if at least one S3 bucket for a CloudTrail trail is publicly accessible";
    // the rule reports on the trail.
    // https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-s3-bucket-public-access-prohibited.html
    it('passes a log bucket with no public statement and ACLs disabled, reported on its trail', () => {
      expect(verdict(logBucket(), 'CloudTrail.6')).toEqual({
        controlId: 'CloudTrail.6',
        resource: TRAIL_ARN,
        ...PASSED,
      });
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-s3-bucket-public-access-prohibited.html
    it('fails a log bucket whose policy allows everyone, reported on its trail, with no option to pass it', () => {
      const publicRead: PolicyStatement = {
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `${BUCKET_ARN}/*`,
      };

      expect(
        verdict(
          logBucket({ policy: policyWith(publicRead), publicAccessBlock: undefined }),
          'CloudTrail.6',
        ),
      ).toEqual({ controlId: 'CloudTrail.6', resource: TRAIL_ARN, status: 'FAILED' });
    });

    // S3 calls an ACL public when it grants anything to the AllUsers or AuthenticatedUsers group
    // (S3 User Guide, "The meaning of 'public'").
    // https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-s3-bucket-public-access-prohibited.html
    it.each([
      ['everyone', 'READ to http://acs.amazonaws.com/groups/global/AllUsers'],
      ['every AWS account', 'READ to http://acs.amazonaws.com/groups/global/AuthenticatedUsers'],
    ])('fails a log bucket without Block Public Access whose ACL lets %s read', (_, grant) => {
      const bucket = logBucket({
        publicAccessBlock: undefined,
        objectOwnership: 'ObjectWriter',
        outsideAclGrants: [grant],
      });

      expect(verdict(bucket, 'CloudTrail.6').status).toBe('FAILED');
    });

    // A grant to a named account, or to S3's log delivery group, is not public.
    // https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-s3-bucket-public-access-prohibited.html
    it('passes a log bucket whose ACL grants only named accounts and the log delivery group', () => {
      const bucket = logBucket({
        publicAccessBlock: undefined,
        objectOwnership: 'ObjectWriter',
        outsideAclGrants: [
          'READ to 0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
          'WRITE to http://acs.amazonaws.com/groups/s3/LogDelivery',
        ],
      });

      expect(verdict(bucket, 'CloudTrail.6')).toMatchObject(PASSED);
    });

    // With all four Block Public Access settings S3 ignores public ACLs and restricts a public
    // policy to the account, so the bucket is not publicly accessible.
    // https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-s3-bucket-public-access-prohibited.html
    it('passes a log bucket with all four Block Public Access settings, whatever its policy and ACL say', () => {
      const bucket = logBucket({
        objectOwnership: 'ObjectWriter',
        outsideAclGrants: ['READ to http://acs.amazonaws.com/groups/global/AllUsers'],
        policy: policyWith({
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: `${BUCKET_ARN}/*`,
        }),
      });

      expect(verdict(bucket, 'CloudTrail.6')).toMatchObject(PASSED);
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-s3-bucket-public-access-prohibited.html
    it('is not judged on the access-log bucket, which no trail delivers to', () => {
      expect(
        securityHubControls([accessLogBucket()]).filter((c) =>
          c.controlId.startsWith('CloudTrail'),
        ),
      ).toEqual([]);
    });
  });

  describe('CloudTrail.7, access logging on the log bucket', () => {
    // "NON_COMPLIANT if at least one S3 bucket for a CloudTrail trail does not have S3 server
    // access logging enabled"; the rule reports on the trail.
    // https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-s3-bucket-access-logging.html
    it('passes a log bucket with server access logs on, reported on its trail', () => {
      expect(verdict(logBucket(), 'CloudTrail.7')).toEqual({
        controlId: 'CloudTrail.7',
        resource: TRAIL_ARN,
        ...PASSED,
      });
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-s3-bucket-access-logging.html
    it('fails a log bucket without them, and names accessLogBucketName', () => {
      expect(verdict(logBucket({ logging: undefined }), 'CloudTrail.7')).toEqual({
        controlId: 'CloudTrail.7',
        resource: TRAIL_ARN,
        status: 'FAILED',
        passWith: 'accessLogBucketName',
      });
    });
  });

  describe.each([
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-read-prohibited.html
    ['S3.2, no public read', 'S3.2'],
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-write-prohibited.html
    ['S3.3, no public write', 'S3.3'],
  ])('%s', (_, controlId) => {
    const everyone: PolicyStatement = {
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: `${BUCKET_ARN}/*`,
    };

    // Compliant when Block Public Access restricts public policies and ACLs, whatever they say.
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-read-prohibited.html
    it('passes a bucket with all four Block Public Access settings, even with a public statement', () => {
      expect(verdict(logBucket({ policy: policyWith(everyone) }), controlId)).toMatchObject(PASSED);
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-read-prohibited.html
    it('passes a bucket without Block Public Access whose policy and ACL grant nothing public', () => {
      expect(verdict(logBucket({ publicAccessBlock: undefined }), controlId)).toMatchObject(PASSED);
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-read-prohibited.html
    it('passes a bucket without Block Public Access whose ACL grants only the log delivery group', () => {
      const bucket = logBucket({
        publicAccessBlock: undefined,
        objectOwnership: 'BucketOwnerPreferred',
        outsideAclGrants: ['WRITE to http://acs.amazonaws.com/groups/s3/LogDelivery'],
      });

      expect(verdict(bucket, controlId)).toMatchObject(PASSED);
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-read-prohibited.html
    it('fails a bucket without Block Public Access whose ACL grants everyone', () => {
      const bucket = logBucket({
        publicAccessBlock: undefined,
        objectOwnership: 'BucketOwnerPreferred',
        outsideAclGrants: ['FULL_CONTROL to http://acs.amazonaws.com/groups/global/AllUsers'],
      });

      expect(verdict(bucket, controlId).status).toBe('FAILED');
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-read-prohibited.html
    it('fails a bucket without Block Public Access whose policy allows everyone', () => {
      expect(
        verdict(
          logBucket({ publicAccessBlock: undefined, policy: policyWith(everyone) }),
          controlId,
        ),
      ).toEqual({ controlId, resource: BUCKET_ARN, status: 'FAILED' });
    });
  });

  describe('S3.5, TLS only', () => {
    const tlsOnly = denyInsecureTransport(BUCKET_ARN);

    // The rule looks for a Deny of every S3 action (s3:*) on the bucket and its objects when
    // aws:SecureTransport is false: "NON_COMPLIANT if any S3 bucket has policies allowing HTTP requests."
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html
    it('passes a bucket whose policy denies s3:* on the bucket and its objects without TLS', () => {
      expect(verdict(logBucket({ policy: policyWith(tlsOnly) }), 'S3.5')).toMatchObject(PASSED);
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html
    it('passes the same statement written with the condition as a boolean and Principal {"AWS": "*"}', () => {
      const written = {
        ...tlsOnly,
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': false } },
      };

      expect(verdict(logBucket({ policy: policyWith(written) }), 'S3.5')).toMatchObject(PASSED);
    });

    it.each<[string, Partial<PolicyStatement>]>([
      ['only on the objects', { Resource: `${BUCKET_ARN}/*` }],
      ['only on the bucket', { Resource: BUCKET_ARN }],
      ['only for s3:GetObject', { Action: 's3:GetObject' }],
      ['as an Allow', { Effect: 'Allow' }],
      ['for one role only', { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/reader` } }],
      [
        'when aws:SecureTransport is true',
        { Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      ],
    ])(
      // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html
      'fails a bucket whose TLS statement denies %s',
      (_, change) => {
        const bucket = logBucket({ policy: policyWith({ ...tlsOnly, ...change }) });

        expect(verdict(bucket, 'S3.5')).toEqual({
          controlId: 'S3.5',
          resource: BUCKET_ARN,
          status: 'FAILED',
        });
      },
    );

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html
    it('fails a repaired trail’s bucket without a policy, and says hardenRepairedTrail passes it', () => {
      expect(verdict(logBucket({ policy: undefined }, { repaired: true }), 'S3.5')).toMatchObject({
        status: 'FAILED',
        passWith: 'hardenRepairedTrail',
      });
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html
    it('names no option for a repaired trail’s public bucket, which hardening leaves alone', () => {
      const open = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow' as const,
            Principal: '*',
            Action: 's3:GetObject',
            Resource: `${BUCKET_ARN}/*`,
          },
        ],
      };
      const forecast = verdict(
        logBucket({ policy: open, publicAccessBlock: undefined }, { repaired: true }),
        'S3.5',
      );
      expect(forecast).toMatchObject({ status: 'FAILED', note: expect.stringContaining('public') });
      expect(forecast.passWith).toBeUndefined();
    });
  });

  describe('S3.6, no cross-account grants', () => {
    // FAILED when the policy allows s3:DeleteBucketPolicy, s3:PutBucketAcl, s3:PutBucketPolicy,
    // s3:PutEncryptionConfiguration or s3:PutObjectAcl to a principal of another account; the rule
    // looks only at Principal, not at Condition.
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-blacklisted-actions-prohibited.html
    it.each([
      ['s3:PutBucketPolicy', 's3:PutBucketPolicy'],
      ['s3:Put* (which covers four of them)', 's3:Put*'],
      ['s3:*', 's3:*'],
    ])('fails a bucket that allows %s to another account', (_, action) => {
      const grant: PolicyStatement = {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${STRANGER}:root` },
        Action: action,
        Resource: BUCKET_ARN,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      };

      expect(verdict(logBucket({ policy: policyWith(grant) }), 'S3.6').status).toBe('FAILED');
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-blacklisted-actions-prohibited.html
    it('passes a bucket that allows those actions only within the account, and writes only to CloudTrail', () => {
      const admin: PolicyStatement = {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/admin` },
        Action: 's3:PutBucketPolicy',
        Resource: BUCKET_ARN,
      };
      const reader: PolicyStatement = {
        Effect: 'Allow',
        Principal: { AWS: STRANGER },
        Action: 's3:GetObject',
        Resource: `${BUCKET_ARN}/*`,
      };

      expect(verdict(logBucket({ policy: policyWith(admin, reader) }), 'S3.6')).toMatchObject(
        PASSED,
      );
    });
  });

  describe('S3.8, Block Public Access', () => {
    // "fails if any of the following settings are set to false: ignorePublicAcls, blockPublicPolicy,
    // blockPublicAcls, restrictPublicBuckets" (bucket level).
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-level-public-access-prohibited.html
    it('passes a bucket with all four settings on', () => {
      expect(verdict(logBucket(), 'S3.8')).toMatchObject(PASSED);
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-level-public-access-prohibited.html
    it.each(['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'])(
      'fails a repaired trail’s bucket with %s off, and says hardenRepairedTrail passes it',
      (setting) => {
        const block = {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
          [setting]: false,
        };

        expect(
          verdict(logBucket({ publicAccessBlock: block }, { repaired: true }), 'S3.8'),
        ).toMatchObject({ status: 'FAILED', passWith: 'hardenRepairedTrail' });
      },
    );
  });

  describe('S3.9, server access logging', () => {
    // "passes if server access logging is enabled" (any target).
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-logging-enabled.html
    it('passes the log bucket, which logs to the access-log bucket', () => {
      expect(verdict(logBucket(), 'S3.9')).toEqual({
        controlId: 'S3.9',
        resource: BUCKET_ARN,
        ...PASSED,
      });
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-logging-enabled.html
    it('fails a log bucket without server access logs, and names accessLogBucketName', () => {
      expect(verdict(logBucket({ logging: undefined }), 'S3.9')).toMatchObject({
        status: 'FAILED',
        passWith: 'accessLogBucketName',
      });
    });

    // "The target logging bucket does not need to have server access logging enabled, and you
    // should suppress findings for this bucket" (Security Hub's S3.9); the rule itself fails it.
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-logging-enabled.html
    it('fails the access-log bucket by design, with a note and no option', () => {
      const forecast = verdict(accessLogBucket(), 'S3.9');

      expect(forecast).toEqual({
        controlId: 'S3.9',
        resource: `arn:aws:s3:::${ACCESS_LOG_BUCKET}`,
        status: 'FAILED',
        note: expect.stringMatching(/does not log itself/),
      });
      expect(forecast).not.toHaveProperty('passWith');
    });
  });

  describe('S3.12, no ACLs', () => {
    // "NON_COMPLIANT if ACLs are configured for user access"; passing means ACLs disabled.
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-acl-prohibited.html
    it('passes a bucket with ACLs disabled (bucket owner enforced)', () => {
      expect(verdict(logBucket(), 'S3.12')).toMatchObject(PASSED);
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-acl-prohibited.html
    it.each([['BucketOwnerPreferred'], ['ObjectWriter'], [undefined]])(
      'fails a bucket whose object ownership is %s',
      (ownership) => {
        expect(
          verdict(logBucket({ objectOwnership: ownership }, { created: false }), 'S3.12'),
        ).toEqual({ controlId: 'S3.12', resource: BUCKET_ARN, status: 'FAILED' });
      },
    );
  });

  describe('S3.13, lifecycle configuration', () => {
    // "NON_COMPLIANT if there is no active lifecycle configuration rules".
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-lifecycle-policy-check.html
    it('passes a bucket with an enabled lifecycle rule', () => {
      expect(verdict(logBucket(), 'S3.13')).toMatchObject(PASSED);
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-lifecycle-policy-check.html
    it('fails a bucket whose only lifecycle rule is disabled', () => {
      const disabled = {
        ID: 'archive',
        Status: 'Disabled' as const,
        Filter: { Prefix: '' },
        Expiration: { Days: 30 },
      };

      expect(verdict(logBucket({ lifecycleRules: [disabled] }), 'S3.13').status).toBe('FAILED');
    });
  });

  describe('S3.14, versioning', () => {
    // "fails if versioning is suspended for the bucket"; the rule checks it is enabled.
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-versioning-enabled.html
    it('passes a versioned bucket', () => {
      expect(verdict(logBucket(), 'S3.14')).toMatchObject(PASSED);
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-versioning-enabled.html
    it.each([['Suspended' as const], [undefined]])(
      'fails a bucket whose versioning is %s',
      (versioning) => {
        expect(verdict(logBucket({ versioning }), 'S3.14').status).toBe('FAILED');
      },
    );
  });

  describe('S3.15, Object Lock', () => {
    // "fails if Object Lock isn't enabled for the bucket".
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-default-lock-enabled.html
    it('passes a log bucket with Object Lock on', () => {
      const locked = logBucket({ objectLock: { enabled: true, mode: 'GOVERNANCE', days: 365 } });

      expect(verdict(locked, 'S3.15')).toMatchObject(PASSED);
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-default-lock-enabled.html
    it('fails a log bucket without it, and names objectLockDays', () => {
      expect(verdict(logBucket(), 'S3.15')).toEqual({
        controlId: 'S3.15',
        resource: BUCKET_ARN,
        status: 'FAILED',
        passWith: 'objectLockDays',
      });
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-default-lock-enabled.html
    it('fails an existing log bucket without it with a note: objectLockDays never turns Object Lock on for an existing bucket', () => {
      const forecast = verdict(logBucket({}, { created: false }), 'S3.15');

      expect(forecast).toMatchObject({
        status: 'FAILED',
        note: expect.stringMatching(/only for a log bucket it creates/),
      });
      expect(forecast).not.toHaveProperty('passWith');
    });

    // S3 delivers no server access logs into a bucket with Object Lock, so no option passes it there.
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-default-lock-enabled.html
    it('fails the access-log bucket with a note and no option', () => {
      const forecast = verdict(accessLogBucket(), 'S3.15');

      expect(forecast).toMatchObject({
        status: 'FAILED',
        note: expect.stringMatching(/Object Lock/),
      });
      expect(forecast).not.toHaveProperty('passWith');
    });
  });

  describe('S3.17, SSE-KMS', () => {
    // "The control fails if the bucket is encrypted with default encryption (SSE-S3)"; SSE-KMS or
    // DSSE-KMS passes.
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-default-encryption-kms.html
    it.each(['aws:kms', 'aws:kms:dsse'])('passes a log bucket encrypted with %s', (algorithm) => {
      const bucket = logBucket({ encryption: { algorithm, kmsKeyId: KEY_ARN, bucketKey: true } });

      expect(verdict(bucket, 'S3.17')).toMatchObject(PASSED);
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-default-encryption-kms.html
    it('fails a log bucket with SSE-S3, and names kmsKeyId', () => {
      expect(verdict(logBucket(), 'S3.17')).toMatchObject({
        status: 'FAILED',
        passWith: 'kmsKeyId',
      });
    });

    // S3 delivers server access logs only into a bucket encrypted with SSE-S3.
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-default-encryption-kms.html
    it('fails the access-log bucket with a note and no option', () => {
      const forecast = verdict(accessLogBucket(), 'S3.17');

      expect(forecast).toMatchObject({ status: 'FAILED', note: expect.stringMatching(/SSE-S3/) });
      expect(forecast).not.toHaveProperty('passWith');
    });
  });

  describe('S3.20, MFA delete', () => {
    // "The control doesn't produce findings for buckets that have a lifecycle configuration."
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-mfa-delete-enabled.html
    it('makes no finding for a bucket with a lifecycle rule', () => {
      expect(verdict(logBucket(), 'S3.20')).toEqual({
        controlId: 'S3.20',
        resource: BUCKET_ARN,
        status: 'NO_FINDING',
      });
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-mfa-delete-enabled.html
    it('passes a bucket with MFA delete on', () => {
      expect(verdict(logBucket({ lifecycleRules: [], mfaDelete: true }), 'S3.20')).toMatchObject(
        PASSED,
      );
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-mfa-delete-enabled.html
    it('fails a bucket with neither', () => {
      expect(verdict(logBucket({ lifecycleRules: [] }), 'S3.20')).toEqual({
        controlId: 'S3.20',
        resource: BUCKET_ARN,
        status: 'FAILED',
      });
    });
  });

  describe('KMS.4, key rotation', () => {
    const key = (rotation: boolean): KeyEndState => ({ kind: 'key', arn: KEY_ARN, rotation });

    // "Checks if automatic key rotation is enabled for each key".
    // https://docs.aws.amazon.com/config/latest/developerguide/cmk-backing-key-rotation-enabled.html
    it('passes a key with automatic rotation on', () => {
      expect(verdict(key(true), 'KMS.4')).toEqual({
        controlId: 'KMS.4',
        resource: KEY_ARN,
        ...PASSED,
      });
    });

    // https://docs.aws.amazon.com/config/latest/developerguide/cmk-backing-key-rotation-enabled.html
    it('fails a key without it, and names the deployment’s own key', () => {
      expect(verdict(key(false), 'KMS.4')).toMatchObject({
        status: 'FAILED',
        passWith: 'trailKey=create',
      });
    });
  });
});

/** The controls on every bucket, in the forecast's order. */
const S3_CONTROLS = [
  'S3.2',
  'S3.3',
  'S3.5',
  'S3.6',
  'S3.8',
  'S3.9',
  'S3.12',
  'S3.13',
  'S3.14',
  'S3.15',
  'S3.17',
  'S3.20',
];
