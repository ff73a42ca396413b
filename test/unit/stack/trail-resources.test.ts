// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::…} here are CloudFormation Fn::Sub variables.
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_TRAIL_NAME } from '../../../remediation/input';
import {
  keyPolicyStatements,
  mergeStatements,
  type PolicyDocument,
  trailArnFor,
} from '../../../remediation/policies';
import { DEFAULT_RULE_NAME } from '../../../stack/options';
import { deploy, PSEUDO, type Pseudo, STACK_UUID } from '../../support/cfn-evaluator';
import { DeployedResources, withoutBootstrapCheck } from '../../support/deployed-resources';
import { describeNagClean } from '../../support/nag-clean';
import { synthApp } from '../../support/synth-app';

/*
 * What the remediation is given so that what it creates passes the other
 * Security Hub controls: the suffix of its default bucket names, the
 * hardening options it passes on, and what the stack creates for the
 * trails (their KMS key, their CloudWatch Logs log group and the role
 * CloudTrail writes there with), with the permissions each needs and only
 * when its option asks. Templates are built as `cdk synth -c …` builds them
 * and deployed in the model of CloudFormation (cfn-evaluator.ts).
 */

const RULE = DEFAULT_RULE_NAME;
const ACCOUNT = PSEUDO.accountId;
const REGION = PSEUDO.region;
const SUFFIX = STACK_UUID.slice(0, 8);
const LOG_GROUP_NAME = `test-stack-CloudTrail-${SUFFIX}`;
const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP_NAME}`;
const LOG_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const REMEDIATION_ROLE = `${RULE}-remediation-${REGION}`;
const TRUSTED = '444455556666,777788889999';

type Json = Record<string, unknown>;
interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Json;
}

const built = new Map<string, { stack: Stack; template: Json }>();

/** The stack `cdk synth -c …` builds (once for each set of options), as written and as deployed. */
function build(context: Record<string, string> = {}, pseudo: Pseudo = PSEUDO) {
  const key = JSON.stringify(context);
  let synthesized = built.get(key);
  if (synthesized === undefined) {
    const { stack } = synthApp(context, { rollout: false });
    synthesized = { stack, template: Template.fromStack(stack).toJSON() };
    built.set(key, synthesized);
  }
  const { stack, template } = synthesized;
  const deployed = new DeployedResources(deploy(withoutBootstrapCheck(template), {}, pseudo));
  return { stack, template, deployed };
}

/** The resources of a type, as deployed. */
function all(deployed: DeployedResources, type: string) {
  return Object.values(deployed.deployed.resources).filter((r) => r.Type === type);
}

/** The statement of a role's inline policy, or of the separate policy that holds it. */
function grant(deployed: DeployedResources, sid: string): Statement | undefined {
  const inline = deployed.statements(REMEDIATION_ROLE) as Statement[];
  const separate = all(deployed, 'AWS::IAM::Policy').flatMap(
    (p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
  return [...inline, ...separate].find((s) => s.Sid === sid);
}

/** The remediation configuration's static document parameters, by name. */
function statics(deployed: DeployedResources): Record<string, unknown> {
  const parameters = deployed.only('AWS::Config::RemediationConfiguration').Properties
    .Parameters as Record<string, { StaticValue?: { Values: unknown[] } }>;
  return Object.fromEntries(
    Object.entries(parameters)
      .filter(([name, p]) => p.StaticValue !== undefined && name !== 'AutomationAssumeRole')
      .map(([name, p]) => [name, p.StaticValue?.Values[0]]),
  );
}

function environment(deployed: DeployedResources): Record<string, unknown> {
  return (
    deployed.function(`${RULE}-remediation`).Properties.Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;
}

const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/**
 * An `Fn::Join` with no delimiter whose items, once the strings side by
 * side are put together, are these: what a string with references resolves to.
 */
function joined(items: unknown[]) {
  return {
    asymmetricMatch: (actual: unknown) => {
      const join = (actual as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      if (join === undefined || join[0] !== '') return false;
      const merged: unknown[] = [];
      for (const item of join[1]) {
        const last = merged.at(-1);
        if (typeof item === 'string' && typeof last === 'string')
          merged[merged.length - 1] = last + item;
        else merged.push(item);
      }
      return JSON.stringify(merged) === JSON.stringify(items);
    },
    toAsymmetricMatcher: () => `Fn::Join of ${JSON.stringify(items)}`,
  };
}

describe('the default bucket names', () => {
  it('end in a suffix the function is given as LOG_BUCKET_SUFFIX, the very token its bucket statements name', () => {
    const { template } = build();
    const resources = Object.values(
      template.Resources as Record<string, { Type: string; Properties: Json }>,
    );
    const named = (type: string, name: string) => {
      const found = resources.find(
        (r) => r.Type === type && JSON.stringify(r.Properties).includes(name),
      );
      if (found === undefined) throw new Error(`No ${type} named ${name}`);
      return found.Properties;
    };
    const fn = named('AWS::Lambda::Function', `"${RULE}-remediation"`);
    const suffix = (fn.Environment as { Variables: Json }).Variables.LOG_BUCKET_SUFFIX;
    // The first 8 hexadecimal digits of the stack's UUID: arn:…:stack/<name>/<UUID>.
    expect(suffix).toEqual({
      'Fn::Select': [
        0,
        {
          'Fn::Split': [
            '-',
            { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] },
          ],
        },
      ],
    });
    const role = named('AWS::IAM::Role', `${RULE}-remediation-`);
    const [policy] = role.Policies as { PolicyDocument: { Statement: Statement[] } }[];
    const statements = policy?.PolicyDocument.Statement;
    for (const sid of ['CreateLogBucket', 'CheckOrSecureLogBucket']) {
      expect(statements?.find((s) => s.Sid === sid)?.Resource).toEqual(
        expect.arrayContaining([
          {
            'Fn::Sub': [
              'arn:${AWS::Partition}:s3:::cloudtrail-logs-${AWS::AccountId}-${AWS::Region}-${LogBucketSuffix}',
              { LogBucketSuffix: suffix },
            ],
          },
          {
            'Fn::Sub': [
              'arn:${AWS::Partition}:s3:::cloudtrail-access-logs-${AWS::AccountId}-${AWS::Region}-${LogBucketSuffix}',
              { LogBucketSuffix: suffix },
            ],
          },
        ]),
      );
    }
  });

  it('are, deployed, the first 8 hexadecimal digits of the stack’s UUID, in the environment and the statements alike', () => {
    const { deployed } = build();
    expect(environment(deployed).LOG_BUCKET_SUFFIX).toBe(SUFFIX);
    expect(grant(deployed, 'CreateLogBucket')?.Resource).toEqual(
      expect.arrayContaining([
        `arn:aws:s3:::cloudtrail-logs-${ACCOUNT}-${REGION}-${SUFFIX}`,
        `arn:aws:s3:::cloudtrail-access-logs-${ACCOUNT}-${REGION}-${SUFFIX}`,
      ]),
    );
  });

  it('give way to a bucketName and an accessLogBucketName, used as they are', () => {
    const { deployed } = build({
      bucketName: 'audit-trail-logs',
      accessLogBucketName: 'audit-access-logs',
    });
    for (const sid of ['CreateLogBucket', 'CheckOrSecureLogBucket']) {
      expect(grant(deployed, sid)?.Resource).toEqual(
        expect.arrayContaining(['arn:aws:s3:::audit-trail-logs', 'arn:aws:s3:::audit-access-logs']),
      );
      expect(grant(deployed, sid)?.Resource).toHaveLength(2);
    }
    expect(statics(deployed)).toMatchObject({
      BucketName: 'audit-trail-logs',
      AccessLogBucketName: 'audit-access-logs',
    });
  });
});

describe('the hardening options', () => {
  it('reach the document as the remediation configuration’s static parameters, each only when set', () => {
    const { deployed } = build({
      accessLogBucketName: 'audit-access-logs',
      logRetentionDays: '2557',
      objectLockDays: '365',
      tags: 'team=security,cost-center=1234',
      hardenRepairedTrail: 'true',
      trustedLogAccountIds: TRUSTED,
    });
    expect(statics(deployed)).toEqual({
      AccessLogBucketName: 'audit-access-logs',
      LogRetentionDays: '2557',
      ObjectLockDays: '365',
      Tags: 'team=security,cost-center=1234',
      HardenRepairedTrail: 'true',
      TrustedLogAccountIds: TRUSTED,
    });
    expect(statics(build().deployed)).toEqual({});
  });

  it('give the function the trusted log accounts, and let it look up buckets of those accounts and this one only', () => {
    const trusted = build({ trustedLogAccountIds: TRUSTED }).deployed;
    expect(environment(trusted).TRUSTED_LOG_ACCOUNT_IDS).toBe(TRUSTED);
    // HeadBucket (s3:ListBucket) on a trail's bucket, whoever's it is, is refused unless the
    // bucket is one of theirs: https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html
    expect(grant(trusted, 'CheckTrailBucketOwner')).toEqual({
      Sid: 'CheckTrailBucketOwner',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::*',
      Condition: {
        StringEquals: { 's3:ResourceAccount': [ACCOUNT, ...TRUSTED.split(',')] },
      },
    });
    const alone = build().deployed;
    expect(environment(alone).TRUSTED_LOG_ACCOUNT_IDS).toBe('');
    expect(grant(alone, 'CheckTrailBucketOwner')?.Condition).toEqual({
      StringEquals: { 's3:ResourceAccount': ACCOUNT },
    });
  });

  it('let the remediation secure any bucket of this account only with hardenRepairedTrail, in a policy of its own', () => {
    const hardened = build({ hardenRepairedTrail: 'true' }).deployed;
    expect(grant(hardened, 'SecureRepairedTrailBucket')).toEqual({
      Sid: 'SecureRepairedTrailBucket',
      Effect: 'Allow',
      Action: [
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
        's3:PutBucketPolicy',
        's3:PutBucketPublicAccessBlock',
      ],
      Resource: 'arn:aws:s3:::*',
      Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
    });
    const policy = hardened.policyOf(REMEDIATION_ROLE);
    expect(policy.Properties.Roles).toEqual([{ Ref: hardened.roleId(REMEDIATION_ROLE) }]);
    expect(grant(build().deployed, 'SecureRepairedTrailBucket')).toBeUndefined();
  });
});

describe('trailKey=create', () => {
  // KMS's default key policy: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
  const DEFAULT_STATEMENT = (partition: string, account: string) => ({
    Sid: 'Enable IAM User Permissions',
    Effect: 'Allow',
    Principal: { AWS: `arn:${partition}:iam::${account}:root` },
    Action: 'kms:*',
    Resource: '*',
  });

  it('creates a key with automatic rotation, kept when the stack is deleted, and its alias', () => {
    // Security Hub KMS.4 and Control Tower CT.KMS.PR.1 want rotation on:
    // https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html
    const { deployed } = build({ trailKey: 'create' });
    const key = deployed.only('AWS::KMS::Key');
    expect(key).toMatchObject({
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
    expect(deployed.only('AWS::KMS::Alias').Properties).toEqual({
      AliasName: `alias/${RULE}-trails`,
      TargetKeyId: getAtt(deployed.id('AWS::KMS::Key')),
    });
  });

  // What CloudTrail needs of the key: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
  it.each<[string, Record<string, string>, Pseudo, string]>([
    ['the default trail name', {}, PSEUDO, DEFAULT_TRAIL_NAME],
    ['a trailName', { trailName: 'org-management-events' }, PSEUDO, 'org-management-events'],
    [
      'the aws-cn partition',
      {},
      { accountId: '222222222222', region: 'cn-north-1', partition: 'aws-cn' },
      DEFAULT_TRAIL_NAME,
    ],
  ])(
    'has a policy with KMS’s default statement and exactly what the remediation adds for the trail it creates, with %s',
    (_, context, pseudo, trailName) => {
      const { deployed } = build({ trailKey: 'create', ...context }, pseudo);
      const policy = deployed.only('AWS::KMS::Key').Properties.KeyPolicy as PolicyDocument;
      const cloudTrail = keyPolicyStatements({
        accountId: pseudo.accountId,
        trailArn: trailArnFor(pseudo.region, pseudo.accountId, trailName),
        region: pseudo.region,
      });

      expect(policy.Statement[0]).toEqual(DEFAULT_STATEMENT(pseudo.partition, pseudo.accountId));
      expect(policy.Statement.slice(1, 1 + cloudTrail.length)).toEqual(cloudTrail);
      // The remediation's merge finds nothing to add, so it needs no kms:PutKeyPolicy.
      expect(mergeStatements(policy, cloudTrail)).toBeUndefined();
      // And the deny of grants (below): nothing else.
      expect(policy.Statement).toHaveLength(cloudTrail.length + 2);
    },
  );

  // CT.KMS.PR.3: https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html
  it('denies creating grants but for AWS resources, as Control Tower’s CT.KMS.PR.3 wants', () => {
    const policy = build({ trailKey: 'create' }).deployed.only('AWS::KMS::Key').Properties
      .KeyPolicy as PolicyDocument;
    expect(policy.Statement.find((s) => s.Effect === 'Deny')).toEqual({
      Sid: 'DenyGrantsExceptForAwsResources',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['kms:CreateGrant'],
      Resource: '*',
      Condition: {
        BoolIfExists: {
          'kms:GrantIsForAWSResource': 'false',
          'aws:PrincipalIsAWSService': 'false',
        },
      },
    });
  });

  it('is the key the document and the function are given, and the only key the remediation may read', () => {
    const { deployed } = build({ trailKey: 'create' });
    const key = getAtt(deployed.id('AWS::KMS::Key'));
    expect(statics(deployed)).toEqual({ KmsKeyId: key });
    expect(environment(deployed).KMS_KEY_ID).toEqual(key);
    expect(grant(deployed, 'CheckNewTrailKey')).toMatchObject({
      Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus'],
      Resource: key,
    });
    // Its policy already lets CloudTrail use it: no kms:PutKeyPolicy at all.
    expect(grant(deployed, 'GrantNewTrailKey')).toBeUndefined();
    expect(deployed.deployed.outputs.TrailKeyArn).toEqual(key);
  });

  it('may have its policy changed, that key’s alone, only with hardenRepairedTrail: a repaired trail has another name', () => {
    const { deployed } = build({ trailKey: 'create', hardenRepairedTrail: 'true' });
    expect(grant(deployed, 'GrantNewTrailKey')).toEqual({
      Sid: 'GrantNewTrailKey',
      Effect: 'Allow',
      Action: 'kms:PutKeyPolicy',
      Resource: getAtt(deployed.id('AWS::KMS::Key')),
    });
  });

  it('is not created by default', () => {
    const { deployed } = build();
    expect(all(deployed, 'AWS::KMS::Key')).toEqual([]);
    expect(all(deployed, 'AWS::KMS::Alias')).toEqual([]);
    expect(deployed.deployed.outputs.TrailKeyArn).toBeUndefined();
  });
});

describe('cloudWatchLogs=true', () => {
  const roleName = `${RULE}-trail-logs-${REGION}`;

  it('creates a log group named after the stack, kept cloudWatchLogsRetentionDays (a year by default), and kept when the stack is deleted', () => {
    const { deployed } = build({ cloudWatchLogs: 'true', cloudWatchLogsRetentionDays: '2557' });
    const group = deployed.resource(
      deployed.id('AWS::Logs::LogGroup', (p) => p.LogGroupName === LOG_GROUP_NAME),
    );
    expect(group).toMatchObject({
      Properties: { LogGroupName: LOG_GROUP_NAME, RetentionInDays: 2557 },
      DeletionPolicy: 'Retain',
    });
    const byDefault = build({ cloudWatchLogs: 'true' }).deployed;
    expect(
      byDefault.resource(
        byDefault.id('AWS::Logs::LogGroup', (p) => p.LogGroupName === LOG_GROUP_NAME),
      ).Properties.RetentionInDays,
    ).toBe(365);
  });

  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cross-service-confused-deputy-prevention.html
  it('creates a role only CloudTrail may assume, for a trail of this account in this Region', () => {
    const { deployed } = build({ cloudWatchLogs: 'true' });
    expect(
      deployed.resource(deployed.roleId(roleName)).Properties.AssumeRolePolicyDocument,
    ).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/*` },
          },
        },
      ],
    });
  });

  // What CloudTrail needs to write to CloudWatch Logs:
  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
  it('lets that role create log streams in that log group and write to them, nothing else', () => {
    const { deployed } = build({ cloudWatchLogs: 'true' });
    const group = deployed.id('AWS::Logs::LogGroup', (p) => p.LogGroupName === LOG_GROUP_NAME);
    expect(deployed.statements(roleName)).toEqual([
      {
        Sid: 'WriteTrailEvents',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // `${LOG_GROUP_ARN}:log-stream:*`, by the log group's name.
        Resource: joined([
          `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:`,
          { Ref: group },
          ':log-stream:*',
        ]),
      },
    ]);
    expect(
      deployed.resource(deployed.roleId(roleName)).Properties.ManagedPolicyArns,
    ).toBeUndefined();
  });

  // iam:PassedToService: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
  it('gives the document both ARNs, and lets the remediation pass that role to CloudTrail alone', () => {
    const { deployed } = build({ cloudWatchLogs: 'true' });
    const group = deployed.id('AWS::Logs::LogGroup', (p) => p.LogGroupName === LOG_GROUP_NAME);
    const role = getAtt(deployed.roleId(roleName));
    expect(statics(deployed)).toEqual({
      CloudWatchLogsLogGroupArn: getAtt(group),
      CloudWatchLogsRoleArn: role,
    });
    expect(grant(deployed, 'PassTrailLogsRole')).toEqual({
      Sid: 'PassTrailLogsRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: role,
      Condition: { StringEquals: { 'iam:PassedToService': 'cloudtrail.amazonaws.com' } },
    });
    expect(deployed.deployed.outputs).toMatchObject({
      TrailLogGroupArn: getAtt(group),
      TrailLogsRoleArn: role,
    });
  });

  it('creates none of it by default, and grants no iam:PassRole', () => {
    const { deployed, template } = build();
    expect(all(deployed, 'AWS::Logs::LogGroup')).toHaveLength(2);
    expect(all(deployed, 'AWS::IAM::Role')).toHaveLength(3);
    expect(JSON.stringify(template)).not.toContain('iam:PassRole');
    expect(deployed.deployed.outputs.TrailLogGroupArn).toBeUndefined();
  });

  // The key policy CloudWatch Logs needs: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
  it.each<[string, Record<string, string>, 'given' | 'trail key' | 'none']>([
    ['logGroupKmsKeyArn', { logGroupKmsKeyArn: LOG_KEY }, 'given'],
    ['the trails’ key', { trailKey: 'create' }, 'trail key'],
    [
      'logGroupKmsKeyArn before the trails’ key',
      { trailKey: 'create', logGroupKmsKeyArn: LOG_KEY },
      'given',
    ],
    ['CloudWatch Logs’ own encryption without either', {}, 'none'],
  ])('encrypts the log group with %s', (_, context, expected) => {
    const { deployed } = build({ cloudWatchLogs: 'true', ...context });
    const group = deployed.resource(
      deployed.id('AWS::Logs::LogGroup', (p) => p.LogGroupName === LOG_GROUP_NAME),
    );
    const keyId = expected === 'trail key' ? getAtt(deployed.id('AWS::KMS::Key')) : undefined;
    expect(group.Properties.KmsKeyId).toEqual(expected === 'given' ? LOG_KEY : keyId);
    if (context.trailKey === undefined) return;
    const policy = deployed.only('AWS::KMS::Key').Properties.KeyPolicy as PolicyDocument;
    const forLogs = policy.Statement.filter(
      (s) => s.Sid === 'AllowCloudWatchLogsToEncryptTrailEvents',
    );
    // The trails' key lets CloudWatch Logs use it only when it encrypts the log group, and
    // then for that log group alone.
    expect(forLogs).toEqual(
      expected === 'trail key'
        ? [
            {
              Sid: 'AllowCloudWatchLogsToEncryptTrailEvents',
              Effect: 'Allow',
              Principal: { Service: `logs.${REGION}.amazonaws.com` },
              Action: [
                'kms:Encrypt*',
                'kms:Decrypt*',
                'kms:ReEncrypt*',
                'kms:GenerateDataKey*',
                'kms:Describe*',
              ],
              Resource: '*',
              Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': LOG_GROUP_ARN } },
            },
          ]
        : [],
    );
  });
});

describe('with every option that creates or grants something set', () => {
  let stack: Stack;
  beforeAll(() => {
    ({ stack } = build({
      trailKey: 'create',
      cloudWatchLogs: 'true',
      hardenRepairedTrail: 'true',
      trustedLogAccountIds: TRUSTED,
      accessLogBucketName: 'audit-access-logs',
    }));
  }, 120_000);

  describeNagClean(() => stack);
});
