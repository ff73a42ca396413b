import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GetEventSelectorsResponse, Trail } from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';

/**
 * A fake of the two AWS APIs the rule calls, served on 127.0.0.1 over the
 * awsJson1_1 protocol the real services speak: CloudTrail
 * (`CloudTrail_20131101.*`) and AWS Config (`StarlingDoveService.*`). It
 * describes one account from a fixture the way CloudTrail answers from each
 * Region (home trails, shadow copies of multi-Region and organization
 * trails), takes the Region of each request from its SigV4 credential scope,
 * records every request, and fails requests on demand with errors in the
 * awsJson shape.
 */

export type Operation =
  | 'DescribeTrails'
  | 'GetTrailStatus'
  | 'GetEventSelectors'
  | 'PutEvaluations';

const OPERATIONS: Record<string, { operation: Operation; service: string }> = {
  'CloudTrail_20131101.DescribeTrails': { operation: 'DescribeTrails', service: 'cloudtrail' },
  'CloudTrail_20131101.GetTrailStatus': { operation: 'GetTrailStatus', service: 'cloudtrail' },
  'CloudTrail_20131101.GetEventSelectors': {
    operation: 'GetEventSelectors',
    service: 'cloudtrail',
  },
  'StarlingDoveService.PutEvaluations': { operation: 'PutEvaluations', service: 'config' },
};

/** A `DescribeTrails` entry as CloudTrail returns it; the fake needs these fields set. */
export type TrailEntry = Trail & {
  Name: string;
  TrailARN: string;
  HomeRegion: string;
  IsMultiRegionTrail: boolean;
};

/** `GetTrailStatus` on the wire: timestamps are epoch seconds. */
export interface TrailStatusWire {
  IsLogging: boolean;
  LatestDeliveryTime?: number;
  StartLoggingTime?: number;
  StopLoggingTime?: number;
  LatestDeliveryAttemptTime?: string;
  LatestNotificationAttemptTime?: string;
  LatestDeliveryAttemptSucceeded?: string;
  LatestNotificationAttemptSucceeded?: string;
  TimeLoggingStarted?: string;
  TimeLoggingStopped?: string;
}

export interface FakeTrail {
  trail: TrailEntry;
  status: TrailStatusWire;
  /** What the owning account reads with `GetEventSelectors`. */
  eventSelectors: GetEventSelectorsResponse;
}

/** The account the fake describes: its own trails and the organization trails it sees. */
export interface FakeAccount {
  accountId: string;
  trails: FakeTrail[];
}

/** An error in the awsJson shape: `{"__type": type, "message": message}` with `status`. */
export interface AwsJsonError {
  type: string;
  message: string;
  /** HTTP status; 400 unless given. */
  status?: number;
}

/** Makes matching requests fail. */
export interface Fault {
  operation: Operation;
  /** Only requests signed for this Region. */
  region?: string;
  /** Only requests that name this trail (by name or ARN). */
  trail?: string;
  error: AwsJsonError;
  /** How many matching requests fail before they succeed again; every one if not given. */
  times?: number;
}

export interface RecordedRequest {
  operation: Operation | 'unknown';
  /** The `X-Amz-Target` header. */
  target: string;
  /** The signing Region, from the `Authorization` credential scope. */
  region: string;
  /** The signing service name, from the credential scope. */
  service: string;
  body: Record<string, unknown>;
  /** What the fake answered: 200, or the error it returned. */
  response: { status: number; errorType?: string };
  /** When it arrived, in milliseconds since {@link FakeAws.serve}. */
  at: number;
}

