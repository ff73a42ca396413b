import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EXAMPLE_POLICY,
  examplePolicies,
  policyFiles,
  main as writePolicy,
} from '../../../scripts/service-control-policy';
import { cdkJsonContext } from '../../../stack/build-app';
import { memberTemplate } from '../../../stack/member-template';
import { DEFAULT_RULE_NAME } from '../../../stack/options';
import {
  AUTOMATION_SERVICE,
  EXEMPT_ROLES,
  type GuardRailPolicy,
  guardRailPolicies,
  guardRailPolicyText,
  guardRailStatements,
  MAX_POLICY_CHARACTERS,
  policyCharacters,
  STACKSET_EXECUTION_ROLE,
  TRAIL_LOGS_SERVICE,
} from '../../../stack/service-control-policy';
import { deploy } from '../../support/cfn-evaluator';

/*
 * The example service control policies (org/guard-rails.scp.json and
 * org/guard-rails-resources.scp.json, attached side by side): what they
 * protect must be what the member template creates, named as it names it.
 */

const NAMES = { ruleName: DEFAULT_RULE_NAME, stackSetName: DEFAULT_RULE_NAME };
const policies = guardRailPolicies(NAMES);
/** Both policies' statements: a request is denied when any attached policy denies it. */
const policy: GuardRailPolicy = {
  Version: '2012-10-17',
  Statement: policies.flatMap((p) => p.policy.Statement),
};
let deployed: ReturnType<typeof deploy>;
let deployedInVpc: ReturnType<typeof deploy>;
let deployedWithTrailLogs: ReturnType<typeof deploy>;

beforeAll(() => {
  const template = memberTemplate(cdkJsonContext(), { validate: false });
  deployed = deploy(template);
  deployedInVpc = deploy(template, {
    SubnetIds: 'subnet-0123456789abcdef0',
    SecurityGroupIds: 'sg-0123456789abcdef0',
  });
  deployedWithTrailLogs = deploy(template, { CloudWatchLogs: 'true', TrailKey: 'create' });
}, 60_000);

/** An IAM ARN pattern (`*` any run of characters, `?` one) as a regular expression. */
function arnPattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

