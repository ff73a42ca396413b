// A CDK app of a user of the package, as the consumer test installs it in a
// scratch directory: its own stack, the package's construct with a few
// options, and the validators the project runs on its own synths (cdk-nag's
// AwsSolutions checks, AWS Control Tower's rules), which stop the synth on
// any finding that is not acknowledged.
//   node app.cjs <options.json> <context.json> <outdir>
// Writes the stack's template to <outdir>/template.json, and cdk-nag's
// report on the stack (the findings it did not see acknowledged) to
// <outdir>/nag.json; the synth writes the validators' report,
// <outdir>/validation-report.json.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { App, Stack, Validations } = require('aws-cdk-lib');
const { AwsSolutionsChecks } = require('cdk-nag');
const { CfnGuardValidator } = require('@cdklabs/cdk-validator-cfnguard');
const { CloudTrailOneRule, GUARD_DISABLED_RULES } = require('cloudtrail-multi-region-rule');

const [optionsFile, contextFile, outdir] = process.argv.slice(2);
const options = JSON.parse(readFileSync(optionsFile, 'utf8'));
const context = JSON.parse(readFileSync(contextFile, 'utf8'));

const app = new App({ outdir, context });
const stack = new Stack(app, 'Consumer', { analyticsReporting: false });
new CloudTrailOneRule(stack, 'CloudTrailOne', options);
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app, { verbose: true }),
  new CfnGuardValidator({
    controlTowerRulesEnabled: true,
    disabledRules: Object.keys(GUARD_DISABLED_RULES),
  }),
);
const template = app.synth().getStackArtifact(stack.artifactId).template;
writeFileSync(join(outdir, 'template.json'), JSON.stringify(template, null, 1));
const nag = new AwsSolutionsChecks().validateScope(stack);
writeFileSync(
  join(outdir, 'nag.json'),
  JSON.stringify({
    success: nag.success,
    violations: nag.violations.map(
      (v) => `${v.ruleName} at ${v.violatingResources[0]?.constructPath}`,
    ),
  }),
);
