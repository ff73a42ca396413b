import { type Action, describeCall } from '../remediation/actions';
import type { ControlForecast, ResourceEndState } from '../remediation/controls';
import type { Plan } from '../remediation/plan';
import type { PlannedStep, RemediationResult } from '../remediation/remediate';
import type { AccountVerdict } from '../rule/evaluate';
import type { RuleParameters } from '../rule/parameters';
import { describeParameters, describeSource } from './render';
import type { ReportSource } from './report';
import { oneLine } from './table';
import { verdictReason } from './wording';

/** A remediation plan and what it was planned from, as `remediate` shows it. */
export interface PlanView {
  accountId: string;
  /** The Region trails were listed from, where a new trail and bucket would go. */
  region: string;
  readAt: string | null;
  source: ReportSource;
  parameters: RuleParameters;
  plan: Plan;
  /** What was assumed instead of read (a snapshot holds no bucket state). */
  assumptions: string[];
}

/** What `remediate --dry-run --json` prints: the plan as the remediation function returns it. */
export interface PlanJson {
  accountId: string;
  compliantBefore: boolean;
  actions: PlannedStep[];
  trailArn: string | null;
  verdict: string;
  assumptions: string[];
  /** The Security Hub controls on what the plan creates or changes, forecast. */
  securityHubControls: ControlForecast[];
  /** The planned end state of every trail, bucket and key the plan creates or changes. */
  resources: ResourceEndState[];
}

/** The plan in the shape `--json` prints; `verdict` is the verdict before, as the function gives it. */
export function planJson(view: PlanView): PlanJson {
  const { plan } = view;
  return {
    accountId: view.accountId,
    compliantBefore: plan.compliantBefore,
    actions: numbered(plan.actions),
    trailArn: plan.trailArn ?? null,
    verdict: verdictLine(plan.verdict),
    assumptions: view.assumptions,
    securityHubControls: plan.securityHubControls,
    resources: plan.resources,
  };
}

/** The `remediate` flag (or deployment option) that sets each option a forecast names. */
const FLAGS: Record<string, string> = {
  kmsKeyId: '--kms-key-id',
  cloudWatchLogs: '--cloudwatch-logs-group-arn and --cloudwatch-logs-role-arn',
  accessLogBucketName: '--access-log-bucket',
  objectLockDays: '--object-lock-days',
  hardenRepairedTrail: '--harden-repaired-trail',
  tags: '--tag',
  'trailKey=create': "a key with rotation on (the deployment's -c trailKey=create)",
};

/**
 * The flags that set what a forecast's `passWith` names: each option of it
 * (`kmsKeyId with hardenRepairedTrail` on a repaired trail) as its flag.
 */
function flagsOf(passWith: string): string {
  return passWith
    .split(' with ')
    .map((option) => FLAGS[option] ?? option)
    .join(' with ');
}

/**
 * The forecast, one line a control, grouped by resource: `PASSED`, or
 * `FAILED` with the flag that would pass it or why none does.
 */
export function renderControls(controls: readonly ControlForecast[], heading: string): string[] {
  if (controls.length === 0) return [];
  const lines = [heading];
  let resource: string | undefined;
  for (const c of controls) {
    if (c.resource !== resource) {
      resource = c.resource;
      lines.push(`  ${oneLine(c.resource)}`);
    }
    const how =
      c.passWith !== undefined
        ? `: passes with ${flagsOf(c.passWith)}`
        : c.note !== undefined
          ? `: ${c.note}`
          : '';
    lines.push(`${INDENT}${c.controlId.padEnd(13)}${c.status}${how}`);
  }
  return lines;
}

/** The planned end state, one line a resource. */
function renderResources(resources: readonly ResourceEndState[]): string[] {
  if (resources.length === 0) return [];
  return [
    'Planned end state:',
    ...resources.map((r) => {
      const created = r.kind === 'key' ? 'given' : r.created ? 'created' : 'changed';
      const what =
        r.kind === 'trail'
          ? [
              `log file validation ${r.logFileValidation ? 'on' : 'off'}`,
              r.kmsKeyId === undefined ? 'SSE-S3' : `KMS ${r.kmsKeyId}`,
              r.cloudWatchLogsLogGroupArn === undefined ? 'no CloudWatch Logs' : 'CloudWatch Logs',
              `tags ${
                r.tags === undefined
                  ? 'not read'
                  : Object.entries(r.tags)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(', ') || 'none'
              }`,
            ]
          : r.kind === 'bucket'
            ? [
                r.purpose === 'trail-logs' ? 'log bucket' : 'access-log bucket',
                `Block Public Access ${r.publicAccessBlocked ? 'on' : 'off'}`,
                r.tlsOnly ? 'TLS only' : 'TLS not required',
                `encryption ${r.encryption ?? 'none'}`,
                `versioning ${r.versioning ? 'on' : 'off'}`,
                r.lifecycle ? 'lifecycle rules' : 'no lifecycle rule',
                r.loggingTarget === undefined
                  ? 'no access logs'
                  : `access logs to ${r.loggingTarget}`,
                r.objectLock ? 'Object Lock on' : 'no Object Lock',
              ]
            : [`rotation ${r.rotation ? 'on' : 'off'}`];
      return `  ${r.kind} ${oneLine(r.arn)} (${created}): ${what.map(oneLine).join('; ')}`;
    }),
  ];
}

