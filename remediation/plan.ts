import { undecidedReason } from '../rule/annotation';
import {
  type AccountVerdict,
  evaluateAccount,
  evaluateTrail,
  type Requirement,
  type TrailVerdict,
} from '../rule/evaluate';
import type { RuleParameters } from '../rule/parameters';
import {
  type AccountTrailState,
  homeRegionOf,
  isOtherAccountTrail,
  type TrailState,
} from '../rule/state';
import type { Worded } from '../rule/wording';
import type { Action } from './actions';
import { accessLogPolicyStatements, planBucket } from './bucket-plan';
import { type ControlForecast, type ResourceEndState, securityHubControls } from './controls';
import { bucketEndState, publicAclGrants, trailEndState } from './end-state';
import {
  BucketNotOwnedError,
  InvalidRemediationInputError,
  KmsKeyError,
  OutsideAccessError,
  PublicBucketPolicyError,
  TrailNotRepairableError,
  UndecidedAccountError,
  UnsupportedRequirementError,
} from './errors';
import type { BucketFacts, BucketOwnership, KeyFacts, OwnBucketFacts } from './facts';
import {
  CREATED_BY_TAG,
  DEFAULT_TRAIL_NAME,
  defaultAccessLogBucketName,
  defaultBucketName,
  type HardeningChoices,
} from './input';
import { bucketOutsideGrants, keyOutsideGrants } from './outside-grants';
import {
  bucketPolicyStatements,
  denyInsecureTransport,
  keyPolicyStatements,
  mergeStatements,
  type PolicyDocument,
  partitionOf,
  publicStatements,
  trailArnFor,
} from './policies';
import { repairSelectors, SelectorRepairError } from './selectors';

/**
 * The remediation planner (docs/design.md, "Remediation"): a pure function from what was read to
 * the exact API calls that make the account pass CloudTrail.1 with the
 * smallest change that loses nothing. It never plans a call that turns
 * something off, removes a setting, or touches another account's trail, and
 * it changes an organization trail of this account only when `trailName`
 * names it.
 */

export interface PlanOptions extends Partial<HardeningChoices> {
  /** The account's own Region: where a new bucket and trail go. */
  region: string;
  /** The rule's parameters, so that "passes" means what the rule means. */
  parameters: RuleParameters;
  trailName?: string;
  bucketName?: string;
  kmsKeyId?: string;
  /** What makes default bucket names unpredictable from outside the account (`BUCKET_SUFFIX_PATTERN`). */
  bucketSuffix: string;
}

/** Facts read after {@link chooseTarget} and {@link factsNeeded} asked for them. */
export interface PlanFacts {
  /** The log bucket: of a new trail, or of the repaired trail when it is hardened. */
  bucket?: BucketFacts;
  key?: KeyFacts;
  /** The access-log bucket the remediation creates when none is given. */
  accessLogBucket?: BucketFacts;
  /** Who owns the access-log bucket given (`accessLogBucketName`). */
  accessLogOwnership?: BucketOwnership;
  /** Who owns each bucket this account's trails deliver to, by name ({@link ownershipNeeded}). */
  ownership?: Record<string, BucketOwnership>;
  /** The repaired trail's tags, when they were read. */
  trailTags?: Record<string, string>;
}

export type Target =
  | { kind: 'repair'; trail: TrailState; verdict: TrailVerdict; actions: Action[] }
  | {
      kind: 'create';
      trailName: string;
      trailArn: string;
      region: string;
      bucketName: string;
      kmsKeyId: string | undefined;
      /** Why no trail of the account is repaired instead. */
      why: string;
    };

export interface Plan {
  verdict: AccountVerdict;
  compliantBefore: boolean;
  /** Absent when the account already passes. */
  target: Target | undefined;
  actions: Action[];
  /** The trail that passes, or will pass once the plan is applied. */
  trailArn: string | undefined;
  /** Every trail, bucket and key the plan creates or changes, as it will leave them. */
  resources: ResourceEndState[];
  /** The Security Hub controls on those resources, forecast (docs/security-hub.md). */
  securityHubControls: ControlForecast[];
}

/** A trail of this account the remediation cannot repair, and why. */
interface Unrepairable {
  kind: 'unrepairable';
  name: string;
  why: string;
  /** It could not be read fully, so it might have been repairable. */
  unreadable: boolean;
  /** It delivers outside this account and the trusted log accounts. */
  untrusted: boolean;
}

/** What decides whether a trail delivers where the account trusts. */
interface Trust {
  accountId: string;
  options: PlanOptions;
  ownership: Record<string, BucketOwnership>;
}

/**
 * The buckets whose owner must be known before a trail of this account is
 * repaired: those its own trails deliver to. A trail is repaired only when
 * its bucket and key belong to this account or a trusted log account.
 */
