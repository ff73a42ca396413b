import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type AnsweringEndpoint,
  type LocalAnswer,
  refusingEndpoint,
  startAnsweringEndpoint,
  startRoutingEndpoint,
} from '../../support/local-endpoints';
import { runCli } from '../../support/run-cli';
import { type StalledEndpoint, startStalledEndpoint } from '../../support/stalled-endpoint';

/*
 * Why a live read failed, as the person running the command reads it: each
 * cause has its own message, naming what to check. The AWS SDK runs for
 * real against listeners on 127.0.0.1 (no other network); only a host name
 * that does not resolve is given by a mocked client, since resolving one
 * would need DNS. A refused connection is in cli-process.test.ts: Node.js
 * raises it from outside jest's sandbox, where the SDK cannot read it as
 * the Error it is.
 */

/** Runs the CLI in-process and collects what it writes. */
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
  'AWS_ENDPOINT_URL_ORGANIZATIONS',
  'AWS_RETRY_MODE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
];

/** Shared config files of the test's own, in a new directory (the SDK caches files by path). */
function sharedFiles(config = '', credentials = ''): { config: string; credentials: string } {
  const directory = mkdtempSync(join(tmpdir(), 'cloudtrail-rule-profiles-'));
  const files = { config: join(directory, 'config'), credentials: join(directory, 'credentials') };
  writeFileSync(files.config, config);
  writeFileSync(files.credentials, credentials);
  return files;
}

/** Credentials in the environment, one attempt per call, no instance metadata, no ambient profile. */
function useEnvironment(settings: Record<string, string>, withCredentials = true): void {
  const env: NodeJS.ProcessEnv = { ...environment };
  for (const name of AMBIENT) delete env[name];
  const files = sharedFiles();
  process.env = {
    ...env,
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: files.config,
    AWS_SHARED_CREDENTIALS_FILE: files.credentials,
    ...(withCredentials
      ? {
          AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        }
      : {}),
    ...settings,
  };
}

afterEach(() => {
  process.env = { ...environment };
});

describe('cloudtrail-rule evaluate against an endpoint that never answers', () => {
  let stalled: StalledEndpoint;

  beforeEach(async () => {
    stalled = await startStalledEndpoint();
  });

  afterEach(async () => {
    await stalled.close();
  });

  it('exits 2 once --request-timeout has passed on each attempt, naming the endpoint and the timeout', async () => {
    useEnvironment({ AWS_ENDPOINT_URL: stalled.endpoint, AWS_MAX_ATTEMPTS: '2' });
    const started = Date.now();

    const { code, stdout, stderr } = await cli(
      'evaluate',
      '--region',
      'us-east-1',
      '--connect-timeout',
      '200',
      '--request-timeout',
      '300',
    );

    const elapsed = Date.now() - started;
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `Could not identify the account (STS GetCallerIdentity): STS GetCallerIdentity in us-east-1 timed out: ${stalled.endpoint}/ did not answer within the 300 ms request timeout (2 attempts).`,
    );
    expect(stderr).toContain('raise --request-timeout');
    expect(stalled.connections).toBe(2);
    // Two attempts of 300 ms and the backoff between them; far from the SDK's default of no timeout.
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(5_000);
  }, 15_000);

  it('applies the timeouts to remediate too', async () => {
    useEnvironment({ AWS_ENDPOINT_URL: stalled.endpoint });

    const { code, stderr } = await cli(
      'remediate',
      '--dry-run',
      '--region',
      'us-east-1',
      '--request-timeout',
      '250',
    );

    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^cloudtrail-rule: Could not read the account: STS GetCallerIdentity in us-east-1 timed out: [^\n]* did not answer within the 250 ms request timeout \(1 attempt\)\.[^\n]*\n$/,
    );
  }, 15_000);
});