/** The plan's actions numbered from 1, as the remediation function returns them. */
export function numbered(actions: readonly Action[]): PlannedStep[] {
  return actions.map((action, index) => ({
    step: index + 1,
    service: action.service,
    operation: action.operation,
    region: action.region,
    input: action.input,
    reason: action.reason,
  }));
}

/** A verdict on one line, as the remediation function reports it: `NON_COMPLIANT: why`. */
export function verdictLine(verdict: AccountVerdict): string {
  return oneLine(
    verdict.compliance === 'UNDECIDED'
      ? `UNDECIDED: ${verdictReason(verdict)}`
      : `${verdict.compliance}: ${verdict.annotation}`,
  );
}

/**
 * The human output of a plan: the verdict before, where it was read, the
 * assumptions, then each call numbered with its Region, why, and its exact
 * input. Ends with what passes (or will) and, for a dry run, that nothing
 * changed and how to apply.
 */
export function renderPlan(view: PlanView, mode: 'dry-run' | 'apply'): string {
  const { plan } = view;
  const lines = [
    `Before: ${verdictLine(plan.verdict)}`,
    `Account ${view.accountId}, trails listed from ${oneLine(view.region)}; ${describeSource(view.source, view.readAt)}.`,
    `Parameters: ${describeParameters(view.parameters)}.`,
    ...view.assumptions.map((assumption) => `Assumed: ${oneLine(assumption)}.`),
    '',
  ];
  const target = plan.target;
  if (target === undefined) {
    const passing = plan.verdict.compliance === 'COMPLIANT' ? plan.verdict.passing : undefined;
    lines.push(
      passing === undefined
        ? 'Nothing to change.'
        : `Nothing to change: trail ${oneLine(passing.name)} (${oneLine(passing.arn)}) already passes CloudTrail.1.`,
    );
    return `${lines.join('\n')}\n`;
  }

  const count = plan.actions.length;
  lines.push(`Plan: ${count} API ${count === 1 ? 'call' : 'calls'}`);
  plan.actions.forEach((action, index) => {
    lines.push(...renderAction(index + 1, action));
  });
  lines.push('');
  const endState = [
    ...renderResources(plan.resources),
    ...renderControls(plan.securityHubControls, 'Security Hub controls, forecast:'),
  ];
  if (endState.length > 0) lines.push(...endState, '');

  const name = target.kind === 'repair' ? target.verdict.name : target.trailName;
  const arn = plan.trailArn === undefined ? '' : ` (${oneLine(plan.trailArn)})`;
  const passes = `trail ${oneLine(name)}${arn} should pass CloudTrail.1`;
  if (mode === 'dry-run') {
    lines.push(`Dry run: nothing was changed. Once applied, ${passes}.`);
    lines.push(
      view.source.type === 'snapshot'
        ? 'To apply, run "cloudtrail-rule remediate --apply" against the account itself: it plans again from a live read.'
        : 'To apply, run the same command with --apply instead of --dry-run: it plans again from a fresh read.',
    );
  } else {
    lines.push(`Once applied, ${passes}; a fresh read checks it.`);
  }
  return `${lines.join('\n')}\n`;
}

const INDENT = '     ';

/**
 * One numbered call. A policy is JSON inside a string, unreadable once
 * escaped: it is shown pretty below the input instead, in its place.
 */
function renderAction(step: number, action: Action): string[] {
  const lines = [
    `  ${step}. ${action.service}:${action.operation} in ${action.region}`,
    `${INDENT}${oneLine(action.reason)}`,
  ];
  const input: Record<string, unknown> = { ...action.input };
  const policy = readablePolicy(input.Policy);
  if (policy === undefined) {
    lines.push(`${INDENT}${JSON.stringify(input)}`);
    return lines;
  }
  lines.push(`${INDENT}${JSON.stringify({ ...input, Policy: '(below)' })}`);
  lines.push(`${INDENT}Policy (sent as a JSON string):`);
  for (const line of policy.split('\n')) lines.push(`${INDENT}  ${line}`);
  return lines;
}

function readablePolicy(policy: unknown): string | undefined {
  if (typeof policy !== 'string') return undefined;
  try {
    return JSON.stringify(JSON.parse(policy), null, 2);
  } catch {
    return undefined;
  }
}

/** The line printed as a step starts: `[2/5] s3:PutBucketPolicy (us-east-1) …`. */
export function renderStep(step: number, total: number, action: Action): string {
  return `[${step}/${total}] ${describeCall(action)} …\n`;
}

/** What `remediate --apply` prints once the fresh read passes. */
export function renderApplied(result: RemediationResult): string {
  const count = result.actions.length;
  if (result.compliantBefore) {
    return `After: ${oneLine(result.verdict)}\nNothing was changed: the account already passed CloudTrail.1 when the changes were to start.\n`;
  }
  return [
    `After: ${oneLine(result.verdict)}`,
    `Done: ${count} ${count === 1 ? 'change' : 'changes'} applied to account ${result.accountId}; a fresh read passes CloudTrail.1${result.trailArn === null ? '' : ` (${oneLine(result.trailArn)})`}.`,
    ...renderControls(result.securityHubControls, 'Security Hub controls, read back:'),
    '',
  ].join('\n');
}
