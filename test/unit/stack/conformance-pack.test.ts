// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::…} here are CloudFormation Fn::Sub variables.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { isAlias, parseDocument, visit } from 'yaml';
import { ROLE_ARN_PATTERN } from '../../../remediation/input';
import { parseRuleParameters } from '../../../rule/parameters';
import { main } from '../../../scripts/conformance-pack';
import { buildApp, cdkJsonContext } from '../../../stack/build-app';
import {
  conformancePackTemplate,
  conformancePackYaml,
  InvalidPackTargetError,
  MAX_TEMPLATE_BYTES,
  type PackTarget,
  REMEDIATION_LOGICAL_ID,
  RULE_LOGICAL_ID,
} from '../../../stack/conformance-pack';
import { parseOptions } from '../../../stack/options';
import { cloudFormationYaml } from '../../../stack/yaml';

/*
 * The conformance pack: what AWS documents a pack may contain, its
 * parameters, and that it means exactly what the stack deploys. "Means" is
 * checked by resolving both templates' intrinsic functions for one account
 * and Region and comparing the rule and remediation configuration they
 * would create.
 *
 * Pages cited below:
 * - TEMPLATE_FORMATS: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-formats.html
 * - PREREQUISITES: https://docs.aws.amazon.com/config/latest/developerguide/cpack-prerequisites.html
 * - PUT_PACK: https://docs.aws.amazon.com/config/latest/APIReference/API_PutConformancePack.html
 * - PUT_ORG_PACK: https://docs.aws.amazon.com/config/latest/APIReference/API_PutOrganizationConformancePack.html
 */

const ROOT = join(__dirname, '../../..');
const ACCOUNT = '111122223333';
const MANAGEMENT_ACCOUNT = '999988887777';
const REGION = 'eu-west-1';
const RULE_NAME = 'cloudtrail-1-multi-region-trail';
const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': 'aws',
};

const ONE_ACCOUNT: PackTarget = {
  accountId: ACCOUNT,
  region: REGION,
  partition: 'aws',
  organization: false,
};
const ORGANIZATION: PackTarget = {
  accountId: MANAGEMENT_ACCOUNT,
  region: REGION,
  partition: 'aws',
  organization: true,
};

const EVERY_OPTION_CHANGED: Record<string, string> = {
  ruleName: 'ct1-strict',
  maximumExecutionFrequency: 'Six_Hours',
  triggerOnTrailChange: 'false',
  s3BucketName: 'org-logs',
  snsTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:trail-topic`,
  cloudWatchLogsLogGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:trail`,
  includeManagementEvents: 'true',
  readWriteType: 'ReadOnly',
  trustOrganizationTrails: 'false',
  requireDelivery: 'true',
  undecidedWindowHours: '24',
  automaticRemediation: 'true',
  maximumAutomaticAttempts: '3',
  retryAttemptSeconds: '1800',
  trailName: 'management-events',
  bucketName: 'org-logs',
  kmsKeyId: 'alias/cloudtrail',
  accessLogBucketName: 'org-access-logs',
  logRetentionDays: '2557',
  objectLockDays: '365',
  tags: 'team=security,cost-center=1234',
  hardenRepairedTrail: 'true',
  trustedLogAccountIds: '444455556666,777788889999',
};

