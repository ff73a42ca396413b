import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../../support/run-cli';

/*
 * Files people give --snapshot by mistake, each recognised for what it is
 * and answered with how to make a snapshot.
 */

const HOW =
  'Write a snapshot with "cloudtrail-rule snapshot --out FILE" (with --region and --profile for the account to read), or evaluate the account live with "cloudtrail-rule evaluate".';

const directory = mkdtempSync(join(tmpdir(), 'cloudtrail-rule-mistakes-'));

function write(name: string, text: string): string {
  const file = join(directory, name);
  writeFileSync(file, text);
  return file;
}

/**
 * `aws cloudtrail describe-trails --include-shadow-trails` for an account
 * with one trail, as the API answers
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html).
 */
const DESCRIBE_TRAILS = {
  trailList: [
    {
      Name: 'management-events',
      S3BucketName: 'cloudtrail-logs-111122223333',
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: true,
      HomeRegion: 'us-east-1',
      TrailARN: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events',
      LogFileValidationEnabled: true,
      HasCustomEventSelectors: false,
      HasInsightSelectors: false,
      IsOrganizationTrail: false,
    },
  ],
};

describe('a snapshot file that is empty', () => {
  it.each([
    ['empty', ''],
    ['only whitespace', '\n  \n'],
  ])('is refused as empty (%s), saying how to make a snapshot', async (_, text) => {
    const file = write(`empty-${text.length}.json`, text);

    const { code, stdout, stderr } = await runCli(['evaluate', '--snapshot', file]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`cloudtrail-rule: Snapshot ${file} is empty. ${HOW}\n`);
  });

  it('is refused as empty on stdin too', async () => {
    const { code, stderr } = await runCli(['evaluate', '--snapshot', '-'], {
      stdin: () => Readable.from([]),
    });

    expect(code).toBe(2);
    expect(stderr).toBe(`cloudtrail-rule: Snapshot on stdin is empty. ${HOW}\n`);
  });
});

describe('a snapshot file that holds describe-trails output', () => {
  it.each([
    ['evaluate', '--snapshot'],
    ['remediate', '--dry-run', '--snapshot'],
  ])('is recognised by %s, saying what it lacks and how to make a snapshot', async (...argv) => {
    const file = write('describe-trails.json', JSON.stringify(DESCRIBE_TRAILS, null, 2));

    const { code, stdout, stderr } = await runCli([...argv, file]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `cloudtrail-rule: Snapshot ${file} holds the output of "aws cloudtrail describe-trails" (a trailList), which lists the trails but not whether each is logging or what its event selectors record, nor the account and Region. ${HOW}\n`,
    );
    expect(stderr).not.toContain('management-events');
  });

  it('is recognised with no trails too', async () => {
    const file = write('describe-no-trails.json', '{"trailList": []}');

    const { stderr } = await runCli(['evaluate', '--snapshot', file]);

    expect(stderr).toContain('holds the output of "aws cloudtrail describe-trails"');
  });

  it('is not confused with a snapshot that has more fields', async () => {
    const file = write(
      'other.json',
      JSON.stringify({ ...DESCRIBE_TRAILS, accountId: '111122223333', region: 'us-east-1' }),
    );

    const { stderr } = await runCli(['evaluate', '--snapshot', file]);

    expect(stderr).toContain('is not an account trail state');
  });
});
