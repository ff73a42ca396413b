import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AwsAccount,
  cloudTrail1Finding,
  deployedConfig,
  LOGGING,
} from '../support/aws-account/model';
import {
  type OrganizationEndpoint,
  startOrganizationEndpoint,
} from '../support/aws-account/serve-http-organization';
import { basicSelector, basicSelectors, MANAGEMENT_ACCOUNT, trail } from '../support/fixtures';

/*
 * The organization audit as it ships: bin/cloudtrail-rule.cjs in a process
 * of its own, against an emulated organization over HTTP
 * (serve-http-organization.ts): the caller's account, which is the Security
 * Hub administrator, and two members, each an account model reached through
 * the role the command assumes in it.
 *
 * DescribeConfigRules: https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigRules.html
 * GetFindings: https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html
 * CloudTrail.1: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1
 */

const ROOT = join(__dirname, '../..');
const PRODUCTION = '111122223333';
const SANDBOX = '444455556666';
const ALWAYS_COMPLIANT = `arn:aws:lambda:us-east-1:${SANDBOX}:function:always-compliant`;

/** A member with the default trail, logging every management event, and the deployment as we ship it. */
function member(accountId: string): AwsAccount {
  const t = trail({}, accountId);
  return {
    accountId,
    trails: [
      {
        trail: t,
        status: LOGGING,
        eventSelectors: basicSelectors(t.TrailARN, [basicSelector()]),
      },
    ],
    config: deployedConfig(accountId),
  };
}

/** The same, with its rule re-pointed to a function of the member's own. */
function repointed(accountId: string): AwsAccount {
  const account = member(accountId);
  const config = deployedConfig(accountId);
  const [rule] = config.rules;
  if (rule === undefined) throw new Error('no rule');
  rule.Source = { ...rule.Source, SourceIdentifier: ALWAYS_COMPLIANT };
  return { ...account, config };
}

function runBin(
  args: string[],
  endpoint: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !name.startsWith('POWERTOOLS_')) env[name] = value;
  }
  const directory = mkdtempSync(join(tmpdir(), 'cloudtrail-rule-organization-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/cloudtrail-rule.cjs', ...args], {
      cwd: ROOT,
      env: {
        ...env,
        AWS_ENDPOINT_URL: endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(directory, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(directory, 'credentials'),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end('');
  });
}

let organization: OrganizationEndpoint;
let accountsFile: string;

beforeAll(async () => {
  organization = await startOrganizationEndpoint(
    {
      accountId: MANAGEMENT_ACCOUNT,
      trails: [],
      // Security Hub last checked Production before its trail started logging (2025-01-01).
      findings: [
        cloudTrail1Finding(PRODUCTION, 'FAILED', { updatedAt: '2024-12-31T08:00:00.000Z' }),
        cloudTrail1Finding(SANDBOX, 'PASSED'),
      ],
    },
    [member(PRODUCTION), repointed(SANDBOX)],
  );
  accountsFile = join(mkdtempSync(join(tmpdir(), 'cloudtrail-rule-accounts-')), 'accounts.txt');
  writeFileSync(accountsFile, `${PRODUCTION},Production\n${SANDBOX},Sandbox\n`);
});

afterAll(async () => {
  await organization?.close();
});

describe('evaluate --accounts, run as a process against an emulated organization', () => {
  it('shows the account whose rule was re-pointed to another function as CHANGED, and exits 2', async () => {
    const run = await runBin(
      ['evaluate', '--accounts', accountsFile, '--role-name', 'R', '--csv'],
      organization.endpoint,
    );

    expect(run.stderr).toBe('');
    expect(run.status).toBe(2);
    const [header, production, sandbox, end] = run.stdout.split('\r\n');
    expect(header).toBe('account,name,verdict,deployment,trail,reason');
    expect(production).toMatch(/^111122223333,Production,COMPLIANT,INTACT,management-events/);
    expect(sandbox).toMatch(/^444455556666,Sandbox,COMPLIANT,CHANGED,management-events/);
    expect(sandbox).toContain(
      `deployment CHANGED: the rule runs ${ALWAYS_COMPLIANT}, not our function arn:aws:lambda:us-east-1:${SANDBOX}:function:cloudtrail-1-multi-region-trail-rule`,
    );
    expect(end).toBe('');
    // Each member was asked for its rule by name, through the role assumed in it.
    for (const endpoint of organization.members.values()) {
      expect(endpoint.calls('DescribeConfigRules').map((r) => r.body)).toEqual([
        { ConfigRuleNames: ['cloudtrail-1-multi-region-trail'] },
      ]);
      endpoint.forget();
    }
  }, 60_000);

  it('with --security-hub, shows a FAILED finding beside our COMPLIANT and says why', async () => {
    const run = await runBin(
      ['evaluate', '--accounts', accountsFile, '--role-name', 'R', '--csv', '--security-hub'],
      organization.endpoint,
    );

    expect(run.stderr).toBe('');
    const [header, production] = run.stdout.split('\r\n');
    expect(header).toBe('account,name,verdict,deployment,security_hub,trail,reason');
    expect(production).toMatch(/^111122223333,Production,COMPLIANT,INTACT,FAILED,/);
    expect(production).toContain(
      'Security Hub FAILED (FAILED in us-east-1 (updated 2024-12-31T08:00:00.000Z)) and ours COMPLIANT: trail management-events started logging at 2025-01-01T00:00:00.000Z, after Security Hub last updated its finding',
    );
    expect(organization.caller.calls('GetFindings')).toHaveLength(1);
  }, 60_000);
});
