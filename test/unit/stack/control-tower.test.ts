import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { cdkJsonContext } from '../../../stack/build-app';
import { memberTemplate } from '../../../stack/member-template';
import {
  GUARD_DISABLED_RULES,
  GUARD_OPTION_CONTROLS,
  guardFindingId,
} from '../../../stack/validation';
import {
  addValidators,
  ControlTowerValidator,
  guardRuleFiles,
  rulesFor,
  templateResourceTypes,
} from '../../../stack/validators';
import { deploy } from '../../support/cfn-evaluator';
import { synthApp, temporaryDirectory } from '../../support/synth-app';

/*
 * AWS Control Tower's proactive controls, as Control Tower enforces them
 * through CloudFormation hooks, run on every synth through
 * @cdklabs/cdk-validator-cfnguard. These tests run the same rules with
 * nothing disabled and nothing acknowledged, and check that what they find
 * is exactly what stack/validation.ts excuses, so the exceptions cannot
 * outlive their reason or hide a new finding. Like every synth, they give
 * cfn-guard only the rule files that name a resource type the templates
 * declare; one test runs every rule file on every kind of template the
 * project writes and finds the same.
 * https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html
 */

const KEY = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:security-alerts';
const EVERY_OPTION = {
  logGroupKmsKeyArn: KEY,
  subnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
  securityGroupIds: 'sg-0123456789abcdef0',
  alarmTopicArn: TOPIC,
  trailKey: 'create',
  cloudWatchLogs: 'true',
  hardenRepairedTrail: 'true',
};

const RULES_DIR = join(
  __dirname,
  '../../..',
  'node_modules',
  '@cdklabs',
  'cdk-validator-cfnguard',
  'rules',
  'control-tower',
  'cfn-guard',
);

/** Every Control Tower rule file, none disabled. */
const RULE_FILES = guardRuleFiles(RULES_DIR);

/**
 * What every Control Tower rule finds in each template: rule name → the logical IDs it fails.
 * All the templates go to one run of cfn-guard (one `--data` file each), and each finding is
 * given to the template whose file it names. `rules`: every rule file, or (as every synth
 * runs them) those that name a resource type the templates declare.
 */
function findingsEach(
  templates: object[],
  rules: 'every' | 'applicable' = 'applicable',
): Record<string, string[]>[] {
  const dir = temporaryDirectory('cloudtrail1-guard-');
  const files = templates.map((template, index) => {
    const file = join(dir, `template-${index}.json`);
    writeFileSync(file, JSON.stringify(template));
    return file;
  });
  const validator =
    rules === 'every'
      ? new CfnGuardValidator({ controlTowerRulesEnabled: true })
      : new CfnGuardValidator({
          controlTowerRulesEnabled: false,
          rules: rulesFor(RULE_FILES, templateResourceTypes(files)).map((rule) => rule.file),
        });
  const report = validator.validate({
    templatePaths: files,
    appConstruct: new App(),
  });
  return files.map((file) => {
    const found: Record<string, string[]> = {};
    for (const violation of report.violations) {
      const resources = violation.violatingResources
        .filter((resource) => resource.templatePath === file)
        .map((resource) => resource.resourceLogicalId)
        .sort();
      if (resources.length > 0) found[violation.ruleName] = resources;
    }
    return found;
  });
}

/** What every Control Tower rule finds in one template. */
function findings(template: object): Record<string, string[]> {
  const [found] = findingsEach([template]);
  if (found === undefined) throw new Error('cfn-guard reported on no template');
  return found;
}

/** The rule names of the disabled rule files, read from the files themselves. */
const disabledRuleNames = Object.keys(GUARD_DISABLED_RULES).map((file) => {
  const [, service] = file.split('-');
  const text = readFileSync(join(RULES_DIR, service ?? '', `${file}.guard`), 'utf8');
  const name = /^rule (\w+) when is_cfn_template/m.exec(text)?.[1];
  if (name === undefined) throw new Error(`${file}.guard defines no template rule`);
  return name;
});

/** Logical IDs of the resources on which a finding is acknowledged. */
function acknowledgedOn(stack: Stack, id: string): string[] {
  const acknowledges = (construct: IConstruct) =>
    construct.node.metadata.some(
      (entry) =>
        entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY &&
        Object.keys(entry.data as object).includes(id),
    );
  return stack.node
    .findAll()
    .filter(acknowledges)
    .map((construct) => construct.node.defaultChild ?? construct)
    .filter((element): element is CfnElement => element instanceof CfnElement)
    .map((element) => stack.getLogicalId(element))
    .sort();
}

const resolve = (value: unknown) => JSON.parse(JSON.stringify(value)) as object;