const workDir = mkdtempSync(join(tmpdir(), 'cloudtrail1-pack-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const options = (context: Record<string, string> = {}) =>
  parseOptions((name) => context[name], Object.keys(context));

type Json = Record<string, unknown>;

/**
 * Reads YAML as CloudFormation does (TEMPLATE_FORMATS): YAML 1.1, and no
 * aliases. Throws on an anchor or alias, or a syntax error.
 */
function readAsCloudFormation(text: string): unknown {
  const document = parseDocument(text, { version: '1.1', prettyErrors: true });
  if (document.errors.length > 0) throw document.errors[0];
  visit(document, {
    Node(_, node) {
      if (isAlias(node)) throw new Error(`YAML alias *${node.source}: CloudFormation refuses it`);
      if ('anchor' in node && node.anchor) {
        throw new Error(`YAML anchor &${node.anchor}: CloudFormation refuses it`);
      }
    },
  });
  return document.toJS({ maxAliasCount: 0 });
}

const INTRINSIC = /^(Ref|Condition|Fn::.+)$/;

/** Every intrinsic function (`Ref`, `Fn::…`) anywhere in a value, by path. */
function intrinsicsIn(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => intrinsicsIn(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => [
    ...(INTRINSIC.test(key) ? [`${path}.${key}`] : []),
    ...intrinsicsIn(v, `${path}.${key}`),
  ]);
}

function resources(pack: Json): Record<string, { Type: string; Properties: Json }> {
  return pack.Resources as Record<string, { Type: string; Properties: Json }>;
}

/** The values AWS Config takes only as literal strings (PREREQUISITES), and the rule function's ARN. */
function literalsOf(pack: Json): Record<string, unknown> {
  const rule = resources(pack)[RULE_LOGICAL_ID]?.Properties ?? {};
  const remediation = resources(pack)[REMEDIATION_LOGICAL_ID]?.Properties ?? {};
  const parameters = remediation.Parameters as Record<string, unknown> | undefined;
  return {
    'rule ConfigRuleName': rule.ConfigRuleName,
    'rule Source.SourceIdentifier': (rule.Source as Json | undefined)?.SourceIdentifier,
    'remediation ConfigRuleName': remediation.ConfigRuleName,
    'remediation AutomationAssumeRole': parameters?.AutomationAssumeRole,
  };
}

const VARIANTS: [string, DeploymentContext, PackTarget][] = [
  ['one account, default options', {}, ONE_ACCOUNT],
  ['one account, every option changed', EVERY_OPTION_CHANGED, ONE_ACCOUNT],
  ['an organization, default options', {}, ORGANIZATION],
  ['an organization, every option changed', EVERY_OPTION_CHANGED, ORGANIZATION],
  [
    'one account in China',
    {},
    { accountId: ACCOUNT, region: 'cn-north-1', partition: 'aws-cn', organization: false },
  ],
  [
    'an organization in GovCloud',
    { automaticRemediation: 'true' },
    {
      accountId: MANAGEMENT_ACCOUNT,
      region: 'us-gov-west-1',
      partition: 'aws-us-gov',
      organization: true,
    },
  ],
];
type DeploymentContext = Record<string, string>;

describe('YAML as CloudFormation reads it', () => {
  it('the check refuses a text with an anchor and an alias', () => {
    // TEMPLATE_FORMATS: CloudFormation does not support aliases.
    const withAlias = 'a: &x\n  Ref: AWS::NoValue\nb: *x\n';
    expect(() => readAsCloudFormation(withAlias)).toThrow(/YAML (alias|anchor)/);
    expect(() => readAsCloudFormation('a:\n  Ref: AWS::NoValue\n')).not.toThrow();
  });

  it('writes an object used twice in full, never as an anchor and alias', () => {
    const noValue = { Ref: 'AWS::NoValue' };
    const text = cloudFormationYaml({ a: noValue, b: [noValue, noValue] });
    expect(text).not.toMatch(/[&*]a\d/);
    expect(readAsCloudFormation(text)).toEqual({ a: noValue, b: [noValue, noValue] });
  });

  it('quotes strings YAML 1.1 would read as booleans, numbers or times', () => {
    // TEMPLATE_FORMATS: CloudFormation supports the YAML 1.1 specification.
    const strings = { a: 'yes', b: 'on', c: 'N', d: '0777', e: '1:20', f: 'true', g: '~' };
    expect(readAsCloudFormation(cloudFormationYaml(strings))).toEqual(strings);
  });

  it('is written by one module only, stack/yaml.ts, so every YAML file goes through it', () => {
    const sources = ['bin', 'bench', 'cli', 'org', 'remediation', 'rule', 'scripts', 'stack']
      .flatMap((dir) => filesUnder(join(ROOT, dir)))
      .filter((file) => /\.(ts|js|cjs|mjs)$/.test(file));
    const yamlUsers = sources
      .filter((file) => /from 'yaml'|require\('yaml'\)/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(sources.length).toBeGreaterThan(20);
    expect(yamlUsers).toEqual(['stack/yaml.ts']);
  });
});

describe.each(VARIANTS)('the conformance pack for %s', (_, context, target) => {
  const pack = conformancePackTemplate(options(context), target);
  const yaml = conformancePackYaml(options(context), target);

  it('is YAML without aliases that reads back as the template', () => {
    // TEMPLATE_FORMATS: no aliases, YAML 1.1.
    expect(readAsCloudFormation(yaml)).toEqual(pack);
  });

  it('is under the 51,200 bytes AWS Config accepts', () => {
    // PUT_PACK and PUT_ORG_PACK: TemplateBody is at most 51,200 bytes.
    expect(Buffer.byteLength(yaml)).toBeLessThan(MAX_TEMPLATE_BYTES);
  });

  it('holds only a Config rule and its remediation configuration', () => {
    // PUT_PACK: a template with two resource types, AWS::Config::ConfigRule and AWS::Config::RemediationConfiguration.
    expect(Object.keys(pack).sort()).toEqual(['Conditions', 'Parameters', 'Resources']);
    expect(Object.values(resources(pack)).map((r) => r.Type)).toEqual([
      'AWS::Config::ConfigRule',
      'AWS::Config::RemediationConfiguration',
    ]);
  });

  it('has no intrinsic function in ConfigRuleName, AutomationAssumeRole or SourceIdentifier', () => {
    // PREREQUISITES: AWS Config does not support intrinsic functions for the
    // automation execution role or ConfigRuleName; give the exact ARN and the full rule name.
    const literals = literalsOf(pack);
    expect(Object.values(literals).every((v) => v !== undefined)).toBe(true);
    expect(intrinsicsIn(literals)).toEqual([]);
  });

  it('names the rule, and the rule function and automation role the stack deploys, in literal strings', () => {
    // PREREQUISITES: the exact role ARN as a string, the full rule name.
    const ruleName = context.ruleName ?? RULE_NAME;
    const { partition, region, accountId } = target;
    expect(literalsOf(pack)).toEqual({
      'rule ConfigRuleName': ruleName,
      'rule Source.SourceIdentifier': `arn:${partition}:lambda:${region}:${accountId}:function:${ruleName}-rule`,
      'remediation ConfigRuleName': ruleName,
      'remediation AutomationAssumeRole': {
        StaticValue: {
          Values: [`arn:${partition}:iam::${accountId}:role/${ruleName}-automation-${region}`],
        },
      },
    });
  });

  it('gives a role ARN the SSM document accepts as AutomationAssumeRole', () => {
    const remediation = resources(pack)[REMEDIATION_LOGICAL_ID]?.Properties ?? {};
    const role = (remediation.Parameters as Record<string, { StaticValue: { Values: string[] } }>)
      .AutomationAssumeRole?.StaticValue.Values[0];
    expect(role).toMatch(new RegExp(ROLE_ARN_PATTERN));
  });

  it('says in its header where it goes and what must exist there first', () => {
    const header = yaml.slice(0, yaml.indexOf('Parameters:'));
    expect(header).toContain(target.region);
    expect(header).toContain(target.accountId);
    expect(header).toContain(
      target.organization ? 'put-organization-conformance-pack' : 'put-conformance-pack in account',
    );
    expect(header.split('\n').every((line) => line === '' || line.startsWith('# '))).toBe(true);
  });
});

describe('the conformance pack', () => {
  const template = conformancePackTemplate(options(), ONE_ACCOUNT);
  const yaml = conformancePackYaml(options(), ONE_ACCOUNT);

  it('finds an intrinsic function wherever it is (the check above can fail)', () => {
    expect(
      intrinsicsIn({
        a: ['x', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/r' }],
      }),
    ).toEqual(['.a[1].Fn::Sub']);
    expect(intrinsicsIn({ Values: [{ Ref: 'AutomationRoleArn' }] })).toEqual(['.Values[0].Ref']);
    expect(intrinsicsIn({ Values: ['arn:aws:iam::111122223333:role/r'] })).toEqual([]);
  });

  it('for an organization, names the management account, which AWS Config replaces with each member account', () => {
    // PREREQUISITES: an organization pack with remediation gives the management
    // account's ID in the automation role; AWS Config replaces it with each member account's ID.
    const organization = JSON.stringify(
      literalsOf(conformancePackTemplate(options(), ORGANIZATION)),
    );
    expect(organization).toContain(`::${MANAGEMENT_ACCOUNT}:role/`);
    // Our assumption, not documented by AWS: the function's ARN is written the same way, in
    // the hope that Config substitutes it too. docs/conformance-pack.md says what happens if
    // it does not, and how to check after the first rollout.
    expect(organization).toContain(`:${MANAGEMENT_ACCOUNT}:function:`);
    expect(organization).not.toContain(ACCOUNT);
  });

  it('has the eight rule parameters, the hardening options and the ARNs of what the stack creates for the trails as pack parameters, and nothing else', () => {
    const parameters = template.Parameters as Record<string, Json>;
    const optional = expect.objectContaining({ Type: 'String', Default: '' });
    const flag = expect.objectContaining({ Default: 'false', AllowedValues: ['true', 'false'] });
    expect(parameters).toEqual({
      S3BucketName: optional,
      SnsTopicArn: optional,
      CloudWatchLogsLogGroupArn: optional,
      IncludeManagementEvents: expect.objectContaining({
        Default: 'true',
        AllowedValues: ['true', 'false'],
      }),
      ReadWriteType: expect.objectContaining({
        Default: 'ALL',
        AllowedValues: ['ALL', 'ReadOnly', 'WriteOnly'],
      }),
      TrustOrganizationTrails: expect.objectContaining({
        Default: 'true',
        AllowedValues: ['true', 'false'],
      }),
      RequireDelivery: flag,
      UndecidedWindowHours: optional,
      AccessLogBucketName: optional,
      LogRetentionDays: optional,
      ObjectLockDays: optional,
      Tags: optional,
      HardenRepairedTrail: flag,
      TrustedLogAccountIds: optional,
      TrailKeyArn: optional,
      TrailLogGroupArn: optional,
      TrailLogsRoleArn: optional,
    });
    expect(Object.keys(template.Conditions as Json)).toEqual([
      'HasS3BucketName',
      'HasSnsTopicArn',
      'HasCloudWatchLogsLogGroupArn',
      'HasUndecidedWindowHours',
      'HasAccessLogBucketName',
      'HasLogRetentionDays',
      'HasObjectLockDays',
      'HasTags',
      'HasTrustedLogAccountIds',
      'HardenRepairedTrailEnabled',
      'HasTrailKeyArn',
      'HasTrailLogGroupArn',
      'HasTrailLogsRoleArn',
    ]);
    for (const parameter of Object.values(parameters)) {
      expect(String(parameter.Description).length).toBeGreaterThan(20);
      if (parameter.AllowedPattern !== undefined) {
        expect(new RegExp(String(parameter.AllowedPattern)).test(String(parameter.Default))).toBe(
          true,
        );
      }
    }
  });

  it('says of each ARN parameter that a pack cannot create what it names, and which stack output to give', () => {
    const parameters = template.Parameters as Record<string, { Description: string }>;
    for (const [name, cannot] of [
      ['TrailKeyArn', 'a pack cannot create a key'],
      ['TrailLogGroupArn', 'a pack cannot create a log group'],
    ] as const) {
      expect(parameters[name]?.Description).toContain(cannot);
      expect(parameters[name]?.Description).toContain(`the stack's ${name} output`);
    }
    expect(parameters.TrailLogsRoleArn?.Description).toContain(
      "the stack's TrailLogsRoleArn output",
    );
  });

  it('passes no hardening option or ARN to the remediation unless given', () => {
    const remediation = resolveResource(template, REMEDIATION_LOGICAL_ID, {});
    expect(Object.keys(remediation.Parameters as Json)).toEqual([
      'AutomationAssumeRole',
      'AccountId',
    ]);
  });

  it('passes each hardening parameter and ARN given to put-conformance-pack to the document, as a static value', () => {
    const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const group = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:cloudtrail-1-CloudTrail-3f9c04ab:*`;
    const role = `arn:aws:iam::${ACCOUNT}:role/${RULE_NAME}-trail-logs-${REGION}`;
    const remediation = resolveResource(template, REMEDIATION_LOGICAL_ID, {
      AccessLogBucketName: 'org-access-logs',
      LogRetentionDays: '2557',
      ObjectLockDays: '365',
      Tags: 'team=security',
      HardenRepairedTrail: 'true',
      TrustedLogAccountIds: '444455556666',
      TrailKeyArn: key,
      TrailLogGroupArn: group,
      TrailLogsRoleArn: role,
    });
    const staticValue = (value: string) => ({ StaticValue: { Values: [value] } });
    expect(remediation.Parameters).toMatchObject({
      AccessLogBucketName: staticValue('org-access-logs'),
      LogRetentionDays: staticValue('2557'),
      ObjectLockDays: staticValue('365'),
      Tags: staticValue('team=security'),
      HardenRepairedTrail: staticValue('true'),
      TrustedLogAccountIds: staticValue('444455556666'),
      KmsKeyId: staticValue(key),
      CloudWatchLogsLogGroupArn: staticValue(group),
      CloudWatchLogsRoleArn: staticValue(role),
    });
  });

  it('refuses an ARN parameter that names no key, log group or role', () => {
    const parameters = template.Parameters as Record<string, { AllowedPattern: string }>;
    const accepts = (name: string, value: string) =>
      new RegExp(parameters[name]?.AllowedPattern ?? '$^').test(value);
    expect(accepts('TrailKeyArn', 'alias/cloudtrail')).toBe(false);
    expect(
      accepts(
        'TrailKeyArn',
        `arn:aws:kms:${REGION}:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`,
      ),
    ).toBe(true);
    expect(accepts('TrailLogGroupArn', 'trail-logs')).toBe(false);
    expect(accepts('TrailLogsRoleArn', `arn:aws:iam::${ACCOUNT}:user/someone`)).toBe(false);
  });

  it('leaves an optional rule parameter out with Fn::If and AWS::NoValue, as AWS’s sample packs do', () => {
    // https://docs.aws.amazon.com/config/latest/developerguide/conformancepack-sample-templates.html
    const rule = resources(template)[RULE_LOGICAL_ID]?.Properties ?? {};
    expect((rule.InputParameters as Json).s3BucketName).toEqual({
      'Fn::If': ['HasS3BucketName', { Ref: 'S3BucketName' }, { Ref: 'AWS::NoValue' }],
    });
  });

  it('takes its parameter defaults from the deployment options', () => {
    const custom = conformancePackTemplate(
      options({
        readWriteType: 'writeonly',
        trustOrganizationTrails: 'FALSE',
        s3BucketName: 'org-logs',
      }),
      ONE_ACCOUNT,
    );
    expect(custom.Parameters).toMatchObject({
      ReadWriteType: { Default: 'WriteOnly' },
      TrustOrganizationTrails: { Default: 'false' },
      S3BucketName: { Default: 'org-logs' },
    });
  });

  it('keeps a parameter default YAML 1.1 would misread as a string', () => {
    const yes = conformancePackYaml(options({ s3BucketName: 'yes' }), ONE_ACCOUNT);
    expect(readAsCloudFormation(yes)).toMatchObject({
      Parameters: { S3BucketName: { Default: 'yes' } },
    });
  });

  it('with its defaults, gives the rule parameters the rule accepts: exactly CloudTrail.1', () => {
    const rule = resolveResource(template, RULE_LOGICAL_ID, {});
    const input = JSON.stringify(rule.InputParameters);
    expect(parseRuleParameters(input)).toEqual({
      ...options().ruleParameters,
      undecidedWindowHours: 48,
    });
    expect(rule.InputParameters).toEqual({
      includeManagementEvents: 'true',
      readWriteType: 'ALL',
      trustOrganizationTrails: 'true',
      requireDelivery: 'false',
      undecidedWindowHours: '48',
    });
  });

  it('uses the rule parameters given to put-conformance-pack instead of the defaults', () => {
    const given = {
      S3BucketName: 'org-logs',
      ReadWriteType: 'WriteOnly',
      RequireDelivery: 'true',
      UndecidedWindowHours: '12',
    };
    const rule = resolveResource(template, RULE_LOGICAL_ID, given);
    expect(rule.InputParameters).toEqual({
      s3BucketName: 'org-logs',
      includeManagementEvents: 'true',
      readWriteType: 'WriteOnly',
      trustOrganizationTrails: 'true',
      requireDelivery: 'true',
      undecidedWindowHours: '12',
    });
  });

  it('declares RequireDelivery (true/false, default false) and UndecidedWindowHours (empty: twice the period)', () => {
    const parameters = template.Parameters as Record<string, Json>;
    expect(parameters.RequireDelivery).toMatchObject({
      Type: 'String',
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
    expect(parameters.UndecidedWindowHours).toMatchObject({ Type: 'String', Default: '' });
    const pattern = new RegExp(
      (parameters.UndecidedWindowHours as { AllowedPattern: string }).AllowedPattern,
    );
    expect(['', '1', '48', '8760'].every((v) => pattern.test(v))).toBe(true);
    expect(['0', '8761', '48h', '-1'].some((v) => pattern.test(v))).toBe(false);
  });

  it('sets the window to twice the pack period when UndecidedWindowHours is empty', () => {
    const sixHourly = conformancePackTemplate(
      options({ maximumExecutionFrequency: 'Six_Hours' }),
      ONE_ACCOUNT,
    );
    const rule = resolveResource(sixHourly, RULE_LOGICAL_ID, {});
    expect((rule.InputParameters as Json).undecidedWindowHours).toBe('12');
  });

  it('creates the remediation configuration after the rule', () => {
    expect((template.Resources as Record<string, Json>)[REMEDIATION_LOGICAL_ID]?.DependsOn).toBe(
      RULE_LOGICAL_ID,
    );
  });

  it.each([
    [
      'an account ID of 11 digits',
      { ...ONE_ACCOUNT, accountId: '11112222333' },
      /"11112222333" is not an AWS account ID/,
    ],
    ['no Region name', { ...ONE_ACCOUNT, region: 'Europe' }, /"Europe" is not an AWS Region name/],
    [
      'another partition than the Region’s',
      { ...ONE_ACCOUNT, region: 'cn-north-1' },
      /cn-north-1 is in partition aws-cn, not aws/,
    ],
  ])('refuses a target with %s', (_, target, message) => {
    expect(() => conformancePackTemplate(options(), target)).toThrow(InvalidPackTargetError);
    expect(() => conformancePackTemplate(options(), target)).toThrow(message);
  });

  it('passes CloudFormation’s own template validation (resource schemas, intrinsic functions)', () => {
    const app = new App({
      outdir: join(workDir, 'validate'),
      context: { '@aws-cdk/core:validateAgainstDefaultRules': true },
    });
    const stack = new Stack(app, 'Pack', { analyticsReporting: false });
    const file = join(workDir, 'pack.yaml');
    writeFileSync(file, yaml);
    new CfnInclude(stack, 'Pack', { templateFile: file });
    expect(() => app.synth()).not.toThrow();
  }, 60_000);
});

describe('the conformance pack and the stack', () => {
  it.each([
    ['the default options', {}],
    ['every option changed', EVERY_OPTION_CHANGED],
  ])('create the same rule and remediation configuration, with %s', (_, context) => {
    const outdir = join(workDir, `stack-${Object.keys(context).length}`);
    const { stack } = buildApp(
      {
        outdir,
        context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context },
        builtinCloudFormationValidation: false,
      },
      { rollout: false },
    );
    const deployed = Template.fromStack(stack).toJSON() as Json;
    const pack = conformancePackTemplate(options(context), ONE_ACCOUNT);

    // The stack's references, as the resources they name would be called in the account.
    const deployedResources = deployed.Resources as Record<
      string,
      { Type: string; Properties: Json }
    >;
    const arns: Record<string, string> = {};
    for (const [id, resource] of Object.entries(deployedResources)) {
      if (resource.Type === 'AWS::Lambda::Function') {
        arns[id] =
          `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${resource.Properties.FunctionName}`;
      }
      if (resource.Type === 'AWS::IAM::Role' && resource.Properties.RoleName !== undefined) {
        arns[id] =
          `arn:aws:iam::${ACCOUNT}:role/${String(resolve(resource.Properties.RoleName, context0()))}`;
      }
    }
    const stackRule = resolve(deployedResources.ConfigRule?.Properties, { ...context0(), arns });
    const stackRemediation = resolve(deployedResources.RemediationConfiguration?.Properties, {
      ...context0(),
      arns,
    });

    expect(resolveResource(pack, RULE_LOGICAL_ID, {})).toEqual(stackRule);
    expect(resolveResource(pack, REMEDIATION_LOGICAL_ID, {})).toEqual(stackRemediation);
  });
});

describe('npm run conformance-pack', () => {
  let log: jest.SpyInstance;
  let error: jest.SpyInstance;
  beforeEach(() => {
    log = jest.spyOn(console, 'log').mockImplementation(() => {});
    error = jest.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => {
    log.mockRestore();
    error.mockRestore();
  });
  const cdkJson = () => stringContext(cdkJsonContext());
  let outs = 0;
  const freshOut = () => join(workDir, `pack-${++outs}.yaml`);

  it('writes the pack for one account and Region, with the options given with -c', () => {
    const out = freshOut();
    const args = ['--account', ACCOUNT, '--region', REGION, '-c', 'readWriteType=WriteOnly'];
    expect(main([...args, '--out', out])).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toBe(
      conformancePackYaml(options({ ...cdkJson(), readWriteType: 'WriteOnly' }), ONE_ACCOUNT),
    );
    expect(readAsCloudFormation(text)).toMatchObject({
      Parameters: { ReadWriteType: { Default: 'WriteOnly' } },
    });
    expect(log).toHaveBeenCalledWith(
      `Wrote ${out} (${Buffer.byteLength(text)} bytes): the pack for account ${ACCOUNT} in ${REGION} (aws).`,
    );
  });

  it('writes the pack for an organization, naming the management account', () => {
    const out = freshOut();
    const args = ['--organization', '--management-account', MANAGEMENT_ACCOUNT, '--region', REGION];
    expect(main([...args, '--out', out])).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toBe(conformancePackYaml(options(cdkJson()), ORGANIZATION));
    expect(readAsCloudFormation(text)).toEqual(
      conformancePackTemplate(options(cdkJson()), ORGANIZATION),
    );
    expect(log).toHaveBeenCalledWith(
      expect.stringContaining(`naming management account ${MANAGEMENT_ACCOUNT}`),
    );
  });

  it.each([
    ['the Region’s partition, by default', ['--region', 'cn-northwest-1'], 'aws-cn'],
    [
      '--partition, when it agrees with the Region',
      ['--region', 'us-gov-east-1', '--partition', 'aws-us-gov'],
      'aws-us-gov',
    ],
    ['--name=value forms', ['--region=us-east-1', '--partition=aws'], 'aws'],
  ])('builds ARNs in %s', (_, args, partition) => {
    const out = freshOut();
    expect(main(['--account', ACCOUNT, ...args, '--out', out])).toBe(0);
    const pack = readAsCloudFormation(readFileSync(out, 'utf8')) as Json;
    expect(JSON.stringify(literalsOf(pack))).toContain(`arn:${partition}:iam::${ACCOUNT}:role/`);
    expect(JSON.stringify(literalsOf(pack))).toContain(`arn:${partition}:lambda:`);
  });

  it.each<[string, string[], RegExp[]]>([
    [
      'no account',
      ['--region', REGION],
      [/^Missing the account: give --account ID, .*or --organization --management-account ID/m],
    ],
    [
      'no arguments at all',
      [],
      [/^Missing the account/m, /^Missing the Region: give --region REGION/m],
    ],
    [
      'no Region',
      ['--account', ACCOUNT],
      [/^Missing the Region: give --region REGION, .*e\.g\. --region eu-west-1/m],
    ],
    [
      'an account ID that is not 12 digits',
      ['--account', '1111-2222-3333', '--region', REGION],
      [/^--account "1111-2222-3333" is not an AWS account ID: give the account's 12 digits/m],
    ],
    [
      'a Region that is no Region name',
      ['--account', ACCOUNT, '--region', 'Ireland'],
      [/^--region "Ireland" is not an AWS Region name: give one like --region eu-west-1\./m],
    ],
    [
      'a partition this project does not deploy to',
      ['--account', ACCOUNT, '--region', REGION, '--partition', 'aws-iso'],
      [
        /^--partition "aws-iso" is not a partition this project deploys to: give aws, aws-cn, aws-us-gov/m,
      ],
    ],
    [
      'a partition that is not the Region’s',
      ['--account', ACCOUNT, '--region', 'cn-north-1', '--partition', 'aws'],
      [
        /^--partition aws does not match --region cn-north-1, which is in aws-cn: give --partition aws-cn, or leave it out\./m,
      ],
    ],
    [
      '--organization without --management-account',
      ['--organization', '--region', REGION],
      [/^--organization needs --management-account ID: .*management account/m],
    ],
    [
      '--organization and --account',
      [
        '--organization',
        '--management-account',
        MANAGEMENT_ACCOUNT,
        '--account',
        ACCOUNT,
        '--region',
        REGION,
      ],
      [/^Give either --account ID .* or --organization --management-account ID .*, not both\./m],
    ],
    [
      '--management-account without --organization',
      ['--management-account', MANAGEMENT_ACCOUNT, '--region', REGION],
      [/^--management-account is for an organization pack: add --organization/m],
    ],
    [
      'a management account ID that is not 12 digits',
      ['--organization', '--management-account', 'root', '--region', REGION],
      [/^--management-account "root" is not an AWS account ID/m],
    ],
    [
      'a flag without its value',
      ['--account', '--region', REGION],
      [/^--account needs a value: --account ID\./m],
    ],
    [
      'a flag given twice',
      ['--account', ACCOUNT, '--account', MANAGEMENT_ACCOUNT, '--region', REGION],
      [/^--account is given twice: give it once\./m],
    ],
    [
      'an unknown argument',
      ['--account', ACCOUNT, '--region', REGION, '--acount', ACCOUNT],
      [/^unknown argument "--acount"/m],
    ],
  ])('fails on %s, says what to give, and writes nothing', (_, args, messages) => {
    const out = freshOut();
    expect(main([...args, '--out', out])).toBe(2);
    const printed = error.mock.calls.map((call) => String(call[0])).join('\n');
    for (const message of messages) expect(printed).toMatch(message);
    expect(printed).toContain('Usage: npm run conformance-pack -- --account ID --region REGION');
    expect(existsSync(out)).toBe(false);
    expect(log).not.toHaveBeenCalled();
  });

  it('leaves an existing file as it was when the input is bad', () => {
    const out = join(workDir, 'existing.yaml');
    writeFileSync(out, 'kept\n');
    expect(main(['--region', REGION, '--out', out])).toBe(2);
    expect(
      main(['--account', ACCOUNT, '--region', REGION, '-c', 'readWriteType=Both', '--out', out]),
    ).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('kept\n');
  });

  it('fails with the option error, as the synth does, and writes nothing', () => {
    const out = freshOut();
    const args = ['--account', ACCOUNT, '--region', REGION, '-c', 'maximumAutomaticAttempts=99'];
    expect(main([...args, '--out', out])).toBe(2);
    expect(error).toHaveBeenCalledWith(
      expect.stringContaining('Context option maximumAutomaticAttempts has the value "99"'),
    );
    expect(existsSync(out)).toBe(false);
  });
});

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? entry.name === 'node_modules'
        ? []
        : filesUnder(join(dir, entry.name))
      : [join(dir, entry.name)],
  );
}

/** cdk.json's context as -c would give it: only the option-like string values matter here. */
function stringContext(context: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(context).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

// A small evaluator of the intrinsic functions the two templates use, for one account and Region.

interface Resolution {
  parameters: Record<string, string>;
  conditions: Record<string, unknown>;
  arns: Record<string, string>;
}

const context0 = (): Resolution => ({ parameters: {}, conditions: {}, arns: {} });
const NO_VALUE = Symbol('AWS::NoValue');

/** A pack resource's properties, with `given` pack parameters (the rest default). */
function resolveResource(pack: Json, logicalId: string, given: Record<string, string>): Json {
  const declared = pack.Parameters as Record<string, { Default: string }>;
  const parameters = Object.fromEntries(
    Object.entries(declared).map(([name, p]) => [name, given[name] ?? p.Default]),
  );
  for (const name of Object.keys(given)) expect(declared).toHaveProperty(name);
  const resource = (pack.Resources as Record<string, { Properties: Json }>)[logicalId];
  return resolve(resource?.Properties, {
    parameters,
    conditions: pack.Conditions as Record<string, unknown>,
    arns: {},
  }) as Json;
}

function resolve(value: unknown, r: Resolution): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, r)).filter((v) => v !== NO_VALUE);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Json);
  const [fn, arg] = entries[0] ?? [];
  if (entries.length === 1 && fn === 'Ref') return ref(String(arg), r);
  if (entries.length === 1 && fn === 'Fn::Sub') {
    return String(arg).replace(/\$\{([^}]+)\}/g, (_, name: string) => String(ref(name, r)));
  }
  if (entries.length === 1 && fn === 'Fn::If') {
    const [condition, whenTrue, whenFalse] = arg as [string, unknown, unknown];
    return resolve(holds(r.conditions[condition], r) ? whenTrue : whenFalse, r);
  }
  if (entries.length === 1 && fn === 'Fn::GetAtt') {
    const [id, attribute] = arg as [string, string];
    const arn = r.arns[id];
    if (attribute !== 'Arn' || arn === undefined)
      throw new Error(`unresolved Fn::GetAtt ${id}.${attribute}`);
    return arn;
  }
  if (fn?.startsWith('Fn::')) throw new Error(`unexpected ${fn}`);
  return Object.fromEntries(
    entries.map(([k, v]) => [k, resolve(v, r)]).filter(([, v]) => v !== NO_VALUE),
  );
}

function ref(name: string, r: Resolution): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  const value = PSEUDO[name] ?? r.parameters[name];
  if (value === undefined) throw new Error(`Ref to undeclared ${name}`);
  return value;
}

function holds(condition: unknown, r: Resolution): boolean {
  if (condition === undefined) throw new Error('Fn::If names an undeclared condition');
  const [fn, arg] = Object.entries(condition as Json)[0] ?? [];
  if (fn === 'Fn::Equals') {
    const [a, b] = arg as [unknown, unknown];
    return resolve(a, r) === resolve(b, r);
  }
  if (fn === 'Fn::Not') return !holds((arg as unknown[])[0], r);
  throw new Error(`unexpected condition ${String(fn)}`);
}
