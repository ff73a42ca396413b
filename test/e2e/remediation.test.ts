import {
  CloudTrailClient,
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  StartLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { defaultBucketName } from '../../remediation/input';
import type { AdvancedEventSelector, EventSelector, EventSelectors } from '../../rule/state';
import {
  type AccountBucket,
  type AccountKey,
  type AccountTrail,
  type AwsAccount,
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
  majorOf,
  REMEDIATION_ENTRY,
} from '../support/bundled-handler';
import { dataEventUniverse, referenceLoggedDataEvents } from '../support/data-event-reference';
import {
  ACCOUNT,
  MANAGEMENT_ACCOUNT,
  managementSelector,
  ROOT_KEY_STATEMENT,
  s3DataSelector,
  trail,
} from '../support/fixtures';
import { referenceGaps } from '../support/selector-reference';

/*
 * End-to-end: the remediation as it ships (the single-account stack's asset
 * and the member template's inline code, each scenario against both), run
 * in its own `node` process with only the standard SDK environment
 * variables, against a fake STS, CloudTrail, S3 and KMS on 127.0.0.1 that
 * keeps the account's state. Each NON_COMPLIANT case is remediated, the
 * account's final state is checked in the fake directly, and a second
 * invocation must find the account COMPLIANT and make no write call.
 */

// A failing run can wait up to 20 s (the runner's limit) for CloudTrail to accept a policy.
jest.setTimeout(60_000);

/** The Region the function runs in (`AWS_REGION`). */
const REGION = 'us-east-1';
/** Another account: a bucket squatter, or the account a caller wrongly names. */
const STRANGER = '444455556666';
/** What the remediation names what it creates when told nothing. */
const DEFAULT_TRAIL = 'multi-region-management-events';
/**
 * The writes that create the access-log bucket and the log bucket, each
 * hardened (docs/security-hub.md), in a Region: the access-log bucket first,
 * since the log bucket's logging points at it.
 */
function newBucketWrites(region: string): string[] {
  const hardened = [
    'CreateBucket',
    'PutPublicAccessBlock',
    'PutBucketEncryption',
    'PutBucketVersioning',
    'PutBucketLifecycleConfiguration',
    'PutBucketTagging',
    'PutBucketPolicy',
  ];
  return [...hardened, ...hardened, 'PutBucketLogging'].map(
    (operation) => `${operation} ${region}`,
  );
}

/** What the deployment sets as `LOG_BUCKET_SUFFIX` (from its stack's ID). */
const BUCKET_SUFFIX = '5e1f0c2a';
const DEFAULT_BUCKET = defaultBucketName(ACCOUNT, REGION, BUCKET_SUFFIX);

const resultSchema = z
  .object({
    dryRun: z.boolean(),
    accountId: z.string(),
    compliantBefore: z.boolean(),
    actions: z.array(
      z
        .object({
          step: z.number(),
          service: z.string(),
          operation: z.string(),
          region: z.string(),
          input: z.record(z.string(), z.unknown()),
          reason: z.string(),
        })
        .strict(),
    ),
    compliantAfter: z.boolean().nullable(),
    trailArn: z.string().nullable(),
    verdict: z.string(),
    securityHubControls: z.array(
      z
        .object({
          controlId: z.string(),
          resource: z.string(),
          status: z.enum(['PASSED', 'FAILED', 'NO_FINDING']),
          passWith: z.string().optional(),
          note: z.string().optional(),
        })
        .strict(),
    ),
    resources: z.array(
      z.looseObject({ kind: z.enum(['trail', 'bucket', 'key']), arn: z.string() }),
    ),
  })
  .strict();
type RemediationResult = z.infer<typeof resultSchema>;

let fake: AccountEndpoint;
let remediation: BundledHandler;

beforeAll(async () => {
  fake = await startAccountEndpoint();
});

afterAll(async () => {
  await fake?.close();
});

// ---------------------------------------------------------------- invoking

interface RemediationEvent {
  accountId?: string;
  trailName?: string;
  bucketName?: string;
  kmsKeyId?: string;
  dryRun?: boolean;
}

/**
 * Invokes the bundled handler once, with the fake's request log cleared
 * first so that `fake.requests` holds this invocation's requests only. No
 * invocation may ever ask to change another account's trail.
 */
async function invoke(event: RemediationEvent, region: string) {
  fake.forget();
  const run = await remediation.invoke(event, {
    endpoint: fake.endpoint,
    region,
    env: { LOG_BUCKET_SUFFIX: BUCKET_SUFFIX },
  });
  expect(writesToOtherAccountsTrails()).toEqual([]);
  return run;
}

/** Invokes the remediation and expects it to succeed; gives what it returned. */
async function remediate(
  event: RemediationEvent = {},
  region = REGION,
): Promise<RemediationResult> {
  const run = await invoke(event, region);
  if (run.outcome?.ok !== true || run.exitCode !== 0) {
    throw new Error(
      `the remediation did not succeed (${ended(run.exitCode)}): ${JSON.stringify(run.outcome)}\n${run.output}`,
    );
  }
  return resultSchema.parse(run.outcome.result);
}

/** Invokes the remediation and expects the invocation to fail; gives the error it raised. */
async function remediateExpectingFailure(event: RemediationEvent = {}, region = REGION) {
  const run = await invoke(event, region);
  if (run.outcome?.ok !== false || run.exitCode !== 0) {
    throw new Error(
      `the remediation did not fail cleanly (${ended(run.exitCode)}): ${JSON.stringify(run.outcome)}\n${run.output}`,
    );
  }
  return run.outcome.error;
}

function ended(exitCode: number | null): string {
  return exitCode === null ? 'killed at the time limit' : `exit ${exitCode}`;
}

/** The first run: it found the account NON_COMPLIANT, changed it, and verified it COMPLIANT. */
async function remediateNonCompliant(event: RemediationEvent = {}, region = REGION) {
  const result = await remediate(event, region);
  expect(result).toMatchObject({
    dryRun: false,
    accountId: ACCOUNT,
    compliantBefore: false,
    compliantAfter: true,
  });
  expect(result.verdict).toMatch(/^COMPLIANT: /);
  const refused = fake.writes().filter((r) => r.response.status >= 300);
  expect(refused.map((r) => `${r.operation}: ${r.response.errorType}`)).toEqual([]);
  return result;
}

/** The second run: nothing to do, and nothing written. */
async function expectSecondRunWritesNothing(event: RemediationEvent = {}, region = REGION) {
  const again = await remediate(event, region);
  expect(again).toMatchObject({ compliantBefore: true, compliantAfter: true, actions: [] });
  expect(fake.writes().map(call)).toEqual([]);
  return again;
}

/** `Operation Region` of each write request of the last invocation, in order. */
function writes(): string[] {
  return fake.writes().map(call);
}

function call(request: RecordedRequest): string {
  return `${request.operation} ${request.region}`;
}

function namedTrail(request: RecordedRequest): unknown {
  return request.body.Name ?? request.body.TrailName;
}

/** Write requests naming a trail of another account (by ARN, or by the name of one the fake holds). */
function writesToOtherAccountsTrails(): string[] {
  const others = fake.account.trails
    .map((t) => t.trail)
    .filter((t) => t.TrailARN.split(':')[4] !== ACCOUNT);
  return fake
    .writes()
    .filter((r) => {
      const named = namedTrail(r);
      if (typeof named !== 'string') return false;
      if (named.startsWith('arn:')) return named.split(':')[4] !== ACCOUNT;
      return others.some((t) => t.Name === named);
    })
    .map((r) => `${call(r)} ${String(namedTrail(r))}`);
}

// ---------------------------------------------------------------- fixtures

/** One basic selector, all management events: what the console sets up. */
const ALL_MANAGEMENT: EventSelectors = {
  EventSelectors: [
    {
      ReadWriteType: 'All',
      IncludeManagementEvents: true,
      DataResources: [],
      ExcludeManagementEventSources: [],
    },
  ],
};

const S3_OBJECTS = {
  Type: 'AWS::S3::Object',
  Values: ['arn:aws:s3:::payroll-exports/', 'arn:aws:s3:::invoices/2026/'],
};

const LAMBDA_WRITES: AdvancedEventSelector = {
  Name: 'Billing function invocations',
  FieldSelectors: [
    { Field: 'eventCategory', Equals: ['Data'] },
    { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] },
    {
      Field: 'resources.ARN',
      StartsWith: [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:billing-`],
    },
    { Field: 'readOnly', Equals: ['false'] },
  ],
};

/** A trail of this account in the function's Region, as `DescribeTrails` lists it. */
function ownTrail(name: string, fields: Partial<TrailEntry> = {}): TrailEntry {
  return trail({ Name: name, HomeRegion: REGION, HasCustomEventSelectors: true, ...fields });
}

function fakeTrail(
  entry: TrailEntry,
  selectors: EventSelectors = ALL_MANAGEMENT,
  status: TrailStatusWire = LOGGING,
): AccountTrail {
  return { trail: entry, status, eventSelectors: selectors };
}

/**
 * The account, with the bucket each trail delivers to, owned by the trail's
 * account, unless `more` gives it: a trail's bucket exists, and the
 * remediation repairs a trail only once it knows whose bucket that is.
 */
function account(
  trails: AccountTrail[],
  more: { buckets?: AccountBucket[]; keys?: AccountKey[] } = {},
): AwsAccount {
  const given = new Set((more.buckets ?? []).map((b) => b.name));
  const delivered = new Map<string, AccountBucket>();
  for (const { trail: t } of trails) {
    const name = t.S3BucketName;
    if (name === undefined || given.has(name)) continue;
    const owner = t.TrailARN.split(':')[4] ?? ACCOUNT;
    delivered.set(name, { name, owner, region: t.HomeRegion ?? REGION });
  }
  return {
    accountId: ACCOUNT,
    trails,
    ...more,
    buckets: [...(more.buckets ?? []), ...delivered.values()],
  };
}

interface Statement {
  Sid?: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

function statementsOf(policy: string | undefined): Statement[] {
  if (policy === undefined) throw new Error('no policy');
  const document = JSON.parse(policy) as { Statement: Statement | Statement[] };
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

function forCloudTrail(statement: Statement): boolean {
  const principal = statement.Principal as { Service?: string | string[] } | undefined;
  return [principal?.Service ?? []].flat().includes('cloudtrail.amazonaws.com');
}

/** An SDK client of the fake, for the test itself: setting up, and reading what the function would see. */
const CLIENT = {
  maxAttempts: 1,
  credentials: { accessKeyId: FAKE_ACCESS_KEY_ID, secretAccessKey: FAKE_SECRET_ACCESS_KEY },
};
const cloudTrail = (region: string) =>
  new CloudTrailClient({ region, endpoint: fake.endpoint, ...CLIENT });
const s3 = (region: string) => new S3Client({ region, endpoint: fake.endpoint, ...CLIENT });

/** The bucket policy statements the CloudTrail User Guide gives for one trail. */
function deliveryStatements(bucket: string, trailArn: string): Statement[] {
  return [
    {
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: `arn:aws:s3:::${bucket}`,
      Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
    },
    {
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${bucket}/AWSLogs/${ACCOUNT}/*`,
      Condition: {
        StringEquals: {
          's3:x-amz-acl': 'bucket-owner-full-control',
          'aws:SourceArn': trailArn,
        },
      },
    },
  ];
}

// ---------------------------------------------------------------- final state

/** The trail passes CloudTrail.1: multi-Region with global service events, logging, every management event. */
function expectPassingTrail(arn: string): AccountTrail {
  const found = fake.trail(arn);
  if (found === undefined) throw new Error(`the fake holds no trail ${arn}`);
  expect(found.trail).toMatchObject({ IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true });
  expect(found.status.IsLogging).toBe(true);
  // Judged by the reference model, not by the rule's own selector code.
  expect(referenceGaps(selectorsOf(found))).toEqual({ read: [], write: [] });
  return found;
}

function selectorsOf(found: AccountTrail): EventSelectors {
  return found.eventSelectors as EventSelectors;
}

/** Every data event the selectors logged before, and no other, is logged now. */
function expectSameDataEvents(before: EventSelectors, after: EventSelectors): void {
  const universe = dataEventUniverse(before, after);
  expect(referenceLoggedDataEvents(after, universe)).toEqual(
    referenceLoggedDataEvents(before, universe),
  );
}

function isDataSelector(selector: AdvancedEventSelector): boolean {
  return !selector.FieldSelectors.some(
    (f) => f.Field === 'eventCategory' && f.Equals?.length === 1 && f.Equals[0] === 'Management',
  );
}

function hasDataResources(selector: EventSelector): boolean {
  return (selector.DataResources ?? []).length > 0;
}

/**
 * The log bucket is secure and lets CloudTrail deliver for exactly this
 * trail: Block Public Access all four, default encryption, ACLs disabled,
 * the CloudTrail statements limited by `aws:SourceArn`, a deny of non-TLS
 * access; every statement it had before kept, none duplicated.
 */
function expectSecureLogBucket(name: string, trailArn: string, kept: Statement[] = []): void {
  const bucket = fake.bucket(name);
  expect(bucket).toMatchObject({
    owner: ACCOUNT,
    publicAccessBlock: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
    encryption: { SSEAlgorithm: expect.stringMatching(/^(AES256|aws:kms)$/) },
    objectOwnership: 'BucketOwnerEnforced',
  });
  const statements = statementsOf(bucket?.policy);
  const cloudTrail = statements.filter(forCloudTrail);
  expect(cloudTrail.map((s) => s.Action).sort()).toEqual(['s3:GetBucketAcl', 's3:PutObject']);
  for (const statement of cloudTrail) {
    expect(statement.Effect).toBe('Allow');
    expect(statement.Condition?.StringEquals?.['aws:SourceArn']).toBe(trailArn);
  }
  const denials = statements.filter((s) => s.Effect === 'Deny');
  expect(denials).toHaveLength(1);
  expect(denials[0]).toMatchObject({ Principal: '*', Action: 's3:*' });
  expect(String(denials[0]?.Condition?.Bool?.['aws:SecureTransport'])).toBe('false');
  for (const statement of kept) expect(statements).toContainEqual(statement);
  expect(statements).toHaveLength(kept.length + 3);
  const contents = statements.map(({ Sid: _, ...rest }) => JSON.stringify(rest));
  expect(new Set(contents).size).toBe(statements.length);
}

// ---------------------------------------------------------------- specification

describe.each(BUNDLE_SHAPES)('CloudTrail.1 remediation, bundled (%s), on a fake AWS', (shape) => {
  beforeAll(async () => {
    remediation = await bundleHandler(REMEDIATION_ENTRY, shape);
  }, 60_000);

  afterAll(async () => {
    await remediation?.dispose();
  });

  it(`runs under Node.js ${e2eNode().major}: E2E_NODE's, or the one running the tests`, async () => {
    fake.serve(account([fakeTrail(ownTrail('management-events'))]));

    const run = await invoke({ dryRun: true }, REGION);

    expect(run.outcome?.ok).toBe(true);
    expect(majorOf(run.node ?? '')).toBe(e2eNode().major);
  });

  describe('turns each NON_COMPLIANT case into a COMPLIANT one, and a second run writes nothing', () => {
    it('starts logging on a stopped multi-Region trail, in its home Region, and changes nothing else', async () => {
      // Homed in another Region: the function sees it as a shadow trail.
      const stopped = ownTrail('management-events', { HomeRegion: 'eu-west-1' });
      fake.serve(account([fakeTrail(stopped, ALL_MANAGEMENT, STOPPED)]));

      const result = await remediateNonCompliant();

      expect(writes()).toEqual(['StartLogging eu-west-1']);
      expect(fake.calls('StartLogging').map(namedTrail)).toEqual([stopped.TrailARN]);
      expect(result.trailArn).toBe(stopped.TrailARN);
      const after = expectPassingTrail(stopped.TrailARN);
      expect(after.trail).toEqual(stopped);
      expect(after.eventSelectors).toEqual(ALL_MANAGEMENT);
      await expectSecondRunWritesNothing();
    });

    it('makes a single-Region trail multi-Region, keeping every other setting, and it is seen from every Region', async () => {
      const regional = ownTrail('regional-audit', {
        IsMultiRegionTrail: false,
        IncludeGlobalServiceEvents: false,
        SnsTopicName: 'trail-notifications',
        SnsTopicARN: `arn:aws:sns:${REGION}:${ACCOUNT}:trail-notifications`,
        CloudWatchLogsLogGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:trail-logs:*`,
        CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/CloudTrailToCloudWatchLogs`,
        KmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0f3c2a1b-7d4e-4c5b-9a8f-1e2d3c4b5a69`,
        LogFileValidationEnabled: true,
        HasInsightSelectors: true,
      });
      fake.serve(account([fakeTrail(regional)]));

      await remediateNonCompliant();

      expect(writes()).toEqual([`UpdateTrail ${REGION}`]);
      expect(fake.calls('UpdateTrail')[0]?.body).toEqual({
        Name: regional.TrailARN,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
      });
      const after = expectPassingTrail(regional.TrailARN);
      expect(after.trail).toEqual({
        ...regional,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
      });
      await expectSecondRunWritesNothing();

      const fromIreland = await cloudTrail('eu-west-1').send(
        new DescribeTrailsCommand({ includeShadowTrails: true }),
      );
      expect(fromIreland.trailList?.map((t) => t.TrailARN)).toEqual([regional.TrailARN]);
    });

    it('adds a selector for all management events beside a write-only basic selector, keeping its S3 data resources', async () => {
      const writeOnly = ownTrail('write-only');
      const before: EventSelectors = {
        EventSelectors: [
          {
            ReadWriteType: 'WriteOnly',
            IncludeManagementEvents: true,
            DataResources: [S3_OBJECTS],
            ExcludeManagementEventSources: [],
          },
        ],
      };
      fake.serve(account([fakeTrail(writeOnly, before)]));

      await remediateNonCompliant();

      expect(writes()).toEqual([`PutEventSelectors ${REGION}`]);
      const after = selectorsOf(expectPassingTrail(writeOnly.TrailARN));
      expect(after.AdvancedEventSelectors).toBeUndefined();
      expect(after.EventSelectors?.filter(hasDataResources)).toEqual(before.EventSelectors);
      expectSameDataEvents(before, after);
      await expectSecondRunWritesNothing();
    });

    it('replaces a read-only advanced management selector, keeping the advanced data selectors byte for byte', async () => {
      const readOnly = ownTrail('read-only-advanced');
      const dataSelectors = [s3DataSelector, LAMBDA_WRITES];
      const before: EventSelectors = {
        AdvancedEventSelectors: [
          managementSelector(
            [{ Field: 'readOnly', Equals: ['true'] }],
            'Read-only management events',
          ),
          ...dataSelectors,
        ],
      };
      fake.serve(account([fakeTrail(readOnly, before)]));

      await remediateNonCompliant();

      expect(writes()).toEqual([`PutEventSelectors ${REGION}`]);
      const after = selectorsOf(expectPassingTrail(readOnly.TrailARN));
      expect(after.EventSelectors).toBeUndefined();
      expect(JSON.stringify(after.AdvancedEventSelectors?.filter(isDataSelector))).toBe(
        JSON.stringify(dataSelectors),
      );
      expectSameDataEvents(before, after);
      await expectSecondRunWritesNothing();
    });

    it('stops a basic selector excluding KMS and RDS Data API events, keeping its data resources', async () => {
      const excluding = ownTrail('excluding-sources');
      const before: EventSelectors = {
        EventSelectors: [
          {
            ReadWriteType: 'All',
            IncludeManagementEvents: true,
            DataResources: [S3_OBJECTS],
            ExcludeManagementEventSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'],
          },
        ],
      };
      fake.serve(account([fakeTrail(excluding, before)]));

      await remediateNonCompliant();

      expect(writes()).toEqual([`PutEventSelectors ${REGION}`]);
      const after = selectorsOf(expectPassingTrail(excluding.TrailARN));
      expect(after.EventSelectors?.filter(hasDataResources).map((s) => s.DataResources)).toEqual([
        [S3_OBJECTS],
      ]);
      expectSameDataEvents(before, after);
      await expectSecondRunWritesNothing();
    });

    it("replaces an advanced management selector with eventSource NotEquals, in the trail's home Region, keeping the data selectors", async () => {
      const excluding = ownTrail('excluding-sources-advanced', { HomeRegion: 'us-west-2' });
      const before: EventSelectors = {
        AdvancedEventSelectors: [
          managementSelector([
            { Field: 'eventSource', NotEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] },
          ]),
          s3DataSelector,
        ],
      };
      fake.serve(account([fakeTrail(excluding, before)]));

      await remediateNonCompliant();

      expect(writes()).toEqual(['PutEventSelectors us-west-2']);
      const after = selectorsOf(expectPassingTrail(excluding.TrailARN));
      expect(after.AdvancedEventSelectors?.filter(isDataSelector)).toEqual([s3DataSelector]);
      expectSameDataEvents(before, after);
      await expectSecondRunWritesNothing();
    });

    it('translates five basic selectors in use to advanced selectors that log the same data events', async () => {
      const full = ownTrail('five-selectors');
      const writeOnlyData = (includeManagementEvents: boolean, type: string, values: string[]) => ({
        ReadWriteType: 'WriteOnly' as const,
        IncludeManagementEvents: includeManagementEvents,
        DataResources: [{ Type: type, Values: values }],
        ExcludeManagementEventSources: [],
      });
      const before: EventSelectors = {
        EventSelectors: [
          writeOnlyData(true, 'AWS::S3::Object', ['arn:aws:s3:::payroll-exports/']),
          writeOnlyData(false, 'AWS::S3::Object', ['arn:aws:s3:::invoices/']),
          writeOnlyData(false, 'AWS::Lambda::Function', [
            `arn:aws:lambda:${REGION}:${ACCOUNT}:function:billing`,
          ]),
          writeOnlyData(false, 'AWS::DynamoDB::Table', [
            `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Orders`,
          ]),
          writeOnlyData(false, 'AWS::S3::Object', ['arn:aws:s3:::audit-reports/2026/']),
        ],
      };
      fake.serve(account([fakeTrail(full, before)]));

      await remediateNonCompliant();

      expect(writes()).toEqual([`PutEventSelectors ${REGION}`]);
      const after = selectorsOf(expectPassingTrail(full.TrailARN));
      expect(after.EventSelectors).toBeUndefined();
      expect(after.AdvancedEventSelectors?.filter(isDataSelector).length).toBeGreaterThan(0);
      expectSameDataEvents(before, after);
      await expectSecondRunWritesNothing();
    });

    it('creates its own bucket and trail when only a failing organization trail of another account exists, and never writes to that trail', async () => {
      const orgTrail = trail(
        {
          Name: 'org-trail',
          S3BucketName: 'aws-controltower-logs-999988887777-us-east-1',
          IsOrganizationTrail: true,
        },
        MANAGEMENT_ACCOUNT,
      );
      const org = fakeTrail(orgTrail, ALL_MANAGEMENT, STOPPED);
      fake.serve(account([org]));
      const created = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${DEFAULT_TRAIL}`;

      const result = await remediateNonCompliant();

      expect(writes()).toEqual([
        ...newBucketWrites(REGION),
        `CreateTrail ${REGION}`,
        `StartLogging ${REGION}`,
      ]);
      expect(result.trailArn).toBe(created);
      expectPassingTrail(created);
      expectSecureLogBucket(DEFAULT_BUCKET, created);
      expect(fake.trail(orgTrail.TrailARN)).toEqual(org);
      await expectSecondRunWritesNothing();
      expect(fake.trail(orgTrail.TrailARN)).toEqual(org);
    });

    describe('in the management account, whose organization trail is its own', () => {
      // The management account lists its organization trail with its own ARN.
      const orgTrail = ownTrail('org-trail', { IsOrganizationTrail: true });
      const writeOnly: EventSelectors = {
        EventSelectors: [{ ...ALL_MANAGEMENT.EventSelectors?.[0], ReadWriteType: 'WriteOnly' }],
      };

      it('creates a trail of its own without a TrailName, says why, and never writes to the organization trail', async () => {
        const org = fakeTrail(orgTrail, writeOnly);
        fake.serve(account([org]));
        const created = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${DEFAULT_TRAIL}`;

        const result = await remediateNonCompliant();

        expect(writes()).toEqual([
          ...newBucketWrites(REGION),
          `CreateTrail ${REGION}`,
          `StartLogging ${REGION}`,
        ]);
        expect(result.actions.find((a) => a.operation === 'CreateTrail')?.reason).toMatch(
          /the organization trail "org-trail" of this account is left alone/,
        );
        expectPassingTrail(created);
        expect(fake.trail(orgTrail.TrailARN)).toEqual(org);
        await expectSecondRunWritesNothing();
      });

      it('repairs the organization trail when TrailName names it', async () => {
        fake.serve(account([fakeTrail(orgTrail, writeOnly)]));

        const result = await remediateNonCompliant({ trailName: 'org-trail' });

        expect(writes()).toEqual([`PutEventSelectors ${REGION}`]);
        expect(result.trailArn).toBe(orgTrail.TrailARN);
        expectPassingTrail(orgTrail.TrailARN);
        await expectSecondRunWritesNothing({ trailName: 'org-trail' });
      });
    });

    it('creates a secure bucket and a multi-Region trail in an account with no trails', async () => {
      fake.serve(account([]));
      const created = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${DEFAULT_TRAIL}`;

      const result = await remediateNonCompliant();

      expect(writes()).toEqual([
        ...newBucketWrites(REGION),
        `CreateTrail ${REGION}`,
        `StartLogging ${REGION}`,
      ]);
      expect(result.trailArn).toBe(created);
      const after = expectPassingTrail(created);
      expect(after.trail).toMatchObject({
        Name: DEFAULT_TRAIL,
        HomeRegion: REGION,
        S3BucketName: DEFAULT_BUCKET,
        LogFileValidationEnabled: true,
      });
      expectSecureLogBucket(DEFAULT_BUCKET, created);
      await expectSecondRunWritesNothing();
    });

    it('merges its statements into the policy of an existing bucket of ours, keeping the statement already there', async () => {
      const readers: Statement = {
        Sid: 'AllowLogReaders',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/log-readers` },
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: [`arn:aws:s3:::${DEFAULT_BUCKET}`, `arn:aws:s3:::${DEFAULT_BUCKET}/*`],
      };
      const existing: AccountBucket = {
        name: DEFAULT_BUCKET,
        owner: ACCOUNT,
        region: REGION,
        policy: JSON.stringify({ Version: '2012-10-17', Statement: [readers] }),
        publicAccessBlock: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: false,
          RestrictPublicBuckets: false,
        },
        encryption: { SSEAlgorithm: 'AES256', BucketKeyEnabled: false },
        objectOwnership: 'BucketOwnerEnforced',
      };
      fake.serve(account([], { buckets: [existing] }));
      const created = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${DEFAULT_TRAIL}`;

      await remediateNonCompliant();

      // The access-log bucket is new; the log bucket gets only what it lacks, and the
      // created-by tag since it carries the remediation's own default name.
      expect(writes()).toEqual([
        ...newBucketWrites(REGION).slice(0, 7),
        `PutPublicAccessBlock ${REGION}`,
        `PutBucketVersioning ${REGION}`,
        `PutBucketLifecycleConfiguration ${REGION}`,
        `PutBucketTagging ${REGION}`,
        `PutBucketPolicy ${REGION}`,
        `PutBucketLogging ${REGION}`,
        `CreateTrail ${REGION}`,
        `StartLogging ${REGION}`,
      ]);
      expectPassingTrail(created);
      expectSecureLogBucket(DEFAULT_BUCKET, created, [readers]);
      expect(JSON.parse(fake.bucket(DEFAULT_BUCKET)?.policy ?? '{}')).toMatchObject({
        Version: '2012-10-17',
      });
      await expectSecondRunWritesNothing();
    });

    it('creates the trail named by trailName when there is none, in the Region it runs in, leaving the other trail alone', async () => {
      const region = 'eu-west-1';
      const legacy = fakeTrail(
        trail({ Name: 'legacy-regional', HomeRegion: region, IsMultiRegionTrail: false }),
        ALL_MANAGEMENT,
        STOPPED,
      );
      fake.serve(account([legacy]));
      const event = { trailName: 'security-audit' };
      const created = `arn:aws:cloudtrail:${region}:${ACCOUNT}:trail/security-audit`;
      const bucket = defaultBucketName(ACCOUNT, region, BUCKET_SUFFIX);

      const result = await remediateNonCompliant(event, region);

      expect(writes()).toEqual([
        ...newBucketWrites(region),
        `CreateTrail ${region}`,
        `StartLogging ${region}`,
      ]);
      expect(result.trailArn).toBe(created);
      expect(fake.calls('CreateTrail')[0]?.body).toMatchObject({ Name: 'security-audit' });
      expect(expectPassingTrail(created).trail.HomeRegion).toBe(region);
      expect(fake.bucket(bucket)?.region).toBe(region);
      expectSecureLogBucket(bucket, created);
      expect(fake.trail(legacy.trail.TrailARN)).toEqual(legacy);
      await expectSecondRunWritesNothing(event, region);
    });

    it('encrypts a new trail with the given KMS key, merging CloudTrail into the key policy', async () => {
      const keyId = '7b1e9f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b';
      const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`;
      const administrators: Statement = ROOT_KEY_STATEMENT;
      const key: AccountKey = {
        keyId,
        region: REGION,
        owner: ACCOUNT,
        aliases: ['alias/cloudtrail-logs'],
        policy: JSON.stringify({
          Version: '2012-10-17',
          Id: 'key-default-1',
          Statement: [administrators],
        }),
      };
      fake.serve(account([], { keys: [key] }));
      const event = { kmsKeyId: 'alias/cloudtrail-logs' };
      const created = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${DEFAULT_TRAIL}`;

      await remediateNonCompliant(event);

      expect(writes()).toEqual([
        ...newBucketWrites(REGION),
        `PutKeyPolicy ${REGION}`,
        `CreateTrail ${REGION}`,
        `StartLogging ${REGION}`,
      ]);
      expect(fake.calls('CreateTrail')[0]?.body).toMatchObject({ KmsKeyId: keyArn });
      expect(expectPassingTrail(created).trail.KmsKeyId).toBe(keyArn);
      expectSecureLogBucket(DEFAULT_BUCKET, created);
      const statements = statementsOf(fake.key(keyArn)?.policy);
      expect(statements[0]).toEqual(administrators);
      const cloudTrail = statements.filter(forCloudTrail);
      // Decrypt too: the log bucket uses the key with an S3 Bucket Key.
      expect(cloudTrail.map((s) => s.Action).sort()).toEqual([
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:GenerateDataKey*',
      ]);
      for (const statement of cloudTrail) {
        expect(statement.Condition?.StringEquals?.['aws:SourceArn']).toBe(created);
      }
      expect(statements).toHaveLength(4);
      await expectSecondRunWritesNothing(event);
    });
  });

  describe('repeated', () => {
    it('converges when run again after a run interrupted at CreateTrail, duplicating nothing', async () => {
      fake.serve(account([]), [
        {
          operation: 'CreateTrail',
          times: 1,
          error: {
            type: 'AccessDeniedException',
            message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/cloudtrail-remediation/remediation is not authorized to perform: cloudtrail:CreateTrail`,
          },
        },
      ]);
      const created = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${DEFAULT_TRAIL}`;

      const interrupted = await remediateExpectingFailure();

      expect(interrupted.name).toBe('RemediationStepError');
      expect(interrupted.message).toContain('cloudtrail:CreateTrail');
      expect(interrupted.message).toContain('AccessDeniedException');
      expect(writes()).toEqual([...newBucketWrites(REGION), `CreateTrail ${REGION}`]);

      await remediateNonCompliant();

      // The bucket is already as it should be: only the trail is left to do.
      expect(writes()).toEqual([`CreateTrail ${REGION}`, `StartLogging ${REGION}`]);
      expectPassingTrail(created);
      expectSecureLogBucket(DEFAULT_BUCKET, created);
      await expectSecondRunWritesNothing();
    });

    it('reports, after a real run, exactly the calls a dry run planned', async () => {
      fake.serve(account([]));

      const planned = await remediate({ dryRun: true });
      const applied = await remediateNonCompliant();

      expect(applied.actions).toEqual(planned.actions);
      const sent = fake.calls('CreateTrail')[0]?.body;
      expect(planned.actions.find((a) => a.operation === 'CreateTrail')?.input).toEqual(sent);
    });
  });

  describe('changes nothing', () => {
    it('on a dry run: returns the plan and makes no write request', async () => {
      fake.serve(account([]));
      const created = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${DEFAULT_TRAIL}`;

      const result = await remediate({ dryRun: true });

      expect(result).toMatchObject({
        dryRun: true,
        compliantBefore: false,
        compliantAfter: null,
        trailArn: created,
      });
      expect(result.actions.map((a) => `${a.operation} ${a.region}`)).toEqual([
        ...newBucketWrites(REGION),
        `CreateTrail ${REGION}`,
        `StartLogging ${REGION}`,
      ]);
      expect(result.actions.map((a) => a.step)).toEqual(result.actions.map((_, i) => i + 1));
      expect(result.actions.at(-2)?.input).toEqual({
        Name: DEFAULT_TRAIL,
        S3BucketName: DEFAULT_BUCKET,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        TagsList: [{ Key: 'created-by', Value: 'cloudtrail-multi-region-rule' }],
      });
      // The dry run forecasts the Security Hub controls on what it would create.
      expect(
        result.securityHubControls.filter((c) => c.status === 'FAILED').map((c) => c.controlId),
      ).toEqual(['CloudTrail.2', 'CloudTrail.5', 'S3.15', 'S3.17', 'S3.9', 'S3.15', 'S3.17']);
      expect(fake.writes().map(call)).toEqual([]);
      // Reads only: the log bucket's and the access-log bucket's HeadBucket (both absent).
      expect(fake.requests.map(call)).toEqual([
        `GetCallerIdentity ${REGION}`,
        `DescribeTrails ${REGION}`,
        `HeadBucket ${REGION}`,
        `HeadBucket ${REGION}`,
      ]);
      expect(fake.account.trails).toEqual([]);
      expect(fake.account.buckets).toEqual([]);
    });

    it('fails naming both accounts when asked to remediate another account, after only GetCallerIdentity', async () => {
      fake.serve(account([fakeTrail(ownTrail('management-events'), ALL_MANAGEMENT, STOPPED)]));

      const error = await remediateExpectingFailure({ accountId: STRANGER });

      expect(error.name).toBe('AccountMismatchError');
      expect(error.message).toContain(STRANGER);
      expect(error.message).toContain(ACCOUNT);
      expect(fake.requests.map((r) => r.operation)).toEqual(['GetCallerIdentity']);
    });

    it('fails with a clear message when the log bucket belongs to someone else (HeadBucket 403)', async () => {
      const squatted: AccountBucket = { name: DEFAULT_BUCKET, owner: STRANGER, region: REGION };
      fake.serve(account([], { buckets: [squatted] }));

      const error = await remediateExpectingFailure();

      expect(error.name).toBe('BucketNotOwnedError');
      expect(error.message).toContain(DEFAULT_BUCKET);
      expect(error.message).toContain('Nothing was changed');
      expect(fake.calls('HeadBucket').map((r) => r.response.status)).toEqual([403]);
      expect(fake.writes().map(call)).toEqual([]);
      expect(fake.bucket(DEFAULT_BUCKET)).toEqual(squatted);
    });

    it('refuses a log bucket of ours whose policy is public before any write, instead of failing at PutBucketPolicy once Block Public Access is on', async () => {
      const open: AccountBucket = {
        name: DEFAULT_BUCKET,
        owner: ACCOUNT,
        region: REGION,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'PublicRead',
              Effect: 'Allow',
              Principal: '*',
              Action: 's3:GetObject',
              Resource: `arn:aws:s3:::${DEFAULT_BUCKET}/*`,
            },
          ],
        }),
      };
      fake.serve(account([], { buckets: [open] }));

      const error = await remediateExpectingFailure();

      expect(error.name).toBe('PublicBucketPolicyError');
      expect(error.message).toContain('statement "PublicRead" at Statement[0]');
      expect(error.message).toContain('Nothing was changed');
      expect(fake.writes().map(call)).toEqual([]);
      expect(fake.bucket(DEFAULT_BUCKET)).toEqual(open);
    });
  });
  describe('the fake AWS the scenarios rely on', () => {
    const bucket = 'shared-trail-logs';
    const trailArnFor = (name: string) => `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${name}`;
    const ownBucket = (policyFor: string): AccountBucket => ({
      name: bucket,
      owner: ACCOUNT,
      region: REGION,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: deliveryStatements(bucket, trailArnFor(policyFor)),
      }),
    });

    it('refuses CreateTrail for a name taken in the Region, or a bucket policy for another trail', async () => {
      fake.serve(
        account([fakeTrail(ownTrail('management-events'))], { buckets: [ownBucket('other')] }),
      );
      const create = (name: string, region = REGION) =>
        cloudTrail(region).send(
          new CreateTrailCommand({ Name: name, S3BucketName: bucket, IsMultiRegionTrail: true }),
        );

      // A multi-Region trail holds its name in every Region.
      await expect(create('management-events', 'eu-west-1')).rejects.toMatchObject({
        name: 'TrailAlreadyExistsException',
      });
      await expect(create('new-trail')).rejects.toMatchObject({
        name: 'InsufficientS3BucketPolicyException',
        message: `Incorrect S3 bucket policy is detected for bucket: ${bucket}`,
      });
      expect(fake.account.trails).toHaveLength(1);
    });

    it('creates a trail that logs nothing until StartLogging, and refuses a key whose policy leaves CloudTrail out', async () => {
      const keyId = '5d8a2c4e-6f1b-4a3d-9e7c-2b4f6a8c0e1d';
      const key: AccountKey = {
        keyId,
        region: REGION,
        owner: ACCOUNT,
        policy: JSON.stringify({
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
              Action: 'kms:*',
              Resource: '*',
            },
          ],
        }),
      };
      fake.serve(account([], { buckets: [ownBucket('new-trail')], keys: [key] }));
      const client = cloudTrail(REGION);
      const input = { Name: 'new-trail', S3BucketName: bucket, IsMultiRegionTrail: true };

      await expect(
        client.send(new CreateTrailCommand({ ...input, KmsKeyId: keyId })),
      ).rejects.toMatchObject({ name: 'InsufficientEncryptionPolicyException' });
      await client.send(new CreateTrailCommand(input));
      const status = () =>
        client.send(new GetTrailStatusCommand({ Name: trailArnFor('new-trail') }));
      await expect(status()).resolves.toMatchObject({ IsLogging: false });
      await client.send(new StartLoggingCommand({ Name: 'new-trail' }));
      await expect(status()).resolves.toMatchObject({ IsLogging: true });
    });

    it("refuses any change to another account's trail, and to a trail outside its home Region; UpdateTrail changes only what it is given", async () => {
      const org = trail({ Name: 'org-trail', IsOrganizationTrail: true }, MANAGEMENT_ACCOUNT);
      const irish = ownTrail('irish-trail', {
        HomeRegion: 'eu-west-1',
        KmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1',
      });
      fake.serve(account([fakeTrail(org), fakeTrail(irish)]));

      await expect(
        cloudTrail(REGION).send(new StartLoggingCommand({ Name: org.TrailARN })),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
      await expect(
        cloudTrail(REGION).send(
          new UpdateTrailCommand({ Name: irish.TrailARN, EnableLogFileValidation: false }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidHomeRegionException' });
      await cloudTrail('eu-west-1').send(
        new UpdateTrailCommand({ Name: irish.TrailARN, EnableLogFileValidation: false }),
      );
      expect(fake.trail(irish.TrailARN)?.trail).toEqual({
        ...irish,
        LogFileValidationEnabled: false,
      });
      expect(fake.trail(org.TrailARN)?.trail).toEqual(org);
    });

    it('answers CreateBucket for a name that exists as S3 does', async () => {
      const mine = (name: string, region: string): AccountBucket => ({
        name,
        owner: ACCOUNT,
        region,
      });
      fake.serve(
        account([], {
          buckets: [
            mine('east-logs', REGION),
            mine('west-logs', 'eu-west-1'),
            { name: 'taken-logs', owner: STRANGER, region: REGION },
          ],
        }),
      );

      // us-east-1 keeps S3's legacy answer: re-creating your own bucket succeeds.
      await expect(
        s3(REGION).send(new CreateBucketCommand({ Bucket: 'east-logs' })),
      ).resolves.toBeDefined();
      await expect(
        s3('eu-west-1').send(
          new CreateBucketCommand({
            Bucket: 'west-logs',
            CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
          }),
        ),
      ).rejects.toMatchObject({ name: 'BucketAlreadyOwnedByYou' });
      await expect(
        s3(REGION).send(new CreateBucketCommand({ Bucket: 'taken-logs' })),
      ).rejects.toMatchObject({ name: 'BucketAlreadyExists' });
      expect(fake.account.buckets).toHaveLength(3);
    });
  });
});
