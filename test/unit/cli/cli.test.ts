import { spawnSync } from 'node:child_process';
import {
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessDeniedException,
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  type GetEventSelectorsResponse,
  GetTrailStatusCommand,
  type GetTrailStatusResponse,
  type Trail as SdkTrail,
} from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_SNAPSHOT_BYTES, readSnapshot } from '../../../cli/snapshot-file';
import { InvalidSnapshotError } from '../../../rule/errors';
import { evaluateAccount } from '../../../rule/evaluate';
import { DEFAULT_PARAMETERS } from '../../../rule/parameters';
import {
  type AccountTrailState,
  accountTrailStateSchema,
  type ReadError,
  type TrailState,
} from '../../../rule/state';
import {
  accountState,
  basicSelector,
  basicSelectors,
  readTrail,
  trail,
} from '../../support/fixtures';
import { runCli } from '../../support/run-cli';

const ROOT = join(__dirname, '../../..');
const EXAMPLES = join(ROOT, 'examples');
const example = (file: string) => join('examples', file);

/** Runs the CLI in-process and collects what it writes. */
const cli = (...argv: string[]) => runCli(argv);

function loadExample(file: string): AccountTrailState {
  return accountTrailStateSchema.parse(JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')));
}

function tempDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'cloudtrail-rule-cli-'));
}

/** Writes a copy of a one-trail example with that trail's reads replaced; returns its path. */
function exampleVariant(
  example: string,
  file: string,
  reads: Pick<TrailState, 'eventSelectors'>,
): string {
  const state = loadExample(example);
  const [trail] = state.trails;
  const path = join(tempDirectory(), file);
  writeFileSync(path, JSON.stringify({ ...state, trails: [{ ...trail, ...reads }] }));
  return path;
}

/** The lines of a table whose first cell is `name`. */
function rowOf(output: string, name: string): string | undefined {
  return output.split('\n').find((line) => line.startsWith(`${name} `));
}