describe('AWS Control Tower’s proactive controls', () => {
  it('disable only rules that exist, each with its reason', () => {
    expect(disabledRuleNames).toEqual(['lambda_function_public_access_prohibited_check']);
    for (const { control, reason } of Object.values(GUARD_DISABLED_RULES)) {
      expect(control).toMatch(/^CT\.[A-Z]+\.PR\.\d+$/);
      expect(reason.length).toBeGreaterThan(100);
    }
  });

  it('find in the stack with every option set nothing but the disabled rules', () => {
    const { stack } = synthApp(EVERY_OPTION, { rollout: false });

    const found = findings(Template.fromStack(stack).toJSON());

    expect(Object.keys(found)).toEqual(disabledRuleNames);
  }, 60_000);

  it('find in the stack by default the disabled rules, and each option’s rule exactly where its finding is acknowledged', () => {
    const { stack } = synthApp({}, { rollout: false });

    const found = findings(Template.fromStack(stack).toJSON());

    const optionRules = Object.values(GUARD_OPTION_CONTROLS).map((c) => c.rule);
    expect(Object.keys(found).sort()).toEqual([...disabledRuleNames, ...optionRules].sort());
    for (const rule of optionRules) {
      expect({ rule, resources: found[rule] }).toEqual({
        rule,
        resources: acknowledgedOn(stack, guardFindingId(rule)),
      });
      // Two log groups, two functions, and six alarms: both functions' errors and throttles,
      // the rule's missed runs and the change watch's.
      const expected = rule === GUARD_OPTION_CONTROLS.alarmTopicArn.rule ? 6 : 2;
      expect(found[rule]).toHaveLength(expected);
    }
  }, 60_000);

  // Deployed, `Ref: AWS::AccountId` is the account's ID, as a hook sees it: the disabled
  // rule passes too, which is why it is disabled rather than failed on the template.
  it('find nothing in the member template deployed with every option’s parameter set', () => {
    const template = memberTemplate(cdkJsonContext(), { validate: false });
    const deployed = deploy(template, {
      LogGroupKmsKeyArn: KEY,
      SubnetIds: EVERY_OPTION.subnetIds,
      SecurityGroupIds: EVERY_OPTION.securityGroupIds,
      AlarmTopicArn: TOPIC,
      TrailKey: 'create',
      CloudWatchLogs: 'true',
      HardenRepairedTrail: 'true',
    });

    const found = findings({ Resources: resolve(deployed.resources) });

    expect(found).toEqual({});
  }, 60_000);

  // The member template acknowledges CT.CLOUDWATCH.PR.2 on the trails' log group, whose
  // retention is a parameter the rule cannot read: deployed, every value it allows passes.
  // Only that log group differs from one value to the next, as the test checks first: the
  // first value's template goes to the rules whole, each other value's log group with the
  // key it names (a rule follows the reference).
  it('find nothing in the member template deployed with the trails’ key and log group, whatever retention the log group is given', () => {
    const template = memberTemplate(cdkJsonContext(), { validate: false });
    const parameters = template.Parameters as Record<string, { AllowedValues?: string[] }>;
    const retentions = parameters.CloudWatchLogsRetentionDays?.AllowedValues ?? [];
    expect(retentions.length).toBeGreaterThan(5);
    const LOG_GROUP = 'TrailLogGroup7A1F916A';
    const TRAIL_KEY = 'TrailEncryptionKey';

    const deployed = retentions.map(
      (days) =>
        resolve(
          deploy(template, {
            TrailKey: 'create',
            CloudWatchLogs: 'true',
            CloudWatchLogsRetentionDays: days,
          }).resources,
        ) as Record<string, { Properties?: { RetentionInDays?: number } }>,
    );
    const [first, ...others] = deployed;
    if (first === undefined) throw new Error('no retention value');
    const { [LOG_GROUP]: _firstLogGroup, ...firstRest } = first;
    for (const [index, resources] of deployed.entries()) {
      expect(resources[LOG_GROUP]?.Properties?.RetentionInDays).toBe(Number(retentions[index]));
      const { [LOG_GROUP]: _logGroup, ...rest } = resources;
      expect(rest).toEqual(firstRest);
    }

    const [whole, ...logGroups] = findingsEach([
      { Resources: first },
      ...others.map((resources) => ({
        Resources: { [LOG_GROUP]: resources[LOG_GROUP], [TRAIL_KEY]: resources[TRAIL_KEY] },
      })),
    ]);
    // The functions' log groups still want LogGroupKmsKeyArn; the trails' is encrypted with the trails' key.
    expect(whole).toEqual({
      cloudwatch_log_group_encrypted_check: [
        'RemediationFunctionLogsB27AE0D4',
        'RuleFunctionLogs7B6AB4B3',
      ],
      cloudwatch_alarm_action_check: [
        'ConfigChangeAlarm',
        'RemediationFunctionErrorsAlarm',
        'RemediationFunctionThrottlesAlarm',
        'RuleFunctionErrorsAlarm',
        'RuleFunctionInvocationsAlarm',
        'RuleFunctionThrottlesAlarm',
      ],
      lambda_inside_vpc_check: ['RemediationFunction81258F31', 'RuleFunctionE18FBDCA'],
    });
    expect(logGroups).toEqual(others.map(() => ({})));
  }, 120_000);

  it('find in the stack with the trails’ log group but no key for it that log group unencrypted too, where the finding is acknowledged', () => {
    const { stack } = synthApp({ cloudWatchLogs: 'true' }, { rollout: false });

    const found = findings(Template.fromStack(stack).toJSON());

    const rule = GUARD_OPTION_CONTROLS.logGroupKmsKeyArn.rule;
    expect(found[rule]).toHaveLength(3);
    expect(found[rule]).toContain('TrailLogGroup7A1F916A');
    expect(found[rule]).toEqual(acknowledgedOn(stack, guardFindingId(rule)));
  }, 60_000);

  it('find in the member template deployed with its defaults only the rules of the options left unset', () => {
    const template = memberTemplate(cdkJsonContext(), { validate: false });

    const found = findings({ Resources: resolve(deploy(template).resources) });

    const optionRules = Object.values(GUARD_OPTION_CONTROLS).map((c) => c.rule);
    expect(Object.keys(found).sort()).toEqual([...optionRules].sort());
  }, 60_000);

  it('find nothing in the organization rollout stack', () => {
    const { rollout } = synthApp({ organizationAggregator: 'true' });
    if (rollout === undefined) throw new Error('no rollout stack');

    expect(findings(Template.fromStack(rollout).toJSON())).toEqual({});
  }, 60_000);

  it('stop a synth on a finding nobody acknowledged', () => {
    // CloudFormation's own template checks are not what this test is about.
    const app = new App({
      outdir: temporaryDirectory('cloudtrail1-guard-app-'),
      builtinCloudFormationValidation: false,
    });
    const stack = new Stack(app, 'Unacknowledged');
    new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    addValidators(app);

    expect(() => app.synth()).toThrow(/ERROR \[CT\.CLOUDWATCH\.PR\.3\]/);
  }, 60_000);

  it('find the same with every rule file as with those that name a resource type the template declares, in every kind of template the project writes', () => {
    const { stack, rollout } = synthApp({ organizationAggregator: 'true' });
    if (rollout === undefined) throw new Error('no rollout stack');
    const member = memberTemplate(cdkJsonContext(), { validate: false });
    // The member template deployed with the trails' key and log group (the most resource
    // types), and the options Control Tower's rules want left unset (findings to compare).
    const templates = [
      Template.fromStack(stack).toJSON(),
      Template.fromStack(synthApp(EVERY_OPTION, { rollout: false }).stack).toJSON(),
      Template.fromStack(rollout).toJSON(),
      {
        Resources: resolve(
          deploy(member, { TrailKey: 'create', CloudWatchLogs: 'true' }).resources,
        ),
      },
    ];

    const everyRule = findingsEach(templates, 'every');
    const applicable = templates.map((template) => findings(template));

    expect(applicable).toEqual(everyRule);
    // The comparison sees findings: the default stack's and the member template's unset options.
    expect(everyRule.filter((found) => Object.keys(found).length > 0)).toHaveLength(3);
  }, 120_000);

  it('select the rule files that name a declared type, and those that name none; every bundled file names one', () => {
    const logs = { file: 'logs.guard', types: new Set(['AWS::Logs::LogGroup']) };
    const twoTypes = {
      file: 'two.guard',
      types: new Set(['AWS::Redshift::Cluster', 'AWS::S3::Bucket']),
    };
    const none = { file: 'none.guard', types: new Set<string>() };

    expect(
      rulesFor([logs, twoTypes, none], new Set(['AWS::S3::Bucket'])).map((r) => r.file),
    ).toEqual(['two.guard', 'none.guard']);
    expect(rulesFor([logs, twoTypes], new Set(['AWS::Lambda::Function']))).toEqual([]);
    expect(RULE_FILES.length).toBeGreaterThan(200);
    expect(RULE_FILES.filter((rule) => rule.types.size === 0)).toEqual([]);
  });

  it('run on every synth under the plugin’s own name and rule IDs, without the disabled rules', () => {
    const whole = new CfnGuardValidator({
      controlTowerRulesEnabled: true,
      disabledRules: Object.keys(GUARD_DISABLED_RULES),
    });
    const scoped = new ControlTowerValidator();

    expect({ name: scoped.name, version: scoped.version, ruleIds: scoped.ruleIds }).toEqual({
      name: whole.name,
      version: whole.version,
      ruleIds: whole.ruleIds,
    });
    expect(scoped.ruleIds).not.toContain('lambdapr2');
  });

  it('can fail: a rule that is not disabled finds an unencrypted log group', () => {
    const found = findings({
      Resources: { Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 365 } } },
    });

    expect(found).toEqual({ cloudwatch_log_group_encrypted_check: ['Logs'] });
  });
});
