import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSnapshot } from '../../../cli/snapshot-file';
import { InvalidSnapshotError } from '../../../rule/errors';
import type { Trail } from '../../../rule/state';
import { ACCOUNT, accountState, readTrail, trail } from '../../support/fixtures';
import { runCli } from '../../support/run-cli';

/*
 * A snapshot's trail names are printed, so a name CloudTrail would never
 * accept is refused when the snapshot is read, before anything is printed.
 *
 * CreateTrail's naming rules (letters, digits, ".", "_" and "-"; start and
 * end with a letter or digit; no two separators side by side; 3–128
 * characters; not an IP address):
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html
 * A trail's ARN, arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html#awscloudtrail-resources-for-iam-policies
 */

const directory = mkdtempSync(join(tmpdir(), 'cloudtrail-rule-names-'));
let written = 0;

/** Writes a snapshot of these trails; returns its path. */
function snapshotOf(...trails: Trail[]): string {
  written += 1;
  const file = join(directory, `snapshot-${written}.json`);
  writeFileSync(file, JSON.stringify(accountState(trails.map((t) => readTrail(t)))));
  return file;
}

/** A trail whose name and ARN both say `name`. */
const named = (name: string) =>
  trail({ Name: name, TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${name}` });

const NAME_RULES =
  '3–128 letters and digits, with single ".", "_" or "-" between them, not an IP address';

describe('reading a snapshot’s trail names', () => {
  it.each([
    ['an OSC 8 link', 'audit\u001b]8;;http://evil\u0007'],
    ['a carriage return', 'audit\rCloudTrail.1: COMPLIANT'],
    ['a space', 'audit trail'],
    ['fewer than 3 characters', 'ab'],
    ['more than 128 characters', 'a'.repeat(129)],
    ['two separators side by side', 'audit--trail'],
    ['a separator at the end', 'audit-'],
    ['an IP address', '192.168.10.1'],
  ])(
    'refuses a trail named with %s, naming the trail and the rule, and prints nothing',
    async (_, name) => {
      const file = snapshotOf(named('management-events'), { ...named('audit-trail'), Name: name });

      const { code, stdout, stderr } = await runCli(['evaluate', '--snapshot', file]);

      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `cloudtrail-rule: Snapshot ${file} names a trail as CloudTrail never would: trails[1].trail.Name is not a trail name (${NAME_RULES}). A snapshot that "cloudtrail-rule snapshot" writes holds the names CloudTrail gave: correct the file, or write a new one.\n`,
      );
    },
  );

  it('never quotes the refused name', async () => {
    const file = snapshotOf(named('audit\u001b]8;;http://evil\u0007'));

    await expect(readSnapshot(file)).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('evil') }),
    );
  });

  it('refuses a TrailARN whose name CloudTrail would not accept, when the trail has no Name', async () => {
    const { Name: _, ...unnamed } = named('management-events');
    const file = snapshotOf({
      ...unnamed,
      TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/x\u001b[2J`,
    });

    await expect(readSnapshot(file)).rejects.toThrow(
      `trails[0].trail.TrailARN is not a trail's ARN (arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME, the NAME ${NAME_RULES})`,
    );
  });

  it.each([
    ['another service', `arn:aws:s3:::management-events`],
    ['no account', 'arn:aws:cloudtrail:us-east-1::trail/management-events'],
    ['text before it', `x arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management-events`],
  ])('refuses a TrailARN of %s', async (_, arn) => {
    const file = snapshotOf({ ...named('management-events'), TrailARN: arn });

    await expect(readSnapshot(file)).rejects.toThrow(
      /trails\[0\]\.trail\.TrailARN is not a trail's ARN/,
    );
  });

  it('refuses a Name that is not the name the TrailARN ends in', async () => {
    const file = snapshotOf({
      ...named('management-events'),
      TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/other-trail`,
    });

    await expect(readSnapshot(file)).rejects.toThrow(
      'trails[0].trail.TrailARN ends in another name than trails[0].trail.Name',
    );
  });

  it('names the first three problems and counts the rest', async () => {
    const file = snapshotOf(
      ...['a', 'b', 'c', 'd'].map((name) => ({ ...named(name), TrailARN: 'x' })),
    );

    await expect(readSnapshot(file)).rejects.toThrow(
      /names 4 trails as CloudTrail never would: trails\[0\]\.trail\.Name .*; trails\[0\]\.trail\.TrailARN .*; trails\[1\]\.trail\.Name .*; and 5 more\./,
    );
  });

  it.each([
    ['the shortest name', 'abc'],
    ['the longest name', 'a'.repeat(128)],
    ['single separators of each kind', 'a.b_c-d'],
    ['a name that only looks like part of an IP address', '10.0.0'],
  ])('accepts %s', async (_, name) => {
    await expect(readSnapshot(snapshotOf(named(name)))).resolves.toMatchObject({
      trails: [{ trail: { Name: name } }],
    });
  });

  it('accepts a TrailARN in another partition, and a trail with no Name', async () => {
    const { Name: _, ...unnamed } = named('management-events');
    const arn = `arn:aws-us-gov:cloudtrail:us-gov-west-1:${ACCOUNT}:trail/management-events`;

    await expect(readSnapshot(snapshotOf({ ...unnamed, TrailARN: arn }))).resolves.toMatchObject({
      trails: [{ trail: { TrailARN: arn } }],
    });
  });

  it('accepts every example snapshot', async () => {
    const examples = join(__dirname, '../../../examples');
    const files = readdirSync(examples).filter((file) => file.endsWith('.json'));

    expect(files.length).toBeGreaterThan(0);
    for (const file of files)
      await expect(readSnapshot(join(examples, file))).resolves.toBeDefined();
  });

  it('refuses the snapshot for remediate too, before any plan is printed', async () => {
    const file = snapshotOf(named('audit\rCloudTrail.1: COMPLIANT'));

    const { code, stdout, stderr } = await runCli(['remediate', '--dry-run', '--snapshot', file]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/trails\[0\]\.trail\.Name is not a trail name/);
  });

  it('raises the error a bad snapshot raises', async () => {
    await expect(readSnapshot(snapshotOf(named('ab')))).rejects.toThrow(InvalidSnapshotError);
  });
});
