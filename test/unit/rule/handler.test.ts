import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  TrailNotFoundException,
} from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  type Evaluation,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { EvaluationNotAcceptedError, UndecidedVerdictError } from '../../../rule/errors';
import { createHandler, handler } from '../../../rule/handler';
import { logger } from '../../../rule/log';
import { DEFAULT_CONCURRENCY } from '../../../rule/reader';
import { accountEvaluation, putEvaluations } from '../../../rule/report';
import type { Trail } from '../../../rule/state';
import {
  ACCOUNT,
  accountEvaluationResult,
  advancedSelectors,
  basicSelector,
  basicSelectors,
  managementSelector,
  organizationTrail,
  oversizedTrailChangeEvent,
  scheduledEvent,
  status,
  trail,
  trailChangeEvent,
} from '../../support/fixtures';

const cloudTrail = mockClient(CloudTrailClient);
const config = mockClient(ConfigServiceClient);

/** A handler whose clients are real SDK clients (mocked by prototype), one per Region. */
function handlerIn(region: string) {
  const clients = new Map<string, CloudTrailClient>();
  const configClient = new ConfigServiceClient({ region });
  return createHandler(() => ({
    region,
    config: configClient,
    clientFor: (r) => {
      const client = clients.get(r) ?? new CloudTrailClient({ region: r });
      clients.set(r, client);
      return client;
    },
  }));
}

/** Each Get* call as (operation, Region of the client, trail ARN). */
async function getCalls(): Promise<string[]> {
  const calls = [
    ...cloudTrail.commandCalls(GetTrailStatusCommand).map((c) => ({
      op: 'GetTrailStatus',
      client: c.thisValue as CloudTrailClient,
      arn: c.args[0].input.Name,
    })),
    ...cloudTrail.commandCalls(GetEventSelectorsCommand).map((c) => ({
      op: 'GetEventSelectors',
      client: c.thisValue as CloudTrailClient,
      arn: c.args[0].input.TrailName,
    })),
  ];
  const rows = await Promise.all(
    calls.map(async (c) => `${c.op} ${await c.client.config.region()} ${c.arn}`),
  );
  return rows.sort();
}

function sentEvaluations(): Evaluation[] {
  return config
    .commandCalls(PutEvaluationsCommand)
    .flatMap((c) => c.args[0].input.Evaluations ?? []);
}

function serveTrails(trails: Trail[]) {
  cloudTrail
    .on(DescribeTrailsCommand, { includeShadowTrails: true })
    .resolves({ trailList: trails });
}

beforeEach(() => {
  cloudTrail.reset();
  config.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  // A COMPLIANT verdict recorded a minute ago: an undecided run is well inside its window.
  config.on(GetComplianceDetailsByConfigRuleCommand).callsFake(() => ({
    EvaluationResults: [accountEvaluationResult(new Date(Date.now() - 60_000))],
  }));
  cloudTrail.on(GetTrailStatusCommand).resolves(status(true));
  cloudTrail
    .on(GetEventSelectorsCommand)
    .callsFake((input: { TrailName: string }) =>
      basicSelectors(input.TrailName, [basicSelector()]),
    );
});

