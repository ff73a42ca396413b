// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::…} here are CloudFormation Fn::Sub variables.
import { Aws, type CfnCondition, Fn, type IResolvable, Token } from 'aws-cdk-lib';
import {
  DEFAULT_TRAIL_NAME,
  defaultAccessLogBucketName,
  defaultBucketName,
} from '../remediation/input';
import { resourceNames } from './names';
import {
  type DeploymentOptions,
  deployedRuleParameters,
  retryWindow,
  ruleInputParameters,
} from './options';
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

/** A value present when a template condition holds; otherwise `otherwise`, or absent. */
export interface When<T> {
  readonly when: CfnCondition;
  readonly value: T;
  readonly otherwise?: Optional<T>;
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
  if (isWhen(value)) {
    const otherwise = optionalProperty(value.otherwise, wrap);
    return Fn.conditionIf(value.when.logicalId, wrap(value.value), otherwise ?? Aws.NO_VALUE);
  }
  return wrap(value);
}

/** `value` where the switch is on, else `otherwise` (absent unless given). */
export function whenOn<T>(on: Switch, value: T, otherwise?: Optional<T>): Optional<T> {
  if (typeof on === 'boolean') return on ? value : otherwise;
  return otherwise === undefined ? { when: on, value } : { when: on, value, otherwise };
}

/** The first of two optional values that is present, as a template condition decides where one does. */
export function orElse<T>(first: Optional<T>, second: Optional<T>): Optional<T> {
  if (first === undefined) return second;
  if (!isWhen(first)) return first;
  const otherwise = orElse(first.otherwise, second);
  return otherwise === undefined
    ? { when: first.when, value: first.value }
    : { ...first, otherwise };
}

/** One of two strings, as the switch decides: now, or by `Fn::If` at deploy time. */
export function choose(on: Switch, value: string, otherwise: string): string {
  if (typeof on === 'boolean') return on ? value : otherwise;
  return Token.asString(Fn.conditionIf(on.logicalId, value, otherwise));
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
  /** Each function's reserved concurrency; absent for none. */
  reservedConcurrency: Optional<number>;
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
  /** The roles' names (IAM names are global to the account, so each holds the Region). */
  roleNames: { rule: string; remediation: string; automation: string; trailLogs: string };
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
  remediationStatics: RemediationStatics;
  /**
   * The 8 hexadecimal digits that end the default bucket names, from the
   * stack's own ID (`LOG_BUCKET_SUFFIX`): unknown outside the account, so
   * nobody can create the bucket first under the name the remediation will use.
   */
  logBucketSuffix: string;
  /** The log bucket's and the access-log bucket's ARNs: the buckets the remediation creates and secures. */
  bucketArns: string[];
  /**
   * The accounts whose buckets a trail may deliver to (`s3:ResourceAccount`):
   * this one alone (a string), or with the trusted log accounts (a list).
   */
  logAccounts: string | string[];
  /** The trusted log accounts as the function reads them (`TRUSTED_LOG_ACCOUNT_IDS`), `''` for none. */
  trustedLogAccountIds: string;
  /** Whether the remediation may harden a repaired trail's own bucket (`hardenRepairedTrail`). */
  hardenRepairedTrail: Switch;
  /** The keys the remediation may check and grant CloudTrail on. */
  keyArn: string;
  /**
   * Whether the remediation may change that key's policy: when a key is
   * configured, or when the deployment creates one and a repaired trail may
   * be encrypted with it (its policy names only the trail the remediation creates).
   */
  grantKeyPolicy: Switch;
  /** The configured key as the function reads it (`KMS_KEY_ID`), `''` when none. */
  configuredKmsKeyId: string;
  trailResources: TrailResourceSettings;
  functions: FunctionPlacement;
}

