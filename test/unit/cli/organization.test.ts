import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AccessDeniedException as CloudTrailAccessDeniedException,
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  ConfigServiceServiceException,
  DescribeConfigRulesCommand,
  DescribeRemediationConfigurationsCommand,
} from '@aws-sdk/client-config-service';
import {
  AccessDeniedException,
  type Account,
  AWSOrganizationsNotInUseException,
  ListAccountsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  GetFindingsCommand,
  InvalidAccessException,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_ACCOUNTS_FILE_BYTES, readAccountsFile } from '../../../cli/accounts-file';
import { InvalidAccountsFileError } from '../../../cli/errors';
import { progressBar } from '../../../cli/progress';
import { AwsTimeoutError } from '../../../rule/errors';
import type { TrailState } from '../../../rule/state';
import {
  type AccountConfig,
  accountState,
  cloudTrail1Finding,
  deployedConfig,
  answer as modelAnswer,
  type SecurityFinding,
} from '../../support/aws-account/model';
import {
  basicSelector,
  basicSelectors,
  MANAGEMENT_ACCOUNT,
  readTrail,
  trail,
} from '../../support/fixtures';
import { runCli } from '../../support/run-cli';

/*
 * `evaluate --organization` and `evaluate --accounts FILE` against mocked
 * Organizations, STS and CloudTrail: every account gets the rule's verdict
 * through the role assumed in it, or an ERROR row saying why not.
 *
 * ListAccounts: https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html
 * AssumeRole: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */

const CALLER_ARN = `arn:aws:sts::${MANAGEMENT_ACCOUNT}:assumed-role/OrganizationAuditor/alice`;
const ORGANIZATION_ID = 'o-a1b2c3d4e5';

const organizations = mockClient(OrganizationsClient);
const sts = mockClient(STSClient);
const cloudTrail = mockClient(CloudTrailClient);
const config = mockClient(ConfigServiceClient);
const securityHub = mockClient(SecurityHubClient);

interface FakeAccount {
  id: string;
  name: string;
  state?: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';
  /** What CloudTrail answers in the account; absent: the role cannot be assumed. */
  trails?: TrailState[];
  /** Its Config rules and remediation configurations; by default an intact deployment. */
  config?: AccountConfig;
}

/** A compliant account: the default multi-Region trail, logging, all management events. */
function compliant(id: string, name: string): FakeAccount {
  return { id, name, trails: [readTrail(trail({}, id))] };
}

/** A single-Region, stopped, write-only trail: three gaps. */
function threeGaps(id: string, name: string): FakeAccount {
  const regional = trail({ Name: 'regional', IsMultiRegionTrail: false }, id);
  return {
    id,
    name,
    trails: [
      readTrail(regional, {
        logging: false,
        selectors: basicSelectors(regional.TrailARN, [
          basicSelector({ ReadWriteType: 'WriteOnly' }),
        ]),
      }),
    ],
  };
}

/** An `Account` as ListAccounts returns it. */
function listed(account: FakeAccount): Account {
  const state = account.state ?? 'ACTIVE';
  return {
    Id: account.id,
    Arn: `arn:aws:organizations::${MANAGEMENT_ACCOUNT}:account/${ORGANIZATION_ID}/${account.id}`,
    Email: `aws+${account.name.toLowerCase()}@example.com`,
    Name: account.name,
    Status: state === 'ACTIVE' ? 'ACTIVE' : 'SUSPENDED',
    State: state,
    JoinedMethod: 'CREATED',
    JoinedTimestamp: new Date('2024-03-11T10:15:00.000Z'),
  };
}

/**
 * Serves the accounts: ListAccounts in pages of `pageSize`, AssumeRole
 * handing out credentials whose key ID names the account, and CloudTrail
 * answering as the account those credentials belong to.
 */
