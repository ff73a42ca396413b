import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { parameterValues } from '../../../rule/parameters';
import { main as synthMember } from '../../../scripts/synth-member';
import { cdkJsonContext } from '../../../stack/build-app';
import {
  assertWithinLimits,
  buildMemberApp,
  type MemberStack,
  memberTemplate,
  memberTemplateText,
  TEMPLATE_LIMITS,
} from '../../../stack/member-template';
import { defaultUndecidedWindowHours, EXECUTION_FREQUENCIES } from '../../../stack/option-schema';
import {
  DOCUMENT_RUN_SECONDS,
  InvalidOptionError,
  OPTION_NAMES,
  OPTIONS,
  type OptionName,
  parseOptions,
} from '../../../stack/options';
import {
  optionValues,
  parameterName,
  TEMPLATE_PARAMETER_OPTIONS,
} from '../../../stack/template-parameters';
import { LOGGING } from '../../support/aws-account/model';
import { startAccountEndpoint } from '../../support/aws-account/serve-http';
import { bundleHandler } from '../../support/bundled-handler';
import {
  type DeployedTemplate,
  deploy,
  ParameterRejectedError,
  PSEUDO,
} from '../../support/cfn-evaluator';
import { DeployedResources, withoutBootstrapCheck } from '../../support/deployed-resources';
import { ACCOUNT, scheduledEvent, trail } from '../../support/fixtures';
import { synthApp, temporaryDirectory } from '../../support/synth-app';

/*
 * The member template (`npm run synth:member`): the single-account stack's
 * deployment as one self-contained template for StackSets. It passes the
 * same contract as the stack (deployment-contract.test.ts); here, what
 * makes it deployable without the CDK, its parameters, and the proof that
 * with any options it deploys what the stack deploys with the same options.
 */

let stack: MemberStack;
let template: Record<string, unknown>;

beforeAll(() => {
  ({ stack } = buildMemberApp({
    outdir: temporaryDirectory('cloudtrail1-member-test-'),
    context: cdkJsonContext(),
    builtinCloudFormationValidation: false,
  }));
  template = Template.fromStack(stack).toJSON();
}, 120_000);

const parse = (context: Record<string, unknown>) =>
  parseOptions((name) => context[name], Object.keys(context));

/** The member template's parameter values for the options `-c` would give the stack. */
function parametersFor(context: Record<string, string>): Record<string, string> {
  const values = optionValues(parse({ ...cdkJsonContext(), ...context }));
  return Object.fromEntries(
    TEMPLATE_PARAMETER_OPTIONS.map((name) => [parameterName(name), values[name]]),
  );
}

type ZipFunction = {
  Type: string;
  Properties: { Code: { ZipFile: string }; FunctionName: unknown };
};
function inlineCode(functionName: string): string {
  const fn = Object.values(template.Resources as Record<string, ZipFunction>).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      JSON.stringify(r.Properties.FunctionName).includes(`"-${functionName}"`),
  );
  if (fn === undefined) throw new Error(`No ${functionName} function`);
  return fn.Properties.Code.ZipFile;
}

