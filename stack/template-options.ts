// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::…} here are CloudFormation Fn::Sub variables.
import { defaultBucketName } from '../remediation/input';
import type { ExecutionFrequency } from './options';
import { type DeploymentOptions, retryWindow, ruleInputParameters } from './options';

/**
 * The deployment options as a template holds them. The single-account stack
 * and the conformance pack write literal values (what `cdk synth -c` was
 * given); the organization's member template writes references to its own
 * CloudFormation parameters, so one template serves every account with the
 * values a StackSet passes. `definitions.ts` builds every resource from this
 * one shape, so both kinds of template get the same resources.
 */

/** A CloudFormation value: a literal string, a CDK token, or an intrinsic function object. */
export type CfnValue = string | { readonly [intrinsic: string]: unknown };

/** How a definition refers to the account it is deployed in. */
export interface Intrinsics {
  /** `Fn::Sub` of a pattern using `${AWS::Partition}`, `${AWS::Region}` and `${AWS::AccountId}`. */
  sub(pattern: string): CfnValue;
  /** `Ref: AWS::AccountId`. */
  accountId: CfnValue;
}

/** Intrinsics as a plain template writes them. */
export const TEMPLATE_INTRINSICS: Intrinsics = {
  sub: (pattern) => ({ 'Fn::Sub': pattern }),
  accountId: { Ref: 'AWS::AccountId' },
};

/** A yes/no the template decides: a literal, or the name of a template condition. */
export type Switch = boolean | { readonly condition: string };

/** A value that is left out unless a template condition holds. */
export interface Conditional {
  readonly when: string;
  readonly value: CfnValue;
}

/** An optional value: absent, always present, or present when a condition holds. */
export type OptionalValue = undefined | CfnValue | Conditional;

export const NO_VALUE = { Ref: 'AWS::NoValue' } as const;

export interface TemplateOptions {
  /** The rule name: literal, or a CDK token for the parameter (names are built from it). */
  ruleName: string;
  maximumExecutionFrequency: ExecutionFrequency | CfnValue;
  triggerOnTrailChange: Switch;
  /** The Config rule's InputParameters: strings, unset ones left out (or `AWS::NoValue`). */
  inputParameters: Record<string, CfnValue>;
  /** The same parameters as the JSON text the remediation function reads (`RULE_PARAMETERS`): literal, or a CDK token. */
  ruleParametersJson: string;
  automaticRemediation: boolean | CfnValue;
  maximumAutomaticAttempts: number | CfnValue;
  retryAttemptSeconds: number | CfnValue;
  /** Document parameters the remediation configuration sets statically. */
  remediationStatics: {
    TrailName: OptionalValue;
    BucketName: OptionalValue;
    KmsKeyId: OptionalValue;
  };
  /** The log bucket's ARN, the remediation's only S3 resource. */
  bucketResource(cfn: Intrinsics): CfnValue;
  /** The keys the remediation may check and grant CloudTrail on. */
  keyResource(cfn: Intrinsics): CfnValue;
  /** Whether the remediation may change that key's policy: only when a key is configured. */
  grantKeyPolicy: Switch;
  /** The configured key as the function reads it (`KMS_KEY_ID`): literal or a CDK token, `''` when none. */
  configuredKmsKeyId: string;
  /** Where both functions run and who hears of their errors. */
  functions: FunctionPlacement;
}

/** Both functions' log group key, VPC and alarm topic: each optional. */
export interface FunctionPlacement {
  /** The log groups' `KmsKeyId`. */
  logGroupKmsKeyArn: OptionalValue;
  /**
   * The functions' `VpcConfig`: `{ SubnetIds, SecurityGroupIds }`. Where a
   * template condition decides it, `waitFor` (a reference) is folded into
   * the subnet IDs without changing them, so the function waits for it.
   */
  vpcConfig(waitFor?: CfnValue): OptionalValue;
  /** The template condition (or literal) that the functions are in a VPC. */
  inVpc: Switch;
  /** The subnets and security groups, as the ARNs `ec2:CreateNetworkInterface` is limited to. */
  vpcResources(cfn: Intrinsics): CfnValue[];
  /** The alarms' topic. */
  alarmTopicArn: OptionalValue;
}

/** Items of a list that are present, as the switch says; `Fn::If` with `AWS::NoValue` when a template condition decides. */
export function includeWhen<T>(decide: Switch, items: T[]): (T | CfnValue)[] {
  if (typeof decide === 'boolean') return decide ? items : [];
  return items.map((item) => ({ 'Fn::If': [decide.condition, item, NO_VALUE] }));
}