describe('cloudtrail-rule evaluate when the endpoint is wrong', () => {
  it('says an HTTP 404 that is not from AWS comes from something that is probably not an AWS endpoint', async () => {
    const web = await startAnsweringEndpoint(
      404,
      { 'content-type': 'text/html' },
      '<html><body><h1>Not Found</h1></body></html>',
    );
    try {
      useEnvironment({ AWS_ENDPOINT_URL: web.endpoint });

      const { code, stderr } = await cli('evaluate', '--region', 'us-east-1');

      expect(code).toBe(2);
      expect(stderr).toBe(
        `cloudtrail-rule: Could not identify the account (STS GetCallerIdentity): ${web.endpoint}/ answered HTTP 404 with no AWS request ID: it is probably not an AWS endpoint. It comes from AWS_ENDPOINT_URL (${web.endpoint}): check it, or unset it to use the AWS endpoint.\n`,
      );
      expect(web.requests).toEqual([{ method: 'POST', url: '/' }]);
    } finally {
      await web.close();
    }
  });

  it('passes on an error AWS itself answers (it has a request ID), with what to check', async () => {
    // The error response of the STS Query API:
    // https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
    const sts = await startAnsweringEndpoint(
      403,
      { 'content-type': 'text/xml', 'x-amzn-requestid': '4e0e8f13-7a61-4c7a-9e6f-0e0ad3c8a9b1' },
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>4e0e8f13-7a61-4c7a-9e6f-0e0ad3c8a9b1</RequestId></ErrorResponse>',
    );
    try {
      useEnvironment({ AWS_ENDPOINT_URL: sts.endpoint });

      const { code, stderr } = await cli('evaluate', '--region', 'us-east-1');

      expect(code).toBe(2);
      expect(stderr).toBe(
        'cloudtrail-rule: Could not identify the account (STS GetCallerIdentity): InvalidClientTokenId: The security token included in the request is invalid. Check the credentials (AWS_PROFILE, --profile, or "aws configure").\n',
      );
    } finally {
      await sts.close();
    }
  });
});

describe('cloudtrail-rule evaluate with a Region that does not exist', () => {
  // Mocked in this block only: the others run the SDK for real.
  let sts: ReturnType<typeof mockClient>;

  beforeAll(() => {
    sts = mockClient(STSClient);
  });

  afterAll(() => {
    sts.restore();
  });

  // A mistyped --region is refused before any call (live-errors.test.ts); AWS_REGION or a profile's is not.
  it('says the host does not resolve and suggests checking --region', async () => {
    useEnvironment({ AWS_REGION: 'us-est-1' });
    // What Node.js raises for a name DNS does not know (getaddrinfo ENOTFOUND).
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('getaddrinfo ENOTFOUND sts.us-est-1.amazonaws.com'), {
        errno: -3008,
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname: 'sts.us-est-1.amazonaws.com',
      }),
    );

    const { code, stderr } = await cli('evaluate');

    expect(code).toBe(2);
    expect(stderr).toBe(
      'cloudtrail-rule: Could not identify the account (STS GetCallerIdentity): sts.us-est-1.amazonaws.com does not resolve (ENOTFOUND). The host name is made from the Region: is "us-est-1" an AWS Region? Check --region (for example --region us-east-1), AWS_REGION and the profile\'s region; if the Region is right, check this network\'s DNS.\n',
    );
  });

  it('says so for --organization too', async () => {
    useEnvironment({ AWS_REGION: 'us-est-1' });
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('getaddrinfo ENOTFOUND sts.us-est-1.amazonaws.com'), {
        errno: -3008,
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname: 'sts.us-est-1.amazonaws.com',
      }),
    );

    const { code, stderr } = await cli('evaluate', '--organization', '--role-name', 'R');

    expect(code).toBe(2);
    expect(stderr).toBe(
      'cloudtrail-rule: Could not identify the caller (STS GetCallerIdentity): sts.us-est-1.amazonaws.com does not resolve (ENOTFOUND). The host name is made from the Region: is "us-est-1" an AWS Region? Check --region (for example --region us-east-1), AWS_REGION and the profile\'s region; if the Region is right, check this network\'s DNS.\n',
    );
  });
});