function serve(
  accounts: FakeAccount[],
  options: { pageSize?: number; delayMs?: number; findings?: SecurityFinding[] } = {},
) {
  const pageSize = options.pageSize ?? 20;
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const inFlight = new Set<string>();
  const load = { peak: 0, calls: 0 };
  const during = async <T>(account: string, answer: () => T): Promise<T> => {
    load.calls += 1;
    inFlight.add(account);
    load.peak = Math.max(load.peak, inFlight.size);
    try {
      if (options.delayMs !== undefined) await sleep(options.delayMs);
      return answer();
    } finally {
      inFlight.delete(account);
    }
  };

  organizations.on(ListAccountsCommand).callsFake((input: { NextToken?: string }) => {
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken.replace('page-', ''));
    const page = accounts.slice(start, start + pageSize);
    const next = start + pageSize < accounts.length ? `page-${start + pageSize}` : undefined;
    return { Accounts: page.map(listed), ...(next ? { NextToken: next } : {}) };
  });
  sts.on(GetCallerIdentityCommand).resolves({
    Account: MANAGEMENT_ACCOUNT,
    Arn: CALLER_ARN,
    UserId: 'AROAEXAMPLEAUDITOR:alice',
  });
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string; RoleSessionName: string }) => {
    const id = input.RoleArn.split(':')[4] ?? '';
    return during(id, () => {
      if (byId.get(id)?.trails === undefined) {
        throw new STSServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          // As AWS answers it: with a request ID.
          $metadata: { httpStatusCode: 403, requestId: 'c6104cbe-af31-11e0-8154-cbc7ccf896c7' },
          message: `User: ${CALLER_ARN} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
        });
      }
      return {
        Credentials: {
          AccessKeyId: `ASIA${id}`,
          SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          SessionToken: 'FwoGZXIvYXdzEXAMPLE',
          Expiration: new Date(Date.now() + 900_000),
        },
        AssumedRoleUser: {
          AssumedRoleId: `AROAEXAMPLE${id}:${input.RoleSessionName}`,
          Arn: `arn:aws:sts::${id}:assumed-role/${input.RoleArn.split('/').pop()}/${input.RoleSessionName}`,
        },
      };
    });
  });

  /** The account whose assumed-role credentials signed the call. */
  const accountOf = async (client: unknown): Promise<FakeAccount> => {
    const { credentials } = (client as CloudTrailClient).config;
    const id = (await credentials()).accessKeyId.replace(/^ASIA/, '');
    const account = byId.get(id);
    if (account?.trails === undefined) throw new Error(`no credentials for ${id}`);
    return account;
  };
  const trailOf = (account: FakeAccount, arn: string) => {
    const found = account.trails?.find((t) => t.trail.TrailARN === arn);
    if (found === undefined) throw new Error(`no trail ${arn} in ${account.id}`);
    return found;
  };
  const answer = <T>(outcome: { response: T } | { error: { name: string; message: string } }) => {
    if ('error' in outcome) throw Object.assign(new Error(outcome.error.message), outcome.error);
    return outcome.response;
  };
  cloudTrail.on(DescribeTrailsCommand).callsFake(async (_input, getClient) => {
    const account = await accountOf(getClient());
    return during(account.id, () => ({ trailList: account.trails?.map((t) => t.trail) }));
  });
  cloudTrail.on(GetTrailStatusCommand).callsFake(async (input: { Name: string }, getClient) => {
    const account = await accountOf(getClient());
    const { status } = trailOf(account, input.Name);
    return during(account.id, () => answer(status ?? { response: {} }));
  });
  cloudTrail
    .on(GetEventSelectorsCommand)
    .callsFake(async (input: { TrailName: string }, getClient) => {
      const account = await accountOf(getClient());
      const { eventSelectors } = trailOf(account, input.TrailName);
      return during(account.id, () => answer(eventSelectors ?? { response: {} }));
    });
  // AWS Config and Security Hub answer from the account model (test/support/aws-account).
  const fromModel =
    (
      service: 'config' | 'securityhub',
      operation: 'DescribeConfigRules' | 'DescribeRemediationConfigurations' | 'GetFindings',
    ) =>
    async (input: object, getClient: () => unknown) => {
      const client = getClient() as ConfigServiceClient;
      const region = await client.config.region();
      const account =
        service === 'config'
          ? await accountOf(client)
          : { id: MANAGEMENT_ACCOUNT, config: undefined };
      const state = accountState({
        accountId: account.id,
        trails: [],
        config: account.config ?? deployedConfig(account.id, region),
        findings: options.findings ?? [],
      });
      const reply = modelAnswer(state, { service, operation, region, input: { ...input } });
      return during(account.id, () => {
        if ('error' in reply) {
          throw new ConfigServiceServiceException({
            name: reply.error.type,
            message: reply.error.message,
            $fault: 'client',
            $metadata: { httpStatusCode: reply.error.status ?? 400 },
          });
        }
        return reply.output;
      });
    };
  config.on(DescribeConfigRulesCommand).callsFake(fromModel('config', 'DescribeConfigRules'));
  config
    .on(DescribeRemediationConfigurationsCommand)
    .callsFake(fromModel('config', 'DescribeRemediationConfigurations'));
  securityHub.on(GetFindingsCommand).callsFake(fromModel('securityhub', 'GetFindings'));
  return load;
}

/** The three accounts of the task: one compliant, one not, one whose role cannot be assumed. */
const ORGANIZATION: FakeAccount[] = [
  compliant('111122223333', 'Production'),
  threeGaps('444455556666', 'Sandbox'),
  { id: '777788889999', name: 'Legacy' },
  // Suspended: not evaluated.
  { ...compliant('222233334444', 'Closed'), state: 'SUSPENDED' },
];

/** Runs the CLI in-process and collects what it writes; `tty` gives it a status line. */
async function cli(argv: string[], options: { tty?: boolean } = {}) {
  const statuses: string[] = [];
  const run = await runCli(argv, options.tty ? { status: (line) => statuses.push(line) } : {});
  return { ...run, statuses };
}

const ORGANIZATION_ARGS = [
  'evaluate',
  '--organization',
  '--role-name',
  'R',
  '--region',
  'us-east-1',
];

/** A control character other than a line feed: what no output may hold. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cloudtrail-rule-accounts-')), name);
  writeFileSync(path, text);
  return path;
}

beforeEach(() => {
  organizations.reset();
  sts.reset();
  cloudTrail.reset();
  config.reset();
  securityHub.reset();
});

describe('evaluate --organization', () => {
  it('prints a CSV header and one row per ACTIVE account, and exits 2 when one is ERROR', async () => {
    serve(ORGANIZATION);

    const { code, stdout, stderr } = await cli([...ORGANIZATION_ARGS, '--csv']);

    expect(stderr).toBe('');
    expect(code).toBe(2);
    const records = stdout.split('\r\n');
    expect(records.pop()).toBe('');
    expect(records).toEqual([
      'account,name,verdict,deployment,trail,reason',
      '111122223333,Production,COMPLIANT,INTACT,management-events (us-east-1),"Trail management-events (us-east-1) is multi-Region, logging and records read and write management events from every source."',
      '444455556666,Sandbox,NON_COMPLIANT,INTACT,regional (us-east-1),not multi-Region; logging is stopped; no read management events from any source',
      expect.stringMatching(
        /^777788889999,Legacy,ERROR,ERROR,,Could not assume arn:aws:iam::777788889999:role\/R \(STS AssumeRole\): AccessDenied: User: arn:aws:sts::999988887777:assumed-role\/OrganizationAuditor\/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::777788889999:role\/R\. Check that the role exists in the account and that its trust policy lets arn:aws:sts::999988887777:assumed-role\/OrganizationAuditor\/alice assume it\.$/,
      ),
    ]);
    expect(organizations).toHaveReceivedCommandTimes(ListAccountsCommand, 1);
    expect(sts).not.toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::222233334444:role/R',
    });
  });

  it('prints an account name a member account set to a formula as text', async () => {
    serve([compliant('111122223333', '=HYPERLINK("https://example.com","Open")')]);

    const { code, stdout } = await cli([...ORGANIZATION_ARGS, '--csv']);

    expect(code).toBe(0);
    expect(stdout.split('\r\n')[1]).toMatch(
      /^111122223333,"'=HYPERLINK\(""https:\/\/example\.com"",""Open""\)",COMPLIANT,INTACT,/,
    );
  });

  it('prints as text a formula that starts after a semicolon in an account name', async () => {
    serve([compliant('111122223333', 'Prod;=1+1;')]);

    const { code, stdout } = await cli([...ORGANIZATION_ARGS, '--csv']);

    expect(code).toBe(0);
    expect(stdout.split('\r\n')[1]).toMatch(/^111122223333,Prod;'=1\+1;,COMPLIANT,/);
  });

  it('escapes the control characters of an account name in the table, in CSV and in JSON', async () => {
    // An OSC 8 link, a carriage return and an 8-bit CSI, as an --accounts
    // file or a mocked Organizations could hand them over.
    const name = 'Prod\u001b]8;;http://evil\u0007\rCOMPLIANT\u009b2J';
    serve([compliant('111122223333', name)]);

    const table = (await cli(ORGANIZATION_ARGS)).stdout;
    const csv = (await cli([...ORGANIZATION_ARGS, '--csv'])).stdout;
    const json = (await cli([...ORGANIZATION_ARGS, '--json'])).stdout;

    const visible = 'Prod\\x1b]8;;http://evil\\x07\\x0dCOMPLIANT\\x9b2J';
    expect(table.split('\n')[1]).toMatch(
      new RegExp(`^111122223333  ${escapeRegExp(visible)}  COMPLIANT`),
    );
    expect(csv.split('\r\n')[1]).toMatch(
      new RegExp(`^111122223333,${escapeRegExp(visible)},COMPLIANT`),
    );
    for (const output of [table, csv.replaceAll('\r\n', '\n'), json]) {
      expect(output).not.toMatch(RAW_CONTROL);
    }
    expect(JSON.parse(json).accounts[0].name).toBe(name);
  });

  it('reads the accounts and names of its --csv output back as an --accounts file', async () => {
    const names = [
      'Production',
      'Prod;=1+1;',
      '=HYPERLINK("https://example.com","Open")',
      'EU, "blue"',
    ];
    serve(names.map((name, index) => compliant(`11112222333${index}`, name)));
    const written = (await cli([...ORGANIZATION_ARGS, '--csv'])).stdout;

    const file = tempFile('audit.csv', written);
    const { code, stdout } = await cli([
      'evaluate',
      '--accounts',
      file,
      '--role-name',
      'R',
      '--region',
      'us-east-1',
      '--csv',
    ]);

    expect(code).toBe(0);
    expect(stdout).toBe(written);
    expect(organizations).toHaveReceivedCommandTimes(ListAccountsCommand, 1);
  });

  it('prints JSON that parses: the counts, and each account with its row and report', async () => {
    serve(ORGANIZATION);

    const { code, stdout } = await cli([...ORGANIZATION_ARGS, '--json']);

    expect(code).toBe(2);
    const json = JSON.parse(stdout);
    expect(json.region).toBe('us-east-1');
    expect(json.summary).toEqual({
      accounts: 3,
      COMPLIANT: 1,
      NON_COMPLIANT: 1,
      ERROR: 1,
      deployment: { INTACT: 2, CHANGED: 0, MISSING: 0, ERROR: 1 },
    });
    expect(json.accounts.map((a: { verdict: string }) => a.verdict)).toEqual([
      'COMPLIANT',
      'NON_COMPLIANT',
      'ERROR',
    ]);
    expect(json.accounts[1]).toMatchObject({
      account: '444455556666',
      name: 'Sandbox',
      trail: 'regional (us-east-1)',
      trailArn: 'arn:aws:cloudtrail:us-east-1:444455556666:trail/regional',
      gaps: ['not multi-Region', 'logging is stopped', 'no read management events from any source'],
    });
    expect(json.accounts[1].report).toMatchObject({
      accountId: '444455556666',
      compliance: 'NON_COMPLIANT',
    });
    expect(json.accounts[2].report).toBeNull();
  });

  it('prints a table and a summary line with the verdicts counted', async () => {
    serve(ORGANIZATION);

    const { code, stdout } = await cli(ORGANIZATION_ARGS);

    expect(code).toBe(2);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ACCOUNT +NAME +VERDICT +DEPLOYMENT +TRAIL +REASON$/);
    expect(lines[2]).toMatch(
      /^444455556666 +Sandbox +NON_COMPLIANT +INTACT +regional \(us-east-1\) +not multi-Region; logging is stopped; no read management events from any source$/,
    );
    expect(lines.at(-1)).toBe(
      '3 accounts: 1 COMPLIANT, 1 NON_COMPLIANT, 1 ERROR. Deployment: 2 INTACT, 0 CHANGED, 0 MISSING, 1 ERROR.',
    );
  });

  it('exits 1 when an account is NON_COMPLIANT and none is ERROR, 0 when all are COMPLIANT', async () => {
    serve(ORGANIZATION.slice(0, 2));
    expect((await cli(ORGANIZATION_ARGS)).code).toBe(1);

    organizations.reset();
    sts.reset();
    cloudTrail.reset();
    config.reset();
    serve([compliant('111122223333', 'Production')]);
    const { code, stdout } = await cli(ORGANIZATION_ARGS);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(
      '1 account: 1 COMPLIANT, 0 NON_COMPLIANT, 0 ERROR. Deployment: 1 INTACT, 0 CHANGED, 0 MISSING, 0 ERROR.',
    );
  });

  it('assumes the role in the caller’s partition with a session name that names the tool', async () => {
    serve([compliant('111122223333', 'Production')]);
    sts.on(GetCallerIdentityCommand).resolves({
      Account: MANAGEMENT_ACCOUNT,
      Arn: `arn:aws-us-gov:sts::${MANAGEMENT_ACCOUNT}:assumed-role/OrganizationAuditor/alice`,
      UserId: 'AROAEXAMPLEAUDITOR:alice',
    });

    await cli(ORGANIZATION_ARGS);

    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws-us-gov:iam::111122223333:role/R',
      RoleSessionName: 'cloudtrail-rule-evaluate',
      DurationSeconds: 900,
    });
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).not.toHaveProperty('ExternalId');
  });

  it('passes --external-id to AssumeRole', async () => {
    serve(ORGANIZATION.slice(0, 2));

    const { code } = await cli([...ORGANIZATION_ARGS, '--external-id', 'audit-2026:Q4']);

    expect(code).toBe(1);
    for (const call of sts.commandCalls(AssumeRoleCommand)) {
      expect(call.args[0].input.ExternalId).toBe('audit-2026:Q4');
    }
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('reads every page of ListAccounts', async () => {
    const many = Array.from({ length: 7 }, (_, i) =>
      compliant(String(100000000000 + i), `Account ${i}`),
    );
    serve(many, { pageSize: 3 });

    const { code, stdout } = await cli([...ORGANIZATION_ARGS, '--csv']);

    expect(code).toBe(0);
    expect(organizations).toHaveReceivedCommandTimes(ListAccountsCommand, 3);
    expect(organizations.commandCalls(ListAccountsCommand).map((c) => c.args[0].input)).toEqual([
      {},
      { NextToken: 'page-3' },
      { NextToken: 'page-6' },
    ]);
    expect(
      stdout
        .split('\r\n')
        .slice(1, -1)
        .map((row) => row.split(',')[0]),
    ).toEqual(many.map((a) => a.id));
  });

  it('reads at most --concurrency accounts at once, and that many', async () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      compliant(String(100000000000 + i), `Account ${i}`),
    );
    const load = serve(many, { delayMs: 5 });

    const { code } = await cli([...ORGANIZATION_ARGS, '--concurrency', '3']);

    expect(code).toBe(0);
    // Per account: AssumeRole, DescribeTrails, GetTrailStatus, GetEventSelectors,
    // DescribeConfigRules and DescribeRemediationConfigurations.
    expect(load.calls).toBe(12 * 6);
    expect(load.peak).toBe(3);
  });

  it('reports an account whose trails cannot be listed, read or decided as ERROR, never NON_COMPLIANT', async () => {
    const unlisted = compliant('111122223333', 'Listing denied');
    const stalled = compliant('444455556666', 'Stalled');
    const undecided = compliant('777788889999', 'Undecided');
    const [undecidedTrail] = undecided.trails ?? [];
    if (undecidedTrail) {
      undecidedTrail.status = {
        error: { name: 'ThrottlingException', message: 'Rate exceeded' },
      };
    }
    serve([unlisted, stalled, undecided, threeGaps('222233334444', 'Sandbox')]);
    cloudTrail.on(DescribeTrailsCommand).callsFake(async (_input, getClient) => {
      const { credentials } = (getClient() as CloudTrailClient).config;
      const id = (await credentials()).accessKeyId.replace(/^ASIA/, '');
      if (id === unlisted.id) {
        throw new CloudTrailAccessDeniedException({
          message: 'User is not authorized to perform: cloudtrail:DescribeTrails',
          $metadata: {},
        });
      }
      if (id === stalled.id) {
        throw new AwsTimeoutError(
          'CloudTrail DescribeTrails in us-east-1 timed out: https://cloudtrail.us-east-1.amazonaws.com/ did not answer within the 5000 ms request timeout (5 attempts).',
        );
      }
      const account = [undecided, threeGaps('222233334444', 'Sandbox')].find((a) => a.id === id);
      return { trailList: account?.trails?.map((t) => t.trail) };
    });

    const { code, stdout } = await cli([...ORGANIZATION_ARGS, '--json']);

    expect(code).toBe(2);
    const rows: { name: string; verdict: string; reason: string }[] = JSON.parse(stdout).accounts;
    expect(rows.map((r) => [r.name, r.verdict])).toEqual([
      ['Listing denied', 'ERROR'],
      ['Stalled', 'ERROR'],
      ['Undecided', 'ERROR'],
      ['Sandbox', 'NON_COMPLIANT'],
    ]);
    expect(rows[0]?.reason).toMatch(
      /^Could not list the trails in us-east-1 \(CloudTrail DescribeTrails\) as arn:aws:iam::111122223333:role\/R: AccessDeniedException: /,
    );
    expect(rows[1]?.reason).toMatch(
      /^Could not list the trails in us-east-1 \(CloudTrail DescribeTrails\) as arn:aws:iam::444455556666:role\/R: CloudTrail DescribeTrails in us-east-1 timed out: .* raise --request-timeout/,
    );
    expect(rows[2]?.reason).toMatch(
      /could not be read.*GetTrailStatus failed: ThrottlingException/,
    );
  });

  it('stops with one line when the organization cannot be listed', async () => {
    serve(ORGANIZATION);
    organizations.on(ListAccountsCommand).rejects(
      new AWSOrganizationsNotInUseException({
        message: 'Your account is not a member of an organization.',
        $metadata: {},
      }),
    );

    const { code, stdout, stderr } = await cli(ORGANIZATION_ARGS);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^cloudtrail-rule: Could not list the organization's accounts \(Organizations ListAccounts\): AWSOrganizationsNotInUseException: .* give the accounts with --accounts FILE\.\n$/,
    );
  });

  it('says to use the management or a delegated administrator account when ListAccounts is denied', async () => {
    serve(ORGANIZATION);
    organizations.on(ListAccountsCommand).rejects(
      new AccessDeniedException({
        message: 'You don’t have permissions to access this resource.',
        $metadata: {},
      }),
    );

    const { code, stderr } = await cli(ORGANIZATION_ARGS);

    expect(code).toBe(2);
    expect(stderr).toContain('management account or of a delegated administrator account');
  });

  it('draws a progress bar on a terminal, and clears it before the results', async () => {
    serve(ORGANIZATION.slice(0, 2));

    const { statuses, stderr } = await cli(ORGANIZATION_ARGS, { tty: true });

    expect(stderr).toBe('');
    expect(statuses[0]).toBe(progressBar(0, 2));
    expect(statuses).toContain(progressBar(2, 2));
    expect(statuses.at(-1)).toBe('');
  });
});

describe('evaluate --accounts FILE', () => {
  it('evaluates the accounts the file lists, with their names, without Organizations', async () => {
    serve(ORGANIZATION);
    const file = tempFile(
      'accounts.txt',
      '# audited in Q4\r\n444455556666,Sandbox, EU\n\n  111122223333\n',
    );

    const { code, stdout } = await cli([
      'evaluate',
      '--accounts',
      file,
      '--role-name',
      'R',
      '--region',
      'us-east-1',
      '--csv',
    ]);

    expect(code).toBe(1);
    expect(
      stdout
        .split('\r\n')
        .slice(1, -1)
        .map((row) => row.split(',').slice(0, 5)),
    ).toEqual([
      ['444455556666', '"Sandbox', ' EU"', 'NON_COMPLIANT', 'INTACT'],
      ['111122223333', '', 'COMPLIANT', 'INTACT', 'management-events (us-east-1)'],
    ]);
    expect(organizations).not.toHaveReceivedCommand(ListAccountsCommand);
  });

  it.each([
    [
      'a short account ID',
      '12345\n',
      /line 1: the account ID is not 12 digits \(its first field has 5 characters\)/,
    ],
    [
      'an account twice',
      '111122223333\n# x\n111122223333,Again\n',
      /account 111122223333 is on line 1 and again on line 3/,
    ],
    ['a comma with no name', '111122223333,\n', /line 1: nothing follows the comma/],
    ['no account', '# nobody\n\n', /lists no account/],
  ])('refuses a file with %s', async (_, text, message) => {
    const file = tempFile('accounts.txt', text);

    await expect(readAccountsFile(file)).rejects.toThrow(message);
    const { code, stderr } = await cli(['evaluate', '--accounts', file, '--role-name', 'R']);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('refuses a file larger than the cap without reading it', async () => {
    const file = tempFile('big.txt', '111122223333\n'.repeat(100));

    await expect(readAccountsFile(file, 512)).rejects.toThrow(
      /is larger than 512 bytes, more than a list of account IDs needs/,
    );
    expect(MAX_ACCOUNTS_FILE_BYTES).toBe(16 * 1024 * 1024);
  });

  it('names a file that cannot be read', async () => {
    await expect(readAccountsFile('/nonexistent/accounts.txt')).rejects.toThrow(
      InvalidAccountsFileError,
    );
  });
});

describe('evaluate options for several accounts', () => {
  it.each([
    [['--organization'], /--organization needs --role-name NAME/],
    [['--organization', '--accounts', 'a.txt', '--role-name', 'R'], /give one of them/],
    [
      ['--organization', '--role-name', 'R', '--concurrency', '0'],
      /--concurrency "0" is not a whole number from 1 to 64/,
    ],
    [['--organization', '--role-name', 'R', '--concurrency', '65'], /from 1 to 64/],
    [['--organization', '--role-name', 'R', '--concurrency', '2.5'], /from 1 to 64/],
    [
      ['--organization', '--role-name', 'arn:aws:iam::111122223333:role/R'],
      /is not an IAM role name/,
    ],
    [
      ['--organization', '--role-name', 'R', '--external-id', 'x'],
      /--external-id is not one AssumeRole accepts/,
    ],
    [
      ['--organization', '--role-name', 'R', '--json', '--csv'],
      /--json and --csv are two output formats/,
    ],
    [
      ['--organization', '--role-name', 'R', '--snapshot', 'state.json'],
      /--snapshot is one account read earlier/,
    ],
    [['--role-name', 'R'], /--role-name is for evaluating several accounts/],
    [['--concurrency', '4'], /--concurrency is for evaluating several accounts/],
  ])('refuses evaluate %j', async (options, message) => {
    const { code, stdout, stderr } = await cli(['evaluate', ...options]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(sts).not.toHaveReceivedAnyCommand();
  });
});

describe('evaluate --csv for one account', () => {
  it('prints the header and the account’s one row', async () => {
    const { code, stdout } = await cli([
      'evaluate',
      '--snapshot',
      join('examples', 'single-region-trail.json'),
      '--csv',
    ]);

    expect(code).toBe(1);
    const records = stdout.split('\r\n');
    expect(records).toHaveLength(3);
    expect(records[0]).toBe('account,name,verdict,trail,reason');
    expect(records[1]).toMatch(/^\d{12},,NON_COMPLIANT,[^,]+,not multi-Region/);
  });
});

/*
 * The deployment column: each account's Config rule and remediation
 * configuration, read through the assumed role by name, against the names
 * the deployment derives from the rule name (stack/names.ts) and the
 * audit's parameters.
 *
 * DescribeConfigRules (NoSuchConfigRuleException for a name the account does not have):
 * https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigRules.html
 * DescribeRemediationConfigurations:
 * https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeRemediationConfigurations.html
 */
describe('evaluate --organization: the DEPLOYMENT column', () => {
  const RULE = 'cloudtrail-1-multi-region-trail';
  const OWN_FUNCTION = (account: string) =>
    `arn:aws:lambda:us-east-1:${account}:function:${RULE}-rule`;

  /** A compliant account whose rule runs `function` instead of ours. */
  function repointed(id: string, name: string, sourceIdentifier: string): FakeAccount {
    const base = deployedConfig(id);
    const [rule] = base.rules;
    if (rule === undefined) throw new Error('no rule');
    return {
      ...compliant(id, name),
      config: {
        ...base,
        rules: [{ ...rule, Source: { ...rule.Source, SourceIdentifier: sourceIdentifier } }],
      },
    };
  }

  it('shows CHANGED, and why, for an account whose rule was re-pointed to another function, and exits 2', async () => {
    const always = 'arn:aws:lambda:us-east-1:444455556666:function:always-compliant';
    serve([compliant('111122223333', 'Production'), repointed('444455556666', 'Sandbox', always)]);

    const { code, stdout, stderr } = await cli([...ORGANIZATION_ARGS, '--csv']);

    expect(stderr).toBe('');
    expect(code).toBe(2);
    const [header, production, sandbox] = stdout.split('\r\n');
    expect(header).toBe('account,name,verdict,deployment,trail,reason');
    expect(production).toMatch(/^111122223333,Production,COMPLIANT,INTACT,/);
    expect(sandbox).toMatch(
      /^444455556666,Sandbox,COMPLIANT,CHANGED,management-events \(us-east-1\),/,
    );
    expect(sandbox).toContain(
      `deployment CHANGED: the rule runs ${always}, not our function ${OWN_FUNCTION('444455556666')}`,
    );
    expect(config).toHaveReceivedCommandWith(DescribeConfigRulesCommand, {
      ConfigRuleNames: [RULE],
    });
  });

  it('escapes what a member administrator wrote into the rule, in the table, CSV and JSON', async () => {
    // A SourceIdentifier is the member's to set: an OSC 8 link, a CR, and a formula after a `;`.
    const crafted =
      'arn:aws:lambda:us-east-1:444455556666:function:x\u001b]8;;http://evil\u0007\r;=1+1';
    serve([repointed('444455556666', 'Sandbox', crafted)]);

    const table = (await cli(ORGANIZATION_ARGS)).stdout;
    const csv = (await cli([...ORGANIZATION_ARGS, '--csv'])).stdout;
    const json = (await cli([...ORGANIZATION_ARGS, '--json'])).stdout;

    for (const output of [table, csv.replaceAll('\r\n', '\n'), json]) {
      expect(output).not.toMatch(RAW_CONTROL);
    }
    expect(csv).toContain("function:x\\x1b]8;;http://evil\\x07\\x0d;'=1+1");
    expect(JSON.parse(json).accounts[0].deployment.differences[0]).toContain(crafted);
  });

  it('shows MISSING for an account without the rule, and exits 2', async () => {
    serve([
      { ...compliant('111122223333', 'Production'), config: { rules: [], remediations: [] } },
    ]);

    const { code, stdout } = await cli([...ORGANIZATION_ARGS, '--json']);

    expect(code).toBe(2);
    const json = JSON.parse(stdout);
    expect(json.accounts[0].deployment).toEqual({
      status: 'MISSING',
      differences: [`no Config rule ${RULE} in us-east-1`],
    });
    expect(json.summary.deployment).toEqual({ INTACT: 0, CHANGED: 0, MISSING: 1, ERROR: 0 });
    expect(config).not.toHaveReceivedCommand(DescribeRemediationConfigurationsCommand);
  });

  it('names each parameter that differs from the audit’s, compared by meaning', async () => {
    const base = deployedConfig('111122223333');
    const [rule] = base.rules;
    if (rule === undefined) throw new Error('no rule');
    const weakened = {
      ...rule,
      // "TRUE" is the rule's true: only includeManagementEvents differs.
      InputParameters:
        '{"includeManagementEvents":"false","readWriteType":"ALL","trustOrganizationTrails":"TRUE","undecidedWindowHours":"48"}',
    };
    serve([{ ...compliant('111122223333', 'Production'), config: { ...base, rules: [weakened] } }]);

    const { code, stdout } = await cli([...ORGANIZATION_ARGS, '--json']);

    expect(code).toBe(2);
    expect(JSON.parse(stdout).accounts[0].deployment).toEqual({
      status: 'CHANGED',
      differences: ['parameter includeManagementEvents is false, expected true'],
    });
  });

  it('expects the parameters the audit is given with --param', async () => {
    const base = deployedConfig('111122223333');
    const [rule] = base.rules;
    if (rule === undefined) throw new Error('no rule');
    const bucket = {
      ...rule,
      InputParameters: '{"s3BucketName":"central-trail-logs","undecidedWindowHours":"48"}',
    };
    serve([{ ...compliant('111122223333', 'Production'), config: { ...base, rules: [bucket] } }]);

    const without = await cli([...ORGANIZATION_ARGS, '--json']);
    const withParam = await cli([
      ...ORGANIZATION_ARGS,
      '--json',
      '--param',
      's3BucketName=central-trail-logs',
    ]);

    expect(JSON.parse(without.stdout).accounts[0].deployment.differences).toEqual([
      'parameter s3BucketName is central-trail-logs, expected not set',
    ]);
    expect(JSON.parse(withParam.stdout).accounts[0].deployment.status).toBe('INTACT');
  });

  it('shows CHANGED when the remediation runs another document or another role', async () => {
    const base = deployedConfig('111122223333');
    const [remediation] = base.remediations;
    if (remediation === undefined) throw new Error('no remediation');
    const decoy = {
      ...remediation,
      TargetId: 'decoy-remediation',
      Parameters: {
        ...remediation.Parameters,
        AutomationAssumeRole: {
          StaticValue: { Values: ['arn:aws:iam::111122223333:role/decoy'] },
        },
      },
    };
    serve([
      { ...compliant('111122223333', 'Production'), config: { ...base, remediations: [decoy] } },
    ]);

    const { code, stdout } = await cli([...ORGANIZATION_ARGS, '--json']);

    expect(code).toBe(2);
    expect(JSON.parse(stdout).accounts[0].deployment.differences).toEqual([
      `the remediation runs SSM_DOCUMENT decoy-remediation, not our document ${RULE}-remediation`,
      `the remediation's AutomationAssumeRole is arn:aws:iam::111122223333:role/decoy, not our automation role arn:aws:iam::111122223333:role/${RULE}-automation-us-east-1`,
    ]);
  });

  it('shows CHANGED when the rule has no remediation configuration', async () => {
    serve([
      {
        ...compliant('111122223333', 'Production'),
        config: { ...deployedConfig('111122223333'), remediations: [] },
      },
    ]);

    const { stdout } = await cli([...ORGANIZATION_ARGS, '--json']);

    expect(JSON.parse(stdout).accounts[0].deployment).toEqual({
      status: 'CHANGED',
      differences: ['the rule has no remediation configuration'],
    });
  });

  it('looks for the names a non-default rule name gives with --rule-name', async () => {
    const names = (id: string) => {
      const base = deployedConfig(id);
      const swap = (text: string) => text.replaceAll(RULE, 'ct1-audit');
      return JSON.parse(swap(JSON.stringify(base))) as AccountConfig;
    };
    serve([{ ...compliant('111122223333', 'Production'), config: names('111122223333') }]);

    const byDefault = await cli([...ORGANIZATION_ARGS, '--csv']);
    const named = await cli([...ORGANIZATION_ARGS, '--csv', '--rule-name', 'ct1-audit']);

    expect(byDefault.code).toBe(2);
    expect(byDefault.stdout).toContain(`deployment MISSING: no Config rule ${RULE} in us-east-1`);
    expect(named.code).toBe(0);
    expect(named.stdout.split('\r\n')[1]).toMatch(/^111122223333,Production,COMPLIANT,INTACT,/);
  });

  it('shows ERROR, naming the permission, when the role may not read the rule', async () => {
    serve([compliant('111122223333', 'Production')]);
    config.on(DescribeConfigRulesCommand).rejects(
      new ConfigServiceServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, requestId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222' },
        message:
          'User: arn:aws:sts::111122223333:assumed-role/R/cloudtrail-rule-evaluate is not authorized to perform: config:DescribeConfigRules',
      }),
    );

    const { code, stdout } = await cli([...ORGANIZATION_ARGS, '--json']);

    expect(code).toBe(2);
    const [row] = JSON.parse(stdout).accounts;
    expect(row.verdict).toBe('COMPLIANT');
    expect(row.deployment.status).toBe('ERROR');
    expect(row.deployment.differences[0]).toMatch(
      /^Could not read the Config rule cloudtrail-1-multi-region-trail in us-east-1 \(Config DescribeConfigRules\) as arn:aws:iam::111122223333:role\/R: AccessDeniedException: .* Check that arn:aws:iam::111122223333:role\/R may call config:DescribeConfigRules/,
    );
  });

  it.each([
    [
      ['--organization', '--role-name', 'R', '--rule-name', '1bad'],
      /--rule-name "1bad" is not a rule name/,
    ],
    [['--rule-name', 'x'], /--rule-name is for evaluating several accounts/],
    [['--security-hub'], /--security-hub is for evaluating several accounts/],
  ])('refuses evaluate %j', async (options, message) => {
    const { code, stderr } = await cli(['evaluate', ...options]);

    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(sts).not.toHaveReceivedAnyCommand();
  });
});

