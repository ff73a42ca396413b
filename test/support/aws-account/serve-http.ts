import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeHttpServer, listenLocally } from '../listen';
import { CLOUDTRAIL_OPERATIONS } from './cloudtrail';
import { type AwsError, AwsFault, fault } from './errors';
import { findKey, KMS_OPERATIONS } from './kms';
import {
  type AccountBucket,
  type AccountKey,
  type AccountState,
  type AccountTrail,
  type AwsAccount,
  type AwsReply,
  accountState,
  answer,
  type Fault,
  faultPlan,
  isWrite,
  type Operation,
  type PutEvaluationsRequest,
  putEvaluationsSchema,
  type Service,
} from './model';
import { s3ErrorReply, s3Input, s3Operation, s3Reply } from './serve-http-s3';

/**
 * The account model (`model.ts`) served on 127.0.0.1 in the protocols the
 * real services speak, for the functions as they ship: CloudTrail
 * (`CloudTrail_20131101.*`), AWS Config (`StarlingDoveService.*`) and KMS
 * (`TrentService.*`) over awsJson1_1, STS `GetCallerIdentity` over the query
 * protocol, Security Hub `GetFindings` over restJson1 (`POST /findings`), and S3 bucket operations over REST-XML (path-style, see
 * `serve-http-s3.ts`). It takes the Region of each request from its SigV4
 * credential scope, records every request, and fails requests on demand in
 * each protocol's error shape.
 */

const JSON_OPERATIONS: Record<string, { operation: Operation; service: Service }> = {
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
  'StarlingDoveService.DescribeConfigRules': {
    operation: 'DescribeConfigRules',
    service: 'config',
  },
  'StarlingDoveService.DescribeRemediationConfigurations': {
    operation: 'DescribeRemediationConfigurations',
    service: 'config',
  },
  'StarlingDoveService.GetComplianceDetailsByConfigRule': {
    operation: 'GetComplianceDetailsByConfigRule',
    service: 'config',
  },
};

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
  /** What the model answered: 200 (204 for some S3 writes), or the error it returned. */
  response: { status: number; errorType?: string };
  /** When it arrived, in milliseconds since {@link AccountEndpoint.serve}. */
  at: number;
}

export interface AccountEndpoint {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL`. */
  endpoint: string;
  /** Every request since the last {@link AccountEndpoint.serve} or {@link AccountEndpoint.forget}, in arrival order. */
  requests: RecordedRequest[];
  /**
   * Describes (a copy of) `account` from now on, failing requests as
   * `faults` say, and forgets past requests.
   */
  serve(account: AwsAccount, faults?: Fault[]): void;
  /** Forgets past requests, keeping the account as the writes left it. */
  forget(): void;
  /** The account now, with every change writes made since {@link AccountEndpoint.serve}. */
  readonly account: AccountState;
  /** A trail as it is now, by ARN. */
  trail(arn: string): AccountTrail | undefined;
  /** A bucket as it is now. */
  bucket(name: string): AccountBucket | undefined;
  /** A key as it is now, by key ID, key ARN or alias (in any Region). */
  key(id: string): AccountKey | undefined;
  /** The recorded requests for one operation. */
  calls(operation: Operation): RecordedRequest[];
  /** The recorded requests that ask for a change (see {@link isWrite}), refused or not. */
  writes(): RecordedRequest[];
  /** The `PutEvaluations` requests, parsed (the model has already validated them as AWS Config does). */
  putEvaluations(): PutEvaluationsRequest[];
  close(): Promise<void>;
}

/** The access key ID every request must be signed with. */
export const FAKE_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const FAKE_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cloudtrail/aws4_request, ...` */
const CREDENTIAL_SCOPE =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/;

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Starts serving on 127.0.0.1 (an ephemeral port), describing an empty account until {@link AccountEndpoint.serve}. */
export async function startAccountEndpoint(): Promise<AccountEndpoint> {
  let account = accountState({ accountId: '111122223333', trails: [] });
  let faults = faultPlan([]);
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
    if (target === '' && record.service === 'securityhub') {
      return { record, reply: handleSecurityHub(request, text, record, signed) };
    }
    if (
      target === '' &&
      header(request, 'content-type').startsWith('application/x-www-form-urlencoded')
    ) {
      return { record, reply: handleQuery(request, text, record, signed) };
    }
    return { record, reply: handleJson(request, text, record, signed) };
  }

