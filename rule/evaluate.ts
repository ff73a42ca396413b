import {
  compliantAnnotation,
  kindsLabel,
  listNames,
  nonCompliantAnnotation,
  undecidedReason,
} from './annotation';
import { type RuleParameters, requiredKinds } from './parameters';
import { type ManagementCoverage, managementCoverage } from './selectors';
import {
  type AccountTrailState,
  arnAccount,
  homeRegionOf,
  isOtherAccountTrail,
  type ReadError,
  type Trail,
  type TrailState,
  type TrailStatus,
} from './state';

/**
 * The requirements of CloudTrail.1 (docs/design.md, "The verdict"), in the
 * order a person would fix them.
 */
export type Requirement =
  | 'multiRegion'
  | 'logging'
  | 'delivery'
  | 'managementEvents'
  | 's3BucketName'
  | 'snsTopicArn'
  | 'cloudWatchLogsLogGroupArn';

export type Outcome = 'pass' | 'fail' | 'unknown';

export interface RequirementResult {
  requirement: Requirement;
  outcome: Outcome;
  /** Why, in words for the annotation and the CLI. */
  detail: string;
}

/** One trail judged against every requirement. */
export interface TrailVerdict {
  name: string;
  arn: string;
  homeRegion: string | undefined;
  multiRegion: boolean;
  /** Owned by another account: an organization trail seen from a member account. */
  otherAccount: boolean;
  outcome: Outcome;
  requirements: RequirementResult[];
  /** The selectors' management-event coverage, when they were read. */
  coverage?: ManagementCoverage;
  /** Facts worth telling that do not change the outcome (trusted selectors, uncounted selectors, failed delivery). */
  notes: string[];
  /**
   * Why the trail, though logging, is not delivering its log files (see
   * {@link deliveryProblem}); absent when it delivers or this is not known.
   */
  deliveryProblem?: string;
}

export type AccountVerdict =
  | { compliance: 'COMPLIANT'; annotation: string; passing: TrailVerdict; trails: TrailVerdict[] }
  | {
      compliance: 'NON_COMPLIANT';
      annotation: string;
      closest: TrailVerdict | undefined;
      trails: TrailVerdict[];
    }
  | {
      compliance: 'UNDECIDED';
      /** Why no verdict could be given: what could not be read. */
      reason: string;
      unreadable: TrailVerdict[];
      trails: TrailVerdict[];
    };

/** The reads a trail needs before its verdict is known. */
export interface ReadsNeeded {
  status: boolean;
  eventSelectors: boolean;
}

/** Errors that mean "another account's trail keeps its selectors to itself", an expected state. */
const UNREADABLE_FROM_MEMBER = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'CloudTrailARNInvalidException',
  'TrailNotFoundException',
]);

/**
 * Which `Get*` calls can still change a trail's verdict. A trail that fails a
 * requirement `DescribeTrails` already shows (single-Region, another bucket,
 * topic or log group) fails whatever its status and selectors say, so it is
 * not inspected.
 */
export function readsNeeded(trail: Trail, parameters: RuleParameters): ReadsNeeded {
  const failsAlready = describedRequirements(trail, parameters).some((r) => r.outcome === 'fail');
  return {
    status: !failsAlready,
    eventSelectors: !failsAlready && parameters.includeManagementEvents,
  };
}

/**
 * The CloudTrail.1 verdict for an account: a pure function of what was read
 * and the rule's parameters. COMPLIANT when a trail passes every requirement,
 * NON_COMPLIANT when every trail is known to fail one, UNDECIDED otherwise
 * (never reported as NON_COMPLIANT: see docs/design.md, "The verdict").
 */
