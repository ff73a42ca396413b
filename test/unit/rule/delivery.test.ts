import { deliveryProblem, evaluateAccount, MAX_DELIVERY_GAP_MS } from '../../../rule/evaluate';
import { DEFAULT_PARAMETERS, type RuleParameters } from '../../../rule/parameters';
import type { TrailState } from '../../../rule/state';
import { accountState, readTrail, status, trail } from '../../support/fixtures';

/**
 * GetTrailStatus says whether a trail delivers: `LatestDeliveryError` is
 * "any Amazon S3 error that CloudTrail encountered when attempting to
 * deliver log files to the designated bucket", and `LatestDeliveryTime` when
 * it last did; `StartLoggingTime` when logging last started.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html
 */

/** When the fixtures' state was read (`accountState`'s readAt). */
const READ_AT = Date.parse('2026-11-28T00:00:00.000Z');

const params = (overrides: Partial<RuleParameters> = {}): RuleParameters => ({
  ...DEFAULT_PARAMETERS,
  ...overrides,
});

/** A logging trail whose GetTrailStatus has these delivery fields. */
function withStatus(fields: Record<string, unknown>, logging = true): TrailState {
  const state = readTrail(trail(), { logging });
  return { ...state, status: { response: { ...status(logging), ...fields } } };
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('CloudTrail.1 delivery: which trails are not delivering', () => {
  it('names LatestDeliveryError as the failure, whatever the delivery time says', () => {
    expect(
      deliveryProblem(
        { IsLogging: true, LatestDeliveryError: 'NoSuchBucket', LatestDeliveryTime: iso(READ_AT) },
        READ_AT,
      ),
    ).toBe('last delivery failed with NoSuchBucket');
  });

  it('counts exactly an hour without a delivery as delivering, and a millisecond more as failed', () => {
    const at = (gap: number) =>
      deliveryProblem(
        {
          IsLogging: true,
          LatestDeliveryTime: iso(READ_AT - gap),
          StartLoggingTime: '2026-01-05T09:12:44.000Z',
        },
        READ_AT,
      );

    expect(at(MAX_DELIVERY_GAP_MS)).toBeUndefined();
    expect(at(MAX_DELIVERY_GAP_MS + 1)).toBe(
      `no log file delivered since ${iso(READ_AT - MAX_DELIVERY_GAP_MS - 1)}`,
    );
  });

  it('counts from the start of logging when logging started again after the last delivery', () => {
    const restarted = {
      IsLogging: true,
      LatestDeliveryTime: '2026-11-01T00:00:00.000Z',
      StartLoggingTime: iso(READ_AT - 10 * 60_000),
    };

    expect(deliveryProblem(restarted, READ_AT)).toBeUndefined();
    expect(deliveryProblem(restarted, READ_AT + MAX_DELIVERY_GAP_MS)).toBe(
      `no log file delivered since logging started at ${restarted.StartLoggingTime}`,
    );
  });

  it('fails a trail that has logged for over an hour and never delivered', () => {
    expect(
      deliveryProblem({ IsLogging: true, StartLoggingTime: '2026-11-27T20:00:00.000Z' }, READ_AT),
    ).toBe('no log file delivered since logging started at 2026-11-27T20:00:00.000Z');
  });

  it('judges only the error when it does not know when the state was read', () => {
    const stale = { IsLogging: true, LatestDeliveryTime: '2020-01-01T00:00:00.000Z' };

    expect(deliveryProblem(stale, undefined)).toBeUndefined();
    expect(deliveryProblem({ ...stale, LatestDeliveryError: 'AccessDenied' }, undefined)).toBe(
      'last delivery failed with AccessDenied',
    );
  });

  it('does not judge a stopped trail, or an empty error', () => {
    expect(
      deliveryProblem({ IsLogging: false, LatestDeliveryError: 'NoSuchBucket' }, READ_AT),
    ).toBe(undefined);
    expect(
      deliveryProblem(
        { IsLogging: true, LatestDeliveryError: '', LatestDeliveryTime: iso(READ_AT) },
        READ_AT,
      ),
    ).toBeUndefined();
  });
});

describe('CloudTrail.1 delivery: the verdict', () => {
  const failing = () => withStatus({ LatestDeliveryError: 'NoSuchBucket' });

  it('passes a logging trail that does not deliver by default, as Security Hub does, and names the error', () => {
    const verdict = evaluateAccount(accountState([failing()]), params());

    expect(verdict.compliance).toBe('COMPLIANT');
    expect(verdict.compliance === 'COMPLIANT' && verdict.annotation).toBe(
      'Trail management-events (us-east-1) is multi-Region, logging (but not delivering: last delivery failed with NoSuchBucket; requireDelivery=true would fail it) and records read and write management events from every source.',
    );
    expect(verdict.trails[0]?.notes).toEqual([
      'delivery failing: last delivery failed with NoSuchBucket (requireDelivery is false, so it still passes)',
    ]);
  });

  it('fails it with requireDelivery, naming the error', () => {
    const verdict = evaluateAccount(accountState([failing()]), params({ requireDelivery: true }));

    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toBe(
      'No trail passes CloudTrail.1. Closest: management-events (us-east-1): delivery failing: last delivery failed with NoSuchBucket.',
    );
    expect(verdict.trails[0]?.requirements).toContainEqual({
      requirement: 'delivery',
      outcome: 'fail',
      detail: 'delivery failing: last delivery failed with NoSuchBucket',
    });
  });

  it('fails with requireDelivery a trail silent for over an hour before the read', () => {
    const silent = withStatus({ LatestDeliveryTime: iso(READ_AT - MAX_DELIVERY_GAP_MS - 1_000) });

    const verdict = evaluateAccount(accountState([silent]), params({ requireDelivery: true }));

    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toContain(
      `no log file delivered since ${iso(READ_AT - MAX_DELIVERY_GAP_MS - 1_000)}`,
    );
  });

  it('passes with requireDelivery a trail that delivered minutes before the read', () => {
    const verdict = evaluateAccount(
      accountState([withStatus({})]),
      params({ requireDelivery: true }),
    );

    expect(verdict.compliance).toBe('COMPLIANT');
    expect(verdict.trails[0]?.requirements).toContainEqual({
      requirement: 'delivery',
      outcome: 'pass',
      detail: 'delivering',
    });
  });

  it('prefers to name a delivering trail when two pass', () => {
    const delivering = readTrail(trail({ Name: 'z-delivering' }));
    const broken = { ...failing(), trail: trail({ Name: 'a-broken' }) };

    const verdict = evaluateAccount(accountState([broken, delivering]), params());

    expect(verdict.compliance === 'COMPLIANT' && verdict.passing.name).toBe('z-delivering');
  });

  it('names the failed delivery of the closest trail even when it fails for another reason', () => {
    const single = withStatus({ LatestDeliveryError: 'AccessDenied' });
    single.trail = trail({ IsMultiRegionTrail: false });

    const verdict = evaluateAccount(accountState([single]), params());

    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toBe(
      'No trail passes CloudTrail.1. Closest: management-events (us-east-1): not multi-Region; delivery failing: last delivery failed with AccessDenied.',
    );
  });

  it('judges a stopped trail on logging alone, even with requireDelivery', () => {
    const stopped = withStatus({ LatestDeliveryError: 'NoSuchBucket' }, false);

    const verdict = evaluateAccount(accountState([stopped]), params({ requireDelivery: true }));

    expect(verdict.trails[0]?.requirements.map((r) => r.requirement)).not.toContain('delivery');
    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toContain(
      'logging is stopped',
    );
  });
});
