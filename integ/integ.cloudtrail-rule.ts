import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Aws, Duration, Fn, Stack } from 'aws-cdk-lib';
import { buildApp, cdkJsonContext } from '../stack/build-app';
import { resourceNames } from '../stack/names';
import { removeStackTraces } from './assembly-files';
import { expectedCompliance } from './expected-compliance';

/*
 * The acceptance test against a real account, run by `npm run integ` (see
 * docs/developing.md, "Acceptance test in a sandbox account") with the
 * project's own CDK CLI. It deploys the stack that
 * `cdk deploy CloudTrailRule` deploys (the same buildApp, the default options,
 * cdk.json's feature flags, cdk-nag), then, from integ-tests' assertion stack:
 *
 * 1. starts an evaluation of the rule and waits until the rule has reported
 *    the account, then asserts that the verdict is the one the CLI gave for
 *    the same account and Region just before (CLOUDTRAIL_RULE_EXPECTED_COMPLIANCE,
 *    set by scripts/integ.ts);
 * 2. runs the remediation document with DryRun=true and asserts that the
 *    automation succeeds.
 *
 * Each assertion is a custom resource of the assertion stack, run by
 * CloudFormation as `cdk deploy` deploys it; its result is a stack output
 * that scripts/integ.ts reads, and `cdk destroy` then deletes both stacks.
 * The same file, synthesized without deploying, is the snapshot that `npm
 * test` compares (`npm run integ:snapshot`).
 */

// cdk.json's feature flags (names with a ":"), so the stack is the one `cdk deploy` builds; no
// options from cdk.json, so they stay the defaults the CLI evaluates with.
// No stack traces in the metadata: the snapshot holds no paths of the machine that wrote it.
const featureFlags = Object.fromEntries(
  Object.entries(cdkJsonContext()).filter(([name]) => name.includes(':')),
);
const { app, stack } = buildApp(
  {
    postCliContext: {
      ...featureFlags,
      'aws:cdk:disable-stack-trace': true,
      'aws:cdk:disable-creation-stack-traces': true,
    },
  },
  { rollout: false },
);

// The assertions deploy after the stack they test, and are destroyed with it.
const assertionStack = new Stack(app, 'CloudTrailRuleIntegAssertions', {
  analyticsReporting: false,
});
assertionStack.addStackDependency(stack);

const integ = new IntegTest(app, 'CloudTrailRuleInteg', {
  testCases: [stack],
  assertionStack,
  // Nothing deploys an old snapshot (it keeps templates only, not the bundles), and asset hashes,
  // which change with every code change, are left out of the comparison (integ/assembly-files.ts).
  stackUpdateWorkflow: false,
  diffAssets: false,
});

const names = resourceNames(stack.stackName);
const verdict = expectedCompliance(process.env);
const evaluationWait = {
  totalTimeout: Duration.minutes(10),
  interval: Duration.seconds(20),
} as const;

// Config refuses a second start while an evaluation runs (LimitExceededException):
// the waiter retries it, since the rule's first evaluation starts when it is created.
const start = integ.assertions
  .awsApiCall('ConfigService', 'startConfigRulesEvaluation', {
    ConfigRuleNames: [names.ruleName],
  })
  .waitForAssertions(evaluationWait);

const ANY_COMPLIANCE = Match.stringLikeRegexp('^(COMPLIANT|NON_COMPLIANT|NOT_APPLICABLE)$');
const accountEvaluation = (compliance: unknown) => ({
  EvaluationResults: Match.arrayWith([
    Match.objectLike({
      ComplianceType: compliance,
      EvaluationResultIdentifier: Match.objectLike({
        EvaluationResultQualifier: Match.objectLike({
          ConfigRuleName: names.ruleName,
          ResourceType: 'AWS::::Account',
          ResourceId: Aws.ACCOUNT_ID,
        }),
      }),
    }),
  ]),
});
const complianceDetails = {
  ConfigRuleName: names.ruleName,
  ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'],
};

// Wait for the account's evaluation, whatever it says; then compare it once, so a
// disagreement fails at once instead of after the whole wait.
const evaluated = integ.assertions
  .awsApiCall('ConfigService', 'getComplianceDetailsByConfigRule', complianceDetails)
  .expect(ExpectedResult.objectLike(accountEvaluation(ANY_COMPLIANCE)))
  .waitForAssertions(evaluationWait);
const agrees = integ.assertions
  .awsApiCall('ConfigService', 'getComplianceDetailsByConfigRule', complianceDetails)
  .expect(ExpectedResult.objectLike(accountEvaluation(verdict)));
start.next(evaluated).next(agrees);

// The remediation, as Config would run it, but planning only.
// The automation role by its fixed name, as the stack names it (its AutomationRoleArn output):
// a reference to the output would add an export to the stack under test.
const automationRoleArn = Fn.sub(
  `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${names.automationRoleNamePattern}`,
);
const dryRun = integ.assertions.awsApiCall('SSM', 'startAutomationExecution', {
  DocumentName: names.documentName,
  Parameters: {
    AutomationAssumeRole: [automationRoleArn],
    AccountId: [Aws.ACCOUNT_ID],
    DryRun: ['true'],
  },
});
// SSM checks that the caller may pass the role it names.
dryRun.provider.addToRolePolicy({
  Effect: 'Allow',
  Action: ['iam:PassRole'],
  Resource: [automationRoleArn],
  Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
});
const execution = { AutomationExecutionId: dryRun.getAttString('AutomationExecutionId') };
const finished = integ.assertions
  .awsApiCall('SSM', 'getAutomationExecution', execution)
  .expect(
    ExpectedResult.objectLike({
      AutomationExecution: Match.objectLike({
        AutomationExecutionStatus: Match.stringLikeRegexp(
          '^(Success|Failed|TimedOut|Cancelled|CompletedWithSuccess|CompletedWithFailure|Exited)$',
        ),
      }),
    }),
  )
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(15) });
const succeeded = integ.assertions.awsApiCall('SSM', 'getAutomationExecution', execution).expect(
  ExpectedResult.objectLike({
    AutomationExecution: Match.objectLike({ AutomationExecutionStatus: 'Success' }),
  }),
);
agrees.next(dryRun).next(finished).next(succeeded);

// The CDK CLI reads the assembly after this process ends: write it now, without this machine's
// paths, and otherwise as aws-cdk-lib writes it.
const assembly = app.synth();
removeStackTraces(assembly.directory);
