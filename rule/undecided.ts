import { fitAnnotation } from './annotation';

/**
 * What the rule does when it cannot decide (docs/verdict.md, "When the rule
 * cannot decide"): a pure function of the rule's own latest evaluation, as
 * AWS Config recorded it, the time, and the window.
 *
 * - The last decided verdict is the latest evaluation's `ResultRecordedTime`
 *   when that evaluation is a verdict (COMPLIANT, NON_COMPLIANT other than
 *   "could not verify", NOT_APPLICABLE).
 * - A "could not verify since T" evaluation carries T forward (or its own
 *   recorded time, if that is earlier), so the time never moves on while
 *   the rule keeps failing to decide.
 * - No evaluation at all (a new rule, or results deleted) means no decided
 *   verdict is on record: there is no COMPLIANT to protect and nothing to
 *   wait for, so the rule reports at once, since the time of this run.
 *
 * While the last decided verdict is within the window, nothing changes: the
 * run fails. Past it, the rule reports NON_COMPLIANT "could not verify since
 * T: reason".
 */

/** How the annotation of a fail-closed evaluation starts; the time follows. */
export const COULD_NOT_VERIFY = 'could not verify since ';

/** The rule's latest evaluation of the account, as AWS Config holds it. */
export interface LastEvaluation {
  complianceType: string;
  annotation?: string;
  /** When AWS Config recorded it: set by Config, not by the rule. */
  resultRecordedTime: Date;
}

export type UndecidedOutcome =
  /** Within the window: fail the run, as an undecided run always did. */
  | { action: 'fail'; since: Date; deadline: Date }
  /** Past the window (or nothing on record): report NON_COMPLIANT with this annotation. */
  | { action: 'report'; since: Date; annotation: string };

const DECIDED = new Set(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']);
const CARRIED_TIME = /^could not verify since (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z)/;

/** The T of a "could not verify since T" annotation, or `undefined` when it is not one. */
export function carriedSince(annotation: string | undefined): Date | undefined {
  const match = annotation === undefined ? null : CARRIED_TIME.exec(annotation);
  if (match?.[1] === undefined) return undefined;
  const time = new Date(match[1]);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/**
 * Whether the latest evaluation is a decided verdict, and the time the
 * window counts from: its recorded time, or the T it carries forward.
 */
function lastDecision(last: LastEvaluation): { decided: boolean; since: Date } {
  const carried =
    last.complianceType === 'NON_COMPLIANT' ? carriedSince(last.annotation) : undefined;
  if (carried !== undefined) {
    const since = new Date(Math.min(carried.getTime(), last.resultRecordedTime.getTime()));
    return { decided: false, since };
  }
  return { decided: DECIDED.has(last.complianceType), since: last.resultRecordedTime };
}

/**
 * Decides what an undecided run does.
 *
 * @example
 * undecidedOutcome({ last: undefined, now, windowHours: 48, reason: '…' }).action // => 'report'
 */
export function undecidedOutcome(input: {
  /** The rule's latest evaluation of the account; `undefined` when there is none (or it could not be read). */
  last: LastEvaluation | undefined;
  now: Date;
  windowHours: number;
  /** Why this run could not decide, in a few words. */
  reason: string;
}): UndecidedOutcome {
  const { last, now, windowHours, reason } = input;
  const report = (since: Date): UndecidedOutcome => ({
    action: 'report',
    since,
    annotation: fitAnnotation(`${COULD_NOT_VERIFY}${since.toISOString()}: ${reason}`),
  });
  if (last === undefined) return report(now);
  const { decided, since } = lastDecision(last);
  if (!decided) return report(since);
  const deadline = new Date(since.getTime() + windowHours * 3_600_000);
  return now.getTime() > deadline.getTime() ? report(since) : { action: 'fail', since, deadline };
}
