// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::…} here are CloudFormation Fn::Sub variables.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseRuleParameters } from '../../../rule/parameters';
import { buildApp } from '../../../stack/build-app';
import { defaultText, type OptionEntry } from '../../../stack/option-entry';
import { DEPLOYMENT_OPTION_SCHEMA, ROLLOUT_OPTION_SCHEMA } from '../../../stack/option-schema';
import {
  DEFAULT_RULE_NAME,
  type DeploymentOptions,
  DOCUMENT_RUN_SECONDS,
  InvalidOptionError,
  OPTION_NAMES,
  OPTIONS,
  type OptionName,
  parseOptions,
  retryWindow,
  ruleInputParameters,
} from '../../../stack/options';
import { parseRolloutOptions, ROLLOUT_OPTION_NAMES } from '../../../stack/rollout-options';
import {
  parameterDeclaration,
  TEMPLATE_PARAMETER_OPTIONS,
} from '../../../stack/template-parameters';
import { synthApp } from '../../support/synth-app';

/*
 * Every context option: its default, what it accepts, what it changes in the
 * template, and the message a bad value stops the synth with. Templates are
 * built as support/synth-app.ts says (bundling skipped).
 */

/** The template `cdk synth -c name=value ...` produces (bundling skipped). */
function synth(context: Record<string, string> = {}) {
  const { stack } = synthApp(context, { rollout: false });
  return { stack, template: Template.fromStack(stack) };
}

const parse = (context: Record<string, unknown>) =>
  parseOptions((name) => context[name], Object.keys(context));

/** The one resource of a type, as the template has it. */
function only(template: Template, type: string): { Properties: Record<string, unknown> } {
  const found = Object.values(template.findResources(type));
  expect(found).toHaveLength(1);
  return found[0] as { Properties: Record<string, unknown> };
}

/** The one statement of the remediation role's key policy grant, a policy of its own. */
function keyPolicyGrant(template: Template): Record<string, unknown> {
  const grants = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
    id.startsWith('RemediationFunctionKeyPolicyGrant'),
  );
  expect(grants).toHaveLength(1);
  const [, grant] = grants[0] ?? [];
  expect(grant?.Properties.Roles).toEqual([
    { Ref: expect.stringMatching(/^RemediationFunctionRole/) },
  ]);
  const statements = grant?.Properties.PolicyDocument.Statement as Record<string, unknown>[];
  expect(statements).toHaveLength(1);
  return statements[0] ?? {};
}

function statement(template: Template, rolePrefix: string, sid: string): Record<string, unknown> {
  const [role] = Object.entries(template.findResources('AWS::IAM::Role'))
    .filter(([id]) => id.startsWith(rolePrefix))
    .map(
      ([, r]) =>
        r as { Properties: { Policies: { PolicyDocument: { Statement: { Sid: string }[] } }[] } },
    );
  const found = role?.Properties.Policies[0]?.PolicyDocument.Statement.find((s) => s.Sid === sid);
  expect(found).toBeDefined();
  return found as Record<string, unknown>;
}

