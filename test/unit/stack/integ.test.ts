import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { declareIntegRunnerSchema, removeStackTraces } from '../../../integ/assembly-files';
import {
  EXPECTED_COMPLIANCE_VARIABLE,
  expectedCompliance,
  InvalidExpectedComplianceError,
  VERDICT_NOT_GIVEN,
} from '../../../integ/expected-compliance';
import {
  CliVerdictError,
  cliArgs,
  deployArgs,
  INTEG_RUNNER_BASE_ARGS,
  IntegUsageError,
  parseRunArgs,
  SNAPSHOT_DIRECTORY,
  verdictFromCli,
} from '../../../scripts/integ-args';
import { synthApp } from '../../support/synth-app';

/*
 * The pieces of the acceptance test that run without an account: how
 * `npm run integ` reads its arguments and the CLI's verdict, how the verdict
 * reaches the integ app, the assembly files prepared for integ-runner, and
 * what the committed snapshot holds. The test itself (integ/) runs against
 * a real account with `npm run integ`; its snapshot is compared by
 * `npm run integ:snapshot`, part of `npm test`.
 */

const ROOT = resolve(__dirname, '../../..');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cloudtrail-integ-'));
  dirs.push(dir);
  return dir;
}
function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('the verdict handed to the integ app', () => {
  it('is the value of CLOUDTRAIL_RULE_EXPECTED_COMPLIANCE', () => {
    expect(expectedCompliance({ [EXPECTED_COMPLIANCE_VARIABLE]: 'COMPLIANT' })).toBe('COMPLIANT');
    expect(expectedCompliance({ [EXPECTED_COMPLIANCE_VARIABLE]: 'NON_COMPLIANT' })).toBe(
      'NON_COMPLIANT',
    );
  });

  it('is a text no evaluation can equal when unset or empty, as for the snapshot', () => {
    expect(expectedCompliance({})).toBe(VERDICT_NOT_GIVEN);
    expect(expectedCompliance({ [EXPECTED_COMPLIANCE_VARIABLE]: '' })).toBe(VERDICT_NOT_GIVEN);
    expect(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']).not.toContain(VERDICT_NOT_GIVEN);
  });

  it('rejects any other value, naming the variable and the accepted values', () => {
    expect(() => expectedCompliance({ [EXPECTED_COMPLIANCE_VARIABLE]: 'compliant' })).toThrow(
      InvalidExpectedComplianceError,
    );
    expect(() => expectedCompliance({ [EXPECTED_COMPLIANCE_VARIABLE]: 'UNDECIDED' })).toThrow(
      /CLOUDTRAIL_RULE_EXPECTED_COMPLIANCE is "UNDECIDED": set it to COMPLIANT or NON_COMPLIANT/,
    );
  });
});

describe('npm run integ arguments', () => {
  it('takes the profile and the Region', () => {
    expect(parseRunArgs(['--profile', 'sandbox', '--region', 'eu-west-1'], {})).toEqual({
      profile: 'sandbox',
      region: 'eu-west-1',
      clean: true,
      verbosity: 0,
    });
  });

  it('takes the Region from AWS_REGION, then AWS_DEFAULT_REGION, and credentials from the environment', () => {
    expect(parseRunArgs([], { AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'us-west-2' })).toEqual({
      region: 'us-east-2',
      clean: true,
      verbosity: 0,
    });
    expect(parseRunArgs([], { AWS_REGION: '', AWS_DEFAULT_REGION: 'us-west-2' }).region).toBe(
      'us-west-2',
    );
  });

  it('keeps the stacks with --no-clean and passes -v on', () => {
    expect(parseRunArgs(['--no-clean', '-vv', '-v'], { AWS_REGION: 'eu-west-1' })).toEqual({
      region: 'eu-west-1',
      clean: false,
      verbosity: 3,
    });
  });

  it('refuses to run without a Region, with a bad Region, or with an unknown argument', () => {
    expect(() => parseRunArgs([], {})).toThrow(/No AWS Region: pass --region/);
    expect(() => parseRunArgs(['--region', 'Ireland'], {})).toThrow(
      /"Ireland" is not an AWS Region name/,
    );
    expect(() => parseRunArgs(['--region'], {})).toThrow(/--region needs a value/);
    expect(() => parseRunArgs(['--profiles', 'x'], { AWS_REGION: 'eu-west-1' })).toThrow(
      IntegUsageError,
    );
  });

  it('asks the CLI about the same account and Region, with the same credentials', () => {
    expect(cliArgs({ region: 'eu-west-1', profile: 'sandbox', clean: true, verbosity: 0 })).toEqual(
      [
        'bin/cloudtrail-rule.cjs',
        'evaluate',
        '--json',
        '--region',
        'eu-west-1',
        '--profile',
        'sandbox',
      ],
    );
  });

  it('deploys in that one Region with that profile, and never with --dry-run', () => {
    const args = deployArgs({
      region: 'eu-west-1',
      profile: 'sandbox',
      clean: false,
      verbosity: 1,
    });
    expect(args).toEqual([
      ...INTEG_RUNNER_BASE_ARGS,
      '--force',
      '--no-update-workflow',
      '--parallel-regions',
      'eu-west-1',
      '--profiles',
      'sandbox',
      '--no-clean',
      '-v',
    ]);
    expect(args).not.toContain('--dry-run');
  });
});

describe("the CLI's verdict", () => {
  const json = (compliance: string) =>
    JSON.stringify({ compliance, accountId: '111122223333', region: 'eu-west-1', trails: [] });

  it('is COMPLIANT on exit status 0 and NON_COMPLIANT on 1, as the output says', () => {
    expect(verdictFromCli({ status: 0, stdout: json('COMPLIANT'), stderr: '' })).toEqual({
      verdict: 'COMPLIANT',
      accountId: '111122223333',
      region: 'eu-west-1',
    });
    expect(verdictFromCli({ status: 1, stdout: json('NON_COMPLIANT'), stderr: '' }).verdict).toBe(
      'NON_COMPLIANT',
    );
  });

  it('is read from the real CLI on a saved account', () => {
    const run = spawnSync(
      process.execPath,
      [
        'bin/cloudtrail-rule.cjs',
        'evaluate',
        '--json',
        '--snapshot',
        'examples/compliant-default-trail.json',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(verdictFromCli(run)).toEqual({
      verdict: 'COMPLIANT',
      accountId: '111122223333',
      region: 'us-east-1',
    });
  }, 60_000);

  it('is no verdict when the CLI cannot decide, and the error says why', () => {
    const run = spawnSync(
      process.execPath,
      [
        'bin/cloudtrail-rule.cjs',
        'evaluate',
        '--json',
        '--snapshot',
        'examples/own-trail-selectors-access-denied.json',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status).toBe(2);
    expect(() => verdictFromCli(run)).toThrow(
      /The CLI gave no verdict \(exit status 2\).*It says UNDECIDED: .*GetEventSelectors failed: AccessDeniedException/,
    );
  }, 60_000);

  it('is no verdict when the CLI fails, and the error carries what it printed', () => {
    expect(() =>
      verdictFromCli({
        status: 2,
        stdout: '',
        stderr: 'cloudtrail-rule: No AWS credentials were found.\n',
      }),
    ).toThrow(/exit status 2.*No AWS credentials were found\./);
  });

  it('is refused when the exit status and the output disagree, or the output is not JSON', () => {
    expect(() => verdictFromCli({ status: 0, stdout: json('NON_COMPLIANT'), stderr: '' })).toThrow(
      CliVerdictError,
    );
    expect(() => verdictFromCli({ status: 1, stdout: 'NON_COMPLIANT', stderr: '' })).toThrow(
      /could not be read/,
    );
  });
});

describe('the assembly prepared for integ-runner', () => {
  it('declares schema 53 on the manifests integ-runner checks, and changes nothing else', () => {
    const dir = tempDir();
    const template = { Resources: {}, version: '55.0.0' };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts: {} }));
    writeFileSync(join(dir, 'integ.json'), JSON.stringify({ version: '55.0.0', testCases: {} }));
    writeFileSync(join(dir, 'Stack.assets.json'), JSON.stringify({ version: '55.0.0', files: {} }));
    writeFileSync(join(dir, 'Stack.template.json'), JSON.stringify(template));

    expect(declareIntegRunnerSchema(dir).sort()).toEqual([
      'Stack.assets.json',
      'integ.json',
      'manifest.json',
    ]);
    expect(readJson(join(dir, 'manifest.json'))).toEqual({ version: '53.0.0', artifacts: {} });
    expect(readJson(join(dir, 'Stack.assets.json'))).toEqual({ version: '53.0.0', files: {} });
    expect(readJson(join(dir, 'Stack.template.json'))).toEqual(template);
    expect(declareIntegRunnerSchema(dir)).toEqual([]);
  });

  it('removes the stack traces from the metadata files, and keeps every entry', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'Stack.metadata.json'),
      JSON.stringify({
        '/Stack/Role': [
          { type: 'aws:cdk:logicalId', data: 'Role1234' },
          {
            type: 'aws:cdk:acknowledged-rules',
            data: { 'AwsSolutions-IAM5': 'why' },
            trace: ['at acknowledgeWildcards (/home/someone/project/stack/x.ts:1:1)'],
          },
        ],
      }),
    );

    removeStackTraces(dir);

    expect(readJson(join(dir, 'Stack.metadata.json'))).toEqual({
      '/Stack/Role': [
        { type: 'aws:cdk:logicalId', data: 'Role1234' },
        { type: 'aws:cdk:acknowledged-rules', data: { 'AwsSolutions-IAM5': 'why' } },
      ],
    });
  });
});