/** The document parameters the remediation configuration may set, each when it is given. */
export interface RemediationStatics {
  TrailName: Optional<string>;
  BucketName: Optional<string>;
  KmsKeyId: Optional<string>;
  AccessLogBucketName: Optional<string>;
  LogRetentionDays: Optional<string>;
  ObjectLockDays: Optional<string>;
  Tags: Optional<string>;
  HardenRepairedTrail: Optional<string>;
  TrustedLogAccountIds: Optional<string>;
  CloudWatchLogsLogGroupArn: Optional<string>;
  CloudWatchLogsRoleArn: Optional<string>;
}

/** What the deployment creates for the trails the remediation creates or hardens. */
export interface TrailResourceSettings {
  /** Whether it creates their KMS key (`trailKey=create`). */
  key: Switch;
  /** The trail the remediation creates, which the key's policy lets CloudTrail encrypt for. */
  newTrailName: string;
  /** Whether it creates the CloudWatch Logs log group and the role CloudTrail writes to it with. */
  cloudWatchLogs: Switch;
  /** How long that log group keeps the events, in days. */
  logRetentionDays: number;
  /** The log group's key when `logGroupKmsKeyArn` is given (it goes before the trails' key). */
  logGroupKmsKeyArn: Optional<string>;
  /** Whether the log group is encrypted with the trails' key, whose policy then lets CloudWatch Logs use it. */
  logGroupUsesTrailKey: Switch;
}

/** The ARNs of what the deployment created for the trails, each valid where its switch is on. */
export interface CreatedTrailResources {
  keyArn?: string;
  logGroupArn?: string;
  roleArn?: string;
}

/**
 * The settings once the trails' key, log group and role exist: the
 * remediation is given them (document parameters, `KMS_KEY_ID`) and its
 * key statements name the created key.
 */
export function withTrailResources(
  settings: DeploymentSettings,
  created: CreatedTrailResources,
): DeploymentSettings {
  const { key, cloudWatchLogs } = settings.trailResources;
  const statics = { ...settings.remediationStatics };
  let { keyArn, configuredKmsKeyId } = settings;
  if (created.keyArn !== undefined) {
    statics.KmsKeyId = whenOn(key, created.keyArn, statics.KmsKeyId);
    keyArn = choose(key, created.keyArn, keyArn);
    configuredKmsKeyId = choose(key, created.keyArn, configuredKmsKeyId);
  }
  if (created.logGroupArn !== undefined && created.roleArn !== undefined) {
    statics.CloudWatchLogsLogGroupArn = whenOn(cloudWatchLogs, created.logGroupArn);
    statics.CloudWatchLogsRoleArn = whenOn(cloudWatchLogs, created.roleArn);
  }
  return { ...settings, remediationStatics: statics, keyArn, configuredKmsKeyId };
}

/**
 * The `Fn::Sub` variable that holds {@link stackIdSuffix} in the default
 * bucket names and the trails' log group name.
 */
export const SUFFIX_VARIABLE = 'LogBucketSuffix';

/**
 * The first 8 hexadecimal digits of the stack's UUID (`arn:…:stack/<name>/<UUID>`):
 * stable for the stack's life, different for every stack, and not known
 * outside the account.
 */
export function stackIdSuffix(): string {
  return Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
}

/** An `Fn::Sub` of the pattern, given the suffix when the pattern uses it. */
export function subWithSuffix(pattern: string, suffix: string): string {
  return pattern.includes(`\${${SUFFIX_VARIABLE}}`)
    ? Fn.sub(pattern, { [SUFFIX_VARIABLE]: suffix })
    : Fn.sub(pattern);
}

/** A bucket's ARN, from a name that may hold `${AWS::…}` and the suffix variable. */
export function bucketArnOf(bucket: string, suffix: string): string {
  return subWithSuffix(`arn:\${AWS::Partition}:s3:::${bucket}`, suffix);
}

/** The default bucket names, as `Fn::Sub` patterns of the account, Region and suffix. */
export const DEFAULT_BUCKETS = {
  log: defaultBucketName('${AWS::AccountId}', '${AWS::Region}', `\${${SUFFIX_VARIABLE}}`),
  accessLog: defaultAccessLogBucketName(
    '${AWS::AccountId}',
    '${AWS::Region}',
    `\${${SUFFIX_VARIABLE}}`,
  ),
};

