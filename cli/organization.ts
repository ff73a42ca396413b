import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import {
  type Account,
  ListAccountsCommand,
  type ListAccountsCommandOutput,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  AssumeRoleCommand,
  type AssumeRoleCommandOutput,
  type STSClient,
} from '@aws-sdk/client-sts';
import { stsClient } from '../remediation/clients';
import { type CallTimeouts, cloudTrailClients, sdkClient } from '../rule/clients';
import { AwsTimeoutError } from '../rule/errors';
import { type AccountVerdict, evaluateAccount } from '../rule/evaluate';
import { logVerdict } from '../rule/log';
import type { RuleParameters } from '../rule/parameters';
import { mapWithConcurrency } from '../rule/reader';
import type { AccountTrailState } from '../rule/state';
import type { MemberAccount } from './accounts-file';
import type { LiveTarget } from './args';
import { type CallSettings, describeError, readFailure } from './aws-errors';
import { type DeploymentCheck, type ExpectedDeployment, readDeployment } from './deployment';
import { AwsReadError } from './errors';
import { callerIdentity, readTrails, resolveRegion } from './live';
import { buildReport, type EvaluationReport } from './report';
import {
  type ControlFinding,
  compareWithSecurityHub,
  readControlFindings,
  type SecurityHubView,
} from './security-hub';

/**
 * The role session name every assumed role gets: CloudTrail in the member
 * account records it with each call, so the reads are told apart from
 * anyone else's.
 */
export const ROLE_SESSION_NAME = 'cloudtrail-rule-evaluate';

/**
 * How long the assumed role's credentials last, in seconds: AssumeRole's
 * minimum, 15 minutes, which every role allows. One account's reads take
 * seconds; retries of stalled calls at most a few minutes.
 */
export const ROLE_SESSION_SECONDS = 900;