export function evaluateAccount(
  state: AccountTrailState,
  parameters: RuleParameters,
): AccountVerdict {
  const readAt = state.readAt === undefined ? undefined : Date.parse(state.readAt);
  const at = readAt === undefined || Number.isNaN(readAt) ? undefined : readAt;
  const trails = state.trails
    .filter((t) => !isAbsent(t, state.accountId))
    .map((t) => evaluateTrail(t, state.accountId, parameters, at));

  const passing = trails.filter((t) => t.outcome === 'pass').sort(byPreferenceToName);
  const [best] = passing;
  if (best !== undefined) {
    return {
      compliance: 'COMPLIANT',
      annotation: compliantAnnotation(best, parameters),
      passing: best,
      trails,
    };
  }

  const unreadable = trails.filter((t) => t.outcome === 'unknown');
  if (unreadable.length > 0) {
    return { compliance: 'UNDECIDED', reason: undecidedReason(unreadable), unreadable, trails };
  }

  const closest = [...trails].sort(byCloseness)[0];
  return {
    compliance: 'NON_COMPLIANT',
    annotation: nonCompliantAnnotation(closest, state.region, parameters),
    closest,
    trails,
  };
}

/**
 * Judges one trail against every requirement. `at` is when the state was
 * read (epoch milliseconds), against which a delivery's age is measured;
 * without it, only `LatestDeliveryError` can show a failed delivery.
 */
export function evaluateTrail(
  state: TrailState,
  accountId: string,
  parameters: RuleParameters,
  at?: number,
): TrailVerdict {
  const { trail } = state;
  const otherAccount = isOtherAccountTrail(trail, accountId);
  const notes: string[] = [];
  const requirements: RequirementResult[] = [];
  const described = describedRequirements(trail, parameters);
  const multiRegion = described.find((r) => r.requirement === 'multiRegion');
  if (multiRegion) requirements.push(multiRegion);
  requirements.push(loggingRequirement(state));
  const problem =
    state.status !== undefined && 'response' in state.status
      ? deliveryProblem(state.status.response, at)
      : undefined;
  if (parameters.requireDelivery && state.status !== undefined && 'response' in state.status) {
    // Only a logging trail is judged on delivery: a stopped one already fails.
    if (state.status.response.IsLogging === true) {
      requirements.push(
        problem === undefined
          ? pass('delivery', 'delivering')
          : fail('delivery', `delivery failing: ${problem}`),
      );
    }
  } else if (problem !== undefined) {
    notes.push(`delivery failing: ${problem} (requireDelivery is false, so it still passes)`);
  }

  let coverage: ManagementCoverage | undefined;
  if (parameters.includeManagementEvents) {
    const selectors = state.eventSelectors;
    if (selectors === undefined) {
      requirements.push(unknown('managementEvents', 'event selectors were not read'));
    } else if ('error' in selectors) {
      requirements.push(
        unreadableSelectors(trail, selectors.error, otherAccount, parameters, notes),
      );
    } else {
      coverage = managementCoverage(selectors.response);
      requirements.push(coverageRequirement(coverage, parameters));
      if (coverage.uncounted.length > 0) {
        notes.push(
          `not counted (they narrow on fields other than eventCategory, readOnly and eventSource): ${coverage.uncounted.join(', ')}`,
        );
      }
    }
  }
  requirements.push(...described.filter((r) => r.requirement !== 'multiRegion'));

  return {
    name: trail.Name ?? trail.TrailARN,
    arn: trail.TrailARN,
    homeRegion: homeRegionOf(trail),
    multiRegion: trail.IsMultiRegionTrail === true,
    otherAccount,
    outcome: combine(requirements),
    requirements,
    ...(coverage ? { coverage } : {}),
    notes,
    ...(problem === undefined ? {} : { deliveryProblem: problem }),
  };
}

/** How long a logging trail may go without delivering a log file before its delivery counts as failed. */
export const MAX_DELIVERY_GAP_MS = 60 * 60 * 1000;

