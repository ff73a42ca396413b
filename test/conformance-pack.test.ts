import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { parse as parseYaml } from 'yaml';
import { parseRuleParameters } from '../rule/parameters';
import { main } from '../scripts/conformance-pack';
import { buildApp, cdkJsonContext } from '../stack/build-app';
import {
  AUTOMATION_ROLE_PARAMETER,
  conformancePackTemplate,
  conformancePackYaml,
  MAX_TEMPLATE_BYTES,
  REMEDIATION_LOGICAL_ID,
  RULE_FUNCTION_PARAMETER,
  RULE_LOGICAL_ID,
} from '../stack/conformance-pack';
import { parseOptions } from '../stack/options';

/*
 * The conformance pack: what it may contain, its parameters, and that it
 * means exactly what the stack deploys. "Means" is checked by resolving both
 * templates' intrinsic functions for one account and Region and comparing
 * the rule and remediation configuration they would create.
 */

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': 'aws',
};

const workDir = mkdtempSync(join(tmpdir(), 'cloudtrail1-pack-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const options = (context: Record<string, string> = {}) =>
  parseOptions((name) => context[name], Object.keys(context));

type Json = Record<string, unknown>;

describe('the conformance pack', () => {
  const template = conformancePackTemplate(options());
  const yaml = conformancePackYaml(options());

  it('holds only a Config rule and its remediation configuration', () => {
    expect(Object.keys(template).sort()).toEqual(['Conditions', 'Parameters', 'Resources']);
    const resources = template.Resources as Record<string, { Type: string }>;
    expect(Object.values(resources).map((r) => r.Type)).toEqual([
      'AWS::Config::ConfigRule',
      'AWS::Config::RemediationConfiguration',
    ]);
  });

  it('is YAML that reads back as the template, well under the 51,200 bytes Config accepts', () => {
    expect(parseYaml(yaml)).toEqual(template);
    expect(Buffer.byteLength(yaml)).toBeLessThan(MAX_TEMPLATE_BYTES / 4);
  });

  it('has the six rule parameters, the rule function ARN and the automation role ARN as parameters', () => {
    const parameters = template.Parameters as Record<string, Json>;
    expect(parameters).toEqual({
      S3BucketName: expect.objectContaining({ Type: 'String', Default: '' }),
      SnsTopicArn: expect.objectContaining({ Type: 'String', Default: '' }),
      CloudWatchLogsLogGroupArn: expect.objectContaining({ Type: 'String', Default: '' }),
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
      [RULE_FUNCTION_PARAMETER]: expect.objectContaining({ Type: 'String', Default: '' }),
      [AUTOMATION_ROLE_PARAMETER]: expect.objectContaining({ Type: 'String', Default: '' }),
    });
    for (const parameter of Object.values(parameters)) {
      expect(String(parameter.Description).length).toBeGreaterThan(20);
      if (parameter.AllowedPattern !== undefined) {
        expect(new RegExp(String(parameter.AllowedPattern)).test(String(parameter.Default))).toBe(
          true,
        );
      }
    }
  });

  it('takes its parameter defaults from the deployment options', () => {
    const custom = conformancePackTemplate(
      options({
        readWriteType: 'writeonly',
        trustOrganizationTrails: 'FALSE',
        s3BucketName: 'org-logs',
      }),
    );
    expect(custom.Parameters).toMatchObject({
      ReadWriteType: { Default: 'WriteOnly' },
      TrustOrganizationTrails: { Default: 'false' },
      S3BucketName: { Default: 'org-logs' },
    });
  });

  it('with its defaults, gives the rule parameters the rule accepts: exactly CloudTrail.1', () => {
    const rule = resolveResource(template, RULE_LOGICAL_ID, {});
    const input = JSON.stringify(rule.InputParameters);
    expect(parseRuleParameters(input)).toEqual(options().ruleParameters);
    expect(rule.InputParameters).toEqual({
      includeManagementEvents: 'true',
      readWriteType: 'ALL',
      trustOrganizationTrails: 'true',
    });
  });

  it('with its defaults, points at the rule function and automation role the stack deploys in the account', () => {
    const rule = resolveResource(template, RULE_LOGICAL_ID, {});
    const remediation = resolveResource(template, REMEDIATION_LOGICAL_ID, {});
    expect(rule.Source).toMatchObject({
      SourceIdentifier: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:cloudtrail-1-multi-region-trail-rule`,
    });
    expect(remediation.Parameters).toMatchObject({
      AutomationAssumeRole: {
        StaticValue: {
          Values: [
            `arn:aws:iam::${ACCOUNT}:role/cloudtrail-1-multi-region-trail-automation-${REGION}`,
          ],
        },
      },
    });
  });

  it('uses the values given to put-conformance-pack instead of the defaults', () => {
    const functionArn = 'arn:aws:lambda:eu-west-1:444455556666:function:shared-rule';
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/remediation`;
    const given = {
      S3BucketName: 'org-logs',
      ReadWriteType: 'WriteOnly',
      [RULE_FUNCTION_PARAMETER]: functionArn,
      [AUTOMATION_ROLE_PARAMETER]: roleArn,
    };
    const rule = resolveResource(template, RULE_LOGICAL_ID, given);
    const remediation = resolveResource(template, REMEDIATION_LOGICAL_ID, given);
    expect(rule.InputParameters).toEqual({
      s3BucketName: 'org-logs',
      includeManagementEvents: 'true',
      readWriteType: 'WriteOnly',
      trustOrganizationTrails: 'true',
    });
    expect(rule.Source).toMatchObject({ SourceIdentifier: functionArn });
    expect(remediation.Parameters).toMatchObject({
      AutomationAssumeRole: { StaticValue: { Values: [roleArn] } },
    });
  });

  it('creates the remediation configuration after the rule', () => {
    const resources = template.Resources as Record<string, Json>;
    expect(resources[REMEDIATION_LOGICAL_ID]?.DependsOn).toBe(RULE_LOGICAL_ID);
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
    [
      'every option changed',
      {
        ruleName: 'ct1-strict',
        maximumExecutionFrequency: 'Six_Hours',
        triggerOnTrailChange: 'false',
        s3BucketName: 'org-logs',
        snsTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:trail-topic`,
        cloudWatchLogsLogGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:trail`,
        includeManagementEvents: 'true',
        readWriteType: 'ReadOnly',
        trustOrganizationTrails: 'false',
        automaticRemediation: 'true',
        maximumAutomaticAttempts: '3',
        retryAttemptSeconds: '1800',
        trailName: 'management-events',
        bucketName: 'org-logs',
        kmsKeyId: 'alias/cloudtrail',
      },
    ],
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
    const pack = conformancePackTemplate(options(context));

    // The stack's references, as the resources they name would be called in the account.
    const resources = deployed.Resources as Record<string, { Type: string; Properties: Json }>;
    const arns: Record<string, string> = {};
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type === 'AWS::Lambda::Function') {
        arns[id] =
          `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${resource.Properties.FunctionName}`;
      }
      if (resource.Type === 'AWS::IAM::Role' && resource.Properties.RoleName !== undefined) {
        arns[id] =
          `arn:aws:iam::${ACCOUNT}:role/${String(resolve(resource.Properties.RoleName, context0()))}`;
      }
    }
    const stackRule = resolve(resources.ConfigRule?.Properties, { ...context0(), arns });
    const stackRemediation = resolve(resources.RemediationConfiguration?.Properties, {
      ...context0(),
      arns,
    });

    expect(resolveResource(pack, RULE_LOGICAL_ID, {})).toEqual(stackRule);
    expect(resolveResource(pack, REMEDIATION_LOGICAL_ID, {})).toEqual(stackRemediation);
  });
});

describe('npm run conformance-pack', () => {
  it('writes the pack for the options given with -c', () => {
    const out = join(workDir, 'out', 'pack.yaml');
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    expect(main(['-c', 'readWriteType=WriteOnly', '--out', out])).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(
      conformancePackYaml(
        options({ ...stringContext(cdkJsonContext()), readWriteType: 'WriteOnly' }),
      ),
    );
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^Wrote .*pack\.yaml \(\d+ bytes\)\.$/));
    log.mockRestore();
  });

  it('fails with the option error, as the synth does, and writes nothing', () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => {});
    const out = join(workDir, 'bad', 'pack.yaml');
    expect(main(['-c', 'maximumAutomaticAttempts=99', '--out', out])).toBe(2);
    expect(error).toHaveBeenCalledWith(
      expect.stringContaining('Context option maximumAutomaticAttempts has the value "99"'),
    );
    expect(() => readFileSync(out)).toThrow();
    error.mockRestore();
  });
});

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