describe('cloudtrail-rule evaluate without usable credentials', () => {
  let endpoint: string;

  beforeAll(async () => {
    // Should anything be sent after all, it is refused locally.
    endpoint = await refusingEndpoint();
  });

  it('names an unknown --profile and the files profiles are read from, with the profiles they define', async () => {
    useEnvironment({ AWS_ENDPOINT_URL: endpoint }, false);
    const files = sharedFiles(
      '[default]\nregion = us-east-1\n\n[profile audit]\nregion = eu-west-1\n\n[sso-session corp]\nsso_region = us-east-1\n',
      '[ci]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
    );
    process.env.AWS_CONFIG_FILE = files.config;
    process.env.AWS_SHARED_CREDENTIALS_FILE = files.credentials;

    const { code, stdout, stderr } = await cli(
      'evaluate',
      '--profile',
      'nope',
      '--region',
      'us-east-1',
    );

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `cloudtrail-rule: Could not identify the account (STS GetCallerIdentity): --profile names the profile "nope", which is not in the shared AWS config files ${files.config} (AWS_CONFIG_FILE) or ${files.credentials} (AWS_SHARED_CREDENTIALS_FILE): they define "audit", "ci", "default". Give one of those, or add it with "aws configure --profile nope".\n`,
    );
  });

  it('names an unknown profile instead of asking for a Region when no --region is given', async () => {
    useEnvironment({ AWS_ENDPOINT_URL: endpoint, AWS_PROFILE: 'nope' }, false);

    const { code, stderr } = await cli('evaluate');

    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^cloudtrail-rule: AWS_PROFILE names the profile "nope", which is not in the shared AWS config files [^\n]*: they define no profile\.[^\n]*\n$/,
    );
  });

  it('says no credentials were found and where they can come from', async () => {
    useEnvironment({ AWS_ENDPOINT_URL: endpoint }, false);

    const { code, stderr } = await cli('evaluate', '--region', 'us-east-1');

    expect(code).toBe(2);
    expect(stderr).toBe(
      `cloudtrail-rule: Could not identify the account (STS GetCallerIdentity): No AWS credentials found (Could not load credentials from any providers). Give a profile with --profile NAME or AWS_PROFILE (profiles are read from ${process.env.AWS_CONFIG_FILE} and ${process.env.AWS_SHARED_CREDENTIALS_FILE}), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or sign in with "aws configure" or "aws sso login".\n`,
    );
  });
});

/*
 * The STS Query API's answers, as documented:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
const CALLER = 'arn:aws:sts::111122223333:assumed-role/OrganizationAuditor/alice';
const MEMBER = '444455556666';

function stsAnswer(body: string, assumeRole: LocalAnswer | 'grant' = 'grant'): LocalAnswer {
  const xml = {
    'content-type': 'text/xml',
    'x-amzn-requestid': 'c6104cbe-af31-11e0-8154-cbc7ccf896c7',
  };
  if (body.includes('Action=AssumeRole')) {
    if (assumeRole !== 'grant') return assumeRole;
    const expiration = new Date(Date.now() + 900_000).toISOString();
    return {
      status: 200,
      headers: xml,
      body: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey><SessionToken>FwoGZXIvYXdzEXAMPLE</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::${MEMBER}:assumed-role/R/cloudtrail-rule-evaluate</Arn><AssumedRoleId>AROA3XFRBF535PLBIFPI4:cloudtrail-rule-evaluate</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    };
  }
  return {
    status: 200,
    headers: xml,
    body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${CALLER}</Arn><UserId>AROAEXAMPLEAUDITOR:alice</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  };
}

/** An --accounts file naming the one member account. */
function accountsFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cloudtrail-rule-accounts-')), 'accounts.csv');
  writeFileSync(path, `${MEMBER},Sandbox\n`);
  return path;
}

const BAD_GATEWAY: LocalAnswer = {
  status: 502,
  headers: { 'content-type': 'text/html' },
  body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
};