/*
 * --security-hub: Security Hub's own CloudTrail.1 status, from GetFindings
 * in the caller's account (the Security Hub administrator), beside ours.
 *
 * GetFindings (filters, MaxResults up to 100, NextToken):
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html
 * CloudTrail.1 (what Security Hub checks: a multi-Region trail logging read
 * and write management events; a periodic check):
 * https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1
 */
describe('evaluate --organization --security-hub', () => {
  const SH_ARGS = [...ORGANIZATION_ARGS, '--security-hub'];

  it('shows a FAILED finding beside our COMPLIANT, and why: the trail started logging after Security Hub’s last check', async () => {
    // The trail started logging on 2026-01-05; Security Hub last updated its finding on 2026-01-01.
    serve([compliant('111122223333', 'Production')], {
      findings: [
        cloudTrail1Finding('111122223333', 'FAILED', { updatedAt: '2026-01-01T08:00:00.000Z' }),
      ],
    });

    const { code, stdout } = await cli([...SH_ARGS, '--csv']);

    expect(code).toBe(0);
    const [header, row] = stdout.split('\r\n');
    expect(header).toBe('account,name,verdict,deployment,security_hub,trail,reason');
    expect(row).toMatch(/^111122223333,Production,COMPLIANT,INTACT,FAILED,management-events/);
    expect(row).toContain(
      'Security Hub FAILED (FAILED in us-east-1 (updated 2026-01-01T08:00:00.000Z)) and ours COMPLIANT: trail management-events started logging at 2026-01-05T09:12:44.000Z, after Security Hub last updated its finding (2026-01-01T08:00:00.000Z)',
    );
    expect(securityHub).toHaveReceivedCommandWith(GetFindingsCommand, {
      Filters: {
        ComplianceSecurityControlId: [{ Value: 'CloudTrail.1', Comparison: 'EQUALS' }],
        RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
      },
      MaxResults: 100,
    });
  });

  it('says our check is weaker when a parameter weakens it', async () => {
    serve([compliant('111122223333', 'Production')], {
      findings: [cloudTrail1Finding('111122223333', 'FAILED')],
    });
    const base = deployedConfig('111122223333');

    const { stdout } = await cli([...SH_ARGS, '--json', '--param', 'readWriteType=WriteOnly']);

    const [row] = JSON.parse(stdout).accounts;
    expect(row.securityHub.status).toBe('FAILED');
    expect(row.securityHub.note).toMatch(
      /and ours COMPLIANT: our check runs with readWriteType=WriteOnly, which is weaker than CloudTrail\.1/,
    );
    // The deployment runs the default parameters, which the audit's --param does not match.
    expect(base.rules[0]?.InputParameters).toContain('"readWriteType":"ALL"');
    expect(row.deployment.status).toBe('CHANGED');
  });

  it('shows a PASSED finding beside our NON_COMPLIANT, and why: the selectors exclude an event source', async () => {
    const t = trail({}, '444455556666');
    const excluding: FakeAccount = {
      id: '444455556666',
      name: 'Sandbox',
      trails: [
        readTrail(t, {
          selectors: basicSelectors(t.TrailARN, [
            basicSelector({ ExcludeManagementEventSources: ['kms.amazonaws.com'] }),
          ]),
        }),
      ],
    };
    serve([excluding], { findings: [cloudTrail1Finding('444455556666', 'PASSED')] });

    const { code, stdout } = await cli(SH_ARGS);

    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ACCOUNT +NAME +VERDICT +DEPLOYMENT +SECURITY_HUB +TRAIL +REASON$/);
    expect(lines[1]).toMatch(/^444455556666 +Sandbox +NON_COMPLIANT +INTACT +PASSED +/);
    expect(lines[1]).toContain(
      "Security Hub PASSED and ours NON_COMPLIANT: trail management-events's selectors exclude events from kms.amazonaws.com",
    );
    expect(lines.at(-1)).toBe(
      '1 account: 0 COMPLIANT, 1 NON_COMPLIANT, 0 ERROR. Deployment: 1 INTACT, 0 CHANGED, 0 MISSING, 0 ERROR. Security Hub: 1 PASSED, 0 FAILED, 0 NO_FINDING.',
    );
  });

  it('shows NO_FINDING, and why that can be, for an account Security Hub has no active finding of', async () => {
    serve([compliant('111122223333', 'Production')], {
      findings: [
        cloudTrail1Finding('111122223333', 'FAILED', { recordState: 'ARCHIVED' }),
        cloudTrail1Finding('444455556666', 'PASSED'),
      ],
    });

    const { code, stdout } = await cli([...SH_ARGS, '--json']);

    expect(code).toBe(0);
    const [row] = JSON.parse(stdout).accounts;
    expect(row.securityHub.status).toBe('NO_FINDING');
    expect(row.securityHub.note).toMatch(/no active CloudTrail\.1 finding for the account/);
  });

  it('reads every page of GetFindings and groups the findings by account', async () => {
    // 150 other accounts' findings before ours: two pages of 100.
    const others = Array.from({ length: 150 }, (_, i) =>
      cloudTrail1Finding(String(200000000000 + i), 'PASSED'),
    );
    serve([compliant('111122223333', 'Production')], {
      findings: [
        ...others,
        cloudTrail1Finding('111122223333', 'PASSED', { region: 'eu-west-1' }),
        cloudTrail1Finding('111122223333', 'PASSED'),
      ],
    });

    const { stdout } = await cli([...SH_ARGS, '--json']);

    expect(securityHub).toHaveReceivedCommandTimes(GetFindingsCommand, 2);
    const [row] = JSON.parse(stdout).accounts;
    expect(row.securityHub).toMatchObject({ status: 'PASSED', note: null });
    expect(row.securityHub.findings.map((f: { region: string }) => f.region)).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
  });

  it('stops with one line, before reading any account, when Security Hub cannot be read', async () => {
    serve(ORGANIZATION);
    securityHub.on(GetFindingsCommand).rejects(
      new InvalidAccessException({
        message: 'Account 999988887777 is not subscribed to AWS Security Hub',
        $metadata: {},
      }),
    );

    const { code, stdout, stderr } = await cli(SH_ARGS);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^cloudtrail-rule: Could not read Security Hub's CloudTrail\.1 findings in us-east-1 \(Security Hub GetFindings\): InvalidAccessException: .* or leave out --security-hub\.\n$/,
    );
    expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
  });
});

