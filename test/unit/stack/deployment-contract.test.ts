import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { compareDeployment, expectedDeployment, ruleFunctionArn } from '../../../cli/deployment';
import { remediationDocument } from '../../../remediation/document';
import { BUCKET_SUFFIX_PATTERN } from '../../../remediation/input';
import { REMEDIATION_ACTIONS } from '../../../remediation/permissions';
import { DEFAULT_PARAMETERS, parameterValues } from '../../../rule/parameters';
import { buildApp, cdkJsonContext } from '../../../stack/build-app';
import { LAMBDA_RUNTIME, LOG_RETENTION_DAYS } from '../../../stack/definitions';
import { buildMemberApp } from '../../../stack/member-template';
import { DEFAULT_RULE_NAME } from '../../../stack/options';
import { deploy, PSEUDO, STACK_UUID } from '../../support/cfn-evaluator';
import { configApiCall } from '../../support/config-api-events';
import {
  actions,
  DeployedResources,
  withoutBootstrapCheck,
} from '../../support/deployed-resources';
import { matchesPattern } from '../../support/event-pattern';
import { describeNagClean } from '../../support/nag-clean';

/*
 * The deployment contract: what the deployment is, whichever template
 * deploys it. The single-account stack (`cdk deploy`) and the organization's
 * member template (StackSets) must both pass every assertion here. Each is checked as CloudFormation
 * would deploy it with its defaults, in account 111111111111 and us-east-1
 * (`cfn-evaluator.ts`), so a literal value in one template and a parameter
 * reference in the other are compared by what they become.
 */

const RULE = DEFAULT_RULE_NAME;
const ACCOUNT = PSEUDO.accountId;
const REGION = PSEUDO.region;
/** The first 8 hexadecimal digits of the deployed stack's UUID. */
const SUFFIX = STACK_UUID.slice(0, 8);
/** The log bucket and the access-log bucket the remediation creates, with the stack's suffix. */
const OWN_BUCKETS = [
  `arn:aws:s3:::cloudtrail-logs-${ACCOUNT}-${REGION}-${SUFFIX}`,
  `arn:aws:s3:::cloudtrail-access-logs-${ACCOUNT}-${REGION}-${SUFFIX}`,
];

const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const functionId = (r: DeployedResources, name: string) =>
  r.id('AWS::Lambda::Function', (p) => p.FunctionName === name);