  /** Asks the model, unless a fault answers first. */
  function ask(
    service: Service,
    operation: Operation,
    region: string,
    input: Record<string, unknown>,
  ): AwsReply {
    const injected = faults.next({ operation, region, input });
    if (injected !== undefined) return { error: injected };
    try {
      return answer(account, { service, operation, region, input });
    } catch (error) {
      // A defect of the model: answered as the service's internal error, so the caller's output shows it.
      return {
        error: {
          type: 'InternalFailure',
          message: error instanceof Error ? error.message : String(error),
          status: 500,
        },
      };
    }
  }

  /** awsJson1_1: CloudTrail, Config, KMS. */
  function handleJson(
    request: IncomingMessage,
    text: string,
    record: RecordedRequest,
    signed: (service: string) => AwsError | undefined,
  ): Reply {
    const known = JSON_OPERATIONS[record.target];
    const failed = (failure: AwsError) => {
      record.response = { status: failure.status ?? 400, errorType: failure.type };
      return jsonReply(failure.status ?? 400, { __type: failure.type, message: failure.message });
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text === '' ? '{}' : text);
    } catch (error) {
      return failed({
        type: 'SerializationException',
        message: error instanceof Error ? error.message : String(error),
      });
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      record.body = { ...parsed };
    }
    if (request.method !== 'POST' || request.url !== '/') {
      return failed(protocolError('UnknownOperationException', `${request.method} ${request.url}`));
    }
    if (header(request, 'content-type') !== 'application/x-amz-json-1.1') {
      return failed(
        protocolError(
          'UnsupportedMediaTypeException',
          'Content-Type must be application/x-amz-json-1.1',
        ),
      );
    }
    if (known === undefined)
      return failed(protocolError('UnknownOperationException', record.target));
    record.operation = known.operation;
    const unsigned = signed(known.service);
    if (unsigned !== undefined) return failed(unsigned);
    const reply = ask(known.service, known.operation, record.region, record.body);
    return 'error' in reply ? failed(reply.error) : jsonReply(200, reply.output);
  }

  /** restJson1: Security Hub `GetFindings`, `POST /findings` with the input as the JSON body. */
  function handleSecurityHub(
    request: IncomingMessage,
    text: string,
    record: RecordedRequest,
    signed: (service: string) => AwsError | undefined,
  ): Reply {
    record.target = `${request.method ?? ''} ${request.url ?? ''}`;
    const failed = (failure: AwsError) => {
      record.response = { status: failure.status ?? 400, errorType: failure.type };
      return {
        status: failure.status ?? 400,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': failure.type },
        body: JSON.stringify({ Code: failure.type, Message: failure.message }),
      };
    };
    if (request.method !== 'POST' || request.url !== '/findings') {
      return failed(
        protocolError('ResourceNotFoundException', `${record.target} is not a route`, 404),
      );
    }
    try {
      const parsed: unknown = JSON.parse(text === '' ? '{}' : text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        record.body = { ...parsed };
      }
    } catch (error) {
      return failed(
        protocolError(
          'InvalidInputException',
          error instanceof Error ? error.message : String(error),
        ),
      );
    }
    record.operation = 'GetFindings';
    const unsigned = signed('securityhub');
    if (unsigned !== undefined) return failed(unsigned);
    const reply = ask('securityhub', 'GetFindings', record.region, record.body);
    if ('error' in reply) return failed(reply.error);
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(reply.output),
    };
  }

  /** The query protocol: STS `GetCallerIdentity`. */
  function handleQuery(
    request: IncomingMessage,
    text: string,
    record: RecordedRequest,
    signed: (service: string) => AwsError | undefined,
  ): Reply {
    const params = Object.fromEntries(new URLSearchParams(text));
    record.body = params;
    record.target = params.Action ?? '';
    const failed = (failure: AwsError) => {
      record.response = { status: failure.status ?? 400, errorType: failure.type };
      return xmlReply(
        failure.status ?? 400,
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${failure.type}</Code><Message>${failure.message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    };
    if (request.method !== 'POST' || params.Action !== 'GetCallerIdentity') {
      return failed(
        protocolError(
          'InvalidAction',
          `Could not find operation ${params.Action ?? ''} for version ${params.Version ?? ''}`,
        ),
      );
    }
    record.operation = 'GetCallerIdentity';
    const unsigned = signed('sts');
    if (unsigned !== undefined) return failed(unsigned);
    const reply = ask('sts', 'GetCallerIdentity', record.region, {});
    if ('error' in reply) return failed(reply.error);
    const { Arn, UserId, Account } = reply.output;
    return xmlReply(
      200,
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${String(Arn)}</Arn><UserId>${String(UserId)}</UserId><Account>${String(Account)}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  }

  /** REST-XML, path-style: S3 bucket operations. */
  function handleS3(
    request: IncomingMessage,
    text: string,
    record: RecordedRequest,
    signed: (service: string) => AwsError | undefined,
  ): Reply {
    const method = request.method ?? '';
    const url = request.url ?? '/';
    record.target = `${method} ${url}`;
    const route = s3Operation(method, url);
    const failed = (failure: AwsError) => {
      record.response = { status: failure.status ?? 400, errorType: failure.type };
      return s3ErrorReply(failure, method, route?.bucket);
    };
    if (route === undefined) {
      return failed(
        protocolError(
          'NotImplemented',
          'A header you provided implies functionality that is not implemented',
          501,
        ),
      );
    }
    const expectedOwner = header(request, 'x-amz-expected-bucket-owner');
    record.operation = route.operation;
    record.body = {
      Bucket: route.bucket,
      ...(expectedOwner === '' ? {} : { ExpectedBucketOwner: expectedOwner }),
      ...(text === '' ? {} : { Body: text }),
    };
    const unsigned = signed('s3');
    if (unsigned !== undefined) return failed(unsigned);
    let input: Record<string, unknown>;
    try {
      input = s3Input(route.operation, route.bucket, (name) => header(request, name), text);
    } catch (error) {
      // A body S3 cannot read: it answers before looking at the bucket.
      if (error instanceof AwsFault) return failed(error.error);
      throw error;
    }
    const reply = ask('s3', route.operation, record.region, input);
    if ('error' in reply) return failed(reply.error);
    const ok = s3Reply(route.operation, reply.output);
    record.response = { status: ok.status };
    return ok;
  }

  function checkSignature(scope: RegExpExecArray | null, service: string): AwsError | undefined {
    if (scope === null || scope[1] !== FAKE_ACCESS_KEY_ID) {
      return protocolError(
        'IncompleteSignatureException',
        'Authorization header requires a SigV4 Credential scope with the test key.',
        service === 's3' ? 403 : 400,
      );
    }
    if (scope[4] !== service) {
      return protocolError(
        'InvalidSignatureException',
        `Credential should be scoped to correct service: '${service}'.`,
        service === 's3' ? 403 : 400,
      );
    }
    return undefined;
  }

  const endpoint = await listenLocally(server);

  return {
    endpoint,
    requests,
    serve(next, nextFaults = []) {
      account = accountState(next);
      faults = faultPlan(nextFaults);
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
    close: () => closeHttpServer(server),
  };
}

function protocolError(type: string, message: string, status?: number): AwsError {
  return fault(type, message, status).error;
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