describe('rule handler: reading trails', () => {
  it('reads a shadow trail by ARN in its home Region', async () => {
    const shadow = trail({ Name: 'central', HomeRegion: 'eu-west-1' });
    serveTrails([shadow]);

    await handlerIn('ap-southeast-2')(scheduledEvent());

    expect(await getCalls()).toEqual([
      `GetEventSelectors eu-west-1 ${shadow.TrailARN}`,
      `GetTrailStatus eu-west-1 ${shadow.TrailARN}`,
    ]);
    expect(cloudTrail).toHaveReceivedCommandWith(DescribeTrailsCommand, {
      includeShadowTrails: true,
    });
  });

  it('makes no Get* call for single-Region trails or trails of another bucket', async () => {
    const single = trail({ Name: 'single', IsMultiRegionTrail: false });
    const otherBucket = trail({ Name: 'other-bucket', S3BucketName: 'team-a-trail' });
    const central = trail({ Name: 'central', S3BucketName: 'central-audit-logs' });
    serveTrails([single, otherBucket, central]);

    await handlerIn('us-east-1')(scheduledEvent({}, { s3BucketName: 'central-audit-logs' }));

    expect(await getCalls()).toEqual([
      `GetEventSelectors us-east-1 ${central.TrailARN}`,
      `GetTrailStatus us-east-1 ${central.TrailARN}`,
    ]);
  });

  it('makes no Get* call for trails of another SNS topic or log group', async () => {
    const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:trail-topic`;
    const group = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:trail-logs`;
    const otherTopic = trail({ Name: 'other-topic', SnsTopicARN: `${topic}-2` });
    const otherGroup = trail({
      Name: 'other-group',
      SnsTopicARN: topic,
      CloudWatchLogsLogGroupArn: `${group}-2:*`,
    });
    const both = trail({
      Name: 'both',
      SnsTopicARN: topic,
      CloudWatchLogsLogGroupArn: `${group}:*`,
    });
    serveTrails([otherTopic, otherGroup, both]);

    await handlerIn('us-east-1')(
      scheduledEvent({}, { snsTopicArn: topic, cloudWatchLogsLogGroupArn: group }),
    );

    expect(await getCalls()).toEqual([
      `GetEventSelectors us-east-1 ${both.TrailARN}`,
      `GetTrailStatus us-east-1 ${both.TrailARN}`,
    ]);
  });

  it('makes no GetEventSelectors call when includeManagementEvents is false', async () => {
    serveTrails([trail()]);

    await handlerIn('us-east-1')(scheduledEvent({}, { includeManagementEvents: 'false' }));

    expect(cloudTrail).toHaveReceivedCommandTimes(GetTrailStatusCommand, 1);
    expect(cloudTrail).not.toHaveReceivedCommand(GetEventSelectorsCommand);
  });

  it('de-duplicates trails listed twice by ARN', async () => {
    const t = trail();
    serveTrails([t, { ...t }]);

    await handlerIn('us-east-1')(scheduledEvent());

    expect(cloudTrail).toHaveReceivedCommandTimes(GetTrailStatusCommand, 1);
  });

  it('inspects candidate trails concurrently, never more than the bound at once', async () => {
    const trails = Array.from({ length: 12 }, (_, i) => trail({ Name: `t${i}` }));
    serveTrails(trails);
    let inFlight = 0;
    let peak = 0;
    cloudTrail.on(GetTrailStatusCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return status(false);
    });

    await handlerIn('us-east-1')(scheduledEvent());

    expect(peak).toBe(DEFAULT_CONCURRENCY);
  });
});

