import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readSnapshot } from '../../cli/snapshot-file';
import type { AccountTrailState } from '../../rule/state';
import { refusingEndpoint, startAnsweringEndpoint } from '../support/local-endpoints';
import { runCli } from '../support/run-cli';
import { type StalledEndpoint, startStalledEndpoint } from '../support/stalled-endpoint';

/*
 * The command as a person installs and runs it: bin/cloudtrail-rule.cjs
 * running the compiled command line (test/global-setup.ts builds it) in a
 * process of its own, with stdout for the result and stderr for the rest.
 */

const ROOT = join(__dirname, '../..');
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the bin with `args`, the environment given (and no AWS settings from the test's), and `input` on stdin. */
function runBin(
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !name.startsWith('POWERTOOLS_')) env[name] = value;
  }
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/cloudtrail-rule.cjs', ...args], {
      cwd: ROOT,
      env: { ...env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: Date.now() - started }));
    child.stdin.end(options.input ?? '');
  });
}

/** Settings for a live read that can reach nothing but `endpoint`: example credentials, no instance metadata, no profile files. */
function offlineAws(endpoint: string): Record<string, string> {
  const directory = mkdtempSync(join(tmpdir(), 'cloudtrail-rule-bin-'));
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(directory, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(directory, 'credentials'),
  };
}

