// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::…} here are CloudFormation Fn::Sub variables.
import { Aws, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';
import { actionsFor, type PermissionScope } from '../remediation/permissions';
import { keyPolicyStatements as cloudTrailKeyStatements } from '../remediation/policies';

/**
 * Every IAM statement the deployment grants, and why each wildcard resource
 * is the narrowest that works. Resources are CDK tokens (`Fn.sub` of the
 * account's partition, Region and account, references to the deployment's
 * own resources), so a statement is the same in every template.
 */

/** Why each statement's wildcard resource is the narrowest one that works, by `Sid`. */
const WILDCARD_REASONS: Record<string, string> = {
  ListTrailsAndReport:
    'cloudtrail:DescribeTrails and config:PutEvaluations support no resource-level permissions (Service Authorization Reference), so they can only be granted on "*"; the statement holds nothing else.',
  ListTrails:
    'cloudtrail:DescribeTrails supports no resource-level permissions (Service Authorization Reference), so it can only be granted on "*"; the statement holds nothing else.',
  ReadAnyTrail:
    'GetTrailStatus and GetEventSelectors are read-only and called by trail ARN on shadow trails homed in other Regions and on organization trails owned by the management account, neither known at deploy time; the ARN is limited to CloudTrail trails.',
  ChangeOwnTrails:
    "The remediation repairs whichever trail of this account is closest to passing (in its home Region) or creates one named at run time, so the trail is not known at deploy time; the account ID in the ARN keeps writes off every other account's trail, organization trails included.",
  CreateFunctionNetworkInterfaces:
    'Lambda names the network interfaces it creates for the function at run time; the ARN is limited to network interfaces of this account and Region, and the statement to the subnets and security groups given (in the member template, which cannot turn a list of IDs into ARNs, those of this account and Region).',
  ManageFunctionNetworkInterfaces:
    "Lambda names the network interfaces it creates for the function at run time, and the Lambda developer guide warns that DeleteNetworkInterface limited to fewer interfaces can cut the function off from its VPC; the ARN is limited to this account's network interfaces in this Region.",
  DescribeNetwork:
    'ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets support no resource-level permissions (Service Authorization Reference), so they can only be granted on "*"; both only read.',
  CheckNewTrailKey:
    'No KMS key ARN is configured (none, or an alias: KMS authorizes key actions on key ARNs, never on aliases), and a person may pass KmsKeyId when running the document; the actions only read a key and its policy, and the ARN is limited to keys of one account in one Region.',
  ReadOrganization:
    'The Organizations List*/Describe* actions that AWS Config needs to find the accounts (those of the AWS managed policy AWSConfigRoleForOrganizations, which this statement replaces) support no resource-level permissions; the statement holds nothing else.',
  GrantNewTrailKey:
    'Granted only when kmsKeyId is configured (or trailKey=create with hardenRepairedTrail, on the created key alone). KMS authorizes key actions on key ARNs, never on aliases, so for an alias (or, in the member template, any KmsKeyId) the ARN is limited to keys of the account and Region the key is in; the code only merges the CloudTrail statement into the key policy, never removes one.',
  CheckTrailBucketOwner:
    "A trail delivers to whichever bucket it was set up with, named only at run time, so the bucket is not known at deploy time. The statement holds s3:ListBucket alone, which HeadBucket needs (whether the bucket exists, and whose it is; the code calls nothing else with it, though the action would also list object keys), and s3:ResourceAccount limits it to buckets of this account and of the trusted log accounts: another account's bucket is never even looked up.",
  CheckTrailBucketGrants:
    "A trail delivers to whichever bucket it was set up with, named only at run time. Before a trail is repaired, the code reads who that bucket lets in (its policy, ACL and ownership controls) and repairs no trail whose bucket lets in an outsider; the actions only read, and s3:ResourceAccount limits them to this account's buckets.",
  SecureRepairedTrailBucket:
    "Granted only when hardenRepairedTrail is configured. A repaired trail's bucket is whichever bucket it delivers to, known only at run time; s3:ResourceAccount limits the statement to this account's buckets, and the code only reads a bucket's settings, turns Block Public Access on and adds the TLS-only statement to its policy, never removing a statement.",
  WriteTrailEvents:
    'CloudTrail names the log streams it creates at run time; the ARN is limited to the streams of the one log group the deployment creates for the trails, and only CloudTrail may assume the role, for this account’s trails in this Region.',
};

const ANY_TRAIL = 'arn:${AWS::Partition}:cloudtrail:*:*:trail/*';
const OWN_TRAIL = 'arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*';
/** EC2 resources of this account and Region, as an `Fn::Sub` pattern. */
export const EC2_HERE = 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}';
const NETWORK_INTERFACES_HERE = `${EC2_HERE}:network-interface/*`;

