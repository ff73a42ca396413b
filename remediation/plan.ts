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
import type { Action } from './actions';
import {
  KmsKeyError,
  PublicBucketPolicyError,
  TrailNotRepairableError,
  UndecidedAccountError,
  UnsupportedRequirementError,
} from './errors';
import type { BucketFacts, KeyFacts } from './facts';
import { DEFAULT_TRAIL_NAME, defaultBucketName } from './input';
import {
  bucketPolicyStatements,
  keyPolicyStatements,
  mergeStatements,
  type PolicyDocument,
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

export interface PlanOptions {
  /** The account's own Region: where a new bucket and trail go. */
  region: string;
  /** The rule's parameters, so that "passes" means what the rule means. */
  parameters: RuleParameters;
  trailName?: string;
  bucketName?: string;
  kmsKeyId?: string;
}

/** Facts read after {@link chooseTarget} asked for them (only for a new trail). */
export interface PlanFacts {
  bucket?: BucketFacts;
  key?: KeyFacts;
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
}

/** A trail of this account the remediation cannot repair, and why. */
interface Unrepairable {
  kind: 'unrepairable';
  name: string;
  why: string;
  /** It could not be read fully, so it might have been repairable. */
  unreadable: boolean;
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
): { verdict: AccountVerdict; target: Target | undefined } {
  const verdict = evaluateAccount(state, options.parameters);
  if (verdict.compliance === 'COMPLIANT') return { verdict, target: undefined };
  if (verdict.compliance === 'UNDECIDED') {
    throw new UndecidedAccountError(
      `Cannot tell whether the account already passes: ${verdict.reason.replace(/\.$/, '')}. Nothing was changed: a new trail could be a needless, billed second copy of management events. Let the function read every trail (permissions, Regions), then run again.`,
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
    const repair = repairOf(named, state.accountId, options.parameters);
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
  const assessed = repairable.map((t) => repairOf(t, state.accountId, options.parameters));
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
      `Trail "${unreadable.name}" of this account could not be read fully (${unreadable.why}); repairing it may be all the account needs. Nothing was changed. Let the function read it, or name the trail to create with TrailName, then run again.`,
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
      `A new trail would be named "${name}", but this account's organization trail in ${options.region} has that name, and an organization trail is changed only when TrailName names it. Nothing was changed. Give TrailName "${name}" to repair the organization trail, or another TrailName for a trail of this account's own.`,
    );
  }
  if (taken !== undefined) {
    const why = repairOf(taken, state.accountId, options.parameters);
    throw new TrailNotRepairableError(
      `A new trail would be named "${name}", but this account already has a trail of that name in ${options.region}, and it cannot be repaired${why.kind === 'unrepairable' ? `: ${why.why}` : ''}. Nothing was changed. Fix that trail, or give another TrailName.`,
    );
  }
  const bucketName =
    options.bucketName ??
    options.parameters.s3BucketName ??
    defaultBucketName(state.accountId, options.region);
  if (
    options.parameters.s3BucketName !== undefined &&
    bucketName !== options.parameters.s3BucketName
  ) {
    throw new UnsupportedRequirementError(
      `BucketName "${bucketName}" is not the bucket the rule requires (s3BucketName "${options.parameters.s3BucketName}"): a trail delivering there would still fail. Nothing was changed. Leave BucketName empty, or give "${options.parameters.s3BucketName}".`,
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
      why: createReason(options.trailName, repairable.length, organization),
    },
  };
}

/**
 * The whole plan. For a new trail, `facts` must hold the bucket (and the
 * key, when one is given) as {@link readBucketFacts}/{@link readKeyFacts}
 * read them.
 *
 * @example
 * planRemediation(stateWithStoppedTrail, { region: 'us-east-1', parameters }).actions
 * // => [{ service: 'cloudtrail', operation: 'StartLogging', input: { Name: arn }, ... }]
 */
export function planRemediation(
  state: AccountTrailState,
  options: PlanOptions,
  facts: PlanFacts = {},
): Plan {
  const { verdict, target } = chooseTarget(state, options);
  if (target === undefined) {
    return {
      verdict,
      compliantBefore: true,
      target,
      actions: [],
      trailArn: verdict.compliance === 'COMPLIANT' ? verdict.passing.arn : undefined,
    };
  }
  if (target.kind === 'repair') {
    return {
      verdict,
      compliantBefore: false,
      target,
      actions: target.actions,
      trailArn: target.verdict.arn,
    };
  }
  return {
    verdict,
    compliantBefore: false,
    target,
    actions: createActions(state.accountId, target, facts),
    trailArn: target.trailArn,
  };
}

/** What the executor must read before planning a new trail. */
export function factsNeeded(target: Target | undefined): {
  bucketName?: string;
  kmsKeyId?: string;
} {
  if (target?.kind !== 'create') return {};
  return {
    bucketName: target.bucketName,
    ...(target.kmsKeyId === undefined ? {} : { kmsKeyId: target.kmsKeyId }),
  };
}

/** The repair of one own trail, or why it cannot be repaired. */
function repairOf(
  state: TrailState,
  accountId: string,
  parameters: RuleParameters,
): Extract<Target, { kind: 'repair' }> | Unrepairable {
  const verdict = evaluateTrail(state, accountId, parameters);
  const unrepairable = (why: string, unreadable = false): Unrepairable => ({
    kind: 'unrepairable',
    name: verdict.name,
    why,
    unreadable,
  });
  const region = homeRegionOf(state.trail);
  if (region === undefined) return unrepairable('its home Region is not known');
  const blocking = verdict.requirements.find(
    (r) => r.outcome === 'fail' && !REPAIRABLE.has(r.requirement),
  );
  if (blocking !== undefined) return unrepairable(blocking.detail);
  const unknown = verdict.requirements.find((r) => r.outcome === 'unknown');
  if (unknown !== undefined) return unrepairable(unknown.detail, true);

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

function createActions(
  accountId: string,
  target: Extract<Target, { kind: 'create' }>,
  facts: PlanFacts,
): Action[] {
  const bucket = facts.bucket;
  if (bucket === undefined || bucket.name !== target.bucketName) {
    throw new Error(`planRemediation needs the facts of bucket "${target.bucketName}"`);
  }
  if (target.kmsKeyId !== undefined && facts.key?.given !== target.kmsKeyId) {
    throw new Error(`planRemediation needs the facts of KMS key "${target.kmsKeyId}"`);
  }
  const { trailArn, bucketName } = target;
  const bucketRegion = bucket.status === 'ours' ? bucket.region : target.region;
  const s3 = { Bucket: bucketName, ExpectedBucketOwner: accountId };
  const existingPolicy = bucket.status === 'ours' ? bucket.policy : undefined;
  const merged = mergeStatements(
    existingPolicy,
    bucketPolicyStatements({ bucketName, accountId, trailArn, region: bucketRegion }),
  );
  refusePublicPolicy(bucketName, merged?.policy ?? existingPolicy);
  const actions: Action[] = [];

  if (bucket.status === 'absent') {
    actions.push({
      service: 's3',
      operation: 'CreateBucket',
      region: bucketRegion,
      input: {
        Bucket: bucketName,
        ObjectOwnership: 'BucketOwnerEnforced',
        ...(bucketRegion === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: bucketRegion as never } }),
      },
      reason: `create the log bucket "${bucketName}" with ACLs disabled (bucket owner enforced)`,
    });
  }
  const blocked = bucket.status === 'ours' ? bucket.publicAccessBlock : undefined;
  const allBlocked =
    blocked?.BlockPublicAcls === true &&
    blocked.IgnorePublicAcls === true &&
    blocked.BlockPublicPolicy === true &&
    blocked.RestrictPublicBuckets === true;
  if (!allBlocked) {
    actions.push({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      region: bucketRegion,
      input: {
        ...s3,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      },
      reason: `turn on all four Block Public Access settings of "${bucketName}": trail logs must never be public`,
    });
  }
  if (bucket.status === 'absent' || !bucket.encrypted) {
    actions.push({
      service: 's3',
      operation: 'PutBucketEncryption',
      region: bucketRegion,
      input: {
        ...s3,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      },
      reason: `encrypt objects in "${bucketName}" by default (SSE-S3)`,
    });
  }
  if (merged !== undefined) {
    actions.push({
      service: 's3',
      operation: 'PutBucketPolicy',
      region: bucketRegion,
      input: { ...s3, Policy: JSON.stringify(merged.policy) },
      reason: `${bucket.status === 'ours' && bucket.policy !== undefined ? 'add to the existing policy' : 'set the policy'} of "${bucketName}": ${merged.added.map((s) => s.Sid).join(', ')} (CloudTrail may deliver only for ${target.trailName}; no access without TLS); existing statements kept`,
    });
  }

  let keyArn: string | undefined;
  const key = facts.key;
  if (target.kmsKeyId !== undefined && key !== undefined) {
    if (key.region !== bucketRegion) {
      throw new KmsKeyError(
        `KMS key ${key.arn} is in ${key.region} but the bucket "${bucketName}" is in ${bucketRegion}; CloudTrail needs them in the same Region. Nothing was changed.`,
      );
    }
    keyArn = key.arn;
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
        reason: `allow CloudTrail to encrypt ${target.trailName}'s logs with ${key.arn}: ${keyMerged.added.map((s) => s.Sid).join(', ')}; existing statements kept`,
      });
    }
  }

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
    },
    reason: `${target.why}: create "${target.trailName}", multi-Region with global service events and log file validation${keyArn === undefined ? '' : ', encrypted with the given key'}; CloudTrail's default selectors log every management event, read and write`,
  });
  actions.push({
    service: 'cloudtrail',
    operation: 'StartLogging',
    region: target.region,
    input: { Name: trailArn },
    reason: `start logging on "${target.trailName}"`,
  });
  return actions;
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
    `The policy of bucket "${bucketName}" is public as S3 judges it: ${named}. With Block Public Access on, which the remediation turns on for a log bucket, S3 refuses to store a public policy, and trail logs must not be public. Nothing was changed. Give that statement named principals, or a condition with fixed values that S3 counts as non-public (aws:SourceArn, aws:SourceAccount, aws:SourceVpc, aws:SourceVpce, aws:SourceIp, aws:PrincipalOrgID, aws:PrincipalAccount), or remove it; or give another BucketName.`,
  );
}

/** Why a new trail is created: no trail of that name, none owned, none repairable, or an organization trail left alone. */
function createReason(
  named: string | undefined,
  repairable: number,
  organization: readonly TrailState[],
): string {
  if (named !== undefined) return `this account has no trail named "${named}"`;
  if (organization.length === 0) {
    return repairable === 0
      ? 'this account owns no trail'
      : 'no trail of this account can be repaired';
  }
  const names = organization.map((t) => `"${trailName(t)}"`).join(', ');
  const trails = organization.length === 1 ? 'organization trail' : 'organization trails';
  const others = repairable === 0 ? 'no other trail' : 'no other trail that can be repaired';
  return `the ${trails} ${names} of this account ${organization.length === 1 ? 'is' : 'are'} left alone, since a change to an organization trail changes logging, and its cost, for every account in the organization (name one with TrailName to repair it), and this account has ${others}`;
}

function isOrganizationTrail(state: TrailState): boolean {
  return state.trail.IsOrganizationTrail === true;
}

function trailName(state: TrailState): string {
  return state.trail.Name ?? state.trail.TrailARN.split(':trail/')[1] ?? state.trail.TrailARN;
}