describe('the member template', () => {
  // A StackSet update that changed a logical ID would replace the resource in every account.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html
  it('keeps the logical IDs its resources have always had, however the code groups them', () => {
    expect(Object.keys(template.Resources as object).sort()).toEqual([
      'AutomationRoleC58D7324',
      'ConfigChangeAlarm',
      'ConfigChangeRule',
      'ConfigInvokesRuleFunction',
      'ConfigRule',
      'RemediationConfiguration',
      'RemediationDocument',
      'RemediationFunction81258F31',
      'RemediationFunctionErrorsAlarm',
      'RemediationFunctionKeyPolicyGrant0CA47946',
      'RemediationFunctionLogsB27AE0D4',
      'RemediationFunctionRepairedTrailBucketGrant098E89AD',
      'RemediationFunctionRole303EBA94',
      'RemediationFunctionThrottlesAlarm',
      'RemediationFunctionTrailLogsRoleGrantB6D1B915',
      'RemediationFunctionVpcAccessDC539F5E',
      'RuleFunctionE18FBDCA',
      'RuleFunctionErrorsAlarm',
      'RuleFunctionInvocationsAlarm',
      'RuleFunctionLogs7B6AB4B3',
      'RuleFunctionReadsOwnEvaluations2DC05754',
      'RuleFunctionRoleCBBCCEBF',
      'RuleFunctionThrottlesAlarm',
      'RuleFunctionVpcAccessA932D665',
      'TrailEncryptionKey',
      'TrailEncryptionKeyAlias',
      'TrailLogGroup7A1F916A',
      'TrailLogsRole5D0F5A2E',
    ]);
  });

  it('deploys into an account that was never bootstrapped: no asset parameter, no bootstrap rule, no asset bucket', () => {
    const resources = template.Resources as Record<string, { Type: string; Properties: object }>;
    // The template as CloudFormation reads it, without the functions' code.
    const text = JSON.stringify(template, (key, value) => (key === 'ZipFile' ? '' : value));
    expect(Object.keys(template.Parameters as object)).toEqual(
      TEMPLATE_PARAMETER_OPTIONS.map(parameterName),
    );
    expect(Object.keys(template.Rules as object)).toEqual([
      'BucketNameIsS3BucketName',
      'TrailKeyOrKmsKeyId',
      'SubnetIdsWithSecurityGroupIds',
    ]);
    for (const bootstrapOnly of ['BootstrapVersion', 'cdk-hnb659fds', 'AssetParameters', 'S3Key']) {
      expect(text).not.toContain(bootstrapOnly);
    }
    const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => Object.keys((f.Properties as { Code: object }).Code))).toEqual([
      ['ZipFile'],
      ['ZipFile'],
    ]);
  });

  it('is built the same way every time, as npm run synth:member writes it', () => {
    const written = memberTemplate(cdkJsonContext(), { validate: false });
    expect(written).toEqual(template);
    expect(memberTemplateText(written)).toMatch(/^\{\n "Description": /);
  }, 60_000);

  it('stays within CloudFormation’s limits for a template StackSets read from S3', () => {
    expect(() => assertWithinLimits(template)).not.toThrow();
    const bytes = Buffer.byteLength(memberTemplateText(template));
    expect(bytes).toBeLessThan(TEMPLATE_LIMITS.urlBytes);
    // Over what a TemplateBody takes: the rollout stack hands StackSets a URL.
    expect(bytes).toBeGreaterThan(TEMPLATE_LIMITS.bodyBytes);
    for (const parameter of Object.values(
      template.Parameters as Record<string, { Default: string }>,
    )) {
      expect(Buffer.byteLength(parameter.Default)).toBeLessThan(
        TEMPLATE_LIMITS.parameterValueBytes,
      );
    }
  });

  it('refuses a template over a limit, naming the limit', () => {
    const resources = Object.fromEntries(
      Array.from({ length: 501 }, (_, i) => [`Topic${i}`, { Type: 'AWS::SNS::Topic' }]),
    );
    expect(() => assertWithinLimits({ Resources: resources })).toThrow(
      'The member template has 501 resources; CloudFormation accepts at most 500.',
    );
    expect(() => assertWithinLimits({ Description: 'x'.repeat(1025) })).toThrow(
      'description bytes',
    );
  });

  it('holds both functions’ code inline, minified, needing nothing from the runtime but Node.js and the AWS SDK', () => {
    for (const kind of ['rule', 'remediation']) {
      const code = inlineCode(kind);
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
      expect(code).not.toContain('sourceMappingURL');
      const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] ?? ''));
      const fromRuntime = [...required].filter((m) => !m.startsWith('node:'));
      expect(fromRuntime.length).toBeGreaterThan(0);
      expect(fromRuntime.filter((m) => !m.startsWith('@aws-sdk/'))).toEqual([]);
    }
  });
});

