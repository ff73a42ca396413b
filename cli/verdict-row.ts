import type { AccountVerdict, TrailVerdict } from '../rule/evaluate';
import type { MemberAccount } from './accounts-file';
import { formatCsv } from './csv';
import { EXIT, type ExitCode } from './io';
import type { AccountResult } from './organization';
import type { EvaluationReport } from './report';
import { formatTable, oneLine } from './table';

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
        reason: verdict.reason,
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

/** The row of each account's result. */
export function resultRow(result: AccountResult): VerdictRow {
  return 'error' in result
    ? errorRow(result.account, result.error)
    : verdictRow(result.account, result.verdict);
}

function trailOf(trail: TrailVerdict | undefined): Pick<VerdictRow, 'trail' | 'trailArn'> {
  return trail === undefined
    ? { trail: null, trailArn: null }
    : { trail: `${trail.name} (${trail.homeRegion ?? 'unknown Region'})`, trailArn: trail.arn };
}

const CSV_COLUMNS = ['account', 'name', 'verdict', 'trail', 'reason'];
const TABLE_COLUMNS = CSV_COLUMNS.map((column) => column.toUpperCase());

function cells(row: VerdictRow): string[] {
  return [row.account, row.name ?? '', row.verdict, row.trail ?? '', oneLine(row.reason)];
}

/** The rows as CSV (RFC 4180): a header, then one record per account. */
export function formatRowsCsv(rows: readonly VerdictRow[]): string {
  return formatCsv(CSV_COLUMNS, rows.map(cells));
}

/** The rows as an aligned table, then the summary line. */
export function formatRowsTable(rows: readonly VerdictRow[]): string {
  return `${formatTable(TABLE_COLUMNS, rows.map(cells))}\n\n${summaryLine(rows)}\n`;
}

/** How many accounts have each verdict. */
export function countVerdicts(rows: readonly VerdictRow[]): Record<RowVerdict, number> {
  const counts: Record<RowVerdict, number> = { COMPLIANT: 0, NON_COMPLIANT: 0, ERROR: 0 };
  for (const row of rows) counts[row.verdict] += 1;
  return counts;
}

/** `3 accounts: 1 COMPLIANT, 1 NON_COMPLIANT, 1 ERROR.` */
export function summaryLine(rows: readonly VerdictRow[]): string {
  const counts = countVerdicts(rows);
  const total = `${rows.length} ${rows.length === 1 ? 'account' : 'accounts'}`;
  return `${total}: ${VERDICTS.map((verdict) => `${counts[verdict]} ${verdict}`).join(', ')}.`;
}

/** 2 if any account is ERROR, else 1 if any is NON_COMPLIANT, else 0. */
export function exitCodeForRows(rows: readonly VerdictRow[]): ExitCode {
  const counts = countVerdicts(rows);
  if (counts.ERROR > 0) return EXIT.error;
  if (counts.NON_COMPLIANT > 0) return EXIT.nonCompliant;
  return EXIT.compliant;
}

/** What `evaluate --organization --json` prints: the counts, then each account's row and report. */
export interface OrganizationJson {
  region: string;
  summary: { accounts: number } & Record<RowVerdict, number>;
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
  return { region, summary: { accounts: accounts.length, ...countVerdicts(accounts) }, accounts };
}