export function ownershipNeeded(state: AccountTrailState): string[] {
  return [
    ...new Set(
      state.trails
        .filter((t) => !isOtherAccountTrail(t.trail, state.accountId))
        .map((t) => t.trail.S3BucketName)
        .filter((name): name is string => name !== undefined && name !== ''),
    ),
  ].sort();
}

/** This account and the trusted log accounts, this account first. */
export function trustedAccounts(accountId: string, options: Partial<HardeningChoices>): string[] {
  return [...new Set([accountId, ...(options.trustedLogAccountIds ?? [])])];
}

/** Why a trail's delivery is outside the account's trust, or `undefined` when it is inside. */
function untrustedDelivery(state: TrailState, trust: Trust): string | undefined {
  const trusted = trustedAccounts(trust.accountId, trust.options);
  const among = `this account${trusted.length > 1 ? ` and the trusted log accounts (${trusted.slice(1).join(', ')})` : ''}`;
  const bucket = state.trail.S3BucketName;
  if (bucket !== undefined && bucket !== '') {
    const owner = trust.ownership[bucket];
    if (owner === undefined) return `the owner of its bucket "${bucket}" was not read`;
    if (owner.status === 'absent') return `its bucket "${bucket}" does not exist`;
    if (owner.status === 'outside') {
      return `it delivers to bucket "${bucket}", which belongs to an account other than ${among}`;
    }
    const grants = owner.access === undefined ? [] : bucketOutsideGrants(owner.access, trusted);
    if (grants.length > 0) {
      return `its bucket "${bucket}" lets in principals outside ${among}: ${grants.join('; ')}`;
    }
  }
  const key = state.trail.KmsKeyId;
  const keyAccount =
    key === undefined ? undefined : /^arn:[^:]+:kms:[^:]*:(\d{12}):/.exec(key)?.[1];
  if (keyAccount !== undefined && !trusted.includes(keyAccount)) {
    return `its KMS key ${key} belongs to account ${keyAccount}, not ${among}`;
  }
  return undefined;
}

/** The requirements a repair can fix; a trail failing any other is not a candidate. */
const REPAIRABLE: ReadonlySet<Requirement> = new Set([
  'multiRegion',
  'logging',
  'managementEvents',
]);

/**
 * Decides what to change: nothing when the account passes; else the trail
 * of this account with the fewest changes (the `trailName` first, then
 * multi-Region before single-Region; an organization trail only when it is
 * the `trailName`); else a new trail, whose reason says why.
 */
