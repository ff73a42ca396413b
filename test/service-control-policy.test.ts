import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_POLICY, main as writePolicy } from '../scripts/service-control-policy';
import { cdkJsonContext } from '../stack/build-app';
import { memberTemplate } from '../stack/member-template';
import { DEFAULT_RULE_NAME } from '../stack/options';
import {
  EXEMPT_ROLES,
  guardRailPolicy,
  MAX_POLICY_CHARACTERS,
  policyCharacters,
  STACKSET_EXECUTION_ROLE,
} from '../stack/service-control-policy';
import { deploy } from './support/cfn-evaluator';

/*
 * The example service control policy (org/guard-rails.scp.json): what it
 * protects must be what the member template creates, named as it names it.
 */

const policy = guardRailPolicy({ ruleName: DEFAULT_RULE_NAME, stackSetName: DEFAULT_RULE_NAME });
let deployed: ReturnType<typeof deploy>;

beforeAll(() => {
  deployed = deploy(memberTemplate(cdkJsonContext(), { validate: false }));
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

const ADMIN = 'arn:aws:iam::111111111111:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef';
const STACKSETS = 'arn:aws:iam::111111111111:role/stacksets-exec-0123abcd';
const CONTROL_TOWER = 'arn:aws:iam::111111111111:role/AWSControlTowerExecution';
const AUTOMATION = `arn:aws:iam::111111111111:role/${DEFAULT_RULE_NAME}-automation-us-east-1`;
const REMEDIATION = `arn:aws:iam::111111111111:role/${DEFAULT_RULE_NAME}-remediation-us-east-1`;
const FUNCTION = `arn:aws:lambda:us-east-1:111111111111:function:${DEFAULT_RULE_NAME}-rule`;
const RESOURCE_OF: Record<string, string> = {
  'lambda:UpdateFunctionCode': FUNCTION,
  'lambda:GetFunction': FUNCTION,
  'lambda:InvokeFunction': FUNCTION.replace('-rule', '-remediation'),
  'config:PutConfigRule': 'arn:aws:config:us-east-1:111111111111:config-rule/config-rule-ct0001',
  'config:StartConfigRulesEvaluation':
    'arn:aws:config:us-east-1:111111111111:config-rule/config-rule-k3vq0x',
  'config:StartRemediationExecution':
    'arn:aws:config:us-east-1:111111111111:config-rule/config-rule-k3vq0x',
  'iam:PassRole': AUTOMATION,
  'cloudtrail:CreateTrail':
    'arn:aws:cloudtrail:us-east-1:111111111111:trail/multi-region-management-events',
};

/** Whether the policy denies a request: a small model of Deny statements with Action or NotAction, Resource and ArnNotLike. */
function denied(principal: string, action: string, resource: string): boolean {
  const matches = (pattern: string, value: string) => arnPattern(pattern).test(value);
  return policy.Statement.some((statement) => {
    const exempt = statement.Condition.ArnNotLike?.['aws:PrincipalArn'] ?? [];
    if (exempt.some((p) => matches(p, principal))) return false;
    const actionMatches = statement.Action
      ? statement.Action.some((a) => matches(a, action))
      : !(statement.NotAction ?? []).some((a) => matches(a, action));
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    return actionMatches && resources.some((r) => matches(r, resource));
  });
}

const covered = (sid: string, arn: string) => resources(sid).some((r) => arnPattern(r).test(arn));
const named = (type: string, property: string) =>
  Object.values(deployed.resources)
    .filter((r) => r.Type === type)
    .map((r) => String(r.Properties[property]));

describe('the example service control policy', () => {
  it('is the file in the repository, as npm run scp writes it for the default names', () => {
    expect(JSON.parse(readFileSync(EXAMPLE_POLICY, 'utf8'))).toEqual(policy);
  });

  it('fits in the 5,120 characters AWS Organizations accepts, whitespace included', () => {
    const text = readFileSync(EXAMPLE_POLICY, 'utf8');
    expect(text.length).toBe(policyCharacters(policy));
    expect(text.length).toBeLessThan(MAX_POLICY_CHARACTERS);
    // The longest names the options accept still fit.
    const longest = guardRailPolicy({ ruleName: 'r'.repeat(36), stackSetName: 's'.repeat(128) });
    expect(policyCharacters(longest)).toBeLessThan(MAX_POLICY_CHARACTERS);
  });

  it('only denies, never to the StackSets and Control Tower execution roles', () => {
    for (const statement of policy.Statement) {
      expect(statement.Effect).toBe('Deny');
      expect(statement.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': EXEMPT_ROLES } });
    }
    expect(EXEMPT_ROLES).toContain(STACKSET_EXECUTION_ROLE);
  });

  it.each<[string, string, string]>([
    [
      'the StackSets execution role updates the rule function',
      STACKSETS,
      'lambda:UpdateFunctionCode',
    ],
    ['Control Tower adds a Config rule for a control', CONTROL_TOWER, 'config:PutConfigRule'],
    ['the automation role invokes the remediation function', AUTOMATION, 'lambda:InvokeFunction'],
    ['the automation role re-evaluates the rule', AUTOMATION, 'config:StartConfigRulesEvaluation'],
    ['an administrator presses Remediate', ADMIN, 'config:StartRemediationExecution'],
    ['an administrator runs the document, passing the automation role', ADMIN, 'iam:PassRole'],
    ['an administrator reads the rule function', ADMIN, 'lambda:GetFunction'],
    ['the remediation role creates a trail', REMEDIATION, 'cloudtrail:CreateTrail'],
  ])('allows what operating the rule needs: %s', (_, principal, action) => {
    expect(denied(principal, action, RESOURCE_OF[action] ?? '')).toBe(false);
  });

  it.each<[string, string, string]>([
    ['change the rule function’s code', 'lambda:UpdateFunctionCode', FUNCTION],
    [
      'delete the remediation function',
      'lambda:DeleteFunction',
      `${FUNCTION.replace('-rule', '-remediation')}`,
    ],
    ['remove Config’s permission to invoke it', 'lambda:RemovePermission', FUNCTION],
    [
      'widen the remediation role in another Region',
      'iam:PutRolePolicy',
      `arn:aws:iam::111111111111:role/${DEFAULT_RULE_NAME}-remediation-ap-southeast-2`,
    ],
    [
      'delete the automation role',
      'iam:DeleteRole',
      `arn:aws:iam::111111111111:role/${DEFAULT_RULE_NAME}-automation-us-east-1`,
    ],
    [
      'rewrite the StackSets execution role’s trust',
      'iam:UpdateAssumeRolePolicy',
      'arn:aws:iam::111111111111:role/stacksets-exec-0123abcd',
    ],
    [
      'assume the StackSets execution role',
      'sts:AssumeRole',
      'arn:aws:iam::111111111111:role/stacksets-exec-0123abcd',
    ],
    [
      'create a role named like Control Tower’s',
      'iam:CreateRole',
      'arn:aws:iam::111111111111:role/AWSControlTowerExecution',
    ],
    [
      'change the document',
      'ssm:UpdateDocument',
      `arn:aws:ssm:us-east-1:111111111111:document/${DEFAULT_RULE_NAME}-remediation`,
    ],
    [
      'delete the stack instance',
      'cloudformation:DeleteStack',
      `arn:aws:cloudformation:us-east-1:111111111111:stack/StackSet-${DEFAULT_RULE_NAME}-0f1e2d3c/0f1e2d3c`,
    ],
    [
      'shorten the logs’ retention',
      'logs:PutRetentionPolicy',
      `arn:aws:logs:us-east-1:111111111111:log-group:StackSet-${DEFAULT_RULE_NAME}-0f1e2d3c-RuleFunctionLogs7B6AB4B3-AbCdEf`,
    ],
    [
      'delete the Config rule',
      'config:DeleteConfigRule',
      'arn:aws:config:us-east-1:111111111111:config-rule/config-rule-k3vq0x',
    ],
    [
      'exempt the account from remediation',
      'config:PutRemediationExceptions',
      'arn:aws:config:us-east-1:111111111111:remediation-configuration/x',
    ],
  ])('keeps a member administrator from being able to %s', (_, action, resource) => {
    expect(denied(ADMIN, action, resource)).toBe(true);
  });

  it('protects both functions the member template creates, but lets Config and SSM invoke them', () => {
    const functions = named('AWS::Lambda::Function', 'FunctionName');
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

  it('protects the three roles the member template creates, in every Region, and no other role', () => {
    const roles = named('AWS::IAM::Role', 'RoleName');
    expect(roles).toHaveLength(3);
    for (const name of roles) {
      expect(covered('ProtectRoles', `arn:aws:iam::111111111111:role/${name}`)).toBe(true);
      const elsewhere = name.replace('us-east-1', 'ap-southeast-2');
      expect(covered('ProtectRoles', `arn:aws:iam::111111111111:role/${elsewhere}`)).toBe(true);
    }
    expect(
      covered('ProtectRoles', 'arn:aws:iam::111111111111:role/OrganizationAccountAccessRole'),
    ).toBe(false);
  });

  it('protects the remediation document, the stack instance and its log groups', () => {
    const [document] = named('AWS::SSM::Document', 'Name');
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
    expect(
      covered('ProtectStackInstance', 'arn:aws:cloudformation:us-east-1:111111111111:stack/app/1'),
    ).toBe(false);
  });

  it('names its resources after the rule and StackSet names it is given', () => {
    const custom = guardRailPolicy({ ruleName: 'org-ct1', stackSetName: 'security-ct1' });
    const text = JSON.stringify(custom);
    expect(text).toContain('function:org-ct1-rule');
    expect(text).toContain('stack/StackSet-security-ct1-*');
    expect(text).not.toContain(DEFAULT_RULE_NAME);
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

  it('writes the policy for the names the options give', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudtrail1-scp-'));
    try {
      const out = join(dir, 'policy.json');
      expect(
        run(['-c', 'ruleName=org-ct1', '-c', 'stackSetName=security-ct1', '--out', out]).status,
      ).toBe(0);
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(
        guardRailPolicy({ ruleName: 'org-ct1', stackSetName: 'security-ct1' }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad name with status 2 and the option’s message', () => {
    const { status, errors } = run(['-c', 'stackSetName=9-lives', '--out', '/nonexistent/x.json']);
    expect(status).toBe(2);
    expect(errors[0]).toMatch(/^Context option stackSetName has the value "9-lives"/);
  });
});