describe('cloudtrail-rule evaluate --snapshot', () => {
  it('exits 0 for a COMPLIANT snapshot and names the passing trail', async () => {
    const { code, stdout, stderr } = await cli(
      'evaluate',
      '--snapshot',
      example('compliant-default-trail.json'),
    );

    expect(code).toBe(0);
    expect(stdout).toMatch(/^CloudTrail\.1: COMPLIANT\n/);
    expect(stdout).toContain('Trail management-events (us-east-1) is multi-Region');
    expect(stderr).toBe('');
  });

  it('exits 1 for a NON_COMPLIANT snapshot and says what the closest trail lacks', async () => {
    const { code, stdout } = await cli('evaluate', '--snapshot', example('write-only-trail.json'));

    expect(code).toBe(1);
    expect(stdout).toMatch(/^CloudTrail\.1: NON_COMPLIANT\n/);
    expect(stdout).toContain('no read management events from any source');
  });

  it('exits 2 for an UNDECIDED verdict and gives the reason', async () => {
    const { code, stdout } = await cli(
      'evaluate',
      '--snapshot',
      example('own-trail-selectors-access-denied.json'),
    );

    expect(code).toBe(2);
    expect(stdout).toMatch(/^CloudTrail\.1: UNDECIDED\n/);
    expect(stdout).toContain('GetEventSelectors failed: AccessDeniedException');
  });

  it('shows a row for every trail with its Region, flags and why it passes or fails', async () => {
    const { stdout } = await cli(
      'evaluate',
      '--snapshot',
      example('shadow-trail-other-region.json'),
    );

    expect(stdout).toContain('trails listed from eu-west-1');
    expect(rowOf(stdout, 'TRAIL')).toMatch(
      /^TRAIL +HOME REGION +MULTI-REGION +LOGGING +READ +WRITE +NOT LOGGED +RESULT$/,
    );
    expect(rowOf(stdout, 'management-events')).toMatch(
      /^management-events +us-east-1 +yes +yes +all +all +- +pass$/,
    );
    expect(rowOf(stdout, 'eu-west-1-local')).toMatch(
      /^eu-west-1-local +eu-west-1 +no +yes +all +all +- +fail: not multi-Region$/,
    );
  });

  it('lists the sources a selector leaves out', async () => {
    const { stdout } = await cli(
      'evaluate',
      '--snapshot',
      example('advanced-selectors-exclude-kms.json'),
    );

    expect(rowOf(stdout, 'audit-trail')).toMatch(
      / partial +partial +kms\.amazonaws\.com +fail: no read or write management events from kms\.amazonaws\.com/,
    );
  });

  it('marks a trusted organization trail and gives the note', async () => {
    const { stdout } = await cli(
      'evaluate',
      '--snapshot',
      example('organization-trail-member-view.json'),
    );

    expect(rowOf(stdout, 'org-trail')).toMatch(
      / trusted +trusted +- +pass \(note: organization trail of account 999988887777/,
    );
  });

  it('says which kind misses a source when read and write differ', async () => {
    const file = exampleVariant('split-read-write-selectors.json', 'writes-without-kms.json', {
      eventSelectors: {
        response: {
          EventSelectors: [
            { ReadWriteType: 'ReadOnly', IncludeManagementEvents: true },
            {
              ReadWriteType: 'WriteOnly',
              IncludeManagementEvents: true,
              ExcludeManagementEventSources: ['kms.amazonaws.com'],
            },
          ],
        },
      },
    });

    const { code, stdout } = await cli('evaluate', '--snapshot', file);

    expect(code).toBe(1);
    expect(rowOf(stdout, 'split-selectors')).toMatch(
      / all +partial +write: kms\.amazonaws\.com +fail: no write management events from kms/,
    );
  });

  it('keeps a multi-line AWS error message on its trail’s row', async () => {
    const file = exampleVariant('own-trail-selectors-access-denied.json', 'multi-line-error.json', {
      eventSelectors: {
        error: { name: 'TypeError', message: 'Expected real number\n  Deserialization error' },
      },
    });

    const { stdout } = await cli('evaluate', '--snapshot', file);

    expect(rowOf(stdout, 'management-events')).toMatch(
      /unknown: GetEventSelectors failed: TypeError \(Expected real number Deserialization error\)$/,
    );
    expect(stdout).not.toMatch(/^ +Deserialization/m);
  });

  it('says there are no trails instead of printing an empty table', async () => {
    const { stdout } = await cli('evaluate', '--snapshot', example('no-trails.json'));

    expect(stdout).toContain('No trails are visible from us-east-1.');
    expect(stdout).not.toContain('HOME REGION');
  });

  it('prints a stable JSON object with --json', async () => {
    const { code, stdout } = await cli(
      'evaluate',
      '--snapshot',
      example('write-only-trail.json'),
      '--json',
    );
    const report = JSON.parse(stdout);

    expect(code).toBe(1);
    expect(Object.keys(report)).toEqual([
      'compliance',
      'annotation',
      'accountId',
      'region',
      'readAt',
      'source',
      'parameters',
      'trails',
    ]);
    expect(report).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation:
        'No trail passes CloudTrail.1. Closest: write-events-only (us-east-1): no read management events from any source.',
      accountId: '111122223333',
      region: 'us-east-1',
      readAt: '2025-06-02T10:15:42.318Z',
      source: { type: 'snapshot', file: example('write-only-trail.json') },
      parameters: DEFAULT_PARAMETERS,
      trails: [
        {
          name: 'write-events-only',
          arn: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/write-events-only',
          deliveryProblem: null,
          homeRegion: 'us-east-1',
          multiRegion: true,
          otherAccount: false,
          logging: true,
          managementEvents: {
            form: 'basic',
            uncoveredRead: ['any other source'],
            uncoveredWrite: [],
            nothingLogged: { read: true, write: false },
            uncounted: [],
          },
          outcome: 'fail',
          requirements: [
            { requirement: 'multiRegion', outcome: 'pass', detail: 'multi-Region' },
            { requirement: 'logging', outcome: 'pass', detail: 'logging' },
            {
              requirement: 'managementEvents',
              outcome: 'fail',
              detail: 'no read management events from any source',
            },
          ],
          notes: [],
        },
      ],
    });
  });

  it('gives the reason instead of an annotation in JSON when UNDECIDED', async () => {
    const { stdout } = await cli(
      'evaluate',
      '--snapshot',
      example('own-trail-selectors-access-denied.json'),
      '--json',
    );
    const report = JSON.parse(stdout);

    expect(report).toEqual(
      expect.objectContaining({
        compliance: 'UNDECIDED',
        reason: expect.stringContaining('could not be read'),
      }),
    );
    expect(report).not.toHaveProperty('annotation');
    expect(report.trails[0]).toEqual(
      expect.objectContaining({ outcome: 'unknown', logging: true, managementEvents: null }),
    );
  });
});