describe('rule handler: reporting', () => {
  it('sends one AWS::::Account evaluation with the notification time', async () => {
    serveTrails([trail()]);

    const result = await handlerIn('us-east-1')(scheduledEvent());

    expect(result.compliance).toBe('COMPLIANT');
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: 'eyJlbmNyeXB0ZWREYXRhIjpbLTEyLDU0XX0=',
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::::Account',
          ComplianceResourceId: ACCOUNT,
          ComplianceType: 'COMPLIANT',
          Annotation: result.annotation,
          OrderingTimestamp: new Date('2026-11-28T06:00:00.123Z'),
        },
      ],
    });
  });

  it('sends NON_COMPLIANT with the reason when no trail passes', async () => {
    const t = trail();
    serveTrails([t]);
    cloudTrail
      .on(GetEventSelectorsCommand)
      .resolves(basicSelectors(t.TrailARN, [basicSelector({ ReadWriteType: 'WriteOnly' })]));

    await handlerIn('us-east-1')(scheduledEvent());

    const [evaluation] = sentEvaluations();
    expect(evaluation?.ComplianceType).toBe('NON_COMPLIANT');
    expect(evaluation?.Annotation).toMatch(/no read management events/);
  });

  it('sends with TestMode when the result token is TESTMODE', async () => {
    serveTrails([trail()]);

    await handlerIn('us-east-1')(scheduledEvent({ resultToken: 'TESTMODE' }));

    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: 'TESTMODE',
      TestMode: true,
    });
  });

  it('does not set TestMode for a real result token', async () => {
    serveTrails([trail()]);

    await handlerIn('us-east-1')(scheduledEvent());

    const input = config.commandCalls(PutEvaluationsCommand)[0]?.args[0].input;
    expect(input).toBeDefined();
    expect(input?.TestMode).toBeUndefined();
  });

  it('fails the invocation when AWS Config reports FailedEvaluations', async () => {
    serveTrails([trail()]);
    config.on(PutEvaluationsCommand).resolves({
      FailedEvaluations: [
        {
          ComplianceResourceType: 'AWS::::Account',
          ComplianceResourceId: ACCOUNT,
          ComplianceType: 'COMPLIANT',
          OrderingTimestamp: new Date(),
        },
      ],
    });

    const error = await handlerIn('us-east-1')(scheduledEvent()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EvaluationNotAcceptedError);
    expect((error as Error).message).toMatch(
      /^AWS Config did not accept 1 evaluation: AWS::::Account\/\d{12}\. /,
    );
  });

  it('sends evaluations in batches of at most 100', async () => {
    const client = new ConfigServiceClient({ region: 'us-east-1' });
    const evaluations = Array.from({ length: 250 }, (_, i) =>
      accountEvaluation(String(100000000000 + i), 'COMPLIANT', 'ok', new Date(0)),
    );

    await putEvaluations(client, evaluations, 'token');

    const sizes = config
      .commandCalls(PutEvaluationsCommand)
      .map((c) => c.args[0].input.Evaluations?.length);
    expect(sizes).toEqual([100, 100, 50]);
  });

  it('reports NOT_APPLICABLE without reading trails when a scheduled notification left scope', async () => {
    serveTrails([trail()]);

    const result = await handlerIn('us-east-1')(scheduledEvent({ eventLeftScope: true }));

    expect(result.compliance).toBe('NOT_APPLICABLE');
    expect(sentEvaluations()[0]?.ComplianceType).toBe('NOT_APPLICABLE');
    expect(cloudTrail).not.toHaveReceivedCommand(DescribeTrailsCommand);
  });

  it('evaluates the account as usual when a changed trail left scope', async () => {
    serveTrails([trail()]);

    const result = await handlerIn('us-east-1')(trailChangeEvent({ eventLeftScope: true }));

    expect(result.compliance).toBe('COMPLIANT');
  });

  it('evaluates the account on a trail change, ordered by the capture time', async () => {
    serveTrails([trail()]);

    await handlerIn('us-east-1')(trailChangeEvent());

    expect(sentEvaluations()[0]).toMatchObject({
      ComplianceResourceType: 'AWS::::Account',
      ComplianceResourceId: ACCOUNT,
      OrderingTimestamp: new Date('2026-11-28T05:41:07.511Z'),
    });
  });

  it('evaluates the account on an oversized trail change, ordered by the capture time', async () => {
    serveTrails([trail()]);

    await handlerIn('us-east-1')(oversizedTrailChangeEvent());

    expect(sentEvaluations()[0]).toMatchObject({
      ComplianceType: 'COMPLIANT',
      OrderingTimestamp: new Date('2026-11-28T05:43:09.002Z'),
    });
  });

  it("logs the verdict with every trail's full coverage, for what the annotation cannot hold", async () => {
    const t = trail();
    serveTrails([t]);
    cloudTrail.on(GetEventSelectorsCommand).resolves(
      basicSelectors(t.TrailARN, [
        basicSelector({
          ExcludeManagementEventSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'],
        }),
      ]),
    );
    const info = jest.spyOn(logger, 'info');

    await handlerIn('us-east-1')(scheduledEvent());

    expect(info).toHaveBeenCalledWith(
      'CloudTrail.1 verdict',
      expect.objectContaining({
        compliance: 'NON_COMPLIANT',
        trails: [
          expect.objectContaining({
            arn: t.TrailARN,
            coverage: expect.objectContaining({
              uncoveredRead: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'],
            }),
          }),
        ],
      }),
    );
    info.mockRestore();
  });

  it('makes no write call other than PutEvaluations', async () => {
    serveTrails([trail(), trail({ Name: 'second', IsMultiRegionTrail: false })]);

    await handlerIn('us-east-1')(scheduledEvent());

    const commands = cloudTrail.calls().map((c) => c.args[0].constructor.name);
    expect(new Set(commands)).toEqual(
      new Set(['DescribeTrailsCommand', 'GetTrailStatusCommand', 'GetEventSelectorsCommand']),
    );
    expect(config.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'PutEvaluationsCommand',
    ]);
  });
});