export function chooseTarget(
  state: AccountTrailState,
  options: PlanOptions,
  ownership: Record<string, BucketOwnership> = {},
): { verdict: AccountVerdict; target: Target | undefined } {
  const trust: Trust = { accountId: state.accountId, options, ownership };
  const verdict = evaluateAccount(state, options.parameters);
  if (verdict.compliance === 'COMPLIANT') return { verdict, target: undefined };
  if (verdict.compliance === 'UNDECIDED') {
    const { unreadable } = verdict;
    throw new UndecidedAccountError(
      (w) =>
        `Cannot tell whether the account already passes: ${undecidedReason(unreadable, w).replace(/\.$/, '')}. Nothing was changed: a new trail could be a needless, billed second copy of management events. Let ${w.caller('the function')} read every trail (permissions, Regions), then run again.`,
    );
  }

  const own = state.trails.filter((t) => !isOtherAccountTrail(t.trail, state.accountId));
  // Trail names are unique per Region: prefer the one homed where a new trail would go.
  // Only a name reaches an organization trail this account owns (the management account's view).
  const named = [...own]
    .filter((t) => options.trailName !== undefined && trailName(t) === options.trailName)
    .sort(
      (a, b) =>
        Number(homeRegionOf(b.trail) === options.region) -
        Number(homeRegionOf(a.trail) === options.region),
    )[0];
  if (named !== undefined) {
    const repair = repairOf(named, trust);
    if (repair.kind === 'unrepairable') {
      throw new TrailNotRepairableError(
        `Trail "${options.trailName}" cannot be repaired: ${repair.why}. Nothing was changed. Fix that first, or name another trail (or none).`,
      );
    }
    return { verdict, target: repair };
  }

  // An organization trail logs for every account in the organization: a change to it changes
  // their logging, and its cost, so without a name it is left alone like another account's.
  const organization = own.filter(isOrganizationTrail);
  const repairable = own.filter((t) => !isOrganizationTrail(t));
  const assessed = repairable.map((t) => repairOf(t, trust));
  const candidates = assessed
    .filter((r): r is Extract<Target, { kind: 'repair' }> => r.kind === 'repair')
    .sort(
      (a, b) =>
        a.actions.length - b.actions.length ||
        Number(b.verdict.multiRegion) - Number(a.verdict.multiRegion) ||
        a.verdict.name.localeCompare(b.verdict.name),
    );
  const [best] = candidates;
  if (best !== undefined && options.trailName === undefined) return { verdict, target: best };

  const unreadable = assessed.find(
    (r): r is Unrepairable => r.kind === 'unrepairable' && r.unreadable,
  );
  if (unreadable !== undefined && options.trailName === undefined) {
    throw new UndecidedAccountError(
      (w) =>
        `Trail "${unreadable.name}" of this account could not be read fully (${unreadable.why}); repairing it may be all the account needs. Nothing was changed. Let ${w.caller('the function')} read it, or name the trail to create with ${w.input('trailName')}, then run again.`,
    );
  }
  const unsupported = [
    options.parameters.snsTopicArn && `an SNS topic (${options.parameters.snsTopicArn})`,
    options.parameters.cloudWatchLogsLogGroupArn &&
      `a CloudWatch Logs log group (${options.parameters.cloudWatchLogsLogGroupArn})`,
  ].filter((x): x is string => typeof x === 'string' && x !== '');
  if (unsupported.length > 0) {
    throw new UnsupportedRequirementError(
      `No trail of this account can be repaired, and the rule requires the trail to deliver to ${unsupported.join(' and ')}, which the remediation does not set up. Nothing was changed. Create the trail with that delivery by hand, or repair an existing one.`,
    );
  }

  const name = options.trailName ?? DEFAULT_TRAIL_NAME;
  const taken = own.find((t) => trailName(t) === name && homeRegionOf(t.trail) === options.region);
  if (taken !== undefined && isOrganizationTrail(taken)) {
    throw new TrailNotRepairableError(
      (w) =>
        `A new trail would be named "${name}", but this account's organization trail in ${options.region} has that name, and an organization trail is changed only when ${w.input('trailName')} names it. Nothing was changed. Give ${w.input('trailName')} "${name}" to repair the organization trail, or another ${w.input('trailName')} for a trail of this account's own.`,
    );
  }
  if (taken !== undefined) {
    const why = repairOf(taken, trust);
    throw new TrailNotRepairableError(
      (w) =>
        `A new trail would be named "${name}", but this account already has a trail of that name in ${options.region}, and it cannot be repaired${why.kind === 'unrepairable' ? `: ${why.why}` : ''}. Nothing was changed. Fix that trail, or give another ${w.input('trailName')}.`,
    );
  }
  const bucketName =
    options.bucketName ??
    options.parameters.s3BucketName ??
    defaultBucketName(state.accountId, options.region, options.bucketSuffix);
  if (
    options.parameters.s3BucketName !== undefined &&
    bucketName !== options.parameters.s3BucketName
  ) {
    throw new UnsupportedRequirementError(
      (w) =>
        `${w.input('bucketName')} "${bucketName}" is not the bucket the rule requires (s3BucketName "${options.parameters.s3BucketName}"): a trail delivering there would still fail. Nothing was changed. ${capital(w.omit('bucketName'))}, or give "${options.parameters.s3BucketName}".`,
    );
  }
  return {
    verdict,
    target: {
      kind: 'create',
      trailName: name,
      trailArn: trailArnFor(options.region, state.accountId, name),
      region: options.region,
      bucketName,
      kmsKeyId: options.kmsKeyId,
      why: createReason(
        options.trailName,
        repairable.length,
        organization,
        assessed.filter((r): r is Unrepairable => r.kind === 'unrepairable' && r.untrusted),
      ),
    },
  };
}

/**
 * The whole plan, with the end state of what it creates or changes and
 * the Security Hub forecast on it. `facts` must hold what
 * {@link factsNeeded} asked for, as `facts.ts` read it.
 *
 * @example
 * planRemediation(stateWithStoppedTrail, { region: 'us-east-1', parameters, bucketSuffix }).actions
 * // => [{ service: 'cloudtrail', operation: 'StartLogging', input: { Name: arn }, ... }]
 */
export function planRemediation(
  state: AccountTrailState,
  options: PlanOptions,
  facts: PlanFacts = {},
): Plan {
  const { verdict, target } = chooseTarget(state, options, facts.ownership);
  if (target === undefined) {
    return {
      verdict,
      compliantBefore: true,
      target,
      actions: [],
      trailArn: verdict.compliance === 'COMPLIANT' ? verdict.passing.arn : undefined,
      resources: [],
      securityHubControls: [],
    };
  }
  const { actions, resources } =
    target.kind === 'repair'
      ? repairPlan(state.accountId, target, options, facts)
      : createPlan(state.accountId, target, options, facts);
  return {
    verdict,
    compliantBefore: false,
    target,
    actions,
    trailArn: target.kind === 'repair' ? target.verdict.arn : target.trailArn,
    resources,
    securityHubControls: securityHubControls(resources),
  };
}

