import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '../../../cli/csv';
import { accountState, readTrail, status, trail } from '../../support/fixtures';
import { runCli } from '../../support/run-cli';

/**
 * A logging trail whose bucket was deleted: GetTrailStatus still says
 * IsLogging true, and LatestDeliveryError holds the S3 error
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html).
 */
function snapshotOfBrokenDelivery(): string {
  const t = trail();
  const state = accountState([
    {
      ...readTrail(t),
      status: { response: { ...status(true), LatestDeliveryError: 'NoSuchBucket' } },
    },
  ]);
  const path = join(mkdtempSync(join(tmpdir(), 'cloudtrail-rule-delivery-')), 'state.json');
  writeFileSync(path, JSON.stringify(state));
  return path;
}

describe('cloudtrail-rule evaluate: a logging trail that does not deliver', () => {
  it('passes, and the text output names the delivery error', async () => {
    const { code, stdout } = await runCli(['evaluate', '--snapshot', snapshotOfBrokenDelivery()]);

    expect(code).toBe(0);
    expect(stdout).toContain('not delivering: last delivery failed with NoSuchBucket');
    expect(stdout).toMatch(/pass \(note: delivery failing: last delivery failed with NoSuchBucket/);
  });

  it('fails with --require-delivery, exit 1, naming the error', async () => {
    const { code, stdout } = await runCli([
      'evaluate',
      '--snapshot',
      snapshotOfBrokenDelivery(),
      '--require-delivery',
    ]);

    expect(code).toBe(1);
    expect(stdout).toMatch(/^CloudTrail\.1: NON_COMPLIANT\n/);
    expect(stdout).toContain('Parameters: requireDelivery=true.');
    expect(stdout).toContain('delivery failing: last delivery failed with NoSuchBucket');
  });

  it('gives the error in --json as the trail deliveryProblem', async () => {
    const { stdout } = await runCli([
      'evaluate',
      '--snapshot',
      snapshotOfBrokenDelivery(),
      '--json',
    ]);

    const report = JSON.parse(stdout) as { trails: { deliveryProblem: string | null }[] };
    expect(report.trails.map((t) => t.deliveryProblem)).toEqual([
      'last delivery failed with NoSuchBucket',
    ]);
  });

  it('gives the error in --csv with --require-delivery as the reason', async () => {
    const { code, stdout } = await runCli([
      'evaluate',
      '--snapshot',
      snapshotOfBrokenDelivery(),
      '--csv',
      '--require-delivery',
    ]);

    expect(code).toBe(1);
    const [header, row] = parseCsv(stdout).records.map((r) => r.fields);
    const reason = row?.[header?.indexOf('reason') ?? -1];
    expect(reason).toBe('delivery failing: last delivery failed with NoSuchBucket');
  });

  it('refuses --require-delivery together with --param requireDelivery', async () => {
    const { code, stderr } = await runCli([
      'evaluate',
      '--snapshot',
      snapshotOfBrokenDelivery(),
      '--require-delivery',
      '--param',
      'requireDelivery=false',
    ]);

    expect(code).toBe(2);
    expect(stderr).toContain(
      '--require-delivery and --param requireDelivery=... both set requireDelivery: give one of them.',
    );
  });
});
