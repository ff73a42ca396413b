import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp, cdkJsonContext } from '../../../stack/build-app';
import { memberTemplate } from '../../../stack/member-template';
import {
  InvalidOptionError,
  OPTION_NAMES,
  type OptionName,
  parseOptions,
} from '../../../stack/options';
import {
  parseRolloutOptions,
  ROLLOUT_OPTION_NAMES,
  type RolloutOptionName,
} from '../../../stack/rollout-options';
import { type CloudTrailRuleRolloutStack, stackSetParameters } from '../../../stack/rollout-stack';
import { AGGREGATOR_ACTIONS } from '../../../stack/statements';
import { parameterName } from '../../../stack/template-parameters';
import { describeNagClean } from '../../support/nag-clean';
import { synthApp } from '../../support/synth-app';

/*
 * The organization rollout stack: a service-managed StackSet of the member
 * template, its targets and pace from context, and the optional
 * organization aggregator. Synthesized as `cdk synth -c …` builds it.
 */

function synth(context: Record<string, string> = {}) {
  const { rollout, outdir } = synthApp(context);
  if (rollout === undefined) throw new Error('buildApp built no rollout stack');
  return { stack: rollout, template: Template.fromStack(rollout), outdir };
}

let defaults: ReturnType<typeof synth>;
let withAggregator: CloudTrailRuleRolloutStack;

beforeAll(() => {
  defaults = synth();
  withAggregator = synth({ organizationAggregator: 'true' }).stack;
}, 120_000);

function stackSet(template: Template): Record<string, unknown> {
  const found = Object.values(template.findResources('AWS::CloudFormation::StackSet'));
  expect(found).toHaveLength(1);
  return (found[0] as { Properties: Record<string, unknown> }).Properties;
}

describe('the rollout stack, by default', () => {
  it('creates one service-managed StackSet, run as the delegated administrator, that deploys to each account as it joins', () => {
    expect(stackSet(defaults.template)).toMatchObject({
      StackSetName: 'cloudtrail-1-multi-region-trail',
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ManagedExecution: { Active: true },
    });
  });

  it('targets the OUs given at deploy time, in the one Region it is deployed in', () => {
    defaults.template.hasParameter('OrganizationalUnitIds', { Type: 'CommaDelimitedList' });
    expect(stackSet(defaults.template).StackInstancesGroup).toEqual([
      {
        DeploymentTargets: { OrganizationalUnitIds: { Ref: 'OrganizationalUnitIds' } },
        Regions: [{ Ref: 'AWS::Region' }],
      },
    ]);
  });

  it('tolerates 10 % of accounts failing, works on a quarter of them at once, and Regions in parallel', () => {
    expect(stackSet(defaults.template).OperationPreferences).toEqual({
      FailureTolerancePercentage: 10,
      MaxConcurrentPercentage: 25,
      RegionConcurrencyType: 'PARALLEL',
      ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
    });
  });

  it('gives every stack instance each option that is set, as a member template parameter', () => {
    const parameters = stackSet(defaults.template).Parameters as {
      ParameterKey: string;
      ParameterValue: string;
    }[];
    expect(Object.fromEntries(parameters.map((p) => [p.ParameterKey, p.ParameterValue]))).toEqual({
      RuleName: 'cloudtrail-1-multi-region-trail',
      MaximumExecutionFrequency: 'TwentyFour_Hours',
      IncludeManagementEvents: 'true',
      ReadWriteType: 'ALL',
      RequireDelivery: 'false',
      TrustOrganizationTrails: 'true',
      TriggerOnTrailChange: 'true',
      AutomaticRemediation: 'false',
      MaximumAutomaticAttempts: '5',
      TrailKey: 'none',
      CloudWatchLogs: 'false',
      CloudWatchLogsRetentionDays: '365',
      HardenRepairedTrail: 'false',
      ReservedConcurrency: '3',
      AlarmTopicArn: { Ref: 'AlarmTopicArn' },
    });
    const memberParameters = OPTION_NAMES.map(parameterName);
    for (const { ParameterKey } of parameters) expect(memberParameters).toContain(ParameterKey);
  });

  it('cannot be deployed without an alarm topic, which every account’s alarms then notify', () => {
    const parameter = defaults.template.toJSON().Parameters.AlarmTopicArn;
    expect(parameter).toMatchObject({ Type: 'String' });
    // No default: CloudFormation refuses to create the stack until a value is given.
    expect(parameter.Default).toBeUndefined();
    expect(
      new RegExp(parameter.AllowedPattern).test(
        'arn:aws:sns:eu-west-1:111122223333:security-alerts',
      ),
    ).toBe(true);
    expect(new RegExp(parameter.AllowedPattern).test('security-alerts')).toBe(false);
  });

  it('reads the member template from an asset of its own account: the template npm run synth:member writes', () => {
    const url = stackSet(defaults.template).TemplateURL as { 'Fn::Sub': string };
    const hash = /\/([0-9a-f]{64})\.json$/.exec(url['Fn::Sub'])?.[1];
    expect(hash).toBeDefined();
    const staged = JSON.parse(
      readFileSync(join(defaults.outdir, `asset.${hash}.json`), 'utf8'),
    ) as unknown;
    expect(staged).toEqual(memberTemplate(cdkJsonContext(), { validate: false }));
  }, 60_000);

  it('passes cdk-nag’s AwsSolutions checks with nothing acknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(defaults.stack);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('creates no aggregator and no role', () => {
    defaults.template.resourceCountIs('AWS::Config::ConfigurationAggregator', 0);
    defaults.template.resourceCountIs('AWS::IAM::Role', 0);
  });
});