export interface FakeAws {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL`. */
  endpoint: string;
  /** Every request since the last {@link FakeAws.serve}, in arrival order. */
  requests: RecordedRequest[];
  /** Describes `account` from now on, failing requests as `faults` say, and forgets past requests. */
  serve(account: FakeAccount, faults?: Fault[]): void;
  /** The recorded requests for one operation. */
  calls(operation: Operation): RecordedRequest[];
  /** The `PutEvaluations` requests, parsed (the fake has already validated them as AWS Config does). */
  putEvaluations(): PutEvaluationsRequest[];
  close(): Promise<void>;
}

/** The access key ID every request must be signed with. */
export const FAKE_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const FAKE_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** `PutEvaluations` request, with the API reference's constraints (custom rules). */
const putEvaluationsSchema = z
  .object({
    Evaluations: z
      .array(
        z
          .object({
            ComplianceResourceType: z.string().min(1).max(256),
            ComplianceResourceId: z.string().min(1).max(768),
            ComplianceType: z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']),
            Annotation: z.string().min(1).max(256).optional(),
            OrderingTimestamp: z.number(),
          })
          .strict(),
      )
      .max(100)
      .optional(),
    ResultToken: z.string().min(1),
    TestMode: z.boolean().optional(),
  })
  .strict();
export type PutEvaluationsRequest = z.infer<typeof putEvaluationsSchema>;

const describeTrailsSchema = z
  .object({
    trailNameList: z.array(z.string()).optional(),
    includeShadowTrails: z.boolean().optional(),
  })
  .strict();
const getTrailStatusSchema = z.object({ Name: z.string().min(1) }).strict();
const getEventSelectorsSchema = z.object({ TrailName: z.string().min(1) }).strict();

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cloudtrail/aws4_request, ...` */
const CREDENTIAL_SCOPE =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/;

class AwsJsonFault extends Error {
  constructor(readonly error: AwsJsonError) {
    super(error.message);
  }
}

/** Starts the fake on 127.0.0.1 (an ephemeral port), describing an empty account until {@link FakeAws.serve}. */
export async function startFakeAws(): Promise<FakeAws> {
  let account: FakeAccount = { accountId: '111122223333', trails: [] };
  let faults: { fault: Fault; left: number }[] = [];
  const requests: RecordedRequest[] = [];
  let servedAt = performance.now();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded = handle(request, Buffer.concat(chunks).toString('utf8'));
      requests.push(recorded.record);
      send(response, recorded.record.response.status, recorded.payload);
    });
  });

  function handle(
    request: IncomingMessage,
    text: string,
  ): { record: RecordedRequest; payload: unknown } {
    const target = header(request, 'x-amz-target');
    const known = OPERATIONS[target];
    const scope = CREDENTIAL_SCOPE.exec(header(request, 'authorization'));
    const record: RecordedRequest = {
      operation: known?.operation ?? 'unknown',
      target,
      region: scope?.[3] ?? '',
      service: scope?.[4] ?? '',
      body: {},
      response: { status: 200 },
      at: Math.round(performance.now() - servedAt),
    };
    try {
      const parsed: unknown = JSON.parse(text === '' ? '{}' : text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        record.body = { ...parsed };
      }
      if (request.method !== 'POST' || request.url !== '/') {
        throw new AwsJsonFault({
          type: 'UnknownOperationException',
          message: `${request.method} ${request.url}`,
        });
      }
      if (header(request, 'content-type') !== 'application/x-amz-json-1.1') {
        throw new AwsJsonFault({
          type: 'UnsupportedMediaTypeException',
          message: 'Content-Type must be application/x-amz-json-1.1',
        });
      }
      if (known === undefined) {
        throw new AwsJsonFault({ type: 'UnknownOperationException', message: target });
      }
      if (scope === null || scope[1] !== FAKE_ACCESS_KEY_ID) {
        throw new AwsJsonFault({
          type: 'IncompleteSignatureException',
          message: 'Authorization header requires a SigV4 Credential scope with the test key.',
        });
      }
      if (scope[4] !== known.service) {
        throw new AwsJsonFault({
          type: 'InvalidSignatureException',
          message: `Credential should be scoped to correct service: '${known.service}'.`,
        });
      }
      injectFault(known.operation, record.region, record.body);
      return { record, payload: answer(known.operation, record.region, record.body) };
    } catch (error) {
      const fault =
        error instanceof AwsJsonFault
          ? error.error
          : {
              type: error instanceof SyntaxError ? 'SerializationException' : 'InternalFailure',
              message: error instanceof Error ? error.message : String(error),
              status: error instanceof SyntaxError ? 400 : 500,
            };
      record.response = { status: fault.status ?? 400, errorType: fault.type };
      return { record, payload: { __type: fault.type, message: fault.message } };
    }
  }

  function injectFault(operation: Operation, region: string, body: Record<string, unknown>): void {
    const named = body.Name ?? body.TrailName;
    for (const entry of faults) {
      const { fault } = entry;
      if (entry.left <= 0 || fault.operation !== operation) continue;
      if (fault.region !== undefined && fault.region !== region) continue;
      if (fault.trail !== undefined && fault.trail !== named) continue;
      entry.left -= 1;
      throw new AwsJsonFault(fault.error);
    }
  }

  function answer(operation: Operation, region: string, body: Record<string, unknown>): unknown {
    switch (operation) {
      case 'DescribeTrails':
        return describeTrails(region, validated(describeTrailsSchema, body));
      case 'GetTrailStatus': {
        const { Name } = validated(getTrailStatusSchema, body);
        return findTrail(Name, region, 'status').status;
      }
      case 'GetEventSelectors': {
        const { TrailName } = validated(getEventSelectorsSchema, body);
        const found = findTrail(TrailName, region, 'selectors');
        if (arnAccount(found.trail.TrailARN) !== account.accountId) {
          // A member account does not see the selectors of its organization's trail.
          throw unknownTrail(TrailName, region);
        }
        return { TrailARN: found.trail.TrailARN, ...found.eventSelectors };
      }
      case 'PutEvaluations':
        validated(putEvaluationsSchema, body);
        return { FailedEvaluations: [] };
    }
  }

  /** What `DescribeTrails` lists in a Region: its own trails, and shadows of the rest. */
  function describeTrails(region: string, input: z.infer<typeof describeTrailsSchema>): unknown {
    const shadows = input.includeShadowTrails ?? true;
    const trailList = account.trails
      .map((t) => t.trail)
      .filter((t) => {
        const own = arnAccount(t.TrailARN) === account.accountId;
        const atHome = t.HomeRegion === region;
        // Shadow trails: copies of multi-Region trails outside their home Region, and
        // every organization trail of another account (CloudTrail lists them only with shadows).
        const shadow = own ? t.IsMultiRegionTrail && !atHome : t.IsMultiRegionTrail || atHome;
        return (own && atHome) || (shadows && shadow);
      })
      .filter(
        (t) =>
          input.trailNameList === undefined ||
          input.trailNameList.some((n) => n === t.Name || n === t.TrailARN),
      );
    return { trailList };
  }

  /**
   * Finds a trail the way CloudTrail resolves `Name` / `TrailName`: a name
   * means a trail homed in the calling Region; an ARN also reaches a shadow
   * trail for `GetTrailStatus`, but `GetEventSelectors` only answers in the
   * trail's home Region.
   */
  function findTrail(nameOrArn: string, region: string, read: 'status' | 'selectors'): FakeTrail {
    const isArn = nameOrArn.startsWith('arn:');
    const found = account.trails.find((t) =>
      isArn ? t.trail.TrailARN === nameOrArn : t.trail.Name === nameOrArn,
    );
    if (found === undefined) throw unknownTrail(nameOrArn, region);
    const atHome = found.trail.HomeRegion === region;
    const visibleHere = found.trail.IsMultiRegionTrail || atHome;
    if (!visibleHere || (!isArn && !atHome) || (read === 'selectors' && !atHome)) {
      throw unknownTrail(nameOrArn, region);
    }
    return found;
  }

  /** CloudTrail's answer for a trail it cannot find from this caller and Region. */
  function unknownTrail(nameOrArn: string, region: string): AwsJsonFault {
    const name = nameOrArn.startsWith('arn:') ? nameOrArn.split('/').pop() : nameOrArn;
    const asSeenHere = `arn:aws:cloudtrail:${region}:${account.accountId}:trail/${name}`;
    return new AwsJsonFault({
      type: 'TrailNotFoundException',
      message: `Unknown trail: ${nameOrArn.startsWith('arn:') ? nameOrArn : asSeenHere} for the user: ${account.accountId}`,
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    serve(next, nextFaults = []) {
      account = next;
      faults = nextFaults.map((fault) => ({
        fault,
        left: fault.times ?? Number.POSITIVE_INFINITY,
      }));
      requests.length = 0;
      servedAt = performance.now();
    },
    calls: (operation) => requests.filter((r) => r.operation === operation),
    putEvaluations: () =>
      requests
        .filter((r) => r.operation === 'PutEvaluations')
        .map((r) => putEvaluationsSchema.parse(r.body)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function validated<T extends z.ZodType>(schema: T, body: Record<string, unknown>): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AwsJsonFault({
      type: 'ValidationException',
      message: `1 validation error detected: Value at '${issue?.path.join('.') ?? ''}' failed to satisfy constraint: ${issue?.message ?? 'invalid'}`,
    });
  }
  return parsed.data;
}

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function send(response: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(body);
}

function arnAccount(arn: string): string | undefined {
  return arn.split(':')[4];
}
