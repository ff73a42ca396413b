import { rmSync } from 'node:fs';
import { RUN_CACHE_VARIABLE } from './support/run-cache';

/** Removes the run's cache directory (test/support/run-cache.ts). */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env[RUN_CACHE_VARIABLE];
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
