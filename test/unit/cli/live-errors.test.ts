import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeHttpServer, listenLocally } from '../../support/listen';
import {
  type AnsweringEndpoint,
  startAnsweringEndpoint,
  startRoutingEndpoint,
} from '../../support/local-endpoints';
import { runCli } from '../../support/run-cli';

/*
 * Live errors that name their real cause, each against a listener on
 * 127.0.0.1: the AWS SDK runs for real, with no other network.
 */

const cli = (...argv: string[]) => runCli(argv);

const environment = { ...process.env };

/** Settings that could send the SDK elsewhere than the test says: cleared for every test. */
const AMBIENT = [
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL_CLOUDTRAIL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_KMS',
  'AWS_ENDPOINT_URL_ORGANIZATIONS',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_RETRY_MODE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
];

const ENV_KEY = 'AKIAIOSFODNN7EXAMPLE';
const PROFILE_KEY = 'AKIAI44QH8DHBEXAMPLE';

/** Credentials in the environment, shared files of the test's own, one attempt per call. */
function useEnvironment(settings: Record<string, string>, credentials = ''): void {
  const env: NodeJS.ProcessEnv = { ...environment };
  for (const name of AMBIENT) delete env[name];
  const directory = mkdtempSync(join(tmpdir(), 'cloudtrail-rule-live-'));
  writeFileSync(join(directory, 'config'), '');
  writeFileSync(join(directory, 'credentials'), credentials);
  process.env = {
    ...env,
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(directory, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(directory, 'credentials'),
    AWS_ACCESS_KEY_ID: ENV_KEY,
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    ...settings,
  };
}

afterEach(() => {
  process.env = { ...environment };
  jest.restoreAllMocks();
});

/**
 * STS `GetCallerIdentity` as the Query API answers it:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
function callerIdentityXml(account: string): string {
  return `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:user/Alice</Arn><UserId>AIDACKCEVSQ6C2EXAMPLE</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
}

const STS_ANSWER = {
  status: 200,
  headers: {
    'content-type': 'text/xml',
    'x-amzn-requestid': '01234567-89ab-cdef-0123-456789abcdef',
  },
  body: callerIdentityXml('111122223333'),
};

/** What a captive portal answers every request with. */
const PORTAL_PAGE =
  '<html><head><title>Sign in to Guest Wi-Fi</title></head><body>portal-page-body</body></html>';

describe('an endpoint that answers HTTP 200 with an HTML page', () => {
  let portal: AnsweringEndpoint;

  beforeEach(async () => {
    portal = await startAnsweringEndpoint(
      200,
      { 'content-type': 'text/html; charset=utf-8' },
      PORTAL_PAGE,
    );
  });

  afterEach(async () => {
    await portal.close();
  });

  it('evaluate names the call, the endpoint and the content type, and asks whether it is an AWS endpoint', async () => {
    useEnvironment({ AWS_ENDPOINT_URL: portal.endpoint });

    const { code, stdout, stderr } = await cli('evaluate', '--region', 'us-east-1');

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `cloudtrail-rule: Could not identify the account (STS GetCallerIdentity): ${portal.endpoint}/ answered HTTP 200 with content type text/html, which no AWS API answers with: not an AWS endpoint? It comes from AWS_ENDPOINT_URL (${portal.endpoint}): check it, or unset it to use the AWS endpoint.\n`,
    );
  });

  it('evaluate says so for CloudTrail behind its own endpoint variable, with no body and no permission advice', async () => {
    const sts = await startRoutingEndpoint(() => STS_ANSWER);
    try {
      useEnvironment({
        AWS_ENDPOINT_URL_STS: sts.endpoint,
        AWS_ENDPOINT_URL_CLOUDTRAIL: portal.endpoint,
      });

      const { code, stderr } = await cli('evaluate', '--region', 'us-east-1');

      expect(code).toBe(2);
      expect(stderr).toBe(
        `cloudtrail-rule: Could not list the trails in us-east-1 (CloudTrail DescribeTrails): ${portal.endpoint}/ answered HTTP 200 with content type text/html, which no AWS API answers with: not an AWS endpoint? It comes from AWS_ENDPOINT_URL_CLOUDTRAIL (${portal.endpoint}): check it, or unset it to use the AWS endpoint.\n`,
      );
      expect(stderr).not.toContain('portal-page-body');
      expect(stderr).not.toMatch(/permission|may call|cloudtrail:/i);
      expect(stderr).not.toContain('..');
    } finally {
      await sts.close();
    }
  });

  it('remediate --dry-run names the call too', async () => {
    useEnvironment({ AWS_ENDPOINT_URL: portal.endpoint });

    const { code, stderr } = await cli('remediate', '--dry-run', '--region', 'us-east-1');

    expect(code).toBe(2);
    expect(stderr).toBe(
      `cloudtrail-rule: Could not read the account (STS GetCallerIdentity): ${portal.endpoint}/ answered HTTP 200 with content type text/html, which no AWS API answers with: not an AWS endpoint? It comes from AWS_ENDPOINT_URL (${portal.endpoint}): check it, or unset it to use the AWS endpoint.\n`,
    );
  });

  it('without an endpoint setting, points at the network path instead', async () => {
    useEnvironment({});

    const { code, stderr } = await cli(
      'evaluate',
      '--region',
      'us-east-1',
      '--endpoint-url',
      portal.endpoint,
    );

    expect(code).toBe(2);
    expect(stderr).toContain(
      `answered HTTP 200 with content type text/html, which no AWS API answers with: not an AWS endpoint? It comes from --endpoint-url (${portal.endpoint}): check it`,
    );
  });
});