describe('the cloudtrail-rule process', () => {
  it('keeps stdout pure JSON with --verbose --json: the logs go to stderr', async () => {
    const run = await runBin([
      'evaluate',
      '--snapshot',
      'examples/write-only-trail.json',
      '--json',
      '--verbose',
    ]);

    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ compliance: 'NON_COMPLIANT' });
    expect(run.stderr).toContain('"message": "CloudTrail.1 verdict"');
    expect(run.stderr).toContain('"level": "INFO"');
  }, 60_000);

  it('says to run npm run build when the compiled command line is missing', () => {
    const copy = mkdtempSync(join(tmpdir(), 'cloudtrail-rule-unbuilt-'));
    mkdirSync(join(copy, 'bin'));
    copyFileSync(
      join(ROOT, 'bin', 'cloudtrail-rule.cjs'),
      join(copy, 'bin', 'cloudtrail-rule.cjs'),
    );

    const run = spawnSync(
      process.execPath,
      [join(copy, 'bin', 'cloudtrail-rule.cjs'), 'examples'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `cloudtrail-rule: the command line is not built (no ${join(copy, 'dist', 'cli', 'main.js')}): run "npm run build" in the project.\n`,
    );
  });

  it('prints its version', async () => {
    const run = await runBin(['--version']);

    expect(run).toMatchObject({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
  }, 60_000);

  it("runs as the README says, through npm exec --no (the project's own bin, nothing fetched)", () => {
    const run = spawnSync('npm', ['exec', '--no', '--', 'cloudtrail-rule', '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });

    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${VERSION}\n`);
  }, 60_000);

  it('reads a snapshot from stdin with --snapshot -', async () => {
    const run = await runBin(['evaluate', '--snapshot', '-', '--json'], {
      input: readFileSync(join(ROOT, 'examples', 'compliant-default-trail.json'), 'utf8'),
    });

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ compliance: 'COMPLIANT' });
  }, 60_000);

  it('writes no control character of a crafted snapshot’s trail name, whatever the command and format', async () => {
    // An OSC 8 link to the attacker's page, then a CR and a forged verdict
    // that would overwrite the line on a terminal.
    const name = 'audit\u001b]8;;http://evil\u0007\rCloudTrail.1: COMPLIANT';
    const file = join(mkdtempSync(join(tmpdir(), 'cloudtrail-rule-crafted-')), 'crafted.json');
    writeFileSync(
      file,
      JSON.stringify({
        accountId: '111122223333',
        region: 'us-east-1',
        trails: [
          {
            trail: {
              Name: name,
              TrailARN: `arn:aws:cloudtrail:us-east-1:111122223333:trail/${name}`,
              IsMultiRegionTrail: true,
            },
            status: { response: { IsLogging: true } },
          },
        ],
      }),
    );

    for (const args of [
      ['evaluate', '--snapshot', file, '--verbose'],
      ['evaluate', '--snapshot', file, '--json'],
      ['evaluate', '--snapshot', file, '--csv'],
      ['remediate', '--dry-run', '--snapshot', file],
    ]) {
      const run = await runBin(args);

      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        /^cloudtrail-rule: Snapshot .*crafted\.json names a trail as CloudTrail never would: trails\[0\]\.trail\.Name is not a trail name \(3–128 letters and digits/,
      );
      // Nothing but the line feed that ends the error line.
      expect(`${run.stdout}${run.stderr}`).not.toMatch(
        // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
        /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/,
      );
    }
  }, 60_000);

  it('names the endpoint that refused the connection, and the setting it came from', async () => {
    const endpoint = await refusingEndpoint();

    const run = await runBin(['evaluate', '--region', 'us-east-1'], {
      env: { ...offlineAws(endpoint), AWS_MAX_ATTEMPTS: '1' },
    });

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `cloudtrail-rule: Could not identify the account (STS GetCallerIdentity): ${endpoint}/ refused the connection (ECONNREFUSED): nothing is listening there. It comes from AWS_ENDPOINT_URL (${endpoint}): check it, or unset it to use the AWS endpoint.\n`,
    );
  }, 60_000);

  it('names the endpoint that refused the connection in organization mode too', async () => {
    const endpoint = await refusingEndpoint();

    const run = await runBin(
      ['evaluate', '--organization', '--role-name', 'R', '--region', 'us-east-1'],
      { env: { ...offlineAws(endpoint), AWS_MAX_ATTEMPTS: '1' } },
    );

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `cloudtrail-rule: Could not identify the caller (STS GetCallerIdentity): ${endpoint}/ refused the connection (ECONNREFUSED): nothing is listening there. It comes from AWS_ENDPOINT_URL (${endpoint}): check it, or unset it to use the AWS endpoint.\n`,
    );
  }, 60_000);

  it('prints no AWS SDK warning about the Node.js version it runs on', async () => {
    // The SDK warns when a client is made under Node.js 20; this run makes two.
    const endpoint = await refusingEndpoint();

    const run = await runBin(['remediate', '--dry-run', '--region', 'us-east-1'], {
      env: { ...offlineAws(endpoint), AWS_MAX_ATTEMPTS: '1' },
    });

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^cloudtrail-rule: [^\n]*ECONNREFUSED[^\n]*\n$/);
    expect(run.stderr).not.toContain('NodeVersionSupportWarning');
  }, 60_000);

  describe('against an endpoint that accepts connections and never answers', () => {
    let stalled: StalledEndpoint;

    beforeAll(async () => {
      stalled = await startStalledEndpoint();
    });

    afterAll(async () => {
      await stalled.close();
    });

    it('exits 2 in under 60 s with the default timeouts, naming the endpoint and the timeout', async () => {
      const run = await runBin(['evaluate', '--region', 'us-east-1'], {
        env: offlineAws(stalled.endpoint),
      });

      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `STS GetCallerIdentity in us-east-1 timed out: ${stalled.endpoint}/ did not answer within the 5000 ms request timeout (5 attempts).`,
      );
      // Five attempts of 5 s each, with under a second of backoff between them.
      expect(run.ms).toBeGreaterThanOrEqual(25_000);
      expect(run.ms).toBeLessThan(60_000);
    }, 70_000);
  });
});

/** Runs the CLI in-process and collects what it writes; `stdin` is what it reads there. */
const cli = (argv: string[], stdin?: string) =>
  runCli(argv, stdin === undefined ? {} : { stdin: () => Readable.from([Buffer.from(stdin)]) });

describe('cloudtrail-rule <command> --help', () => {
  it.each([
    [
      'evaluate',
      [
        '--snapshot',
        '--region',
        '--profile',
        '--param',
        '--json',
        '--connect-timeout',
        '--request-timeout',
        '--role-name',
        '--external-id',
        '--concurrency',
        '--csv',
      ],
      [
        '--out',
        '--force',
        '--trail-name',
        '--yes',
        '--access-log-bucket',
        '--tag',
        '--cloudwatch-logs-group-arn',
        '--object-lock-days',
        '--harden-repaired-trail',
        '--trusted-log-account',
      ],
    ],
    [
      'snapshot',
      ['--region', '--profile', '--out', '--force', '--connect-timeout', '--request-timeout'],
      [
        '--snapshot FILE',
        '--param',
        '--json',
        '--trail-name',
        '--role-name',
        '--external-id',
        '--concurrency',
        '--access-log-bucket',
        '--cloudwatch-logs-group-arn',
        '--trusted-log-account',
      ],
    ],
    [
      'examples',
      ['--param', '--json'],
      [
        '--region',
        '--snapshot FILE',
        '--out',
        '--request-timeout',
        '--role-name',
        '--concurrency',
        '--access-log-bucket',
        '--cloudwatch-logs-group-arn',
        '--trusted-log-account',
      ],
    ],
    [
      'remediate',
      [
        '--dry-run',
        '--apply',
        '--snapshot',
        '--region',
        '--trail-name',
        '--bucket-name',
        '--kms-key-id',
        '--access-log-bucket',
        '--log-retention-days',
        '--tag',
        '--cloudwatch-logs-group-arn',
        '--cloudwatch-logs-role-arn',
        '--object-lock-days',
        '--harden-repaired-trail',
        '--trusted-log-account',
        '--yes',
        '--json',
        '--request-timeout',
      ],
      ['--out FILE', '--force', '--role-name', '--external-id', '--concurrency', '--csv'],
    ],
  ])('shows %s with the options it takes and none it refuses', async (command, takes, refuses) => {
    const { code, stdout } = await cli([command, '--help']);

    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: cloudtrail-rule ${command} \\[options\\]\n`));
    for (const option of [...takes, '--verbose', '--help']) expect(stdout).toContain(option);
    for (const option of refuses) expect(stdout).not.toContain(option);
    expect(stdout).toContain('Exit status:');
  });

  it('shows the same for "help <command>"', async () => {
    expect((await cli(['help', 'snapshot'])).stdout).toBe((await cli(['snapshot', '-h'])).stdout);
  });

  it('points to the commands’ own help from the general help', async () => {
    expect((await cli(['--help'])).stdout).toContain('cloudtrail-rule <command> --help');
  });
});

describe('cloudtrail-rule --version', () => {
  it('prints the package version and exits 0, whatever the command', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect((await cli(['evaluate', '--version'])).stdout).toBe(`${VERSION}\n`);
  });
});