function statement(
  sid: string,
  actions: string[],
  resources: string[],
  conditions?: Record<string, Record<string, unknown>>,
): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, effect: iam.Effect.ALLOW, actions, resources, conditions });
}

/** The rule function's permissions, besides writing its own logs. */
export function ruleFunctionStatements(): iam.PolicyStatement[] {
  return [
    // Shadow and organization trails live in Regions and accounts not known in advance.
    statement(
      'ReadAnyTrail',
      ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'],
      [Fn.sub(ANY_TRAIL)],
    ),
    // Neither action supports resource-level permissions.
    statement('ListTrailsAndReport', ['cloudtrail:DescribeTrails', 'config:PutEvaluations'], ['*']),
  ];
}

/**
 * Reading the rule's own evaluations, on the rule's ARN alone: when it
 * cannot decide, the rule asks AWS Config when it last decided
 * (`GetComplianceDetailsByConfigRule` takes a ConfigRule resource). A
 * policy of its own, since the rule's ARN exists only once the rule, which
 * needs the function, is created.
 */
export function ruleEvaluationsStatements(ruleArn: string): iam.PolicyStatement[] {
  return [statement('ReadOwnEvaluations', ['config:GetComplianceDetailsByConfigRule'], [ruleArn])];
}

/** Writing to one log group: the only logs permission either function has. */
export function logsStatement(logGroupArn: string): iam.PolicyStatement {
  return statement('WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], [logGroupArn]);
}

/**
 * What Lambda needs, through a function's role, to attach the function to
 * its subnets: the actions of AWSLambdaVPCAccessExecutionRole, without its
 * logs actions and without `*` where an action takes a resource. Network
 * interfaces are created only in the given subnets with the given security
 * groups (their ARNs); those Lambda creates are named at run time.
 */
export function vpcStatements(subnetsAndGroups: string[]): iam.PolicyStatement[] {
  return [
    statement(
      'CreateFunctionNetworkInterfaces',
      ['ec2:CreateNetworkInterface'],
      [Fn.sub(NETWORK_INTERFACES_HERE), ...subnetsAndGroups],
    ),
    statement(
      'ManageFunctionNetworkInterfaces',
      [
        'ec2:AssignPrivateIpAddresses',
        'ec2:DeleteNetworkInterface',
        'ec2:UnassignPrivateIpAddresses',
      ],
      [Fn.sub(NETWORK_INTERFACES_HERE)],
    ),
    statement('DescribeNetwork', ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], ['*']),
  ];
}

/** The resources the remediation's statements are limited to: ARNs, or tokens giving ARNs. */
export interface RemediationResources {
  /** The log bucket's and the access-log bucket's ARNs: the buckets the remediation creates and secures. */
  bucketArns: string[];
  /** The accounts whose buckets a trail may deliver to: this one, and the trusted log accounts. */
  logAccounts: string | string[];
  /** The keys the remediation may check and grant CloudTrail on. */
  keyArn: string;
  /** The role CloudTrail assumes to write to CloudWatch Logs, when the deployment creates one. */
  trailLogsRoleArn?: string;
}

const SCOPE_SIDS: Record<PermissionScope, string> = {
  none: 'ListTrails',
  anyTrail: 'ReadAnyTrail',
  ownTrail: 'ChangeOwnTrails',
  newBucket: 'CreateLogBucket',
  bucket: 'CheckOrSecureLogBucket',
  trailBucket: 'CheckTrailBucketOwner',
  trailBucketAccess: 'CheckTrailBucketGrants',
  repairedTrailBucket: 'SecureRepairedTrailBucket',
  key: 'CheckNewTrailKey',
  keyPolicy: 'GrantNewTrailKey',
  cloudWatchLogsRole: 'PassTrailLogsRole',
};

/** The scopes granted only in some deployments, each by a policy of its own ({@link conditionalStatements}). */
export type ConditionalScope = 'keyPolicy' | 'repairedTrailBucket' | 'cloudWatchLogsRole';
const CONDITIONAL_SCOPES: readonly PermissionScope[] = [
  'keyPolicy',
  'repairedTrailBucket',
  'cloudWatchLogsRole',
] satisfies ConditionalScope[];

const ANY_BUCKET = 'arn:${AWS::Partition}:s3:::*';
/** The service a trail's CloudWatch Logs role is passed to. */
export const CLOUDTRAIL_PRINCIPAL = 'cloudtrail.amazonaws.com';

