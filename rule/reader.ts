import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import type { ReadsNeeded } from './evaluate';
import { logger } from './log';
import {
  type AccountTrailState,
  eventSelectorsSchema,
  homeRegionOf,
  type ReadError,
  type ReadOutcome,
  type Trail,
  type TrailState,
  trailSchema,
  trailStatusSchema,
} from './state';

/** Gives a CloudTrail client for a Region (the reader calls each trail in its home Region). */
export type CloudTrailClientFor = (region: string) => CloudTrailClient;

/**
 * Trails inspected at once. Each inspection makes up to two calls, and
 * CloudTrail's read APIs allow about 10 calls a second per account.
 */
export const DEFAULT_CONCURRENCY = 5;

export interface ReadOptions {
  accountId: string;
  /** The Region to list trails from; shadow trails of other Regions are included. */
  region: string;
  clientFor: CloudTrailClientFor;
  /** Which reads each trail needs; by default every trail is read fully (a snapshot). */
  readsNeeded?: (trail: Trail) => ReadsNeeded;
  concurrency?: number;
}

const READ_ALL: ReadsNeeded = { status: true, eventSelectors: true };

/**
 * Reads the account's trail state (docs/design.md, "The trail-state model"):
 * one `DescribeTrails` with shadow trails, de-duplicated by ARN, then `GetTrailStatus` and
 * `GetEventSelectors` by ARN in each trail's home Region, only where the
 * verdict can still depend on them. Errors from the `Get*` calls (after the
 * SDK's retries) are recorded in the state for the verdict to judge; an
 * error from `DescribeTrails` is thrown, since then nothing is known.
 */
export async function readAccountTrailState(options: ReadOptions): Promise<AccountTrailState> {
  const { accountId, region, clientFor } = options;
  const needs = options.readsNeeded ?? (() => READ_ALL);
  const listed = await clientFor(region).send(
    new DescribeTrailsCommand({ includeShadowTrails: true }),
  );

  const byArn = new Map<string, Trail>();
  for (const entry of listed.trailList ?? []) {
    if (entry.TrailARN === undefined) {
      // Nothing can be read or judged of a trail without its ARN.
      logger.warn('Skipping a DescribeTrails entry without a TrailARN', { name: entry.Name });
      continue;
    }
    if (!byArn.has(entry.TrailARN)) byArn.set(entry.TrailARN, trailSchema.parse(jsonSafe(entry)));
  }

  const trails = await mapWithConcurrency(
    [...byArn.values()],
    options.concurrency ?? DEFAULT_CONCURRENCY,
    (trail) => inspectTrail(trail, needs(trail), clientFor(homeRegionOf(trail) ?? region)),
  );
  const state = { accountId, region, readAt: new Date().toISOString(), trails };
  logger.debug('Trail state read', { state });
  return state;
}

async function inspectTrail(
  trail: Trail,
  needed: ReadsNeeded,
  client: CloudTrailClient,
): Promise<TrailState> {
  const Name = trail.TrailARN;
  const [status, eventSelectors] = await Promise.all([
    needed.status
      ? attempt(async () => {
          const { $metadata, ...response } = await client.send(new GetTrailStatusCommand({ Name }));
          return trailStatusSchema.parse(jsonSafe(response));
        })
      : undefined,
    needed.eventSelectors
      ? attempt(async () => {
          const { $metadata, ...response } = await client.send(
            new GetEventSelectorsCommand({ TrailName: Name }),
          );
          return eventSelectorsSchema.parse(jsonSafe(response));
        })
      : undefined,
  ]);
  return {
    trail,
    ...(status ? { status } : {}),
    ...(eventSelectors ? { eventSelectors } : {}),
  };
}

async function attempt<T>(read: () => Promise<T>): Promise<ReadOutcome<T>> {
  try {
    return { response: await read() };
  } catch (error) {
    return { error: readError(error) };
  }
}

function readError(error: unknown): ReadError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Dates become ISO strings, so the state is plain JSON as a snapshot is. */
function jsonSafe(value: object): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order of `items`. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(limit, 1), items.length) }, worker));
  return results;
}
