// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::Region} is the Fn::Sub variable of the role name pattern.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnCondition, CfnParameter, DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import { LOG_GROUP_ARN_PATTERN, ROLE_ARN_PATTERN } from '../remediation/input';
import { partitionOf } from '../remediation/policies';
import { PARAMETER_NAMES } from '../rule/parameters';
import { configRuleProps, RULE_DESCRIPTION, remediationConfigurationProps } from './definitions';
import { StackError } from './errors';
import {
  declareParameters,
  declareSetConditions,
  declareSwitch,
  HARDENING_OPTIONS,
  hardeningStatics,
  inputParametersFromTemplate,
} from './member-settings';
import { resourceNames } from './names';
import { defaultUndecidedWindowHours } from './option-schema';
import type { DeploymentOptions } from './options';
import { literalSettings, type Optional, orElse } from './settings';
import { cloudFormationYaml } from './yaml';

/**
 * The conformance pack: the Config rule, pointing at a rule function already
 * deployed in the account, and its remediation configuration, built by the
 * same `definitions.ts` functions as the stack.
 *
 * AWS Config takes no intrinsic function in a pack's automation role or
 * `ConfigRuleName`, so the rule name, the automation role's ARN and the rule
 * function's ARN are literal strings, made for one account and Region (or,
 * for an organization pack, naming the management account, which Config
 * replaces with each member account's ID). The rule's parameters and the
 * options that harden what the remediation creates are pack parameters,
 * with `Fn::If` and `AWS::NoValue` for the optional ones, as AWS's own
 * sample packs do. A pack holds no key, log group or role: where the stack
 * creates one for the trails, the pack takes its ARN ({@link PACK_ARN_PARAMETERS}).
 */

/** AWS Config rejects pack templates larger than this (TemplateBody). */
export const MAX_TEMPLATE_BYTES = 51_200;

export const RULE_LOGICAL_ID = 'CloudTrailMultiRegionRule';
export const REMEDIATION_LOGICAL_ID = 'CloudTrailMultiRegionRemediation';

/** An AWS account ID: 12 digits. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** An AWS Region name: `eu-west-1`, `us-gov-west-1`, `cn-north-1`. */
export const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+){1,2}-\d{1,2}$/;
/** The partitions the deployment builds ARNs for (the remediation's own `partitionOf`). */
export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
export type Partition = (typeof PARTITIONS)[number];

/** The pack was asked for an account, Region or partition that cannot be. */
export class InvalidPackTargetError extends StackError {
  override readonly name = 'InvalidPackTargetError';
}

/** Where the pack is deployed, which its literal ARNs name. */
export interface PackTarget {
  /**
   * The account in the ARNs: the account the pack is deployed in, or, for an
   * organization pack, the organization's management account.
   */
  accountId: string;
  /** The Region the pack is deployed in: the rule function's and the automation role's. */
  region: string;
  /** The Region's partition, as `partitionOf` gives it. */
  partition: Partition;
  /** For `PutOrganizationConformancePack` rather than `PutConformancePack`. */
  organization: boolean;
}

/** The partition of a Region, as the remediation builds its ARNs: `cn-…` aws-cn, `us-gov-…` aws-us-gov, else aws. */
export function regionPartition(region: string): Partition {
  const partition = partitionOf(region);
  const known = PARTITIONS.find((p) => p === partition);
  if (known === undefined) throw new Error(`No partition for Region ${region}`);
  return known;
}

/** Refuses a target whose ARNs would not be an account's: the CLI validates its arguments before this. */
function assertPackTarget(target: PackTarget): void {
  if (!ACCOUNT_ID_PATTERN.test(target.accountId)) {
    throw new InvalidPackTargetError(
      `"${target.accountId}" is not an AWS account ID: give its 12 digits.`,
    );
  }
  if (!REGION_PATTERN.test(target.region)) {
    throw new InvalidPackTargetError(
      `"${target.region}" is not an AWS Region name: give one like eu-west-1.`,
    );
  }
  if (target.partition !== regionPartition(target.region)) {
    throw new InvalidPackTargetError(
      `Region ${target.region} is in partition ${regionPartition(target.region)}, not ${target.partition}.`,
    );
  }
}

/** A KMS key's ARN (a key ID or alias would name another key than the stack's output does). */
const KEY_ARN_PATTERN = '^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]{1,128}$';

