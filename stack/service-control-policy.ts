// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::Region} here is the Fn::Sub variable of a role name pattern.
import { alarmName, FUNCTION_ALARMS, resourceNames } from './names';

/**
 * The example service control policies of the organization rollout: member
 * accounts' principals may not change or delete what the StackSet deployed
 * (the functions, their roles, the automation role, the role CloudTrail
 * writes to the trails' log group with, the SSM document, the log groups,
 * the alarms, the EventBridge rule that watches the Config rule, and the
 * stack instance), nor create the document under its name in a Region the
 * StackSet has not reached, nor pass the functions' roles to any service,
 * nor the automation role to any service but SSM Automation, nor the
 * trails' log group role to any but CloudTrail; except the StackSets
 * execution role, through which the StackSet itself deploys, updates and
 * removes them, and AWS Control Tower's. Nobody may invoke the rule
 * function, and only the automation role the remediation function: those
 * two statements exempt no one. With an alias as `kmsKeyId`, nobody but the
 * exempt roles may create, re-point or delete that alias. SCPs never apply
 * to the management account or to service-linked roles (AWS Config, its
 * remediation, Security Hub). Config rules and remediation configurations
 * are watched, not denied: IAM cannot single out this project's
 * (docs/organization-rollout.md, "Guard rails").
 */

/** The role service-managed StackSets run stack operations as, in every member account. */
export const STACKSET_EXECUTION_ROLE = 'arn:aws:iam::*:role/stacksets-exec-*';
/**
 * The role AWS Control Tower works through in enrolled accounts (its
 * baseline and controls): exempt so that the policy never stands in its way.
 */
export const CONTROL_TOWER_EXECUTION_ROLE = 'arn:aws:iam::*:role/AWSControlTowerExecution';
/** The principals the policy exempts; it also keeps anyone else from changing or assuming them. */
export const EXEMPT_ROLES = [STACKSET_EXECUTION_ROLE, CONTROL_TOWER_EXECUTION_ROLE];

/** AWS Organizations rejects service control policies longer than this (characters, as stored). */
export const MAX_POLICY_CHARACTERS = 5_120;

/**
 * The service principal the automation role may be passed to: SSM
 * Automation, which assumes it. AWS Config's remediation passes it there
 * (its service-linked role may pass roles only where `iam:PassedToService`
 * is `ssm.amazonaws.com`), and so does a person who runs the document.
 */
export const AUTOMATION_SERVICE = 'ssm.amazonaws.com';

/**
 * The service principal the role that writes to the trails' log group may
 * be passed to: CloudTrail, which assumes it (the remediation passes it
 * when it creates or hardens a trail).
 */
export const TRAIL_LOGS_SERVICE = 'cloudtrail.amazonaws.com';

interface DenyStatement {
  Sid: string;
  Effect: 'Deny';
  Action?: string[];
  NotAction?: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string[]>>;
}

export interface GuardRailPolicy {
  Version: '2012-10-17';
  Statement: DenyStatement[];
}

/** The names the guard rails are written for: the rollout's, and the remediation's KMS key when one is configured. */
export interface GuardRailNames {
  ruleName: string;
  stackSetName: string;
  /** The `kmsKeyId` option: an alias among its forms is protected from being re-pointed. */
  kmsKeyId?: string;
}

/**
 * One of the example policies, with the name it is written under: the
 * policies are attached side by side, since together they do not fit in
 * one policy's 5,120 characters.
 */
export interface NamedGuardRailPolicy {
  /** `guard-rails` (the functions and roles) or `guard-rails-resources` (everything else). */
  name: string;
  policy: GuardRailPolicy;
}

/**
 * The statements that keep the functions running only the deployed code,
 * with the deployed roles, invoked only by whom must invoke them.
 */
const IDENTITY_POLICY = 'guard-rails';
/** The statements that keep the document, the stack, the logs, the alarms and the change watch as deployed. */
const RESOURCES_POLICY = 'guard-rails-resources';

/**
 * The example guard-rail policies, in the order they are attached.
 *
 * @example guardRailPolicies({ ruleName: 'cloudtrail-1-multi-region-trail', stackSetName: 'cloudtrail-1-multi-region-trail' }).map((p) => p.name) // => ['guard-rails', 'guard-rails-resources']
 */
export function guardRailPolicies(names: GuardRailNames): NamedGuardRailPolicy[] {
  const statements = guardRailStatements(names);
  const policy = (sids: readonly string[]): GuardRailPolicy => ({
    Version: '2012-10-17',
    Statement: statements.filter((s) => sids.includes(s.Sid)),
  });
  return [
    { name: IDENTITY_POLICY, policy: policy(IDENTITY_SIDS) },
    {
      name: RESOURCES_POLICY,
      policy: policy(statements.map((s) => s.Sid).filter((sid) => !IDENTITY_SIDS.includes(sid))),
    },
  ];
}