/*
 * --accounts reads back what evaluate --organization writes: the CSV (its
 * header recognised) and the JSON, with the deployment and Security Hub
 * columns; only the account and name are used.
 */
describe('evaluate --accounts reads back an audit’s output', () => {
  const NAMES = [
    'Production',
    'Prod;=1+1;',
    '=HYPERLINK("https://example.com","Open")',
    'EU, "blue"',
  ];
  const ACCOUNTS_ARGS = (file: string) => [
    'evaluate',
    '--accounts',
    file,
    '--role-name',
    'R',
    '--region',
    'us-east-1',
  ];

  it.each([
    ['--csv', 'audit.csv'],
    ['--json', 'audit.json'],
  ])(
    'reads the %s output, with the Security Hub column, as the same accounts',
    async (format, name) => {
      const accounts = NAMES.map((n, index) => compliant(`11112222333${index}`, n));
      accounts.push({
        ...threeGaps('444455556666', 'Sandbox'),
        config: { rules: [], remediations: [] },
      });
      serve(accounts, { findings: [cloudTrail1Finding('444455556666', 'PASSED')] });
      const written = (await cli([...ORGANIZATION_ARGS, '--security-hub', format])).stdout;

      const file = tempFile(name, written);
      const again = await cli([...ACCOUNTS_ARGS(file), '--security-hub', format]);

      expect(again.code).toBe(2);
      // The same output, but for when each account was read.
      const undated = (text: string) => text.replace(/"readAt": "[^"]*"/g, '"readAt": "…"');
      expect(undated(again.stdout)).toBe(undated(written));
      expect(organizations).toHaveReceivedCommandTimes(ListAccountsCommand, 1);
    },
  );

  it('reads the JSON’s account and name only, a null name as none', async () => {
    serve([compliant('111122223333', 'Production'), compliant('444455556666', 'Sandbox')]);
    const file = tempFile(
      'audit.json',
      JSON.stringify({
        region: 'eu-west-1',
        accounts: [
          {
            account: '444455556666',
            name: null,
            verdict: 'ERROR',
            deployment: { status: 'MISSING' },
          },
          { account: '111122223333', name: 'Renamed', verdict: 'COMPLIANT' },
        ],
      }),
    );

    const { code, stdout } = await cli([...ACCOUNTS_ARGS(file), '--csv']);

    expect(code).toBe(0);
    expect(
      stdout
        .split('\r\n')
        .slice(1, -1)
        .map((row) => row.split(',').slice(0, 4)),
    ).toEqual([
      ['444455556666', '', 'COMPLIANT', 'INTACT'],
      ['111122223333', 'Renamed', 'COMPLIANT', 'INTACT'],
    ]);
  });

  it.each([
    ['JSON that does not parse', '{"accounts": [', /starts with \{ but is not valid JSON/],
    [
      'JSON without accounts',
      '{"region":"us-east-1"}',
      /is JSON but not what evaluate --organization --json writes: its accounts/,
    ],
    [
      'an entry without an account',
      '{"accounts":[{"account":"111122223333"},{"name":"x"}]}',
      /entry 2 of accounts, its account is missing or not of the right type/,
    ],
    [
      'a short account ID',
      '{"accounts":[{"account":"12345","name":"x"}]}',
      /entry 1 of accounts: the account ID is not 12 digits/,
    ],
    [
      'an account twice',
      '{"accounts":[{"account":"111122223333"},{"account":"111122223333"}]}',
      /account 111122223333 is on entry 1 of accounts and again on entry 2 of accounts/,
    ],
    ['no account', '{"accounts":[]}', /lists no account/],
  ])('refuses a JSON file with %s', async (_, text, message) => {
    const file = tempFile('audit.json', text);

    await expect(readAccountsFile(file)).rejects.toThrow(message);
  });
});