describe('its parameters', () => {
  it('are every option of the single-account stack but the retry window, with the stack’s default', () => {
    const parameters = template.Parameters as Record<string, { Default: string }>;
    expect(
      OPTION_NAMES.filter((name) => !TEMPLATE_PARAMETER_OPTIONS.includes(name as never)),
    ).toEqual(['retryAttemptSeconds']);
    for (const name of TEMPLATE_PARAMETER_OPTIONS) {
      // The undecided window's default is a phrase, twice the period: an empty parameter, which
      // the template turns into twice the period of MaximumExecutionFrequency (tested below).
      const stackDefault =
        OPTIONS[name].default === '(not set)' || name === 'undecidedWindowHours'
          ? ''
          : OPTIONS[name].default;
      expect({ name, default: parameters[parameterName(name)]?.Default }).toEqual({
        name,
        default: stackDefault,
      });
    }
  });

  it.each(EXECUTION_FREQUENCIES.map((frequency) => [frequency]))(
    'give the rule an undecided window of twice the period when UndecidedWindowHours is empty: %s',
    (frequency) => {
      const inputParameters = (parameters: Record<string, string>) =>
        new DeployedResources(deploy(template, parameters)).only('AWS::Config::ConfigRule')
          .Properties.InputParameters as Record<string, string>;
      expect(inputParameters({ MaximumExecutionFrequency: frequency }).undecidedWindowHours).toBe(
        String(defaultUndecidedWindowHours(frequency)),
      );
      expect(
        inputParameters({ MaximumExecutionFrequency: frequency, UndecidedWindowHours: '7' })
          .undecidedWindowHours,
      ).toBe('7');
    },
  );

  it('default to the options cdk.json or -c set, read by the stack’s parser', () => {
    const written = memberTemplate(
      { ...cdkJsonContext(), readWriteType: 'WriteOnly', automaticRemediation: 'true' },
      { validate: false },
    );
    const parameters = written.Parameters as Record<string, { Default: string }>;
    expect(parameters.ReadWriteType?.Default).toBe('WriteOnly');
    expect(parameters.AutomaticRemediation?.Default).toBe('true');
    expect(() => memberTemplate({ readWriteType: 'Everything' })).toThrow(InvalidOptionError);
  }, 60_000);

  // Config records a remediation exception only when MaximumAutomaticAttempts runs fall
  // inside RetryAttemptSeconds; a shorter window retries a failing account forever.
  // https://docs.aws.amazon.com/config/latest/APIReference/API_RemediationConfiguration.html
  it('give every MaximumAutomaticAttempts a retry window covering that many runs of the document at their longest', () => {
    const window = (attempts: number) =>
      new DeployedResources(deploy(template, { MaximumAutomaticAttempts: String(attempts) })).only(
        'AWS::Config::RemediationConfiguration',
      ).Properties.RetryAttemptSeconds;
    const attempts = Array.from({ length: 25 }, (_, i) => i + 1);

    expect(attempts.map(window)).toEqual(attempts.map((n) => n * DOCUMENT_RUN_SECONDS));
    expect(window(25)).toBe(10_500);
  });

  it('keep a longer window that -c retryAttemptSeconds set, raised only where the attempts need more', () => {
    const written = memberTemplate(
      { ...cdkJsonContext(), retryAttemptSeconds: '3000' },
      { validate: false },
    );
    const window = (attempts: string) =>
      new DeployedResources(deploy(written, { MaximumAutomaticAttempts: attempts })).only(
        'AWS::Config::RemediationConfiguration',
      ).Properties.RetryAttemptSeconds;

    expect([window('1'), window('7'), window('8')]).toEqual([3000, 3000, 3360]);
  }, 60_000);

  it('name every resource after RuleName', () => {
    const deployed = deploy(template, { RuleName: 'org-ct1' });
    const names = Object.values(deployed.resources).map(
      (r) => r.Properties.FunctionName ?? r.Properties.RoleName ?? r.Properties.Name,
    );
    expect(names.filter((n) => typeof n === 'string').sort()).toEqual([
      'org-ct1-automation-us-east-1',
      'org-ct1-config-changes',
      'org-ct1-remediation',
      'org-ct1-remediation',
      'org-ct1-remediation-us-east-1',
      'org-ct1-rule',
      'org-ct1-rule-us-east-1',
    ]);
    expect(deployed.resources.ConfigRule?.Properties.ConfigRuleName).toBe('org-ct1');
  });

  it.each([
    ['RuleName', '9lives'],
    ['RuleName', 'has space'],
    ['RuleName', 'a'.repeat(37)],
    ['RuleName', 'awsTrailRule'],
    ['RuleName', 'AmazonTrailRule'],
    ['TrailName', 'ab'],
    ['TrailName', 'a'.repeat(129)],
    ['TrailName', '10.0.0.1'],
    ['MaximumExecutionFrequency', 'Daily'],
    ['S3BucketName', 'bad/bucket'],
    ['SnsTopicArn', 'arn:aws:sqs:us-east-1:111122223333:queue'],
    ['CloudWatchLogsLogGroupArn', 'trail-logs'],
    ['IncludeManagementEvents', 'yes'],
    ['ReadWriteType', 'Everything'],
    ['TrustOrganizationTrails', 'maybe'],
    ['TriggerOnTrailChange', '1'],
    ['AutomaticRemediation', 'on'],
    ['MaximumAutomaticAttempts', '0'],
    ['MaximumAutomaticAttempts', '26'],
    ['TrailName', '-trail'],
    ['BucketName', 'Upper-Case'],
    ['KmsKeyId', 'not a key'],
    ['LogGroupKmsKeyArn', 'alias/logs'],
    ['SubnetIds', 'subnet-0123456789abcdef0 subnet-0fedcba9876543210'],
    ['SecurityGroupIds', 'sg-1,sg-2'],
    ['AlarmTopicArn', 'arn:aws:sqs:us-east-1:111122223333:queue'],
    ['AlarmTopicArn', 'arn:aws:sns:us-east-1:111122223333:alerts.fifo'],
    ['TrailKey', 'yes'],
    ['AccessLogBucketName', 'Access_Logs'],
    ['LogRetentionDays', '0'],
    ['LogRetentionDays', '36501'],
    ['ObjectLockDays', '1.5'],
    ['Tags', 'team'],
    ['Tags', 'team="security"'],
    ['CloudWatchLogs', 'yes'],
    ['CloudWatchLogsRetentionDays', '30'],
    ['HardenRepairedTrail', '1'],
    ['TrustedLogAccountIds', '4444-5555-6666'],
    ['TrustedLogAccountIds', '444455556666,'],
  ])('refuse %s = %j before anything is created', (name, value) => {
    expect(() => deploy(template, { [name]: value })).toThrow(ParameterRejectedError);
  });

  it.each<[string, OptionName, string[]]>([
    [
      'RuleName',
      'ruleName',
      [
        'ct1',
        'Org-CT-1',
        'awsome',
        'amzn-rule',
        'AWS',
        'A',
        '1st',
        'a'.repeat(36),
        'a'.repeat(37),
        'rule_1',
      ],
    ],
    [
      'TrailName',
      'trailName',
      [
        'org',
        'ab',
        'a.b_c-d',
        'a..b',
        '-a',
        '10.0.0.1',
        '10.0.0.1a',
        'a'.repeat(128),
        'a'.repeat(129),
      ],
    ],
    [
      'LogRetentionDays',
      'logRetentionDays',
      ['1', '9', '10', '365', '9999', '10000', '29999', '30000', '36499', '36500', '36501', '0'],
    ],
    ['ObjectLockDays', 'objectLockDays', ['1', '36500', '36501', '99999', '-1']],
    [
      'TrustedLogAccountIds',
      'trustedLogAccountIds',
      ['444455556666', '444455556666,777788889999', '44445555666', '444455556666 777788889999'],
    ],
    ['Tags', 'tags', ['team=security', 'a=', '=b', 'team', 'cost center=12 34,team=x']],
  ])('accept exactly the %s values the stack accepts', (parameter, option, candidates) => {
    for (const value of candidates) {
      const byStack = accepts(() => parse({ [option]: value }));
      const byTemplate = accepts(() => deploy(template, { [parameter]: value }));
      expect({ value, byTemplate }).toEqual({ value, byTemplate: byStack });
    }
  });

  it('hold LogRetentionDays and ObjectLockDays to whole numbers from 1 to 36500 with a pattern, as an empty String parameter has no MinValue', () => {
    const parameters = template.Parameters as Record<
      string,
      { Type: string; AllowedPattern: string }
    >;
    for (const name of ['LogRetentionDays', 'ObjectLockDays']) {
      const parameter = parameters[name];
      expect(parameter?.Type).toBe('String');
      const pattern = new RegExp(parameter?.AllowedPattern ?? '$^');
      const accepted = Array.from({ length: 40_000 }, (_, n) => String(n)).filter((n) =>
        pattern.test(n),
      );
      expect({ name, first: accepted[0], last: accepted.at(-1), count: accepted.length }).toEqual({
        name,
        first: '1',
        last: '36500',
        count: 36_500,
      });
      expect(pattern.test('')).toBe(true);
    }
  });

  it('refuse TrailKey create with a KmsKeyId, as the stack does', () => {
    expect(() => deploy(template, { TrailKey: 'create', KmsKeyId: 'alias/cloudtrail' })).toThrow(
      'TrailKey create and KmsKeyId cannot be combined',
    );
    expect(() => parse({ trailKey: 'create', kmsKeyId: 'alias/cloudtrail' })).toThrow(
      InvalidOptionError,
    );
    expect(() => deploy(template, { TrailKey: 'create' })).not.toThrow();
    expect(() => deploy(template, { KmsKeyId: 'alias/cloudtrail' })).not.toThrow();
  });

  it('refuse a BucketName that differs from S3BucketName, as the stack does', () => {
    expect(() =>
      deploy(template, { BucketName: 'bucket-one', S3BucketName: 'bucket-two' }),
    ).toThrow('BucketName and S3BucketName differ');
    expect(() => parse({ bucketName: 'bucket-one', s3BucketName: 'bucket-two' })).toThrow(
      InvalidOptionError,
    );
    expect(() =>
      deploy(template, { BucketName: 'same-bucket', S3BucketName: 'same-bucket' }),
    ).not.toThrow();
  });
});