function scopeStatement(scope: PermissionScope, on: RemediationResources): iam.PolicyStatement {
  const resources: Record<PermissionScope, () => string[]> = {
    none: () => ['*'],
    anyTrail: () => [Fn.sub(ANY_TRAIL)],
    // Writes: a trail of another account (an organization trail) is never changed.
    ownTrail: () => [Fn.sub(OWN_TRAIL)],
    newBucket: () => on.bucketArns,
    bucket: () => on.bucketArns,
    trailBucket: () => [Fn.sub(ANY_BUCKET)],
    trailBucketAccess: () => [Fn.sub(ANY_BUCKET)],
    repairedTrailBucket: () => [Fn.sub(ANY_BUCKET)],
    key: () => [on.keyArn],
    keyPolicy: () => [on.keyArn],
    cloudWatchLogsRole: () => {
      if (on.trailLogsRoleArn === undefined) throw new Error('No CloudWatch Logs role to pass');
      return [on.trailLogsRoleArn];
    },
  };
  // A bucket of that name in another account (one created there first, say) is never touched.
  const ownBuckets = { StringEquals: { 's3:ResourceAccount': Aws.ACCOUNT_ID } };
  const conditions: Partial<Record<PermissionScope, Record<string, Record<string, unknown>>>> = {
    bucket: ownBuckets,
    repairedTrailBucket: ownBuckets,
    trailBucketAccess: ownBuckets,
    trailBucket: { StringEquals: { 's3:ResourceAccount': on.logAccounts } },
    // The role goes to CloudTrail only: never to a function or an instance of one's own.
    cloudWatchLogsRole: { StringEquals: { 'iam:PassedToService': CLOUDTRAIL_PRINCIPAL } },
  };
  return statement(SCOPE_SIDS[scope], actionsFor(scope), resources[scope](), conditions[scope]);
}

/**
 * The remediation function's permissions: exactly the actions
 * `remediation/permissions.ts` lists, one statement per scope, each limited
 * to the resources the code can touch; all but the scopes granted only in
 * some deployments, which are {@link conditionalStatements}.
 */
export function remediationFunctionStatements(on: RemediationResources): iam.PolicyStatement[] {
  return (Object.keys(SCOPE_SIDS) as PermissionScope[])
    .filter((scope) => !CONDITIONAL_SCOPES.includes(scope) && actionsFor(scope).length > 0)
    .map((scope) => scopeStatement(scope, on));
}

/**
 * A scope granted only in some deployments, as a policy of its own:
 * changing the new trail's key policy (when a key is configured, on that
 * key), hardening a repaired trail's bucket (with `hardenRepairedTrail`),
 * passing the CloudWatch Logs role to CloudTrail (with `cloudWatchLogs`).
 */
export function conditionalStatements(
  scope: ConditionalScope,
  on: RemediationResources,
): iam.PolicyStatement[] {
  return [scopeStatement(scope, on)];
}

/**
 * Only CloudTrail, and only for a trail of this account in this Region,
 * may assume the role that writes to the trails' log group: no other
 * account's trail can send its events there through it (CloudTrail's
 * guidance on cross-service confused deputy prevention).
 */
export function trailLogsTrustConditions(): Record<string, Record<string, string>> {
  return {
    StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
    ArnLike: {
      'aws:SourceArn': Fn.sub(
        'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/*',
      ),
    },
  };
}

/** What CloudTrail may do through that role: create log streams in the one log group, and write to them. */
export function trailLogsStatements(logStreamsArn: string): iam.PolicyStatement[] {
  return [
    statement('WriteTrailEvents', ['logs:CreateLogStream', 'logs:PutLogEvents'], [logStreamsArn]),
  ];
}

/** The `Fn::Sub` variable that holds the name of the trail the remediation creates. */
const NEW_TRAIL_VARIABLE = 'NewTrailName';
/** A Region of the `aws` partition, for which the remediation writes its statements before they are given the stack's partition. */
const A_REGION_OF_AWS = 'us-east-1';

/**
 * The statements of the key the deployment creates for the trails
 * (`trailKey=create`): KMS's default statement (the account may give use
 * of the key through IAM policies), exactly the statements the remediation
 * merges into a key policy for the trail it creates (`newTrailName`, this
 * account, this Region), so that it finds nothing to add, and a deny of
 * grants other than for AWS resources (AWS Control Tower's CT.KMS.PR.3;
 * neither CloudTrail nor CloudWatch Logs uses grants).
 */
