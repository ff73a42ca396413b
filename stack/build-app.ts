import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CloudTrailRuleStack } from './cloudtrail-rule-stack';
import { parseOptions } from './options';

/** The stack's construct ID (what `cdk deploy <id>` and the tests select). */
export const STACK_ID = 'CloudTrailRule';

/**
 * Builds the CDK app: one stack, named after the rule, for the account and
 * Region of the credentials `cdk deploy` uses (no account or Region is
 * looked up, so synth needs none). Options come from context (`-c
 * name=value`): a bad value throws `InvalidOptionError` before anything is
 * built. cdk-nag's AwsSolutions checks run on every synth.
 */
export function buildApp(props: AppProps = {}): { app: App; stack: CloudTrailRuleStack } {
  const app = new App(props);
  const options = parseOptions(
    (name) => app.node.tryGetContext(name),
    Object.keys(app.node.getAllContext()),
  );
  const stack = new CloudTrailRuleStack(app, STACK_ID, {
    stackName: options.ruleName,
    description: `AWS Config rule ${options.ruleName} for Security Hub control CloudTrail.1 (CIS 3.1), with its remediation.`,
    options,
  });
  // Verbose: a finding says why the rule exists, not only what it found.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

/**
 * cdk.json's `context` (feature flags, and any options set there), for
 * whatever builds the deployment outside the CDK CLI: the conformance pack
 * script and the tests see what `cdk synth` sees.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}