/**
 * What the stack creates for the trails and a pack cannot (it holds only a
 * rule and a remediation configuration), as pack parameters that take the
 * ARN instead: the stack's outputs of the same names, each passed to the
 * document parameter it names.
 */
export const PACK_ARN_PARAMETERS = {
  TrailKeyArn: {
    document: 'KmsKeyId',
    pattern: KEY_ARN_PATTERN,
    accepts: 'a KMS key ARN',
    description:
      "The ARN of the KMS key new trails encrypt their log files with: the stack's TrailKeyArn output (trailKey=create), since a pack cannot create a key. Empty: the stack's kmsKeyId, else none.",
  },
  TrailLogGroupArn: {
    document: 'CloudWatchLogsLogGroupArn',
    pattern: LOG_GROUP_ARN_PATTERN,
    accepts: 'a CloudWatch Logs log group ARN',
    description:
      "The ARN of the CloudWatch Logs log group new trails send their events to: the stack's TrailLogGroupArn output (cloudWatchLogs=true), since a pack cannot create a log group. Set with TrailLogsRoleArn. Empty: none.",
  },
  TrailLogsRoleArn: {
    document: 'CloudWatchLogsRoleArn',
    pattern: ROLE_ARN_PATTERN,
    accepts: 'an IAM role ARN',
    description:
      "The ARN of the role CloudTrail assumes to write to that log group: the stack's TrailLogsRoleArn output. Set with TrailLogGroupArn. Empty: none.",
  },
} as const;

/** Declares the {@link PACK_ARN_PARAMETERS}, each with `Has<Parameter>`, as the document parameter each sets. */
function declareArnParameters(
  scope: Stack,
): Record<
  (typeof PACK_ARN_PARAMETERS)[keyof typeof PACK_ARN_PARAMETERS]['document'],
  Optional<string>
> {
  const statics = {} as Record<
    (typeof PACK_ARN_PARAMETERS)[keyof typeof PACK_ARN_PARAMETERS]['document'],
    Optional<string>
  >;
  for (const [name, spec] of Object.entries(PACK_ARN_PARAMETERS)) {
    const parameter = new CfnParameter(scope, name, {
      type: 'String',
      default: '',
      description: spec.description,
      allowedPattern: `^$|${spec.pattern}`,
      constraintDescription: `must be ${spec.accepts}, or empty.`,
    });
    const has = new CfnCondition(scope, `Has${name}`, {
      expression: Fn.conditionNot(Fn.conditionEquals('', parameter.valueAsString)),
    });
    statics[spec.document] = { when: has, value: parameter.valueAsString };
  }
  return statics;
}

/** The rule function's ARN, with the name the stack gives it. */
export function ruleFunctionArn(ruleName: string, target: PackTarget): string {
  const { ruleFunctionName } = resourceNames(ruleName);
  return `arn:${target.partition}:lambda:${target.region}:${target.accountId}:function:${ruleFunctionName}`;
}

/** The automation role's ARN, with the name the stack gives it: `<ruleName>-automation-<Region>`. */
export function automationRoleArn(ruleName: string, target: PackTarget): string {
  const roleName = resourceNames(ruleName).automationRoleNamePattern.replaceAll(
    '${AWS::Region}',
    target.region,
  );
  if (roleName.includes('${') || roleName.length > 64) {
    throw new Error(`The automation role name ${roleName} is not a literal IAM role name`);
  }
  return `arn:${target.partition}:iam::${target.accountId}:role/${roleName}`;
}

/**
 * The pack as a stack: its parameters (the rule's, the hardening options',
 * the ARNs of what the stack created for the trails), their conditions, and
 * the Config rule and remediation configuration, from the same settings and
 * property functions as the deployment's constructs, with the other options
 * as literal values.
 */
