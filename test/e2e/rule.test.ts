import {
  CloudTrailClient,
  GetEventSelectorsCommand,
  type GetEventSelectorsResponse,
} from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import {
  type AccountTrail,
  type AwsAccount,
  type ConfigEvaluationResult,
  type Fault,
  LOGGING,
  STOPPED,
  type TrailEntry,
  type TrailStatusWire,
} from '../support/aws-account/model';
import {
  type AccountEndpoint,
  FAKE_ACCESS_KEY_ID,
  FAKE_SECRET_ACCESS_KEY,
  type RecordedRequest,
  startAccountEndpoint,
} from '../support/aws-account/serve-http';
import {
  BUNDLE_SHAPES,
  type BundledHandler,
  bundleHandler,
  e2eNode,
  type Invocation,
  majorOf,
  RULE_ENTRY,
} from '../support/bundled-handler';
import { ACCOUNT, MANAGEMENT_ACCOUNT, trail } from '../support/fixtures';
import { type StalledEndpoint, startStalledEndpoint } from '../support/stalled-endpoint';

/*
 * End-to-end: the rule as it ships, run in its own `node` process with only
 * the standard SDK environment variables, against a fake CloudTrail and AWS
 * Config on 127.0.0.1. What crosses the wire is what is asserted:
 * operations, signing Regions, request bodies. Every scenario runs against
 * both deployed bundles: the single-account stack's asset (the AWS SDK
 * inside) and the member template's inline code (the runtime's AWS SDK).
 */

/** The Region the function runs in (`AWS_REGION`). */
const REGION = 'us-east-1';
const MAX_ATTEMPTS = 2;
const RESULT_TOKEN =
  'eyJlbmNyeXB0ZWREYXRhIjpbLTEwLDE0LDEyLDk5XSwibWF0ZXJpYWxTZXRTZXJpYWxOdW1iZXIiOjF9';
const NOTIFICATION_TIME = '2026-03-02T04:05:06.789Z';

/** What the rule's handler returns. */
const resultSchema = z.object({ compliance: z.string(), annotation: z.string() });

let fake: AccountEndpoint;
let stalled: StalledEndpoint;
let rule: BundledHandler;

beforeAll(async () => {
  [fake, stalled] = await Promise.all([startAccountEndpoint(), startStalledEndpoint()]);
});

afterAll(async () => {
  await Promise.all([fake?.close(), stalled?.close()]);
});

/** Invokes the bundled rule once in a fresh `node` process, as Lambda would on a cold start. */
function invoke(event: ConfigRuleEvent): Promise<Invocation> {
  return rule.invoke(event, { endpoint: fake.endpoint, region: REGION, maxAttempts: MAX_ATTEMPTS });
}

/** Invokes the rule and expects it to report; gives what it reported and the one evaluation sent. */
async function evaluate(event: ConfigRuleEvent = scheduledEvent()) {
  const run = await invoke(event);
  if (run.outcome?.ok !== true || run.exitCode !== 0) {
    throw new Error(
      `the rule did not report (exit ${run.exitCode}): ${JSON.stringify(run.outcome)}\n${run.output}`,
    );
  }
  const puts = fake.putEvaluations();
  expect(puts).toHaveLength(1);
  const evaluations = puts[0]?.Evaluations ?? [];
  expect(evaluations).toHaveLength(1);
  const evaluation = evaluations[0];
  if (evaluation === undefined) throw new Error('PutEvaluations carried no evaluation');
  return { result: resultSchema.parse(run.outcome.result), evaluation, request: puts[0] };
}

/** Invokes the rule and expects the invocation to fail; gives the error it raised. */
async function evaluateExpectingFailure(event: ConfigRuleEvent = scheduledEvent()) {
  const run = await invoke(event);
  if (run.outcome?.ok !== false || run.exitCode !== 0) {
    throw new Error(
      `the rule did not fail cleanly (exit ${run.exitCode}): ${JSON.stringify(run.outcome)}\n${run.output}`,
    );
  }
  return run.outcome.error;
}

function namedTrail(request: RecordedRequest): unknown {
  return request.body.Name ?? request.body.TrailName;
}

