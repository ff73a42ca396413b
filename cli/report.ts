import type { AccountVerdict, Outcome, RequirementResult, TrailVerdict } from '../rule/evaluate';
import type { RuleParameters } from '../rule/parameters';
import type { ManagementCoverage } from '../rule/selectors';
import type { AccountTrailState } from '../rule/state';
import { CONTROL_CHARACTER } from './control-characters';
import { EXIT, type ExitCode } from './io';
import { verdictReason } from './wording';

/** Where the trail state came from. */
export type ReportSource =
  | { type: 'snapshot'; file: string }
  | { type: 'live'; profile: string | null };

/**
 * One trail in the report. Every key is always present (`null` when unknown),
 * so scripts can rely on the shape.
 */
export interface TrailReport {
  name: string;
  arn: string;
  homeRegion: string | null;
  multiRegion: boolean;
  /** Owned by another account: an organization trail seen from a member account. */
  otherAccount: boolean;
  /** `GetTrailStatus.IsLogging`; `null` when the status was not read or could not be. */
  logging: boolean | null;
  /** What the selectors log of management events; `null` when they were not read or could not be. */
  managementEvents: ManagementCoverage | null;
  outcome: Outcome;
  requirements: RequirementResult[];
  notes: string[];
  /** Why a logging trail is not delivering (`LatestDeliveryError`, or no delivery for over an hour); `null` when it delivers or this is not known. */
  deliveryProblem: string | null;
}

interface ReportBody {
  accountId: string;
  /** The Region the trails were listed from. */
  region: string;
  readAt: string | null;
  source: ReportSource;
  parameters: RuleParameters;
  trails: TrailReport[];
}

/**
 * The result of one evaluation, as `--json` prints it and as the human
 * output is drawn from: `annotation` for a verdict (what AWS Config would
 * show), `reason` when there is none.
 */
export type EvaluationReport =
  | ({ compliance: 'COMPLIANT' | 'NON_COMPLIANT'; annotation: string } & ReportBody)
  | ({ compliance: 'UNDECIDED'; reason: string } & ReportBody);

/** Puts a verdict and what it was read from into the shape `--json` prints. */
export function buildReport(
  state: AccountTrailState,
  verdict: AccountVerdict,
  parameters: RuleParameters,
  source: ReportSource,
): EvaluationReport {
  const body: ReportBody = {
    accountId: state.accountId,
    region: state.region,
    readAt: state.readAt ?? null,
    source,
    parameters,
    trails: verdict.trails.map(trailReport),
  };
  return verdict.compliance === 'UNDECIDED'
    ? { compliance: verdict.compliance, reason: verdictReason(verdict), ...body }
    : { compliance: verdict.compliance, annotation: verdict.annotation, ...body };
}

function trailReport(trail: TrailVerdict): TrailReport {
  const logging = trail.requirements.find((r) => r.requirement === 'logging')?.outcome;
  return {
    name: trail.name,
    arn: trail.arn,
    homeRegion: trail.homeRegion ?? null,
    multiRegion: trail.multiRegion,
    otherAccount: trail.otherAccount,
    logging: logging === 'pass' ? true : logging === 'fail' ? false : null,
    managementEvents: trail.coverage ?? null,
    outcome: trail.outcome,
    requirements: trail.requirements,
    notes: trail.notes,
    deliveryProblem: trail.deliveryProblem ?? null,
  };
}

/** The exit status for a verdict: UNDECIDED is an error, never a finding. */
export function exitCodeFor(compliance: EvaluationReport['compliance']): ExitCode {
  if (compliance === 'COMPLIANT') return EXIT.compliant;
  if (compliance === 'NON_COMPLIANT') return EXIT.nonCompliant;
  return EXIT.error;
}

/**
 * The report (or any JSON value) as `--json` prints it. `JSON.stringify`
 * escapes C0 control characters in strings but writes DEL and C1 (U+0080 to
 * U+009F, which some terminals act on) as they are: those are written as
 * `\u00HH` too, the escape JSON has for them, so the text holds no control
 * character but its line breaks and parses to the very same value.
 *
 * @example
 * formatJson({ name: 'a\u009b2Jb' }) // => '{\n  "name": "a\\u009b2Jb"\n}\n'
 */
export function formatJson(value: unknown): string {
  // Outside strings, JSON.stringify writes only spaces and the `\n` that
  // indents, which stays; any other control character it leaves is inside a
  // string, where the escape is valid.
  const json = JSON.stringify(value, null, 2).replace(CONTROL_CHARACTER, (character) =>
    character === '\n' ? character : `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${json}\n`;
}
