import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  answerCloudTrail,
  CLOUDTRAIL_OPERATIONS,
  type CloudTrailOperation,
  type FakeTrail,
  type TrailStatusWire,
} from './fake-cloudtrail';
import { type AwsError, AwsFault, fault, validated } from './fake-errors';
import { answerKms, type FakeKey, findKey, KMS_OPERATIONS, type KmsOperation } from './fake-kms';
import { answerS3, type FakeBucket, type S3Operation, s3ErrorReply, s3Operation } from './fake-s3';

export type { FakeTrail, TrailEntry, TrailStatusWire } from './fake-cloudtrail';
export type { FakeKey } from './fake-kms';
export type { FakeBucket, PublicAccessBlock } from './fake-s3';

/**
 * A fake of the AWS APIs the rule and the remediation call, served on
 * 127.0.0.1 in the protocols the real services speak: CloudTrail
 * (`CloudTrail_20131101.*`), AWS Config (`StarlingDoveService.*`) and KMS
 * (`TrentService.*`) over awsJson1_1, STS `GetCallerIdentity` over the query
 * protocol, and S3 bucket operations over REST-XML (path-style). It
 * describes one account from a fixture: its trails, as CloudTrail answers
 * from each Region (home trails, shadow copies of multi-Region and
 * organization trails, see `fake-cloudtrail.ts`), and the S3 buckets and KMS
 * keys it can reach (`fake-s3.ts`, `fake-kms.ts`). Writes change that
 * account at once, as the real services do where the callers depend on it.
 * It takes the Region of each request from its SigV4 credential scope,
 * records every request, and fails requests on demand in each protocol's
 * error shape.
 */

export type Operation =
  | CloudTrailOperation
  | 'PutEvaluations'
  | 'GetCallerIdentity'
  | KmsOperation
  | S3Operation;

