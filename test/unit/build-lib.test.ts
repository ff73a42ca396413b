import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  buildLibUnlessCurrent,
  LIB_INPUTS,
  LIB_STAMP,
  libInputsDigest,
  writeLibStamp,
} from '../../scripts/build-lib';

/*
 * The consumer tests pack the project, and packing needs the library built
 * from the sources as they are: `npm ci` builds it, and it is rebuilt only
 * when an input changed since, or an output is missing.
 */

let root: string;

/** Writes a file under the scratch root, making its folder. */
function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cloudtrail1-build-lib-'));
  for (const file of LIB_INPUTS.files) write(file, `{"file":"${file}"}\n`);
  for (const folder of LIB_INPUTS.folders)
    write(join(folder, 'a.ts'), `export const a = '${folder}';\n`);
  write('stack/nested/b.ts', 'export const b = 1;\n');
  for (const output of ['index.js', 'functions/rule/index.js', 'types/stack/index.d.ts']) {
    write(join('lib', output), '// built\n');
  }
  write('test/unit/x.test.ts', 'test\n');
  write('docs/x.md', 'docs\n');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the digest of the library’s inputs', () => {
  it('changes with any file of a source folder, however deep, added or changed, and with the lock file', () => {
    const changes: (() => void)[] = [
      () => write('stack/nested/b.ts', 'export const b = 2;\n'),
      () => write('rule/new.ts', 'export {};\n'),
      () => write('scripts/a.ts', '// changed\n'),
      () => write('cli/a.ts', '// changed\n'),
      () => write('remediation/a.ts', '// changed\n'),
      () => write('package-lock.json', '{"changed":true}\n'),
      () => write('tsconfig.lib.json', '{"changed":true}\n'),
    ];
    const seen = new Set([libInputsDigest(root)]);
    for (const change of changes) {
      change();
      seen.add(libInputsDigest(root));
    }
    expect(seen.size).toBe(changes.length + 1);
  });

  it('stays the same when only the tests or the docs change', () => {
    const before = libInputsDigest(root);
    write('test/unit/x.test.ts', 'changed\n');
    write('docs/x.md', 'changed\n');
    expect(libInputsDigest(root)).toBe(before);
  });

  it('changes when a file is renamed, its content the same', () => {
    const before = libInputsDigest(root);
    rmSync(join(root, 'stack/nested/b.ts'));
    write('stack/nested/c.ts', 'export const b = 1;\n');
    expect(libInputsDigest(root)).not.toBe(before);
  });
});

describe('building the library unless it is current', () => {
  it('builds nothing when the last build was made from these inputs and its output is there', async () => {
    writeLibStamp(root, libInputsDigest(root));
    const build = jest.fn(async () => {});

    await expect(buildLibUnlessCurrent(root, { cli: false }, build)).resolves.toBe('current');
    expect(build).not.toHaveBeenCalled();
  });

  it.each([
    ['no build was recorded', () => rmSync(join(root, LIB_STAMP))],
    ['a source changed since', () => write('stack/a.ts', '// changed\n')],
    ['the lock file changed since', () => write('package-lock.json', '{}\n')],
    ['an output is missing', () => rmSync(join(root, 'lib', 'functions'), { recursive: true })],
    ['the declarations are missing', () => rmSync(join(root, 'lib', 'types'), { recursive: true })],
  ])('builds, with the options given, when %s', async (_, change) => {
    writeLibStamp(root, libInputsDigest(root));
    change();
    const build = jest.fn(async () => {});

    await expect(buildLibUnlessCurrent(root, { cli: false }, build)).resolves.toBe('built');
    expect(build).toHaveBeenCalledWith(root, { cli: false });
  });
});