describe('an endpoint URL that is not one', () => {
  it.each([
    ['AWS_ENDPOINT_URL', '127.0.0.1:5091'],
    ['AWS_ENDPOINT_URL_CLOUDTRAIL', 'localhost:5091'],
  ])(
    '%s=%s is refused before any call, naming the variable, the value and the fix',
    async (name, value) => {
      useEnvironment({ [name]: value });

      const { code, stderr } = await cli('evaluate', '--region', 'us-east-1');

      expect(code).toBe(2);
      expect(stderr).toBe(
        `cloudtrail-rule: ${name} "${value}" is not an endpoint URL: give the scheme and the host, for example ${name}=http://${value}, or unset ${name} to use the AWS endpoint.\n`,
      );
    },
  );

  it('--endpoint-url without a scheme is refused, naming the flag', async () => {
    useEnvironment({});

    const { code, stderr } = await cli(
      'remediate',
      '--dry-run',
      '--endpoint-url',
      '127.0.0.1:5091',
    );

    expect(code).toBe(2);
    expect(stderr).toBe(
      'cloudtrail-rule: --endpoint-url "127.0.0.1:5091" is not an endpoint URL: give the scheme and the host, for example --endpoint-url http://127.0.0.1:5091.\n',
    );
  });

  it('a variable the SDK is told to ignore is not checked', async () => {
    useEnvironment({
      AWS_ENDPOINT_URL: '127.0.0.1:5091',
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
    });

    const { stderr } = await cli('evaluate', '--region', 'us-east-1', '--request-timeout', '1');

    expect(stderr).not.toContain('is not an endpoint URL');
  });

  it('a snapshot reads no endpoint variable', async () => {
    useEnvironment({ AWS_ENDPOINT_URL: '127.0.0.1:5091' });

    const { code } = await cli('evaluate', '--snapshot', 'examples/compliant-default-trail.json');

    expect(code).toBe(0);
  });
});

describe('--endpoint-url', () => {
  it('sends every call there, over AWS_ENDPOINT_URL, as the SDK ranks an endpoint in the client configuration first', async () => {
    // "Explicit endpoint configuration in code takes precedence over any endpoint set in the environment":
    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
    const elsewhere = await startAnsweringEndpoint(
      500,
      { 'content-type': 'text/plain' },
      'wrong endpoint',
    );
    const sts = await startRoutingEndpoint(() => STS_ANSWER);
    try {
      useEnvironment({ AWS_ENDPOINT_URL: elsewhere.endpoint });

      const { stderr } = await cli(
        'evaluate',
        '--region',
        'us-east-1',
        '--endpoint-url',
        sts.endpoint,
      );

      expect(sts.requests.length).toBeGreaterThanOrEqual(2);
      expect(elsewhere.requests).toEqual([]);
      // CloudTrail's DescribeTrails went to the same listener, which answered it as STS.
      expect(stderr).toContain(`(CloudTrail DescribeTrails)`);
    } finally {
      await sts.close();
      await elsewhere.close();
    }
  });

  it('is refused with --snapshot, which calls nothing, and with --organization', async () => {
    expect(
      (await cli('evaluate', '--snapshot', 'x.json', '--endpoint-url', 'http://127.0.0.1:1'))
        .stderr,
    ).toContain(
      '--endpoint-url is where a live read sends its calls, and reading a snapshot makes none',
    );
    expect(
      (
        await cli(
          'evaluate',
          '--organization',
          '--role-name',
          'R',
          '--endpoint-url',
          'http://127.0.0.1:1',
        )
      ).stderr,
    ).toContain('Set AWS_ENDPOINT_URL_<SERVICE> for the service to redirect instead.');
  });

  it('is not taken by snapshot or examples', async () => {
    expect((await cli('examples', '--endpoint-url', 'http://127.0.0.1:1')).stderr).toContain(
      'The examples command does not take --endpoint-url.',
    );
  });
});

