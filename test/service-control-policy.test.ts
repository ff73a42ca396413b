import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_POLICY, main as writePolicy } from '../scripts/service-control-policy';
import { cdkJsonContext } from '../stack/build-app';
import { memberTemplate } from '../stack/member-template';
import { DEFAULT_RULE_NAME } from '../stack/options';
import {
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

const covered = (sid: string, arn: string) => resources(sid).some((r) => arnPattern(r).test(arn));
const named = (type: string, property: string) =>
  Object.values(deployed.resources)
    .filter((r) => r.Type === type)
    .map((r) => String(r.Properties[property]));

describe('the example service control policy', () => {
  it('is the file in the repository, as npm run scp writes it for the default names', () => {
    expect(JSON.parse(readFileSync(EXAMPLE_POLICY, 'utf8'))).toEqual(policy);
  });

  it('fits in the 5,120 characters AWS Organizations accepts', () => {
    expect(policyCharacters(policy)).toBeLessThan(MAX_POLICY_CHARACTERS);
  });

  it('only denies, and never the StackSets execution role that deploys, updates and removes the rule', () => {
    for (const statement of policy.Statement) {
      expect(statement.Effect).toBe('Deny');
      expect(statement.Condition).toEqual({
        ArnNotLike: { 'aws:PrincipalArn': STACKSET_EXECUTION_ROLE },
      });
    }
    expect(
      arnPattern(STACKSET_EXECUTION_ROLE).test(
        'arn:aws:iam::111122223333:role/stacksets-exec-0123abcd',
      ),
    ).toBe(true);
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