const logGroupOf = (r: DeployedResources, name: string) =>
  (r.function(name).Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;

/** Registers the specification of the deployment, for a template loaded in `beforeAll`. */
/** The separate IAM policies other than the rule role's read of its own evaluations (always there). */
function grantsBesidesOwnEvaluations(deployed: DeployedResources): unknown[] {
  return Object.values(deployed.deployed.resources).filter(
    (x) =>
      x.Type === 'AWS::IAM::Policy' &&
      !JSON.stringify(x.Properties.PolicyDocument).includes('"ReadOwnEvaluations"'),
  );
}

function describeDeployment(load: () => DeployedResources): void {
  const r = () => load();

  describe('the deployed resources', () => {
    it('are exactly the two functions with their roles, log groups and alarms, the rule, its invoke permission, the document, the automation role, the remediation configuration, and the watch on the rule with its alarm', () => {
      const counts: Record<string, number> = {};
      for (const resource of Object.values(r().deployed.resources)) {
        counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
      }
      expect(counts).toEqual({
        'AWS::Lambda::Function': 2,
        'AWS::IAM::Role': 3,
        'AWS::Logs::LogGroup': 2,
        'AWS::Lambda::Permission': 1,
        'AWS::Config::ConfigRule': 1,
        'AWS::SSM::Document': 1,
        'AWS::Config::RemediationConfiguration': 1,
        // Errors and throttles of both functions, the rule's missed runs, and the change watch's.
        'AWS::CloudWatch::Alarm': 6,
        'AWS::Events::Rule': 1,
        // The rule role's read of its own evaluations, which names the rule's ARN.
        'AWS::IAM::Policy': 1,
      });
    });

    it('leave the functions outside any VPC and their logs to CloudWatch Logs’ own encryption, as Lambda does by default', () => {
      const deployed = r();
      for (const name of [`${RULE}-rule`, `${RULE}-remediation`]) {
        expect(deployed.function(name).Properties.VpcConfig).toBeUndefined();
      }
      for (const resource of Object.values(deployed.deployed.resources)) {
        if (resource.Type === 'AWS::Logs::LogGroup') {
          expect(resource.Properties.KmsKeyId).toBeUndefined();
        }
      }
      expect(grantsBesidesOwnEvaluations(deployed)).toEqual([]);
    });

    it('name every role after the rule, per Region, so that a policy or a person can find them', () => {
      const names = Object.values(r().deployed.resources)
        .filter((resource) => resource.Type === 'AWS::IAM::Role')
        .map((resource) => resource.Properties.RoleName)
        .sort();
      expect(names).toEqual([
        `${RULE}-automation-${REGION}`,
        `${RULE}-remediation-${REGION}`,
        `${RULE}-rule-${REGION}`,
      ]);
    });

    it('keep the functions’ logs for a year, and keep the log groups when the stack is deleted', () => {
      const groups = Object.values(r().deployed.resources).filter(
        (resource) => resource.Type === 'AWS::Logs::LogGroup',
      );
      expect(groups).toHaveLength(2);
      for (const group of groups) {
        expect(group).toMatchObject({
          Properties: { RetentionInDays: LOG_RETENTION_DAYS },
          DeletionPolicy: 'Retain',
        });
      }
    });
  });

  describe('the error alarms', () => {
    // An error of the rule function is an evaluation AWS Config did not get (an UNDECIDED
    // verdict throws); one of the remediation function, a remediation that did not work.
    it.each(['rule', 'remediation'])(
      'alarm on any error of the %s function within an hour, notifying no one by default',
      (kind) => {
        const deployed = r();
        const name = `${RULE}-${kind}`;
        const alarm = deployed.resource(
          deployed.id('AWS::CloudWatch::Alarm', (p) => p.AlarmName === `${name}-errors`),
        );
        const { AlarmDescription, ...properties } = alarm.Properties;
        expect(properties).toEqual({
          AlarmName: `${name}-errors`,
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: name }],
          Statistic: 'Sum',
          Period: 3600,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
        expect(AlarmDescription).toMatch(
          new RegExp(`^${name} failed: .+ See the function's log group`),
        );
      },
    );
  });

  describe('the throttle and missed-run alarms', () => {
    // A throttled invocation is counted in Throttles, not in Errors; Invocations counts runs:
    // https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
    it.each(['rule', 'remediation'])(
      'alarm on any throttle of the %s function within an hour, an hour without throttles being no failure',
      (kind) => {
        const deployed = r();
        const name = `${RULE}-${kind}`;
        const alarm = deployed.resource(
          deployed.id('AWS::CloudWatch::Alarm', (p) => p.AlarmName === `${name}-throttles`),
        );
        expect(alarm.Properties).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: 'Throttles',
          Dimensions: [{ Name: 'FunctionName', Value: name }],
          Statistic: 'Sum',
          Period: 3600,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
      },
    );

    // An hour without invocations has no data point at all, so only missing data treated as
    // breaching can raise the alarm; with a period of an hour, the alarm may span up to 7 days:
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
    it('alarm when the rule function has not run for 48 hours, twice its 24-hour period, missing data breaching', () => {
      const deployed = r();
      const name = `${RULE}-rule`;
      const alarm = deployed.resource(
        deployed.id('AWS::CloudWatch::Alarm', (p) => p.AlarmName === `${name}-invocations`),
      );
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Invocations',
        Dimensions: [{ Name: 'FunctionName', Value: name }],
        Statistic: 'Sum',
        Period: 3600,
        EvaluationPeriods: 48,
        DatapointsToAlarm: 48,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
      const { Period, EvaluationPeriods } = alarm.Properties as Record<string, number>;
      expect((Period ?? 0) * (EvaluationPeriods ?? 0)).toBeLessThanOrEqual(7 * 86_400);
    });

    it('have no missed-run alarm for the remediation function, which runs only when a remediation is started', () => {
      const alarms = Object.values(r().deployed.resources)
        .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
        .map((resource) => resource.Properties.AlarmName);
      expect(alarms).not.toContain(`${RULE}-remediation-invocations`);
    });

    // Reserved concurrency is kept for the function alone, so others cannot use it up:
    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
    // (A parameter's value reaches the property as text, which CloudFormation converts.)
    it.each(['rule', 'remediation'])('reserve 3 concurrent runs for the %s function', (kind) => {
      const reserved = r().function(`${RULE}-${kind}`).Properties.ReservedConcurrentExecutions;
      expect(Number(reserved)).toBe(3);
    });
  });

  describe('the watch on the Config rule', () => {
    // The rule sees Config API calls as CloudTrail delivers them; EventBridge receives those
    // only while a trail logs management events in the account and Region:
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
    // PutConfigRule may name the rule by ConfigRuleArn or ConfigRuleId instead of its name:
    // https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigRule.html
    const RULE_ARN = `arn:aws:config:${REGION}:${ACCOUNT}:config-rule/config-rule-k3vq0x`;
    const RULE_ID = 'config-rule-k3vq0x';
    const OTHER = 's3-bucket-versioning-enabled';
    /** The deployed pattern, with the Config rule's ARN and ID as Config would give them. */
    const pattern = (): Record<string, unknown> => {
      const deployed = r();
      const rule = deployed.only('AWS::Events::Rule');
      const ruleId = deployed.id('AWS::Config::ConfigRule');
      const text = JSON.stringify(rule.Properties.EventPattern)
        .replace(JSON.stringify({ 'Fn::GetAtt': [ruleId, 'Arn'] }), JSON.stringify(RULE_ARN))
        .replace(
          JSON.stringify({ 'Fn::GetAtt': [ruleId, 'ConfigRuleId'] }),
          JSON.stringify(RULE_ID),
        );
      expect(text).not.toContain('Fn::');
      return JSON.parse(text) as Record<string, unknown>;
    };
    const decoy = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:always-compliant`;
    const putRule = (identity: Record<string, string>) =>
      configApiCall('PutConfigRule', {
        configRule: {
          ...identity,
          source: { owner: 'CUSTOM_LAMBDA', sourceIdentifier: decoy },
          inputParameters: '{"includeManagementEvents":"false"}',
        },
      });

    it.each<[string, Record<string, unknown>]>([
      ['re-pointing the rule to another function, by name', putRule({ configRuleName: RULE })],
      ['re-pointing it by its ARN alone', putRule({ configRuleArn: RULE_ARN })],
      ['re-pointing it by its ID alone', putRule({ configRuleId: RULE_ID })],
      ['deleting it', configApiCall('DeleteConfigRule', { configRuleName: RULE })],
      [
        'deleting its evaluation results',
        configApiCall('DeleteEvaluationResults', { configRuleName: RULE }),
      ],
      [
        'pointing its remediation at a decoy trail',
        configApiCall('PutRemediationConfigurations', {
          remediationConfigurations: [
            { configRuleName: OTHER, targetType: 'SSM_DOCUMENT', targetId: 'AWS-EnableS3' },
            {
              configRuleName: RULE,
              targetType: 'SSM_DOCUMENT',
              targetId: `${RULE}-remediation`,
              parameters: { TrailName: { staticValue: { values: ['decoy'] } } },
            },
          ],
        }),
      ],
      [
        'deleting its remediation',
        configApiCall('DeleteRemediationConfiguration', {
          configRuleName: RULE,
          resourceType: 'AWS::::Account',
        }),
      ],
      [
        'exempting the account from its remediation',
        configApiCall('PutRemediationExceptions', {
          configRuleName: RULE,
          resourceKeys: [{ resourceType: 'AWS::::Account', resourceId: ACCOUNT }],
        }),
      ],
    ])('matches %s', (_, event) => {
      expect(matchesPattern(pattern(), event)).toBe(true);
    });

    it.each<[string, Record<string, unknown>]>([
      [
        'another team changing its own rule',
        configApiCall('PutConfigRule', {
          configRule: { configRuleName: OTHER, source: { owner: 'AWS', sourceIdentifier: 'X' } },
        }),
      ],
      [
        'another team deleting its rule',
        configApiCall('DeleteConfigRule', { configRuleName: OTHER }),
      ],
      [
        'reading the rule',
        configApiCall('DescribeConfigRules', { configRuleNames: [RULE] }, { readOnly: true }),
      ],
      [
        'starting an evaluation of the rule',
        configApiCall('StartConfigRulesEvaluation', { configRuleNames: [RULE] }),
      ],
    ])('does not match %s', (_, event) => {
      expect(matchesPattern(pattern(), event)).toBe(false);
    });

    it('is enabled on the default event bus, named after the rule, with an alarm of the same name on its matches', () => {
      const deployed = r();
      const rule = deployed.only('AWS::Events::Rule');
      expect(rule.Properties).toMatchObject({ Name: `${RULE}-config-changes`, State: 'ENABLED' });
      expect(rule.Properties.EventBusName).toBeUndefined();
      expect(rule.Properties.Targets).toBeUndefined();
      const alarm = deployed.resource(
        deployed.id('AWS::CloudWatch::Alarm', (p) => p.AlarmName === `${RULE}-config-changes`),
      );
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/Events',
        MetricName: 'TriggeredRules',
        Dimensions: [{ Name: 'RuleName', Value: `${RULE}-config-changes` }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    });
  });

  describe('the rule function', () => {
    it('runs on Node.js 24 on arm64 with a fixed name, 256 MB and a 120 s timeout, logging to its own log group', () => {
      const deployed = r();
      const fn = deployed.function(`${RULE}-rule`);
      expect(fn.Properties).toMatchObject({
        Runtime: LAMBDA_RUNTIME,
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 256,
        Timeout: 120,
        Role: getAtt(deployed.roleId(`${RULE}-rule-${REGION}`)),
      });
      expect(deployed.resource(logGroupOf(deployed, `${RULE}-rule`)).Type).toBe(
        'AWS::Logs::LogGroup',
      );
    });

    it('may call exactly DescribeTrails, GetTrailStatus, GetEventSelectors and PutEvaluations, and write its own logs', () => {
      const deployed = r();
      expect(deployed.statements(`${RULE}-rule-${REGION}`)).toEqual([
        {
          Sid: 'ReadAnyTrail',
          Effect: 'Allow',
          Action: ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'],
          Resource: 'arn:aws:cloudtrail:*:*:trail/*',
        },
        {
          Sid: 'ListTrailsAndReport',
          Effect: 'Allow',
          Action: ['cloudtrail:DescribeTrails', 'config:PutEvaluations'],
          Resource: '*',
        },
        {
          Sid: 'WriteOwnLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: getAtt(logGroupOf(deployed, `${RULE}-rule`)),
        },
      ]);
    });

    it("may read its own Config rule's evaluations, on that rule's ARN alone, by a policy of its own", () => {
      // GetComplianceDetailsByConfigRule takes a ConfigRule resource:
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsconfig.html
      const deployed = r();
      const policy = deployed.only('AWS::IAM::Policy').Properties;
      expect(policy.PolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadOwnEvaluations',
            Effect: 'Allow',
            Action: 'config:GetComplianceDetailsByConfigRule',
            Resource: getAtt(deployed.id('AWS::Config::ConfigRule')),
          },
        ],
      });
      expect(policy.Roles).toEqual([{ Ref: deployed.roleId(`${RULE}-rule-${REGION}`) }]);
    });

    it('is assumed by Lambda only, and no role has a managed policy or another separate policy', () => {
      const deployed = r();
      expect(deployed.resource(deployed.roleId(`${RULE}-rule-${REGION}`)).Properties).toMatchObject(
        {
          AssumeRolePolicyDocument: {
            Statement: [
              {
                Action: 'sts:AssumeRole',
                Effect: 'Allow',
                Principal: { Service: 'lambda.amazonaws.com' },
              },
            ],
          },
        },
      );
      const policies = Object.values(deployed.deployed.resources).filter(
        (resource) => resource.Type === 'AWS::IAM::Policy',
      );
      expect(policies.map((p) => JSON.stringify(p.Properties.PolicyDocument))).toEqual([
        expect.stringContaining('"ReadOwnEvaluations"'),
      ]);
      for (const resource of Object.values(deployed.deployed.resources)) {
        expect(resource.Properties.ManagedPolicyArns).toBeUndefined();
      }
    });

    it('may be invoked by AWS Config on behalf of this account only', () => {
      const deployed = r();
      expect(deployed.only('AWS::Lambda::Permission').Properties).toEqual({
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(functionId(deployed, `${RULE}-rule`)),
        Principal: 'config.amazonaws.com',
        SourceAccount: ACCOUNT,
      });
    });
  });

  describe('the Config rule', () => {
    it('is a custom Lambda rule, periodic every 24 hours and on trail changes, scoped to trails', () => {
      const deployed = r();
      const rule = deployed.only('AWS::Config::ConfigRule');
      expect(rule.Properties).toMatchObject({
        ConfigRuleName: RULE,
        Scope: { ComplianceResourceTypes: ['AWS::CloudTrail::Trail'] },
        Source: {
          Owner: 'CUSTOM_LAMBDA',
          SourceIdentifier: getAtt(functionId(deployed, `${RULE}-rule`)),
          SourceDetails: [
            {
              EventSource: 'aws.config',
              MessageType: 'ScheduledNotification',
              MaximumExecutionFrequency: 'TwentyFour_Hours',
            },
            { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
            {
              EventSource: 'aws.config',
              MessageType: 'OversizedConfigurationItemChangeNotification',
            },
          ],
        },
      });
      // Config checks it may invoke the function when the rule is created.
      expect(rule.DependsOn).toEqual(['ConfigInvokesRuleFunction']);
    });

    it('passes the default parameters, as strings, and the remediation function reads the same ones', () => {
      const deployed = r();
      const inputParameters = deployed.only('AWS::Config::ConfigRule').Properties.InputParameters;
      expect(inputParameters).toEqual({
        includeManagementEvents: 'true',
        readWriteType: 'ALL',
        trustOrganizationTrails: 'true',
        requireDelivery: 'false',
        // Twice the default period of 24 hours.
        undecidedWindowHours: '48',
      });
      const environment = deployed.function(`${RULE}-remediation`).Properties.Environment as {
        Variables: { RULE_PARAMETERS: string; KMS_KEY_ID: string };
      };
      expect(parameterValues(JSON.parse(environment.Variables.RULE_PARAMETERS))).toEqual(
        parameterValues(inputParameters),
      );
      // No kmsKeyId: the function takes a key only as a request names it, and may change no key policy.
      expect(environment.Variables.KMS_KEY_ID).toBe('');
    });

    it('gives the remediation function the suffix of its default bucket names, from the stack’s ID, and no trusted log account', () => {
      const environment = r().function(`${RULE}-remediation`).Properties.Environment as {
        Variables: Record<string, string>;
      };
      expect(environment.Variables.LOG_BUCKET_SUFFIX).toBe(SUFFIX);
      expect(environment.Variables.LOG_BUCKET_SUFFIX).toMatch(new RegExp(BUCKET_SUFFIX_PATTERN));
      expect(environment.Variables.TRUSTED_LOG_ACCOUNT_IDS).toBe('');
    });
  });

  describe('the remediation', () => {
    it('runs on Node.js 24 on arm64, within the 300 s the document step waits', () => {
      const deployed = r();
      expect(deployed.function(`${RULE}-remediation`).Properties).toMatchObject({
        Runtime: LAMBDA_RUNTIME,
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 256,
        Timeout: 270,
        Role: getAtt(deployed.roleId(`${RULE}-remediation-${REGION}`)),
      });
    });

    it('has exactly the actions remediation/ exports, one statement per scope, writes limited to this account', () => {
      const deployed = r();
      const statements = deployed.statements(`${RULE}-remediation-${REGION}`);
      expect(statements).toEqual([
        { Sid: 'ListTrails', Effect: 'Allow', Action: 'cloudtrail:DescribeTrails', Resource: '*' },
        {
          Sid: 'ReadAnyTrail',
          Effect: 'Allow',
          Action: ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'],
          Resource: 'arn:aws:cloudtrail:*:*:trail/*',
        },
        {
          Sid: 'ChangeOwnTrails',
          Effect: 'Allow',
          Action: [
            'cloudtrail:AddTags',
            'cloudtrail:CreateTrail',
            'cloudtrail:ListTags',
            'cloudtrail:PutEventSelectors',
            'cloudtrail:StartLogging',
            'cloudtrail:UpdateTrail',
          ],
          Resource: `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*`,
        },
        {
          // The two buckets the remediation creates, by the names only this stack knows.
          Sid: 'CreateLogBucket',
          Effect: 'Allow',
          Action: [
            's3:CreateBucket',
            's3:PutBucketObjectLockConfiguration',
            's3:PutBucketOwnershipControls',
            's3:PutBucketVersioning',
          ],
          Resource: expect.arrayContaining(OWN_BUCKETS),
        },
        {
          // Never a bucket of that name that another account owns.
          // https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html
          Sid: 'CheckOrSecureLogBucket',
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
            's3:ListBucket',
            's3:PutBucketLogging',
            's3:PutBucketObjectLockConfiguration',
            's3:PutBucketPolicy',
            's3:PutBucketPublicAccessBlock',
            's3:PutBucketTagging',
            's3:PutBucketVersioning',
            's3:PutEncryptionConfiguration',
            's3:PutLifecycleConfiguration',
          ],
          Resource: expect.arrayContaining(OWN_BUCKETS),
          Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
        },
        {
          // Whose is a trail's bucket: HeadBucket, on buckets of this account only (no trusted account).
          Sid: 'CheckTrailBucketOwner',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::*',
          Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
        },
        {
          // Who else a trail's bucket of this account lets in, before it is repaired.
          Sid: 'CheckTrailBucketGrants',
          Effect: 'Allow',
          Action: ['s3:GetBucketAcl', 's3:GetBucketOwnershipControls', 's3:GetBucketPolicy'],
          Resource: 'arn:aws:s3:::*',
          Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
        },
        {
          // No key is configured: reading a key a person names is all; no KMS write.
          Sid: 'CheckNewTrailKey',
          Effect: 'Allow',
          Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus'],
          Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/*`,
        },
        {
          Sid: 'WriteOwnLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: getAtt(logGroupOf(deployed, `${RULE}-remediation`)),
        },
      ]);
      expect(statements.find((s) => s.Sid === 'CreateLogBucket')?.Resource).toHaveLength(2);
      // Everything but what only a key, hardenRepairedTrail or cloudWatchLogs grants.
      const granted = new Set(statements.filter((s) => s.Sid !== 'WriteOwnLogs').flatMap(actions));
      expect([...granted].sort()).toEqual(
        REMEDIATION_ACTIONS.filter((a) => a !== 'kms:PutKeyPolicy' && a !== 'iam:PassRole'),
      );
    });

    it('grants no KMS write at all, since no kmsKeyId is configured', () => {
      const deployed = r();
      const all = ['rule', 'remediation', 'automation'].flatMap((role) =>
        deployed.statements(`${RULE}-${role}-${REGION}`),
      );
      const kms = all.flatMap(actions).filter((a) => a.startsWith('kms:'));
      expect(kms.sort()).toEqual([
        'kms:DescribeKey',
        'kms:GetKeyPolicy',
        'kms:GetKeyRotationStatus',
      ]);
      expect(grantsBesidesOwnEvaluations(deployed)).toEqual([]);
    });

    it('grants no "*" action to any role, and "*" resources only to actions without resource-level permissions', () => {
      const deployed = r();
      const all = ['rule', 'remediation', 'automation'].flatMap((role) =>
        deployed.statements(`${RULE}-${role}-${REGION}`),
      );
      expect(all.flatMap(actions).filter((a) => a.includes('*'))).toEqual([]);
      const onStar = all
        .filter((s) => s.Resource === '*')
        .flatMap(actions)
        .sort();
      expect(onStar).toEqual([
        'cloudtrail:DescribeTrails',
        'cloudtrail:DescribeTrails',
        'config:PutEvaluations',
      ]);
    });

    it('deploys the document as a new version on update, running the remediation function then re-evaluating this rule', () => {
      expect(r().only('AWS::SSM::Document').Properties).toEqual({
        Name: `${RULE}-remediation`,
        DocumentType: 'Automation',
        DocumentFormat: 'JSON',
        UpdateMethod: 'NewVersion',
        Content: remediationDocument({
          remediationFunction: `${RULE}-remediation`,
          ruleName: RULE,
        }),
      });
    });

    // https://docs.aws.amazon.com/systems-manager/latest/userguide/cross-service-confused-deputy-prevention.html
    it('has an automation role that only SSM may assume, only for automation executions of this account and Region', () => {
      const deployed = r();
      const role = deployed.resource(deployed.roleId(`${RULE}-automation-${REGION}`));
      expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'ssm.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': ACCOUNT },
              ArnLike: {
                'aws:SourceArn': `arn:aws:ssm:${REGION}:${ACCOUNT}:automation-execution/*`,
              },
            },
          },
        ],
      });
    });

    it('lets the automation role invoke only the remediation function and re-evaluate only this rule', () => {
      const deployed = r();
      expect(deployed.statements(`${RULE}-automation-${REGION}`)).toEqual([
        {
          Sid: 'RunRemediation',
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: getAtt(functionId(deployed, `${RULE}-remediation`)),
        },
        {
          Sid: 'ReevaluateRule',
          Effect: 'Allow',
          Action: 'config:StartConfigRulesEvaluation',
          Resource: getAtt(deployed.id('AWS::Config::ConfigRule')),
        },
      ]);
    });

    it('is configured as a manual SSM document remediation: the role static, the account from the resource ID', () => {
      const deployed = r();
      const remediation = deployed.only('AWS::Config::RemediationConfiguration');
      const { Automatic, MaximumAutomaticAttempts, RetryAttemptSeconds, ...rest } =
        remediation.Properties;
      // A parameter gives CloudFormation "false" and "5", which it reads as false and 5. The
      // window covers 5 runs of the document at its worst (5 × 420 s), so Config records a
      // remediation exception instead of retrying forever.
      expect([Automatic, MaximumAutomaticAttempts, RetryAttemptSeconds].map(String)).toEqual([
        'false',
        '5',
        '2100',
      ]);
      expect(rest).toEqual({
        ConfigRuleName: RULE,
        TargetType: 'SSM_DOCUMENT',
        TargetId: `${RULE}-remediation`,
        Parameters: {
          AutomationAssumeRole: {
            StaticValue: { Values: [getAtt(deployed.roleId(`${RULE}-automation-${REGION}`))] },
          },
          AccountId: { ResourceValue: { Value: 'RESOURCE_ID' } },
        },
      });
      expect(remediation.DependsOn).toEqual(['ConfigRule', 'RemediationDocument']);
    });

    it('is what the organization audit expects of an intact deployment (evaluate --organization)', () => {
      const deployed = r();
      const expected = expectedDeployment(DEFAULT_PARAMETERS);
      const place = { accountId: ACCOUNT, region: REGION, partition: 'aws' };
      const rule = deployed.only('AWS::Config::ConfigRule').Properties;
      const remediation = deployed.only('AWS::Config::RemediationConfiguration').Properties;
      const roleName = expected.automationRoleNamePattern.replace(/\$\{AWS::Region\}/, REGION);
      // The function and role the template points at are the ones the audit names ...
      expect((rule.Source as { SourceIdentifier: unknown }).SourceIdentifier).toEqual(
        getAtt(functionId(deployed, expected.ruleFunctionName)),
      );
      const role = remediation.Parameters as {
        AutomationAssumeRole: { StaticValue: { Values: unknown[] } };
      };
      expect(role.AutomationAssumeRole.StaticValue.Values).toEqual([
        getAtt(deployed.roleId(roleName)),
      ]);
      // ... and, once deployed, as DescribeConfigRules and DescribeRemediationConfigurations
      // return them (each GetAtt as its ARN), the audit finds them INTACT.
      const check = compareDeployment(
        expected,
        place,
        {
          ConfigRuleName: rule.ConfigRuleName as string,
          ConfigRuleState: 'ACTIVE',
          Source: { Owner: 'CUSTOM_LAMBDA', SourceIdentifier: ruleFunctionArn(expected, place) },
          InputParameters: JSON.stringify(rule.InputParameters),
        },
        [
          {
            ConfigRuleName: remediation.ConfigRuleName as string,
            TargetType: remediation.TargetType as 'SSM_DOCUMENT',
            TargetId: remediation.TargetId as string,
            Parameters: {
              AutomationAssumeRole: {
                StaticValue: { Values: [`arn:aws:iam::${ACCOUNT}:role/${roleName}`] },
              },
            },
          },
        ],
      );
      expect(check).toEqual({ status: 'INTACT', differences: [] });
    });
  });
}

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});
const outdir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudtrail1-contract-'));
  outdirs.push(dir);
  return dir;
};

/** Each template as synthesized, with cdk.json's context (CloudFormation's schema validation is left to `npm run synth`). */
const TEMPLATES: [string, () => { stack: Stack; template: Record<string, unknown> }][] = [
  [
    'the single-account stack',
    () => {
      const { stack } = buildApp(
        { outdir: outdir(), context: cdkJsonContext(), builtinCloudFormationValidation: false },
        { rollout: false },
      );
      return { stack, template: withoutBootstrapCheck(Template.fromStack(stack).toJSON()) };
    },
  ],
  [
    'the member template',
    () => {
      const { stack } = buildMemberApp({
        outdir: outdir(),
        context: cdkJsonContext(),
        builtinCloudFormationValidation: false,
      });
      return { stack, template: Template.fromStack(stack).toJSON() };
    },
  ],
];

describe.each(TEMPLATES)('%s', (_name, build) => {
  let stack: Stack;
  let resources: DeployedResources;
  beforeAll(() => {
    const built = build();
    stack = built.stack;
    resources = new DeployedResources(deploy(built.template));
  }, 120_000);

  describeDeployment(() => resources);
  describeNagClean(() => stack);
});