const IDENTITY_SIDS: readonly string[] = [
  'ProtectExemptRoles',
  'ProtectFunctions',
  'InvokeRuleFunctionNever',
  'InvokeRemediationFunctionAutomationOnly',
  'ProtectRoles',
  'PassFunctionRolesToNobody',
  'PassAutomationRoleToSsmOnly',
  'PassTrailLogsRoleToCloudTrailOnly',
];

/** The alias name a `kmsKeyId` value names (`alias/x`, or an alias ARN), or undefined for a key ID or key ARN. */
export function kmsAliasName(kmsKeyId: string | undefined): string | undefined {
  if (kmsKeyId === undefined) return undefined;
  const match = /^(?:arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:)?(alias\/.+)$/.exec(kmsKeyId);
  return match?.[1];
}

/** Every Deny statement of the guard rails, whichever policy holds it. */
export function guardRailStatements(names: GuardRailNames): DenyStatement[] {
  const n = resourceNames(names.ruleName);
  // Every Region's role: IAM names are global, so the Region is part of the name.
  const roleArn = (pattern: string) =>
    `arn:aws:iam::*:role/${pattern.replace('${AWS::Region}', '*')}`;
  const functionRoles = [n.ruleRoleNamePattern, n.remediationRoleNamePattern].map(roleArn);
  const automationRole = roleArn(n.automationRoleNamePattern);
  const trailLogsRole = roleArn(n.trailLogsRoleNamePattern);
  // The function, and any of its versions or aliases.
  const functionArns = (f: string) => [
    `arn:aws:lambda:*:*:function:${f}`,
    `arn:aws:lambda:*:*:function:${f}:*`,
  ];
  // Stack instances are named StackSet-<name>-<ID>, and their log groups after the stack.
  const stackPrefix = `StackSet-${names.stackSetName}-`;
  const exceptStackSets = { ArnNotLike: { 'aws:PrincipalArn': EXEMPT_ROLES } };
  const deny = (
    statement: Omit<DenyStatement, 'Effect'>,
    exempt: 'stackSets' | 'none' = 'stackSets',
  ): DenyStatement => {
    const condition =
      exempt === 'stackSets' ? { ...statement.Condition, ...exceptStackSets } : statement.Condition;
    return {
      Sid: statement.Sid,
      Effect: 'Deny',
      ...(statement.Action ? { Action: statement.Action } : {}),
      ...(statement.NotAction ? { NotAction: statement.NotAction } : {}),
      Resource: statement.Resource,
      ...(condition === undefined ? {} : { Condition: condition }),
    };
  };
  const invoke = ['lambda:InvokeFunction', 'lambda:InvokeAsync'];
  const alias = kmsAliasName(names.kmsKeyId);
  const alarms = [
    ...FUNCTION_ALARMS.rule.map((a) => alarmName(n.ruleFunctionName, a)),
    ...FUNCTION_ALARMS.remediation.map((a) => alarmName(n.remediationFunctionName, a)),
    n.configChangesName,
  ];
  return [
    deny({
      Sid: 'ProtectExemptRoles',
      // Otherwise anyone could rewrite an exempt role's trust, assume it, and be exempt.
      NotAction: ['iam:Get*', 'iam:List*'],
      Resource: EXEMPT_ROLES,
    }),
    deny({
      Sid: 'ProtectFunctions',
      // Reading and invoking stay allowed here; the next two statements say who may invoke.
      NotAction: ['lambda:Get*', 'lambda:List*', 'lambda:InvokeFunction'],
      Resource: [n.ruleFunctionName, n.remediationFunctionName].flatMap(functionArns),
    }),
    deny(
      {
        Sid: 'InvokeRuleFunctionNever',
        // AWS Config invokes it as a service principal, which no SCP governs; a principal of the
        // account invoking it can only send it events of its own.
        Action: invoke,
        Resource: functionArns(n.ruleFunctionName),
      },
      'none',
    ),
    deny(
      {
        Sid: 'InvokeRemediationFunctionAutomationOnly',
        // SSM Automation invokes it as the automation role, for Config and for a person alike.
        Action: invoke,
        Resource: functionArns(n.remediationFunctionName),
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [automationRole] } },
      },
      'none',
    ),
    deny({
      Sid: 'ProtectRoles',
      // Their policies too: PutRolePolicy, AttachRolePolicy and the rest are authorized on the
      // role. PassRole is left to the next two statements.
      NotAction: [
        'iam:Get*',
        'iam:List*',
        'iam:PassRole',
        'iam:GenerateServiceLastAccessedDetails',
      ],
      Resource: [...functionRoles, automationRole, trailLogsRole],
    }),
    deny({
      Sid: 'PassFunctionRolesToNobody',
      // Passing one to a new function would run anyone's code with the remediation's rights.
      Action: ['iam:PassRole'],
      Resource: functionRoles,
    }),
    deny({
      Sid: 'PassAutomationRoleToSsmOnly',
      // A request without the key is denied too: a negated operator matches a missing key.
      Action: ['iam:PassRole'],
      Resource: automationRole,
      Condition: { StringNotEquals: { 'iam:PassedToService': [AUTOMATION_SERVICE] } },
    }),
    deny({
      Sid: 'PassTrailLogsRoleToCloudTrailOnly',
      // Passed to anything else, it would write into the trails' log group: fake events.
      Action: ['iam:PassRole'],
      Resource: trailLogsRole,
      Condition: { StringNotEquals: { 'iam:PassedToService': [TRAIL_LOGS_SERVICE] } },
    }),
    deny({
      Sid: 'ProtectDocument',
      // Creating it too: in a Region the StackSet has not reached yet, a document of one's own
      // under this name would be what the remediation configuration runs there.
      Action: [
        'ssm:CreateDocument',
        'ssm:DeleteDocument',
        'ssm:UpdateDocument',
        'ssm:UpdateDocumentDefaultVersion',
        'ssm:UpdateDocumentMetadata',
        'ssm:ModifyDocumentPermission',
      ],
      Resource: `arn:aws:ssm:*:*:document/${n.documentName}`,
    }),
    deny({
      Sid: 'ProtectStackInstance',
      Action: [
        'cloudformation:DeleteStack',
        'cloudformation:UpdateStack',
        'cloudformation:CreateChangeSet',
        'cloudformation:ExecuteChangeSet',
        'cloudformation:SetStackPolicy',
        'cloudformation:UpdateTerminationProtection',
        'cloudformation:CancelUpdateStack',
        'cloudformation:ContinueUpdateRollback',
        'cloudformation:RollbackStack',
        'cloudformation:TagResource',
        'cloudformation:UntagResource',
      ],
      Resource: `arn:aws:cloudformation:*:*:stack/${stackPrefix}*`,
    }),
    deny({
      Sid: 'ProtectLogs',
      // A transformer or a data protection policy would rewrite or mask what the functions log.
      Action: [
        'logs:DeleteLogGroup',
        'logs:DeleteLogStream',
        'logs:PutRetentionPolicy',
        'logs:DeleteRetentionPolicy',
        'logs:AssociateKmsKey',
        'logs:DisassociateKmsKey',
        'logs:PutTransformer',
        'logs:PutDataProtectionPolicy',
      ],
      Resource: `arn:aws:logs:*:*:log-group:${stackPrefix}*`,
    }),
    deny({
      Sid: 'ProtectAlarms',
      // Deleting, silencing, muting, rewriting or resetting an alarm would hide failures.
      Action: [
        'cloudwatch:DeleteAlarms',
        'cloudwatch:DisableAlarmActions',
        'cloudwatch:PutMetricAlarm',
        'cloudwatch:SetAlarmState',
        'cloudwatch:PutAlarmMuteRule',
      ],
      Resource: alarms.map((a) => `arn:aws:cloudwatch:*:*:alarm:${a}`),
    }),
    deny({
      Sid: 'ProtectConfigChangeWatch',
      // The EventBridge rule that sees the Config rule or its remediation configuration change.
      Action: [
        'events:DeleteRule',
        'events:DisableRule',
        'events:PutRule',
        'events:PutTargets',
        'events:RemoveTargets',
      ],
      Resource: `arn:aws:events:*:*:rule/${n.configChangesName}`,
    }),
    ...(alias === undefined
      ? []
      : [
          deny({
            Sid: 'ProtectKeyAlias',
            // Re-pointed, the alias would choose which key policy the remediation rewrites.
            Action: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'],
            Resource: `arn:aws:kms:*:*:${alias}`,
          }),
        ]),
  ];
}

/**
 * The policy as the example file holds it: one statement a line, since
 * AWS Organizations counts whitespace against its 5,120 characters when the
 * policy is given as a file.
 */
export function guardRailPolicyText(policy: GuardRailPolicy): string {
  const statements = policy.Statement.map((s) => `    ${JSON.stringify(s)}`).join(',\n');
  return `{\n  "Version": "${policy.Version}",\n  "Statement": [\n${statements}\n  ]\n}\n`;
}

/** The policy's length as AWS Organizations counts it when given the example file: every character, whitespace too. */
export function policyCharacters(policy: GuardRailPolicy): number {
  return guardRailPolicyText(policy).length;
}
