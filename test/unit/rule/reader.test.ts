import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { cloudTrailClients, retrySettings } from '../../../rule/clients';
import { mapWithConcurrency, readAccountTrailState } from '../../../rule/reader';
import { accountTrailStateSchema } from '../../../rule/state';
import { ACCOUNT, basicSelector, basicSelectors, status, trail } from '../../support/fixtures';

const cloudTrail = mockClient(CloudTrailClient);

beforeEach(() => {
  cloudTrail.reset();
});

describe('trail-state reader', () => {
  it('reads every trail fully by default, producing a valid snapshot', async () => {
    const home = trail({ Name: 'home', IsMultiRegionTrail: false });
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [home] });
    cloudTrail.on(GetTrailStatusCommand).resolves({
      ...status(true),
      LatestDeliveryTime: new Date('2026-11-27T23:55:12.000Z'),
    });
    cloudTrail
      .on(GetEventSelectorsCommand)
      .resolves(basicSelectors(home.TrailARN, [basicSelector()]));

    const state = await readAccountTrailState({
      accountId: ACCOUNT,
      region: 'us-east-1',
      clientFor: cloudTrailClients(),
    });

    expect(accountTrailStateSchema.parse(state)).toEqual(state);
    expect(state.trails[0]?.status).toEqual({
      response: expect.objectContaining({ LatestDeliveryTime: '2026-11-27T23:55:12.000Z' }),
    });
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('skips a DescribeTrails entry that has no TrailARN', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [{ Name: 'half-created' }] });

    const state = await readAccountTrailState({
      accountId: ACCOUNT,
      region: 'us-east-1',
      clientFor: cloudTrailClients(),
    });

    expect(state.trails).toEqual([]);
  });

  it('records a non-Error rejection by its text', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [trail()] });
    cloudTrail.on(GetTrailStatusCommand).callsFake(() => Promise.reject('socket hang up'));
    cloudTrail.on(GetEventSelectorsCommand).resolves({});

    const state = await readAccountTrailState({
      accountId: ACCOUNT,
      region: 'us-east-1',
      clientFor: cloudTrailClients(),
    });

    expect(state.trails[0]?.status).toEqual({
      error: { name: 'Error', message: 'socket hang up' },
    });
  });

  it('reuses one client per Region', () => {
    const clientFor = cloudTrailClients();

    expect(clientFor('eu-west-1')).toBe(clientFor('eu-west-1'));
    expect(clientFor('eu-west-1')).not.toBe(clientFor('us-east-1'));
  });
});

describe('retry settings', () => {
  it('uses adaptive retries with bounded attempts by default', () => {
    expect(retrySettings({})).toEqual({ retryMode: 'adaptive', maxAttempts: 5 });
  });

  it('leaves AWS_RETRY_MODE and AWS_MAX_ATTEMPTS to the SDK when they are set', () => {
    expect(retrySettings({ AWS_RETRY_MODE: 'standard', AWS_MAX_ATTEMPTS: '2' })).toEqual({});
  });
});

describe('bounded concurrency', () => {
  it('keeps the order of its input', async () => {
    const delays = [30, 10, 20, 0, 5];

    const out = await mapWithConcurrency(delays, 2, async (ms) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return ms * 2;
    });

    expect(out).toEqual([60, 20, 40, 0, 10]);
  });

  it('does nothing for no input', async () => {
    expect(await mapWithConcurrency([], 5, async () => 1)).toEqual([]);
  });
});