export function trailKeyStatements(newTrailName: string): Record<string, unknown>[] {
  const cloudTrail = cloudTrailKeyStatements({
    accountId: '${AWS::AccountId}',
    trailArn: `arn:aws:cloudtrail:\${AWS::Region}:\${AWS::AccountId}:trail/\${${NEW_TRAIL_VARIABLE}}`,
    region: A_REGION_OF_AWS,
  });
  return [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: Fn.sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
      Action: 'kms:*',
      Resource: '*',
    },
    ...cloudTrail.map(
      (s) => inStackPartition(s, { [NEW_TRAIL_VARIABLE]: newTrailName }) as Record<string, unknown>,
    ),
    {
      Sid: 'DenyGrantsExceptForAwsResources',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['kms:CreateGrant'],
      Resource: '*',
      Condition: {
        BoolIfExists: {
          'kms:GrantIsForAWSResource': 'false',
          'aws:PrincipalIsAWSService': 'false',
        },
      },
    },
  ];
}

/**
 * What CloudWatch Logs needs of the trails' key to encrypt the trails' log
 * group with it: the actions of its documented key policy, for that log
 * group alone (the encryption context names it).
 */
export function trailLogGroupKeyStatement(logGroupArn: string): Record<string, unknown> {
  return {
    Sid: 'AllowCloudWatchLogsToEncryptTrailEvents',
    Effect: 'Allow',
    Principal: { Service: Fn.sub('logs.${AWS::Region}.${AWS::URLSuffix}') },
    Action: [
      'kms:Encrypt*',
      'kms:Decrypt*',
      'kms:ReEncrypt*',
      'kms:GenerateDataKey*',
      'kms:Describe*',
    ],
    Resource: '*',
    Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
  };
}

/**
 * A statement the remediation writes for one partition, in the stack's:
 * each `arn:aws:` becomes `arn:${AWS::Partition}:`, and every string with
 * a variable an `Fn::Sub` (given the variables it uses).
 */
function inStackPartition(value: unknown, variables: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => inStackPartition(item, variables));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, inStackPartition(item, variables)]),
    );
  }
  if (typeof value !== 'string') return value;
  const text = value.replace(/^arn:aws:/, 'arn:${AWS::Partition}:');
  if (!text.includes('${')) return text;
  const used = Object.entries(variables).filter(([name]) => text.includes(`\${${name}}`));
  return used.length > 0 ? Fn.sub(text, Object.fromEntries(used)) : Fn.sub(text);
}

/** The service that assumes the automation role. */
export const AUTOMATION_PRINCIPAL = 'ssm.amazonaws.com';

/**
 * Only SSM Automation, and only for an automation execution of this account
 * in this Region, may assume the automation role: no other account's or
 * Region's automation can act through it (Systems Manager's guidance on
 * cross-service confused deputy prevention).
 */
export function automationTrustConditions(): Record<string, Record<string, string>> {
  return {
    StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
    ArnLike: {
      'aws:SourceArn': Fn.sub(
        'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:automation-execution/*',
      ),
    },
  };
}

/** The automation role: run the remediation function, then ask Config to evaluate this rule again. */
export function automationRoleStatements(refs: {
  remediationFunctionArn: string;
  ruleArn: string;
}): iam.PolicyStatement[] {
  return [
    statement('RunRemediation', ['lambda:InvokeFunction'], [refs.remediationFunctionArn]),
    statement('ReevaluateRule', ['config:StartConfigRulesEvaluation'], [refs.ruleArn]),
  ];
}

/** What the organization aggregator's role may read: the actions of AWSConfigRoleForOrganizations. */
export const AGGREGATOR_ACTIONS = [
  'organizations:DescribeOrganization',
  'organizations:ListAWSServiceAccessForOrganization',
  'organizations:ListAccounts',
  'organizations:ListDelegatedAdministrators',
];

/** The organization aggregator's role: list the organization's accounts, which takes no resource. */
export function aggregatorStatements(): iam.PolicyStatement[] {
  return [statement('ReadOrganization', AGGREGATOR_ACTIONS, ['*'])];
}

/**
 * Acknowledges cdk-nag's wildcard finding (AwsSolutions-IAM5) for each
 * statement whose resource has a `*`, with the reason {@link WILDCARD_REASONS}
 * gives that statement. The finding names the resource as cdk-nag's own
 * `flattenCfnReference` writes it, so the acknowledgement is the finding.
 */
export function acknowledgeWildcards(scope: IConstruct, statements: iam.PolicyStatement[]): void {
  const stack = Stack.of(scope);
  for (const s of statements) {
    for (const resource of s.resources.map((r) => flattenCfnReference(stack.resolve(r)))) {
      if (!resource.includes('*')) continue;
      Validations.of(scope).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: WILDCARD_REASONS[s.sid ?? ''] ?? missingReason(s.sid),
      });
    }
  }
}

function missingReason(sid: string | undefined): never {
  throw new Error(`Statement ${sid} has a wildcard resource but no acknowledged reason`);
}