/** What to evaluate, as whom, and how many accounts at a time. */
export interface OrganizationEvaluation {
  /** The caller's credentials (`--profile`) and the Region trails are listed from (`--region`). */
  live: LiveTarget;
  /** The accounts: from an `--accounts` file, or `ListAccounts` when absent. */
  accounts?: readonly MemberAccount[];
  roleName: string;
  externalId?: string;
  concurrency: number;
  parameters: RuleParameters;
  /** The deployment each account should have: its rule, function, document and parameters. */
  deployment: ExpectedDeployment;
  /** Also read Security Hub's own CloudTrail.1 findings (from the caller's account) and show them beside ours. */
  securityHub?: boolean;
  /** Told after each account, with how many are done of how many. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * One account's outcome: its verdict and report (and the trail state they
 * were made from), or why there is none; whether its deployment is intact;
 * and, when asked for, Security Hub's status beside ours.
 */
export type AccountResult = (
  | {
      account: MemberAccount;
      verdict: AccountVerdict;
      report: EvaluationReport;
      state: AccountTrailState;
    }
  | { account: MemberAccount; error: string }
) & { deployment: DeploymentCheck; securityHub?: SecurityHubView };

export interface OrganizationResult {
  /** The Region every account's trails were listed from. */
  region: string;
  results: AccountResult[];
}

/**
 * Evaluates every account of an organization (or of a list) with the rule's
 * own reader and verdict: in each account it assumes
 * `arn:PARTITION:iam::ACCOUNT:role/ROLE` (the partition of the caller's own
 * ARN), reads every trail fully, and judges the account exactly as the rule
 * would. At most `concurrency` accounts are read at once. An account that
 * cannot be assumed, read or decided gets an error result, never a verdict,
 * and is never left out; the results keep the order of the accounts.
 *
 * @example
 * await evaluateOrganization({ live: { region: 'us-east-1' }, roleName: 'Audit', concurrency: 8, parameters })
 */
export async function evaluateOrganization(
  options: OrganizationEvaluation,
): Promise<OrganizationResult> {
  const { live } = options;
  const sts = stsClient({
    ...(live.region !== undefined ? { region: live.region } : {}),
    ...(live.profile !== undefined ? { profile: live.profile } : {}),
    ...(live.timeouts ? { timeouts: live.timeouts } : {}),
  });
  try {
    const region = await resolveRegion(sts, 'read trails from', live.profile);
    const { arn: caller } = await callerIdentity(sts, { ...live, region }, 'caller');
    // Security Hub first: if it cannot be read, the audit stops before reading every account.
    const findings =
      options.securityHub === true
        ? await readControlFindings({ region, profile: live.profile, timeouts: live.timeouts })
        : undefined;
    const accounts =
      options.accounts ??
      (await listActiveAccounts({ region, profile: live.profile, timeouts: live.timeouts }));
    let done = 0;
    options.onProgress?.(done, accounts.length);
    const results = await mapWithConcurrency(accounts, options.concurrency, async (account) => {
      const result = await evaluateMember(account, {
        ...options,
        sts,
        region,
        roleArn: `arn:${arnPartition(caller)}:iam::${account.id}:role/${options.roleName}`,
        caller,
      });
      if (findings !== undefined) withSecurityHub(result, findings.get(account.id) ?? [], options);
      done += 1;
      options.onProgress?.(done, accounts.length);
      return result;
    });
    return { region, results };
  } finally {
    sts.destroy();
  }
}

/** Puts Security Hub's view of the account beside our result. */
function withSecurityHub(
  result: AccountResult,
  findings: readonly ControlFinding[],
  options: OrganizationEvaluation,
): void {
  result.securityHub = compareWithSecurityHub(
    findings,
    'verdict' in result
      ? { verdict: result.verdict, state: result.state, parameters: options.parameters }
      : undefined,
  );
}

/** The partition an ARN names: `aws`, `aws-cn`, `aws-us-gov`, … */
export function arnPartition(arn: string): string {
  const partition = arn.split(':')[1];
  if (partition === undefined || partition === '' || !arn.startsWith('arn:')) {
    throw new AwsReadError(
      `STS GetCallerIdentity returned "${arn}", which is not an ARN: the partition of the roles to assume is not known.`,
    );
  }
  return partition;
}

/**
 * The organization's ACTIVE accounts, every page of `ListAccounts`: from the
 * management account or a delegated administrator. Suspended, closing and
 * closed accounts have no trails to judge. `State` is read, with the older
 * `Status` where `State` is absent.
 */
export async function listActiveAccounts(target: {
  region: string;
  profile?: string | undefined;
  timeouts?: CallTimeouts | undefined;
}): Promise<MemberAccount[]> {
  const client = sdkClient(OrganizationsClient, {
    region: target.region,
    ...(target.profile !== undefined ? { profile: target.profile } : {}),
    ...(target.timeouts ? { timeouts: target.timeouts } : {}),
  });
  try {
    const listed = await listAll(client, {
      region: target.region,
      ...(target.profile !== undefined ? { profile: target.profile } : {}),
    });
    const active = listed.filter((a) => (a.State ?? a.Status) === 'ACTIVE');
    if (active.length === 0) {
      throw new AwsReadError(
        `Organizations ListAccounts returned ${listed.length} account${listed.length === 1 ? '' : 's'} and none is ACTIVE: there is nothing to evaluate.`,
      );
    }
    return active.flatMap((a) =>
      a.Id === undefined ? [] : [a.Name === undefined ? { id: a.Id } : { id: a.Id, name: a.Name }],
    );
  } finally {
    client.destroy();
  }
}

async function listAll(client: OrganizationsClient, settings: CallSettings): Promise<Account[]> {
  const accounts: Account[] = [];
  let NextToken: string | undefined;
  do {
    let page: ListAccountsCommandOutput;
    try {
      page = await client.send(new ListAccountsCommand(NextToken ? { NextToken } : {}));
    } catch (error) {
      const notInOrganization =
        error instanceof Error && error.name === 'AWSOrganizationsNotInUseException';
      throw await readFailure(
        "Could not list the organization's accounts (Organizations ListAccounts)",
        error,
        settings,
        notInOrganization
          ? 'These credentials are not of an organization member: use the management account, or give the accounts with --accounts FILE.'
          : 'Use credentials of the management account or of a delegated administrator account that may call organizations:ListAccounts, or give the accounts with --accounts FILE.',
      );
    }
    accounts.push(...(page.Accounts ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return accounts;
}

interface MemberContext {
  sts: STSClient;
  region: string;
  roleArn: string;
  caller: string;
  externalId?: string;
  parameters: RuleParameters;
  deployment: ExpectedDeployment;
  live: LiveTarget;
}

/** Why a step failed, as the row says it. */
function failureText(error: unknown): string {
  return error instanceof AwsReadError || error instanceof AwsTimeoutError
    ? error.message
    : describeError(error);
}

/**
 * One account: assume the role, then read every trail and judge, and beside
 * it read the deployed rule and its remediation configuration. Any failure
 * is the account's error (or its deployment's), never a verdict.
 */
async function evaluateMember(
  account: MemberAccount,
  context: MemberContext,
): Promise<AccountResult> {
  let credentials: Awaited<ReturnType<typeof assumeRole>>;
  try {
    credentials = await assumeRole(context);
  } catch (error) {
    // The row's reason says why; there is no deployment to look at either.
    return { account, error: failureText(error), deployment: { status: 'ERROR', differences: [] } };
  }
  const [evaluation, deployment] = await Promise.all([
    evaluateTrails(account, context, credentials),
    checkDeployment(account, context, credentials),
  ]);
  return { ...evaluation, deployment };
}

async function evaluateTrails(
  account: MemberAccount,
  context: MemberContext,
  credentials: Awaited<ReturnType<typeof assumeRole>>,
) {
  const { region, roleArn, parameters } = context;
  try {
    const clients = cloudTrailClients({
      credentials,
      ...(context.live.timeouts ? { timeouts: context.live.timeouts } : {}),
    });
    const state = await readTrails(account.id, region, clients, {
      what: `Could not list the trails in ${region} (CloudTrail DescribeTrails) as ${roleArn}`,
      settings: { ...context.live, region },
      hint: 'Check that the role may call cloudtrail:DescribeTrails.',
    });
    const verdict = evaluateAccount(state, parameters);
    logVerdict(verdict);
    const report = buildReport(state, verdict, parameters, {
      type: 'live',
      profile: context.live.profile ?? null,
    });
    return { account, verdict, report, state };
  } catch (error) {
    return { account, error: failureText(error) };
  }
}

/** The account's deployment, read through the assumed role in the Region trails are listed from. */
async function checkDeployment(
  account: MemberAccount,
  context: MemberContext,
  credentials: Awaited<ReturnType<typeof assumeRole>>,
): Promise<DeploymentCheck> {
  const { region, roleArn } = context;
  const client = sdkClient(ConfigServiceClient, {
    region,
    credentials,
    ...(context.live.timeouts ? { timeouts: context.live.timeouts } : {}),
  });
  try {
    return await readDeployment(
      client,
      context.deployment,
      { accountId: account.id, region, partition: arnPartition(roleArn), roleArn },
      { ...context.live, region },
    );
  } catch (error) {
    return { status: 'ERROR', differences: [failureText(error)] };
  } finally {
    client.destroy();
  }
}

async function assumeRole(context: MemberContext) {
  const { sts, roleArn, externalId, caller, region, live } = context;
  let response: AssumeRoleCommandOutput;
  try {
    response = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: ROLE_SESSION_NAME,
        DurationSeconds: ROLE_SESSION_SECONDS,
        ...(externalId !== undefined ? { ExternalId: externalId } : {}),
      }),
    );
  } catch (error) {
    throw await readFailure(
      `Could not assume ${roleArn} (STS AssumeRole)`,
      error,
      { ...live, region },
      `Check that the role exists in the account and that its trust policy lets ${caller} assume it${externalId !== undefined ? ' with this external ID' : ''}.`,
    );
  }
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = response.Credentials ?? {};
  if (AccessKeyId === undefined || SecretAccessKey === undefined) {
    throw new AwsReadError(`STS AssumeRole returned no credentials for ${roleArn}.`);
  }
  return {
    accessKeyId: AccessKeyId,
    secretAccessKey: SecretAccessKey,
    ...(SessionToken !== undefined ? { sessionToken: SessionToken } : {}),
    ...(Expiration !== undefined ? { expiration: Expiration } : {}),
  };
}