describe('cloudtrail-rule evaluate --organization and --accounts when AWS cannot be reached', () => {
  const opened: (AnsweringEndpoint | StalledEndpoint)[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((endpoint) => endpoint.close()));
  });

  async function stsEndpoint(assumeRole: LocalAnswer | 'grant' = 'grant') {
    const endpoint = await startRoutingEndpoint((body) => stsAnswer(body, assumeRole));
    opened.push(endpoint);
    return endpoint.endpoint;
  }

  async function silentEndpoint() {
    const endpoint = await startStalledEndpoint();
    opened.push(endpoint);
    return endpoint.endpoint;
  }

  it('applies --request-timeout to Organizations ListAccounts', async () => {
    const organizations = await silentEndpoint();
    useEnvironment({
      AWS_ENDPOINT_URL_STS: await stsEndpoint(),
      AWS_ENDPOINT_URL_ORGANIZATIONS: organizations,
    });
    const started = Date.now();

    const { code, stdout, stderr } = await cli(
      'evaluate',
      '--organization',
      '--role-name',
      'R',
      '--region',
      'us-east-1',
      '--request-timeout',
      '1000',
    );

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^cloudtrail-rule: Could not list the organization's accounts \(Organizations ListAccounts\): Organizations ListAccounts in us-east-1 timed out: [^\n]* did not answer within the 1000 ms request timeout \(1 attempt\)\.[^\n]*raise --request-timeout[^\n]*\n$/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 15_000);

  it('applies --request-timeout to STS GetCallerIdentity', async () => {
    useEnvironment({ AWS_ENDPOINT_URL: await silentEndpoint() });

    const { code, stderr } = await cli(
      'evaluate',
      '--organization',
      '--role-name',
      'R',
      '--region',
      'us-east-1',
      '--request-timeout',
      '1000',
    );

    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^cloudtrail-rule: Could not identify the caller \(STS GetCallerIdentity\): STS GetCallerIdentity in us-east-1 timed out: [^\n]* did not answer within the 1000 ms request timeout/,
    );
  }, 15_000);

  it("applies --request-timeout to CloudTrail in the member account, as the account's ERROR", async () => {
    useEnvironment({
      AWS_ENDPOINT_URL_STS: await stsEndpoint(),
      AWS_ENDPOINT_URL_CLOUDTRAIL: await silentEndpoint(),
    });

    const { code, stdout } = await cli(
      'evaluate',
      '--accounts',
      accountsFile(),
      '--role-name',
      'R',
      '--region',
      'us-east-1',
      '--request-timeout',
      '1000',
      '--json',
    );

    expect(code).toBe(2);
    const [account] = JSON.parse(stdout).accounts as { verdict: string; reason: string }[];
    expect(account?.verdict).toBe('ERROR');
    expect(account?.reason).toMatch(
      /^Could not list the trails in us-east-1 \(CloudTrail DescribeTrails\) as arn:aws:iam::444455556666:role\/R: CloudTrail DescribeTrails in us-east-1 timed out: [^\n]* did not answer within the 1000 ms request timeout/,
    );
  }, 15_000);

  it('says an HTTP 502 to GetCallerIdentity is probably not from AWS', async () => {
    const web = await startAnsweringEndpoint(502, BAD_GATEWAY.headers, BAD_GATEWAY.body);
    opened.push(web);
    useEnvironment({ AWS_ENDPOINT_URL: web.endpoint });

    const { code, stderr } = await cli(
      'evaluate',
      '--organization',
      '--role-name',
      'R',
      '--region',
      'us-east-1',
    );

    expect(code).toBe(2);
    expect(stderr).toBe(
      `cloudtrail-rule: Could not identify the caller (STS GetCallerIdentity): ${web.endpoint}/ answered HTTP 502 with no AWS request ID: it is probably not an AWS endpoint. It comes from AWS_ENDPOINT_URL (${web.endpoint}): check it, or unset it to use the AWS endpoint.\n`,
    );
  });

  it('says an HTTP 502 to ListAccounts is probably not from AWS', async () => {
    const web = await startAnsweringEndpoint(502, BAD_GATEWAY.headers, BAD_GATEWAY.body);
    opened.push(web);
    useEnvironment({
      AWS_ENDPOINT_URL_STS: await stsEndpoint(),
      AWS_ENDPOINT_URL_ORGANIZATIONS: web.endpoint,
    });

    const { code, stderr } = await cli(
      'evaluate',
      '--organization',
      '--role-name',
      'R',
      '--region',
      'us-east-1',
    );

    expect(code).toBe(2);
    expect(stderr).toBe(
      `cloudtrail-rule: Could not list the organization's accounts (Organizations ListAccounts): ${web.endpoint}/ answered HTTP 502 with no AWS request ID: it is probably not an AWS endpoint. It comes from AWS_ENDPOINT_URL_ORGANIZATIONS (${web.endpoint}): check it, or unset it to use the AWS endpoint.\n`,
    );
  });

  it("says an HTTP 502 to AssumeRole is probably not from AWS, as the account's ERROR", async () => {
    const sts = await stsEndpoint(BAD_GATEWAY);
    useEnvironment({ AWS_ENDPOINT_URL_STS: sts });

    const { code, stdout } = await cli(
      'evaluate',
      '--accounts',
      accountsFile(),
      '--role-name',
      'R',
      '--region',
      'us-east-1',
      '--json',
    );

    expect(code).toBe(2);
    const [account] = JSON.parse(stdout).accounts as { verdict: string; reason: string }[];
    expect(account).toMatchObject({ verdict: 'ERROR' });
    expect(account?.reason).toBe(
      `Could not assume arn:aws:iam::${MEMBER}:role/R (STS AssumeRole): ${sts}/ answered HTTP 502 with no AWS request ID: it is probably not an AWS endpoint. It comes from AWS_ENDPOINT_URL_STS (${sts}): check it, or unset it to use the AWS endpoint.`,
    );
  });

  it('names an unknown --profile, with or without --region', async () => {
    useEnvironment({ AWS_ENDPOINT_URL: await refusingEndpoint() }, false);
    const files = sharedFiles('[profile audit]\nregion = eu-west-1\n');
    process.env.AWS_CONFIG_FILE = files.config;
    process.env.AWS_SHARED_CREDENTIALS_FILE = files.credentials;
    const unknown = `--profile names the profile "nope", which is not in the shared AWS config files ${files.config} (AWS_CONFIG_FILE) or ${files.credentials} (AWS_SHARED_CREDENTIALS_FILE): they define "audit". Give one of those, or add it with "aws configure --profile nope".`;

    const withoutRegion = await cli(
      'evaluate',
      '--organization',
      '--role-name',
      'R',
      '--profile',
      'nope',
    );
    const withRegion = await cli(
      'evaluate',
      '--organization',
      '--role-name',
      'R',
      '--profile',
      'nope',
      '--region',
      'us-east-1',
    );

    expect(withoutRegion).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `cloudtrail-rule: ${unknown}\n`,
    });
    expect(withRegion).toMatchObject({
      code: 2,
      stderr: `cloudtrail-rule: Could not identify the caller (STS GetCallerIdentity): ${unknown}\n`,
    });
  });

  it('says no credentials were found', async () => {
    useEnvironment({ AWS_ENDPOINT_URL: await refusingEndpoint() }, false);

    const { code, stderr } = await cli(
      'evaluate',
      '--organization',
      '--role-name',
      'R',
      '--region',
      'us-east-1',
    );

    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^cloudtrail-rule: Could not identify the caller \(STS GetCallerIdentity\): No AWS credentials found \(Could not load credentials from any providers\)\./,
    );
  });
});

describe('cloudtrail-rule --connect-timeout and --request-timeout', () => {
  it.each([
    [
      ['evaluate', '--request-timeout', 'soon'],
      /--request-timeout takes a whole number of milliseconds from 1 to 300000, got "soon"/,
    ],
    [
      ['evaluate', '--connect-timeout', '0'],
      /--connect-timeout takes a whole number of milliseconds/,
    ],
    [['snapshot', '--request-timeout', '1.5'], /--request-timeout takes a whole number/],
    [['remediate', '--dry-run', '--request-timeout', '300001'], /from 1 to 300000, got "300001"/],
    [
      ['evaluate', '--snapshot', 'examples/no-trails.json', '--request-timeout', '1000'],
      /reading a snapshot makes none/,
    ],
    [
      ['examples', '--request-timeout', '1000'],
      /The examples command does not take --request-timeout/,
    ],
  ])('refuses %j with exit 2 and one line', async (argv, message) => {
    const { code, stdout, stderr } = await cli(...argv);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/^cloudtrail-rule: [^\n]+\n$/);
  });
});
