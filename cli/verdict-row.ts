import type { AccountVerdict, TrailVerdict } from '../rule/evaluate';
import type { MemberAccount } from './accounts-file';
import { formatCsv } from './csv';
import type { DeploymentCheck, DeploymentStatus } from './deployment';
import { EXIT, type ExitCode } from './io';
import type { AccountResult } from './organization';
import type { EvaluationReport } from './report';
import type { SecurityHubStatus, SecurityHubView } from './security-hub';
import { formatTable, oneLine } from './table';
import { ORGANIZATION_WORDING, verdictReason } from './wording';

/**
 * An account's verdict in one row: COMPLIANT or NON_COMPLIANT as the rule
 * decides, ERROR when there is no verdict (the account could not be
 * assumed or read, or the rule could not decide), never NON_COMPLIANT for
 * what could not be known.
 */
export type RowVerdict = 'COMPLIANT' | 'NON_COMPLIANT' | 'ERROR';

export interface VerdictRow {
  account: string;
  /** The account's name, `null` when not known. */
  name: string | null;
  verdict: RowVerdict;
  /** The passing trail (COMPLIANT) or the closest (NON_COMPLIANT); `null` when there is none. */
  trail: string | null;
  trailArn: string | null;
  /**
   * Why: the passing trail's annotation, every requirement the closest
   * trail misses, the error, or why the rule could not decide.
   */
  reason: string;
  /** Each requirement the closest trail fails, one entry each (empty unless NON_COMPLIANT). */
  gaps: string[];
  /** Whether the account's deployment is intact (several accounts only). */
  deployment?: DeploymentCheck;
  /** Security Hub's own CloudTrail.1 status beside ours (`--security-hub` only). */
  securityHub?: SecurityHubView;
}

const VERDICTS: readonly RowVerdict[] = ['COMPLIANT', 'NON_COMPLIANT', 'ERROR'];

/** The row of an account with a verdict (an UNDECIDED one becomes an ERROR row). */
export function verdictRow(account: MemberAccount, verdict: AccountVerdict): VerdictRow {
  const base = { account: account.id, name: account.name ?? null };
  switch (verdict.compliance) {
    case 'COMPLIANT':
      return {
        ...base,
        verdict: 'COMPLIANT',
        ...trailOf(verdict.passing),
        reason: verdict.annotation,
        gaps: [],
      };
    case 'NON_COMPLIANT': {
      const gaps = (verdict.closest?.requirements ?? [])
        .filter((r) => r.outcome === 'fail')
        .map((r) => r.detail);
      // A failed delivery that is not a requirement (requireDelivery false) is named too.
      const problem = verdict.closest?.deliveryProblem;
      const delivery =
        problem !== undefined && !gaps.some((gap) => gap.startsWith('delivery failing'))
          ? [`delivery failing: ${problem}`]
          : [];
      return {
        ...base,
        verdict: 'NON_COMPLIANT',
        ...trailOf(verdict.closest),
        // Every gap, uncut: the annotation stops at AWS Config's 256 characters.
        reason: gaps.length > 0 ? [...gaps, ...delivery].join('; ') : verdict.annotation,
        gaps,
      };
    }
    case 'UNDECIDED':
      return {
        ...base,
        verdict: 'ERROR',
        trail: null,
        trailArn: null,
        reason: verdictReason(verdict, ORGANIZATION_WORDING),
        gaps: [],
      };
  }
}

/** The row of an account that has no verdict, with why. */
export function errorRow(account: MemberAccount, reason: string): VerdictRow {
  return {
    account: account.id,
    name: account.name ?? null,
    verdict: 'ERROR',
    trail: null,
    trailArn: null,
    reason,
    gaps: [],
  };
}

/** The row of each account's result, with its deployment and, when read, Security Hub's status. */
export function resultRow(result: AccountResult): VerdictRow {
  const row =
    'error' in result
      ? errorRow(result.account, result.error)
      : verdictRow(result.account, result.verdict);
  return {
    ...row,
    deployment: result.deployment,
    ...(result.securityHub !== undefined ? { securityHub: result.securityHub } : {}),
  };
}

function trailOf(trail: TrailVerdict | undefined): Pick<VerdictRow, 'trail' | 'trailArn'> {
  return trail === undefined
    ? { trail: null, trailArn: null }
    : { trail: `${trail.name} (${trail.homeRegion ?? 'unknown Region'})`, trailArn: trail.arn };
}

/**
 * The columns of the rows: the account, its name and verdict; `deployment`
 * and `security_hub` when the rows have them (an audit of several accounts,
 * and `--security-hub`); then the trail and the reason. The account and the
 * name stay first, so `--accounts` reads the CSV back.
 */
function columnsOf(rows: readonly VerdictRow[]): string[] {
  return [
    'account',
    'name',
    'verdict',
    ...(rows.some((row) => row.deployment !== undefined) ? ['deployment'] : []),
    ...(rows.some((row) => row.securityHub !== undefined) ? ['security_hub'] : []),
    'trail',
    'reason',
  ];
}

/**
 * The reason cell: why the verdict, then what differs in the deployment
 * (or why it could not be read), then why Security Hub disagrees, each
 * only when there is something to say.
 */
export function rowReason(row: VerdictRow): string {
  const { deployment, securityHub } = row;
  const deploymentNote =
    deployment === undefined || deployment.differences.length === 0
      ? undefined
      : deployment.status === 'ERROR'
        ? `deployment not read: ${deployment.differences.join('; ')}`
        : `deployment ${deployment.status}: ${deployment.differences.join('; ')}`;
  return [row.reason, deploymentNote, securityHub?.note ?? undefined]
    .filter((part): part is string => part !== undefined && part !== '')
    .join('; ');
}

