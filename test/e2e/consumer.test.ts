import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cdkJsonContext } from '../../stack/build-app';
import { assetBundle, RULE_ENTRY } from '../../stack/bundle';
import type { CloudTrailOneRuleProps } from '../../stack/cloudtrail-one-rule';
import { installOffline, packProject, scratchEnv } from '../support/offline-install';
import { synthApp } from '../support/synth-app';

/*
 * The package as a user installs it: packed, installed from the tarball
 * into a scratch CDK app in a temporary directory (its own node_modules,
 * from the local npm cache, with no network), where a stack of the user's
 * uses the construct with a few options and the synth runs cdk-nag and the
 * Control Tower rules. The template must be the project's own stack's with
 * the same options, apart from the construct's ID before each logical ID
 * and the assets' hashes. And the command line runs from the tarball with
 * production dependencies only.
 */

// Each test runs processes (node, npm) that take seconds on a busy machine.
jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'cloudtrail1-consumer-'));
const PREFIX = 'CloudTrailOne';

/** A few options of each kind: a choice, a boolean, a number, a list, text, a rule parameter. */
const OPTIONS = {
  maximumExecutionFrequency: 'Six_Hours',
  automaticRemediation: true,
  maximumAutomaticAttempts: 3,
  trustedLogAccountIds: ['444455556666'],
  readWriteType: 'WriteOnly',
  trailKey: 'create',
  alarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:security-alerts',
} as const satisfies CloudTrailOneRuleProps;

let tarball: string;

beforeAll(async () => {
  tarball = await packProject(work);
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The template with each logical ID renamed as `rename` says, wherever it is named. */
function renameIds(node: Json, rename: Map<string, string>): Json {
  if (typeof node === 'string') {
    const whole = rename.get(node);
    if (whole !== undefined) return whole;
    // Fn::Sub names resources as ${Id} or ${Id.Attribute}.
    return node.replace(/\$\{([A-Za-z0-9]+)([.}])/g, (match, id: string, end: string) => {
      const renamed = rename.get(id);
      return renamed === undefined ? match : `\${${renamed}${end}`;
    });
  }
  if (Array.isArray(node)) return node.map((item) => renameIds(item, rename));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [rename.get(key) ?? key, renameIds(value, rename)]),
  );
}

/** The template's resources, outputs, conditions, parameters and rules, with asset hashes left out. */
function comparable(template: Record<string, Json>): Json {
  const { Description: _description, ...rest } = template;
  return JSON.parse(JSON.stringify(rest).replace(/"[0-9a-f]{64}\.zip"/g, '"<asset>.zip"')) as Json;
}

/** The consumer's template with the construct's ID taken off the front of each logical ID. */
function withoutConstructId(template: Record<string, Json>): Record<string, Json> {
  const rename = new Map<string, string>();
  for (const section of ['Resources', 'Outputs', 'Conditions']) {
    for (const id of Object.keys((template[section] ?? {}) as object)) {
      expect(id.startsWith(PREFIX)).toBe(true);
      rename.set(id, id.slice(PREFIX.length));
    }
  }
  return renameIds(template, rename) as Record<string, Json>;
}

/** The project's own stack with the same options, given as `-c` gives them. */
function projectTemplate(options: CloudTrailOneRuleProps): Record<string, Json> {
  const context = Object.fromEntries(
    Object.entries(options).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(',') : String(value),
    ]),
  );
  const { app, stack } = synthApp(context, { rollout: false });
  return app.synth().getStackArtifact(stack.artifactId).template as Record<string, Json>;
}

/** Runs `node -e script` in `dir` as the scratch app's own process, and gives its output. */
function nodeIn(dir: string, script: string): string {
  return execFileSync(process.execPath, ['-e', script], {
    cwd: dir,
    encoding: 'utf8',
    env: scratchEnv(),
  });
}