describe('cloudtrail-rule --snapshot - (stdin)', () => {
  const compliant = readFileSync(join(ROOT, 'examples', 'compliant-default-trail.json'), 'utf8');

  it('evaluates the snapshot on stdin', async () => {
    const { code, stdout } = await cli(['evaluate', '--snapshot', '-'], compliant);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^CloudTrail\.1: COMPLIANT\n/);
    expect(stdout).toContain('snapshot -');
  });

  it('plans from the snapshot on stdin', async () => {
    const logging = readFileSync(join(ROOT, 'examples', 'logging-stopped.json'), 'utf8');

    const { code, stdout } = await cli(['remediate', '--dry-run', '--snapshot', '-'], logging);

    expect(code).toBe(1);
    expect(stdout).toContain('1. cloudtrail:StartLogging in us-east-1');
  });

  it('says the snapshot on stdin is not JSON, without quoting it', async () => {
    const { code, stderr } = await cli(['evaluate', '--snapshot', '-'], 'password=hunter2\n');

    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^cloudtrail-rule: Snapshot on stdin is not valid JSON at line 1, column 1/,
    );
    expect(stderr).not.toContain('hunter2');
  });

  it('stops reading stdin at the size limit, as for a file', async () => {
    const endless = Readable.from(
      (function* () {
        for (;;) yield Buffer.alloc(256, 0x20);
      })(),
    );

    await expect(readSnapshot('-', 1024, () => endless)).rejects.toThrow(
      'Snapshot on stdin is more than the 1 KiB a snapshot may be:',
    );
    expect(endless.destroyed).toBe(true);
  });

  it('reads a snapshot of exactly the limit from stdin', async () => {
    const bytes = Buffer.byteLength(compliant);

    await expect(
      readSnapshot('-', bytes, () => Readable.from([Buffer.from(compliant)])),
    ).resolves.toMatchObject({ accountId: '111122223333' });
  });
});

