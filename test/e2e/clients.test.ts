import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { remediationClients, stsClient } from '../../remediation/clients';
import {
  CALL_TIMEOUTS,
  type CallTimeouts,
  type ClientOptions,
  cloudTrailClients,
  configServiceClient,
  sdkClient,
  timeoutError,
} from '../../rule/clients';
import { AwsTimeoutError } from '../../rule/errors';
import {
  type AccountEndpoint,
  FAKE_ACCESS_KEY_ID,
  FAKE_SECRET_ACCESS_KEY,
  startAccountEndpoint,
} from '../support/aws-account/serve-http';
import { ACCOUNT } from '../support/fixtures';
import { type StalledEndpoint, startStalledEndpoint } from '../support/stalled-endpoint';

/*
 * Every SDK client the rule, the remediation and the command line build has
 * a connection and a request timeout, and a call that times out ends, after
 * its retries, in an AwsTimeoutError naming the call, the endpoint and the
 * timeout. Calls go to a fake AWS and to a listener that never answers, both
 * on 127.0.0.1.
 */

const REGION = 'eu-west-1';

/** One call through each client the code builds, by the factory it builds it with. */
const CLIENTS: [string, (options: ClientOptions) => Promise<{ client: unknown }>][] = [
  [
    'the rule’s CloudTrail client',
    async (options) => {
      const client = cloudTrailClients(options)(REGION);
      await client.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
      return { client };
    },
  ],
  [
    'the rule’s AWS Config client',
    async (options) => {
      const client = configServiceClient({ region: REGION, ...options });
      await client.send(
        new PutEvaluationsCommand({
          ResultToken: 'TESTMODE',
          TestMode: true,
          Evaluations: [
            {
              ComplianceResourceType: 'AWS::::Account',
              ComplianceResourceId: ACCOUNT,
              ComplianceType: 'COMPLIANT',
              OrderingTimestamp: new Date('2026-03-02T04:05:06.789Z'),
            },
          ],
        }),
      );
      return { client };
    },
  ],
  [
    'the remediation’s S3 client',
    async (options) => {
      const client = remediationClients(options).s3(REGION);
      await client
        .send(new HeadBucketCommand({ Bucket: 'cloudtrail-logs-111122223333' }))
        .catch((error: unknown) => {
          // The fake has no bucket: NotFound is an answer, not a timeout.
          if (!(error instanceof Error) || error.name !== 'NotFound') throw error;
        });
      return { client };
    },
  ],
  [
    'the remediation’s KMS client',
    async (options) => {
      const client = remediationClients(options).kms(REGION);
      await client
        .send(new DescribeKeyCommand({ KeyId: 'alias/cloudtrail' }))
        .catch((error: unknown) => {
          if (!(error instanceof Error) || error.name !== 'NotFoundException') throw error;
        });
      return { client };
    },
  ],
  [
    'the remediation’s STS client',
    async (options) => {
      const client = remediationClients({ region: REGION, ...options }).sts;
      await client.send(new GetCallerIdentityCommand({}));
      return { client };
    },
  ],
  [
    'the command line’s Organizations client',
    async (options) => {
      const client = sdkClient(OrganizationsClient, { region: REGION, ...options });
      await client.send(new ListAccountsCommand({})).catch((error: unknown) => {
        // The fake does not speak Organizations: its refusal is an answer, not a timeout.
        if (!(error instanceof Error) || error.name !== 'UnknownOperationException') throw error;
      });
      return { client };
    },
  ],
  [
    'the command line’s STS client',
    async (options) => {
      const client = stsClient({ region: REGION, ...options });
      await client.send(new GetCallerIdentityCommand({}));
      return { client };
    },
  ],
];

/** What the client's HTTP handler was configured with (known once it has sent a request). */
function handlerConfig(client: unknown): unknown {
  const handler: unknown =
    typeof client === 'object' && client !== null && 'config' in client
      ? (client.config as { requestHandler?: unknown }).requestHandler
      : undefined;
  if (
    typeof handler !== 'object' ||
    handler === null ||
    !('httpHandlerConfigs' in handler) ||
    typeof handler.httpHandlerConfigs !== 'function'
  ) {
    throw new Error('the client has no Node.js HTTP handler');
  }
  return handler.httpHandlerConfigs();
}

let fake: AccountEndpoint;
let stalled: StalledEndpoint;
const saved = { ...process.env };

