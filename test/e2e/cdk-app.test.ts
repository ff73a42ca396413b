import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * The CDK app as a person runs it, with the command docs/deployment.md
 * shows: the project's pinned CDK CLI, which runs cdk.json's `app`. A bad
 * option is one line, the option's own message, then the CLI's line that
 * the app failed; never a stack trace, a source excerpt or Node.js's
 * version. Each run is a CDK CLI and a tsx process (seconds each), so there
 * are only these two.
 */

const ROOT = join(__dirname, '../..');
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** `npm exec --no -- cdk synth CloudTrailRule -c …`, writing to a directory of its own. */
function cdkSynth(...context: string[]) {
  const outdir = mkdtempSync(join(tmpdir(), 'cloudtrail1-cdk-app-'));
  outdirs.push(outdir);
  const args = context.flatMap((pair) => ['-c', pair]);
  const run = spawnSync(
    'npm',
    ['exec', '--no', '--', 'cdk', 'synth', 'CloudTrailRule', ...args, '--output', outdir],
    { cwd: ROOT, encoding: 'utf8', timeout: 170_000, env: { ...process.env, FORCE_COLOR: '0' } },
  );
  return { ...run, lines: run.stderr.split('\n').filter((line) => line.trim() !== '') };
}

/** What no clean error shows: a stack frame, a source excerpt's caret, Node.js's version. */
function expectNoTrace(text: string): void {
  expect(text).not.toMatch(/^\s*at /m);
  expect(text).not.toMatch(/^\s*\^+\s*$/m);
  expect(text).not.toMatch(/Node\.js v\d+/);
}

describe('cdk synth with a bad option', () => {
  it('prints the value’s message and the CLI’s line, no stack trace, and exits non-zero', () => {
    const run = cdkSynth('maximumExecutionFrequency=Daily');
    expect(run.status).not.toBe(0);
    expect(run.stdout.trim()).toBe('');
    expectNoTrace(run.stderr);
    expect(run.lines).toEqual([
      expect.stringMatching(
        /^Context option maximumExecutionFrequency has the value "Daily", which is not accepted: set it to One_Hour, .* or leave it unset for the default, TwentyFour_Hours\.$/,
      ),
      expect.stringMatching(/: Subprocess exited with error 1$/),
    ]);
  }, 180_000);

  it('refuses a misspelled option name, suggesting the option, in the same one line', () => {
    const run = cdkSynth('automaticRemediaton=true');
    expect(run.status).not.toBe(0);
    expectNoTrace(run.stderr);
    expect(run.lines).toEqual([
      expect.stringMatching(
        /^Context option "automaticRemediaton" is not an option: did you mean automaticRemediation\?/,
      ),
      expect.stringMatching(/: Subprocess exited with error 1$/),
    ]);
  }, 180_000);
});
