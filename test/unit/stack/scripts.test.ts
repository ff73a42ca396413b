import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { main as conformancePack } from '../../../scripts/conformance-pack';
import { wantsHelp } from '../../../scripts/context-args';
import { outputPath } from '../../../scripts/output-file';
import { main as renderDocument } from '../../../scripts/render-document';
import {
  EXAMPLE_POLICY,
  examplePolicyText,
  main as serviceControlPolicy,
} from '../../../scripts/service-control-policy';
import { main as synthMember } from '../../../scripts/synth-member';

/*
 * The scripts a person runs to write a template, a policy or a document
 * behave like the command line: --help, no file replaced without --force,
 * never through a symbolic link, no directory created, and paths shown as
 * they were given. None writes a file the repository keeps unless asked to
 * (npm run scp:example).
 */

const ROOT = resolve(__dirname, '../../..');
const workDir = mkdtempSync(join(tmpdir(), 'cloudtrail1-scripts-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let files = 0;
const freshFile = (name: string) => join(workDir, `${++files}-${name}`);

type Main = (args: string[]) => number;

/** Runs a script's main with its output captured. */
function run(main: Main, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((m: string) => out.push(m));
  const error = jest.spyOn(console, 'error').mockImplementation((m: string) => err.push(m));
  try {
    return { status: main(args), stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const PACK_TARGET = ['--account', '111122223333', '--region', 'eu-west-1'];

/**
 * Each script, its name in the usage, and the arguments it needs besides
 * --out. (synth:member's write with --force, the slowest, is in
 * member-template.test.ts.)
 */
const SCRIPTS: Array<[string, Main, string[], string]> = [
  ['conformance-pack', conformancePack, PACK_TARGET, 'npm run conformance-pack --'],
  ['synth:member', synthMember, [], 'npm run synth:member --'],
  ['scp', serviceControlPolicy, [], 'npm run scp --'],
  ['document', renderDocument, [], 'npm run document --'],
];

describe.each(SCRIPTS)('npm run %s', (_, main, needed, usage) => {
  it('prints its usage on --help, to stdout, and exits 0 without writing', () => {
    for (const help of ['--help', '-h']) {
      const { status, stdout, stderr } = run(main, [help]);
      expect(status).toBe(0);
      expect(stdout).toContain(`Usage: ${usage}`);
      expect(stdout).toContain('--force');
      expect(stderr).toBe('');
    }
  });

  it('refuses to replace an existing file without --force, and leaves it as it was', () => {
    const out = freshFile('existing');
    writeFileSync(out, 'kept\n');
    const { status, stderr, stdout } = run(main, [...needed, '--out', out]);
    expect(status).toBe(2);
    expect(stderr).toBe(
      `${out} already exists, and is not overwritten unless told to: add --force to replace it, or give a new name with --out.`,
    );
    expect(stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe('kept\n');
  }, 60_000);

  it('never writes through a symbolic link, even with --force', () => {
    const target = freshFile('target');
    writeFileSync(target, 'target\n');
    const link = freshFile('link');
    symlinkSync(target, link);
    const { status, stderr } = run(main, [...needed, '--out', link, '--force']);
    expect(status).toBe(2);
    expect(stderr).toContain(`${link} is a symbolic link`);
    expect(readFileSync(target, 'utf8')).toBe('target\n');
  }, 60_000);

  it('creates no directory: a missing one is named, and nothing is written', () => {
    const missing = join(workDir, `missing-${++files}`);
    const out = join(missing, 'deeper', 'file.out');
    const { status, stderr } = run(main, [...needed, '--out', out]);
    expect(status).toBe(2);
    expect(stderr).toBe(
      `Cannot write ${out}: its directory ${join(missing, 'deeper')} does not exist (no directory is created). Create it first, or give a path in a directory that exists.`,
    );
    expect(existsSync(missing)).toBe(false);
  }, 60_000);
});

describe.each(SCRIPTS.filter(([name]) => name !== 'synth:member'))(
  'npm run %s',
  (_, main, needed) => {
    it('replaces it with --force, and says so with the path as given', () => {
      const out = freshFile('replaced');
      writeFileSync(out, 'old\n');
      const { status, stdout } = run(main, [...needed, '--out', out, '--force']);
      expect(status).toBe(0);
      expect(readFileSync(out, 'utf8')).not.toBe('old\n');
      expect(stdout).toMatch(
        new RegExp(`^Wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ :]`),
      );
    }, 60_000);
  },
);

describe('the output path', () => {
  it('is shown as given, absolute or relative, and taken from where npm was started', () => {
    const previous = process.env.INIT_CWD;
    process.env.INIT_CWD = workDir;
    try {
      expect(outputPath('/abs/x.yaml', 'dist/x.yaml')).toEqual({
        path: '/abs/x.yaml',
        shown: '/abs/x.yaml',
        isDefault: false,
      });
      expect(outputPath('sub/x.yaml', 'dist/x.yaml')).toEqual({
        path: join(workDir, 'sub', 'x.yaml'),
        shown: 'sub/x.yaml',
        isDefault: false,
      });
    } finally {
      if (previous === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = previous;
    }
  });

  it('is the project’s dist/ by default, shown relative to it', () => {
    const out = outputPath(undefined, 'dist/conformance-pack.yaml');
    expect(out.path).toBe(join(ROOT, 'dist', 'conformance-pack.yaml'));
    expect(out.shown).toBe(relative(process.cwd(), out.path));
    expect(out.isDefault).toBe(true);
  });

  it('--help is found anywhere but as the value of -c or --out', () => {
    expect(wantsHelp(['-c', 'a=b', '--help'])).toBe(true);
    expect(wantsHelp(['--out', '--help'])).toBe(false);
    expect(wantsHelp(['-c', '--help'])).toBe(false);
    expect(wantsHelp(['--account', '-h'], ['--account'])).toBe(false);
  });
});

describe('the example service control policy', () => {
  it('is never the default output of npm run scp', () => {
    const { status, stdout } = run(serviceControlPolicy, ['--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('(default dist/guard-rails.scp.json)');
  });

  it('is rewritten by npm run scp:example, which takes no options', () => {
    const { status, stderr } = run(serviceControlPolicy, ['--example', '-c', 'ruleName=x']);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^--example takes no other argument/);
    expect(readFileSync(EXAMPLE_POLICY, 'utf8')).toBe(examplePolicyText());
  });

  it('is left alone by npm run scp -- -c ruleName=x: git status stays clean', () => {
    const dist = join(ROOT, 'dist');
    const existed = existsSync(dist);
    if (!existed) mkdirSync(dist);
    const written = join(dist, 'guard-rails.scp.json');
    const before = existsSync(written) ? readFileSync(written, 'utf8') : undefined;
    try {
      const { status } = run(serviceControlPolicy, ['-c', 'ruleName=x', '--force']);
      expect(status).toBe(0);
      expect(readFileSync(written, 'utf8')).toContain('function:x-rule');
      const git = spawnSync('git', ['status', '--porcelain', '--', 'org'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(git.status).toBe(0);
      expect(git.stdout).toBe('');
    } finally {
      if (before === undefined) rmSync(written, { force: true });
      else writeFileSync(written, before);
      if (!existed) rmSync(dist, { recursive: true, force: true });
    }
  });
});