function resources(sid: string): string[] {
  const statement = policy.Statement.find((s) => s.Sid === sid);
  if (statement === undefined) throw new Error(`No statement ${sid}`);
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** One request as IAM authorizes it: who, which action, on which resource, with which condition keys. */
interface Request {
  principal: string;
  action: string;
  resource: string;
  /** Condition keys of the request besides `aws:PrincipalArn`, which is always the principal. */
  context?: Record<string, string>;
}

/**
 * The condition operators the model evaluates, by their positive form. A
 * negated operator (`StringNotEquals`, `ArnNotLike`) holds when the key is
 * missing or matches none of the values; a positive one needs the key and
 * one matching value
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 */
const OPERATORS: Record<string, (pattern: string, value: string) => boolean> = {
  StringEquals: (pattern, value) => pattern === value,
  ArnLike: (pattern, value) => arnPattern(pattern).test(value),
};
const NEGATED: Record<string, string> = { StringNotEquals: 'StringEquals', ArnNotLike: 'ArnLike' };

/** Whether every operator and key of a condition block holds; an operator the model does not know is an error, never ignored. */
function conditionHolds(
  condition: Record<string, Record<string, string[]>>,
  context: Record<string, string>,
): boolean {
  return Object.entries(condition).every(([operator, keys]) => {
    const test = OPERATORS[NEGATED[operator] ?? operator];
    if (test === undefined) throw new Error(`The model does not evaluate ${operator}`);
    return Object.entries(keys).every(([key, values]) => {
      const value = context[key];
      const matches = value !== undefined && values.some((v) => test(v, value));
      return operator in NEGATED ? !matches : matches;
    });
  });
}

/** Whether a policy's Deny statements (Action or NotAction, Resource, Condition) deny a request. */
function deniedBy(statements: GuardRailPolicy['Statement'], request: Request): boolean {
  const matches = (pattern: string, value: string) => arnPattern(pattern).test(value);
  const context = { ...request.context, 'aws:PrincipalArn': request.principal };
  return statements.some((statement) => {
    const actionMatches = statement.Action
      ? statement.Action.some((a) => matches(a, request.action))
      : !(statement.NotAction ?? []).some((a) => matches(a, request.action));
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    return (
      actionMatches &&
      resources.some((r) => matches(r, request.resource)) &&
      conditionHolds(statement.Condition ?? {}, context)
    );
  });
}

const denied = (request: Request) => deniedBy(policy.Statement, request);

const ACCOUNT = 'arn:aws:iam::111111111111';
const ADMIN = `${ACCOUNT}:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef`;
const STACKSETS = `${ACCOUNT}:role/stacksets-exec-0123abcd`;
const CONTROL_TOWER = `${ACCOUNT}:role/AWSControlTowerExecution`;
const AUTOMATION = `${ACCOUNT}:role/${DEFAULT_RULE_NAME}-automation-us-east-1`;
const REMEDIATION = `${ACCOUNT}:role/${DEFAULT_RULE_NAME}-remediation-us-east-1`;
const RULE_ROLE = `${ACCOUNT}:role/${DEFAULT_RULE_NAME}-rule-us-east-1`;
const FUNCTION = `arn:aws:lambda:us-east-1:111111111111:function:${DEFAULT_RULE_NAME}-rule`;
const REMEDIATION_FUNCTION = FUNCTION.replace('-rule', '-remediation');
const ALARM = `arn:aws:cloudwatch:us-east-1:111111111111:alarm:${DEFAULT_RULE_NAME}-rule-errors`;
const REMEDIATION_ALARM = ALARM.replace('-rule-errors', '-remediation-errors');
const FUNCTION_ALARM_PREFIX = ALARM.replace('-errors', '');
const CHANGE_WATCH = `arn:aws:events:us-east-1:111111111111:rule/${DEFAULT_RULE_NAME}-config-changes`;
const CHANGE_ALARM = `arn:aws:cloudwatch:us-east-1:111111111111:alarm:${DEFAULT_RULE_NAME}-config-changes`;
const OUR_RULE = 'arn:aws:config:us-east-1:111111111111:config-rule/config-rule-k3vq0x';
const OTHER_RULE = 'arn:aws:config:us-east-1:111111111111:config-rule/config-rule-ab12cd';
const passedTo = (service: string) => ({ 'iam:PassedToService': service });

const covered = (sid: string, arn: string) => resources(sid).some((r) => arnPattern(r).test(arn));
const named = (
  template: ReturnType<typeof deploy>,
  type: string,
  property: string,
): Map<string, string> =>
  new Map(
    Object.entries(template.resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => [id, String(r.Properties[property])]),
  );

describe('the guard-rail model of Deny evaluation', () => {
  const statement = (condition: Record<string, Record<string, string[]>>) => [
    {
      Sid: 'Test',
      Effect: 'Deny' as const,
      Action: ['iam:PassRole'],
      Resource: '*',
      Condition: condition,
    },
  ];
  const request = (context?: Record<string, string>): Request => ({
    principal: ADMIN,
    action: 'iam:PassRole',
    resource: AUTOMATION,
    ...(context === undefined ? {} : { context }),
  });

  it('holds a negated operator when the key is missing, a positive one only when it is there', () => {
    expect(
      deniedBy(statement({ StringNotEquals: { 'iam:PassedToService': ['a'] } }), request()),
    ).toBe(true);
    expect(deniedBy(statement({ StringEquals: { 'iam:PassedToService': ['a'] } }), request())).toBe(
      false,
    );
  });

  it('holds a negated operator only when the value is none of its values', () => {
    const notEither = statement({ StringNotEquals: { 'iam:PassedToService': ['a', 'b'] } });
    expect(deniedBy(notEither, request(passedTo('b')))).toBe(false);
    expect(deniedBy(notEither, request(passedTo('c')))).toBe(true);
  });

  it('needs every operator of the block to hold', () => {
    const both = statement({
      StringNotEquals: { 'iam:PassedToService': ['a'] },
      ArnNotLike: { 'aws:PrincipalArn': [STACKSET_EXECUTION_ROLE] },
    });
    expect(deniedBy(both, request(passedTo('c')))).toBe(true);
    expect(deniedBy(both, { ...request(passedTo('c')), principal: STACKSETS })).toBe(false);
    expect(deniedBy(both, request(passedTo('a')))).toBe(false);
  });

  it('refuses an operator it does not evaluate rather than ignoring it', () => {
    expect(() =>
      deniedBy(statement({ StringLike: { 'iam:PassedToService': ['a*'] } }), request()),
    ).toThrow('The model does not evaluate StringLike');
  });
});

describe('the example service control policies', () => {
  it('are the files in the repository, as npm run scp:example writes them for the default names', () => {
    const files = policyFiles(EXAMPLE_POLICY, policies);
    expect(files.map((f) => f.replace(/^.*\/org\//, 'org/'))).toEqual([
      'org/guard-rails.scp.json',
      'org/guard-rails-resources.scp.json',
    ]);
    const written = examplePolicies();
    files.forEach((file, i) => {
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(policies[i]?.policy);
      const policy = written[i]?.policy;
      if (policy === undefined) throw new Error(`No example policy for ${file}`);
      expect(readFileSync(file, 'utf8')).toBe(guardRailPolicyText(policy));
    });
  });

  // A service control policy holds at most 5,120 characters, and a target takes at most five
  // directly attached: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
  it('each fit in the 5,120 characters AWS Organizations accepts, whitespace included, also with the longest names and alias the options accept', () => {
    for (const [i, file] of policyFiles(EXAMPLE_POLICY, policies).entries()) {
      const text = readFileSync(file, 'utf8');
      const example = policies[i]?.policy;
      if (example === undefined) throw new Error(`No policy for ${file}`);
      expect(text.length).toBe(policyCharacters(example));
      expect(text.length).toBeLessThan(MAX_POLICY_CHARACTERS);
    }
    const longest = guardRailPolicies({
      ruleName: 'r'.repeat(36),
      stackSetName: 's'.repeat(128),
      kmsKeyId: `arn:aws:kms:ap-southeast-2:111122223333:alias/${'k'.repeat(250)}`,
    });
    expect(longest).toHaveLength(2);
    for (const { policy: one } of longest) {
      expect(policyCharacters(one)).toBeLessThan(MAX_POLICY_CHARACTERS);
    }
  });

  it('split every statement between the two policies, each once', () => {
    const sids = policies.flatMap((p) => p.policy.Statement.map((s) => s.Sid));
    expect(new Set(sids).size).toBe(sids.length);
    expect(sids.sort()).toEqual(
      guardRailStatements(NAMES)
        .map((s) => s.Sid)
        .sort(),
    );
    expect(policies.every((p) => p.policy.Statement.length > 0)).toBe(true);
  });

  it('only deny, never to the StackSets and Control Tower execution roles, except invoking the functions, which nobody but the automation role may', () => {
    const invoking = ['InvokeRuleFunctionNever', 'InvokeRemediationFunctionAutomationOnly'];
    for (const statement of policy.Statement) {
      expect(statement.Effect).toBe('Deny');
      if (invoking.includes(statement.Sid)) continue;
      expect(statement.Condition?.ArnNotLike).toEqual({ 'aws:PrincipalArn': EXEMPT_ROLES });
    }
    expect(EXEMPT_ROLES).toContain(STACKSET_EXECUTION_ROLE);
    for (const principal of [STACKSETS, CONTROL_TOWER, ADMIN, REMEDIATION]) {
      expect(denied({ principal, action: 'lambda:InvokeFunction', resource: FUNCTION })).toBe(true);
      expect(
        denied({ principal, action: 'lambda:InvokeFunction', resource: REMEDIATION_FUNCTION }),
      ).toBe(true);
    }
  });

  it.each<[string, Request]>([
    [
      'the StackSets execution role updates the rule function',
      { principal: STACKSETS, action: 'lambda:UpdateFunctionCode', resource: FUNCTION },
    ],
    [
      'the StackSets execution role creates the remediation function, passing its role to Lambda',
      {
        principal: STACKSETS,
        action: 'iam:PassRole',
        resource: REMEDIATION,
        context: passedTo('lambda.amazonaws.com'),
      },
    ],
    [
      'Control Tower passes the rule function’s role',
      {
        principal: CONTROL_TOWER,
        action: 'iam:PassRole',
        resource: RULE_ROLE,
        context: passedTo('lambda.amazonaws.com'),
      },
    ],
    [
      'the StackSets execution role replaces an error alarm',
      { principal: STACKSETS, action: 'cloudwatch:PutMetricAlarm', resource: ALARM },
    ],
    [
      'Control Tower adds a Config rule for a control',
      { principal: CONTROL_TOWER, action: 'config:PutConfigRule', resource: OTHER_RULE },
    ],
    [
      'the automation role invokes the remediation function',
      { principal: AUTOMATION, action: 'lambda:InvokeFunction', resource: REMEDIATION_FUNCTION },
    ],
    [
      'the automation role of another Region invokes the remediation function there',
      {
        principal: `${ACCOUNT}:role/${DEFAULT_RULE_NAME}-automation-eu-west-1`,
        action: 'lambda:InvokeFunction',
        resource: REMEDIATION_FUNCTION.replace('us-east-1', 'eu-west-1'),
      },
    ],
    [
      'an administrator invokes a function of their own',
      {
        principal: ADMIN,
        action: 'lambda:InvokeFunction',
        resource: 'arn:aws:lambda:us-east-1:111111111111:function:payments-api',
      },
    ],
    [
      'the StackSets execution role creates the document in a new Region',
      {
        principal: STACKSETS,
        action: 'ssm:CreateDocument',
        resource: `arn:aws:ssm:ap-southeast-2:111111111111:document/${DEFAULT_RULE_NAME}-remediation`,
      },
    ],
    [
      'an administrator creates a document of their own',
      {
        principal: ADMIN,
        action: 'ssm:CreateDocument',
        resource: 'arn:aws:ssm:us-east-1:111111111111:document/patch-baseline-runbook',
      },
    ],
    [
      'an administrator reads the rule that watches the Config rule',
      { principal: ADMIN, action: 'events:DescribeRule', resource: CHANGE_WATCH },
    ],
    [
      'another team changes its own EventBridge rule',
      {
        principal: ADMIN,
        action: 'events:PutRule',
        resource: 'arn:aws:events:us-east-1:111111111111:rule/payments-api-nightly',
      },
    ],
    [
      'another team puts a transformer on its own log group',
      {
        principal: ADMIN,
        action: 'logs:PutTransformer',
        resource: 'arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/payments-api',
      },
    ],
    [
      'the StackSets execution role replaces the rule watch',
      { principal: STACKSETS, action: 'events:PutRule', resource: CHANGE_WATCH },
    ],
    [
      'the automation role re-evaluates the rule',
      { principal: AUTOMATION, action: 'config:StartConfigRulesEvaluation', resource: OUR_RULE },
    ],
    [
      'an administrator presses Remediate',
      { principal: ADMIN, action: 'config:StartRemediationExecution', resource: '*' },
    ],
    [
      // AWS Config's remediation passes it the same way, through a service-linked role SCPs never
      // restrict, which may pass roles only to ssm.amazonaws.com:
      // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSConfigRemediationServiceRolePolicy.html
      // iam:PassedToService is the service principal the role is passed to:
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
      'an administrator runs the document, passing the automation role to SSM Automation',
      {
        principal: ADMIN,
        action: 'iam:PassRole',
        resource: AUTOMATION,
        context: passedTo(AUTOMATION_SERVICE),
      },
    ],
    [
      'an administrator passes a role of their own to a function of their own',
      {
        principal: ADMIN,
        action: 'iam:PassRole',
        resource: `${ACCOUNT}:role/payments-api`,
        context: passedTo('lambda.amazonaws.com'),
      },
    ],
    [
      'an administrator reads the rule function',
      { principal: ADMIN, action: 'lambda:GetFunction', resource: FUNCTION },
    ],
    [
      'an administrator reads the alarms',
      { principal: ADMIN, action: 'cloudwatch:DescribeAlarms', resource: ALARM },
    ],
    [
      'an administrator deletes another team’s alarm',
      {
        principal: ADMIN,
        action: 'cloudwatch:DeleteAlarms',
        resource: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:payments-api-errors',
      },
    ],
    [
      'the remediation role creates a trail',
      {
        principal: REMEDIATION,
        action: 'cloudtrail:CreateTrail',
        resource: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/multi-region-management-events',
      },
    ],
    [
      'another team changes its Config rule',
      { principal: ADMIN, action: 'config:PutConfigRule', resource: OTHER_RULE },
    ],
    [
      'another team deletes its Config rule',
      { principal: ADMIN, action: 'config:DeleteConfigRule', resource: OTHER_RULE },
    ],
    [
      'another team sets up a remediation for its rule',
      {
        principal: ADMIN,
        action: 'config:PutRemediationConfigurations',
        resource:
          'arn:aws:config:us-east-1:111111111111:remediation-configuration/s3-bucket-versioning/5e3d2c1b',
      },
    ],
    [
      'a CDK deployment’s execution role creates a Config rule',
      {
        principal: `${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-111111111111-us-east-1`,
        action: 'config:PutConfigRule',
        resource: OTHER_RULE,
      },
    ],
  ])('allows what operating the rule, and everyone else’s work, needs: %s', (_, request) => {
    expect(denied(request)).toBe(false);
  });

  it.each<[string, Omit<Request, 'principal'>]>([
    [
      'change the rule function’s code',
      { action: 'lambda:UpdateFunctionCode', resource: FUNCTION },
    ],
    [
      'delete the remediation function',
      { action: 'lambda:DeleteFunction', resource: REMEDIATION_FUNCTION },
    ],
    [
      'remove Config’s permission to invoke it',
      { action: 'lambda:RemovePermission', resource: FUNCTION },
    ],
    [
      'widen the remediation role in another Region',
      {
        action: 'iam:PutRolePolicy',
        resource: `${ACCOUNT}:role/${DEFAULT_RULE_NAME}-remediation-ap-southeast-2`,
      },
    ],
    [
      'attach a managed policy to the remediation role',
      { action: 'iam:AttachRolePolicy', resource: REMEDIATION },
    ],
    [
      'delete the rule role’s VPC access policy',
      { action: 'iam:DeleteRolePolicy', resource: RULE_ROLE },
    ],
    ['delete the automation role', { action: 'iam:DeleteRole', resource: AUTOMATION }],
    [
      'pass the remediation role to a function of their own, and run their code with its rights',
      { action: 'iam:PassRole', resource: REMEDIATION, context: passedTo('lambda.amazonaws.com') },
    ],
    [
      'pass the rule function’s role to a function of their own',
      { action: 'iam:PassRole', resource: RULE_ROLE, context: passedTo('lambda.amazonaws.com') },
    ],
    [
      'pass the remediation role even to SSM Automation',
      { action: 'iam:PassRole', resource: REMEDIATION, context: passedTo(AUTOMATION_SERVICE) },
    ],
    [
      'pass the automation role to a function',
      { action: 'iam:PassRole', resource: AUTOMATION, context: passedTo('lambda.amazonaws.com') },
    ],
    [
      'pass the automation role to an EC2 instance in another Region',
      {
        action: 'iam:PassRole',
        resource: `${ACCOUNT}:role/${DEFAULT_RULE_NAME}-automation-eu-west-1`,
        context: passedTo('ec2.amazonaws.com'),
      },
    ],
    [
      'pass the automation role where no service is named',
      { action: 'iam:PassRole', resource: AUTOMATION },
    ],
    [
      'rewrite the StackSets execution role’s trust',
      { action: 'iam:UpdateAssumeRolePolicy', resource: STACKSETS },
    ],
    ['assume the StackSets execution role', { action: 'sts:AssumeRole', resource: STACKSETS }],
    [
      'create a role named like Control Tower’s',
      { action: 'iam:CreateRole', resource: CONTROL_TOWER },
    ],
    [
      'change the document',
      {
        action: 'ssm:UpdateDocument',
        resource: `arn:aws:ssm:us-east-1:111111111111:document/${DEFAULT_RULE_NAME}-remediation`,
      },
    ],
    [
      'delete the stack instance',
      {
        action: 'cloudformation:DeleteStack',
        resource: `arn:aws:cloudformation:us-east-1:111111111111:stack/StackSet-${DEFAULT_RULE_NAME}-0f1e2d3c/0f1e2d3c`,
      },
    ],
    [
      'shorten the logs’ retention',
      {
        action: 'logs:PutRetentionPolicy',
        resource: `arn:aws:logs:us-east-1:111111111111:log-group:StackSet-${DEFAULT_RULE_NAME}-0f1e2d3c-RuleFunctionLogs7B6AB4B3-AbCdEf`,
      },
    ],
    [
      'delete the rule function’s error alarm',
      { action: 'cloudwatch:DeleteAlarms', resource: ALARM },
    ],
    [
      'turn off the remediation alarm’s notifications',
      { action: 'cloudwatch:DisableAlarmActions', resource: REMEDIATION_ALARM },
    ],
    [
      'rewrite an error alarm’s threshold',
      { action: 'cloudwatch:PutMetricAlarm', resource: ALARM },
    ],
    [
      'set an error alarm back to OK',
      { action: 'cloudwatch:SetAlarmState', resource: REMEDIATION_ALARM },
    ],
    ['mute an error alarm', { action: 'cloudwatch:PutAlarmMuteRule', resource: ALARM }],
    [
      'invoke the rule function with a junk event, to hold its error alarm in ALARM',
      { action: 'lambda:InvokeFunction', resource: FUNCTION },
    ],
    [
      'invoke a version of the rule function',
      { action: 'lambda:InvokeFunction', resource: `${FUNCTION}:1` },
    ],
    [
      'invoke the rule function asynchronously',
      { action: 'lambda:InvokeAsync', resource: FUNCTION },
    ],
    [
      'invoke the remediation function directly',
      { action: 'lambda:InvokeFunction', resource: REMEDIATION_FUNCTION },
    ],
    [
      'create a document under the document’s name in a Region the StackSet has not reached',
      {
        action: 'ssm:CreateDocument',
        resource: `arn:aws:ssm:ap-southeast-2:111111111111:document/${DEFAULT_RULE_NAME}-remediation`,
      },
    ],
    [
      'make another version of the document the default',
      {
        action: 'ssm:UpdateDocumentDefaultVersion',
        resource: `arn:aws:ssm:us-east-1:111111111111:document/${DEFAULT_RULE_NAME}-remediation`,
      },
    ],
    [
      'share the document with another account',
      {
        action: 'ssm:ModifyDocumentPermission',
        resource: `arn:aws:ssm:us-east-1:111111111111:document/${DEFAULT_RULE_NAME}-remediation`,
      },
    ],
    [
      'rewrite the functions’ log lines with a transformer',
      {
        action: 'logs:PutTransformer',
        resource: `arn:aws:logs:us-east-1:111111111111:log-group:StackSet-${DEFAULT_RULE_NAME}-0f1e2d3c-RuleFunctionLogs7B6AB4B3-AbCdEf`,
      },
    ],
    [
      'mask the functions’ log lines with a data protection policy',
      {
        action: 'logs:PutDataProtectionPolicy',
        resource: `arn:aws:logs:us-east-1:111111111111:log-group:StackSet-${DEFAULT_RULE_NAME}-0f1e2d3c-RemediationFunctionLogsB27AE0D4-AbCdEf`,
      },
    ],
    [
      'delete the rule that sees the Config rule re-pointed',
      { action: 'events:DeleteRule', resource: CHANGE_WATCH },
    ],
    [
      'disable the rule that sees the Config rule re-pointed',
      { action: 'events:DisableRule', resource: CHANGE_WATCH },
    ],
    [
      'rewrite its event pattern so it matches nothing',
      { action: 'events:PutRule', resource: CHANGE_WATCH },
    ],
    [
      'delete the alarm that hears of a change to the Config rule',
      { action: 'cloudwatch:DeleteAlarms', resource: CHANGE_ALARM },
    ],
    [
      'turn off the throttles alarm’s notifications',
      { action: 'cloudwatch:DisableAlarmActions', resource: `${FUNCTION_ALARM_PREFIX}-throttles` },
    ],
    [
      'set the missed-runs alarm back to OK',
      { action: 'cloudwatch:SetAlarmState', resource: `${FUNCTION_ALARM_PREFIX}-invocations` },
    ],
  ])('keeps a member administrator from being able to %s', (_, request) => {
    expect(denied({ principal: ADMIN, ...request })).toBe(true);
  });

  // A Config rule's ARN ends in a generated ID, remediation configurations accept no condition key,
  // and CloudFormation cannot tag a Config rule (no Tags property), so a tag condition has no tag:
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsconfig.html
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-config-configrule.html
  it('names no Config action, leaving other teams’ rules alone: the rule is watched instead, and the watch is protected', () => {
    const actions = policy.Statement.flatMap((s) => [...(s.Action ?? []), ...(s.NotAction ?? [])]);
    expect(actions.filter((a) => a.startsWith('config:'))).toEqual([]);
    // What a member administrator would do first to re-point the rule unseen is denied.
    for (const action of ['events:DeleteRule', 'events:DisableRule', 'events:PutRule']) {
      expect(denied({ principal: ADMIN, action, resource: CHANGE_WATCH })).toBe(true);
    }
    expect(
      denied({ principal: ADMIN, action: 'cloudwatch:DeleteAlarms', resource: CHANGE_ALARM }),
    ).toBe(true);
  });

  it('protects the rule that watches the Config rule and the alarm on it, as the member template names them', () => {
    const [watch, ...others] = [...named(deployed, 'AWS::Events::Rule', 'Name').values()];
    expect(others).toEqual([]);
    expect(
      covered('ProtectConfigChangeWatch', `arn:aws:events:eu-west-1:111111111111:rule/${watch}`),
    ).toBe(true);
    expect(
      covered('ProtectAlarms', `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:${watch}`),
    ).toBe(true);
  });

  it('protects both functions the member template creates; only the automation role may invoke the remediation function', () => {
    const functions = [...named(deployed, 'AWS::Lambda::Function', 'FunctionName').values()];
    expect(functions).toHaveLength(2);
    for (const name of functions) {
      expect(
        covered('ProtectFunctions', `arn:aws:lambda:us-east-1:111111111111:function:${name}`),
      ).toBe(true);
    }
    const statement = policy.Statement.find((s) => s.Sid === 'ProtectFunctions');
    expect(statement?.NotAction).toContain('lambda:InvokeFunction');
    expect(
      covered('ProtectFunctions', 'arn:aws:lambda:us-east-1:111111111111:function:other-rule'),
    ).toBe(false);
  });

  it('protects the roles the member template creates, in every Region, and no other role', () => {
    const roles = [...named(deployedWithTrailLogs, 'AWS::IAM::Role', 'RoleName').values()];
    expect(roles).toHaveLength(4);
    expect([...named(deployed, 'AWS::IAM::Role', 'RoleName').values()]).toHaveLength(3);
    for (const name of roles) {
      expect(covered('ProtectRoles', `arn:aws:iam::111111111111:role/${name}`)).toBe(true);
      const elsewhere = name.replace('us-east-1', 'ap-southeast-2');
      expect(covered('ProtectRoles', `arn:aws:iam::111111111111:role/${elsewhere}`)).toBe(true);
    }
    expect(
      covered('ProtectRoles', 'arn:aws:iam::111111111111:role/OrganizationAccountAccessRole'),
    ).toBe(false);
  });

  // sts:AssumeRole is authorized on the role's ARN, and no service principal is bound by an SCP:
  // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
  it('lets nobody assume the role CloudTrail writes to the trails’ log group with', () => {
    const [trailLogs] = [
      ...named(deployedWithTrailLogs, 'AWS::IAM::Role', 'RoleName').values(),
    ].filter((name) => name.includes('-trail-logs-'));
    expect(
      denied({
        principal: ADMIN,
        action: 'sts:AssumeRole',
        resource: `${ACCOUNT}:role/${trailLogs}`,
      }),
    ).toBe(true);
  });

  it('lets nobody pass either function’s role, the automation role but to SSM Automation, or the trails’ log group role but to CloudTrail', () => {
    const roles = [...named(deployedWithTrailLogs, 'AWS::IAM::Role', 'RoleName').values()];
    const pass = (principal: string, name: string, service: string) =>
      denied({
        principal,
        action: 'iam:PassRole',
        resource: `${ACCOUNT}:role/${name}`,
        context: passedTo(service),
      });
    const automation = roles.filter((name) => name.includes('-automation-'));
    const trailLogs = roles.filter((name) => name.includes('-trail-logs-'));
    expect(automation).toHaveLength(1);
    expect(trailLogs).toHaveLength(1);
    for (const name of roles) {
      expect(pass(ADMIN, name, 'lambda.amazonaws.com')).toBe(true);
      expect(pass(ADMIN, name, AUTOMATION_SERVICE)).toBe(!automation.includes(name));
      expect(pass(ADMIN, name, TRAIL_LOGS_SERVICE)).toBe(!trailLogs.includes(name));
    }
    // The remediation passes it to CloudTrail when it creates or hardens a trail.
    expect(pass(REMEDIATION, trailLogs[0] ?? '', TRAIL_LOGS_SERVICE)).toBe(false);
  });

  // iam:PutRolePolicy and iam:DeleteRolePolicy are authorized on the role's ARN:
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
  it('protects the policies that give the functions their VPC, which are policies of the protected roles', () => {
    const roleNames = named(deployedInVpc, 'AWS::IAM::Role', 'RoleName');
    const policies = Object.values(deployedInVpc.resources).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.PolicyDocument).includes('ec2:CreateNetworkInterface'),
    );
    expect(policies).toHaveLength(2);
    for (const attached of policies) {
      const roles = attached.Properties.Roles as { Ref: string }[];
      expect(roles).toHaveLength(1);
      for (const { Ref } of roles) {
        const arn = `${ACCOUNT}:role/${roleNames.get(Ref)}`;
        for (const action of ['iam:PutRolePolicy', 'iam:DeleteRolePolicy']) {
          expect(denied({ principal: ADMIN, action, resource: arn })).toBe(true);
        }
      }
    }
  });

  // The alarm actions are authorized on arn:aws:cloudwatch:<Region>:<account>:alarm:<name>:
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
  it('protects every alarm the member template creates, and no other alarm', () => {
    const alarms = [...named(deployed, 'AWS::CloudWatch::Alarm', 'AlarmName').values()];
    // Errors and throttles of both functions, the rule's missed runs, and the change watch.
    expect(alarms).toHaveLength(6);
    for (const name of alarms) {
      expect(
        covered('ProtectAlarms', `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:${name}`),
      ).toBe(true);
    }
    expect(
      covered('ProtectAlarms', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:other-rule-errors'),
    ).toBe(false);
  });

  it('protects the remediation document, the stack instance and its log groups', () => {
    const [document] = [...named(deployed, 'AWS::SSM::Document', 'Name').values()];
    expect(
      covered('ProtectDocument', `arn:aws:ssm:us-east-1:111111111111:document/${document}`),
    ).toBe(true);
    // StackSets name each instance StackSet-<name>-<ID>; its log groups are named after the stack.
    const stackName = `StackSet-${DEFAULT_RULE_NAME}-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
    expect(
      covered(
        'ProtectStackInstance',
        `arn:aws:cloudformation:us-east-1:111111111111:stack/${stackName}/0f1e2d3c`,
      ),
    ).toBe(true);
    expect(
      covered(
        'ProtectLogs',
        `arn:aws:logs:us-east-1:111111111111:log-group:${stackName}-RuleFunctionLogs7B6AB4B3-AbCdEf`,
      ),
    ).toBe(true);
    // The trails' log group is named after the stack too (the model calls the stack test-stack).
    const [trailLogGroup = ''] = [
      ...named(deployedWithTrailLogs, 'AWS::Logs::LogGroup', 'LogGroupName').values(),
    ].filter((name) => name.startsWith('test-stack-CloudTrail-'));
    expect(trailLogGroup).not.toBe('');
    const asInstance = trailLogGroup.replace('test-stack', stackName);
    expect(
      covered('ProtectLogs', `arn:aws:logs:us-east-1:111111111111:log-group:${asInstance}`),
    ).toBe(true);
    expect(
      covered('ProtectStackInstance', 'arn:aws:cloudformation:us-east-1:111111111111:stack/app/1'),
    ).toBe(false);
  });

  it('names its resources after the rule and StackSet names it is given', () => {
    const custom = guardRailPolicies({ ruleName: 'org-ct1', stackSetName: 'security-ct1' });
    const text = JSON.stringify(custom);
    expect(text).toContain('function:org-ct1-rule');
    expect(text).toContain('alarm:org-ct1-remediation-errors');
    expect(text).toContain('stack/StackSet-security-ct1-*');
    expect(text).not.toContain(DEFAULT_RULE_NAME);
  });
});

describe('the guard rails of a configured KMS alias', () => {
  // CreateAlias, UpdateAlias and DeleteAlias are authorized on the alias and on the key, so a
  // Deny on the alias's ARN denies them whatever key is named:
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
  // https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html
  const withAlias = (kmsKeyId: string) =>
    guardRailPolicies({ ...NAMES, kmsKeyId }).flatMap((p) => p.policy.Statement);
  const ALIAS = 'arn:aws:kms:us-east-1:111111111111:alias/cloudtrail';

  it.each([
    ['an alias name', 'alias/cloudtrail'],
    ['an alias ARN', 'arn:aws:kms:us-east-1:111111111111:alias/cloudtrail'],
  ])(
    'keeps a member administrator from re-pointing, deleting or squatting it, given as %s',
    (_, id) => {
      for (const action of ['kms:UpdateAlias', 'kms:DeleteAlias', 'kms:CreateAlias']) {
        expect(deniedBy(withAlias(id), { principal: ADMIN, action, resource: ALIAS })).toBe(true);
        expect(
          deniedBy(withAlias(id), {
            principal: ADMIN,
            action,
            resource: ALIAS.replace('us-east-1', 'eu-west-1'),
          }),
        ).toBe(true);
      }
    },
  );

  it('leaves other aliases alone, and adds nothing for a key ID, a key ARN or no key', () => {
    expect(
      deniedBy(withAlias('alias/cloudtrail'), {
        principal: ADMIN,
        action: 'kms:UpdateAlias',
        resource: 'arn:aws:kms:us-east-1:111111111111:alias/payments',
      }),
    ).toBe(false);
    for (const id of [
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ]) {
      expect(withAlias(id).map((s) => s.Sid)).toEqual(policy.Statement.map((s) => s.Sid));
    }
    expect(policy.Statement.map((s) => s.Sid)).not.toContain('ProtectKeyAlias');
  });
});

describe('npm run scp', () => {
  const run = (args: string[]) => {
    const errors: string[] = [];
    const error = jest.spyOn(console, 'error').mockImplementation((m: string) => errors.push(m));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      return { status: writePolicy(args), errors };
    } finally {
      error.mockRestore();
      log.mockRestore();
    }
  };

  it('writes both policies for the names and the key alias the options give', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudtrail1-scp-'));
    try {
      const out = join(dir, 'policy.json');
      const names = ['-c', 'ruleName=org-ct1', '-c', 'stackSetName=security-ct1'];
      expect(run([...names, '-c', 'kmsKeyId=alias/org-trails', '--out', out]).status).toBe(0);
      const [first, second] = guardRailPolicies({
        ruleName: 'org-ct1',
        stackSetName: 'security-ct1',
        kmsKeyId: 'alias/org-trails',
      });
      expect(second?.policy.Statement.map((s) => s.Sid)).toContain('ProtectKeyAlias');
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(first?.policy);
      expect(JSON.parse(readFileSync(join(dir, 'policy-resources.json'), 'utf8'))).toEqual(
        second?.policy,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad name with status 2 and the option’s message', () => {
    const out = join(tmpdir(), `cloudtrail1-scp-refused-${process.pid}.json`);
    const { status, errors } = run(['-c', 'stackSetName=9-lives', '--out', out]);
    expect(status).toBe(2);
    expect(errors[0]).toMatch(/^Context option stackSetName has the value "9-lives"/);
  });
});