describe('a CDK app of its own that installs the packed package', () => {
  const app = join(work, 'app');
  const outdir = join(app, 'cdk.out');
  let template: Record<string, Json>;

  beforeAll(() => {
    mkdirSync(outdir, { recursive: true });
    installOffline(app, {
      tarball,
      packages: ['aws-cdk-lib', 'constructs', 'cdk-nag', '@cdklabs/cdk-validator-cfnguard'],
    });
    copyFileSync(join(ROOT, 'test', 'support', 'consumer-app.cjs'), join(app, 'app.cjs'));
    writeFileSync(join(app, 'options.json'), JSON.stringify(OPTIONS));
    // The project's CDK feature flags (what `cdk init` gives a new app), and a validation report.
    writeFileSync(
      join(app, 'context.json'),
      JSON.stringify({ ...cdkJsonContext(), '@aws-cdk/core:validationReportJson': true }),
    );
    execFileSync(process.execPath, ['app.cjs', 'options.json', 'context.json', outdir], {
      cwd: app,
      env: scratchEnv(),
      stdio: 'pipe',
    });
    template = JSON.parse(readFileSync(join(outdir, 'template.json'), 'utf8'));
  }, 600_000);

  it('resolves the package and its peers from its own node_modules, and none of the project’s development tools', () => {
    const found = JSON.parse(
      nodeIn(
        app,
        `const where = (name) => { try { return require.resolve(name); } catch { return null; } };
         console.log(JSON.stringify(Object.fromEntries(
           ['cloudtrail-multi-region-rule', 'aws-cdk-lib', 'esbuild', 'tsx', 'typescript', 'jest', '@swc/core']
             .map((name) => [name, where(name)]))));`,
      ),
    ) as Record<string, string | null>;
    expect(found['cloudtrail-multi-region-rule']).toBe(
      join(app, 'node_modules', 'cloudtrail-multi-region-rule', 'lib', 'index.js'),
    );
    expect(found['aws-cdk-lib']?.startsWith(join(app, 'node_modules'))).toBe(true);
    for (const tool of ['esbuild', 'tsx', 'typescript', 'jest', '@swc/core']) {
      expect([tool, found[tool]]).toEqual([tool, null]);
    }
  });

  it('synthesizes the project’s own stack with the same options, apart from the construct ID in logical IDs and the asset hashes', () => {
    const expected = projectTemplate(OPTIONS);
    expect(Object.keys(template.Resources as object).length).toBeGreaterThan(10);
    expect(comparable(withoutConstructId(template))).toEqual(comparable(expected));
  }, 300_000);

  it('reports nothing from cdk-nag or the Control Tower rules that is not acknowledged, and gives each acknowledgement a reason', () => {
    const nag = JSON.parse(readFileSync(join(outdir, 'nag.json'), 'utf8'));
    expect(nag).toEqual({ success: true, violations: [] });
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: {
        pluginName: string;
        conclusion: string;
        violations: unknown[];
        suppressedViolations?: { ruleName: string; reason?: string }[];
      }[];
    };
    for (const plugin of report.pluginReports) {
      expect([plugin.pluginName, plugin.conclusion, plugin.violations]).toEqual([
        plugin.pluginName,
        'success',
        [],
      ]);
    }
    // The Control Tower rules ran: they report, acknowledged, what the unset options leave open.
    const guard = report.pluginReports.find((p) => p.pluginName === 'cdk-validator-cfnguard');
    expect(guard?.suppressedViolations?.map((v) => v.ruleName)).toContain(
      'cloudwatch_log_group_encrypted_check',
    );
    for (const acknowledged of guard?.suppressedViolations ?? []) {
      expect(acknowledged.reason?.length).toBeGreaterThan(40);
    }
  });

  it('deploys the function code prebuilt in the package: byte for byte the bundle the stack builds from the sources', async () => {
    const fn = Object.values(
      template.Resources as Record<string, { Type: string; Metadata?: Json }>,
    )
      .map((resource) => resource)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(fn).toHaveLength(2);
    const prebuilt = join(
      app,
      'node_modules',
      'cloudtrail-multi-region-rule',
      'lib',
      'functions',
      'rule',
      'index.js',
    );
    const built = await assetBundle(RULE_ENTRY, join(work, 'rule-bundle'));
    expect(readFileSync(prebuilt).equals(readFileSync(built))).toBe(true);
  }, 120_000);
});

describe('the command line installed from the tarball with production dependencies only', () => {
  const dir = join(work, 'cli');
  const bin = join(dir, 'node_modules', '.bin', 'cloudtrail-rule');

  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    installOffline(dir, { tarball, packages: [], omitDev: true });
  }, 600_000);

  it('installs neither aws-cdk-lib nor any development dependency', () => {
    const found = nodeIn(
      dir,
      `console.log(['aws-cdk-lib', 'constructs', 'esbuild', 'tsx', 'cdk-nag'].filter((n) => { try { require.resolve(n); return true; } catch { return false; } }).join(','))`,
    );
    expect(found.trim()).toBe('');
  });

  it('prints its version', () => {
    const version = execFileSync(bin, ['--version'], {
      cwd: dir,
      encoding: 'utf8',
      env: scratchEnv(),
    });
    const { version: expected } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(version).toContain(expected);
  });

  it('evaluates a snapshot and prints the verdict', () => {
    const snapshot = join(ROOT, 'examples', 'compliant-default-trail.json');
    const output = execFileSync(bin, ['evaluate', '--snapshot', snapshot], {
      cwd: dir,
      encoding: 'utf8',
      env: scratchEnv(),
    });
    expect(output).toMatch(/COMPLIANT/);
    expect(output).not.toMatch(/NON_COMPLIANT/);
  });
});
