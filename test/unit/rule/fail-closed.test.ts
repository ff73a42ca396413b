import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  type Evaluation,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { UndecidedVerdictError } from '../../../rule/errors';
import { createHandler } from '../../../rule/handler';
import { logger } from '../../../rule/log';
import { carriedSince, undecidedOutcome } from '../../../rule/undecided';
import {
  ACCOUNT,
  accountEvaluationResult,
  EVENT_RULE_NAME,
  scheduledEvent,
  trail,
} from '../../support/fixtures';

/**
 * The rule learns when it last decided from AWS Config: its own latest
 * evaluation of the account, from GetComplianceDetailsByConfigRule, whose
 * EvaluationResult has the ComplianceType, the Annotation and the
 * ResultRecordedTime ("the time when Config recorded the evaluation
 * result"); ComplianceTypes filters by COMPLIANT, NON_COMPLIANT and
 * NOT_APPLICABLE, Limit is at most 100 and NextToken pages.
 * https://docs.aws.amazon.com/config/latest/APIReference/API_GetComplianceDetailsByConfigRule.html
 * https://docs.aws.amazon.com/config/latest/APIReference/API_EvaluationResult.html
 */

const HOUR = 3_600_000;
const RECORDED = new Date('2026-12-01T06:00:41.000Z');
const REASON = 'central (us-east-1): GetTrailStatus failed: ThrottlingException';

describe('undecided runs: the decision', () => {
  const outcome = (last: Parameters<typeof undecidedOutcome>[0]['last'], hoursLater: number) =>
    undecidedOutcome({
      last,
      now: new Date(RECORDED.getTime() + hoursLater * HOUR),
      windowHours: 48,
      reason: REASON,
    });

  it('fails the run, changing nothing, up to exactly the window after the last decided verdict', () => {
    const last = { complianceType: 'COMPLIANT', resultRecordedTime: RECORDED };

    expect(outcome(last, 48)).toEqual({
      action: 'fail',
      since: RECORDED,
      deadline: new Date(RECORDED.getTime() + 48 * HOUR),
    });
  });

  it('reports NON_COMPLIANT "could not verify since" the last decided verdict a moment past the window', () => {
    const last = { complianceType: 'COMPLIANT', resultRecordedTime: RECORDED };

    expect(outcome(last, 48 + 1 / 3_600_000)).toEqual({
      action: 'report',
      since: RECORDED,
      annotation: `could not verify since 2026-12-01T06:00:41.000Z: ${REASON}`,
    });
  });

  it('counts a NON_COMPLIANT or NOT_APPLICABLE verdict as decided too', () => {
    for (const complianceType of ['NON_COMPLIANT', 'NOT_APPLICABLE']) {
      expect(outcome({ complianceType, resultRecordedTime: RECORDED }, 1).action).toBe('fail');
    }
  });

  it('carries the time of an earlier "could not verify since T" forward, at once', () => {
    const last = {
      complianceType: 'NON_COMPLIANT',
      annotation: 'could not verify since 2026-11-28T00:00:00.000Z: central (us-east-1): …',
      resultRecordedTime: RECORDED,
    };

    expect(outcome(last, 1)).toMatchObject({
      action: 'report',
      annotation: `could not verify since 2026-11-28T00:00:00.000Z: ${REASON}`,
    });
  });

  it('never carries a T later than when Config recorded the evaluation that holds it', () => {
    const last = {
      complianceType: 'NON_COMPLIANT',
      annotation: 'could not verify since 2027-01-01T00:00:00.000Z: x',
      resultRecordedTime: RECORDED,
    };

    expect(outcome(last, 1)).toMatchObject({ action: 'report', since: RECORDED });
  });

  it('reports at once, since now, when no evaluation is on record', () => {
    expect(outcome(undefined, 0)).toEqual({
      action: 'report',
      since: RECORDED,
      annotation: `could not verify since 2026-12-01T06:00:41.000Z: ${REASON}`,
    });
  });

  it('reads T only from an annotation that starts "could not verify since" and a valid time', () => {
    expect(carriedSince('could not verify since 2026-11-28T00:00:00Z: x')).toEqual(
      new Date('2026-11-28T00:00:00Z'),
    );
    expect(carriedSince('Trail x could not verify since 2026-11-28T00:00:00Z')).toBeUndefined();
    expect(carriedSince('could not verify since 2026-13-45T00:00:00Z: x')).toBeUndefined();
    expect(carriedSince(undefined)).toBeUndefined();
  });

  it('keeps the annotation within 256 characters', () => {
    const long = undecidedOutcome({
      last: undefined,
      now: RECORDED,
      windowHours: 48,
      reason: 'x'.repeat(400),
    });

    expect(long.action === 'report' && long.annotation.length).toBe(256);
  });
});

const cloudTrail = mockClient(CloudTrailClient);
const config = mockClient(ConfigServiceClient);

/** A handler whose clock reads `now`. */
function handlerAt(now: Date) {
  const client = new CloudTrailClient({ region: 'us-east-1' });
  return createHandler(() => ({
    region: 'us-east-1',
    config: new ConfigServiceClient({ region: 'us-east-1' }),
    clientFor: () => client,
    now: () => now,
  }));
}

function sent(): Evaluation[] {
  return config
    .commandCalls(PutEvaluationsCommand)
    .flatMap((c) => c.args[0].input.Evaluations ?? []);
}