describe('cloudtrail-rule --param', () => {
  it('applies parameters with the rule’s own parsing (any case)', async () => {
    const { code, stdout } = await cli(
      'evaluate',
      '--snapshot',
      example('write-only-trail.json'),
      '--param',
      'readWriteType=writeonly',
    );

    expect(code).toBe(0);
    expect(stdout).toContain(
      'Parameters: readWriteType=WriteOnly; custom: the account is judged by readWriteType=WriteOnly, not by CloudTrail.1 as Security Hub defines it (read and write management events).',
    );
  });

  it('says first that weakening parameters judge the account, not CloudTrail.1', async () => {
    const { stdout } = await cli(
      'evaluate',
      '--snapshot',
      example('data-events-only.json'),
      '--param',
      'includeManagementEvents=false',
      '--param',
      `s3BucketName=${loadExample('data-events-only.json').trails[0]?.trail.S3BucketName}`,
    );

    const [header, , parameters, , reason] = stdout.split('\n');
    expect(header).toBe('Custom parameters, not CloudTrail.1: COMPLIANT');
    expect(parameters).toMatch(
      /^Parameters: s3BucketName=\S+, includeManagementEvents=false; custom: the account is judged by includeManagementEvents=false, not by CloudTrail\.1 as Security Hub defines it/,
    );
    expect(reason).toMatch(
      /^Custom parameters \(includeManagementEvents=false\), not CloudTrail\.1 as Security Hub defines it: Trail /,
    );
  });

  it('keeps the CloudTrail.1 header for parameters that only make it stricter', async () => {
    const { stdout } = await cli(
      'evaluate',
      '--snapshot',
      example('write-only-trail.json'),
      '--param',
      'trustOrganizationTrails=false',
    );

    expect(stdout).toMatch(/^CloudTrail\.1: NON_COMPLIANT\n/);
    expect(stdout).toContain('Parameters: trustOrganizationTrails=false.\n');
  });

  it.each([
    [
      ['readWriteType=Sometimes'],
      /readWriteType has the value "Sometimes".*"ALL", "ReadOnly" or "WriteOnly"/,
    ],
    [['trustOrganizationTrails=yes'], /trustOrganizationTrails has the value "yes"/],
    [['s3Bucketname=logs'], /Unknown rule parameter "s3Bucketname"/],
    [['readWriteType'], /--param expects NAME=VALUE, got "readWriteType"/],
    [['=ALL'], /--param expects NAME=VALUE, got "=ALL"/],
    [
      ['readWriteType=ALL', 'readWriteType=ReadOnly'],
      /--param readWriteType is given more than once/,
    ],
  ])('refuses --param %j with exit 2 and names the parameter', async (params, message) => {
    const args = params.flatMap((param) => ['--param', param]);
    const { code, stdout, stderr } = await cli(
      'evaluate',
      '--snapshot',
      example('compliant-default-trail.json'),
      ...args,
    );

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/^cloudtrail-rule: [^\n]+\n$/);
  });
});

describe('cloudtrail-rule with a bad snapshot', () => {
  const directory = tempDirectory();
  const write = (name: string, text: string) => {
    const file = join(directory, name);
    writeFileSync(file, text);
    return file;
  };

  it.each([
    [
      'a missing file',
      () => join(directory, 'missing.json'),
      /Cannot read snapshot .*missing\.json: ENOENT/,
    ],
    [
      'a file that is not JSON',
      () => write('broken.json', '{"accountId":'),
      /Snapshot .*broken\.json is not valid JSON at line 1, column 14 \(character 14\): fix it/,
    ],
    [
      'a trail without an ARN',
      () =>
        write(
          'no-arn.json',
          JSON.stringify({
            accountId: '111122223333',
            region: 'us-east-1',
            trails: [{ trail: { Name: 'x' } }],
          }),
        ),
      /Snapshot .*no-arn\.json is not an account trail state: trails\[0\]\.trail\.TrailARN: Invalid input: expected string/,
    ],
    [
      'a status that is neither a response nor an error',
      () =>
        write(
          'bad-status.json',
          JSON.stringify({
            accountId: '111122223333',
            region: 'us-east-1',
            trails: [
              {
                trail: { TrailARN: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t' },
                status: { response: { IsLogging: 'yes' } },
              },
            ],
          }),
        ),
      /trails\[0\]\.status\.response\.IsLogging: Invalid input: expected boolean/,
    ],
    [
      'an account ID that is not 12 digits',
      () =>
        write(
          'bad-account.json',
          JSON.stringify({ accountId: '1234', region: 'us-east-1', trails: [] }),
        ),
      /accountId: accountId must be a 12-digit AWS account ID/,
    ],
  ])('exits 2 with one line naming the file for %s', async (_, file, message) => {
    const { code, stdout, stderr } = await cli('evaluate', '--snapshot', file());

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/^cloudtrail-rule: [^\n]+\n$/);
  });
});