/**
 * Why a logging trail is not delivering its log files, or `undefined`
 * when it is (or nothing says otherwise): `LatestDeliveryError` is set, or
 * no log file has been delivered for longer than an hour
 * ({@link MAX_DELIVERY_GAP_MS}) before `at`, counting from the later of
 * `LatestDeliveryTime` and `StartLoggingTime` (a trail started again a
 * minute ago has had no time to deliver). A status with neither time shows
 * nothing. A stopped trail is not judged: it fails on logging already.
 *
 * @example
 * deliveryProblem({ IsLogging: true, LatestDeliveryError: 'NoSuchBucket' }, undefined)
 * // => 'last delivery failed with NoSuchBucket'
 */
export function deliveryProblem(status: TrailStatus, at: number | undefined): string | undefined {
  if (status.IsLogging !== true) return undefined;
  const error = status.LatestDeliveryError?.trim();
  if (error !== undefined && error !== '') return `last delivery failed with ${error}`;
  if (at === undefined) return undefined;
  const delivered = timeOf(status.LatestDeliveryTime);
  const started = timeOf(status.StartLoggingTime);
  const since = Math.max(
    delivered ?? Number.NEGATIVE_INFINITY,
    started ?? Number.NEGATIVE_INFINITY,
  );
  if (!Number.isFinite(since) || at - since <= MAX_DELIVERY_GAP_MS) return undefined;
  return delivered !== undefined && delivered >= since
    ? `no log file delivered since ${new Date(since).toISOString()}`
    : `no log file delivered since logging started at ${new Date(since).toISOString()}`;
}