describe('the rollout stack, with context options', () => {
  it('deploys to the OUs and Regions given, with no parameter to fill in, each Region’s alarms notifying the topic of that name in that Region', () => {
    const { template } = synth({
      organizationalUnitIds: 'ou-ab12-cdef3456,r-ab12',
      regions: 'us-east-1,eu-west-1',
      alarmTopicArn: 'arn:aws:sns:us-east-1:111122223333:security-alerts',
    });
    expect(Object.keys(template.toJSON().Parameters ?? {})).not.toContain('OrganizationalUnitIds');
    expect(Object.keys(template.toJSON().Parameters ?? {})).not.toContain('AlarmTopicArn');
    const targets = { OrganizationalUnitIds: ['ou-ab12-cdef3456', 'r-ab12'] };
    expect(stackSet(template).StackInstancesGroup).toEqual(
      ['us-east-1', 'eu-west-1'].map((region) => ({
        DeploymentTargets: targets,
        Regions: [region],
        ParameterOverrides: [
          {
            ParameterKey: 'AlarmTopicArn',
            ParameterValue: `arn:aws:sns:${region}:111122223333:security-alerts`,
          },
        ],
      })),
    );
  }, 60_000);

  it('runs as the management account, keeps stacks of accounts that leave, and sets its own pace and name', () => {
    const { template } = synth({
      callAs: 'SELF',
      retainStacksOnAccountRemoval: 'true',
      failureTolerancePercentage: '0',
      maxConcurrentPercentage: '100',
      regionConcurrencyType: 'SEQUENTIAL',
      concurrencyMode: 'STRICT_FAILURE_TOLERANCE',
      stackSetName: 'security-cloudtrail-1',
    });
    expect(stackSet(template)).toMatchObject({
      StackSetName: 'security-cloudtrail-1',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
      OperationPreferences: {
        FailureTolerancePercentage: 0,
        MaxConcurrentPercentage: 100,
        RegionConcurrencyType: 'SEQUENTIAL',
        ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE',
      },
    });
  }, 60_000);

  it('passes the rule options given to every account', () => {
    const { template } = synth({
      automaticRemediation: 'true',
      s3BucketName: 'org-trail-logs',
      ruleName: 'org-ct1',
    });
    expect(stackSet(template)).toMatchObject({
      StackSetName: 'org-ct1',
      Parameters: expect.arrayContaining([
        { ParameterKey: 'RuleName', ParameterValue: 'org-ct1' },
        { ParameterKey: 'S3BucketName', ParameterValue: 'org-trail-logs' },
        { ParameterKey: 'AutomaticRemediation', ParameterValue: 'true' },
      ]),
    });
  }, 60_000);

  it('adds an organization-wide Config aggregator whose role may only list the organization', () => {
    const template = Template.fromStack(withAggregator);
    const roles = template.findResources('AWS::IAM::Role');
    const [roleId] = Object.keys(roles);
    template.hasResourceProperties('AWS::Config::ConfigurationAggregator', {
      ConfigurationAggregatorName: 'cloudtrail-1-multi-region-trail-organization',
      OrganizationAggregationSource: {
        RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
        AllAwsRegions: true,
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'config.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'ReadOrganization',
          PolicyDocument: {
            Statement: [
              {
                Sid: 'ReadOrganization',
                Effect: 'Allow',
                Action: AGGREGATOR_ACTIONS,
                Resource: '*',
              },
            ],
          },
        },
      ],
    });
    expect(template.toJSON().Resources[roleId ?? ''].Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describeNagClean(() => withAggregator);

describe('the stack instances’ parameter values', () => {
  const given = (context: Record<string, string>) =>
    Object.fromEntries(
      stackSetParameters(parseOptions((name) => context[name], Object.keys(context))).map((p) => [
        p.parameterKey,
        p.parameterValue,
      ]),
    );
  const defaults = given({});

  it.each<[OptionName, string, string]>([
    ['ruleName', 'org-ct1', 'org-ct1'],
    ['maximumExecutionFrequency', 'One_Hour', 'One_Hour'],
    ['s3BucketName', 'org-trail-logs', 'org-trail-logs'],
    ['snsTopicArn', 'arn:aws:sns:us-east-1:222222222222:t', 'arn:aws:sns:us-east-1:222222222222:t'],
    [
      'cloudWatchLogsLogGroupArn',
      'arn:aws:logs:us-east-1:222222222222:log-group:trail:*',
      'arn:aws:logs:us-east-1:222222222222:log-group:trail:*',
    ],
    ['includeManagementEvents', 'FALSE', 'false'],
    ['readWriteType', 'writeonly', 'WriteOnly'],
    ['trustOrganizationTrails', 'false', 'false'],
    ['triggerOnTrailChange', 'false', 'false'],
    ['automaticRemediation', 'true', 'true'],
    ['maximumAutomaticAttempts', '3', '3'],
    ['trailName', 'org-management-events', 'org-management-events'],
    ['bucketName', 'central-trail-logs', 'central-trail-logs'],
    ['kmsKeyId', 'alias/cloudtrail', 'alias/cloudtrail'],
  ])('carry -c %s=%s to every account as %j, changing nothing else', (option, value, expected) => {
    const overridden = given({ [option]: value });
    expect(overridden[parameterName(option)]).toBe(expected);
    const { [parameterName(option)]: _, ...others } = overridden;
    const { [parameterName(option)]: __, ...otherDefaults } = defaults;
    expect(others).toEqual(otherDefaults);
  });

  it('never carry the retry window: the member template derives it from the attempts', () => {
    const overridden = given({ maximumAutomaticAttempts: '3', retryAttemptSeconds: '1800' });
    expect(Object.keys(overridden)).not.toContain('RetryAttemptSeconds');
    expect(overridden.MaximumAutomaticAttempts).toBe('3');
  });

  it('leave out the options that are not set, so the template’s empty default applies', () => {
    expect(Object.keys(defaults)).not.toContain('S3BucketName');
    expect(Object.keys(defaults)).not.toContain('KmsKeyId');
  });
});

describe('a bad rollout option', () => {
  const parse = (context: Record<string, unknown>) =>
    parseRolloutOptions(
      (name) => context[name],
      'cloudtrail-1-multi-region-trail',
      Object.keys(context),
    );

  it.each<[RolloutOptionName, string]>([
    ['organizationalUnitIds', 'ou-ab12'],
    ['organizationalUnitIds', 'ou-ab12-cdef3456,ou-ab12-cdef3456'],
    ['organizationalUnitIds', '111122223333'],
    ['regions', 'us-east-1,Europe'],
    ['regions', 'eu-west-1,eu-west-1'],
    ['stackSetName', '1-starts-with-a-digit'],
    ['callAs', 'ADMIN'],
    ['failureTolerancePercentage', '101'],
    ['failureTolerancePercentage', '-1'],
    ['maxConcurrentPercentage', '0'],
    ['maxConcurrentPercentage', '2.5'],
    ['regionConcurrencyType', 'parallel'],
    ['concurrencyMode', 'SOFT'],
    ['retainStacksOnAccountRemoval', 'yes'],
    ['organizationAggregator', '1'],
  ])('%s = %j stops the synth, naming the option and what it accepts', (name, value) => {
    expect(() => parse({ [name]: value })).toThrow(
      new RegExp(
        `^Context option ${name} has the value "${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}", which is not accepted: set it to .+ \\(for example -c ${name}=`,
      ),
    );
  });

  it('is only ever a given value: with none, every option takes its documented default', () => {
    expect(parse({})).toEqual({
      stackSetName: 'cloudtrail-1-multi-region-trail',
      callAs: 'DELEGATED_ADMIN',
      failureTolerancePercentage: 10,
      maxConcurrentPercentage: 25,
      regionConcurrencyType: 'PARALLEL',
      concurrencyMode: 'SOFT_FAILURE_TOLERANCE',
      retainStacksOnAccountRemoval: false,
      organizationAggregator: false,
    });
    expect(ROLLOUT_OPTION_NAMES).toHaveLength(10);
  });

  it('refuses more than the 50 OUs StackSets take at once', () => {
    const ous = Array.from({ length: 51 }, (_, i) => `ou-ab12-${String(i).padStart(8, '0')}`);
    expect(() => parse({ organizationalUnitIds: ous.join(',') })).toThrow(InvalidOptionError);
    expect(
      parse({ organizationalUnitIds: ous.slice(0, 50).join(',') }).organizationalUnitIds,
    ).toHaveLength(50);
  });

  it('refuses an option name in the wrong case instead of ignoring it', () => {
    expect(() => parse({ Regions: 'eu-west-1' })).toThrow(
      'Context option "Regions" is not an option (names are case-sensitive): did you mean regions?',
    );
  });

  it('fails the whole synth before anything is built', () => {
    expect(() =>
      buildApp({ context: { callAs: 'ROOT' }, builtinCloudFormationValidation: false }),
    ).toThrow(InvalidOptionError);
  });
});