describe('cloudtrail-rule reading a file that is not a snapshot', () => {
  const directory = tempDirectory();

  it('names the file and the position of a JSON error, never what the file holds', async () => {
    // What --snapshot /etc/shadow would read.
    const file = join(directory, 'shadow');
    writeFileSync(file, 'root:$6$Xk2PqL9e$secrethashsecrethash:19723:0:99999:7:::\n');

    const { code, stdout, stderr } = await cli('evaluate', '--snapshot', file);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `cloudtrail-rule: Snapshot ${file} is not valid JSON at line 1, column 1 (character 1): fix it, or write a new one with "cloudtrail-rule snapshot".\n`,
    );
  });

  it('gives the line and column of an error further in, without the text around it', async () => {
    const file = join(directory, 'truncated.json');
    writeFileSync(file, '{\n  "accountId": "111122223333",\n  "region": us-east-1\n}\n');

    const { stderr } = await cli('evaluate', '--snapshot', file);

    expect(stderr).toContain('is not valid JSON at line 3, column 13 (character 46):');
    expect(stderr).not.toContain('us-east-1');
  });

  it('counts keys a snapshot does not have instead of naming them', async () => {
    const file = join(directory, 'credentials.json');
    writeFileSync(
      file,
      JSON.stringify({
        accountId: '111122223333',
        region: 'us-east-1',
        trails: [],
        aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      }),
    );

    const { code, stderr } = await cli('evaluate', '--snapshot', file);

    expect(code).toBe(2);
    expect(stderr).toContain(
      'is not an account trail state: (top level): 1 key that an account trail state does not have.',
    );
    expect(stderr).not.toMatch(/aws_secret_access_key|wJalr/);
  });

  it('refuses a file larger than 64 MiB by its size, before reading it', async () => {
    const file = join(directory, 'huge.json');
    writeFileSync(file, '');
    truncateSync(file, MAX_SNAPSHOT_BYTES + 1); // sparse: no data is written

    const { code, stderr } = await cli('evaluate', '--snapshot', file);

    expect(MAX_SNAPSHOT_BYTES).toBe(64 * 1024 * 1024);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `cloudtrail-rule: Snapshot ${file} is 67108865 bytes (64.0 MiB), more than the 64 MiB a snapshot may be: a snapshot of even a large account is a few MB. Check that this is the snapshot you meant, or write a new one with "cloudtrail-rule snapshot".\n`,
    );
  });

  it('stops reading a stream with no size at the limit', async () => {
    const error = await readSnapshot('/dev/zero', 1024).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidSnapshotError);
    expect((error as Error).message).toMatch(
      /^Snapshot \/dev\/zero is more than the 1 KiB a snapshot may be:/,
    );
  });

  it('reads a snapshot of exactly the limit', async () => {
    const file = join(directory, 'at-limit.json');
    const text = readFileSync(join(EXAMPLES, 'no-trails.json'), 'utf8');
    writeFileSync(file, text);

    await expect(readSnapshot(file, Buffer.byteLength(text))).resolves.toMatchObject({
      trails: [],
    });
    await expect(readSnapshot(file, Buffer.byteLength(text) - 1)).rejects.toThrow(/more than the/);
  });
});

describe('cloudtrail-rule usage', () => {
  it('prints help with exit 0, naming every command and parameter', async () => {
    const { code, stdout } = await cli('--help');

    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: cloudtrail-rule <command>/);
    for (const word of [
      'evaluate',
      'snapshot',
      'examples',
      'readWriteType',
      'trustOrganizationTrails',
    ]) {
      expect(stdout).toContain(word);
    }
  });

  it('prints help for "help" and for a command given --help', async () => {
    expect((await cli('help')).code).toBe(0);
    expect((await cli('evaluate', '-h')).stdout).toMatch(/^Usage:/);
  });

  it.each([
    [[], /Give a command: evaluate, snapshot or examples/],
    [['audit'], /Unknown command "audit"/],
    [['evaluate', '--snapshot'], /Option '--snapshot <value>' argument missing/],
    [['evaluate', '--colour'], /Unknown option '--colour'/],
    [['evaluate', '--out', 'x.json'], /The evaluate command does not take --out/],
    [['snapshot', '--json'], /The snapshot command does not take --json/],
    [['snapshot', '--param', 'readWriteType=ALL'], /The snapshot command does not take --param/],
    [['snapshot', '--force'], /--force lets --out replace an existing file; without --out/],
    [['evaluate', '--force'], /The evaluate command does not take --force/],
    [['examples', 'a', 'b'], /Unexpected argument "b" after examples/],
    [['evaluate', 'extra'], /Unexpected argument "extra" after evaluate/],
    [
      ['evaluate', '--snapshot', 'x.json', '--region', 'us-east-1'],
      /--region and --profile are for reading a live account/,
    ],
  ])('refuses %j with exit 2 and one line on stderr', async (argv, message) => {
    const { code, stdout, stderr } = await cli(...argv);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/^cloudtrail-rule: [^\n]+\n$/);
  });

  it('accepts --verbose (the bin reads it before loading the rule)', async () => {
    const { code } = await cli('evaluate', '--snapshot', example('no-trails.json'), '--verbose');

    expect(code).toBe(1);
  });
});

