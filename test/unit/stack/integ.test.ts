import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Manifest } from 'aws-cdk-lib/cloud-assembly-schema';
import {
  comparableTemplate,
  removeStackTraces,
  snapshotDifferences,
  writeSnapshot,
} from '../../../integ/assembly-files';
import {
  EXPECTED_COMPLIANCE_VARIABLE,
  expectedCompliance,
  InvalidExpectedComplianceError,
  VERDICT_NOT_GIVEN,
} from '../../../integ/expected-compliance';
import {
  ASSERTION_STACK,
  AssertionFailedError,
  assertionResults,
  CliVerdictError,
  cdk,
  cliArgs,
  declaredAssertionResults,
  deployArgs,
  destroyArgs,
  INTEG_APP,
  IntegUsageError,
  parseRunArgs,
  SNAPSHOT_DIRECTORY,
  synthArgs,
  verdictFromCli,
} from '../../../scripts/integ-args';
import { synthApp } from '../../support/synth-app';

/*
 * The pieces of the acceptance test that run without an account: how
 * `npm run integ` reads its arguments and the CLI's verdict, how the verdict
 * reaches the integ app, the exact CDK CLI commands it runs, how it reads
 * the assertions' results, how the snapshot is compared and written, and
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

  it('runs the project’s pinned CDK CLI, never one fetched from the registry', () => {
    expect(cdk(['synth'])).toEqual(['npm', ['exec', '--no', '--', 'cdk', 'synth']]);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies['aws-cdk']).toMatch(/^2\.\d+/);
  });

  it('synthesizes the test app with cdk synth, as any app', () => {
    expect(synthArgs('/tmp/assembly')).toEqual([
      'synth',
      '--app',
      `npx tsx ${INTEG_APP}`,
      '--output',
      '/tmp/assembly',
      '--no-path-metadata',
      '--no-asset-metadata',
      '--quiet',
    ]);
  });

  // --app takes a cloud assembly directory as well as a command, --all deploys every stack,
  // --require-approval never asks nothing, --outputs-file writes the stacks' outputs as JSON:
  // https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-deploy.html
  it('deploys that assembly, both stacks, with that profile, without a question, writing the outputs', () => {
    const options = { region: 'eu-west-1', profile: 'sandbox', clean: true, verbosity: 2 };
    expect(deployArgs(options, '/tmp/assembly', '/tmp/out/outputs.json')).toEqual([
      'deploy',
      '--app',
      '/tmp/assembly',
      '--all',
      '--require-approval',
      'never',
      '--outputs-file',
      '/tmp/out/outputs.json',
      '--profile',
      'sandbox',
      '-v',
      '-v',
    ]);
  });

  // --force: no confirmation. https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-destroy.html
  it('destroys both stacks of the same assembly, without a question', () => {
    expect(
      destroyArgs({ region: 'eu-west-1', clean: true, verbosity: 0 }, '/tmp/assembly'),
    ).toEqual(['destroy', '--app', '/tmp/assembly', '--all', '--force']);
  });

  it('passes only arguments the pinned CDK CLI knows, for each command', () => {
    // The CLI's own parser, offline: `cdk <command> --help` lists every option it takes.
    const options = { region: 'eu-west-1', profile: 'sandbox', clean: true, verbosity: 1 };
    const commands: Array<[string, string[]]> = [
      ['synth', synthArgs('/tmp/a')],
      ['deploy', deployArgs(options, '/tmp/a', '/tmp/o.json')],
      ['destroy', destroyArgs(options, '/tmp/a')],
    ];
    for (const [command, args] of commands) {
      const [npm, npmArgs] = cdk([command, '--help']);
      const help = spawnSync(npm, npmArgs, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(help.status).toBe(0);
      for (const flag of args.filter((arg) => arg.startsWith('--'))) {
        // Each option starts a line of the help, followed by its alias or its description; a
        // boolean's --no-NAME is listed as --NAME.
        const listed = help.stdout
          .split('\n')
          .map((line) => /^\s+(--[a-z-]+)[\s,]/.exec(line)?.[1])
          .filter((name) => name !== undefined);
        expect({ command, listed }).toEqual({
          command,
          listed: expect.arrayContaining([flag.replace(/^--no-/, '--')]),
        });
      }
    }
  }, 180_000);
});

describe("the assertions' results", () => {
  // An assertion's result is {status: 'success' | 'fail', message?}
  // (https://docs.aws.amazon.com/cdk/api/v2/docs/@aws-cdk_integ-tests-alpha.AssertionResultData.html);
  // a failed one fails the deployment only with failDeployment, false by default and meant for runs
  // outside integ-runner
  // (https://docs.aws.amazon.com/cdk/api/v2/docs/@aws-cdk_integ-tests-alpha.EqualsAssertionProps.html):
  // so the script reads every result from the stack outputs, as integ-runner does.
  const ok = JSON.stringify({ status: 'success' });
  const names = ['AssertionResultsA', 'AssertionResultsB'];

  it('pass when every result the assertion stack declares says success', () => {
    const outputs = { [ASSERTION_STACK]: { AssertionResultsA: ok, AssertionResultsB: ok } };
    expect(assertionResults(outputs, ASSERTION_STACK, names)).toEqual(names);
  });

  it('fail on a failed assertion, with its message', () => {
    const failed = JSON.stringify({
      status: 'fail',
      message: 'Expected COMPLIANT, got NON_COMPLIANT',
    });
    const outputs = { [ASSERTION_STACK]: { AssertionResultsA: ok, AssertionResultsB: failed } };
    expect(() => assertionResults(outputs, ASSERTION_STACK, names)).toThrow(AssertionFailedError);
    expect(() => assertionResults(outputs, ASSERTION_STACK, names)).toThrow(
      /1 of 2 assertions did not pass:\nAssertionResultsB: failed: Expected COMPLIANT, got NON_COMPLIANT/,
    );
  });

  it('fail when a result is missing, not a result, or there are none to expect', () => {
    expect(() =>
      assertionResults({ [ASSERTION_STACK]: { AssertionResultsA: ok } }, ASSERTION_STACK, names),
    ).toThrow(/AssertionResultsB: no result/);
    expect(() =>
      assertionResults(
        { [ASSERTION_STACK]: { AssertionResultsA: ok, AssertionResultsB: 'yes' } },
        ASSERTION_STACK,
        names,
      ),
    ).toThrow(/AssertionResultsB: not an assertion result/);
    expect(() => assertionResults({}, ASSERTION_STACK, [])).toThrow(/declares no assertion/);
  });

  it('are the four the committed assertion stack declares: two verdict checks, two automation checks', () => {
    const template = readJson(join(ROOT, SNAPSHOT_DIRECTORY, `${ASSERTION_STACK}.template.json`));
    const declared = declaredAssertionResults(template);
    expect(declared).toHaveLength(4);
    expect(declared.filter((n) => n.includes('getComplianceDetailsByConfigRule'))).toHaveLength(2);
    expect(declared.filter((n) => n.includes('getAutomationExecution'))).toHaveLength(2);
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

describe('the snapshot', () => {
  const template = (hash: string, salt: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      Resources: {
        Code: { Type: 'AWS::Lambda::Function', Properties: { S3Key: `${hash}.zip` } },
        Call: { Type: 'Custom::DeployAssert@SdkCallConfigService', Properties: { salt } },
        ...extra,
      },
    });
  const assembly = (files: Record<string, string>) => {
    const dir = tempDir();
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  };

  it('agrees with a synth whose asset hashes and salts alone differ', () => {
    const a = assembly({ 'S.template.json': template('a'.repeat(64), '1700000000000') });
    const b = assembly({ 'S.template.json': template('b'.repeat(64), '1800000000000') });
    expect(snapshotDifferences(a, b)).toEqual([]);
    expect(comparableTemplate(template('c'.repeat(64), '1'))).toEqual(
      comparableTemplate(template('d'.repeat(64), '2')),
    );
  });

  it('names the template and the first place it differs, and a stack added or gone', () => {
    const hash = 'a'.repeat(64);
    const snapshot = assembly({
      'S.template.json': template(hash, '1'),
      'Gone.template.json': '{}',
    });
    const fresh = assembly({
      'S.template.json': template(hash, '1', { Probe: { Type: 'AWS::SNS::Topic' } }),
      'New.template.json': '{}',
    });
    expect(snapshotDifferences(snapshot, fresh)).toEqual([
      'New.template.json: a new stack, not in the snapshot',
      'Gone.template.json: in the snapshot, no longer synthesized',
      'S.template.json: differs at Resources.Probe',
    ]);
  });

  it('is written from an assembly without its bundles or the CDK CLI’s own files', () => {
    const fresh = assembly({
      'manifest.json': '{"version":"55.0.0"}',
      'S.template.json': '{}',
      'synth.lock': '',
      'performance-counters.json': '{}',
    });
    mkdirSync(join(fresh, 'asset.0123'));
    writeFileSync(join(fresh, 'asset.0123', 'index.js'), '');
    const snapshot = join(tempDir(), 'snap');
    writeSnapshot(fresh, snapshot);
    expect(readdirSync(snapshot).sort()).toEqual(['S.template.json', 'manifest.json']);
  });

  it('keeps the schema version aws-cdk-lib writes: nothing relabels it', () => {
    const snapshot = join(ROOT, SNAPSHOT_DIRECTORY);
    const manifest = readJson(join(snapshot, 'manifest.json')) as { version: string };
    expect(manifest.version).toBe(Manifest.version());
    const manifests = (file: string) =>
      file === 'manifest.json' || file === 'integ.json' || file.endsWith('.assets.json');
    for (const file of readdirSync(snapshot).filter(manifests)) {
      const { version } = readJson(join(snapshot, file)) as { version?: unknown };
      if (typeof version === 'string')
        expect(`${file} ${version}`).toBe(`${file} ${Manifest.version()}`);
    }
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
