// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::Region} here is the Fn::Sub variable of a role name pattern.
import { resourceNames } from './names';

/**
 * The example service control policy of the organization rollout: member
 * accounts' principals may not change or delete what the StackSet deployed
 * (the functions, their roles, the automation role, the SSM document, the
 * log groups, the stack instance, the Config rule and its remediation
 * configuration), except the StackSets execution role, through which the
 * StackSet itself updates and removes them, and AWS Control Tower's. SCPs never apply to the
 * management account or to service-linked roles (AWS Config, Security Hub).
 */

/** The role service-managed StackSets run stack operations as, in every member account. */
export const STACKSET_EXECUTION_ROLE = 'arn:aws:iam::*:role/stacksets-exec-*';
/**
 * The role AWS Control Tower works through in enrolled accounts: it creates
 * and removes Config rules for its controls, which the policy's Config
 * statement would otherwise deny.
 */
export const CONTROL_TOWER_EXECUTION_ROLE = 'arn:aws:iam::*:role/AWSControlTowerExecution';
/** The principals the policy exempts; it also keeps anyone else from changing or assuming them. */
export const EXEMPT_ROLES = [STACKSET_EXECUTION_ROLE, CONTROL_TOWER_EXECUTION_ROLE];

/** AWS Organizations rejects service control policies longer than this (characters, as stored). */
export const MAX_POLICY_CHARACTERS = 5_120;

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

/** @example guardRailPolicy({ ruleName: 'cloudtrail-1-multi-region-trail', stackSetName: 'cloudtrail-1-multi-region-trail' }).Statement.length // => 7 */
export function guardRailPolicy(names: {
  ruleName: string;
  stackSetName: string;
}): GuardRailPolicy {
  const n = resourceNames(names.ruleName);
  const roles = [n.ruleRoleNamePattern, n.remediationRoleNamePattern, n.automationRoleNamePattern];
  // Stack instances are named StackSet-<name>-<ID>, and their log groups after the stack.
  const stackPrefix = `StackSet-${names.stackSetName}-`;
  const exceptStackSets = { ArnNotLike: { 'aws:PrincipalArn': EXEMPT_ROLES } };
  const deny = (statement: Omit<DenyStatement, 'Effect' | 'Condition'>): DenyStatement => ({
    Sid: statement.Sid,
    Effect: 'Deny',
    ...(statement.Action ? { Action: statement.Action } : {}),
    ...(statement.NotAction ? { NotAction: statement.NotAction } : {}),
    Resource: statement.Resource,
    Condition: exceptStackSets,
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
        // PassRole stays allowed: running the document by hand passes the automation role.
        NotAction: [
          'iam:Get*',
          'iam:List*',
          'iam:PassRole',
          'iam:GenerateServiceLastAccessedDetails',
        ],
        Resource: roles.map((r) => `arn:aws:iam::*:role/${r.replace('${AWS::Region}', '*')}`),
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
        Sid: 'ProtectConfigRules',
        // IAM names Config rules and remediation configurations by generated IDs, never by
        // name, so this covers every one in the account (docs/organization-rollout.md, "Guard rails").
        Action: [
          'config:DeleteConfigRule',
          'config:PutConfigRule',
          'config:DeleteRemediationConfiguration',
          'config:PutRemediationConfigurations',
          'config:PutRemediationExceptions',
          'config:DeleteEvaluationResults',
        ],
        Resource: '*',
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
