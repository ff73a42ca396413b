import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_CACHE_VARIABLE, runCached } from '../support/run-cache';

/*
 * The run cache shares what test files build alike (test/setup.ts puts it in
 * front of memberTemplate): it must never hand one input's result to
 * another, never keep a failure, and never let a caller change what the
 * next one gets.
 */

let dir: string;
let saved: string | undefined;
beforeEach(() => {
  saved = process.env[RUN_CACHE_VARIABLE];
  dir = mkdtempSync(join(tmpdir(), 'cloudtrail1-run-cache-test-'));
  process.env[RUN_CACHE_VARIABLE] = dir;
});
afterEach(() => {
  if (saved === undefined) delete process.env[RUN_CACHE_VARIABLE];
  else process.env[RUN_CACHE_VARIABLE] = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('the run cache', () => {
  it('builds each distinct input once and writes it to the run’s directory', () => {
    const build = jest.fn((n: number) => ({ n, at: Math.random() }));
    const key = (n: number) => ['test-entry', dir, { n }];

    const first = runCached(key(1), () => build(1));
    const again = runCached(key(1), () => build(1));
    const other = runCached(key(2), () => build(2));

    expect(build).toHaveBeenCalledTimes(2);
    expect(again).toEqual(first);
    expect(other.n).toBe(2);
    expect(readdirSync(dir).filter((name) => name.endsWith('.json'))).toHaveLength(2);
  });

  it('gives each caller its own copy', () => {
    const key = ['test-copy', dir];
    const first = runCached(key, () => ({ list: [1] }));
    first.list.push(2);

    expect(runCached(key, () => ({ list: [0] }))).toEqual({ list: [1] });
  });

  it('shares nothing for a key JSON cannot tell apart: a property set to undefined is not one left out', () => {
    const build = jest.fn(() => 'built');

    runCached(['test-undefined', dir, { option: undefined }], build);
    runCached(['test-undefined', dir, { option: undefined }], build);

    expect(build).toHaveBeenCalledTimes(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps no failure: the next caller builds again and gets its own result or error', () => {
    const key = ['test-failure', dir];

    expect(() =>
      runCached(key, () => {
        throw new Error('bad option');
      }),
    ).toThrow('bad option');
    expect(readdirSync(dir)).toEqual([]);
    expect(runCached(key, () => 'built')).toBe('built');
  });
});
