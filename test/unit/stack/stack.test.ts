// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::…} here are CloudFormation Fn::Sub variables.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { AccountStack } from '../../../stack/account-stack';
import { buildApp, cdkJsonContext } from '../../../stack/build-app';
import { assetBundle, REMEDIATION_ENTRY, RULE_ENTRY } from '../../../stack/bundle';
import { DEFAULT_RULE_NAME } from '../../../stack/options';

/*
 * The single-account stack, synthesized once as `cdk synth` does (both
 * functions bundled by esbuild, cdk-nag on). What the deployment is, it
 * shares with the member template (deployment-contract.test.ts); what is its
 * own (assets, outputs) is here. Option by option variations are in
 * options.test.ts.
 */

const RULE = DEFAULT_RULE_NAME;
const outdir = mkdtempSync(join(tmpdir(), 'cloudtrail1-stack-'));
let stack: AccountStack;
let template: Template;

beforeAll(() => {
  ({ stack } = buildApp(
    {
      outdir,
      context: cdkJsonContext(),
      // CloudFormation's schema validation runs in `npm run synth`; it costs ~15 s.
      builtinCloudFormationValidation: false,
    },
    { rollout: false },
  ));
  template = Template.fromStack(stack);
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The logical ID of the one resource whose ID starts with `prefix` (CDK appends a hash). */
function logicalId(prefix: string): string {
  const ids = Object.keys(template.toJSON().Resources).filter((id) =>
    new RegExp(`^${prefix}[0-9A-F]{8}$|^${prefix}$`).test(id),
  );
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
}
const getAtt = (prefix: string) => ({ 'Fn::GetAtt': [logicalId(prefix), 'Arn'] });

describe('the single-account stack', () => {
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

  // A resource whose logical ID changes is replaced: a new function, new roles, and the retained
  // log groups orphaned. The constructs that build the stack must not change any.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html
  it('keeps the logical IDs its resources have always had, however the code groups them', () => {
    expect(Object.keys(template.toJSON().Resources).sort()).toEqual([
      'AutomationRoleC58D7324',
      'ConfigChangeAlarm',
      'ConfigChangeRule',
      'ConfigInvokesRuleFunction',
      'ConfigRule',
      'RemediationConfiguration',
      'RemediationDocument',
      'RemediationFunction81258F31',
      'RemediationFunctionErrorsAlarm',
      'RemediationFunctionLogsB27AE0D4',
      'RemediationFunctionRole303EBA94',
      'RemediationFunctionThrottlesAlarm',
      'RuleFunctionE18FBDCA',
      'RuleFunctionErrorsAlarm',
      'RuleFunctionInvocationsAlarm',
      'RuleFunctionLogs7B6AB4B3',
      'RuleFunctionReadsOwnEvaluations2DC05754',
      'RuleFunctionRoleCBBCCEBF',
      'RuleFunctionThrottlesAlarm',
    ]);
  });

  it('has literal option values and no parameter but the CDK bootstrap version', () => {
    expect(Object.keys(template.toJSON().Parameters)).toEqual(['BootstrapVersion']);
    template.hasResourceProperties('AWS::Config::RemediationConfiguration', {
      Automatic: false,
      MaximumAutomaticAttempts: 5,
      // Five runs of the document at their longest (5 × 420 s): then Config stops retrying.
      RetryAttemptSeconds: 2100,
    });
  });

  it.each([['rule'], ['remediation']])(
    'runs the %s function with source maps enabled, from a CDK asset',
    (kind) => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `${RULE}-${kind}`,
        Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
        Code: { S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' } },
      });
    },
  );
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

  // The end-to-end tests and the benchmark run stack/bundle.ts's assetBundle: it must be this asset.
  it.each([
    ['RuleFunction', RULE_ENTRY],
    ['RemediationFunction', REMEDIATION_ENTRY],
  ])('%s is, byte for byte, the bundle the end-to-end tests run', async (prefix, entry) => {
    const testDir = mkdtempSync(join(tmpdir(), 'cloudtrail1-asset-'));
    try {
      const tested = await assetBundle(entry, testDir);
      const deployed = join(assetOf(prefix), 'index.js');
      expect(readFileSync(tested).equals(readFileSync(deployed))).toBe(true);
      const mapOf = (file: string) =>
        JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { mappings: string; names: string[] };
      expect(mapOf(tested).mappings).toBe(mapOf(deployed).mappings);
    } finally {
      rmSync(testDir, { recursive: true, force: true });
    }
  });
});
