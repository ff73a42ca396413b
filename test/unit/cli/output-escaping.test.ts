import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { escapeControlCharacters, escapeOutput } from '../../../cli/control-characters';
import { escapingIo, type Io } from '../../../cli/io';
import { formatJson } from '../../../cli/report';
import { formatTable, oneLine } from '../../../cli/table';
import type { AccountTrailState } from '../../../rule/state';
import { accountState, readTrail, trail } from '../../support/fixtures';
import { runCli } from '../../support/run-cli';

/*
 * Whatever the command writes can hold values from an account or a file:
 * trail names and ARNs, account names, AWS's error messages. A terminal acts
 * on the control characters among them (ESC sequences move the cursor,
 * colour text, make OSC 8 links; CR returns to the start of the line), so
 * every one of them is written as the visible `\xHH`, and JSON as `\u00HH`.
 *
 * ECMA-48 (C0 and C1 control functions): https://ecma-international.org/publications-and-standards/standards/ecma-48/
 * OSC 8 hyperlinks: https://gist.github.com/egmontkob/eb114294efbcd5adb1944c9f3cb5feda
 */

/** A control character other than a line feed: what no output may hold. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
/** Any C0, DEL or C1 character. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** An OSC 8 link to a page of the attacker's, a CR that returns to the line's start, a forged verdict, and an 8-bit CSI that clears the screen. */
const CRAFTED = '\u001b]8;;http://evil\u0007click\u001b]8;;\u0007\rCloudTrail.1: COMPLIANT\u009b2J';
/** The same, as the output shows it. */
const SHOWN = '\\x1b]8;;http://evil\\x07click\\x1b]8;;\\x07\\x0dCloudTrail.1: COMPLIANT\\x9b2J';

describe('escaping control characters', () => {
  it.each([
    ['NUL', '\u0000', '\\x00'],
    ['BEL', '\u0007', '\\x07'],
    ['tab', '\t', '\\x09'],
    ['LF', '\n', '\\x0a'],
    ['CR', '\r', '\\x0d'],
    ['ESC', '\u001b', '\\x1b'],
    ['DEL', '\u007f', '\\x7f'],
    ['the first C1, PAD', '\u0080', '\\x80'],
    ['CSI', '\u009b', '\\x9b'],
    ['the last C1, APC', '\u009f', '\\x9f'],
  ])('writes %s as the visible \\xHH', (_, character, shown) => {
    expect(escapeControlCharacters(`a${character}b`)).toBe(`a${shown}b`);
  });

  it('leaves every other character as it is, non-ASCII letters and symbols included', () => {
    const text = 'Prod-EU (+1) @team; Zürich ✓ \u00a0 \\x1b 日本';

    expect(escapeControlCharacters(text)).toBe(text);
  });

  it('leaves no control character in any text, and changes none that has none', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const escaped = escapeControlCharacters(text);
        expect(escaped).not.toMatch(ANY_CONTROL);
        if (!ANY_CONTROL.test(text)) expect(escaped).toBe(text);
      }),
    );
  });

  it('keeps the line ends of what is written, LF and CRLF, and escapes a CR on its own', () => {
    expect(escapeOutput(`a\u001b[2Jb\r\nc\rd\n`)).toBe('a\\x1b[2Jb\r\nc\\x0dd\n');
  });

  it('puts a value on one line, its line breaks a space, its other controls escaped', () => {
    expect(oneLine(`Access denied.\n  Check the role.\r${'\u001b'}[1A`)).toBe(
      'Access denied. Check the role.\\x0d\\x1b[1A',
    );
  });

  it('aligns a table by the width of the escaped text', () => {
    const table = formatTable(
      ['NAME', 'RESULT'],
      [
        ['a\u001bb', 'x'],
        ['long-name', 'y'],
      ],
    );

    expect(table.split('\n')).toEqual(['NAME       RESULT', 'a\\x1bb     x', 'long-name  y']);
  });

  it('writes DEL and C1 in JSON as \\u00HH, which JSON.stringify leaves raw, and parses back to the value', () => {
    const value = { name: `a${CRAFTED}\u007f` };

    const json = formatJson(value);

    expect(json).not.toMatch(RAW_CONTROL);
    expect(json).toContain('\\u009b2J\\u007f');
    expect(JSON.parse(json)).toEqual(value);
  });

  it.each(['out', 'err', 'ask', 'status'] as const)(
    'escapes what the command hands to %s',
    async (channel) => {
      const written: string[] = [];
      const io: Io = {
        out: (text) => written.push(text),
        err: (text) => written.push(text),
        ask: (question) => {
          written.push(question);
          return Promise.resolve('');
        },
        status: (line) => written.push(line),
      };

      await escapingIo(io)[channel]?.(`trail ${CRAFTED}\n`);

      expect(written).toEqual([`trail ${SHOWN}\n`]);
    },
  );
});

