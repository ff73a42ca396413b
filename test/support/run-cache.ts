import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What is costly to build and the same for every test file that asks for
 * it, built once per jest run: the first file to ask builds it and writes
 * it as JSON to the run's cache directory (`CLOUDTRAIL1_TEST_CACHE`, made by
 * test/global-setup.ts and removed by test/global-teardown.ts), and every
 * later file, in any worker, reads it. One entry per distinct input: the key
 * is the whole input. A build that throws writes nothing, so every caller
 * sees the error. Without the variable (a file run outside jest's global
 * setup) the entry is kept for the test file only.
 */

export const RUN_CACHE_VARIABLE = 'CLOUDTRAIL1_TEST_CACHE';

const local = new Map<string, string>();

/**
 * The entry's file name: a digest of the key; `undefined` for a key that
 * JSON would write alike for different inputs (a property set to
 * `undefined` and one left out, a function), which is never shared.
 */
function entryName(key: unknown): string | undefined {
  let plain = true;
  const text = JSON.stringify(key, (_name, value: unknown) => {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
      plain = false;
    }
    return value;
  });
  return plain ? `${createHash('sha256').update(text).digest('hex')}.json` : undefined;
}

/** `build()`'s result for this key, built at most once per run; a fresh copy each call. */
export function runCached<T>(key: unknown, build: () => T): T {
  const name = entryName(key);
  if (name === undefined) return build();
  const dir = process.env[RUN_CACHE_VARIABLE];
  let text = local.get(name);
  if (text === undefined && dir !== undefined && existsSync(join(dir, name))) {
    text = readFileSync(join(dir, name), 'utf8');
  }
  if (text === undefined) {
    text = JSON.stringify(build());
    if (dir !== undefined) {
      // Written aside and renamed, so a reader in another worker never sees half an entry.
      mkdirSync(dir, { recursive: true });
      const partial = join(dir, `${name}.${process.pid}.partial`);
      writeFileSync(partial, text);
      renameSync(partial, join(dir, name));
    }
  }
  local.set(name, text);
  return JSON.parse(text) as T;
}
