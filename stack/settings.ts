// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::…} here are CloudFormation Fn::Sub variables.
import { Aws, type CfnCondition, Fn, type IResolvable } from 'aws-cdk-lib';
import { defaultBucketName } from '../remediation/input';
import { resourceNames } from './names';
import { type DeploymentOptions, retryWindow, ruleInputParameters } from './options';
import { EC2_HERE } from './statements';

/**
 * The settings the rule's and the remediation's constructs take. Each is a
 * literal value (the single-account stack and the conformance pack: what
 * `cdk synth -c` was given) or a CDK token for the member template's
 * parameters, conditions and mapping (`CfnParameter`, `Fn.conditionIf`,
 * `Aws.NO_VALUE`, `Fn.sub`, `Fn.findInMap`), so one template serves every
 * account with the values a StackSet passes.
 */

/** A yes/no: decided now, or by a template condition at deploy time. */
export type Switch = boolean | CfnCondition;

/** A value that may be left out: absent, present, or present when a template condition holds. */
export type Optional<T> = undefined | T | When<T>;

/** A value present only when a template condition holds. */
export interface When<T> {
  readonly when: CfnCondition;
  readonly value: T;
}

/** Whether a template condition decides the value. */
export function isWhen<T>(value: Optional<T>): value is When<T> {
  return typeof value === 'object' && value !== null && 'when' in value && 'value' in value;
}

/**
 * An optional value as a property: `undefined` (leave it out) when absent,
 * else the value as `wrap` writes it, inside `Fn.conditionIf` with
 * `Aws.NO_VALUE` when a template condition decides.
 */
export function optionalProperty<T, W>(
  value: Optional<T>,
  wrap: (v: T) => W,
): W | IResolvable | undefined {
  if (value === undefined) return undefined;
  if (isWhen(value)) return Fn.conditionIf(value.when.logicalId, wrap(value.value), Aws.NO_VALUE);
  return wrap(value);
}

/**
 * The items when the switch is on. When a template condition decides, each
 * item is inside `Fn.conditionIf` with `Aws.NO_VALUE`, written as
 * CloudFormation spells it (`written`): a typed property takes an intrinsic
 * function as it is.
 */
export function includeWhen<T>(
  decide: Switch,
  items: T[],
  written: (item: T) => unknown,
): (T | IResolvable)[] {
  if (typeof decide === 'boolean') return decide ? items : [];
  return items.map((item) => Fn.conditionIf(decide.logicalId, written(item), Aws.NO_VALUE));
}

/** Where both functions run and who hears of their errors. */
export interface FunctionPlacement {
  /** The log groups' KMS key ARN. */
  logGroupKmsKeyArn: Optional<string>;
  /** The functions' subnets and security groups. */
  vpc: Optional<VpcPlacement>;
  /** The subnets and security groups, as the ARNs `ec2:CreateNetworkInterface` is limited to. */
  vpcResources: string[];
  /** The alarms' topic. */
  alarmTopicArn: Optional<string>;
}

export interface VpcPlacement {
  /**
   * The subnet IDs. Where a template condition decides the VPC, `waitFor`
   * (a reference) is folded into them without changing them, so that the
   * function waits for it: a `DependsOn` on a resource whose condition is
   * false would keep the function from being created.
   */
  subnetIds(waitFor?: string): string[];
  securityGroupIds: string[];
}

/** The deployment's settings, as the constructs take them. */
export interface DeploymentSettings {
  /** The rule name: every other name derives from it. */
  ruleName: string;
  /** The three roles' names (IAM names are global to the account, so each holds the Region). */
  roleNames: { rule: string; remediation: string; automation: string };
  maximumExecutionFrequency: string;
  triggerOnTrailChange: Switch;
  /** The Config rule's InputParameters: strings, unset ones left out (or `Aws.NO_VALUE`). */
  inputParameters: Record<string, string>;
  /** The same parameters as the JSON text the remediation function reads (`RULE_PARAMETERS`). */
  ruleParametersJson: string;
  automaticRemediation: boolean | IResolvable;
  maximumAutomaticAttempts: number;
  retryAttemptSeconds: number;
  /** Document parameters the remediation configuration sets statically. */
  remediationStatics: {
    TrailName: Optional<string>;
    BucketName: Optional<string>;
    KmsKeyId: Optional<string>;
  };
  /** The log bucket's ARN, the remediation's only S3 resource. */
  bucketArn: string;
  /** The keys the remediation may check and grant CloudTrail on. */
  keyArn: string;
  /** Whether the remediation may change that key's policy: only when a key is configured. */
  grantKeyPolicy: Switch;
  /** The configured key as the function reads it (`KMS_KEY_ID`), `''` when none. */
  configuredKmsKeyId: string;
  functions: FunctionPlacement;
}

/** The roles' names, from the `Fn::Sub` patterns of `names.ts`, with the given variables. */
export function roleNames(
  ruleName: string,
  variables?: Record<string, string>,
): DeploymentSettings['roleNames'] {
  const names = resourceNames(ruleName);
  return {
    rule: Fn.sub(names.ruleRoleNamePattern, variables),
    remediation: Fn.sub(names.remediationRoleNamePattern, variables),
    automation: Fn.sub(names.automationRoleNamePattern, variables),
  };
}

const OWN_KEYS_HERE = 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*';

/** The deployment options as literal values: the single-account stack and the conformance pack. */
export function literalSettings(options: DeploymentOptions): DeploymentSettings {
  const inputParameters = ruleInputParameters(options.ruleParameters);
  const { subnetIds, securityGroupIds } = options;
  return {
    ruleName: options.ruleName,
    roleNames: roleNames(options.ruleName),
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
    bucketArn: Fn.sub(`arn:\${AWS::Partition}:s3:::${remediationBucket(options)}`),
    keyArn: keyResource(options.kmsKeyId),
    grantKeyPolicy: options.kmsKeyId !== undefined,
    configuredKmsKeyId: options.kmsKeyId ?? '',
    functions: {
      logGroupKmsKeyArn: options.logGroupKmsKeyArn,
      vpc:
        subnetIds === undefined || securityGroupIds === undefined
          ? undefined
          : { subnetIds: () => subnetIds, securityGroupIds },
      vpcResources: [
        ...(subnetIds ?? []).map((id) => Fn.sub(`${EC2_HERE}:subnet/${id}`)),
        ...(securityGroupIds ?? []).map((id) => Fn.sub(`${EC2_HERE}:security-group/${id}`)),
      ],
      alarmTopicArn: options.alarmTopicArn,
    },
  };
}

/**
 * The bucket a new trail delivers to, as the remediation chooses it: the
 * `bucketName` option, else the rule's `s3BucketName` (a new trail must pass
 * the rule), else `cloudtrail-logs-<account>-<Region>`.
 */
function remediationBucket(options: DeploymentOptions): string {
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
function keyResource(kmsKeyId: string | undefined): string {
  if (kmsKeyId === undefined || kmsKeyId.startsWith('alias/')) return Fn.sub(OWN_KEYS_HERE);
  const arn = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key|alias)\//.exec(kmsKeyId);
  if (arn === null) {
    return Fn.sub(`arn:\${AWS::Partition}:kms:\${AWS::Region}:\${AWS::AccountId}:key/${kmsKeyId}`);
  }
  const [, partition, region, account, kind] = arn;
  return kind === 'key' ? kmsKeyId : `arn:${partition}:kms:${region}:${account}:key/*`;
}