/**
 * The name of the trails' log group: after the stack, so that it is unique
 * to the stack (a deleted stack's group is kept) and, in a StackSet
 * instance (`StackSet-<name>-…`), covered by the guard rails' log statement.
 * Fixed rather than generated, so that the trails' key policy can name it.
 */
const TRAIL_LOG_GROUP_NAME = `\${AWS::StackName}-CloudTrail-\${${SUFFIX_VARIABLE}}`;

/** The trails' log group's name. */
export function trailLogGroupName(suffix: string): string {
  return subWithSuffix(TRAIL_LOG_GROUP_NAME, suffix);
}

/**
 * The trails' log group's ARN (without the `:*` of its `Arn` attribute),
 * from its name: the key policy that lets CloudWatch Logs encrypt it cannot
 * refer to the log group, which refers to the key.
 */
export function trailLogGroupArn(suffix: string): string {
  return subWithSuffix(
    `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${TRAIL_LOG_GROUP_NAME}`,
    suffix,
  );
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
    trailLogs: Fn.sub(names.trailLogsRoleNamePattern, variables),
  };
}

const OWN_KEYS_HERE = 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*';

/** The deployment options as literal values: the single-account stack and the conformance pack. */
export function literalSettings(options: DeploymentOptions): DeploymentSettings {
  const inputParameters = ruleInputParameters(deployedRuleParameters(options));
  const { subnetIds, securityGroupIds } = options;
  const suffix = stackIdSuffix();
  const trusted = options.trustedLogAccountIds ?? [];
  const createKey = options.trailKey === 'create';
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
      AccessLogBucketName: options.accessLogBucketName,
      LogRetentionDays: options.logRetentionDays?.toString(),
      ObjectLockDays: options.objectLockDays?.toString(),
      Tags: options.tags,
      HardenRepairedTrail: options.hardenRepairedTrail ? 'true' : undefined,
      TrustedLogAccountIds: trusted.length > 0 ? trusted.join(',') : undefined,
      CloudWatchLogsLogGroupArn: undefined,
      CloudWatchLogsRoleArn: undefined,
    },
    logBucketSuffix: suffix,
    bucketArns: [
      bucketArnOf(remediationBucket(options), suffix),
      bucketArnOf(options.accessLogBucketName ?? DEFAULT_BUCKETS.accessLog, suffix),
    ],
    logAccounts: trusted.length > 0 ? [Aws.ACCOUNT_ID, ...trusted] : Aws.ACCOUNT_ID,
    trustedLogAccountIds: trusted.join(','),
    hardenRepairedTrail: options.hardenRepairedTrail,
    keyArn: keyResource(options.kmsKeyId),
    grantKeyPolicy: options.kmsKeyId !== undefined || (createKey && options.hardenRepairedTrail),
    configuredKmsKeyId: options.kmsKeyId ?? '',
    trailResources: {
      key: createKey,
      newTrailName: options.trailName ?? DEFAULT_TRAIL_NAME,
      cloudWatchLogs: options.cloudWatchLogs,
      logRetentionDays: Number(options.cloudWatchLogsRetentionDays),
      logGroupKmsKeyArn: options.logGroupKmsKeyArn,
      logGroupUsesTrailKey:
        createKey && options.cloudWatchLogs && options.logGroupKmsKeyArn === undefined,
    },
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
      reservedConcurrency:
        options.reservedConcurrency > 0 ? options.reservedConcurrency : undefined,
    },
  };
}

/**
 * The bucket a new trail delivers to, as the remediation chooses it: the
 * `bucketName` option, else the rule's `s3BucketName` (a new trail must pass
 * the rule), else `cloudtrail-logs-<account>-<Region>-<suffix>`.
 */
function remediationBucket(options: DeploymentOptions): string {
  return options.bucketName ?? options.ruleParameters.s3BucketName ?? DEFAULT_BUCKETS.log;
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
