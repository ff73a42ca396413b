import type { TrailVerdict } from './evaluate';
import { type RuleParameters, weakeningParameters } from './parameters';
import { FUNCTION_WORDING, type Wording } from './wording';

/**
 * The words of the verdict: the annotation AWS Config shows (at most 256
 * characters) and the reason an undecided evaluation fails with. Everything
 * that does not fit goes to the structured log, which has every trail's
 * requirements in full.
 */

/** The longest annotation AWS Config accepts. */
export const MAX_ANNOTATION_LENGTH = 256;

/** Trail names can be 128 characters; a shorter one leaves room for the reason. */
const MAX_NAME_LENGTH = 64;

/** The kinds of management events the parameters require, in words. */
export function kindsLabel(parameters: RuleParameters): string {
  return { ALL: 'read and write', ReadOnly: 'read', WriteOnly: 'write' }[parameters.readWriteType];
}

/** The first `shown` names, then how many more: "a, b and 3 more". */
export function listNames(names: readonly string[], shown: number): string {
  const listed = names.slice(0, shown).join(', ');
  return names.length > shown ? `${listed} and ${names.length - shown} more` : listed;
}

/**
 * How an annotation starts when the parameters weaken the control, so that
 * nobody reads the verdict as CloudTrail.1's: `Custom parameters
 * (readWriteType=WriteOnly), not CloudTrail.1 as Security Hub defines it: `.
 * At most about 120 characters, and first, so an annotation cut to fit keeps it.
 */
export function customParametersPrefix(parameters: RuleParameters): string {
  const weakening = weakeningParameters(parameters);
  return weakening.length === 0
    ? ''
    : `Custom parameters (${weakening.join(', ')}), not CloudTrail.1 as Security Hub defines it: `;
}

/** Names the passing trail, and says when its selectors were trusted rather than read. */
export function compliantAnnotation(trail: TrailVerdict, parameters: RuleParameters): string {
  const events = parameters.includeManagementEvents
    ? ` and records ${kindsLabel(parameters)} management events from every source`
    : '';
  const trusted =
    trail.otherAccount && trail.coverage === undefined && parameters.includeManagementEvents
      ? ', an organization trail whose selectors are not readable here (trusted),'
      : '';
  // Said before the events, so an annotation cut to fit still names the delivery error.
  const delivery =
    trail.deliveryProblem === undefined
      ? ''
      : ` (but not delivering: ${trail.deliveryProblem}; requireDelivery=true would fail it)`;
  return fitAnnotation(
    `${customParametersPrefix(parameters)}Trail ${place(trail)}${trusted} is multi-Region, logging${delivery}${events}.`,
  );
}

/** Names the closest trail and what it lacks, or says there is no trail at all. */
export function nonCompliantAnnotation(
  closest: TrailVerdict | undefined,
  region: string,
  parameters: RuleParameters,
): string {
  if (closest === undefined) {
    const events = parameters.includeManagementEvents
      ? ` that logs ${kindsLabel(parameters)} management events`
      : '';
    return fitAnnotation(
      `${customParametersPrefix(parameters)}No CloudTrail trail is visible from ${region}: create a multi-Region trail${events}.`,
    );
  }
  const failed = closest.requirements.filter((r) => r.outcome === 'fail').map((r) => r.detail);
  // A failed delivery that is not a requirement (requireDelivery false) is still named.
  const delivery =
    closest.deliveryProblem !== undefined &&
    !closest.requirements.some((r) => r.requirement === 'delivery')
      ? [`delivery failing: ${closest.deliveryProblem}`]
      : [];
  const lacks = [...failed, ...delivery].join('; ');
  const prefix = customParametersPrefix(parameters);
  const passes = prefix === '' ? 'No trail passes CloudTrail.1.' : 'no trail passes.';
  return fitAnnotation(`${prefix}${passes} Closest: ${place(closest)}: ${lacks}.`);
}

/**
 * Why no verdict could be given: each unreadable trail by ARN, what failed,
 * what to check: the rule's role in the function's words, the reader's
 * credentials in the command line's.
 */
export function undecidedReason(
  unreadable: readonly TrailVerdict[],
  wording: Wording = FUNCTION_WORDING,
): string {
  const parts = unreadable.map((t) => {
    const why = t.requirements
      .filter((r) => r.outcome === 'unknown')
      .map((r) => r.detail)
      .join('; ');
    return `${t.arn}: ${why}`;
  });
  return (
    'No trail passes CloudTrail.1, and these trails could not be read, so the account is neither ' +
    `COMPLIANT nor NON_COMPLIANT: ${parts.join(' | ')}. Check that ${wording.caller("the rule's role")} may call ` +
    'cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors on these trails, then re-evaluate.'
  );
}

/**
 * What could not be read, short enough for an annotation: each unreadable
 * trail by name and Region, with what failed.
 */
export function unreadableSummary(unreadable: readonly TrailVerdict[]): string {
  return unreadable
    .map((t) => {
      const why = t.requirements
        .filter((r) => r.outcome === 'unknown')
        .map((r) => r.detail)
        .join('; ');
      return `${place(t)}: ${why}`;
    })
    .join(' | ');
}

/** Fits text into an annotation, ending it with an ellipsis when it had to be cut. */
export function fitAnnotation(text: string, limit = MAX_ANNOTATION_LENGTH): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function place(trail: TrailVerdict): string {
  const name =
    trail.name.length > MAX_NAME_LENGTH
      ? `${trail.name.slice(0, MAX_NAME_LENGTH - 1)}…`
      : trail.name;
  return `${name} (${trail.homeRegion ?? 'unknown Region'})`;
}
