import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  App,
  type AppProps,
  DefaultStackSynthesizer,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { cdkJsonContext } from './cdk-json';
import { type CloudTrailOneRuleProps, parseProps } from './cloudtrail-one-rule';
import { Deployment } from './deployment';
import { FunctionCode } from './function-code';
import { memberSettings } from './member-settings';
import { type DeploymentOptions, parseOptions } from './options';
import { GroupedStack } from './resource-group';
import { addValidators } from './validators';

/**
 * The member template: the single-account stack's resources, from the same
 * constructs, as one self-contained CloudFormation template for
 * StackSets. It deploys into an account that was never bootstrapped: the
 * functions' code is inline, there is no asset parameter and no bootstrap
 * version rule, and every option is a template parameter.
 */

/** The member stack's construct ID. */
export const MEMBER_STACK_ID = 'CloudTrailRuleMember';

/**
 * CloudFormation's limits for a template read from S3 (StackSets take the
 * member template by URL: it is over the 51,200 bytes of a TemplateBody).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 */
export const TEMPLATE_LIMITS = {
  /** 1 MB for a stack; the StackSet resource's TemplateURL documentation still says 460,800 bytes, so that is the limit kept. */
  urlBytes: 460_800,
  bodyBytes: 51_200,
  resources: 500,
  parameters: 200,
  outputs: 200,
  descriptionBytes: 1_024,
  parameterValueBytes: 4_096,
} as const;

export interface MemberStackProps extends StackProps {
  /** The options, which become the parameters' defaults. */
  options: DeploymentOptions;
}

/**
 * The member stack: the options as the template's parameters, the
 * functions' code inline, no bootstrap (nothing to look up in the account,
 * no version to check).
 */
export class MemberStack extends GroupedStack {
  readonly deployment: Deployment;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, {
      analyticsReporting: false,
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      ...props,
    });
    this.deployment = new Deployment(this, 'Deployment', {
      settings: memberSettings(this, props.options),
      code: FunctionCode.inline(),
    });
    for (const finding of EMPTY_DEFAULT_FINDINGS) {
      Validations.of(this).acknowledge({ id: finding, reason: EMPTY_DEFAULT_REASON });
    }
  }
}

const MEMBER_DESCRIPTION =
  'AWS Config rule for Security Hub control CloudTrail.1 (CIS 3.1), with its remediation: the member template of an organization rollout.';

/**
 * Builds an app holding only the member stack, with options (the
 * parameters' defaults) read from the app's context like the single-account
 * stack's. cdk-nag's and Control Tower's checks run on it as on every synth.
 */
export function buildMemberApp(props: AppProps = {}): { app: App; stack: MemberStack } {
  const app = new App(props);
  const options = parseOptions(
    (name) => app.node.tryGetContext(name),
    Object.keys(app.node.getAllContext()),
  );
  const stack = new MemberStack(app, MEMBER_STACK_ID, { description: MEMBER_DESCRIPTION, options });
  addValidators(app);
  return { app, stack };
}

/**
 * What CloudFormation's template validation finds in the member template
 * only because it reads a parameter's empty default ("not set") into the
 * `Fn::If` branch that applies when the parameter is set: an empty subnet,
 * security group, key or topic. The branch never sees an empty value, and
 * each parameter's own pattern refuses a malformed one; the tests deploy
 * the template with values set to check those branches.
 */
export const EMPTY_DEFAULT_FINDINGS = [
  'CloudFormation-Validate::W1030',
  'CloudFormation-Validate::F3031',
  'CloudFormation-Validate::E1150',
] as const;
const EMPTY_DEFAULT_REASON =
  "The value is a parameter's empty default read into the Fn::If branch that applies only when that parameter is set (its condition is false when it is empty); each parameter's AllowedPattern refuses a malformed value.";

/**
 * The member template as CloudFormation JSON, for the given context
 * (cdk.json's, plus any `-c` options). Throws `InvalidOptionError` on a bad
 * option, and an error naming the limit when the template exceeds one.
 */
export function memberTemplate(
  context: Record<string, unknown>,
  settings: { validate?: boolean } = {},
): Record<string, unknown> {
  return synthesizeMember((outdir) =>
    buildMemberApp({
      outdir,
      context,
      // CloudFormation's schema checks of the template, offline (on unless a test turns them off).
      builtinCloudFormationValidation: settings.validate ?? true,
    }),
  );
}

/**
 * The template of the member stack `build` puts in an app writing to a
 * temporary directory (removed afterwards), checked against CloudFormation's
 * limits.
 */
function synthesizeMember(
  build: (outdir: string) => { app: App; stack: MemberStack },
): Record<string, unknown> {
  const outdir = mkdtempSync(join(tmpdir(), 'cloudtrail1-member-'));
  try {
    const { app, stack } = build(outdir);
    const template = app.synth().getStackArtifact(stack.artifactId).template as Record<
      string,
      unknown
    >;
    assertWithinLimits(template);
    return template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * The member template for a rollout of one's own (a StackSet, a landing
 * zone's pipeline), from the package: the props of `CloudTrailOneRule`
 * become the parameters' defaults. It is the template `npm run
 * synth:member` writes with the same options (the project's CDK feature
 * flags, the functions' prebuilt code), without the project's validators,
 * which are its development dependencies. Throws `InvalidOptionError` on a
 * bad prop, and an error naming the limit when the template exceeds one.
 *
 * @example
 * writeFileSync('member.template.json', memberTemplateText(buildMemberTemplate({ automaticRemediation: true })));
 */
export function buildMemberTemplate(props: CloudTrailOneRuleProps = {}): Record<string, unknown> {
  const options = parseProps(props);
  return synthesizeMember((outdir) => {
    const app = new App({ outdir, context: cdkJsonContext() });
    const stack = new MemberStack(app, MEMBER_STACK_ID, {
      description: MEMBER_DESCRIPTION,
      options,
    });
    return { app, stack };
  });
}

/** The text `npm run synth:member` writes: what a StackSet or `aws cloudformation` reads. */
export function memberTemplateText(template: Record<string, unknown>): string {
  return `${JSON.stringify(template, null, 1)}\n`;
}

/** Throws when the template breaks one of CloudFormation's template limits. */
export function assertWithinLimits(template: Record<string, unknown>): void {
  const count = (section: string) => Object.keys((template[section] ?? {}) as object).length;
  const checks: [string, number, number][] = [
    [
      'bytes (read from S3)',
      Buffer.byteLength(memberTemplateText(template)),
      TEMPLATE_LIMITS.urlBytes,
    ],
    ['resources', count('Resources'), TEMPLATE_LIMITS.resources],
    ['parameters', count('Parameters'), TEMPLATE_LIMITS.parameters],
    ['outputs', count('Outputs'), TEMPLATE_LIMITS.outputs],
    [
      'description bytes',
      Buffer.byteLength(String(template.Description ?? '')),
      TEMPLATE_LIMITS.descriptionBytes,
    ],
  ];
  for (const [what, actual, limit] of checks) {
    if (actual > limit) {
      throw new Error(
        `The member template has ${actual} ${what}; CloudFormation accepts at most ${limit}.`,
      );
    }
  }
}