describe('cloudtrail-rule examples (npm start)', () => {
  const files = readdirSync(EXAMPLES)
    .filter((file) => file.endsWith('.json'))
    .sort();

  it('prints each example file with the verdict the rule gives it, and exits 0', async () => {
    const { code, stdout, stderr } = await cli('examples');

    expect(code).toBe(0);
    expect(stderr).toBe('');
    const rows = stdout
      .split('\n')
      .filter((line) => line.endsWith('.json') || /\.json /.test(line));
    expect(rows.map((row) => row.split(/ +/)[0])).toEqual(files);
    for (const file of files) {
      const { compliance } = evaluateAccount(loadExample(file), DEFAULT_PARAMETERS);
      expect(rowOf(stdout, file)).toMatch(
        new RegExp(`^${file.replace('.', '\\.')} +${compliance} +\\S`),
      );
    }
    expect(stdout).toContain(`${files.length} examples:`);
  });

  it('prints one JSON report per example with --json', async () => {
    const { stdout } = await cli('examples', '--json');
    const reports = JSON.parse(stdout);

    expect(reports.map((r: { file: string }) => r.file)).toEqual(files);
    expect(reports[0]).toEqual(
      expect.objectContaining({ compliance: expect.any(String), accountId: '111122223333' }),
    );
  });

  it('evaluates the examples with the given parameters', async () => {
    const { stdout } = await cli('examples', '--param', 'trustOrganizationTrails=false');

    expect(rowOf(stdout, 'organization-trail-member-view.json')).toMatch(/ NON_COMPLIANT /);
  });

  it('exits 2 with one line when the directory cannot be read', async () => {
    const missing = join(tempDirectory(), 'missing');

    const { code, stderr } = await cli('examples', missing);

    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^cloudtrail-rule: Cannot read the examples directory .*missing: ENOENT[^\n]*\n$/,
    );
  });

  it('reports a file it cannot evaluate as ERROR and exits 2', async () => {
    const directory = tempDirectory();
    writeFileSync(join(directory, 'a-good.json'), readFileSync(join(EXAMPLES, 'no-trails.json')));
    writeFileSync(join(directory, 'b-bad.json'), '[]');
    writeFileSync(join(directory, 'notes.txt'), 'not a snapshot');

    const { code, stdout } = await cli('examples', directory);

    expect(code).toBe(2);
    expect(rowOf(stdout, 'a-good.json')).toMatch(/ NON_COMPLIANT /);
    expect(rowOf(stdout, 'b-bad.json')).toMatch(
      / ERROR +Snapshot .*b-bad\.json is not an account trail state/,
    );
    expect(stdout).not.toContain('notes.txt');
  });
});