/** What must be read, after {@link chooseTarget}, before the plan can be made. */
export interface FactsNeeded {
  /** The log bucket's settings (a new trail's, or a hardened repaired trail's own bucket). */
  bucketName?: string;
  /** The KMS key to check (and to grant CloudTrail on). */
  kmsKeyId?: string;
  /** The access-log bucket the remediation creates: its settings. */
  accessLogBucketName?: string;
  /** The access-log bucket given: who owns it. */
  accessLogOwnerOf?: string;
  /** The repaired trail, whose tags to read. */
  trailArn?: string;
}

/** What the executor must read before planning, for the target chosen. */
export function factsNeeded(
  target: Target | undefined,
  options: Partial<HardeningChoices> & { kmsKeyId?: string; bucketSuffix?: string } = {},
  ownership: Record<string, BucketOwnership> = {},
): FactsNeeded {
  if (target === undefined) return {};
  if (target.kind === 'repair') {
    const trail = target.trail.trail;
    if (options.hardenRepairedTrail !== true) return { trailArn: trail.TrailARN };
    const bucket = trail.S3BucketName;
    const region = homeRegionOf(trail) ?? '';
    const own =
      bucket !== undefined && ownership[bucket]?.status === 'owned'
        ? ownership[bucket]?.account === arnAccountOf(trail.TrailARN)
        : false;
    return {
      trailArn: trail.TrailARN,
      ...(own && bucket !== undefined ? { bucketName: bucket } : {}),
      ...(options.kmsKeyId !== undefined && !hasValue(trail.KmsKeyId) && region !== ''
        ? { kmsKeyId: options.kmsKeyId }
        : {}),
    };
  }
  return {
    bucketName: target.bucketName,
    ...(target.kmsKeyId === undefined ? {} : { kmsKeyId: target.kmsKeyId }),
    ...(options.accessLogBucketName !== undefined
      ? { accessLogOwnerOf: options.accessLogBucketName }
      : {
          accessLogBucketName: defaultAccessLogBucketName(
            arnAccountOf(target.trailArn),
            target.region,
            options.bucketSuffix ?? '',
          ),
        }),
  };
}

function arnAccountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