describe('cloudtrail-rule output from a crafted snapshot', () => {
  /**
   * A snapshot whose trail names pass CloudTrail's rules, with the crafted
   * text where the snapshot's reader checks no rule: the Region, the read
   * time, a bucket's name, and the error message a read returned.
   */
  function craftedSnapshot(state: AccountTrailState): string {
    const file = join(mkdtempSync(join(tmpdir(), 'cloudtrail-rule-escape-')), 'crafted.json');
    writeFileSync(
      file,
      JSON.stringify({ ...state, region: `us-east-1${CRAFTED}`, readAt: `2026${CRAFTED}` }),
    );
    return file;
  }
  const unreadable = () => {
    const read = readTrail(trail());
    return craftedSnapshot(
      accountState([
        {
          ...read,
          status: { error: { name: 'AccessDeniedException', message: `Denied ${CRAFTED}` } },
        },
      ]),
    );
  };
  const stopped = () =>
    craftedSnapshot(
      accountState([
        readTrail(trail({ IsMultiRegionTrail: false, S3BucketName: `logs${CRAFTED}` }), {
          logging: false,
        }),
      ]),
    );

  it('shows the verdict on the first line and the crafted text escaped in evaluate’s table', async () => {
    const { code, stdout } = await runCli(['evaluate', '--snapshot', unreadable()]);

    expect(code).toBe(2);
    expect(stdout).not.toMatch(RAW_CONTROL);
    expect(stdout.split('\n')[0]).toBe('CloudTrail.1: UNDECIDED');
    expect(stdout).toContain(`trails listed from us-east-1${SHOWN}; snapshot`);
    const row = stdout.split('\n').find((line) => line.startsWith('management-events '));
    expect(row).toMatch(/unknown: GetTrailStatus failed: AccessDeniedException \(Denied /);
    expect(row).toContain(`Denied ${SHOWN})`);
  });

  it('prints JSON holding no control character, which parses to the values read', async () => {
    const { stdout } = await runCli(['evaluate', '--snapshot', unreadable(), '--json']);

    expect(stdout).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(stdout)).toMatchObject({ region: `us-east-1${CRAFTED}` });
  });

  it('prints CSV holding no control character but the CRLF that ends each record', async () => {
    const { stdout } = await runCli(['evaluate', '--snapshot', unreadable(), '--csv']);

    expect(stdout.replaceAll('\r\n', '\n')).not.toMatch(RAW_CONTROL);
    expect(stdout.split('\r\n')[1]).toContain(`Denied ${SHOWN}`);
  });

  it('prints the remediation plan with the crafted text escaped', async () => {
    const { code, stdout } = await runCli(['remediate', '--dry-run', '--snapshot', stopped()]);

    expect(code).toBe(1);
    expect(stdout).not.toMatch(RAW_CONTROL);
    expect(stdout).toContain(`trails listed from us-east-1${SHOWN}; snapshot`);
    // A line no renderer escapes itself: what main writes through is what escapes it.
    expect(stdout).toContain(`the buckets its trails deliver to (logs${SHOWN})`);
  });

  it('writes an error whose message holds the crafted text as one escaped line on stderr', async () => {
    const { code, stdout, stderr } = await runCli([
      'remediate',
      '--dry-run',
      '--snapshot',
      unreadable(),
    ]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^cloudtrail-rule: [^\n]+\n$/);
    expect(stderr).not.toMatch(RAW_CONTROL);
    expect(stderr).toContain(`Denied ${SHOWN}`);
  });
});
