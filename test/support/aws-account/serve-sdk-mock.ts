import * as cloudtrail from '@aws-sdk/client-cloudtrail';
import * as config from '@aws-sdk/client-config-service';
import * as kms from '@aws-sdk/client-kms';
import * as s3 from '@aws-sdk/client-s3';
import * as securityhub from '@aws-sdk/client-securityhub';
import * as sts from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { ExecutorClients } from '../../../remediation/executor';
import type { RemediationDependencies } from '../../../remediation/remediate';
import { DEFAULT_PARAMETERS } from '../../../rule/parameters';
import type { AwsError } from './errors';
import {
  type AccountBucket,
  type AccountState,
  type AwsAccount,
  type AwsRequest,
  accountState,
  answer,
  type Fault,
  faultPlan,
  isWrite,
  OPERATIONS,
  type Operation,
  type Service,
} from './model';

/**
 * The account model (`model.ts`) behind aws-sdk-client-mock, for unit
 * tests: every CloudTrail, S3, KMS, STS, AWS Config and Security Hub command the model
 * answers is registered with `callsFake`, resolving with the model's output
 * (timestamps as `Date`, as the SDK parses them) or rejecting with the
 * SDK's exception for the AWS error (the modeled class where the SDK has
 * one, else the service's `ServiceException`, with `name`, `message`,
 * `$fault` and `$metadata.httpStatusCode`). Every request is recorded with
 * the Region of the client that sent it, and a failure can be injected at
 * any write.
 *
 * @example
 * const account = mockAccount({ accountId: ACCOUNT, trails: [] });
 * await remediate({ dryRun: false }, account.dependencies());
 * account.restore();
 */

/** One command sent to the mocked clients: its input as given, and the client's Region. */
export interface SdkRequest {
  service: Service;
  operation: Operation;
  region: string;
  input: Record<string, unknown>;
}

export interface MockedAccount {
  /** The account now, with every change writes made since {@link mockAccount}. */
  readonly state: AccountState;
  readonly accountId: string;
  /** Every request answered, in order. */
  readonly requests: SdkRequest[];
  /** The write requests made so far (see {@link isWrite}; STS counts as a read), refused or not. */
  writes(): SdkRequest[];
  /** Makes the n-th write from now on fail once with `InternalFailure`. */
  failWrite(n: number): void;
  /** How long each call takes (the benchmark sets it; tests answer at once). */
  latencyMs: number;
  /** A bucket as it is now. */
  bucket(name: string): AccountBucket | undefined;
  /** Clients for the code under test, without SDK retries (the mocks answer at once). */
  clients(): ExecutorClients & { sts: sts.STSClient };
  /**
   * What the remediation runs with against this account: its clients, from
   * us-east-1, with the rule's default parameters, and no real waiting (each
   * wait is told to `sleep`, when given).
   */
  dependencies(sleep?: (ms: number) => void): RemediationDependencies;
  /** Every command sent to any mocked client, answered by the model or not, by class name. */
  commandsSent(): string[];
  restore(): void;
}

type SdkModule = Record<string, unknown>;
type Stub = AwsClientStub<
  | cloudtrail.CloudTrailClient
  | s3.S3Client
  | kms.KMSClient
  | sts.STSClient
  | config.ConfigServiceClient
  | securityhub.SecurityHubClient
>;

/** Each service's client class, its SDK module (commands, exceptions) and its base exception. */
const SERVICES: Record<
  Service,
  { client: new (config: object) => object; module: SdkModule; base: string }
> = {
  cloudtrail: {
    client: cloudtrail.CloudTrailClient,
    module: cloudtrail,
    base: 'CloudTrailServiceException',
  },
  s3: { client: s3.S3Client, module: s3, base: 'S3ServiceException' },
  kms: { client: kms.KMSClient, module: kms, base: 'KMSServiceException' },
  sts: { client: sts.STSClient, module: sts, base: 'STSServiceException' },
  config: {
    client: config.ConfigServiceClient,
    module: config,
    base: 'ConfigServiceServiceException',
  },
  securityhub: {
    client: securityhub.SecurityHubClient,
    module: securityhub,
    base: 'SecurityHubServiceException',
  },
};

/** What registering a command needs of a stub, whatever its client. */
interface Registrar {
  on(command: unknown): {
    callsFake(
      answer: (
        input: object,
        getClient: () => { config: { region: () => Promise<string> | string } },
      ) => Promise<unknown>,
    ): unknown;
  };
}

/** S3 operations answered without a body: the SDK has only the HTTP status to name their errors by. */
const BODILESS = new Set<Operation>(['HeadBucket']);

/** Output fields that are timestamps (epoch seconds on the wire, `Date` from the SDK). */
const TIMESTAMPS: Partial<Record<Operation, (output: Record<string, unknown>) => void>> = {
  GetTrailStatus: (output) => {
    for (const field of [
      'LatestDeliveryTime',
      'LatestNotificationTime',
      'StartLoggingTime',
      'StopLoggingTime',
      'LatestCloudWatchLogsDeliveryTime',
      'LatestDigestDeliveryTime',
    ]) {
      const value = output[field];
      if (typeof value === 'number') output[field] = new Date(value * 1000);
    }
  },
  GetComplianceDetailsByConfigRule: (output) => {
    for (const result of (output.EvaluationResults ?? []) as Record<string, unknown>[]) {
      for (const field of ['ResultRecordedTime', 'ConfigRuleInvokedTime']) {
        const value = result[field];
        if (typeof value === 'number') result[field] = new Date(value * 1000);
      }
      const identifier = result.EvaluationResultIdentifier as Record<string, unknown> | undefined;
      if (typeof identifier?.OrderingTimestamp === 'number') {
        identifier.OrderingTimestamp = new Date(identifier.OrderingTimestamp * 1000);
      }
    }
  },
  DescribeKey: (output) => {
    const metadata = output.KeyMetadata as Record<string, unknown> | undefined;
    if (typeof metadata?.CreationDate === 'number') {
      metadata.CreationDate = new Date(metadata.CreationDate * 1000);
    }
  },
  GetKeyRotationStatus: (output) => {
    for (const field of ['NextRotationDate', 'OnDemandRotationStartDate']) {
      const value = output[field];
      if (typeof value === 'number') output[field] = new Date(value * 1000);
    }
  },
  GetBucketLifecycleConfiguration: (output) => {
    for (const rule of (output.Rules ?? []) as Record<string, unknown>[]) {
      const actions = [rule.Expiration, ...((rule.Transitions ?? []) as unknown[])];
      for (const action of actions as (Record<string, unknown> | undefined)[]) {
        if (typeof action?.Date === 'number') action.Date = new Date(action.Date * 1000);
      }
    }
  },
};