// ---------------------------------------------------------------- fixtures

interface ConfigRuleEvent {
  version: string;
  invokingEvent: string;
  ruleParameters?: string;
  resultToken: string;
  eventLeftScope: boolean;
  executionRoleArn: string;
  configRuleArn: string;
  configRuleName: string;
  configRuleId: string;
  accountId: string;
  evaluationMode: string;
}

function scheduledEvent(
  options: { parameters?: Record<string, string>; resultToken?: string; leftScope?: boolean } = {},
): ConfigRuleEvent {
  return configEvent(
    {
      awsAccountId: ACCOUNT,
      notificationCreationTime: NOTIFICATION_TIME,
      messageType: 'ScheduledNotification',
      recordVersion: '1.0',
    },
    options,
  );
}

function configEvent(
  notification: Record<string, unknown>,
  options: { parameters?: Record<string, string>; resultToken?: string; leftScope?: boolean } = {},
): ConfigRuleEvent {
  return {
    version: '1.0',
    invokingEvent: JSON.stringify(notification),
    ...(options.parameters ? { ruleParameters: JSON.stringify(options.parameters) } : {}),
    resultToken: options.resultToken ?? RESULT_TOKEN,
    eventLeftScope: options.leftScope ?? false,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
    configRuleArn: `arn:aws:config:${REGION}:${ACCOUNT}:config-rule/config-rule-k3vq0x`,
    configRuleName: 'cloudtrail-1-multi-region-trail',
    configRuleId: 'config-rule-k3vq0x',
    accountId: ACCOUNT,
    evaluationMode: 'DETECTIVE',
  };
}

/** A `DescribeTrails` entry with the fields CloudTrail fills in. */
function trailEntry(
  name: string,
  options: Partial<TrailEntry> & { owner?: string } = {},
): TrailEntry {
  const { owner = ACCOUNT, ...fields } = options;
  return trail({ Name: name, HomeRegion: REGION, HasCustomEventSelectors: true, ...fields }, owner);
}

/** What the console sets up by default: one basic selector, all management events. */
const ALL_MANAGEMENT: GetEventSelectorsResponse = {
  EventSelectors: [
    {
      ReadWriteType: 'All',
      IncludeManagementEvents: true,
      DataResources: [],
      ExcludeManagementEventSources: [],
    },
  ],
};

function fakeTrail(
  trail: TrailEntry,
  eventSelectors: GetEventSelectorsResponse = ALL_MANAGEMENT,
  status: TrailStatusWire = LOGGING,
): AccountTrail {
  return { trail, status, eventSelectors };
}

/** The rule's evaluation of the account as AWS Config records it, on the wire, `ageHours` ago. */
function recordedEvaluation(ageHours: number): ConfigEvaluationResult {
  const recorded = (Date.now() - ageHours * 3_600_000) / 1000;
  return {
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: {
        ConfigRuleName: 'cloudtrail-1-multi-region-trail',
        ResourceType: 'AWS::::Account',
        ResourceId: ACCOUNT,
        EvaluationMode: 'DETECTIVE',
      },
      OrderingTimestamp: recorded - 40,
    },
    ComplianceType: 'COMPLIANT',
    ResultRecordedTime: recorded,
    ConfigRuleInvokedTime: recorded - 38,
    Annotation: 'Trail management-events (us-east-1) is multi-Region, logging.',
  };
}

/** The account, with a COMPLIANT evaluation recorded a minute ago (well inside the undecided window). */
function account(...trails: AccountTrail[]): AwsAccount {
  return { accountId: ACCOUNT, trails, evaluations: [recordedEvaluation(1 / 60)] };
}

function awsError(type: string, message: string): Fault['error'] {
  return { type, message };
}

// ---------------------------------------------------------------- specification