const JSON_OPERATIONS: Record<string, { operation: Operation; service: string }> = {
  ...Object.fromEntries(
    Object.entries(CLOUDTRAIL_OPERATIONS).map(([target, operation]) => [
      target,
      { operation, service: 'cloudtrail' },
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(KMS_OPERATIONS).map(([target, operation]) => [
      target,
      { operation, service: 'kms' },
    ]),
  ),
  'StarlingDoveService.PutEvaluations': { operation: 'PutEvaluations', service: 'config' },
};

/**
 * The account the fake describes: its own trails and the organization
 * trails it sees, and the S3 buckets (its own and, since bucket names are
 * global, other accounts') and KMS keys there are.
 */
export interface FakeAccount {
  accountId: string;
  trails: FakeTrail[];
  buckets?: FakeBucket[];
  keys?: FakeKey[];
}

/** An error in the awsJson shape: `{"__type": type, "message": message}` with `status`. */
export type AwsJsonError = AwsError;

/** Makes matching requests fail. */
export interface Fault {
  operation: Operation;
  /** Only requests signed for this Region. */
  region?: string;
  /** Only requests that name this trail (by name or ARN). */
  trail?: string;
  /** Only requests for this S3 bucket. */
  bucket?: string;
  error: AwsJsonError;
  /** How many matching requests fail before they succeed again; every one if not given. */
  times?: number;
}

export interface RecordedRequest {
  operation: Operation | 'unknown';
  /** The `X-Amz-Target` header (awsJson), the `Action` (query), or the method and path (S3). */
  target: string;
  /** The signing Region, from the `Authorization` credential scope. */
  region: string;
  /** The signing service name, from the credential scope. */
  service: string;
  /**
   * The request: the JSON body (awsJson), the form parameters (query), or
   * for S3 `Bucket`, `ExpectedBucketOwner` and the payload as `Body`.
   */
  body: Record<string, unknown>;
  /** What the fake answered: 200 (204 for some S3 writes), or the error it returned. */
  response: { status: number; errorType?: string };
  /** When it arrived, in milliseconds since {@link FakeAws.serve}. */
  at: number;
}

export interface FakeAws {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL`. */
  endpoint: string;
  /** Every request since the last {@link FakeAws.serve} or {@link FakeAws.forget}, in arrival order. */
  requests: RecordedRequest[];
  /**
   * Describes (a copy of) `account` from now on, failing requests as
   * `faults` say, and forgets past requests.
   */
  serve(account: FakeAccount, faults?: Fault[]): void;
  /** Forgets past requests, keeping the account as the writes left it. */
  forget(): void;
  /** The account now, with every change writes made since {@link FakeAws.serve}. */
  readonly account: Required<FakeAccount>;
  /** A trail as it is now, by ARN. */
  trail(arn: string): FakeTrail | undefined;
  /** A bucket as it is now. */
  bucket(name: string): FakeBucket | undefined;
  /** A key as it is now, by key ID, key ARN or alias (in any Region). */
  key(id: string): FakeKey | undefined;
  /** The recorded requests for one operation. */
  calls(operation: Operation): RecordedRequest[];
  /** The recorded requests that ask for a change (see {@link isWrite}), refused or not. */
  writes(): RecordedRequest[];
  /** The `PutEvaluations` requests, parsed (the fake has already validated them as AWS Config does). */
  putEvaluations(): PutEvaluationsRequest[];
  close(): Promise<void>;
}

/** Whether a request asks for a change: any operation but `Get*`, `Describe*`, `Head*`, `List*` (an unknown one counts). */
export function isWrite(request: Pick<RecordedRequest, 'operation'>): boolean {
  return !/^(Get|Describe|Head|List)/.test(request.operation);
}

/** The access key ID every request must be signed with. */
/** `GetTrailStatus` of a trail that is logging, on the wire (timestamps in epoch seconds). */
export const LOGGING: TrailStatusWire = {
  IsLogging: true,
  LatestDeliveryTime: 1772424000.512,
  StartLoggingTime: 1735689600.0,
  LatestDeliveryAttemptTime: '2026-03-02T04:00:00Z',
  LatestNotificationAttemptTime: '',
  LatestNotificationAttemptSucceeded: '',
  LatestDeliveryAttemptSucceeded: '2026-03-02T04:00:00Z',
  TimeLoggingStarted: '2025-01-01T00:00:00Z',
  TimeLoggingStopped: '',
};

/** `GetTrailStatus` of a trail whose logging was stopped. */
export const STOPPED: TrailStatusWire = {
  IsLogging: false,
  StartLoggingTime: 1735689600.0,
  StopLoggingTime: 1772000000.0,
  TimeLoggingStarted: '2025-01-01T00:00:00Z',
  TimeLoggingStopped: '2026-02-25T06:13:20Z',
};
export const FAKE_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const FAKE_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** The role the caller runs as, for `GetCallerIdentity`. */
export const FAKE_CALLER_ROLE = 'cloudtrail-remediation';

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

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cloudtrail/aws4_request, ...` */
const CREDENTIAL_SCOPE =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/;

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Starts the fake on 127.0.0.1 (an ephemeral port), describing an empty account until {@link FakeAws.serve}. */
export async function startFakeAws(): Promise<FakeAws> {
  let account: Required<FakeAccount> = {
    accountId: '111122223333',
    trails: [],
    buckets: [],
    keys: [],
  };
  let faults: { fault: Fault; left: number }[] = [];
  const requests: RecordedRequest[] = [];
  let servedAt = performance.now();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { record, reply } = handle(request, Buffer.concat(chunks).toString('utf8'));
      requests.push(record);
      send(response, reply);
    });
  });

  function handle(
    request: IncomingMessage,
    text: string,
  ): { record: RecordedRequest; reply: Reply } {
    const target = header(request, 'x-amz-target');
    const scope = CREDENTIAL_SCOPE.exec(header(request, 'authorization'));
    const record: RecordedRequest = {
      operation: 'unknown',
      target,
      region: scope?.[3] ?? '',
      service: scope?.[4] ?? '',
      body: {},
      response: { status: 200 },
      at: Math.round(performance.now() - servedAt),
    };
    const signed = (service: string) => checkSignature(scope, service);
    if (target === '' && record.service === 's3') {
      return { record, reply: handleS3(request, text, record, signed) };
    }
    if (
      target === '' &&
      header(request, 'content-type').startsWith('application/x-www-form-urlencoded')
    ) {
      return { record, reply: handleQuery(request, text, record, signed) };
    }
    return { record, reply: handleJson(request, text, record, signed) };
  }

  /** awsJson1_1: CloudTrail, Config, KMS. */
  function handleJson(
    request: IncomingMessage,
    text: string,
    record: RecordedRequest,
    signed: (service: string) => void,
  ): Reply {
    const known = JSON_OPERATIONS[record.target];
    try {
      const parsed: unknown = JSON.parse(text === '' ? '{}' : text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        record.body = { ...parsed };
      }
      if (request.method !== 'POST' || request.url !== '/') {
        throw fault('UnknownOperationException', `${request.method} ${request.url}`);
      }
      if (header(request, 'content-type') !== 'application/x-amz-json-1.1') {
        throw fault(
          'UnsupportedMediaTypeException',
          'Content-Type must be application/x-amz-json-1.1',
        );
      }
      if (known === undefined) throw fault('UnknownOperationException', record.target);
      record.operation = known.operation;
      signed(known.service);
      injectFault(known.operation, record.region, record.body);
      return jsonReply(200, answerJson(known.operation, record.region, record.body));
    } catch (error) {
      const failure =
        error instanceof AwsFault
          ? error.error
          : {
              type: error instanceof SyntaxError ? 'SerializationException' : 'InternalFailure',
              message: error instanceof Error ? error.message : String(error),
              status: error instanceof SyntaxError ? 400 : 500,
            };
      record.response = { status: failure.status ?? 400, errorType: failure.type };
      return jsonReply(failure.status ?? 400, { __type: failure.type, message: failure.message });
    }
  }

  function answerJson(
    operation: Operation,
    region: string,
    body: Record<string, unknown>,
  ): unknown {
    if (operation === 'PutEvaluations') {
      validated(putEvaluationsSchema, body);
      return { FailedEvaluations: [] };
    }
    const cloudTrail = CLOUDTRAIL_OPERATIONS[`CloudTrail_20131101.${operation}`];
    if (cloudTrail !== undefined) return answerCloudTrail(cloudTrail, region, body, account);
    const kms = KMS_OPERATIONS[`TrentService.${operation}`];
    if (kms !== undefined) {
      return answerKms(kms, { region, accountId: account.accountId, body }, account.keys);
    }
    throw fault('UnknownOperationException', operation);
  }

  /** The query protocol: STS `GetCallerIdentity`. */
  function handleQuery(
    request: IncomingMessage,
    text: string,
    record: RecordedRequest,
    signed: (service: string) => void,
  ): Reply {
    const params = Object.fromEntries(new URLSearchParams(text));
    record.body = params;
    record.target = params.Action ?? '';
    try {
      if (request.method !== 'POST' || params.Action !== 'GetCallerIdentity') {
        throw fault(
          'InvalidAction',
          `Could not find operation ${params.Action ?? ''} for version ${params.Version ?? ''}`,
        );
      }
      record.operation = 'GetCallerIdentity';
      signed('sts');
      injectFault('GetCallerIdentity', record.region, record.body);
      const id = account.accountId;
      return xmlReply(
        200,
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::${id}:assumed-role/${FAKE_CALLER_ROLE}/remediation</Arn><UserId>AROAEXAMPLEROLEID0001:remediation</UserId><Account>${id}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
    } catch (error) {
      const failure = asAwsError(error);
      record.response = { status: failure.status ?? 400, errorType: failure.type };
      return xmlReply(
        failure.status ?? 400,
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${failure.type}</Code><Message>${failure.message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    }
  }

  /** REST-XML, path-style: S3 bucket operations. */
  function handleS3(
    request: IncomingMessage,
    text: string,
    record: RecordedRequest,
    signed: (service: string) => void,
  ): Reply {
    const method = request.method ?? '';
    const url = request.url ?? '/';
    record.target = `${method} ${url}`;
    const route = s3Operation(method, url);
    try {
      if (route === undefined) {
        throw fault(
          'NotImplemented',
          'A header you provided implies functionality that is not implemented',
          501,
        );
      }
      const expectedOwner = header(request, 'x-amz-expected-bucket-owner');
      record.operation = route.operation;
      record.body = {
        Bucket: route.bucket,
        ...(expectedOwner === '' ? {} : { ExpectedBucketOwner: expectedOwner }),
        ...(text === '' ? {} : { Body: text }),
      };
      signed('s3');
      injectFault(route.operation, record.region, record.body);
      const reply = answerS3(
        {
          ...route,
          region: record.region,
          accountId: account.accountId,
          header: (name) => header(request, name),
          body: text,
        },
        account.buckets,
      );
      record.response = { status: reply.status };
      return reply;
    } catch (error) {
      const failure = asAwsError(error);
      record.response = { status: failure.status ?? 400, errorType: failure.type };
      return s3ErrorReply(failure, method, route?.bucket);
    }
  }

  function checkSignature(scope: RegExpExecArray | null, service: string): void {
    if (scope === null || scope[1] !== FAKE_ACCESS_KEY_ID) {
      throw fault(
        'IncompleteSignatureException',
        'Authorization header requires a SigV4 Credential scope with the test key.',
        service === 's3' ? 403 : 400,
      );
    }
    if (scope[4] !== service) {
      throw fault(
        'InvalidSignatureException',
        `Credential should be scoped to correct service: '${service}'.`,
        service === 's3' ? 403 : 400,
      );
    }
  }

  function injectFault(operation: Operation, region: string, body: Record<string, unknown>): void {
    const named = body.Name ?? body.TrailName;
    for (const entry of faults) {
      const { fault: f } = entry;
      if (entry.left <= 0 || f.operation !== operation) continue;
      if (f.region !== undefined && f.region !== region) continue;
      if (f.trail !== undefined && f.trail !== named) continue;
      if (f.bucket !== undefined && f.bucket !== body.Bucket) continue;
      entry.left -= 1;
      throw new AwsFault(f.error);
    }
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
      const copy = structuredClone(next);
      account = { ...copy, buckets: copy.buckets ?? [], keys: copy.keys ?? [] };
      faults = nextFaults.map((f) => ({ fault: f, left: f.times ?? Number.POSITIVE_INFINITY }));
      requests.length = 0;
      servedAt = performance.now();
    },
    forget() {
      requests.length = 0;
    },
    get account() {
      return account;
    },
    trail: (arn) => account.trails.find((t) => t.trail.TrailARN === arn),
    bucket: (name) => account.buckets.find((b) => b.name === name),
    key: (id) =>
      account.keys.find((k) => findKey([k], id, k.region, { aliases: true }) !== undefined),
    calls: (operation) => requests.filter((r) => r.operation === operation),
    writes: () => requests.filter(isWrite),
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

function asAwsError(error: unknown): AwsError {
  if (error instanceof AwsFault) return error.error;
  return {
    type: 'InternalFailure',
    message: error instanceof Error ? error.message : String(error),
    status: 500,
  };
}

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function jsonReply(status: number, payload: unknown): Reply {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(payload),
  };
}

function xmlReply(status: number, xml: string): Reply {
  return { status, headers: { 'content-type': 'text/xml' }, body: xml };
}

function send(response: ServerResponse, reply: Reply): void {
  response.writeHead(reply.status, {
    'x-amzn-requestid': randomUUID(),
    ...reply.headers,
    'content-length': Buffer.byteLength(reply.body),
  });
  response.end(reply.body);
}