function accepts(attempt: () => unknown): boolean {
  try {
    attempt();
    return true;
  } catch {
    return false;
  }
}

/** A deployed template reduced to what both kinds of template must agree on. */
function comparable(deployed: DeployedTemplate): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const [id, resource] of Object.entries(deployed.resources)) {
    const properties = structuredClone(resource.Properties);
    if (resource.Type === 'AWS::Lambda::Function') {
      // The code differs by design: an asset with the SDK and a source map, or inline.
      delete properties.Code;
      const variables = {
        ...(properties.Environment as { Variables?: Record<string, string> })?.Variables,
      };
      delete variables.NODE_OPTIONS;
      const parameters = variables.RULE_PARAMETERS;
      delete properties.Environment;
      if (parameters !== undefined)
        properties.RuleParameters = parameterValues(JSON.parse(parameters));
      // A parameter's number reaches the property as text, which CloudFormation converts.
      if (properties.ReservedConcurrentExecutions !== undefined) {
        properties.ReservedConcurrentExecutions = String(properties.ReservedConcurrentExecutions);
      }
    }
    if (resource.Type === 'AWS::Config::RemediationConfiguration') {
      for (const name of ['Automatic', 'MaximumAutomaticAttempts', 'RetryAttemptSeconds']) {
        properties[name] = String(properties[name]);
      }
    }
    // IAM reads a statement's resources as a set; CDK orders them by how they are written.
    for (const document of [
      properties.PolicyDocument,
      ...((properties.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map(
        (p) => p.PolicyDocument,
      ),
    ]) {
      for (const statement of (document as { Statement?: { Resource?: unknown }[] } | undefined)
        ?.Statement ?? []) {
        if (Array.isArray(statement.Resource)) statement.Resource = [...statement.Resource].sort();
      }
    }
    resources[id] = {
      Type: resource.Type,
      Properties: properties,
      DependsOn: resource.DependsOn,
      DeletionPolicy: resource.DeletionPolicy,
    };
  }
  return resources;
}

/** The single-account stack `cdk synth -c …` builds, as CloudFormation would deploy it. */
function deployedStack(context: Record<string, string>): DeployedTemplate {
  const { stack: built } = synthApp(context, { rollout: false });
  return deploy(withoutBootstrapCheck(Template.fromStack(built).toJSON()));
}

describe('with the same options as the single-account stack', () => {
  it.each<[string, Record<string, string>]>([
    ['the defaults', {}],
    [
      'a faster schedule, no change trigger and automatic remediation',
      {
        maximumExecutionFrequency: 'One_Hour',
        triggerOnTrailChange: 'false',
        automaticRemediation: 'true',
        maximumAutomaticAttempts: '3',
      },
    ],
    [
      'a required bucket and topic, write events only, a trail name and a key in another account',
      {
        s3BucketName: 'org-trail-logs',
        snsTopicArn: 'arn:aws:sns:us-east-1:222222222222:trail-topic',
        readWriteType: 'WriteOnly',
        trustOrganizationTrails: 'false',
        trailName: 'org-management-events',
        kmsKeyId: 'arn:aws:kms:eu-west-1:222222222222:alias/cloudtrail',
      },
    ],
    [
      'a log group, a bucket for new trails only and a key alias',
      {
        cloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:111111111111:log-group:trail-logs:*',
        bucketName: 'central-trail-logs',
        kmsKeyId: 'alias/cloudtrail',
      },
    ],
    ['another rule name', { ruleName: 'org-ct1' }],
    [
      'the trails’ key and CloudWatch Logs created, repaired trails hardened, trusted log accounts and every hardening option',
      {
        trailKey: 'create',
        cloudWatchLogs: 'true',
        cloudWatchLogsRetentionDays: '731',
        hardenRepairedTrail: 'true',
        trustedLogAccountIds: '444455556666,777788889999',
        accessLogBucketName: 'central-access-logs',
        logRetentionDays: '2557',
        objectLockDays: '365',
        tags: 'team=security,cost-center=1234',
        trailName: 'org-management-events',
      },
    ],
    [
      'CloudWatch Logs with the log groups’ key, and a key alias for the trails',
      {
        cloudWatchLogs: 'true',
        logGroupKmsKeyArn:
          'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        kmsKeyId: 'alias/cloudtrail',
        hardenRepairedTrail: 'true',
      },
    ],
    [
      'the trails’ key created, with the log groups’ key given',
      {
        trailKey: 'create',
        cloudWatchLogs: 'true',
        logGroupKmsKeyArn:
          'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
    ],
  ])(
    'deploys what the stack deploys, with %s',
    (_, context) => {
      const member = deploy(template, parametersFor(context));
      expect(comparable(member)).toEqual(comparable(deployedStack(context)));
    },
    60_000,
  );

  it('deploys what the stack deploys with a key for the log groups, a VPC and an alarm topic, but for the subnets it names and how a function waits for its VPC policy', () => {
    const context = {
      logGroupKmsKeyArn:
        'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      subnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
      securityGroupIds: 'sg-0123456789abcdef0',
      alarmTopicArn: 'arn:aws:sns:us-east-1:111111111111:security-alerts',
    };
    type Comparable = {
      Type: string;
      DependsOn?: string[];
      Properties: { PolicyDocument: { Statement: { Sid: string; Resource: unknown }[] } };
    };
    const member = comparable(deploy(template, parametersFor(context))) as Record<
      string,
      Comparable
    >;
    const stack = comparable(deployedStack(context)) as Record<string, Comparable>;
    const ec2 = `arn:aws:ec2:${PSEUDO.region}:${PSEUDO.accountId}`;
    const createStatement = (resource: Comparable | undefined) =>
      resource?.Properties.PolicyDocument.Statement.find(
        (s) => s.Sid === 'CreateFunctionNetworkInterfaces',
      );
    // Each function's VPC policy; the rule role's read of its own evaluations is a policy too.
    const policies = Object.keys(stack).filter(
      (id) => stack[id]?.Type === 'AWS::IAM::Policy' && createStatement(stack[id]) !== undefined,
    );

    expect(policies).toHaveLength(2);
    for (const id of policies) {
      // The stack names the subnets and security groups; a template cannot turn a list into ARNs.
      expect(createStatement(stack[id])?.Resource).toEqual([
        `${ec2}:network-interface/*`,
        `${ec2}:security-group/sg-0123456789abcdef0`,
        `${ec2}:subnet/subnet-0123456789abcdef0`,
        `${ec2}:subnet/subnet-0fedcba9876543210`,
      ]);
      const memberStatement = createStatement(member[id]);
      expect(memberStatement?.Resource).toEqual([
        `${ec2}:network-interface/*`,
        `${ec2}:security-group/*`,
        `${ec2}:subnet/*`,
      ]);
      if (memberStatement !== undefined) {
        memberStatement.Resource = createStatement(stack[id])?.Resource;
      }
    }
    const functions = Object.keys(stack).filter(
      (id) => stack[id]?.Type === 'AWS::Lambda::Function',
    );
    const raw = template.Resources as Record<string, { Properties: { VpcConfig?: unknown } }>;
    for (const id of functions) {
      const waitsFor = stack[id]?.DependsOn?.filter((d) => policies.includes(d)) ?? [];
      // The stack waits by DependsOn; the member template by a reference in the VPC settings,
      // since a DependsOn on a resource whose condition is false would drop the function too.
      expect(waitsFor).toHaveLength(1);
      expect(JSON.stringify(raw[id]?.Properties.VpcConfig)).toContain(
        JSON.stringify({ Ref: waitsFor[0] }),
      );
      stack[id] = {
        ...(stack[id] as Comparable),
        DependsOn: stack[id]?.DependsOn?.filter((d) => !policies.includes(d)),
      };
    }
    expect(member).toEqual(stack);
  }, 60_000);

  it.each<[string, Record<string, string>, string[], string[]]>([
    ['by default', {}, [], []],
    [
      'with CloudWatchLogs',
      { CloudWatchLogs: 'true' },
      [
        'RemediationFunctionTrailLogsRoleGrantB6D1B915',
        'TrailLogGroup7A1F916A',
        'TrailLogsRole5D0F5A2E',
      ],
      ['TrailLogGroupArn', 'TrailLogsRoleArn'],
    ],
    [
      'with TrailKey create',
      { TrailKey: 'create' },
      ['TrailEncryptionKey', 'TrailEncryptionKeyAlias'],
      ['TrailKeyArn'],
    ],
    [
      'with HardenRepairedTrail',
      { HardenRepairedTrail: 'true' },
      ['RemediationFunctionRepairedTrailBucketGrant098E89AD'],
      [],
    ],
    [
      'with TrailKey create and HardenRepairedTrail',
      { TrailKey: 'create', HardenRepairedTrail: 'true' },
      [
        'RemediationFunctionKeyPolicyGrant0CA47946',
        'RemediationFunctionRepairedTrailBucketGrant098E89AD',
        'TrailEncryptionKey',
        'TrailEncryptionKeyAlias',
      ],
      ['TrailKeyArn'],
    ],
    [
      'with a KmsKeyId',
      { KmsKeyId: 'alias/cloudtrail' },
      ['RemediationFunctionKeyPolicyGrant0CA47946'],
      [],
    ],
  ])(
    'creates what the trails need, and grants what it needs, only as the parameters ask: %s',
    (_, given, resources, outputs) => {
      const always = new Set(
        Object.keys(deploy(template, { KmsKeyId: '', TrailKey: 'none' }).resources),
      );
      const deployed = deploy(template, given);
      expect(
        Object.keys(deployed.resources)
          .filter((id) => !always.has(id))
          .sort(),
      ).toEqual(resources);
      expect(
        ['TrailKeyArn', 'TrailLogGroupArn', 'TrailLogsRoleArn'].filter(
          (output) => output in deployed.outputs,
        ),
      ).toEqual(outputs);
    },
  );

  it('lets the remediation look up the buckets of the trusted log accounts given, and tells the function who they are', () => {
    const resources = new DeployedResources(
      deploy(template, { TrustedLogAccountIds: '444455556666,777788889999' }),
    );
    const statement = resources
      .statements(`cloudtrail-1-multi-region-trail-remediation-${PSEUDO.region}`)
      .find((s) => s.Sid === 'CheckTrailBucketOwner') as { Condition?: unknown } | undefined;
    expect(statement?.Condition).toEqual({
      StringEquals: {
        's3:ResourceAccount': [PSEUDO.accountId, '444455556666', '777788889999'],
      },
    });
    const variables = (
      resources.function('cloudtrail-1-multi-region-trail-remediation').Properties.Environment as {
        Variables: Record<string, string>;
      }
    ).Variables;
    expect(variables.TRUSTED_LOG_ACCOUNT_IDS).toBe('444455556666,777788889999');
  });

  it('refuses SubnetIds without SecurityGroupIds, and the other way round, before anything is created', () => {
    expect(() => deploy(template, { SubnetIds: 'subnet-0123456789abcdef0' })).toThrow(
      'SubnetIds and SecurityGroupIds go together',
    );
    expect(() => deploy(template, { SecurityGroupIds: 'sg-0123456789abcdef0' })).toThrow(
      ParameterRejectedError,
    );
  });

  it.each<[string, string, string, string]>([
    [
      'a key ARN',
      'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:eu-west-1:222222222222:key/*',
    ],
    [
      'a key ID',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      `arn:aws:kms:${PSEUDO.region}:${PSEUDO.accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      `arn:aws:kms:${PSEUDO.region}:${PSEUDO.accountId}:key/*`,
    ],
  ])(
    'grants the key actions on every key of the key’s account and Region for %s, where the stack names the key',
    (_, kmsKeyId, stackResource, memberResource) => {
      const keyStatements = (deployed: DeployedTemplate) => {
        const resources = new DeployedResources(deployed);
        const role = `cloudtrail-1-multi-region-trail-remediation-${PSEUDO.region}`;
        const check = resources
          .statements(role)
          .find((s) => s.Sid === 'CheckNewTrailKey')?.Resource;
        const grant = resources.policyOf(role).Properties.PolicyDocument as {
          Statement: { Sid: string; Resource: unknown }[];
        };
        expect(grant.Statement.map((s) => s.Sid)).toEqual(['GrantNewTrailKey']);
        return [check, grant.Statement[0]?.Resource];
      };
      expect(keyStatements(deployedStack({ kmsKeyId }))).toEqual([stackResource, stackResource]);
      expect(keyStatements(deploy(template, parametersFor({ kmsKeyId })))).toEqual([
        memberResource,
        memberResource,
      ]);
    },
    60_000,
  );
});

describe('its inline code, with the AWS SDK the Lambda runtime provides', () => {
  it('reports COMPLIANT from the rule function, and creates a passing trail from the remediation function', async () => {
    const fake = await startAccountEndpoint();
    const rule = await bundleHandler({ inline: inlineCode('rule') });
    const remediation = await bundleHandler({ inline: inlineCode('remediation') });
    try {
      fake.serve({ accountId: ACCOUNT, trails: [] });
      const remediated = await remediation.invoke(
        {},
        { endpoint: fake.endpoint, region: 'us-east-1' },
      );
      expect(remediated.outcome).toMatchObject({
        ok: true,
        result: { compliantBefore: false, compliantAfter: true },
      });

      const managementEvents = trail({ Name: 'management-events', HomeRegion: 'us-east-1' });
      fake.serve({
        accountId: ACCOUNT,
        trails: [
          {
            trail: managementEvents,
            status: LOGGING,
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
          },
        ],
      });
      const evaluated = await rule.invoke(scheduledEvent(), {
        endpoint: fake.endpoint,
        region: 'us-east-1',
      });
      expect(evaluated.outcome).toMatchObject({ ok: true, result: { compliance: 'COMPLIANT' } });
      expect(fake.putEvaluations()[0]?.Evaluations?.[0]?.ComplianceType).toBe('COMPLIANT');
    } finally {
      await Promise.all([fake.close(), rule.dispose(), remediation.dispose()]);
    }
  }, 60_000);
});

describe('npm run synth:member', () => {
  const run = (args: string[]) => {
    const errors: string[] = [];
    const logs: string[] = [];
    const error = jest.spyOn(console, 'error').mockImplementation((m: string) => errors.push(m));
    const log = jest.spyOn(console, 'log').mockImplementation((m: string) => logs.push(m));
    try {
      return { status: synthMember(args), errors, logs };
    } finally {
      error.mockRestore();
      log.mockRestore();
    }
  };

  it('writes the member template where --out says (over a file there, with --force), and its size', () => {
    const out = join(temporaryDirectory('cloudtrail1-synth-member-'), 'member.json');
    writeFileSync(out, 'old\n');
    const { status, logs } = run(['--out', out, '--force']);
    expect(status).toBe(0);
    const written = readFileSync(out, 'utf8');
    expect(logs).toEqual([expect.stringContaining(`(${Buffer.byteLength(written)} bytes)`)]);
    expect((JSON.parse(written) as { Parameters: object }).Parameters).toEqual(template.Parameters);
  }, 60_000);

  it('refuses a bad option with status 2 and the option’s message, writing nothing', () => {
    const out = join(temporaryDirectory('cloudtrail1-synth-member-'), 'member.json');
    const { status, errors } = run(['-c', 'retryAttemptSeconds=soon', '--out', out]);
    expect(status).toBe(2);
    expect(errors[0]).toMatch(/^Context option retryAttemptSeconds has the value "soon"/);
    expect(existsSync(out)).toBe(false);
  });
});