/** An account whose one trail is throttled: every run is undecided. */
function serveUndecided() {
  const central = trail({ Name: 'central' });
  cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [central] });
  cloudTrail
    .on(GetTrailStatusCommand)
    .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  cloudTrail.on(GetEventSelectorsCommand).resolves({ TrailARN: central.TrailARN });
}

function lastEvaluations(...results: ReturnType<typeof accountEvaluationResult>[]) {
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: results });
}

const at = (hoursAfterRecorded: number) => new Date(RECORDED.getTime() + hoursAfterRecorded * HOUR);

describe('undecided runs: the rule', () => {
  beforeAll(() => {
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterAll(() => jest.restoreAllMocks());
  beforeEach(() => {
    cloudTrail.reset();
    config.reset();
    config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    serveUndecided();
  });

  it('fails, sending nothing, while the last COMPLIANT is within the window', async () => {
    lastEvaluations(accountEvaluationResult(RECORDED));

    const run = handlerAt(at(47.99))(scheduledEvent());

    await expect(run).rejects.toThrow(UndecidedVerdictError);
    await expect(run).rejects.toThrow(
      'The last decided verdict was recorded at 2026-12-01T06:00:41.000Z; if the rule still cannot decide after 2026-12-03T06:00:41.000Z (undecidedWindowHours=48), it reports NON_COMPLIANT "could not verify".',
    );
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it('reports NON_COMPLIANT "could not verify since" the last COMPLIANT once past the window', async () => {
    lastEvaluations(accountEvaluationResult(RECORDED));

    const result = await handlerAt(at(48.01))(scheduledEvent());

    expect(result.compliance).toBe('NON_COMPLIANT');
    expect(sent()).toEqual([
      expect.objectContaining({
        ComplianceResourceType: 'AWS::::Account',
        ComplianceResourceId: ACCOUNT,
        ComplianceType: 'NON_COMPLIANT',
        Annotation:
          'could not verify since 2026-12-01T06:00:41.000Z: central (us-east-1): GetTrailStatus failed: ThrottlingException (Rate exceeded)',
      }),
    ]);
  });

  it('takes the window from undecidedWindowHours', async () => {
    lastEvaluations(accountEvaluationResult(RECORDED));
    const event = scheduledEvent({}, { undecidedWindowHours: '6' });

    await expect(handlerAt(at(5.99))(event)).rejects.toThrow(/undecidedWindowHours=6/);
    expect((await handlerAt(at(6.01))(event)).compliance).toBe('NON_COMPLIANT');
  });

  it('reads the rule named in the event, every compliance type, the largest page', async () => {
    lastEvaluations(accountEvaluationResult(RECORDED));

    await expect(handlerAt(at(1))(scheduledEvent())).rejects.toThrow(UndecidedVerdictError);

    expect(config).toHaveReceivedCommandWith(GetComplianceDetailsByConfigRuleCommand, {
      ConfigRuleName: EVENT_RULE_NAME,
      ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'],
      Limit: 100,
    });
  });

  it('follows NextToken and takes only the evaluation of this account', async () => {
    config
      .on(GetComplianceDetailsByConfigRuleCommand, { NextToken: undefined })
      .resolves({
        EvaluationResults: [accountEvaluationResult(at(10), { ResourceId: '444455556666' })],
        NextToken: 'page-2',
      })
      .on(GetComplianceDetailsByConfigRuleCommand, { NextToken: 'page-2' })
      .resolves({ EvaluationResults: [accountEvaluationResult(RECORDED)] });

    const result = await handlerAt(at(49))(scheduledEvent());

    expect(result.annotation).toMatch(/^could not verify since 2026-12-01T06:00:41.000Z: /);
    expect(config).toHaveReceivedCommandTimes(GetComplianceDetailsByConfigRuleCommand, 2);
  });

  it('keeps reporting since the same time on the next run (T carried forward)', async () => {
    lastEvaluations(accountEvaluationResult(RECORDED));
    const first = await handlerAt(at(49))(scheduledEvent());
    lastEvaluations(
      accountEvaluationResult(at(49), {
        ComplianceType: 'NON_COMPLIANT',
        Annotation: first.annotation,
      }),
    );

    const second = await handlerAt(at(73))(scheduledEvent());

    expect(second.annotation).toBe(first.annotation);
  });

  it('reports at once when no evaluation is on record', async () => {
    lastEvaluations();

    const result = await handlerAt(at(0))(scheduledEvent());

    expect(result).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: expect.stringMatching(
        /^could not verify since 2026-12-01T06:00:41.000Z: central/,
      ),
    });
  });

  it('reports at once, saying so, when its last evaluation cannot be read', async () => {
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));

    const result = await handlerAt(at(0))(scheduledEvent());

    expect(result.compliance).toBe('NON_COMPLIANT');
    expect(result.annotation).toMatch(
      /could not verify since .*; its last evaluation could not be read \(AccessDeniedException\)$/,
    );
  });

  it('never reads its evaluations when it can decide', async () => {
    cloudTrail.reset();
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [] });

    const result = await handlerAt(at(100))(scheduledEvent());

    expect(result.compliance).toBe('NON_COMPLIANT');
    expect(config).not.toHaveReceivedCommand(GetComplianceDetailsByConfigRuleCommand);
  });
});
