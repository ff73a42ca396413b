// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::…} here are CloudFormation Fn::Sub variables.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnResource, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { remediationDocument } from '../remediation/document';
import { REMEDIATION_ACTIONS } from '../remediation/permissions';
import { buildApp, cdkJsonContext } from '../stack/build-app';
import type { CloudTrailRuleStack } from '../stack/cloudtrail-rule-stack';
import { LAMBDA_RUNTIME, LOG_RETENTION_DAYS } from '../stack/definitions';
import { DEFAULT_RULE_NAME } from '../stack/options';

/*
 * The default stack, synthesized once as `cdk synth` does (both functions
 * bundled by esbuild, cdk-nag on), and every resource that matters asserted
 * against it. Option by option variations are in stack-options.test.ts.
 */

const RULE = DEFAULT_RULE_NAME;
const outdir = mkdtempSync(join(tmpdir(), 'cloudtrail1-stack-'));
let stack: CloudTrailRuleStack;
let template: Template;

beforeAll(() => {
  ({ stack } = buildApp({
    outdir,
    context: cdkJsonContext(),
    // CloudFormation's schema validation runs in `npm run synth`; it costs ~15 s.
    builtinCloudFormationValidation: false,
  }));
  template = Template.fromStack(stack);
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const partition = (rest: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:${rest}` });

/** The logical ID of the one resource whose ID starts with `prefix` (CDK appends a hash). */
function logicalId(prefix: string): string {
  const ids = Object.keys(template.toJSON().Resources).filter((id) =>
    new RegExp(`^${prefix}[0-9A-F]{8}$|^${prefix}$`).test(id),
  );
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
}
const getAtt = (prefix: string) => ({ 'Fn::GetAtt': [logicalId(prefix), 'Arn'] });
const ref = (prefix: string) => ({ Ref: logicalId(prefix) });

/** The role whose logical ID starts with `prefix`. */
function role(prefix: string): { Properties: Record<string, unknown> } {
  return template.toJSON().Resources[logicalId(prefix)];
}

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

function statementsOf(prefix: string): Statement[] {
  const policies = role(prefix).Properties.Policies as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  expect(policies).toHaveLength(1);
  return policies[0]?.PolicyDocument.Statement ?? [];
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('the deployed resources', () => {
  it('are exactly the two functions with their roles and log groups, the rule, its invoke permission, the document, the automation role and the remediation configuration', () => {
    const counts: Record<string, number> = {};
    for (const resource of Object.values(
      template.toJSON().Resources as Record<string, { Type: string }>,
    )) {
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
    });
  });

  it('outputs the rule name, both function ARNs, the document name, the automation role ARN and the log groups', () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual([
      'AutomationRoleArn',
      'ConfigRuleName',
      'RemediationDocumentName',
      'RemediationFunctionArn',
      'RemediationLogGroupName',
      'RuleFunctionArn',
      'RuleLogGroupName',
    ]);
    template.hasOutput('ConfigRuleName', { Value: { Ref: 'ConfigRule' } });
    template.hasOutput('RuleFunctionArn', { Value: getAtt('RuleFunction') });
    template.hasOutput('RemediationFunctionArn', { Value: getAtt('RemediationFunction') });
    template.hasOutput('RemediationDocumentName', { Value: { Ref: 'RemediationDocument' } });
    template.hasOutput('AutomationRoleArn', { Value: getAtt('AutomationRole') });
  });
});

describe('the rule function', () => {
  it('runs on Node.js 24 on arm64 with a fixed name, 256 MB and a 120 s timeout, logging to its own log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `${RULE}-rule`,
      Runtime: LAMBDA_RUNTIME,
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 120,
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
      LoggingConfig: { LogGroup: ref('RuleFunctionLogs') },
      Role: getAtt('RuleFunctionRole'),
    });
  });

  it('keeps its logs for a year and keeps the log group when the stack is deleted', () => {
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.values(groups)).toHaveLength(2);
    for (const group of Object.values(groups)) {
      expect(group).toMatchObject({
        Properties: { RetentionInDays: LOG_RETENTION_DAYS },
        DeletionPolicy: 'Retain',
      });
    }
  });

  it('may call exactly DescribeTrails, GetTrailStatus, GetEventSelectors and PutEvaluations, and write its own logs', () => {
    expect(statementsOf('RuleFunctionRole')).toEqual([
      {
        Sid: 'ReadAnyTrail',
        Effect: 'Allow',
        Action: ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'],
        Resource: partition('cloudtrail:*:*:trail/*'),
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
        Resource: getAtt('RuleFunctionLogs'),
      },
    ]);
  });

  it('is assumed by Lambda only and has no managed policy', () => {
    expect(role('RuleFunctionRole').Properties).toMatchObject({
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
          },
        ],
      },
    });
    expect(role('RuleFunctionRole').Properties.ManagedPolicyArns).toBeUndefined();
    expect(template.findResources('AWS::IAM::Policy')).toEqual({});
  });

  it('may be invoked by AWS Config on behalf of this account only', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt('RuleFunction'),
      Principal: 'config.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });
});

describe('the Config rule', () => {
  it('is a custom Lambda rule, periodic every 24 hours and on trail changes, scoped to trails', () => {
    template.hasResource('AWS::Config::ConfigRule', {
      Properties: {
        ConfigRuleName: RULE,
        Scope: { ComplianceResourceTypes: ['AWS::CloudTrail::Trail'] },
        Source: {
          Owner: 'CUSTOM_LAMBDA',
          SourceIdentifier: getAtt('RuleFunction'),
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
      },
      // Config checks it may invoke the function when the rule is created.
      DependsOn: ['ConfigInvokesRuleFunction'],
    });
  });

  it('passes the default parameters, as strings, and the remediation function gets the same ones', () => {
    const inputParameters = {
      includeManagementEvents: 'true',
      readWriteType: 'ALL',
      trustOrganizationTrails: 'true',
    };
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      InputParameters: inputParameters,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `${RULE}-remediation`,
      Environment: { Variables: { RULE_PARAMETERS: JSON.stringify(inputParameters) } },
    });
  });
});

describe('the remediation', () => {
  it('runs on Node.js 24 on arm64, within the 300 s the document step waits', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `${RULE}-remediation`,
      Runtime: LAMBDA_RUNTIME,
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 270,
      LoggingConfig: { LogGroup: ref('RemediationFunctionLogs') },
    });
  });

  it('has exactly the actions remediation/ exports, one statement per scope, writes limited to this account', () => {
    const statements = statementsOf('RemediationFunctionRole');
    expect(statements).toEqual([
      { Sid: 'ListTrails', Effect: 'Allow', Action: 'cloudtrail:DescribeTrails', Resource: '*' },
      {
        Sid: 'ReadAnyTrail',
        Effect: 'Allow',
        Action: ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'],
        Resource: partition('cloudtrail:*:*:trail/*'),
      },
      {
        Sid: 'ChangeOwnTrails',
        Effect: 'Allow',
        Action: [
          'cloudtrail:CreateTrail',
          'cloudtrail:PutEventSelectors',
          'cloudtrail:StartLogging',
          'cloudtrail:UpdateTrail',
        ],
        Resource: partition('cloudtrail:*:${AWS::AccountId}:trail/*'),
      },
      {
        Sid: 'CheckOrCreateLogBucket',
        Effect: 'Allow',
        Action: [
          's3:CreateBucket',
          's3:GetBucketPolicy',
          's3:GetBucketPublicAccessBlock',
          's3:GetEncryptionConfiguration',
          's3:ListBucket',
          's3:PutBucketOwnershipControls',
          's3:PutBucketPolicy',
          's3:PutBucketPublicAccessBlock',
          's3:PutEncryptionConfiguration',
        ],
        Resource: partition('s3:::cloudtrail-logs-${AWS::AccountId}-${AWS::Region}'),
      },
      {
        Sid: 'CheckOrGrantNewTrailKey',
        Effect: 'Allow',
        Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:PutKeyPolicy'],
        Resource: partition('kms:${AWS::Region}:${AWS::AccountId}:key/*'),
      },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: getAtt('RemediationFunctionLogs'),
      },
    ]);
    const granted = statements.filter((s) => s.Sid !== 'WriteOwnLogs').flatMap(actions);
    expect(granted.sort()).toEqual([...REMEDIATION_ACTIONS]);
  });

  it('grants no "*" action to any role, and "*" resources only to actions without resource-level permissions', () => {
    const all = ['RuleFunctionRole', 'RemediationFunctionRole', 'AutomationRole'].flatMap(
      statementsOf,
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
    template.hasResourceProperties('AWS::SSM::Document', {
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

  it('has an automation role that only SSM may assume, only for this account, with a fixed name per Region', () => {
    expect(role('AutomationRole').Properties).toMatchObject({
      RoleName: { 'Fn::Sub': `${RULE}-automation-\${AWS::Region}` },
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'ssm.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
    });
  });

  it('lets the automation role invoke only the remediation function and re-evaluate only this rule', () => {
    expect(statementsOf('AutomationRole')).toEqual([
      {
        Sid: 'RunRemediation',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: getAtt('RemediationFunction'),
      },
      {
        Sid: 'ReevaluateRule',
        Effect: 'Allow',
        Action: 'config:StartConfigRulesEvaluation',
        Resource: { 'Fn::GetAtt': ['ConfigRule', 'Arn'] },
      },
    ]);
  });

  it('is configured as a manual SSM document remediation: the role static, the account from the resource ID', () => {
    template.hasResource('AWS::Config::RemediationConfiguration', {
      Properties: {
        ConfigRuleName: RULE,
        TargetType: 'SSM_DOCUMENT',
        TargetId: `${RULE}-remediation`,
        TargetVersion: Match.absent(),
        Automatic: false,
        MaximumAutomaticAttempts: 5,
        RetryAttemptSeconds: 60,
        Parameters: {
          AutomationAssumeRole: { StaticValue: { Values: [getAtt('AutomationRole')] } },
          AccountId: { ResourceValue: { Value: 'RESOURCE_ID' } },
        },
      },
      DependsOn: ['ConfigRule', 'RemediationDocument'],
    });
  });
});

describe('the bundles', () => {
  /** The staged asset directory: `asset.<hash>` for the function's `<hash>.zip`. */
  const assetOf = (prefix: string): string => {
    const fn = template.toJSON().Resources[logicalId(prefix)];
    return join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
  };

  it.each([['RuleFunction'], ['RemediationFunction']])(
    '%s is one minified file with its source map and the AWS SDK inside',
    (prefix) => {
      const dir = assetOf(prefix);
      const code = readFileSync(join(dir, 'index.js'), 'utf8');
      expect(existsSync(join(dir, 'index.js.map'))).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
      // Minified: long lines (unminified code averages under 40 characters a line).
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
      // Bundled: only Node.js built-ins are left for the runtime to provide, and the optional
      // CRT signer that the SDK tries inside a try/catch (for SigV4a, which CloudTrail does not use).
      const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
      expect([...required].filter((m) => !m?.startsWith('node:'))).toEqual([
        '@aws-sdk/signature-v4-crt',
      ]);
      expect(statSync(join(dir, 'index.js')).size).toBeGreaterThan(500 * 1024);
    },
  );
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no finding that is not acknowledged, error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.map((v) => `${v.ruleName} at ${v.violatingResources[0]?.constructPath}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges exactly the wildcard findings the IAM5 rule reports on each role, each with a reason', () => {
    for (const roleConstruct of stack.node.findAll().filter((c) => c instanceof iam.Role)) {
      const cfnRole = roleConstruct.node.defaultChild as CfnResource;
      const findings = rules.iam.IAMNoWildcardPermissions(cfnRole);
      const expected = Array.isArray(findings)
        ? findings.map((f) => `AwsSolutions-IAM5[${f}]`).sort()
        : [];
      const acknowledged = acknowledgementsOf(roleConstruct);
      expect(Object.keys(acknowledged).sort()).toEqual(expected);
      for (const reason of Object.values(acknowledged)) expect(reason.length).toBeGreaterThan(80);
    }
  });

  it('acknowledges nothing but IAM5 wildcard findings', () => {
    const ids = stack.node.findAll().flatMap((c) => Object.keys(acknowledgementsOf(c)));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id) => !id.startsWith('AwsSolutions-IAM5[Resource::'))).toEqual([]);
  });
});

/** The rule IDs acknowledged on a construct itself, with their reasons. */
function acknowledgementsOf(construct: IConstruct): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of construct.node.metadata) {
    if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
    for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
      found[id.replace(/^annotation::/i, '')] = reason;
    }
  }
  return found;
}
