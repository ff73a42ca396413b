import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../../cli/errors';
import { RemediationError } from '../../remediation/errors';
import { RuleError } from '../../rule/errors';
import { IntegError } from '../../scripts/integ-args';
import { StackError } from '../../stack/errors';

/*
 * Each part has one base class for the errors it raises on purpose, so that
 * a caller (the command line's `main`, the acceptance test's script) catches
 * the base instead of keeping a list of classes that a new error would be
 * missing from. Both checks below go through every file of a part: the
 * exported classes at run time, and every class declaration in the source
 * (which also sees the classes a file keeps to itself).
 */

const ROOT = join(__dirname, '../..');

type ErrorClass = abstract new (...args: never[]) => Error;

interface Part {
  base: ErrorClass;
  /** The part's TypeScript files, relative to the repository. */
  files: string[];
  /** Files whose loading does something (builds an app, runs a command): checked in the source only. */
  notLoaded: string[];
}

/** Every `.ts` file under a directory of the repository, relative to it. */
function tsFiles(directory: string): string[] {
  return readdirSync(join(ROOT, directory), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(directory, file))
    .sort();
}

const PARTS: Record<string, Part> = {
  rule: { base: RuleError, files: tsFiles('rule'), notLoaded: [] },
  remediation: { base: RemediationError, files: tsFiles('remediation'), notLoaded: [] },
  cli: { base: CliError, files: tsFiles('cli'), notLoaded: [] },
  // app.ts builds the CDK app when it is loaded.
  stack: { base: StackError, files: tsFiles('stack'), notLoaded: ['stack/app.ts'] },
  // integ.ts runs its command when it is loaded.
  integ: {
    base: IntegError,
    files: ['scripts/integ-args.ts', 'scripts/integ.ts'],
    notLoaded: ['scripts/integ.ts'],
  },
};

/** The classes a module exports that are errors: functions whose prototype is an Error. */
function exportedErrorClasses(file: string): Array<{ name: string; type: ErrorClass }> {
  const loaded: Record<string, unknown> = require(join(ROOT, file));
  return Object.entries(loaded).flatMap(([name, value]) =>
    typeof value === 'function' && value.prototype instanceof Error
      ? [{ name, type: value as ErrorClass }]
      : [],
  );
}

/** `class X extends Y` in a file's source, comments aside. */
function declaredClasses(file: string): Array<{ name: string; parent: string }> {
  const source = readFileSync(join(ROOT, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
  return [...source.matchAll(/\bclass\s+(\w+)\s+extends\s+([\w.]+)/g)].map((match) => ({
    name: match[1] ?? '',
    parent: match[2] ?? '',
  }));
}

const BUILT_IN_ERRORS = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
]);

describe('error classes', () => {
  describe.each(Object.entries(PARTS))('%s', (part, { base, files, notLoaded }) => {
    it(`exports no error class that does not extend ${base.name}`, () => {
      const found = files
        .filter((file) => !notLoaded.includes(file))
        .flatMap((file) => exportedErrorClasses(file).map((error) => ({ ...error, file })));

      // The part has errors of its own, so the search above found what it looks for.
      expect(found.filter(({ type }) => type !== base).length).toBeGreaterThan(0);
      const strays = found
        .filter(({ type }) => type !== base && !(type.prototype instanceof base))
        .map(({ name, file }) => `${name} (${file})`);
      expect(strays).toEqual([]);
    });

    it(`declares no class that extends a built-in error other than ${base.name}`, () => {
      const direct = files.flatMap((file) =>
        declaredClasses(file)
          .filter(({ parent }) => BUILT_IN_ERRORS.has(parent))
          .map(({ name }) => `${name} (${file})`),
      );

      expect(direct).toEqual([`${base.name} (${baseFile(part)})`]);
    });
  });

  it('keeps the name, message and cause a subclass is given', () => {
    const cause = new Error('AccessDenied');
    const error = new (class InvalidThingError extends RuleError {
      override readonly name = 'InvalidThingError';
    })('The thing is wrong: give another.', { cause });

    expect(error).toBeInstanceOf(RuleError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidThingError');
    expect(error.message).toBe('The thing is wrong: give another.');
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe('InvalidThingError: The thing is wrong: give another.');
  });
});

/** Where each part's base class is declared. */
function baseFile(part: string): string {
  return part === 'integ' ? 'scripts/integ-args.ts' : `${part}/errors.ts`;
}