describe('rule handler: faults', () => {
  it('treats a trail deleted after DescribeTrails as absent', async () => {
    const gone = trail({ Name: 'gone' });
    serveTrails([gone]);
    const notFound = new TrailNotFoundException({ message: 'Unknown trail', $metadata: {} });
    cloudTrail.on(GetTrailStatusCommand, { Name: gone.TrailARN }).rejects(notFound);
    cloudTrail.on(GetEventSelectorsCommand, { TrailName: gone.TrailARN }).rejects(notFound);

    const result = await handlerIn('us-east-1')(scheduledEvent());

    expect(result.compliance).toBe('NON_COMPLIANT');
    expect(result.annotation).toMatch(/No CloudTrail trail is visible/);
  });

  it('is COMPLIANT when one trail is AccessDenied while another passes', async () => {
    const locked = trail({ Name: 'locked' });
    serveTrails([locked, trail({ Name: 'open' })]);
    cloudTrail.on(GetEventSelectorsCommand, { TrailName: locked.TrailARN }).rejects(accessDenied());

    const result = await handlerIn('us-east-1')(scheduledEvent());

    expect(result.compliance).toBe('COMPLIANT');
    expect(result.annotation).toContain('open');
  });

  it('fails with the unreadable trail named, and sends nothing, when AccessDenied and none passes', async () => {
    const locked = trail({ Name: 'locked' });
    serveTrails([locked, trail({ Name: 'stopped' })]);
    cloudTrail.on(GetTrailStatusCommand).resolves(status(false));
    cloudTrail.on(GetTrailStatusCommand, { Name: locked.TrailARN }).rejects(accessDenied());

    const run = handlerIn('us-east-1')(scheduledEvent());

    await expect(run).rejects.toThrow(UndecidedVerdictError);
    await expect(run).rejects.toThrow(
      /trail\/locked: GetTrailStatus failed: AccessDeniedException/,
    );
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it('fails when throttling outlasts the retries, rather than guessing', async () => {
    serveTrails([trail()]);
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    cloudTrail.on(GetEventSelectorsCommand).rejects(throttled);

    await expect(handlerIn('us-east-1')(scheduledEvent())).rejects.toThrow(/ThrottlingException/);
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it('fails without an evaluation when DescribeTrails fails', async () => {
    cloudTrail.on(DescribeTrailsCommand).rejects(accessDenied());

    await expect(handlerIn('us-east-1')(scheduledEvent())).rejects.toThrow(/not authorized/);
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it('trusts an organization trail with unreadable selectors by default', async () => {
    const org = organizationTrail();
    serveTrails([org]);
    cloudTrail
      .on(GetEventSelectorsCommand, { TrailName: org.TrailARN })
      .rejects(new TrailNotFoundException({ message: 'Unknown trail', $metadata: {} }));

    const result = await handlerIn('us-east-1')(scheduledEvent());

    expect(result.compliance).toBe('COMPLIANT');
    expect(result.annotation).toMatch(/organization trail.*trusted/);
  });

  it('does not trust it when trustOrganizationTrails is false', async () => {
    const org = organizationTrail();
    serveTrails([org]);
    cloudTrail.on(GetEventSelectorsCommand, { TrailName: org.TrailARN }).rejects(accessDenied());

    const result = await handlerIn('us-east-1')(
      scheduledEvent({}, { trustOrganizationTrails: 'FALSE' }),
    );

    expect(result.compliance).toBe('NON_COMPLIANT');
  });

  it('evaluates advanced selectors read from the API', async () => {
    const t = trail();
    serveTrails([t]);
    cloudTrail
      .on(GetEventSelectorsCommand)
      .resolves(
        advancedSelectors(t.TrailARN, [
          managementSelector([{ Field: 'readOnly', Equals: ['true'] }], 'reads'),
          managementSelector([{ Field: 'readOnly', Equals: ['false'] }], 'writes'),
        ]),
      );

    const result = await handlerIn('us-east-1')(scheduledEvent());

    expect(result.compliance).toBe('COMPLIANT');
  });
});

describe('rule handler: Lambda entry point', () => {
  const region = process.env.AWS_REGION;
  afterEach(() => {
    process.env.AWS_REGION = region;
  });

  it('reads from the Region the function runs in', async () => {
    process.env.AWS_REGION = 'ca-central-1';
    serveTrails([trail({ HomeRegion: 'ca-central-1' })]);

    const result = await handler(scheduledEvent());

    expect(result.compliance).toBe('COMPLIANT');
    const describeClient = cloudTrail.commandCalls(DescribeTrailsCommand)[0]?.thisValue as
      | CloudTrailClient
      | undefined;
    expect(await describeClient?.config.region()).toBe('ca-central-1');
  });

  it('fails with a clear message when no Region is known', async () => {
    await expect(
      createHandler(() => ({
        region: undefined,
        config: new ConfigServiceClient({ region: 'us-east-1' }),
        clientFor: (r) => new CloudTrailClient({ region: r }),
      }))(scheduledEvent()),
    ).rejects.toThrow(/AWS_REGION is not set/);
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });
});

function accessDenied(): Error {
  return Object.assign(
    new Error(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/rule/fn is not authorized to perform this operation`,
    ),
    { name: 'AccessDeniedException' },
  );
}