function hasValue(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/** The repair of one own trail, or why it cannot be repaired. */
function repairOf(
  state: TrailState,
  trust: Trust,
): Extract<Target, { kind: 'repair' }> | Unrepairable {
  const parameters: RuleParameters = trust.options.parameters;
  const verdict = evaluateTrail(state, trust.accountId, parameters);
  const unrepairable = (why: string, unreadable = false, untrusted = false): Unrepairable => ({
    kind: 'unrepairable',
    name: verdict.name,
    why,
    unreadable,
    untrusted,
  });
  const region = homeRegionOf(state.trail);
  if (region === undefined) return unrepairable('its home Region is not known');
  const blocking = verdict.requirements.find(
    (r) => r.outcome === 'fail' && !REPAIRABLE.has(r.requirement),
  );
  if (blocking !== undefined) return unrepairable(blocking.detail);
  const unknown = verdict.requirements.find((r) => r.outcome === 'unknown');
  if (unknown !== undefined) return unrepairable(unknown.detail, true);
  const outside = untrustedDelivery(state, trust);
  if (outside !== undefined) return unrepairable(outside, false, true);

  const arn = state.trail.TrailARN;
  const failing = (requirement: Requirement) =>
    verdict.requirements.some((r) => r.requirement === requirement && r.outcome === 'fail');
  const actions: Action[] = [];
  if (failing('multiRegion')) {
    actions.push({
      service: 'cloudtrail',
      operation: 'UpdateTrail',
      region,
      input: { Name: arn, IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true },
      reason: `"${verdict.name}" logs only ${region}: make it multi-Region (global service events included, as CloudTrail requires); every other setting is left as it is`,
    });
  }
  if (failing('managementEvents')) {
    const selectors = state.eventSelectors;
    if (selectors === undefined || 'error' in selectors) {
      return unrepairable('its event selectors were not read', true);
    }
    let repair: ReturnType<typeof repairSelectors>;
    try {
      repair = repairSelectors(selectors.response);
    } catch (error) {
      if (error instanceof SelectorRepairError) return unrepairable(error.message);
      throw error;
    }
    if (repair.changed) {
      actions.push({
        service: 'cloudtrail',
        operation: 'PutEventSelectors',
        region,
        input: { TrailName: arn, ...repair.input },
        basedOn: selectors.response,
        reason: `"${verdict.name}" does not log every management event: ${repair.reason}`,
      });
    }
  }
  if (failing('logging')) {
    actions.push({
      service: 'cloudtrail',
      operation: 'StartLogging',
      region,
      input: { Name: arn },
      reason: `"${verdict.name}" is not logging: start it`,
    });
  }
  return { kind: 'repair', trail: state, verdict, actions };
}

/** A new trail, its log bucket and access-log bucket, hardened; the key's policy merged. */
function createPlan(
  accountId: string,
  target: Extract<Target, { kind: 'create' }>,
  options: PlanOptions,
  facts: PlanFacts,
): { actions: Action[]; resources: ResourceEndState[] } {
  const bucket = facts.bucket;
  if (bucket === undefined || bucket.name !== target.bucketName) {
    throw new Error(`planRemediation needs the facts of bucket "${target.bucketName}"`);
  }
  if (target.kmsKeyId !== undefined && facts.key?.given !== target.kmsKeyId) {
    throw new Error(`planRemediation needs the facts of KMS key "${target.kmsKeyId}"`);
  }
  const { trailArn, bucketName } = target;
  const bucketRegion = bucket.status === 'ours' ? bucket.region : target.region;
  const existingPolicy = bucket.status === 'ours' ? bucket.policy : undefined;
  const merged = mergeStatements(
    existingPolicy,
    bucketPolicyStatements({ bucketName, accountId, trailArn, region: bucketRegion }),
  );
  refusePublicPolicy(bucketName, merged?.policy ?? existingPolicy);
  const inside = trustedAccounts(accountId, options);
  if (bucket.status === 'ours') {
    refuseOutsideAccess(
      `The log bucket "${bucketName}"`,
      bucketOutsideGrants(bucket, inside),
      inside,
      (w) => `or give another ${w.input('bucketName')}`,
    );
  }
  if (target.kmsKeyId !== undefined && facts.key !== undefined) {
    refuseOutsideAccess(
      `KMS key ${facts.key.arn}`,
      keyOutsideGrants(facts.key.policy, inside),
      inside,
      () => 'or leave the key out',
    );
  }
  const tags = options.tags ?? {};
  const actions: Action[] = [];
  const resources: ResourceEndState[] = [];

  const key = facts.key;
  let keyArn: string | undefined;
  if (target.kmsKeyId !== undefined && key !== undefined) {
    if (key.region !== bucketRegion) {
      throw new KmsKeyError(
        `KMS key ${key.arn} is in ${key.region} but the bucket "${bucketName}" is in ${bucketRegion}; CloudTrail needs them in the same Region. Nothing was changed.`,
      );
    }
    keyArn = key.arn;
  }

  // The access-log bucket comes first: the log bucket's logging points at it.
  const accessLog = accessLogTarget(accountId, target, options, facts);
  if (accessLog.facts !== undefined) {
    const planned = planBucket(accessLog.facts, {
      name: accessLog.name,
      region: bucketRegion,
      accountId,
      statements: accessLogPolicyStatements({
        targetBucket: accessLog.name,
        sourceBucket: bucketName,
        accountId,
        region: bucketRegion,
      }),
      retentionDays: options.logRetentionDays,
      tags,
      role: "bucket for the log bucket's server access logs",
      named: true,
    });
    actions.push(...planned.actions);
    resources.push(
      bucketEndState(planned.after, 'access-logs', accessLog.facts.status === 'absent', accountId),
    );
  }

  const planned = planBucket(bucket, {
    name: bucketName,
    region: bucketRegion,
    accountId,
    statements: bucketPolicyStatements({ bucketName, accountId, trailArn, region: bucketRegion }),
    kmsKeyArn: keyArn,
    objectLockDays: options.objectLockDays,
    retentionDays: options.logRetentionDays,
    accessLogTarget: accessLog.name,
    tags,
    role: 'log bucket',
    named: bucketName === defaultBucketName(accountId, target.region, options.bucketSuffix),
  });
  actions.push(...planned.actions);
  // The log bucket is listed before the access-log bucket, as a person reads it.
  resources.unshift(
    bucketEndState(planned.after, 'trail-logs', bucket.status === 'absent', accountId, trailArn),
  );

  if (keyArn !== undefined && key !== undefined) {
    const keyMerged = mergeStatements(
      key.policy,
      keyPolicyStatements({ accountId, trailArn, region: key.region }),
    );
    if (keyMerged !== undefined) {
      actions.push({
        service: 'kms',
        operation: 'PutKeyPolicy',
        region: key.region,
        input: { KeyId: key.arn, PolicyName: 'default', Policy: JSON.stringify(keyMerged.policy) },
        basedOn: key.policy,
        reason: `allow CloudTrail to encrypt ${target.trailName}'s logs with ${key.arn}: ${keyMerged.added.map((s) => s.Sid).join(', ')}; existing statements kept`,
      });
    }
    resources.push({ kind: 'key', arn: key.arn, rotation: key.rotation });
  }

  const trailTags = { [CREATED_BY_TAG.key]: CREATED_BY_TAG.value, ...tags };
  const cloudWatch = cloudWatchLogsOf(options);
  actions.push({
    service: 'cloudtrail',
    operation: 'CreateTrail',
    region: target.region,
    input: {
      Name: target.trailName,
      S3BucketName: bucketName,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      ...(keyArn === undefined ? {} : { KmsKeyId: keyArn }),
      ...cloudWatch,
      TagsList: Object.entries(trailTags).map(([Key, Value]) => ({ Key, Value })),
    },
    reason: `${target.why}: create "${target.trailName}", multi-Region with global service events and log file validation${keyArn === undefined ? '' : ', encrypted with the given key'}${cloudWatch.CloudWatchLogsLogGroupArn === undefined ? '' : ', sending to CloudWatch Logs'}, tagged; CloudTrail's default selectors log every management event, read and write`,
  });
  actions.push({
    service: 'cloudtrail',
    operation: 'StartLogging',
    region: target.region,
    input: { Name: trailArn },
    reason: `start logging on "${target.trailName}"`,
  });
  resources.unshift(
    trailEndState(
      {
        TrailARN: trailArn,
        Name: target.trailName,
        LogFileValidationEnabled: true,
        ...(keyArn === undefined ? {} : { KmsKeyId: keyArn }),
        ...cloudWatch,
      },
      trailTags,
      true,
    ),
  );
  return { actions, resources };
}

/** The CloudWatch Logs delivery a trail gets, when it is configured: both or neither. */
function cloudWatchLogsOf(options: Partial<HardeningChoices>): {
  CloudWatchLogsLogGroupArn?: string;
  CloudWatchLogsRoleArn?: string;
} {
  const group = options.cloudWatchLogsLogGroupArn;
  const role = options.cloudWatchLogsRoleArn;
  if (group === undefined && role === undefined) return {};
  if (group === undefined || role === undefined) {
    throw new InvalidRemediationInputError(
      `CloudWatch Logs needs both the log group and the role CloudTrail assumes to write to it; only the ${group === undefined ? 'role' : 'log group'} was given. Nothing was changed. Give both, or neither.`,
    );
  }
  // CloudTrail takes the log group ARN ending in ":*".
  return {
    CloudWatchLogsLogGroupArn: group.endsWith(':*') ? group : `${group}:*`,
    CloudWatchLogsRoleArn: role,
  };
}

/**
 * Where the log bucket's server access logs go: where an existing log
 * bucket already sends them; else the bucket given, once it is known to
 * exist and belong to this account (S3 delivers server access logs only
 * within one account and Region), or the bucket the remediation creates
 * (with its facts, to plan it).
 */
function accessLogTarget(
  accountId: string,
  target: Extract<Target, { kind: 'create' }>,
  options: PlanOptions,
  facts: PlanFacts,
): { name: string; facts?: BucketFacts } {
  // A log bucket that already sends its server access logs somewhere keeps them there
  // (planBucket never replaces them): a bucket created for them would receive nothing.
  const existing = facts.bucket?.status === 'ours' ? facts.bucket.logging : undefined;
  if (existing !== undefined) return { name: existing.targetBucket };
  const given = options.accessLogBucketName;
  if (given !== undefined) {
    const owner = facts.accessLogOwnership;
    if (owner === undefined) {
      throw new Error(`planRemediation needs the owner of access-log bucket "${given}"`);
    }
    if (owner.status !== 'owned' || owner.account !== accountId) {
      throw new BucketNotOwnedError((w) =>
        owner.status === 'absent'
          ? `The access-log bucket "${given}" does not exist. Nothing was changed. Create it in ${target.region}, with a policy that lets logging.s3.amazonaws.com write, or ${w.omit('accessLogBucketName')} and the remediation creates one.`
          : `The access-log bucket "${given}" is not a bucket of account ${accountId} (or ${w.caller('this role')} may not see it): S3 delivers server access logs only to a bucket of the same account and Region as the log bucket. Nothing was changed. Give a bucket of this account in ${target.region}, or ${w.omit('accessLogBucketName')} and the remediation creates one.`,
      );
    }
    const logRegion = facts.bucket?.status === 'ours' ? facts.bucket.region : target.region;
    if (owner.region !== undefined && owner.region !== logRegion) {
      throw new BucketNotOwnedError(
        (w) =>
          `The access-log bucket "${given}" is in ${owner.region}, and the log bucket in ${logRegion}: S3 delivers server access logs only to a bucket of the same Region. Nothing was changed. Give a bucket of this account in ${logRegion}, or ${w.omit('accessLogBucketName')} and the remediation creates one.`,
      );
    }
    return { name: given };
  }
  const name = defaultAccessLogBucketName(accountId, target.region, options.bucketSuffix);
  const read = facts.accessLogBucket;
  if (read === undefined || read.name !== name) {
    throw new Error(`planRemediation needs the facts of access-log bucket "${name}"`);
  }
  return { name, facts: read };
}

/**
 * A repair: the smallest change ({@link repairOf}); with
 * `hardenRepairedTrail`, also log file validation, the configured key and
 * CloudWatch Logs where the trail has none, the user's tags, and Block
 * Public Access and the TLS-only statement on its bucket when this account
 * owns it. Nothing is removed or replaced.
 */
function repairPlan(
  accountId: string,
  target: Extract<Target, { kind: 'repair' }>,
  options: PlanOptions,
  facts: PlanFacts,
): { actions: Action[]; resources: ResourceEndState[] } {
  const actions = [...target.actions];
  const trail = { ...target.trail.trail };
  const region = homeRegionOf(trail) ?? options.region;
  const arn = trail.TrailARN;
  const name = target.verdict.name;
  const resources: ResourceEndState[] = [];
  let tags = facts.trailTags;
  if (options.hardenRepairedTrail === true) {
    const update: Record<string, unknown> = {};
    if (trail.LogFileValidationEnabled !== true) update.EnableLogFileValidation = true;
    const key = facts.key;
    if (key !== undefined && !hasValue(trail.KmsKeyId)) {
      refuseOutsideAccess(
        `KMS key ${key.arn}`,
        keyOutsideGrants(key.policy, trustedAccounts(accountId, options)),
        trustedAccounts(accountId, options),
        () => 'or leave the key out',
      );
      const keyMerged = mergeStatements(
        key.policy,
        keyPolicyStatements({ accountId, trailArn: arn, region: key.region }),
      );
      if (keyMerged !== undefined) {
        actions.push({
          service: 'kms',
          operation: 'PutKeyPolicy',
          region: key.region,
          input: {
            KeyId: key.arn,
            PolicyName: 'default',
            Policy: JSON.stringify(keyMerged.policy),
          },
          basedOn: key.policy,
          reason: `allow CloudTrail to encrypt ${name}'s logs with ${key.arn}: ${keyMerged.added.map((s) => s.Sid).join(', ')}; existing statements kept`,
        });
      }
      update.KmsKeyId = key.arn;
      resources.push({ kind: 'key', arn: key.arn, rotation: key.rotation });
    }
    if (!hasValue(trail.CloudWatchLogsLogGroupArn))
      Object.assign(update, cloudWatchLogsOf(options));
    if (Object.keys(update).length > 0) {
      actions.push({
        service: 'cloudtrail',
        operation: 'UpdateTrail',
        region,
        input: { Name: arn, ...update },
        reason: `harden "${name}": ${[
          update.EnableLogFileValidation === true && 'turn on log file validation',
          update.KmsKeyId !== undefined && 'encrypt its log files with the configured key',
          update.CloudWatchLogsLogGroupArn !== undefined &&
            'send it to the configured CloudWatch Logs log group',
        ]
          .filter(Boolean)
          .join(', ')}; nothing else changes`,
      });
      Object.assign(trail, {
        ...(update.EnableLogFileValidation === true ? { LogFileValidationEnabled: true } : {}),
        ...(update.KmsKeyId === undefined ? {} : { KmsKeyId: update.KmsKeyId }),
        ...(update.CloudWatchLogsLogGroupArn === undefined
          ? {}
          : { CloudWatchLogsLogGroupArn: update.CloudWatchLogsLogGroupArn }),
      });
    }
    const missing = Object.entries(options.tags ?? {}).filter(([k]) => !(k in (tags ?? {})));
    if (missing.length > 0) {
      actions.push({
        service: 'cloudtrail',
        operation: 'AddTags',
        region,
        input: { ResourceId: arn, TagsList: missing.map(([Key, Value]) => ({ Key, Value })) },
        reason: `tag "${name}" with ${missing.map(([k, v]) => `${k}=${v}`).join(', ')}; existing tags kept`,
      });
      tags = { ...(tags ?? {}), ...Object.fromEntries(missing) };
    }
    const bucket = facts.bucket;
    if (bucket?.status === 'ours' && bucket.name === trail.S3BucketName) {
      const hardened = hardenOwnBucket(bucket, accountId);
      actions.push(...hardened.actions);
      resources.unshift({
        ...bucketEndState(hardened.after, 'trail-logs', false, accountId, arn),
        repaired: true,
      });
    }
  }
  resources.unshift(trailEndState(trail, tags, false));
  return { actions, resources };
}

/**
 * A repaired trail's own bucket, hardened: all four Block Public Access
 * settings and the TLS-only statement, added to what is there. A bucket
 * whose policy or ACL is public is left as it is: Block Public Access would
 * cut off whoever relies on it, and so could the TLS-only statement (S3's
 * website endpoints answer only HTTP), which is a person's decision.
 */
function hardenOwnBucket(
  bucket: OwnBucketFacts,
  accountId: string,
): { actions: Action[]; after: OwnBucketFacts } {
  const after = structuredClone(bucket);
  const actions: Action[] = [];
  const s3 = { Bucket: bucket.name, ExpectedBucketOwner: accountId };
  const block = bucket.publicAccessBlock;
  const allBlocked =
    block?.BlockPublicAcls === true &&
    block.IgnorePublicAcls === true &&
    block.BlockPublicPolicy === true &&
    block.RestrictPublicBuckets === true;
  const isPublic =
    !allBlocked &&
    ((bucket.policy !== undefined && publicStatements(bucket.policy).length > 0) ||
      publicAclGrants(bucket).length > 0);
  if (isPublic) return { actions, after };
  if (!allBlocked) {
    const all = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    };
    actions.push({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      region: bucket.region,
      input: { ...s3, PublicAccessBlockConfiguration: all },
      reason: `turn on all four Block Public Access settings of "${bucket.name}": its policy grants nothing public, so no reader loses access`,
    });
    after.publicAccessBlock = all;
  }
  const merged = mergeStatements(bucket.policy, [
    denyInsecureTransport(`arn:${partitionOf(bucket.region)}:s3:::${bucket.name}`),
  ]);
  if (merged !== undefined) {
    actions.push({
      service: 's3',
      operation: 'PutBucketPolicy',
      region: bucket.region,
      input: { ...s3, Policy: JSON.stringify(merged.policy) },
      basedOn: bucket.policy ?? null,
      reason: `add the TLS-only statement to the policy of "${bucket.name}"; existing statements kept`,
    });
    after.policy = merged.policy;
  }
  return { actions, after };
}