describe('options without context', () => {
  it('are the defaults: CloudTrail.1 exactly, every 24 hours and on trail changes, manual remediation', () => {
    expect(parse({})).toEqual<DeploymentOptions>({
      ruleName: 'cloudtrail-1-multi-region-trail',
      maximumExecutionFrequency: 'TwentyFour_Hours',
      ruleParameters: {
        includeManagementEvents: true,
        readWriteType: 'ALL',
        trustOrganizationTrails: true,
        requireDelivery: false,
      },
      triggerOnTrailChange: true,
      automaticRemediation: false,
      maximumAutomaticAttempts: 5,
      trailKey: 'none',
      cloudWatchLogs: false,
      cloudWatchLogsRetentionDays: '365',
      hardenRepairedTrail: false,
      reservedConcurrency: 3,
    });
  });

  it('are the defaults the option table documents', () => {
    const defaults = parse({});
    const actual = (name: string): string => {
      const value =
        name in defaults
          ? defaults[name as keyof DeploymentOptions]
          : defaults.ruleParameters[name as keyof DeploymentOptions['ruleParameters']];
      return value === undefined ? '(not set)' : String(value);
    };
    // Their defaults are phrases: a window of the attempts' runs, twice the period.
    const derived = ['retryAttemptSeconds', 'undecidedWindowHours'];
    for (const name of OPTION_NAMES.filter((n) => !derived.includes(n))) {
      expect({ name, default: actual(name) }).toEqual({ name, default: OPTIONS[name].default });
    }
  });

  // Config records a remediation exception only when MaximumAutomaticAttempts runs fall
  // inside RetryAttemptSeconds; a shorter window retries a failing account forever.
  // https://docs.aws.amazon.com/config/latest/APIReference/API_RemediationConfiguration.html
  it('default the retry window to the attempts’ runs of the document at their longest, as the option table says', () => {
    expect(OPTIONS.retryAttemptSeconds.default).toBe(
      `maximumAutomaticAttempts × ${DOCUMENT_RUN_SECONDS}`,
    );
    expect(parse({}).retryAttemptSeconds).toBeUndefined();
    expect(retryWindow(parse({}))).toBe(5 * DOCUMENT_RUN_SECONDS);
    expect(retryWindow(parse({ maximumAutomaticAttempts: '3' }))).toBe(3 * DOCUMENT_RUN_SECONDS);
    expect(retryWindow(parse({ retryAttemptSeconds: '3600' }))).toBe(3600);
  });

  it('refuse a retry window shorter than the attempts’ runs, naming both options and the shortest window', () => {
    expect(() => parse({ maximumAutomaticAttempts: '3', retryAttemptSeconds: '1259' })).toThrow(
      'Context option retryAttemptSeconds (1259) is shorter than maximumAutomaticAttempts (3) runs of the remediation document at their longest (3 × 420 s = 1260 s)',
    );
    expect(() => parse({ retryAttemptSeconds: '60' })).toThrow(
      'Set retryAttemptSeconds to at least 2100, leave it unset for exactly that, or lower maximumAutomaticAttempts.',
    );
    expect(parse({ maximumAutomaticAttempts: '3', retryAttemptSeconds: '1260' })).toMatchObject({
      retryAttemptSeconds: 1260,
    });
  });

  it('ignore an empty value, as -c name= gives it', () => {
    expect(parse({ ruleName: '', readWriteType: '', bucketName: '' })).toEqual(parse({}));
  });
});

