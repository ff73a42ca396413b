import {
  DEFAULT_PARAMETERS,
  PARAMETER_NAMES,
  type RuleParameters,
  weakeningParameters,
} from '../rule/parameters';
import type { EvaluationReport, ReportSource, TrailReport } from './report';
import { formatTable, oneLine, plural } from './table';

const TRAIL_COLUMNS = [
  'TRAIL',
  'HOME REGION',
  'MULTI-REGION',
  'LOGGING',
  'READ',
  'WRITE',
  'NOT LOGGED',
  'RESULT',
];

/**
 * The human output of `evaluate`: the verdict, why, and one row per trail.
 * READ and WRITE say which management events the selectors log: `all`,
 * `partial` (all but the sources under NOT LOGGED), `no`, `trusted` (an
 * organization trail whose selectors are not readable here), `?` (not read)
 * or `-` (not required).
 */
export function renderEvaluation(report: EvaluationReport): string {
  const lines = [
    `${weakeningParameters(report.parameters).length === 0 ? 'CloudTrail.1' : 'Custom parameters, not CloudTrail.1'}: ${report.compliance}`,
    `Account ${report.accountId}, trails listed from ${oneLine(report.region)}; ${describeSource(report.source, report.readAt)}.`,
    `Parameters: ${describeParameters(report.parameters)}.`,
    '',
    oneLine(reasonOf(report)),
    '',
  ];
  if (report.trails.length === 0) {
    lines.push(`No trails are visible from ${oneLine(report.region)}.`);
  } else {
    lines.push(formatTable(TRAIL_COLUMNS, report.trails.map(trailRow)));
  }
  return `${lines.join('\n')}\n`;
}

/** One evaluated example file, or why it could not be evaluated. */
export type ExampleResult =
  | { file: string; report: EvaluationReport }
  | { file: string; error: string };

/** The human output of `examples`: file, verdict and reason, one row each. */
export function renderExamples(results: readonly ExampleResult[]): string {
  const rows = results.map((result) =>
    'error' in result
      ? [result.file, 'ERROR', result.error]
      : [result.file, result.report.compliance, reasonOf(result.report)],
  );
  const counts = new Map<string, number>();
  for (const [, verdict] of rows) counts.set(verdict ?? '', (counts.get(verdict ?? '') ?? 0) + 1);
  const summary = [...counts].map(([verdict, count]) => `${count} ${verdict}`).join(', ');
  return `${formatTable(['FILE', 'VERDICT', 'REASON'], rows)}\n\n${plural(results.length, 'example')}: ${summary}.\n`;
}

function reasonOf(report: EvaluationReport): string {
  return report.compliance === 'UNDECIDED' ? report.reason : report.annotation;
}

/**
 * Where the state was read: `snapshot FILE, read …` or `live (profile P),
 * read …`, on one line (a snapshot's `readAt` is whatever its author wrote).
 */
export function describeSource(source: ReportSource, readAt: string | null): string {
  const read = readAt === null ? '' : `, read ${readAt}`;
  if (source.type === 'snapshot') return oneLine(`snapshot ${source.file}${read}`);
  return oneLine(`live${source.profile === null ? '' : ` (profile ${source.profile})`}${read}`);
}

/**
 * The parameters that differ from CloudTrail.1's defaults, and, when they
 * weaken it, that the account is judged by them and not by CloudTrail.1.
 */
export function describeParameters(parameters: RuleParameters): string {
  const changed = PARAMETER_NAMES.filter(
    (name) => parameters[name] !== undefined && parameters[name] !== DEFAULT_PARAMETERS[name],
  ).map((name) => `${name}=${String(parameters[name])}`);
  if (changed.length === 0) return 'defaults (exactly CloudTrail.1)';
  const weakening = weakeningParameters(parameters);
  return weakening.length === 0
    ? changed.join(', ')
    : `${changed.join(', ')}; custom: the account is judged by ${weakening.join(' and ')}, not by CloudTrail.1 as Security Hub defines it (read and write management events)`;
}

function trailRow(trail: TrailReport): string[] {
  return [
    trail.name,
    trail.homeRegion ?? '?',
    yesNo(trail.multiRegion),
    trail.logging === null ? '?' : yesNo(trail.logging),
    kindCell(trail, 'read'),
    kindCell(trail, 'write'),
    notLoggedCell(trail),
    resultCell(trail),
  ];
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function kindCell(trail: TrailReport, kind: 'read' | 'write'): string {
  const coverage = trail.managementEvents;
  if (coverage === null) {
    const requirement = trail.requirements.find((r) => r.requirement === 'managementEvents');
    if (requirement === undefined) return '-';
    return requirement.outcome === 'pass' ? 'trusted' : '?';
  }
  const missing = kind === 'read' ? coverage.uncoveredRead : coverage.uncoveredWrite;
  if (missing.length === 0) return 'all';
  return coverage.nothingLogged[kind] ? 'no' : 'partial';
}

/** The named sources a `partial` kind misses (a `no` kind misses everything anyway). */
function notLoggedCell(trail: TrailReport): string {
  const coverage = trail.managementEvents;
  if (coverage === null) return '-';
  const named = (kind: 'read' | 'write', missing: string[]) =>
    coverage.nothingLogged[kind] ? [] : missing;
  const read = named('read', coverage.uncoveredRead).join(', ');
  const write = named('write', coverage.uncoveredWrite).join(', ');
  if (read === write) return read === '' ? '-' : read;
  return [read === '' ? '' : `read: ${read}`, write === '' ? '' : `write: ${write}`]
    .filter((part) => part !== '')
    .join('; ');
}

/** Why the trail passes or fails: the failed (or unknown) requirements, then the notes. */
function resultCell(trail: TrailReport): string {
  const details = trail.requirements
    .filter((r) => r.outcome === trail.outcome)
    .map((r) => r.detail)
    .join('; ');
  const head = trail.outcome === 'pass' ? 'pass' : `${trail.outcome}: ${details}`;
  return trail.notes.length === 0 ? head : `${head} (note: ${trail.notes.join('; ')})`;
}