describe('cloudtrail-rule on a very large snapshot', () => {
  it('evaluates 200,000 trails without overflowing the call stack', async () => {
    const trails = Array.from({ length: 200_000 }, (_, i) => ({
      trail: {
        Name: `trail-${i}`,
        TrailARN: `arn:aws:cloudtrail:us-east-1:111122223333:trail/trail-${i}`,
        HomeRegion: 'us-east-1',
        IsMultiRegionTrail: false,
      },
    }));
    const state: AccountTrailState = { accountId: '111122223333', region: 'us-east-1', trails };
    const file = join(mkdtempSync(join(tmpdir(), 'cloudtrail-rule-large-')), 'large.json');
    writeFileSync(file, JSON.stringify(state));

    const { code, stdout, stderr } = await cli(['evaluate', '--snapshot', file]);

    expect(stderr).toBe('');
    expect(code).toBe(1);
    const rows = stdout.split('\n').filter((line) => line.startsWith('trail-'));
    expect(rows).toHaveLength(200_000);
    expect(rows[199_999]).toMatch(
      /^trail-199999 +us-east-1 +no +\? +\? +\? +- +fail: not multi-Region/,
    );
  }, 60_000);
});

describe('cloudtrail-rule counts', () => {
  it('says "1 example" for a directory of one', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'cloudtrail-rule-one-example-'));
    writeFileSync(
      join(directory, 'only.json'),
      readFileSync(join(ROOT, 'examples', 'compliant-default-trail.json')),
    );

    const { stdout } = await cli(['examples', directory]);

    expect(stdout).toMatch(/\n1 example: 1 COMPLIANT\.\n$/);
  });
});

describe('cloudtrail-rule live errors, as the process writes them', () => {
  it('says an endpoint that answers an HTML page is not an AWS endpoint, without its body', async () => {
    const portal = await startAnsweringEndpoint(
      200,
      { 'content-type': 'text/html; charset=utf-8' },
      '<html><body>portal-page-body</body></html>',
    );
    try {
      for (const command of [['evaluate'], ['remediate', '--dry-run']]) {
        const run = await runBin([...command, '--region', 'us-east-1'], {
          env: { ...offlineAws(portal.endpoint), AWS_MAX_ATTEMPTS: '1' },
        });

        expect(run.status).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr).toMatch(
          /^cloudtrail-rule: Could not (identify|read) the account \(STS GetCallerIdentity\): [^\n]* answered HTTP 200 with content type text\/html, which no AWS API answers with: not an AWS endpoint\? [^\n]*\n$/,
        );
        expect(run.stderr).not.toContain('portal-page-body');
      }
    } finally {
      await portal.close();
    }
  }, 60_000);

  it('writes no SDK warning when --profile is given beside keys in the environment', async () => {
    const endpoint = await refusingEndpoint();
    const aws = offlineAws(endpoint);
    const env = { ...aws, AWS_MAX_ATTEMPTS: '1' };
    writeFileSync(
      aws.AWS_SHARED_CREDENTIALS_FILE ?? '',
      '[audit]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n',
    );

    const run = await runBin(['evaluate', '--profile', 'audit', '--region', 'us-east-1'], { env });

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^cloudtrail-rule: [^\n]*ECONNREFUSED[^\n]*\n$/);
    expect(run.stderr).not.toContain('Multiple credential sources');
  }, 60_000);
});