describe('option values', () => {
  it('are read as -c gives them (strings) and as cdk.json gives them (booleans, numbers)', () => {
    const fromCli = parse({
      triggerOnTrailChange: 'FALSE',
      automaticRemediation: 'true',
      maximumAutomaticAttempts: '25',
      retryAttemptSeconds: '2678000',
      includeManagementEvents: 'False',
    });
    const fromJson = parse({
      triggerOnTrailChange: false,
      automaticRemediation: true,
      maximumAutomaticAttempts: 25,
      retryAttemptSeconds: 2678000,
      includeManagementEvents: false,
    });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli).toMatchObject({
      triggerOnTrailChange: false,
      automaticRemediation: true,
      maximumAutomaticAttempts: 25,
      retryAttemptSeconds: 2678000,
      ruleParameters: { includeManagementEvents: false },
    });
  });

  it("take the rule parameters with the rule's own parser, so both accept the same values", () => {
    const options = parse({
      s3BucketName: 'Legacy_Bucket.Name',
      snsTopicArn: 'arn:aws:sns:us-east-1:111122223333:trail-topic',
      cloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:111122223333:log-group:trail-logs:*',
      includeManagementEvents: 'TRUE',
      readWriteType: 'writeonly',
      trustOrganizationTrails: 'false',
    });
    expect(options.ruleParameters).toEqual({
      s3BucketName: 'Legacy_Bucket.Name',
      snsTopicArn: 'arn:aws:sns:us-east-1:111122223333:trail-topic',
      cloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:111122223333:log-group:trail-logs:*',
      includeManagementEvents: true,
      readWriteType: 'WriteOnly',
      trustOrganizationTrails: false,
      requireDelivery: false,
    });
    // What the Config rule is given parses back to the same parameters in the rule.
    const input = JSON.stringify(ruleInputParameters(options.ruleParameters));
    expect(parseRuleParameters(input)).toEqual(options.ruleParameters);
  });

  it.each([
    ['ruleName', 'my rule', '1–36 letters, digits and hyphens, starting with a letter'],
    ['ruleName', `r${'x'.repeat(36)}`, '1–36 letters, digits and hyphens'],
    ['ruleName', '1st-rule', 'starting with a letter'],
    ['ruleName', 'AWS-cloudtrail', 'starts with "AWS", a prefix AWS reserves'],
    ['ruleName', 'amazon-trail', 'a prefix AWS reserves'],
    [
      'maximumExecutionFrequency',
      '24h',
      'One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours',
    ],
    ['maximumExecutionFrequency', 'twentyfour_hours', 'One_Hour, Three_Hours'],
    ['s3BucketName', 'a', 'Rule parameter s3BucketName has the value "a"'],
    ['snsTopicArn', 'trail-topic', 'an SNS topic ARN'],
    ['cloudWatchLogsLogGroupArn', 'trail-logs', 'a log group ARN'],
    ['includeManagementEvents', 'yes', '"true" or "false" (any case)'],
    ['readWriteType', 'both', '"ALL", "ReadOnly" or "WriteOnly" (any case)'],
    ['trustOrganizationTrails', '1', '"true" or "false" (any case)'],
    ['triggerOnTrailChange', 'on', 'set it to true, false'],
    ['automaticRemediation', 'yes', 'set it to true, false'],
    ['maximumAutomaticAttempts', '0', 'a whole number from 1 to 25'],
    ['maximumAutomaticAttempts', '26', 'a whole number from 1 to 25'],
    ['maximumAutomaticAttempts', '2.5', 'a whole number from 1 to 25'],
    ['retryAttemptSeconds', '2678001', 'a whole number of seconds up to 2678000'],
    ['retryAttemptSeconds', '-1', 'a whole number of seconds up to 2678000'],
    ['trailName', 'my trail', 'a trail name'],
    ['trailName', 'my--trail', 'with single ".", "_" or "-" between them'],
    ['trailName', '10.0.0.1', 'not an IP address'],
    ['bucketName', 'Upper_Case', 'an S3 bucket name: 3–63 lower-case letters'],
    ['kmsKeyId', 'key with spaces', 'a KMS key ID, key ARN, alias name or alias ARN'],
    ['logGroupKmsKeyArn', 'alias/logs', 'a KMS key ARN in the stack’s Region'],
    ['trailKey', 'yes', 'set it to none, create (not with kmsKeyId)'],
    ['accessLogBucketName', 'Access_Logs', 'an S3 bucket name: 3–63 lower-case letters'],
    ['logRetentionDays', '0', 'a whole number of days from 1 to 36500'],
    ['logRetentionDays', '36501', 'a whole number of days from 1 to 36500'],
    ['objectLockDays', 'a year', 'a whole number of days from 1 to 36500'],
    ['tags', 'team', 'key=value pairs, comma-separated'],
    ['tags', 'team="security"', 'key=value pairs, comma-separated'],
    ['tags', 'aws:team=security', 'it has the key "aws:team": AWS reserves the aws: prefix'],
    ['tags', 'team=a,team=b', 'it gives the key "team" twice'],
    [
      'tags',
      Array.from({ length: 50 }, (_, i) => `k${i}=v`).join(','),
      'it has 50 tags, more than the 49',
    ],
    ['cloudWatchLogs', 'yes', 'set it to true, false'],
    // CT.CLOUDWATCH.PR.2 (and Security Hub CloudWatch.16) want a year or more:
    // https://docs.aws.amazon.com/controltower/latest/controlreference/cloudwatch-rules.html
    ['cloudWatchLogsRetentionDays', '180', '365, 400, 545, 731'],
    ['cloudWatchLogsRetentionDays', '9999', '365, 400, 545, 731'],
    ['hardenRepairedTrail', 'on', 'set it to true, false'],
    ['trustedLogAccountIds', '4444-5555-6666', '12-digit account IDs, comma-separated'],
    ['trustedLogAccountIds', '444455556666 777788889999', '12-digit account IDs'],
    ['alarmTopicArn', 'security-alerts', 'a standard (not FIFO) SNS topic ARN'],
    [
      'alarmTopicArn',
      'arn:aws:sns:eu-west-1:111122223333:security-alerts.fifo',
      'a standard (not FIFO) SNS topic ARN',
    ],
  ])('reject %s=%j, naming the option and what it accepts', (name, value, accepted) => {
    const failure = () => parse({ [name]: value });
    expect(failure).toThrow(InvalidOptionError);
    expect(failure).toThrow(name);
    expect(failure).toThrow(accepted);
  });

  it('reject trailKey=create with a kmsKeyId, naming both: the trails get one key', () => {
    expect(() => parse({ trailKey: 'create', kmsKeyId: 'alias/cloudtrail' })).toThrow(
      'Context options trailKey (create) and kmsKeyId (alias/cloudtrail) cannot be combined',
    );
    expect(parse({ trailKey: 'create' }).trailKey).toBe('create');
    expect(parse({ trailKey: 'none', kmsKeyId: 'alias/cloudtrail' }).kmsKeyId).toBe(
      'alias/cloudtrail',
    );
  });

  it('read the hardening options as -c gives them', () => {
    expect(
      parse({
        accessLogBucketName: 'access-logs-111122223333',
        logRetentionDays: '2557',
        objectLockDays: '365',
        tags: 'team=security,cost center=12 34',
        cloudWatchLogs: 'TRUE',
        cloudWatchLogsRetentionDays: '731',
        hardenRepairedTrail: 'true',
        trustedLogAccountIds: '444455556666,777788889999',
      }),
    ).toMatchObject({
      accessLogBucketName: 'access-logs-111122223333',
      logRetentionDays: 2557,
      objectLockDays: 365,
      tags: 'team=security,cost center=12 34',
      cloudWatchLogs: true,
      cloudWatchLogsRetentionDays: '731',
      hardenRepairedTrail: true,
      trustedLogAccountIds: ['444455556666', '777788889999'],
    });
  });

  it("reject a bucketName other than the rule's s3BucketName, naming both", () => {
    expect(() => parse({ bucketName: 'other-logs', s3BucketName: 'central-logs' })).toThrow(
      'Context options bucketName (other-logs) and s3BucketName (central-logs) differ',
    );
  });

  it('reject a value that is neither text, a boolean nor a number', () => {
    expect(() => parse({ automaticRemediation: ['true'] })).toThrow(
      'Context option automaticRemediation has the value ["true"], which is not accepted',
    );
  });

  it('reject a name that differs from an option only in case, which would otherwise be ignored', () => {
    expect(() => parse({ readwritetype: 'ALL' })).toThrow(
      'Context option "readwritetype" is not an option (names are case-sensitive): did you mean readWriteType?',
    );
  });

  it('reject rule parameters longer together than the 1024 characters Config accepts', () => {
    const name = 'a'.repeat(500);
    expect(() =>
      parse({
        snsTopicArn: `arn:aws:sns:us-east-1:111122223333:${'t'.repeat(250)}`,
        cloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:111122223333:log-group:${name}`,
        s3BucketName: `b${'x'.repeat(250)}`,
      }),
    ).toThrow(/InputParameters \d+ characters long; AWS Config accepts at most 1024/);
  });

  it("are each in docs/deployment.md's options table, with their default and what they accept", () => {
    const doc = readFileSync(join(__dirname, '../../..', 'docs', 'deployment.md'), 'utf8');
    const table = doc.split('\n## Options\n')[1]?.split('\n## ')[0] ?? '';
    expect(tableProblems(DEPLOYMENT_OPTION_SCHEMA, table)).toEqual([]);
  });

  it("are, for the rollout, each in docs/organization-rollout.md's table, with their default and what they accept", () => {
    const doc = readFileSync(
      join(__dirname, '../../..', 'docs', 'organization-rollout.md'),
      'utf8',
    );
    const table = doc.split("The rollout's own options:\n")[1]?.trimStart().split('\n\n')[0] ?? '';
    expect(tableProblems(ROLLOUT_OPTION_SCHEMA, table)).toEqual([]);
  });

  it('find what a docs table gets wrong: a missing or unknown option, a wrong default, an accepted value left out', () => {
    const row = (name: string, defaults: string, accepts: string) =>
      `| \`${name}\` | ${defaults} | ${accepts} | what it changes |`;
    const schema = {
      callAs: ROLLOUT_OPTION_SCHEMA.callAs,
      maxConcurrentPercentage: ROLLOUT_OPTION_SCHEMA.maxConcurrentPercentage,
      regions: ROLLOUT_OPTION_SCHEMA.regions,
    };
    expect(
      tableProblems(
        schema,
        [
          row('callAs', '`SELF`', '`DELEGATED_ADMIN`'),
          row('maxConcurrentPercentage', '`25`', '1 to 99'),
          row('regionz', 'the Region the rollout stack is deployed in', 'Region codes'),
        ].join('\n'),
      ),
    ).toEqual([
      'callAs: default SELF, not DELEGATED_ADMIN',
      'callAs: accepts "`DELEGATED_ADMIN`", without SELF',
      'maxConcurrentPercentage: accepts "1 to 99", without 1 to 100',
      'maxConcurrentPercentage: accepts "1 to 99", without 100',
      'regionz: in the table, but no option',
      'regions: not in the table',
    ]);
  });
});

/**
 * What a docs table of options (`| option | default | accepts | … |`) says
 * differently from the schema: each option in one row (a row may name
 * several), its default as the schema has it, and every value it accepts
 * (a choice's values, a number's range) and every number its `accepts`
 * states named, unless the row refers to another page.
 */
function tableProblems(schema: Record<string, OptionEntry>, table: string): string[] {
  const problems: string[] = [];
  const found = new Set<string>();
  for (const line of table.split('\n').filter((l) => l.startsWith('| `'))) {
    const [, names = '', defaults = '', accepts = ''] = line.split('|').map((cell) => cell.trim());
    const named = [...names.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    const parts = defaults.split(', ');
    named.forEach((name, i) => {
      const entry = schema[name];
      if (entry === undefined) {
        problems.push(`${name}: in the table, but no option`);
        return;
      }
      found.add(name);
      const shown = (parts.length === named.length ? parts[i] : defaults) ?? '';
      const expected = defaultText(entry);
      if (expected === '(not set)') {
        if (!shown.startsWith('not set')) problems.push(`${name}: default ${shown}, not "not set"`);
      } else if (!expected.startsWith('(') && shown.replaceAll('`', '') !== expected) {
        problems.push(`${name}: default ${shown.replaceAll('`', '')}, not ${expected}`);
      }
      if (accepts.includes('[Parameters]')) return;
      const values =
        entry.kind === 'choice' ? entry.values : entry.kind === 'boolean' ? ['true', 'false'] : [];
      for (const value of values) {
        if (!accepts.includes(`\`${value}\``)) {
          problems.push(`${name}: accepts "${accepts}", without ${value}`);
        }
      }
      if (
        entry.kind === 'number' &&
        !accepts.includes(`${entry.min} to ${entry.max}`) &&
        !(entry.min === 1 && accepts.includes(`up to ${entry.max}`))
      ) {
        problems.push(`${name}: accepts "${accepts}", without ${entry.min} to ${entry.max}`);
      }
      // A limit the schema states (a length, a count, a number of seconds) is in the row too.
      const stated = new Set(accepts.match(/\d+/g) ?? []);
      for (const limit of entry.accepts.match(/\d+/g) ?? []) {
        if (!stated.has(limit)) problems.push(`${name}: accepts "${accepts}", without ${limit}`);
      }
    });
  }
  for (const name of Object.keys(schema).filter((n) => !found.has(n))) {
    problems.push(`${name}: not in the table`);
  }
  return problems;
}

describe('the option schema', () => {
  /** An option that is only accepted with another gets that one's example too. */
  const PARTNERS: Partial<Record<string, string>> = {
    subnetIds: 'securityGroupIds',
    securityGroupIds: 'subnetIds',
  };
  const withPartner = (name: OptionName) => {
    const partner = PARTNERS[name] as OptionName | undefined;
    return {
      [name]: DEPLOYMENT_OPTION_SCHEMA[name].example,
      ...(partner === undefined ? {} : { [partner]: DEPLOYMENT_OPTION_SCHEMA[partner].example }),
    };
  };

  it.each(OPTION_NAMES)('gives %s an example the stack accepts', (name) => {
    expect(() => parse(withPartner(name))).not.toThrow();
  });

  it.each(TEMPLATE_PARAMETER_OPTIONS)(
    "gives %s an example its template parameter's constraints accept",
    (name) => {
      const example = DEPLOYMENT_OPTION_SCHEMA[name].example;
      const declaration = parameterDeclaration(name, example);
      const checks = [
        declaration.AllowedPattern === undefined ||
          new RegExp(declaration.AllowedPattern).test(example),
        declaration.AllowedValues === undefined || declaration.AllowedValues.includes(example),
        declaration.MinValue === undefined ||
          (Number(example) >= declaration.MinValue &&
            Number(example) <= (declaration.MaxValue ?? Number.POSITIVE_INFINITY)),
      ];
      expect({ name, checks }).toEqual({ name, checks: [true, true, true] });
    },
  );

  it.each(ROLLOUT_OPTION_NAMES)('gives the rollout option %s an example it accepts', (name) => {
    const context: Record<string, string> = { [name]: ROLLOUT_OPTION_SCHEMA[name].example };
    expect(() => parseRolloutOptions((n) => context[n], DEFAULT_RULE_NAME, [name])).not.toThrow();
  });

  it('with several bad options, names the first in the table, and checks across options only once each is accepted', () => {
    expect(() => parse({ alarmTopicArn: 'alerts', ruleName: '1st-rule' })).toThrow(
      /^Context option ruleName has the value "1st-rule"/,
    );
    expect(() =>
      parse({ bucketName: 'other-logs', s3BucketName: 'central-logs', alarmTopicArn: 'alerts' }),
    ).toThrow(/^Context option alarmTopicArn has the value "alerts"/);
  });
});

describe('a bad context value', () => {
  it('fails the synth with the message, before anything is built', () => {
    expect(() =>
      buildApp({
        context: { maximumExecutionFrequency: 'Daily' },
        builtinCloudFormationValidation: false,
      }),
    ).toThrow(
      'Context option maximumExecutionFrequency has the value "Daily", which is not accepted: set it to One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours',
    );
  });
});

describe('what the docs say of the options outside their tables', () => {
  const doc = (name: string) => readFileSync(join(__dirname, '../../..', 'docs', name), 'utf8');

  it('quotes in docs/deployment.md the error a bad value gets, word for word', () => {
    const quoted = /```text\n\$ [^\n]*\n(Context option maximumExecutionFrequency [^\n]*)\n/.exec(
      doc('deployment.md'),
    )?.[1];
    expect(quoted).toBeDefined();
    expect(() => parse({ maximumExecutionFrequency: 'Daily' })).toThrow(
      new InvalidOptionError(quoted ?? ''),
    );
  });

  it('quotes in docs/deployment.md the error a misspelled option gets, word for word', () => {
    const quoted = /```text\n\$ [^\n]*\n(Context option "automaticRemediaton" [^\n]*)\n/.exec(
      doc('deployment.md'),
    )?.[1];
    expect(quoted).toBeDefined();
    expect(() => parseOptions(() => undefined, ['automaticRemediaton'])).toThrow(
      new InvalidOptionError(quoted ?? ''),
    );
  });

  it("gives in docs/remediation.md the document's longest run and the attempts the template maps", () => {
    const text = doc('remediation.md').replace(/\s+/g, ' ');
    const defaults = parse({});
    expect(text).toContain(`One run of the document takes at most ${DOCUMENT_RUN_SECONDS} s`);
    expect(text).toContain(
      `\`maximumAutomaticAttempts × ${DOCUMENT_RUN_SECONDS}\` (${retryWindow(defaults).toLocaleString('en-US')} s for the default ${defaults.maximumAutomaticAttempts} attempts)`,
    );
    const { min, max } = DEPLOYMENT_OPTION_SCHEMA.maximumAutomaticAttempts;
    expect(text).toContain(`a \`Mappings\` entry for each of ${min} to ${max}`);
  });
});

describe('the template', () => {
  it('names the rule, stack, functions, document and automation role after ruleName', () => {
    const { stack, template } = synth({ ruleName: 'ct1' });
    expect(stack.stackName).toBe('ct1');
    expect(only(template, 'AWS::Config::ConfigRule').Properties.ConfigRuleName).toBe('ct1');
    const functionNames = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (f) => (f as { Properties: { FunctionName: string } }).Properties.FunctionName,
    );
    expect(functionNames.sort()).toEqual(['ct1-remediation', 'ct1-rule']);
    expect(only(template, 'AWS::SSM::Document').Properties).toMatchObject({
      Name: 'ct1-remediation',
      Content: {
        mainSteps: expect.arrayContaining([
          expect.objectContaining({
            inputs: expect.objectContaining({ FunctionName: 'ct1-remediation' }),
          }),
          expect.objectContaining({
            inputs: expect.objectContaining({ ConfigRuleNames: ['ct1'] }),
          }),
        ]),
      },
    });
    expect(only(template, 'AWS::Config::RemediationConfiguration').Properties).toMatchObject({
      ConfigRuleName: 'ct1',
      TargetId: 'ct1-remediation',
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: { 'Fn::Sub': 'ct1-automation-${AWS::Region}' },
    });
  });

  it('runs the periodic evaluation as often as maximumExecutionFrequency says', () => {
    const { template } = synth({ maximumExecutionFrequency: 'One_Hour' });
    expect(only(template, 'AWS::Config::ConfigRule').Properties.Source).toMatchObject({
      SourceDetails: [
        { MessageType: 'ScheduledNotification', MaximumExecutionFrequency: 'One_Hour' },
        { MessageType: 'ConfigurationItemChangeNotification' },
        { MessageType: 'OversizedConfigurationItemChangeNotification' },
      ],
    });
  });

  it('with triggerOnTrailChange=false, is periodic only and has no scope', () => {
    const { template } = synth({ triggerOnTrailChange: 'false' });
    const rule = only(template, 'AWS::Config::ConfigRule').Properties;
    expect(rule.Scope).toBeUndefined();
    expect(rule.Source).toMatchObject({
      SourceDetails: [
        {
          EventSource: 'aws.config',
          MessageType: 'ScheduledNotification',
          MaximumExecutionFrequency: 'TwentyFour_Hours',
        },
      ],
    });
    expect((rule.Source as { SourceDetails: unknown[] }).SourceDetails).toHaveLength(1);
  });

  it('passes the rule parameters to the rule and the same ones to the remediation function', () => {
    const parameters = {
      s3BucketName: 'org-cloudtrail-logs',
      snsTopicArn: 'arn:aws:sns:us-east-1:111122223333:trail-topic',
      cloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:111122223333:log-group:trail-logs',
      includeManagementEvents: 'true',
      readWriteType: 'ReadOnly',
      trustOrganizationTrails: 'false',
      requireDelivery: 'true',
      undecidedWindowHours: '12',
    };
    const { template } = synth({ ...parameters, readWriteType: 'readonly' });
    expect(only(template, 'AWS::Config::ConfigRule').Properties.InputParameters).toEqual(
      parameters,
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'cloudtrail-1-multi-region-trail-remediation',
      Environment: { Variables: { RULE_PARAMETERS: JSON.stringify(parameters) } },
    });
    // A new trail must deliver to the bucket the rule requires, so that bucket is the one allowed.
    for (const sid of ['CreateLogBucket', 'CheckOrSecureLogBucket']) {
      const resources = statement(template, 'RemediationFunctionRole', sid).Resource;
      expect(resources).toContainEqual({
        'Fn::Sub': 'arn:${AWS::Partition}:s3:::org-cloudtrail-logs',
      });
      expect(JSON.stringify(resources)).not.toContain(':s3:::cloudtrail-logs-');
    }
  });

  it('with automaticRemediation, retries as maximumAutomaticAttempts and retryAttemptSeconds say', () => {
    const { template } = synth({
      automaticRemediation: 'true',
      maximumAutomaticAttempts: '3',
      retryAttemptSeconds: '1800',
    });
    expect(only(template, 'AWS::Config::RemediationConfiguration').Properties).toMatchObject({
      Automatic: true,
      MaximumAutomaticAttempts: 3,
      RetryAttemptSeconds: 1800,
    });
  });

  it('passes trailName, bucketName and kmsKeyId to the document, and limits the role to that bucket', () => {
    const { template } = synth({
      trailName: 'management-events',
      bucketName: 'audit-trail-logs',
      kmsKeyId: 'alias/cloudtrail',
    });
    expect(only(template, 'AWS::Config::RemediationConfiguration').Properties.Parameters).toEqual({
      AutomationAssumeRole: { StaticValue: { Values: [expect.anything()] } },
      AccountId: { ResourceValue: { Value: 'RESOURCE_ID' } },
      TrailName: { StaticValue: { Values: ['management-events'] } },
      BucketName: { StaticValue: { Values: ['audit-trail-logs'] } },
      KmsKeyId: { StaticValue: { Values: ['alias/cloudtrail'] } },
    });
    for (const sid of ['CreateLogBucket', 'CheckOrSecureLogBucket']) {
      const resources = statement(template, 'RemediationFunctionRole', sid).Resource;
      expect(resources).toContainEqual({
        'Fn::Sub': 'arn:${AWS::Partition}:s3:::audit-trail-logs',
      });
      expect(JSON.stringify(resources)).not.toContain(':s3:::cloudtrail-logs-');
    }
    // KMS authorizes on key ARNs, never aliases: any key of this account in this Region.
    const ownKeys = {
      'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*',
    };
    expect(statement(template, 'RemediationFunctionRole', 'CheckNewTrailKey').Resource).toEqual(
      ownKeys,
    );
    expect(keyPolicyGrant(template)).toEqual({
      Sid: 'GrantNewTrailKey',
      Effect: 'Allow',
      Action: 'kms:PutKeyPolicy',
      Resource: ownKeys,
    });
  });

  it('grants no KMS write without kmsKeyId: the key policy grant is left out', () => {
    const { template } = synth({});
    expect(statement(template, 'RemediationFunctionRole', 'CheckNewTrailKey').Action).toEqual([
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'kms:GetKeyRotationStatus',
    ]);
    expect(JSON.stringify(template.toJSON())).not.toContain('kms:PutKeyPolicy');
  });

  it.each([
    [
      'a key ARN: that key only',
      'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ],
    [
      'a key ID: that key of this account and Region',
      'mrk-1234abcd12ab34cd56ef1234567890ab',
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      },
    ],
    [
      "an alias ARN: the alias's account and Region",
      'arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/trail',
      'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/*',
    ],
  ])('with kmsKeyId %s', (_, kmsKeyId, resource) => {
    const { stack, template } = synth({ kmsKeyId });
    expect(statement(template, 'RemediationFunctionRole', 'CheckNewTrailKey').Resource).toEqual(
      resource,
    );
    expect(keyPolicyGrant(template).Resource).toEqual(resource);
    // The acknowledged wildcard findings follow the statements: still none left unacknowledged.
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:security-alerts';
const SUBNETS = 'subnet-0123456789abcdef0,subnet-0fedcba9876543210';
const GROUP = 'sg-0123456789abcdef0';

describe('where the functions run', () => {
  it('takes subnets and security groups as -c gives them (comma-separated) and as cdk.json gives them (lists)', () => {
    const fromCli = parse({ subnetIds: SUBNETS, securityGroupIds: GROUP });
    const fromJson = parse({ subnetIds: SUBNETS.split(','), securityGroupIds: [GROUP] });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli).toMatchObject({
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
      securityGroupIds: [GROUP],
    });
  });

  it.each([
    ['subnetIds', 'subnet-1', '1 to 16 subnet IDs'],
    [
      'subnetIds',
      Array.from({ length: 17 }, () => 'subnet-0123456789abcdef0').join(','),
      '1 to 16 subnet IDs',
    ],
    ['securityGroupIds', 'sg-0123456789abcdef0 sg-0fedcba9876543210', '1 to 5 security group IDs'],
  ])('refuse %s=%j, naming what it accepts', (name, value, accepts) => {
    const other = name === 'subnetIds' ? { securityGroupIds: GROUP } : { subnetIds: SUBNETS };
    expect(() => parse({ [name]: value, ...other })).toThrow(accepts);
  });

  it('refuses subnets without security groups, and the other way round, naming the missing one', () => {
    expect(() => parse({ subnetIds: SUBNETS })).toThrow(
      'Context option subnetIds is set without securityGroupIds: a function in a VPC needs both.',
    );
    expect(() => parse({ securityGroupIds: GROUP })).toThrow(
      'Context option securityGroupIds is set without subnetIds',
    );
  });

  it('puts both functions in the subnets, with a policy that lets Lambda attach them there and that they wait for', () => {
    const { template } = synth({ subnetIds: SUBNETS, securityGroupIds: GROUP });
    const functions = template.findResources('AWS::Lambda::Function');
    const policies = template.findResources('AWS::IAM::Policy');
    const ec2 = 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}';

    // Two VPC policies, and the rule role's read of its own evaluations.
    expect(Object.keys(policies)).toHaveLength(3);
    for (const [id, fn] of Object.entries(functions)) {
      expect(fn.Properties.VpcConfig).toEqual({
        SubnetIds: SUBNETS.split(','),
        SecurityGroupIds: [GROUP],
      });
      const [policyId] = Object.entries(policies)
        .filter(([, p]) => p.Properties.Roles[0].Ref === fn.Properties.Role['Fn::GetAtt'][0])
        .filter(([, p]) => !JSON.stringify(p.Properties).includes('ReadOwnEvaluations'))
        .map(([policy]) => policy);
      expect({ id, waitsFor: fn.DependsOn }).toEqual({
        id,
        waitsFor: expect.arrayContaining([policyId]),
      });
      expect(policies[policyId ?? '']?.Properties.PolicyDocument.Statement).toEqual([
        {
          Sid: 'CreateFunctionNetworkInterfaces',
          Effect: 'Allow',
          Action: 'ec2:CreateNetworkInterface',
          Resource: [
            { 'Fn::Sub': `${ec2}:network-interface/*` },
            { 'Fn::Sub': `${ec2}:security-group/${GROUP}` },
            { 'Fn::Sub': `${ec2}:subnet/subnet-0123456789abcdef0` },
            { 'Fn::Sub': `${ec2}:subnet/subnet-0fedcba9876543210` },
          ],
        },
        {
          Sid: 'ManageFunctionNetworkInterfaces',
          Effect: 'Allow',
          Action: [
            'ec2:AssignPrivateIpAddresses',
            'ec2:DeleteNetworkInterface',
            'ec2:UnassignPrivateIpAddresses',
          ],
          Resource: { 'Fn::Sub': `${ec2}:network-interface/*` },
        },
        {
          Sid: 'DescribeNetwork',
          Effect: 'Allow',
          Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
          Resource: '*',
        },
      ]);
    }
  });

  it('encrypts both log groups with logGroupKmsKeyArn', () => {
    const { template } = synth({ logGroupKmsKeyArn: KEY });
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.map((g) => g.Properties.KmsKeyId)).toEqual([KEY, KEY]);
  });

  it('has every alarm notify alarmTopicArn of the alarm and of its recovery', () => {
    const { template } = synth({ alarmTopicArn: TOPIC });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(6);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({ AlarmActions: [TOPIC], OKActions: [TOPIC] });
    }
  });
});