/** A value present as the switch says. */
export function presentWhen(decide: Switch, value: CfnValue): OptionalValue {
  if (typeof decide === 'boolean') return decide ? value : undefined;
  return { when: decide.condition, value };
}

/** An optional value as a property: `undefined` when absent (leave the property out). */
export function optionalProperty(
  value: OptionalValue,
  wrap: (v: CfnValue) => unknown,
): unknown | undefined {
  if (value === undefined) return undefined;
  if (isConditional(value)) return { 'Fn::If': [value.when, wrap(value.value), NO_VALUE] };
  return wrap(value);
}

function isConditional(value: CfnValue | Conditional): value is Conditional {
  return typeof value === 'object' && 'when' in value && 'value' in value;
}

const OWN_KEYS_HERE = 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*';

/** The deployment options as literal values: the single-account stack and the conformance pack. */
export function literalTemplateOptions(options: DeploymentOptions): TemplateOptions {
  const inputParameters = ruleInputParameters(options.ruleParameters);
  return {
    ruleName: options.ruleName,
    maximumExecutionFrequency: options.maximumExecutionFrequency,
    triggerOnTrailChange: options.triggerOnTrailChange,
    inputParameters,
    ruleParametersJson: JSON.stringify(inputParameters),
    automaticRemediation: options.automaticRemediation,
    maximumAutomaticAttempts: options.maximumAutomaticAttempts,
    retryAttemptSeconds: retryWindow(options),
    remediationStatics: {
      TrailName: options.trailName,
      BucketName: options.bucketName,
      KmsKeyId: options.kmsKeyId,
    },
    bucketResource: (cfn) => cfn.sub(`arn:\${AWS::Partition}:s3:::${remediationBucket(options)}`),
    keyResource: (cfn) => keyResource(options.kmsKeyId, cfn),
    grantKeyPolicy: options.kmsKeyId !== undefined,
    configuredKmsKeyId: options.kmsKeyId ?? '',
    functions: {
      logGroupKmsKeyArn: options.logGroupKmsKeyArn,
      vpcConfig: () =>
        options.subnetIds === undefined || options.securityGroupIds === undefined
          ? undefined
          : { SubnetIds: options.subnetIds, SecurityGroupIds: options.securityGroupIds },
      inVpc: options.subnetIds !== undefined,
      vpcResources: (cfn) => [
        ...(options.subnetIds ?? []).map((id) => cfn.sub(`${EC2_HERE}:subnet/${id}`)),
        ...(options.securityGroupIds ?? []).map((id) =>
          cfn.sub(`${EC2_HERE}:security-group/${id}`),
        ),
      ],
      alarmTopicArn: options.alarmTopicArn,
    },
  };
}

/** EC2 resources of this account and Region, as an `Fn::Sub` pattern. */
export const EC2_HERE = 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}';

/**
 * The bucket a new trail delivers to, as the remediation chooses it: the
 * `bucketName` option, else the rule's `s3BucketName` (a new trail must pass
 * the rule), else `cloudtrail-logs-<account>-<Region>`.
 */
export function remediationBucket(options: DeploymentOptions): string {
  return (
    options.bucketName ??
    options.ruleParameters.s3BucketName ??
    defaultBucketName('${AWS::AccountId}', '${AWS::Region}')
  );
}

/**
 * The key statement's resource: a key ARN as given; a key ID as that key of
 * this account and Region; otherwise (an alias, or no key configured, since a
 * person can still pass KmsKeyId when running the document by hand) any key
 * of the account the alias names, or of this account, in that Region. KMS
 * authorizes key actions on the key's ARN, never on an alias.
 */
export function keyResource(kmsKeyId: string | undefined, cfn: Intrinsics): CfnValue {
  if (kmsKeyId === undefined || kmsKeyId.startsWith('alias/')) return cfn.sub(OWN_KEYS_HERE);
  const arn = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key|alias)\//.exec(kmsKeyId);
  if (arn === null) {
    return cfn.sub(`arn:\${AWS::Partition}:kms:\${AWS::Region}:\${AWS::AccountId}:key/${kmsKeyId}`);
  }
  const [, partition, region, account, kind] = arn;
  return kind === 'key' ? kmsKeyId : `arn:${partition}:kms:${region}:${account}:key/*`;
}