describe('an option given an empty value', () => {
  it.each([
    ['evaluate', '--region'],
    ['evaluate', '--profile'],
    ['evaluate', '--snapshot'],
    ['evaluate', '--endpoint-url'],
    ['evaluate', '--param'],
    ['snapshot', '--out'],
    ['remediate', '--trail-name'],
    ['remediate', '--tag'],
    ['evaluate', '--role-name'],
  ])('%s %s "" is refused, naming the option', async (command, option) => {
    const { code, stdout, stderr } = await cli(command, option, '');

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `cloudtrail-rule: ${option} needs a value, and "" is empty: give one (is the variable meant to hold it unset?), or leave ${option} out. Run "cloudtrail-rule --help" for usage.\n`,
    );
  });

  it('is refused in the --option= spelling too', async () => {
    const { code, stderr } = await cli('evaluate', '--region=');

    expect(code).toBe(2);
    expect(stderr).toContain('--region needs a value, and "" is empty');
  });
});

describe('--region', () => {
  it('refuses a Region the AWS SDK does not know, with the closest one, before any call', async () => {
    useEnvironment({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1' });

    const { code, stderr } = await cli('evaluate', '--region', 'us-est-1');

    expect(code).toBe(2);
    expect(stderr).toBe(
      'cloudtrail-rule: --region "us-est-1" is not an AWS Region the AWS SDK knows: did you mean us-east-1?\n',
    );
  });

  it.each(['snapshot', 'remediate --dry-run'])('does so for %s', async (command) => {
    const { code, stderr } = await cli(...command.split(' '), '--region', 'eu-west-9');

    expect(code).toBe(2);
    expect(stderr).toContain(
      '--region "eu-west-9" is not an AWS Region the AWS SDK knows: did you mean eu-west-1?',
    );
  });
});

/**
 * One listener for STS and CloudTrail that answers as the account the
 * signing key belongs to: the profile's key one account, the environment's
 * another. An empty account: DescribeTrails lists no trail.
 */
async function startSigningAwareEndpoint(accounts: Record<string, string>) {
  const server = createServer((request: IncomingMessage, response) => {
    request.resume();
    request.on('end', () => {
      const key = /Credential=(\w+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (String(request.headers['x-amz-target'] ?? '').includes('DescribeTrails')) {
        // https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
        response.writeHead(200, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': 'r',
        });
        response.end('{"trailList":[]}');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'r' });
      response.end(callerIdentityXml(accounts[key] ?? '999999999999'));
    });
  });
  return { endpoint: await listenLocally(server), close: () => closeHttpServer(server) };
}

describe('--profile beside access keys in the environment', () => {
  it("uses the profile's credentials, and the SDK's warning about AWS_PROFILE is not written", async () => {
    // With a profile named, the SDK's default chain skips the environment's keys:
    // https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html
    const account = await startSigningAwareEndpoint({
      [PROFILE_KEY]: '111111111111',
      [ENV_KEY]: '222222222222',
    });
    const warn = jest.spyOn(console, 'warn');
    try {
      useEnvironment(
        { AWS_ENDPOINT_URL: account.endpoint },
        `[audit]\naws_access_key_id = ${PROFILE_KEY}\naws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n`,
      );

      const { code, stdout, stderr } = await cli(
        'evaluate',
        '--profile',
        'audit',
        '--region',
        'us-east-1',
        '--json',
      );

      expect(stderr).toBe('');
      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toMatchObject({ accountId: '111111111111' });
      expect(warn.mock.calls.flat().join('\n')).not.toContain('Multiple credential sources');
    } finally {
      await account.close();
    }
  });

  it('without --profile, uses the keys in the environment', async () => {
    const account = await startSigningAwareEndpoint({
      [PROFILE_KEY]: '111111111111',
      [ENV_KEY]: '222222222222',
    });
    try {
      useEnvironment({ AWS_ENDPOINT_URL: account.endpoint });

      const { stdout } = await cli('evaluate', '--region', 'us-east-1', '--json');

      expect(JSON.parse(stdout)).toMatchObject({ accountId: '222222222222' });
    } finally {
      await account.close();
    }
  });
});