export class ConformancePackStack extends Stack {
  constructor(scope: App, id: string, options: DeploymentOptions, target: PackTarget) {
    super(scope, id, {
      analyticsReporting: false,
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });
    const literal = literalSettings(options);
    const parameters = declareParameters(this, options, [...PARAMETER_NAMES, ...HARDENING_OPTIONS]);
    const conditions = declareSetConditions(this, parameters);
    const harden = declareSwitch(this, 'hardenRepairedTrail', parameters.hardenRepairedTrail);
    const arns = declareArnParameters(this);
    const settings = {
      ...literal,
      remediationStatics: {
        ...literal.remediationStatics,
        ...hardeningStatics(parameters, conditions, harden),
        KmsKeyId: orElse(arns.KmsKeyId, literal.remediationStatics.KmsKeyId),
        CloudWatchLogsLogGroupArn: arns.CloudWatchLogsLogGroupArn,
        CloudWatchLogsRoleArn: arns.CloudWatchLogsRoleArn,
      },
    };
    const rule = new config.CfnConfigRule(
      this,
      RULE_LOGICAL_ID,
      configRuleProps(settings, {
        ruleFunctionArn: ruleFunctionArn(options.ruleName, target),
        inputParameters: inputParametersFromTemplate(parameters, conditions, {
          undecidedWindowHours: String(
            defaultUndecidedWindowHours(options.maximumExecutionFrequency),
          ),
        }),
      }),
    );
    const remediation = new config.CfnRemediationConfiguration(
      this,
      REMEDIATION_LOGICAL_ID,
      remediationConfigurationProps(settings, {
        automationRoleArn: automationRoleArn(options.ruleName, target),
      }),
    );
    // One name, as AWS's sample packs write a single dependency.
    remediation.addOverride('DependsOn', rule.logicalId);
  }
}

/**
 * The order a pack template's keys are written in, as AWS's sample packs
 * write them: a key listed here before a key listed later; others keep
 * their place, after the listed ones.
 */
const KEY_ORDER = [
  'Type',
  'Default',
  'DependsOn',
  'ConfigRuleName',
  'Description',
  'AllowedValues',
  'AllowedPattern',
  'ConstraintDescription',
  'MinValue',
  'MaxValue',
  'InputParameters',
  'Scope',
  'Source',
  'Owner',
  'SourceIdentifier',
  'SourceDetails',
  'EventSource',
  'MessageType',
  'MaximumExecutionFrequency',
  'TargetType',
  'TargetId',
  'Parameters',
  'Conditions',
  'Resources',
  'Properties',
  'Automatic',
  'MaximumAutomaticAttempts',
  'RetryAttemptSeconds',
];

function inKeyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inKeyOrder);
  if (value === null || typeof value !== 'object') return value;
  const rank = (key: string) => {
    const index = KEY_ORDER.indexOf(key);
    return index === -1 ? KEY_ORDER.length : index;
  };
  return Object.fromEntries(
    Object.entries(value)
      .map(([key, v], index) => ({ key, v, index }))
      .sort((a, b) => rank(a.key) - rank(b.key) || a.index - b.index)
      .map(({ key, v }) => [key, inKeyOrder(v)]),
  );
}

/** The pack template as an object (what {@link conformancePackYaml} writes). */
export function conformancePackTemplate(
  options: DeploymentOptions,
  target: PackTarget,
): Record<string, unknown> {
  assertPackTarget(target);
  const outdir = mkdtempSync(join(tmpdir(), 'cloudtrail1-pack-'));
  try {
    const app = new App({ outdir });
    const stack = new ConformancePackStack(app, 'ConformancePack', options, target);
    const template = app.synth().getStackArtifact(stack.artifactId).template as unknown;
    return inKeyOrder(template) as Record<string, unknown>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * The pack template as YAML, ready for `aws configservice
 * put-conformance-pack` (or `put-organization-conformance-pack`)
 * `--template-body`.
 */
export function conformancePackYaml(options: DeploymentOptions, target: PackTarget): string {
  const names = resourceNames(options.ruleName);
  const needs = `the rule function ${names.ruleFunctionName}, the remediation function, the SSM document ${names.documentName} and the automation role (see docs/conformance-pack.md).`;
  const where = target.organization
    ? [
        `# For put-organization-conformance-pack in ${target.region}. The ARNs name the management account`,
        `# ${target.accountId}; AWS Config puts each member account's ID in its place. Each member account needs,`,
        `# in ${target.region}: ${needs}`,
      ]
    : [
        `# For put-conformance-pack in account ${target.accountId}, Region ${target.region}. It needs there:`,
        `# ${needs}`,
      ];
  const header = [
    '# Conformance pack: Security Hub CloudTrail.1 (CIS 3.1), with remediation.',
    `# ${RULE_DESCRIPTION}`,
    '# Generated by `npm run conformance-pack` from stack/definitions.ts: do not edit by hand.',
    ...where,
    '',
  ].join('\n');
  return header + cloudFormationYaml(conformancePackTemplate(options, target));
}