describe('the committed snapshot', () => {
  type Template = {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const snapshot = join(ROOT, SNAPSHOT_DIRECTORY);
  const assertions = readJson(
    join(snapshot, 'CloudTrailRuleIntegAssertions.template.json'),
  ) as Template;
  const stack = readJson(join(snapshot, 'CloudTrailRule.template.json')) as Template;

  /** `${name}`, a variable of an `Fn::Sub` pattern. */
  const variable = (name: string) => `$\{${name}}`;

  /** A string property as CloudFormation would resolve it, with `<ref>` for each reference. */
  function text(value: unknown): string {
    if (typeof value === 'string') return value;
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join !== undefined) return join[1].map(text).join(join[0]);
    return '<ref>';
  }

  it('holds no account’s verdict: the comparing assertion expects the text that no evaluation equals', () => {
    const comparing = Object.values(assertions.Resources).filter(
      (r) =>
        r.Properties.api === 'getComplianceDetailsByConfigRule' &&
        r.Properties.stateMachineArn === undefined,
    );
    expect(comparing).toHaveLength(1);
    const expected = JSON.parse(text(comparing[0]?.Properties.expected)) as {
      $ObjectLike: { EvaluationResults: { $ArrayWith: Array<{ $ObjectLike: unknown }> } };
    };
    expect(expected.$ObjectLike.EvaluationResults.$ArrayWith[0]?.$ObjectLike).toEqual(
      expect.objectContaining({ ComplianceType: VERDICT_NOT_GIVEN }),
    );
  });

  it('lets the dry run pass exactly the automation role the stack creates, to SSM only', () => {
    const roleName = Object.entries(stack.Resources).find(([id]) =>
      id.startsWith('AutomationRole'),
    )?.[1].Properties.RoleName as { 'Fn::Sub': string };
    const statements = Object.values(assertions.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Role')
      .flatMap(
        (r) => (r.Properties.Policies as Array<{ PolicyDocument: { Statement: unknown[] } }>) ?? [],
      )
      .flatMap((p) => p.PolicyDocument.Statement) as Array<Record<string, unknown>>;
    const passRole = statements.filter((s) => JSON.stringify(s.Action).includes('iam:PassRole'));

    expect(passRole).toEqual([
      {
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: [
          {
            'Fn::Sub': `arn:${variable('AWS::Partition')}:iam::${variable('AWS::AccountId')}:role/${roleName['Fn::Sub']}`,
          },
        ],
        Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      },
    ]);
  });

  it('tests the stack cdk synth builds: the same template, asset hashes aside', () => {
    // The integ app takes cdk.json's feature flags over integ-runner's own; an option or a flag
    // that made the two differ would make this fail (as would a snapshot not regenerated).
    const { app } = synthApp({}, { rollout: false });
    const built = app.synth().getStackByName('cloudtrail-1-multi-region-trail').template;
    const masked = (template: unknown) =>
      JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, '<asset hash>'));
    expect(masked(stack)).toEqual(masked(built));
  });

  it('names no directory of the machine that wrote it', () => {
    for (const file of [
      'CloudTrailRule.metadata.json',
      'CloudTrailRuleIntegAssertions.metadata.json',
    ]) {
      expect(readFileSync(join(snapshot, file), 'utf8')).not.toContain(ROOT);
    }
  });
});