describe('cloudtrail-rule against a live account', () => {
  const cloudTrail = mockClient(CloudTrailClient);
  const sts = mockClient(STSClient);
  const environment = { ...process.env };

  beforeEach(() => {
    cloudTrail.reset();
    sts.reset();
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '111122223333',
      Arn: 'arn:aws:sts::111122223333:assumed-role/SecurityAudit/cloudtrail-rule',
      UserId: 'AROAEXAMPLEID:cloudtrail-rule',
    });
  });

  afterEach(() => {
    process.env = { ...environment };
  });

  /** CloudTrail answers as the account in the snapshot would (Dates where the SDK has Dates). */
  function serveAccount(state: AccountTrailState): void {
    cloudTrail
      .on(DescribeTrailsCommand, { includeShadowTrails: true })
      .resolves({ trailList: state.trails.map((t) => t.trail as SdkTrail) });
    for (const { trail, status, eventSelectors } of state.trails) {
      const Name = trail.TrailARN;
      if (status !== undefined) {
        const call = cloudTrail.on(GetTrailStatusCommand, { Name });
        if ('error' in status) call.rejects(sdkError(status.error));
        else call.resolves(withDates(status.response));
      }
      if (eventSelectors !== undefined) {
        const call = cloudTrail.on(GetEventSelectorsCommand, { TrailName: Name });
        if ('error' in eventSelectors) call.rejects(sdkError(eventSelectors.error));
        else call.resolves(asSdkResponse<GetEventSelectorsResponse>(eventSelectors.response));
      }
    }
  }

  it('evaluates the account STS names, listing trails from --region', async () => {
    serveAccount(loadExample('compliant-default-trail.json'));

    const { code, stdout } = await cli('evaluate', '--region', 'us-east-1');

    expect(code).toBe(0);
    expect(stdout).toContain('Account 111122223333, trails listed from us-east-1; live, read ');
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(cloudTrail).toHaveReceivedCommandWith(DescribeTrailsCommand, {
      includeShadowTrails: true,
    });
  });

  it('reads a shadow trail in its home Region, and every trail fully, as snapshot does', async () => {
    const state = loadExample('shadow-trail-other-region.json');
    serveAccount(state);
    const [shadow, local] = state.trails.map((t) => t.trail.TrailARN);

    const { code } = await cli('evaluate', '--region', 'eu-west-1');

    expect(code).toBe(0);
    expect(cloudTrail).toHaveReceivedCommandWith(GetTrailStatusCommand, { Name: shadow });
    expect(cloudTrail).toHaveReceivedCommandWith(GetEventSelectorsCommand, { TrailName: shadow });
    // The rule skips these (a single-Region trail fails whatever they say); a person wants every gap.
    expect(cloudTrail).toHaveReceivedCommandWith(GetTrailStatusCommand, { Name: local });
    expect(cloudTrail).toHaveReceivedCommandWith(GetEventSelectorsCommand, { TrailName: local });
    const shadowStatus = cloudTrail
      .commandCalls(GetTrailStatusCommand)
      .find((call) => call.args[0].input.Name === shadow);
    const statusClient = shadowStatus?.thisValue as CloudTrailClient;
    expect(await statusClient.config.region()).toBe('us-east-1');
  });

  it('lists every gap of a single-Region, stopped, write-only trail, not just the first', async () => {
    const single = trail({ Name: 'regional', IsMultiRegionTrail: false });
    serveAccount(
      accountState([
        readTrail(single, {
          logging: false,
          selectors: basicSelectors(single.TrailARN, [
            basicSelector({ ReadWriteType: 'WriteOnly' }),
          ]),
        }),
      ]),
    );

    const { code, stdout } = await cli('evaluate', '--region', 'us-east-1', '--json');

    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    const failed = report.trails[0].requirements
      .filter((r: { outcome: string }) => r.outcome === 'fail')
      .map((r: { detail: string }) => r.detail);
    expect(failed).toEqual([
      'not multi-Region',
      'logging is stopped',
      'no read management events from any source',
    ]);
    expect(report.annotation).toBe(
      'No trail passes CloudTrail.1. Closest: regional (us-east-1): not multi-Region; logging is stopped; no read management events from any source.',
    );
    const table = await cli('evaluate', '--region', 'us-east-1');
    expect(rowOf(table.stdout, 'regional')).toMatch(
      /regional +us-east-1 +no +no +no +all +- +fail: not multi-Region; logging is stopped; no read management events from any source$/,
    );
  });

  it('reads selectors when includeManagementEvents is false, but does not judge them', async () => {
    serveAccount(loadExample('compliant-default-trail.json'));

    const { code, stdout } = await cli(
      'evaluate',
      '--region',
      'us-east-1',
      '--param',
      'includeManagementEvents=false',
      '--json',
    );

    expect(code).toBe(0);
    expect(cloudTrail).toHaveReceivedCommandTimes(GetTrailStatusCommand, 1);
    expect(cloudTrail).toHaveReceivedCommandTimes(GetEventSelectorsCommand, 1);
    const requirements = JSON.parse(stdout).trails[0].requirements.map(
      (r: { requirement: string }) => r.requirement,
    );
    expect(requirements).toEqual(['multiRegion', 'logging']);
  });

  it('passes an organization trail whose selectors AWS refuses, as the rule does', async () => {
    serveAccount(loadExample('organization-trail-member-view.json'));

    const { code, stdout } = await cli('evaluate', '--region', 'us-east-1', '--json');

    expect(code).toBe(0);
    expect(JSON.parse(stdout).trails[0].notes.join('\n')).toContain('AccessDeniedException');
  });

  it('uses the SDK’s default Region when --region is not given', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    serveAccount(loadExample('no-trails.json'));

    const { code, stdout } = await cli('evaluate', '--json');

    expect(code).toBe(1);
    expect(JSON.parse(stdout).region).toBe('eu-west-1');
  });

  it('uses the named profile for STS and CloudTrail', async () => {
    serveAccount(loadExample('compliant-default-trail.json'));

    const { code, stdout } = await cli('evaluate', '--region', 'us-east-1', '--profile', 'audit');

    expect(code).toBe(0);
    expect(stdout).toContain('live (profile audit)');
    expect((sts.call(0).thisValue as STSClient).config.profile).toBe('audit');
    expect((cloudTrail.call(0).thisValue as CloudTrailClient).config.profile).toBe('audit');
  });

  it('frees its SDK clients when done', async () => {
    serveAccount(loadExample('shadow-trail-other-region.json'));
    const destroyed = jest.spyOn(CloudTrailClient.prototype, 'destroy');

    await cli('evaluate', '--region', 'eu-west-1');

    // One client for eu-west-1 (DescribeTrails) and one for us-east-1 (the shadow trail).
    expect(destroyed).toHaveBeenCalledTimes(2);
    destroyed.mockRestore();
  });

  it('exits 2 with one line when there is no Region', async () => {
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    delete process.env.AWS_PROFILE;
    process.env.AWS_CONFIG_FILE = join(tempDirectory(), 'no-config');

    const { code, stderr } = await cli('evaluate');

    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^cloudtrail-rule: No AWS Region to read trails from .*pass --region[^\n]*\n$/,
    );
    expect(sts).not.toHaveReceivedCommand(GetCallerIdentityCommand);
  });

  it('exits 2 with one line when the credentials do not work', async () => {
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );

    const { code, stdout, stderr } = await cli('evaluate', '--region', 'us-east-1');

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^cloudtrail-rule: Could not identify the account \(STS GetCallerIdentity\): No AWS credentials found \(Could not load credentials[^\n]*--profile NAME[^\n]*\n$/,
    );
    expect(cloudTrail).not.toHaveReceivedCommand(DescribeTrailsCommand);
  });

  it('exits 2 with one line when DescribeTrails is refused', async () => {
    cloudTrail.on(DescribeTrailsCommand).rejects(
      new AccessDeniedException({
        message: 'User is not authorized to perform: cloudtrail:DescribeTrails',
        $metadata: {},
      }),
    );

    const { code, stdout, stderr } = await cli('evaluate', '--region', 'us-east-1');

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^cloudtrail-rule: Could not list the trails in us-east-1 \(CloudTrail DescribeTrails\): AccessDeniedException: [^\n]*\n$/,
    );
  });

  it.each([
    'organization-trail-member-view.json',
    'shadow-trail-other-region.json',
    'advanced-selectors-exclude-kms.json',
  ])(
    'snapshot reads every trail fully: the account served from %s comes back as it',
    async (file) => {
      const expected = loadExample(file);
      serveAccount(expected);

      const { code, stdout } = await cli('snapshot', '--region', expected.region);

      expect(code).toBe(0);
      const written = accountTrailStateSchema.parse(JSON.parse(stdout));
      expect({ ...written, readAt: expected.readAt }).toEqual(expected);
      expect(Date.parse(written.readAt ?? '')).not.toBeNaN();
    },
  );

  it('exits 2 with one line when the snapshot cannot be written', async () => {
    serveAccount(loadExample('no-trails.json'));
    const out = join(tempDirectory(), 'missing-directory', 'state.json');

    const { code, stderr } = await cli('snapshot', '--region', 'us-east-1', '--out', out);

    expect(code).toBe(2);
    expect(stderr).toBe(
      `cloudtrail-rule: Cannot write ${out}: its directory does not exist (ENOENT). Nothing was written there.\n`,
    );
  });

  describe('snapshot --out', () => {
    const write = (...extra: string[]) => cli('snapshot', '--region', 'us-east-1', ...extra);
    const leftovers = (directory: string) =>
      readdirSync(directory).filter((f) => f.endsWith('.tmp'));

    beforeEach(() => serveAccount(loadExample('no-trails.json')));

    it('refuses to overwrite an existing file without --force, and leaves it as it was', async () => {
      const directory = tempDirectory();
      const out = join(directory, 'state.json');
      writeFileSync(out, 'keep me');

      const { code, stdout, stderr } = await write('--out', out);

      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `cloudtrail-rule: ${out} already exists, and cloudtrail-rule does not overwrite a file unless told to: give a new name, or add --force to replace it.\n`,
      );
      expect(readFileSync(out, 'utf8')).toBe('keep me');
      expect(leftovers(directory)).toEqual([]);
    });

    it('with --force replaces the file whole, by renaming a new file over it (never writing into it)', async () => {
      const directory = tempDirectory();
      const out = join(directory, 'state.json');
      const other = join(directory, 'other-name.json');
      writeFileSync(out, 'old');
      linkSync(out, other); // a second name for the old file: an in-place write would change it too

      const { code } = await write('--out', out, '--force');

      expect(code).toBe(0);
      expect(accountTrailStateSchema.parse(JSON.parse(readFileSync(out, 'utf8'))).trails).toEqual(
        [],
      );
      expect(readFileSync(other, 'utf8')).toBe('old');
      expect(statSync(out).ino).not.toBe(statSync(other).ino);
      expect(leftovers(directory)).toEqual([]);
    });

    it('writes a new file readable by its owner only', async () => {
      const out = join(tempDirectory(), 'state.json');

      expect((await write('--out', out)).code).toBe(0);
      expect(statSync(out).mode & 0o777).toBe(0o600);
    });

    it.each([[[]], [['--force']]])(
      'never writes through a symbolic link (%j), leaving the link and its target alone',
      async (extra) => {
        const directory = tempDirectory();
        const target = join(directory, 'target.txt');
        const out = join(directory, 'state.json');
        writeFileSync(target, 'target');
        symlinkSync(target, out);

        const { code, stderr } = await write('--out', out, ...extra);

        expect(code).toBe(2);
        expect(stderr).toBe(
          `cloudtrail-rule: ${out} is a symbolic link: cloudtrail-rule never writes through one, even with --force, since it could point anywhere you may write. Give the path of a regular file, or a new name.\n`,
        );
        expect(readFileSync(target, 'utf8')).toBe('target');
        expect(lstatSync(out).isSymbolicLink()).toBe(true);
        expect(readlinkSync(out)).toBe(target);
        expect(leftovers(directory)).toEqual([]);
      },
    );

    it('refuses a dangling symbolic link too, which would create its target', async () => {
      const directory = tempDirectory();
      const out = join(directory, 'state.json');
      symlinkSync(join(directory, 'created-elsewhere.json'), out);

      const { code } = await write('--out', out, '--force');

      expect(code).toBe(2);
      expect(readdirSync(directory)).toEqual(['state.json']);
    });

    it('refuses a path that is a directory, even with --force', async () => {
      const out = join(tempDirectory(), 'state.json');
      mkdirSync(out);

      const { code, stderr } = await write('--out', out, '--force');

      expect(code).toBe(2);
      expect(stderr).toBe(
        `cloudtrail-rule: ${out} exists and is not a regular file: give a file path.\n`,
      );
    });
  });

  it('snapshot --out writes the file and says what it wrote', async () => {
    serveAccount(loadExample('shadow-trail-other-region.json'));
    const out = join(tempDirectory(), 'state.json');

    const { code, stdout } = await cli('snapshot', '--region', 'eu-west-1', '--out', out);

    expect(code).toBe(0);
    expect(stdout).toBe(
      `Wrote the trail state of account 111122223333 as seen from eu-west-1 (2 trails) to ${out}.\n`,
    );
    const evaluated = await cli('evaluate', '--snapshot', out);
    expect(evaluated.code).toBe(0);
  });

  it('snapshot --out counts one trail as "1 trail"', async () => {
    serveAccount(loadExample('compliant-default-trail.json'));
    const out = join(tempDirectory(), 'state.json');

    const { stdout } = await cli('snapshot', '--region', 'us-east-1', '--out', out);

    expect(stdout).toContain('as seen from us-east-1 (1 trail) to ');
  });
});