function timeOf(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/** The requirements `DescribeTrails` alone decides: multi-Region and the delivery targets. */
function describedRequirements(trail: Trail, parameters: RuleParameters): RequirementResult[] {
  const results: RequirementResult[] = [
    trail.IsMultiRegionTrail === true
      ? pass('multiRegion', 'multi-Region')
      : fail('multiRegion', 'not multi-Region'),
  ];
  const compare = (
    requirement: Requirement,
    label: string,
    wanted: string | undefined,
    actual: string | undefined,
    normalize: (v: string) => string = (v) => v,
  ) => {
    if (wanted === undefined) return;
    results.push(
      actual !== undefined && normalize(actual) === normalize(wanted)
        ? pass(requirement, `${label} ${wanted}`)
        : fail(requirement, `${label} is ${actual ?? 'not set'}, not ${wanted}`),
    );
  };
  compare('s3BucketName', 'S3 bucket', parameters.s3BucketName, trail.S3BucketName);
  compare('snsTopicArn', 'SNS topic', parameters.snsTopicArn, trail.SnsTopicARN);
  // CloudTrail reports log group ARNs with a trailing ":*"; people often leave it off.
  compare(
    'cloudWatchLogsLogGroupArn',
    'CloudWatch Logs log group',
    parameters.cloudWatchLogsLogGroupArn,
    trail.CloudWatchLogsLogGroupArn,
    (v) => v.replace(/:\*$/, ''),
  );
  return results;
}

function loggingRequirement(state: TrailState): RequirementResult {
  const { status } = state;
  if (status === undefined) return unknown('logging', 'status was not read');
  if ('error' in status) {
    return unknown('logging', `GetTrailStatus failed: ${describeError(status.error)}`);
  }
  return status.response.IsLogging === true
    ? pass('logging', 'logging')
    : fail('logging', 'logging is stopped');
}

function unreadableSelectors(
  trail: Trail,
  error: ReadError,
  otherAccount: boolean,
  parameters: RuleParameters,
  notes: string[],
): RequirementResult {
  const failure = `GetEventSelectors failed: ${describeError(error)}`;
  if (!otherAccount || !UNREADABLE_FROM_MEMBER.has(error.name)) {
    return unknown('managementEvents', failure);
  }
  const owner = arnAccount(trail.TrailARN);
  if (parameters.trustOrganizationTrails) {
    notes.push(
      `organization trail of account ${owner}: selectors not readable from this account (${error.name}), trusted because trustOrganizationTrails is true`,
    );
    return pass('managementEvents', 'selectors not readable; trusted as an organization trail');
  }
  return fail(
    'managementEvents',
    `selectors of this organization trail (account ${owner}) are not readable here and trustOrganizationTrails is false`,
  );
}

function coverageRequirement(
  coverage: ManagementCoverage,
  parameters: RuleParameters,
): RequirementResult {
  const missingFrom = requiredKinds(parameters.readWriteType).flatMap((kind) => {
    const missing = kind === 'read' ? coverage.uncoveredRead : coverage.uncoveredWrite;
    if (missing.length === 0) return [];
    return [{ kind, from: coverage.nothingLogged[kind] ? 'any source' : listNames(missing, 3) }];
  });
  // The same sources missing for both kinds read shorter as one gap.
  const [first, second] = missingFrom;
  const gaps =
    first && second && first.from === second.from
      ? [`no read or write management events from ${first.from}`]
      : missingFrom.map(({ kind, from }) => `no ${kind} management events from ${from}`);
  if (gaps.length === 0) {
    return pass(
      'managementEvents',
      `${kindsLabel(parameters)} management events from every source`,
    );
  }
  // First, so that the annotation keeps it when the list of gaps is cut.
  const uncounted =
    coverage.uncounted.length > 0
      ? `selectors narrowing on other fields are not counted (${listNames(coverage.uncounted, 2)}); `
      : '';
  return fail('managementEvents', `${uncounted}${gaps.join('; ')}`);
}

/**
 * A trail of this account that CloudTrail says is gone (deleted after
 * `DescribeTrails`): it does not count. Another account's trail often
 * answers TrailNotFound while it exists, so for it that is an unreadable
 * state, never absence.
 */
function isAbsent(state: TrailState, accountId: string): boolean {
  if (isOtherAccountTrail(state.trail, accountId)) return false;
  const notFound = (outcome: TrailState['status'] | TrailState['eventSelectors']) =>
    outcome !== undefined && 'error' in outcome && outcome.error.name === 'TrailNotFoundException';
  return notFound(state.status) || notFound(state.eventSelectors);
}

function combine(requirements: RequirementResult[]): Outcome {
  if (requirements.some((r) => r.outcome === 'fail')) return 'fail';
  if (requirements.some((r) => r.outcome === 'unknown')) return 'unknown';
  return 'pass';
}

function pass(requirement: Requirement, detail: string): RequirementResult {
  return { requirement, outcome: 'pass', detail };
}
function fail(requirement: Requirement, detail: string): RequirementResult {
  return { requirement, outcome: 'fail', detail };
}
function unknown(requirement: Requirement, detail: string): RequirementResult {
  return { requirement, outcome: 'unknown', detail };
}

/** An error a read raised, as a person reads it: its API name, then its message. */
export function describeError(error: ReadError): string {
  return error.message === '' ? error.name : `${error.name} (${error.message})`;
}

/** Own trails and fully read trails first: they are the ones worth naming. */
function byPreferenceToName(a: TrailVerdict, b: TrailVerdict): number {
  return (
    Number(a.otherAccount) - Number(b.otherAccount) ||
    a.notes.length - b.notes.length ||
    a.name.localeCompare(b.name)
  );
}

/**
 * Fewest requirements not known to pass first (a trail that was not read
 * because it failed early may fail more); then multi-Region, then own trails.
 */
function byCloseness(a: TrailVerdict, b: TrailVerdict): number {
  const gaps = (t: TrailVerdict) => t.requirements.filter((r) => r.outcome !== 'pass').length;
  return (
    gaps(a) - gaps(b) ||
    Number(b.multiRegion) - Number(a.multiRegion) ||
    Number(a.otherAccount) - Number(b.otherAccount) ||
    a.name.localeCompare(b.name)
  );
}
