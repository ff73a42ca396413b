import { CloudTrailClient, type CloudTrailClientConfig } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { AwsTimeoutError, NotAwsAnswerError } from './errors';
import type { CloudTrailClientFor } from './reader';

/**
 * Retry settings: adaptive mode (client-side rate limiting on throttling)
 * with a bounded number of attempts, unless the standard `AWS_RETRY_MODE` /
 * `AWS_MAX_ATTEMPTS` settings say otherwise.
 */
export function retrySettings(env: NodeJS.ProcessEnv = process.env): {
  retryMode?: string;
  maxAttempts?: number;
} {
  return {
    ...(env.AWS_RETRY_MODE ? {} : { retryMode: 'adaptive' }),
    ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: 5 }),
  };
}

/** How long one attempt of an AWS call may take, in milliseconds. */
export interface CallTimeouts {
  /** To open the TCP connection. */
  connectionMs: number;
  /** For the whole attempt, connecting included, until the response is in; also the longest silence while it arrives. */
  requestMs: number;
}

/**
 * The timeouts of every AWS call the rule, the remediation and the command
 * line make. A stalled endpoint fails an attempt after 5 s (2 s when no
 * connection opens), and the 5 attempts of the default retry settings, with
 * under a second of backoff between them, end a call in about 26 s: inside
 * the rule function's 120 s even for three such calls in a row (list, read,
 * report), and inside the remediation's 270 s. A normal call answers in well
 * under a second. docs/speed.md ("Sizing the functions") has the arithmetic.
 */
export const CALL_TIMEOUTS: CallTimeouts = { connectionMs: 2_000, requestMs: 5_000 };

export interface ClientOptions {
  /** A named profile from the shared config files (CLI only; the Lambda uses its role). */
  profile?: string;
  /** The Region; by default the SDK's (`AWS_REGION`, the profile's). */
  region?: string;
  /** By default {@link CALL_TIMEOUTS}. */
  timeouts?: CallTimeouts;
  /** Credentials to sign with instead of the default chain's: an assumed role's, for another account. */
  credentials?: CloudTrailClientConfig['credentials'];
  /** An endpoint URL for every call, over `AWS_ENDPOINT_URL*` (CLI only: `--endpoint-url`). */
  endpoint?: string;
}

/**
 * The configuration every SDK client is built with: the retry settings, the
 * timeouts (`requestHandler`, the options of the SDK's Node.js HTTP
 * handler), and the caller's profile and Region.
 */
export function clientConfig(options: ClientOptions = {}) {
  const { timeouts = CALL_TIMEOUTS, ...rest } = options;
  return {
    ...retrySettings(),
    ...(options.profile === undefined ? {} : { logger: PROFILE_LOGGER }),
    requestHandler: {
      connectionTimeout: timeouts.connectionMs,
      requestTimeout: timeouts.requestMs,
      // Without it, a request over requestTimeout is only logged as a warning.
      throwOnRequestTimeout: true,
      // A response whose body stops coming after its headers fails too.
      socketTimeout: timeouts.requestMs,
    },
    ...rest,
  };
}

/**
 * The SDK's logger for a client given a profile. Given one, the SDK takes
 * its credentials from the profile even when `AWS_ACCESS_KEY_ID` and
 * `AWS_SECRET_ACCESS_KEY` are set, and warns, in nine lines, that
 * "AWS_PROFILE" is set: untrue when the profile came from `--profile`, and
 * noise when the choice is the person's. That warning is dropped; every
 * other warning is written as the SDK writes it. The SDK logs nothing else
 * to it that it would not drop without one (its default logger is silent).
 */
const PROFILE_LOGGER = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message: unknown, ...rest: unknown[]) => {
    if (typeof message === 'string' && message.includes('Multiple credential sources detected')) {
      return;
    }
    console.warn(message, ...rest);
  },
  error: () => undefined,
};

/** What {@link nameTimeouts} needs of an SDK client. */
interface SdkClient {
  config: { region: () => Promise<string> };
  middlewareStack: {
    add<I, O>(
      middleware: (next: (args: I) => Promise<O>, context: CallContext) => (args: I) => Promise<O>,
      options: { step: 'initialize'; name: string; override: boolean },
    ): void;
    add<I, O>(
      middleware: (next: (args: I) => Promise<O>, context: CallContext) => (args: I) => Promise<O>,
      options: { step: 'deserialize'; name: string; override: boolean; priority: 'low' },
    ): void;
  };
}

/** What the SDK's HTTP handler hands the deserializer: the raw response. */
interface RawAnswer {
  response?: {
    statusCode?: number;
    headers?: Record<string, string | undefined>;
    body?: { destroy?: () => void };
  };
}

/**
 * The media types AWS APIs answer with: XML (the Query and REST-XML
 * protocols), JSON (JSON and REST-JSON), CBOR, and bytes (an object's
 * content). Anything else, `text/html` above all, comes from something
 * between the caller and AWS.
 */
const AWS_MEDIA_TYPE =
  /^(application|text)\/([\w.+-]*\+)?(xml|json|x-amz-json-[\d.]+|cbor|octet-stream)$/;

/** What the SDK tells a middleware about the call. */
interface CallContext {
  clientName?: string;
  commandName?: string;
  endpointV2?: { url: URL };
}

/** The call an error came from, as {@link failedCall} gives it. */
export interface FailedCall {
  /** `STS`, `CloudTrail`. */
  service: string;
  /** `GetCallerIdentity`. */
  operation: string;
  /** The URL the request went to, when it got as far as choosing one. */
  endpoint?: string;
}