/**
 * Refuses, before any write, a bucket or key that lets in someone outside
 * this account and the trusted log accounts: the trail would deliver every
 * Region's events there. Refused rather than flagged, since a plan that
 * goes ahead has already handed the events over; the message names each
 * grant and what to change.
 */
function refuseOutsideAccess(
  what: string,
  grants: readonly string[],
  inside: readonly string[],
  alternative: Worded,
): void {
  if (grants.length === 0) return;
  const among = `this account${inside.length > 1 ? ` and the trusted log accounts (${inside.slice(1).join(', ')})` : ''}`;
  throw new OutsideAccessError(
    (w) =>
      `${what} lets in principals outside ${among}: ${grants.join('; ')}. A trail delivering there would let them read every Region's management events. Nothing was changed. Remove those grants, or limit them with a condition on aws:SourceAccount, aws:PrincipalAccount or aws:SourceArn naming ${among} (an account that is your log archive can be given in ${w.input('trustedLogAccountIds')}); ${alternative(w)}.`,
  );
}

/**
 * Refuses, before any write, a log bucket whose policy is public as S3
 * judges it: once Block Public Access is on (the plan turns it on), S3
 * refuses to store that policy, so the run would stop halfway, and trail
 * logs must never be public.
 */
function refusePublicPolicy(bucketName: string, policy: PolicyDocument | undefined): void {
  const offending = policy === undefined ? [] : publicStatements(policy);
  if (offending.length === 0) return;
  const named = offending
    .map(
      (s) =>
        `${s.sid === undefined ? 'the statement' : `statement "${s.sid}"`} at Statement[${s.index}] allows ${s.why}`,
    )
    .join('; ');
  throw new PublicBucketPolicyError(
    (w) =>
      `The policy of bucket "${bucketName}" is public as S3 judges it: ${named}. With Block Public Access on, which the remediation turns on for a log bucket, S3 refuses to store a public policy, and trail logs must not be public. Nothing was changed. Give that statement named principals, or a condition with fixed values that S3 counts as non-public (aws:SourceArn, aws:SourceAccount, aws:SourceVpc, aws:SourceVpce, aws:SourceIp, aws:PrincipalOrgID, aws:PrincipalAccount), or remove it; or give another ${w.input('bucketName')}.`,
  );
}

