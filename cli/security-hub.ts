import {
  type AwsSecurityFinding,
  GetFindingsCommand,
  type GetFindingsCommandOutput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { CallTimeouts } from '../rule/clients';
import { sdkClient } from '../rule/clients';
import type { AccountVerdict, TrailVerdict } from '../rule/evaluate';
import { type RuleParameters, weakeningParameters } from '../rule/parameters';
import type { AccountTrailState } from '../rule/state';
import { readFailure } from './aws-errors';

/** The Security Hub control this project checks. */
export const SECURITY_CONTROL_ID = 'CloudTrail.1';

/**
 * Security Hub's own CloudTrail.1 status for an account: `FAILED` when any
 * active finding of the control for it failed (in any Region the
 * administrator sees), else `PASSED` when one passed, else `NO_FINDING`.
 */
export type SecurityHubStatus = 'PASSED' | 'FAILED' | 'NO_FINDING';

/** What one finding says, as far as the audit needs it. */
export interface ControlFinding {
  id: string;
  region: string;
  /** `Compliance.Status`: PASSED, WARNING, FAILED or NOT_AVAILABLE. */
  status: string;
  /** When Security Hub last updated the finding (ISO 8601). */
  updatedAt: string;
  /** `Compliance.StatusReasons`, as `CODE: description`. */
  reasons: string[];
}

/** An account's Security Hub status, and why it differs from ours where that is known. */
export interface SecurityHubView {
  status: SecurityHubStatus;
  /** Why Security Hub and our verdict disagree (or why there is no finding); `null` when they agree. */
  note: string | null;
  findings: ControlFinding[];
}

/** The largest page GetFindings returns. */
const PAGE_SIZE = 100;

/**
 * Every active CloudTrail.1 finding the caller's account sees, grouped by
 * the account it is about: every page of `GetFindings` filtered on
 * `ComplianceSecurityControlId` CloudTrail.1 and `RecordState` ACTIVE. Run
 * from the Security Hub administrator account, this holds the findings of
 * every member account (and, with cross-Region aggregation, of every linked
 * Region). A failed call stops the audit with why.
 */
export async function readControlFindings(target: {
  region: string;
  profile?: string | undefined;
  timeouts?: CallTimeouts | undefined;
}): Promise<Map<string, ControlFinding[]>> {
  const client = sdkClient(SecurityHubClient, {
    region: target.region,
    ...(target.profile !== undefined ? { profile: target.profile } : {}),
    ...(target.timeouts ? { timeouts: target.timeouts } : {}),
  });
  const byAccount = new Map<string, ControlFinding[]>();
  try {
    let NextToken: string | undefined;
    do {
      let page: GetFindingsCommandOutput;
      try {
        page = await client.send(
          new GetFindingsCommand({
            Filters: {
              ComplianceSecurityControlId: [{ Value: SECURITY_CONTROL_ID, Comparison: 'EQUALS' }],
              RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
            },
            MaxResults: PAGE_SIZE,
            ...(NextToken !== undefined ? { NextToken } : {}),
          }),
        );
      } catch (error) {
        throw await readFailure(
          `Could not read Security Hub's ${SECURITY_CONTROL_ID} findings in ${target.region} (Security Hub GetFindings)`,
          error,
          target,
          'Run the audit with credentials of the Security Hub administrator account (or the account whose findings you want) that may call securityhub:GetFindings, in its home Region, or leave out --security-hub.',
        );
      }
      for (const finding of page.Findings ?? []) {
        const parsed = controlFinding(finding);
        if (parsed === undefined) continue;
        const [account, entry] = parsed;
        byAccount.set(account, [...(byAccount.get(account) ?? []), entry]);
      }
      NextToken = page.NextToken === '' ? undefined : page.NextToken;
    } while (NextToken !== undefined);
  } finally {
    client.destroy();
  }
  return byAccount;
}

function controlFinding(finding: AwsSecurityFinding): [string, ControlFinding] | undefined {
  const account = finding.AwsAccountId;
  if (account === undefined) return undefined;
  return [
    account,
    {
      id: finding.Id ?? '',
      region: finding.Region ?? 'unknown Region',
      status: finding.Compliance?.Status ?? 'NOT_AVAILABLE',
      updatedAt: finding.UpdatedAt ?? '',
      reasons: (finding.Compliance?.StatusReasons ?? []).map((r) =>
        [r.ReasonCode, r.Description].filter((part) => part !== undefined).join(': '),
      ),
    },
  ];
}

/** The account's status from its findings (see {@link SecurityHubStatus}). */
export function securityHubStatus(findings: readonly ControlFinding[]): SecurityHubStatus {
  if (findings.some((f) => f.status === 'FAILED')) return 'FAILED';
  if (findings.some((f) => f.status === 'PASSED')) return 'PASSED';
  return 'NO_FINDING';
}

/** What an account's evaluation gives the comparison: its verdict, what was read, and with which parameters. */
export interface OurEvaluation {
  verdict: AccountVerdict;
  state: AccountTrailState;
  parameters: RuleParameters;
}

/**
 * Security Hub's status for the account beside ours, and why they differ
 * in the cases we know. `ours` is absent when the account could not be
 * evaluated (nothing to compare with).
 *
 * Known causes:
 * - no finding: the account is not a member of this administrator, the
 *   control is disabled, or it has not been checked yet;
 * - Security Hub FAILED, ours COMPLIANT: parameters that weaken our check;
 *   a trail that started logging after Security Hub's last check; an
 *   organization trail ours trusts without reading its selectors;
 * - Security Hub PASSED, ours NON_COMPLIANT: selectors that exclude an
 *   event source (Security Hub's check does not look at sources); a trail
 *   logging but not delivering; parameters that add requirements
 *   CloudTrail.1 does not have.
 */
export function compareWithSecurityHub(
  findings: readonly ControlFinding[],
  ours: OurEvaluation | undefined,
): SecurityHubView {
  const status = securityHubStatus(findings);
  const view = (note: string | null): SecurityHubView => ({
    status,
    note,
    findings: [...findings],
  });
  if (status === 'NO_FINDING') {
    const unavailable = findings.filter((f) => f.status !== 'PASSED' && f.status !== 'FAILED');
    return view(
      unavailable.length > 0
        ? `Security Hub has no PASSED or FAILED ${SECURITY_CONTROL_ID} finding for the account, only ${describeFindings(unavailable)}`
        : `Security Hub has no active ${SECURITY_CONTROL_ID} finding for the account: it is not a member of this Security Hub administrator, the control is disabled there, or it has not been checked yet (the control runs periodically)`,
    );
  }
  if (ours === undefined || ours.verdict.compliance === 'UNDECIDED') return view(null);
  const { verdict } = ours;
  if (status === 'FAILED' && verdict.compliance === 'COMPLIANT') {
    const failed = findings.filter((f) => f.status === 'FAILED');
    return view(
      `Security Hub FAILED (${describeFindings(failed)}) and ours COMPLIANT: ${failedButCompliant(failed, verdict.passing, ours)}`,
    );
  }
  if (status === 'PASSED' && verdict.compliance === 'NON_COMPLIANT') {
    return view(`Security Hub PASSED and ours NON_COMPLIANT: ${passedButNonCompliant(ours)}`);
  }
  return view(null);
}

/** Findings as `FAILED in us-east-1 (updated 2026-12-01T08:00:00Z: CODE: why)`, joined. */
function describeFindings(findings: readonly ControlFinding[]): string {
  return findings
    .map(
      (f) =>
        `${f.status} in ${f.region} (updated ${f.updatedAt || 'at an unknown time'}${f.reasons.length > 0 ? `: ${f.reasons.join(', ')}` : ''})`,
    )
    .join(', ');
}

function failedButCompliant(
  failed: readonly ControlFinding[],
  passing: TrailVerdict,
  ours: OurEvaluation,
): string {
  const weakening = weakeningParameters(ours.parameters);
  if (weakening.length > 0) {
    return `our check runs with ${weakening.join(', ')}, which is weaker than ${SECURITY_CONTROL_ID} (read and write management events).`;
  }
  const started = startedLoggingAt(ours.state, passing.arn);
  const lastCheck = latest(failed.map((f) => f.updatedAt));
  if (started !== undefined && lastCheck !== undefined && started > lastCheck) {
    return `trail ${passing.name} started logging at ${started.toISOString()}, after Security Hub last updated its finding (${lastCheck.toISOString()}); the control runs periodically and should pass at its next check.`;
  }
  if (passing.otherAccount && passing.notes.some((note) => /trust/i.test(note))) {
    return `ours passes organization trail ${passing.name} on trust (trustOrganizationTrails): its selectors cannot be read from this account, and Security Hub may judge them otherwise.`;
  }
  return `no known cause: compare the finding with trail ${passing.name}, which ours finds multi-Region, logging and recording read and write management events.`;
}

function passedButNonCompliant(ours: OurEvaluation): string {
  const trails = ours.verdict.trails;
  const passes = (trail: TrailVerdict, requirement: string) =>
    trail.requirements.some((r) => r.requirement === requirement && r.outcome === 'pass');
  const failing = (trail: TrailVerdict) =>
    trail.requirements.filter((r) => r.outcome === 'fail').map((r) => r.requirement as string);
  const logging = trails.filter((t) => passes(t, 'multiRegion') && passes(t, 'logging'));

  const excluding = logging.find((t) => {
    const c = t.coverage;
    return (
      c !== undefined &&
      !c.nothingLogged.read &&
      !c.nothingLogged.write &&
      c.uncoveredRead.length + c.uncoveredWrite.length > 0
    );
  });
  if (excluding?.coverage !== undefined) {
    const sources = [
      ...new Set([...excluding.coverage.uncoveredRead, ...excluding.coverage.uncoveredWrite]),
    ];
    return `trail ${excluding.name}'s selectors exclude events from ${sources.join(', ')}: Security Hub's check passes a trail that records read and write management events whatever sources it excludes, and ours requires every source.`;
  }
  const undelivered = logging.find((t) => deliveryError(ours.state, t.arn) !== undefined);
  if (undelivered !== undefined) {
    return `trail ${undelivered.name} is logging but its last delivery failed (${deliveryError(ours.state, undelivered.arn)}): Security Hub's check looks at logging, not delivery.`;
  }
  const extra = ['s3BucketName', 'snsTopicArn', 'cloudWatchLogsLogGroupArn'];
  const onlyExtra = logging.find((t) => {
    const gaps = failing(t);
    return gaps.length > 0 && gaps.every((g) => extra.includes(g));
  });
  if (onlyExtra !== undefined) {
    return `trail ${onlyExtra.name} fails only what our parameters add (${failing(onlyExtra).join(', ')}), which ${SECURITY_CONTROL_ID} does not require.`;
  }
  return 'no known cause: Security Hub may not have checked the account since its trails changed (the control runs periodically).';
}

/** The trail's `StartLoggingTime`, from the status that was read. */
function startedLoggingAt(state: AccountTrailState, arn: string): Date | undefined {
  const status = statusOf(state, arn);
  return asDate(status?.StartLoggingTime);
}

/** The trail's `LatestDeliveryError`, when its status has one. */
function deliveryError(state: AccountTrailState, arn: string): string | undefined {
  const error = statusOf(state, arn)?.LatestDeliveryError;
  return typeof error === 'string' && error !== '' ? error : undefined;
}

function statusOf(state: AccountTrailState, arn: string): Record<string, unknown> | undefined {
  const status = state.trails.find((t) => t.trail.TrailARN === arn)?.status;
  return status !== undefined && 'response' in status
    ? (status.response as Record<string, unknown>)
    : undefined;
}

function asDate(value: unknown): Date | undefined {
  if (!(typeof value === 'string' || value instanceof Date)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function latest(times: readonly string[]): Date | undefined {
  const dates = times.map(asDate).filter((d): d is Date => d !== undefined);
  return dates.length === 0 ? undefined : new Date(Math.max(...dates.map((d) => d.getTime())));
}