beforeAll(async () => {
  [fake, stalled] = await Promise.all([startAccountEndpoint(), startStalledEndpoint()]);
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: FAKE_SECRET_ACCESS_KEY,
    AWS_REGION: REGION,
  });
});

afterAll(async () => {
  process.env = saved;
  await Promise.all([fake?.close(), stalled?.close()]);
});

beforeEach(() => {
  fake.serve({ accountId: ACCOUNT, trails: [] });
  stalled.forget();
  delete process.env.AWS_MAX_ATTEMPTS;
});

describe('AWS call timeouts', () => {
  it('are 2 s to connect and 5 s for a request, whose five attempts end well inside the rule’s 120 s', () => {
    expect(CALL_TIMEOUTS).toEqual({ connectionMs: 2_000, requestMs: 5_000 });
    // Five attempts and at most 50 + 100 + 200 + 400 ms of backoff between them (retry mode
    // adaptive, for a timeout); three such calls in a row (list, read, report) still fit in 120 s.
    const worstCall = 5 * CALL_TIMEOUTS.requestMs + 750;
    expect(3 * worstCall).toBeLessThan(120_000);
  });

  it.each(CLIENTS)('are set on %s', async (_, call) => {
    process.env.AWS_ENDPOINT_URL = fake.endpoint;

    const { client } = await call({});

    expect(handlerConfig(client)).toMatchObject({
      connectionTimeout: 2_000,
      requestTimeout: 5_000,
      throwOnRequestTimeout: true,
      socketTimeout: 5_000,
    });
    expect(fake.requests).toHaveLength(1);
  });

  it.each(CLIENTS)(
    'end a call through %s to an endpoint that never answers with an AwsTimeoutError naming the endpoint and the timeout',
    async (_, call) => {
      process.env.AWS_ENDPOINT_URL = stalled.endpoint;
      process.env.AWS_MAX_ATTEMPTS = '2';
      const timeouts: CallTimeouts = { connectionMs: 200, requestMs: 300 };
      const started = performance.now();

      const error = await call({ timeouts }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

      expect(error).toBeInstanceOf(AwsTimeoutError);
      expect(error).toMatchObject({
        name: 'AwsTimeoutError',
        message: expect.stringMatching(
          new RegExp(
            `^\\w+ \\w+ in ${REGION} timed out: ${stalled.endpoint}/\\S* did not answer within the 300 ms request timeout \\(2 attempts\\)\\. `,
          ),
        ),
      });
      expect(stalled.connections).toBe(2);
      expect(performance.now() - started).toBeLessThan(2_000);
    },
  );

  it('names the connection timeout when no connection could be opened', () => {
    const refused = Object.assign(
      new Error(
        '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 2000 ms.',
      ),
      { name: 'TimeoutError', $metadata: { attempts: 5 } },
    );

    const error = timeoutError(
      refused,
      {
        clientName: 'CloudTrailClient',
        commandName: 'GetTrailStatusCommand',
        endpointV2: { url: new URL('https://cloudtrail.eu-west-1.amazonaws.com') },
        region: REGION,
      },
      CALL_TIMEOUTS,
    );

    expect(error.message).toMatch(
      /^CloudTrail GetTrailStatus in eu-west-1 timed out: could not connect to https:\/\/cloudtrail\.eu-west-1\.amazonaws\.com\/ within the 2000 ms connection timeout \(5 attempts\)\. /,
    );
    expect(error.cause).toBe(refused);
  });

  it('leaves every other error as it is', async () => {
    process.env.AWS_ENDPOINT_URL = fake.endpoint;
    fake.serve({ accountId: ACCOUNT, trails: [] }, [
      {
        operation: 'DescribeTrails',
        error: { type: 'AccessDeniedException', message: 'not authorized' },
      },
    ]);

    await expect(
      cloudTrailClients()(REGION).send(new DescribeTrailsCommand({})),
    ).rejects.toMatchObject({ name: 'AccessDeniedException', message: 'not authorized' });
  });
});

describe('where SDK clients are built', () => {
  it('is only the factories above: rule/clients.ts and remediation/clients.ts', () => {
    const root = join(__dirname, '../..');
    const sources = ['rule', 'remediation', 'cli'].flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => join(root, dir, file)),
    );
    const building = sources
      .filter((file) => /new \w+Client\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file))
      .sort();

    expect(building).toEqual(['remediation/clients.ts', 'rule/clients.ts']);
  });
});