const failedCalls = new WeakMap<object, FailedCall>();

/**
 * The call that raised `error`, for an error from a client made by this
 * module: the SDK's own errors (a refused connection, an HTTP error) do not
 * say which endpoint they came from, and a person needs it to see why.
 */
export function failedCall(error: unknown): FailedCall | undefined {
  return typeof error === 'object' && error !== null ? failedCalls.get(error) : undefined;
}

/**
 * Makes a client's timed-out calls fail, once its retries are spent, with
 * an {@link AwsTimeoutError} that names the service, the operation, the
 * Region, the endpoint and the timeout, instead of the HTTP handler's bare
 * "TimeoutError". Any other error is passed on as it is, with its call
 * recorded for {@link failedCall}. Returns the client.
 */
export function nameTimeouts<C extends SdkClient>(
  client: C,
  timeouts: CallTimeouts = CALL_TIMEOUTS,
): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (!isTimeout(error)) {
          if (typeof error === 'object' && error !== null) failedCalls.set(error, callOf(context));
          throw error;
        }
        const region = await client.config.region().catch(() => 'an unknown Region');
        throw timeoutError(error, { ...context, region }, timeouts);
      }
    },
    { step: 'initialize', name: 'nameTimeoutsMiddleware', override: true },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const { response } = result as RawAnswer;
      const type = contentType(response?.headers);
      const status = response?.statusCode ?? 0;
      if (status >= 200 && status < 300 && type !== undefined && !AWS_MEDIA_TYPE.test(type)) {
        // The body is not read: it is not AWS's, and could be anything.
        response?.body?.destroy?.();
        const { service, operation, endpoint = 'its endpoint' } = callOf(context);
        throw new NotAwsAnswerError({ service, operation, endpoint, status, contentType: type });
      }
      return result;
    },
    // Innermost: the raw response, before the SDK's deserializer reads its body.
    { step: 'deserialize', name: 'notAwsAnswerMiddleware', override: true, priority: 'low' },
  );
  return client;
}

/** The response's media type (`text/html`), lower case, without parameters; at most 100 characters of it. */
function contentType(headers: Record<string, string | undefined> | undefined): string | undefined {
  const value = Object.entries(headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'content-type',
  )?.[1];
  const type = value?.split(';')[0]?.trim().toLowerCase();
  if (type === undefined || type === '') return undefined;
  // It is printed: only the characters a media type is made of.
  return /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type.slice(0, 100) : 'that is not a media type';
}

function isTimeout(error: unknown): error is Error {
  return (
    error instanceof Error &&
    (error.name === 'TimeoutError' || (error as { code?: unknown }).code === 'ETIMEDOUT')
  );
}

function callOf(context: CallContext): FailedCall {
  const endpoint = context.endpointV2?.url.href;
  return {
    service: context.clientName?.replace(/Client$/, '') ?? 'AWS',
    operation: context.commandName?.replace(/Command$/, '') ?? 'call',
    ...(endpoint === undefined ? {} : { endpoint }),
  };
}

/** The error a timed-out call ends with, after its last attempt. */
export function timeoutError(
  error: Error,
  call: CallContext & { region: string },
  timeouts: CallTimeouts,
): AwsTimeoutError {
  const { service, operation, endpoint = 'its endpoint' } = callOf(call);
  const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
  const what = /establish a connection/.test(error.message)
    ? `could not connect to ${endpoint} within the ${timeouts.connectionMs} ms connection timeout`
    : `${endpoint} did not answer within the ${timeouts.requestMs} ms request timeout`;
  const tries = attempts === undefined ? '' : ` (${attempts} attempt${attempts === 1 ? '' : 's'})`;
  return new AwsTimeoutError(
    `${service} ${operation} in ${call.region} timed out: ${what}${tries}. ` +
      'Check that this network reaches the endpoint (from a VPC: a NAT gateway or an interface VPC endpoint for the service) and that AWS_ENDPOINT_URL, if set, is right.',
    { cause: error },
  );
}

/**
 * One CloudTrail client per Region, created on first use and kept: SDK
 * clients are reused across warm invocations. Endpoints and credentials come
 * from the standard SDK settings (`AWS_ENDPOINT_URL`, the default chain).
 */
export function cloudTrailClients(options: ClientOptions = {}): CloudTrailClientFor {
  const clients = new Map<string, CloudTrailClient>();
  return (region) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = nameTimeouts(
        new CloudTrailClient(clientConfig({ ...options, region })),
        options.timeouts,
      );
      clients.set(region, client);
    }
    return client;
  };
}

/**
 * A client of any SDK service, with the same settings, for the services
 * only the command line calls (Organizations): taking the client's class
 * keeps its package out of the functions' bundles, which would otherwise
 * load it at every cold start.
 *
 * @example
 * const organizations = sdkClient(OrganizationsClient, { region: 'us-east-1' });
 */
export function sdkClient<C extends SdkClient>(
  Client: new (config: ReturnType<typeof clientConfig>) => C,
  options: ClientOptions = {},
): C {
  return nameTimeouts(new Client(clientConfig(options)), options.timeouts);
}

/** The AWS Config client `PutEvaluations` goes through, with the same settings. */
export function configServiceClient(options: ClientOptions = {}): ConfigServiceClient {
  return nameTimeouts(new ConfigServiceClient(clientConfig(options)), options.timeouts);
}
