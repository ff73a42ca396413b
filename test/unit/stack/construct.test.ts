import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { propsInterface } from '../../../scripts/props-declaration';
import { cdkJsonContext } from '../../../stack/build-app';
import { CloudTrailOneRule, type CloudTrailOneRuleProps } from '../../../stack/cloudtrail-one-rule';
import { InvalidOptionError } from '../../../stack/errors';
import { defaultText } from '../../../stack/option-entry';
import { DEPLOYMENT_OPTION_SCHEMA } from '../../../stack/option-schema';
import { synthApp, temporaryDirectory } from '../../support/synth-app';

/*
 * The construct a user adds to a stack of their own: its props are the
 * deployment options, checked by the stack's parser; its logical IDs are
 * the project's stack's, after its own ID, in any stack. That it builds
 * exactly what the project's stack builds is shown on the packed package,
 * in test/e2e/consumer.test.ts.
 */

const ROOT = resolve(__dirname, '../../..');

/** A plain stack of a user's, with function bundling skipped (it does not depend on props). */
function userStack(): Stack {
  const app = new App({
    outdir: temporaryDirectory('cloudtrail1-construct-'),
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
  });
  return new Stack(app, 'Mine', { analyticsReporting: false });
}

describe('CloudTrailOneRule props', () => {
  it('refuses a value the option does not accept, naming the prop and what it accepts, and adds nothing', () => {
    const stack = userStack();
    const props = { maximumAutomaticAttempts: 30 } as CloudTrailOneRuleProps;
    expect(() => new CloudTrailOneRule(stack, 'Rule', props)).toThrow(InvalidOptionError);
    expect(() => new CloudTrailOneRule(stack, 'Rule2', props)).toThrow(
      /maximumAutomaticAttempts has the value "30", which is not accepted: set it to a whole number from 1 to 25/,
    );
    expect(stack.node.findAll().filter((c) => c !== stack)).toEqual([]);
  });

  it('refuses a name that is no option, with the closest one', () => {
    const props = { automaticRemediations: true } as unknown as CloudTrailOneRuleProps;
    expect(() => new CloudTrailOneRule(userStack(), 'Rule', props)).toThrow(
      /CloudTrailOneRule has no prop "automaticRemediations" \(did you mean automaticRemediation\?\)/,
    );
  });

  it('checks options against each other as -c does', () => {
    expect(
      () => new CloudTrailOneRule(userStack(), 'Rule', { subnetIds: ['subnet-0123456789abcdef0'] }),
    ).toThrow(/subnetIds is set without securityGroupIds/);
  });

  it('takes each kind of value as its type: a list as an array, a number, a switch', () => {
    const rule = new CloudTrailOneRule(userStack(), 'Rule', {
      trustedLogAccountIds: ['444455556666', '777788889999'],
      maximumAutomaticAttempts: 3,
      automaticRemediation: true,
      readWriteType: 'WriteOnly',
    });
    expect(rule.options).toMatchObject({
      trustedLogAccountIds: ['444455556666', '777788889999'],
      maximumAutomaticAttempts: 3,
      automaticRemediation: true,
      ruleParameters: { readWriteType: 'WriteOnly' },
    });
  });
});

describe('CloudTrailOneRule logical IDs', () => {
  const projectIds = () => {
    const { stack } = synthApp({}, { rollout: false });
    return Object.keys(Template.fromStack(stack).toJSON().Resources).sort();
  };

  it('are, in a stack of a user’s, the project stack’s IDs after the construct’s ID', () => {
    const stack = userStack();
    new CloudTrailOneRule(stack, 'CloudTrailOne');
    const ids = Object.keys(Template.fromStack(stack).toJSON().Resources).sort();
    expect(ids).toEqual(
      projectIds()
        .map((id) => `CloudTrailOne${id}`)
        .sort(),
    );
  });

  it('put the IDs of the scopes between the stack and the construct first', () => {
    const stack = userStack();
    new CloudTrailOneRule(new Construct(stack, 'Security'), 'Trail-Rule');
    const ids = Object.keys(Template.fromStack(stack).toJSON().Resources);
    expect(ids).toContain('SecurityTrailRuleConfigRule');
    expect(ids.every((id) => id.startsWith('SecurityTrailRule'))).toBe(true);
  });
});

describe('the documented props of the package', () => {
  it('document every option with what it accepts and its default', () => {
    const text = propsInterface();
    for (const [name, entry] of Object.entries(DEPLOYMENT_OPTION_SCHEMA)) {
      const declaration = new RegExp(
        `\\* Accepts: [^\\n]*\\n[^\\n]*@example[^\\n]*\\n[^\\n]*@default ([^\\n]*)\\n\\s*\\*/\\n\\s*readonly ${name}\\?:`,
      ).exec(text);
      expect([name, declaration?.[1]]).toEqual([name, defaultText(entry)]);
    }
  });

  it('are the props typed from the schema: the same names, and no value the schema’s type refuses', () => {
    // Checked by the TypeScript compiler. The documented type may be narrower: a choice whose
    // values the schema computes (cloudWatchLogsRetentionDays) is a string there, its values here.
    const dir = temporaryDirectory('cloudtrail1-props-');
    const file = join(dir, 'props-check.ts');
    writeFileSync(
      file,
      [
        `import type { CloudTrailOneRuleProps as FromSchema } from '${join(ROOT, 'stack', 'cloudtrail-one-rule')}';`,
        propsInterface().replace('export interface CloudTrailOneRuleProps', 'interface Documented'),
        'type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;',
        'export const names: Same<keyof Documented, keyof FromSchema> = true;',
        'export const values: Documented extends FromSchema ? true : false = true;',
      ].join('\n'),
    );
    const tsc = require.resolve('typescript/bin/tsc');
    const run = () =>
      execFileSync(
        process.execPath,
        [
          tsc,
          '--ignoreConfig',
          '--noEmit',
          '--strict',
          '--skipLibCheck',
          '--module',
          'preserve',
          '--moduleResolution',
          'bundler',
          '--target',
          'es2022',
          '--types',
          'node',
          file,
        ],
        { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' },
      );
    try {
      run();
    } catch (error) {
      throw new Error(`tsc: ${(error as { stdout?: string }).stdout}`);
    }
  }, 120_000);
});