describe.each(BUNDLE_SHAPES)('CloudTrail.1 rule, bundled (%s), on a fake AWS', (shape) => {
  beforeAll(async () => {
    rule = await bundleHandler(RULE_ENTRY, shape);
  }, 60_000);

  afterAll(async () => {
    await rule?.dispose();
  });

  it(`runs under Node.js ${e2eNode().major}: E2E_NODE's, or the one running the tests`, async () => {
    fake.serve(account());

    const run = await invoke(scheduledEvent());

    expect(run.outcome?.ok).toBe(true);
    expect(majorOf(run.node ?? '')).toBe(e2eNode().major);
  });

  it('reports COMPLIANT for a multi-Region trail that logs all management events', async () => {
    const trail = trailEntry('management-events');
    fake.serve(account(fakeTrail(trail)));

    const { result, evaluation } = await evaluate();

    expect(result.compliance).toBe('COMPLIANT');
    expect(evaluation.ComplianceType).toBe('COMPLIANT');
    expect(evaluation.Annotation).toContain('management-events');
    const operations = fake.requests.map((r) => `${r.operation} ${r.region}`);
    expect(operations[0]).toBe(`DescribeTrails ${REGION}`);
    // The two reads of one trail go out together, in either order.
    expect(operations.slice(1, -1).sort()).toEqual([
      `GetEventSelectors ${REGION}`,
      `GetTrailStatus ${REGION}`,
    ]);
    expect(operations.at(-1)).toBe(`PutEvaluations ${REGION}`);
    expect(fake.calls('DescribeTrails')[0]?.body).toEqual({ includeShadowTrails: true });
    expect(fake.calls('GetTrailStatus').map(namedTrail)).toEqual([trail.TrailARN]);
    expect(fake.calls('GetEventSelectors').map(namedTrail)).toEqual([trail.TrailARN]);
  });

  it('reads a shadow trail by ARN in its home Region, not in the Region it is listed from', async () => {
    const shadow = trailEntry('security-audit', { HomeRegion: 'eu-west-1' });
    const local = trailEntry('local-debug', { IsMultiRegionTrail: false });
    fake.serve(account(fakeTrail(local), fakeTrail(shadow)));

    const { result } = await evaluate();

    expect(result.compliance).toBe('COMPLIANT');
    expect(result.annotation).toContain('security-audit (eu-west-1)');
    expect(fake.calls('DescribeTrails').map((r) => r.region)).toEqual([REGION]);
    const reads = [...fake.calls('GetTrailStatus'), ...fake.calls('GetEventSelectors')];
    expect(reads).toHaveLength(2);
    for (const read of reads) {
      expect({
        region: read.region,
        trail: namedTrail(read),
        status: read.response.status,
      }).toEqual({ region: 'eu-west-1', trail: shadow.TrailARN, status: 200 });
    }
  });

  it('passes a read-only selector plus a write-only selector', async () => {
    fake.serve(
      account(
        fakeTrail(trailEntry('split-selectors'), {
          EventSelectors: [
            {
              ReadWriteType: 'ReadOnly',
              IncludeManagementEvents: true,
              DataResources: [],
              ExcludeManagementEventSources: [],
            },
            {
              ReadWriteType: 'WriteOnly',
              IncludeManagementEvents: true,
              DataResources: [
                { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::example-bucket/'] },
              ],
              ExcludeManagementEventSources: [],
            },
          ],
        }),
      ),
    );

    const { evaluation } = await evaluate();

    expect(evaluation.ComplianceType).toBe('COMPLIANT');
    expect(evaluation.Annotation).toContain('split-selectors');
  });

  it('fails an advanced selector that excludes kms.amazonaws.com, naming the source', async () => {
    fake.serve(
      account(
        fakeTrail(trailEntry('advanced-no-kms'), {
          AdvancedEventSelectors: [
            {
              Name: 'Log all management events',
              FieldSelectors: [
                { Field: 'eventCategory', Equals: ['Management'] },
                { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] },
              ],
            },
          ],
        }),
      ),
    );

    const { evaluation } = await evaluate();

    expect(evaluation.ComplianceType).toBe('NON_COMPLIANT');
    expect(evaluation.Annotation).toContain('advanced-no-kms');
    expect(evaluation.Annotation).toContain('kms.amazonaws.com');
  });

  describe('rule parameters', () => {
    it('s3BucketName: only a trail delivering to that bucket passes', async () => {
      const bucket = 'central-cloudtrail-logs-111122223333';
      const other = trailEntry('a-team-trail', { S3BucketName: 'team-logs-bucket' });
      fake.serve(
        account(
          fakeTrail(other),
          fakeTrail(trailEntry('z-central-trail', { S3BucketName: bucket })),
        ),
      );

      const { evaluation } = await evaluate(
        scheduledEvent({ parameters: { s3BucketName: bucket } }),
      );

      expect(evaluation.ComplianceType).toBe('COMPLIANT');
      expect(evaluation.Annotation).toContain('z-central-trail');
      // A trail the listing already rules out is not read.
      expect(fake.calls('GetTrailStatus').map(namedTrail)).not.toContain(other.TrailARN);
    });

    it('s3BucketName: a trail delivering elsewhere is NON_COMPLIANT, naming both buckets', async () => {
      fake.serve(
        account(fakeTrail(trailEntry('team-trail', { S3BucketName: 'team-logs-bucket' }))),
      );

      const { evaluation } = await evaluate(
        scheduledEvent({ parameters: { s3BucketName: 'central-cloudtrail-logs' } }),
      );

      expect(evaluation.ComplianceType).toBe('NON_COMPLIANT');
      expect(evaluation.Annotation).toContain('team-logs-bucket');
      expect(evaluation.Annotation).toContain('central-cloudtrail-logs');
    });

    it('snsTopicArn: only a trail notifying that topic passes', async () => {
      const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:cloudtrail-delivery`;
      fake.serve(
        account(
          fakeTrail(trailEntry('a-quiet-trail')),
          fakeTrail(
            trailEntry('z-notifying-trail', {
              SnsTopicName: 'cloudtrail-delivery',
              SnsTopicARN: topic,
            }),
          ),
        ),
      );

      const { evaluation } = await evaluate(scheduledEvent({ parameters: { snsTopicArn: topic } }));

      expect(evaluation.ComplianceType).toBe('COMPLIANT');
      expect(evaluation.Annotation).toContain('z-notifying-trail');
    });

    it('cloudWatchLogsLogGroupArn: matches the trail log group with or without ":*"', async () => {
      const group = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:aws-cloudtrail-logs`;
      fake.serve(
        account(
          fakeTrail(trailEntry('a-s3-only-trail')),
          fakeTrail(
            trailEntry('z-cloudwatch-trail', {
              CloudWatchLogsLogGroupArn: `${group}:*`,
              CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/CloudTrailRoleForCloudWatchLogs`,
            }),
          ),
        ),
      );

      const { evaluation } = await evaluate(
        scheduledEvent({ parameters: { cloudWatchLogsLogGroupArn: group } }),
      );

      expect(evaluation.ComplianceType).toBe('COMPLIANT');
      expect(evaluation.Annotation).toContain('z-cloudwatch-trail');
    });

    it('includeManagementEvents false: a data-events-only trail passes and selectors are not read', async () => {
      fake.serve(
        account(
          fakeTrail(trailEntry('data-events-only'), {
            EventSelectors: [
              {
                ReadWriteType: 'All',
                IncludeManagementEvents: false,
                DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }],
                ExcludeManagementEventSources: [],
              },
            ],
          }),
        ),
      );

      const { evaluation } = await evaluate(
        scheduledEvent({ parameters: { includeManagementEvents: 'FALSE' } }),
      );

      expect(evaluation.ComplianceType).toBe('COMPLIANT');
      expect(evaluation.Annotation).toContain('data-events-only');
      expect(fake.calls('GetEventSelectors')).toHaveLength(0);
    });

    it('readWriteType WriteOnly: a write-only trail passes', async () => {
      fake.serve(
        account(
          fakeTrail(trailEntry('write-only'), {
            EventSelectors: [
              {
                ReadWriteType: 'WriteOnly',
                IncludeManagementEvents: true,
                DataResources: [],
                ExcludeManagementEventSources: [],
              },
            ],
          }),
        ),
      );

      const { evaluation } = await evaluate(
        scheduledEvent({ parameters: { readWriteType: 'writeonly' } }),
      );

      expect(evaluation.ComplianceType).toBe('COMPLIANT');
      expect(evaluation.Annotation).toContain('write management events');
    });

    it('trustOrganizationTrails false: an organization trail with unreadable selectors fails', async () => {
      const orgTrail = trailEntry('org-trail', {
        owner: MANAGEMENT_ACCOUNT,
        HomeRegion: 'us-west-2',
      });
      fake.serve(account(fakeTrail(orgTrail)), [
        {
          operation: 'GetEventSelectors',
          trail: orgTrail.TrailARN,
          error: awsError(
            'AccessDeniedException',
            `User: arn:aws:sts::${ACCOUNT}:assumed-role/cloudtrail-rule/fn is not authorized to perform: cloudtrail:GetEventSelectors on resource: ${orgTrail.TrailARN}`,
          ),
        },
      ]);

      const { evaluation } = await evaluate(
        scheduledEvent({ parameters: { trustOrganizationTrails: 'false' } }),
      );

      expect(evaluation.ComplianceType).toBe('NON_COMPLIANT');
      expect(evaluation.Annotation).toContain('trustOrganizationTrails is false');
      expect(fake.calls('GetEventSelectors').map((r) => r.region)).toEqual(['us-west-2']);
    });

    it('trustOrganizationTrails by default: the same organization trail is trusted', async () => {
      const orgTrail = trailEntry('org-trail', {
        owner: MANAGEMENT_ACCOUNT,
        HomeRegion: 'us-west-2',
      });
      // No fault: the fake answers TrailNotFoundException, as CloudTrail does for a member account.
      fake.serve(account(fakeTrail(orgTrail)));

      const { evaluation } = await evaluate();

      expect(fake.calls('GetEventSelectors')[0]?.response.errorType).toBe('TrailNotFoundException');
      expect(evaluation.ComplianceType).toBe('COMPLIANT');
      expect(evaluation.Annotation).toContain('org-trail');
      expect(evaluation.Annotation).toContain('trusted');
    });
  });

  describe('errors from AWS', () => {
    it('ends, naming the endpoint and the timeout, when the endpoint accepts connections and never answers', async () => {
      stalled.forget();

      const run = await rule.invoke(scheduledEvent(), {
        endpoint: stalled.endpoint,
        region: REGION,
        maxAttempts: MAX_ATTEMPTS,
      });

      // Each attempt of DescribeTrails gives up after the 5 s request timeout; nothing is reported.
      expect(run.outcome).toEqual({
        ok: false,
        error: {
          name: 'AwsTimeoutError',
          message: expect.stringContaining(
            `CloudTrail DescribeTrails in ${REGION} timed out: ${stalled.endpoint}/ did not answer within the 5000 ms request timeout (${MAX_ATTEMPTS} attempts).`,
          ),
        },
      });
      expect(stalled.connections).toBe(MAX_ATTEMPTS);
      expect(run.ms).toBeGreaterThanOrEqual(MAX_ATTEMPTS * 5_000);
      expect(run.ms).toBeLessThan(MAX_ATTEMPTS * 5_000 + 5_000);
      expect(run.output).toContain('AwsTimeoutError');
    }, 30_000);

    it('retries throttling and reports as if nothing happened', async () => {
      const trail = trailEntry('management-events');
      const throttled = awsError('ThrottlingException', 'Rate exceeded');
      fake.serve(account(fakeTrail(trail)), [
        { operation: 'DescribeTrails', error: throttled, times: 1 },
        { operation: 'GetTrailStatus', error: throttled, times: 1 },
      ]);

      const { evaluation } = await evaluate();

      expect(evaluation.ComplianceType).toBe('COMPLIANT');
      expect(fake.calls('DescribeTrails').map((r) => r.response.status)).toEqual([400, 200]);
      expect(fake.calls('GetTrailStatus').map((r) => r.response.status)).toEqual([400, 200]);
    }, 30_000);

    it('gives up after AWS_MAX_ATTEMPTS and reports nothing when throttling persists', async () => {
      const trail = trailEntry('management-events');
      fake.serve(account(fakeTrail(trail)), [
        {
          operation: 'GetEventSelectors',
          error: awsError('ThrottlingException', 'Rate exceeded'),
        },
      ]);

      const error = await evaluateExpectingFailure();

      expect(error.name).toBe('UndecidedVerdictError');
      expect(error.message).toContain(trail.TrailARN);
      expect(fake.calls('GetEventSelectors')).toHaveLength(MAX_ATTEMPTS);
      expect(fake.calls('PutEvaluations')).toHaveLength(0);
    }, 30_000);

    it('treats a trail deleted after DescribeTrails (TrailNotFoundException) as absent', async () => {
      const deleted = trailEntry('a-deleted-trail');
      fake.serve(
        account(
          fakeTrail(deleted),
          fakeTrail(trailEntry('z-regional', { IsMultiRegionTrail: false })),
        ),
        [
          {
            operation: 'GetTrailStatus',
            trail: deleted.TrailARN,
            error: awsError(
              'TrailNotFoundException',
              `Unknown trail: ${deleted.TrailARN} for the user: ${ACCOUNT}`,
            ),
          },
          {
            operation: 'GetEventSelectors',
            trail: deleted.TrailARN,
            error: awsError(
              'TrailNotFoundException',
              `Unknown trail: ${deleted.TrailARN} for the user: ${ACCOUNT}`,
            ),
          },
        ],
      );

      const { evaluation } = await evaluate();

      expect(evaluation.ComplianceType).toBe('NON_COMPLIANT');
      expect(evaluation.Annotation).toContain('z-regional');
      expect(evaluation.Annotation).not.toContain('a-deleted-trail');
    });

    it('reports NON_COMPLIANT "could not verify since" the last COMPLIANT once undecided past the window', async () => {
      const trail = trailEntry('management-events');
      const last = recordedEvaluation(49);
      fake.serve({ ...account(fakeTrail(trail)), evaluations: [last] }, [
        { operation: 'GetEventSelectors', error: awsError('AccessDeniedException', 'denied') },
      ]);

      const { evaluation } = await evaluate();

      expect(evaluation.ComplianceType).toBe('NON_COMPLIANT');
      expect(evaluation.Annotation).toBe(
        `could not verify since ${new Date(last.ResultRecordedTime * 1000).toISOString()}: management-events (${REGION}): GetEventSelectors failed: AccessDeniedException (denied)`,
      );
      expect(fake.calls('GetComplianceDetailsByConfigRule').map((r) => r.body)).toEqual([
        {
          ConfigRuleName: 'cloudtrail-1-multi-region-trail',
          ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'],
          Limit: 100,
        },
      ]);
    });

    it('fails the invocation, reporting nothing, when its own trail is AccessDenied', async () => {
      const trail = trailEntry('management-events');
      fake.serve(account(fakeTrail(trail)), [
        {
          operation: 'GetEventSelectors',
          error: awsError(
            'AccessDeniedException',
            `User: arn:aws:sts::${ACCOUNT}:assumed-role/cloudtrail-rule/fn is not authorized to perform: cloudtrail:GetEventSelectors on resource: ${trail.TrailARN}`,
          ),
        },
      ]);

      const error = await evaluateExpectingFailure();

      expect(error.name).toBe('UndecidedVerdictError');
      expect(error.message).toContain(trail.TrailARN);
      expect(error.message).toContain('AccessDeniedException');
      expect(fake.calls('PutEvaluations')).toHaveLength(0);
    });
  });

  describe('PutEvaluations', () => {
    it('sends one account evaluation stamped with the notification time and the result token', async () => {
      fake.serve(account(fakeTrail(trailEntry('management-events'))));

      const { request } = await evaluate();

      expect(request).toEqual({
        Evaluations: [
          {
            ComplianceResourceType: 'AWS::::Account',
            ComplianceResourceId: ACCOUNT,
            ComplianceType: 'COMPLIANT',
            Annotation: expect.stringContaining('management-events'),
            OrderingTimestamp: Date.parse(NOTIFICATION_TIME) / 1000,
          },
        ],
        ResultToken: RESULT_TOKEN,
      });
      expect(request).not.toHaveProperty('TestMode');
      expect(fake.calls('PutEvaluations')[0]?.service).toBe('config');
    });

    it('stamps a trail-change evaluation with the configuration item capture time', async () => {
      const captured = '2026-03-01T22:10:31.123Z';
      const trail = trailEntry('management-events');
      fake.serve(account(fakeTrail(trail)));

      const { evaluation } = await evaluate(
        configEvent({
          configurationItemDiff: null,
          configurationItem: {
            configurationItemVersion: '1.3',
            configurationItemCaptureTime: captured,
            configurationItemStatus: 'OK',
            resourceType: 'AWS::CloudTrail::Trail',
            resourceId: trail.Name,
            ARN: trail.TrailARN,
            awsRegion: REGION,
            awsAccountId: ACCOUNT,
          },
          notificationCreationTime: '2026-03-01T22:12:00.000Z',
          messageType: 'ConfigurationItemChangeNotification',
          recordVersion: '1.3',
        }),
      );

      expect(evaluation.OrderingTimestamp).toBe(Date.parse(captured) / 1000);
      expect(evaluation.ComplianceResourceType).toBe('AWS::::Account');
    });

    it('keeps the annotation within 256 characters, shortening a long name to keep the reason', async () => {
      // Trail names may be 128 characters long; in full, with two failures, the annotation would overflow.
      const longName = `regional-trail-${'x'.repeat(128 - 'regional-trail-'.length)}`;
      fake.serve(
        account(
          fakeTrail(
            trailEntry(longName, { IsMultiRegionTrail: false, S3BucketName: 'some-other-bucket' }),
            ALL_MANAGEMENT,
            STOPPED,
          ),
        ),
      );

      const { evaluation } = await evaluate(
        scheduledEvent({ parameters: { s3BucketName: 'central-cloudtrail-logs-111122223333' } }),
      );

      expect(evaluation.ComplianceType).toBe('NON_COMPLIANT');
      expect(evaluation.Annotation).toContain(`${longName.slice(0, 63)}…`);
      expect(evaluation.Annotation?.length).toBeLessThanOrEqual(256);
      expect(evaluation.Annotation).toMatch(
        /not multi-Region; S3 bucket is some-other-bucket, not central-cloudtrail-logs-111122223333\.$/,
      );
    });

    it('sends TestMode for the TESTMODE result token', async () => {
      fake.serve(account(fakeTrail(trailEntry('management-events'))));

      const { request } = await evaluate(scheduledEvent({ resultToken: 'TESTMODE' }));

      expect(request?.TestMode).toBe(true);
      expect(request?.ResultToken).toBe('TESTMODE');
    });

    it('reports NOT_APPLICABLE without reading trails when the account left the scope', async () => {
      fake.serve(account(fakeTrail(trailEntry('management-events'))));

      const { evaluation } = await evaluate(scheduledEvent({ leftScope: true }));

      expect(evaluation.ComplianceType).toBe('NOT_APPLICABLE');
      expect(fake.requests.map((r) => r.operation)).toEqual(['PutEvaluations']);
    });
  });

  describe('the fake CloudTrail the scenarios rely on', () => {
    it('answers GetEventSelectors for a shadow trail only in its home Region, as CloudTrail does', async () => {
      const shadow = trailEntry('security-audit', { HomeRegion: 'eu-west-1' });
      fake.serve(account(fakeTrail(shadow)));
      const client = (region: string) =>
        new CloudTrailClient({
          region,
          endpoint: fake.endpoint,
          maxAttempts: 1,
          credentials: {
            accessKeyId: FAKE_ACCESS_KEY_ID,
            secretAccessKey: FAKE_SECRET_ACCESS_KEY,
          },
        });
      const read = new GetEventSelectorsCommand({ TrailName: shadow.TrailARN });

      await expect(client(REGION).send(read)).rejects.toMatchObject({
        name: 'TrailNotFoundException',
        message: `Unknown trail: ${shadow.TrailARN} for the user: ${ACCOUNT}`,
      });
      await expect(client('eu-west-1').send(read)).resolves.toMatchObject(ALL_MANAGEMENT);
      expect(fake.requests.map((r) => [r.region, r.response.status])).toEqual([
        [REGION, 400],
        ['eu-west-1', 200],
      ]);
    });
  });
});