/**
 * Serves (a copy of) `account` to every SDK client of the mocked services
 * created from now on, until {@link MockedAccount.restore}; `faults` fail
 * matching requests first.
 */
export function mockAccount(account: AwsAccount, faults: Fault[] = []): MockedAccount {
  const state = accountState(account);
  const plan = faultPlan(faults);
  const requests: SdkRequest[] = [];
  let failAtWrite: number | undefined;
  let writesSeen = 0;
  const stubs: Stub[] = [];

  const mocked: MockedAccount = {
    state,
    accountId: state.accountId,
    requests,
    latencyMs: 0,
    writes: () => requests.filter((r) => r.service !== 'sts' && isWrite(r)),
    failWrite(n) {
      failAtWrite = writesSeen + n;
    },
    bucket: (name) => state.buckets.find((b) => b.name === name),
    clients: () => ({
      cloudTrail: (region) => new cloudtrail.CloudTrailClient({ region, maxAttempts: 1 }),
      s3: (region) => new s3.S3Client({ region, maxAttempts: 1 }),
      kms: (region) => new kms.KMSClient({ region, maxAttempts: 1 }),
      sts: new sts.STSClient({ region: 'us-east-1', maxAttempts: 1 }),
    }),
    dependencies(sleep = () => {}) {
      const { sts: stsClient, ...clients } = mocked.clients();
      return {
        clients,
        sts: stsClient,
        region: 'us-east-1',
        parameters: DEFAULT_PARAMETERS,
        execute: { sleep: async (ms) => sleep(ms) },
        verifyDelayMs: 0,
      };
    },
    commandsSent: () =>
      stubs.flatMap((stub) =>
        stub.calls().map((call) => (call.args[0] as object).constructor.name),
      ),
    restore() {
      for (const stub of stubs) stub.restore();
    },
  };

  async function send(request: AwsRequest): Promise<Record<string, unknown>> {
    requests.push({ ...request, input: structuredClone(request.input) });
    if (mocked.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, mocked.latencyMs));
    }
    if (request.service !== 'sts' && isWrite(request)) {
      writesSeen++;
      if (writesSeen === failAtWrite) {
        failAtWrite = undefined;
        throw sdkError(request, {
          type: 'InternalFailure',
          message: `injected failure of ${request.operation}`,
          status: 500,
        });
      }
    }
    const injected = plan.next(request);
    const reply = injected === undefined ? answer(state, request) : { error: injected };
    if ('error' in reply) throw sdkError(request, reply.error);
    const output = structuredClone(reply.output);
    TIMESTAMPS[request.operation]?.(output);
    return output;
  }

  for (const [service, { client, module }] of Object.entries(SERVICES) as [
    Service,
    (typeof SERVICES)[Service],
  ][]) {
    const stub = mockClient(client as never) as Stub;
    stubs.push(stub);
    for (const operation of OPERATIONS[service]) {
      const command = module[`${operation}Command`];
      if (typeof command !== 'function') {
        throw new Error(`The ${service} SDK has no ${operation}Command: check OPERATIONS.`);
      }
      (stub as unknown as Registrar).on(command).callsFake(async (input, getClient) => {
        const region = await getClient().config.region();
        return send({ service, operation, region, input: onTheWire(input) });
      });
    }
  }
  return mocked;
}

/**
 * The input as the request carries it: unset fields absent, timestamps in
 * epoch seconds (as the JSON protocols send them).
 */
function onTheWire(input: object): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(input, function (this: Record<string, unknown>, key, value: unknown) {
      const raw = this[key];
      return raw instanceof Date ? raw.getTime() / 1000 : value;
    }),
  ) as Record<string, unknown>;
}

/**
 * The exception the SDK raises for `error`: the modeled class of that name
 * where the service's SDK has one, else its `ServiceException`; for an
 * operation answered without a body, named as the SDK names an error
 * document it does not have: `NotFound` for 404, `Unknown` for any other
 * status.
 */
function sdkError(request: Pick<AwsRequest, 'service' | 'operation'>, error: AwsError): Error {
  const status = error.status ?? 400;
  const { module, base } = SERVICES[request.service];
  const bodiless = BODILESS.has(request.operation);
  const name = bodiless ? (status === 404 ? 'NotFound' : 'Unknown') : error.type;
  const message = bodiless ? 'UnknownError' : error.message;
  const baseClass = module[base] as new (options: object) => Error;
  const modeled = module[name];
  const ctor =
    typeof modeled === 'function' && modeled.prototype instanceof baseClass
      ? (modeled as new (
          options: object,
        ) => Error)
      : baseClass;
  return new ctor({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}