describe('the cloudtrail-rule bin', () => {
  it('runs the compiled CLI from a plain node process', () => {
    const run = spawnSync(
      process.execPath,
      [
        'bin/cloudtrail-rule.cjs',
        'evaluate',
        '--snapshot',
        example('write-only-trail.json'),
        '--json',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );

    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual(
      expect.objectContaining({ compliance: 'NON_COMPLIANT', accountId: '111122223333' }),
    );
  }, 60_000);
});

const SDK_DATE_FIELDS = new Set([
  'LatestDeliveryTime',
  'LatestNotificationTime',
  'StartLoggingTime',
  'StopLoggingTime',
  'LatestCloudWatchLogsDeliveryTime',
  'LatestDigestDeliveryTime',
]);

function withDates(response: Record<string, unknown>): GetTrailStatusResponse {
  return Object.fromEntries(
    Object.entries(response).map(([field, value]) => [
      field,
      SDK_DATE_FIELDS.has(field) && typeof value === 'string' ? new Date(value) : value,
    ]),
  ) as GetTrailStatusResponse;
}

/** A snapshot's response is the SDK's response through JSON; only the static type is lost. */
function asSdkResponse<T>(response: object): T {
  return response as T;
}

function sdkError({ name, message }: ReadError): Error {
  return name === 'AccessDeniedException'
    ? new AccessDeniedException({ message, $metadata: {} })
    : Object.assign(new Error(message), { name });
}