/** Why a new trail is created: no trail of that name, none owned, none repairable, or an organization trail left alone. */
function createReason(
  named: string | undefined,
  repairable: number,
  organization: readonly TrailState[],
  untrusted: readonly Unrepairable[],
): string {
  if (named !== undefined) return `this account has no trail named "${named}"`;
  if (untrusted.length > 0 && organization.length === 0) {
    return `no trail of this account can be repaired: ${untrusted.map((u) => `"${u.name}" is left alone, since ${u.why}`).join('; ')}`;
  }
  if (organization.length === 0) {
    return repairable === 0
      ? 'this account owns no trail'
      : 'no trail of this account can be repaired';
  }
  const names = organization.map((t) => `"${trailName(t)}"`).join(', ');
  const trails = organization.length === 1 ? 'organization trail' : 'organization trails';
  const others = repairable === 0 ? 'no other trail' : 'no other trail that can be repaired';
  return `the ${trails} ${names} of this account ${organization.length === 1 ? 'is' : 'are'} left alone, since a change to an organization trail changes logging, and its cost, for every account in the organization (give its name as the trail name to repair it), and this account has ${others}`;
}

function isOrganizationTrail(state: TrailState): boolean {
  return state.trail.IsOrganizationTrail === true;
}

function trailName(state: TrailState): string {
  return state.trail.Name ?? state.trail.TrailARN.split(':trail/')[1] ?? state.trail.TrailARN;
}

/** Text with its first letter a capital: a {@link Wording} phrase that starts a sentence. */
function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