function cells(row: VerdictRow, columns: readonly string[]): string[] {
  const value: Record<string, string> = {
    account: row.account,
    name: row.name ?? '',
    verdict: row.verdict,
    deployment: row.deployment?.status ?? '',
    security_hub: row.securityHub?.status ?? '',
    trail: row.trail ?? '',
    reason: oneLine(rowReason(row)),
  };
  return columns.map((column) => value[column] ?? '');
}

/** The rows as CSV (RFC 4180): a header, then one record per account. */
export function formatRowsCsv(rows: readonly VerdictRow[]): string {
  const columns = columnsOf(rows);
  return formatCsv(
    columns,
    rows.map((row) => cells(row, columns)),
  );
}

/** The rows as an aligned table, then the summary line. */
export function formatRowsTable(rows: readonly VerdictRow[]): string {
  const columns = columnsOf(rows);
  const table = formatTable(
    columns.map((column) => column.toUpperCase()),
    rows.map((row) => cells(row, columns)),
  );
  return `${table}\n\n${summaryLine(rows)}\n`;
}

/** How many accounts have each verdict. */
export function countVerdicts(rows: readonly VerdictRow[]): Record<RowVerdict, number> {
  const counts: Record<RowVerdict, number> = { COMPLIANT: 0, NON_COMPLIANT: 0, ERROR: 0 };
  for (const row of rows) counts[row.verdict] += 1;
  return counts;
}

const DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = ['INTACT', 'CHANGED', 'MISSING', 'ERROR'];
const SECURITY_HUB_STATUSES: readonly SecurityHubStatus[] = ['PASSED', 'FAILED', 'NO_FINDING'];

/** How many rows have each deployment status; `undefined` when no row has one. */
export function countDeployments(
  rows: readonly VerdictRow[],
): Record<DeploymentStatus, number> | undefined {
  if (!rows.some((row) => row.deployment !== undefined)) return undefined;
  const counts: Record<DeploymentStatus, number> = { INTACT: 0, CHANGED: 0, MISSING: 0, ERROR: 0 };
  for (const row of rows) if (row.deployment !== undefined) counts[row.deployment.status] += 1;
  return counts;
}

/** How many rows have each Security Hub status; `undefined` when Security Hub was not read. */
export function countSecurityHub(
  rows: readonly VerdictRow[],
): Record<SecurityHubStatus, number> | undefined {
  if (!rows.some((row) => row.securityHub !== undefined)) return undefined;
  const counts: Record<SecurityHubStatus, number> = { PASSED: 0, FAILED: 0, NO_FINDING: 0 };
  for (const row of rows) if (row.securityHub !== undefined) counts[row.securityHub.status] += 1;
  return counts;
}

/**
 * `3 accounts: 1 COMPLIANT, 1 NON_COMPLIANT, 1 ERROR.`, then, for an audit
 * of several accounts, `Deployment: 2 INTACT, 1 CHANGED, 0 MISSING, 0 ERROR.`
 * and, with Security Hub, `Security Hub: 2 PASSED, 1 FAILED, 0 NO_FINDING.`
 */
export function summaryLine(rows: readonly VerdictRow[]): string {
  const counts = countVerdicts(rows);
  const total = `${rows.length} ${rows.length === 1 ? 'account' : 'accounts'}`;
  const listed = <K extends string>(keys: readonly K[], of: Record<K, number>) =>
    keys.map((key) => `${of[key]} ${key}`).join(', ');
  const deployments = countDeployments(rows);
  const securityHub = countSecurityHub(rows);
  return [
    `${total}: ${listed(VERDICTS, counts)}.`,
    ...(deployments !== undefined
      ? [`Deployment: ${listed(DEPLOYMENT_STATUSES, deployments)}.`]
      : []),
    ...(securityHub !== undefined
      ? [`Security Hub: ${listed(SECURITY_HUB_STATUSES, securityHub)}.`]
      : []),
  ].join(' ');
}

/**
 * 2 if any account is ERROR or its deployment is not INTACT (CHANGED,
 * MISSING, or not read), else 1 if any is NON_COMPLIANT, else 0. Security
 * Hub's status does not change it: it is shown beside ours, not judged.
 */
export function exitCodeForRows(rows: readonly VerdictRow[]): ExitCode {
  const counts = countVerdicts(rows);
  if (counts.ERROR > 0) return EXIT.error;
  if (rows.some((row) => row.deployment !== undefined && row.deployment.status !== 'INTACT')) {
    return EXIT.error;
  }
  if (counts.NON_COMPLIANT > 0) return EXIT.nonCompliant;
  return EXIT.compliant;
}

/** What `evaluate --organization --json` prints: the counts, then each account's row and report. */
export interface OrganizationJson {
  region: string;
  summary: { accounts: number } & Record<RowVerdict, number> & {
      deployment?: Record<DeploymentStatus, number>;
      securityHub?: Record<SecurityHubStatus, number>;
    };
  accounts: (VerdictRow & { report: EvaluationReport | null })[];
}

export function organizationJson(
  region: string,
  results: readonly AccountResult[],
): OrganizationJson {
  const accounts = results.map((result) => ({
    ...resultRow(result),
    report: 'report' in result ? result.report : null,
  }));
  const deployment = countDeployments(accounts);
  const securityHub = countSecurityHub(accounts);
  return {
    region,
    summary: {
      accounts: accounts.length,
      ...countVerdicts(accounts),
      ...(deployment !== undefined ? { deployment } : {}),
      ...(securityHub !== undefined ? { securityHub } : {}),
    },
    accounts,
  };
}
