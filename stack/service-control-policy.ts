// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::Region} here is the Fn::Sub variable of a role name pattern.
import { resourceNames } from './names';

/**
 * The example service control policy of the organization rollout: member
 * accounts' principals may not change or delete what the StackSet deployed
 * (the functions, their roles, the automation role, the role CloudTrail
 * writes to the trails' log group with, the SSM document, the log groups,
 * the error alarms and the stack instance), nor pass the functions' roles
 * to any service, nor the automation role to any service but SSM
 * Automation, nor the trails' log group role to any but CloudTrail; except the StackSets execution role, through which
 * the StackSet itself deploys, updates and removes them, and AWS Control
 * Tower's. SCPs never apply to the management account or to service-linked
 * roles (AWS Config, its remediation, Security Hub). It leaves Config rules
 * and remediation configurations alone: IAM cannot single out this
 * project's (docs/organization-rollout.md, "Guard rails").
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
  Condition: Record<string, Record<string, string[]>>;
}

export interface GuardRailPolicy {
  Version: '2012-10-17';
  Statement: DenyStatement[];
}

/** @example guardRailPolicy({ ruleName: 'cloudtrail-1-multi-region-trail', stackSetName: 'cloudtrail-1-multi-region-trail' }).Statement.length // => 10 */
export function guardRailPolicy(names: {
  ruleName: string;
  stackSetName: string;
}): GuardRailPolicy {
  const n = resourceNames(names.ruleName);
  // Every Region's role: IAM names are global, so the Region is part of the name.
  const roleArn = (pattern: string) =>
    `arn:aws:iam::*:role/${pattern.replace('${AWS::Region}', '*')}`;
  const functionRoles = [n.ruleRoleNamePattern, n.remediationRoleNamePattern].map(roleArn);
  const automationRole = roleArn(n.automationRoleNamePattern);
  const trailLogsRole = roleArn(n.trailLogsRoleNamePattern);
  // Stack instances are named StackSet-<name>-<ID>, and their log groups after the stack.
  const stackPrefix = `StackSet-${names.stackSetName}-`;
  const exceptStackSets = { ArnNotLike: { 'aws:PrincipalArn': EXEMPT_ROLES } };
  const deny = (
    statement: Omit<DenyStatement, 'Effect' | 'Condition'> & {
      Condition?: DenyStatement['Condition'];
    },
  ): DenyStatement => ({
    Sid: statement.Sid,
    Effect: 'Deny',
    ...(statement.Action ? { Action: statement.Action } : {}),
    ...(statement.NotAction ? { NotAction: statement.NotAction } : {}),
    Resource: statement.Resource,
    Condition: { ...statement.Condition, ...exceptStackSets },
  });
  return {
    Version: '2012-10-17',
    Statement: [
      deny({
        Sid: 'ProtectExemptRoles',
        // Otherwise anyone could rewrite an exempt role's trust, assume it, and be exempt.
        NotAction: ['iam:Get*', 'iam:List*'],
        Resource: EXEMPT_ROLES,
      }),
      deny({
        Sid: 'ProtectFunctions',
        // Reading and invoking stay allowed (Config and SSM invoke them); nothing else.
        NotAction: ['lambda:Get*', 'lambda:List*', 'lambda:InvokeFunction'],
        // The function, and any of its versions or aliases.
        Resource: [n.ruleFunctionName, n.remediationFunctionName].flatMap((f) => [
          `arn:aws:lambda:*:*:function:${f}`,
          `arn:aws:lambda:*:*:function:${f}:*`,
        ]),
      }),
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
        Action: [
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
        Action: [
          'logs:DeleteLogGroup',
          'logs:DeleteLogStream',
          'logs:PutRetentionPolicy',
          'logs:DeleteRetentionPolicy',
          'logs:AssociateKmsKey',
          'logs:DisassociateKmsKey',
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
        Resource: [n.ruleFunctionName, n.remediationFunctionName].map(
          (f) => `arn:aws:cloudwatch:*:*:alarm:${f}-errors`,
        ),
      }),
    ],
  };
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
