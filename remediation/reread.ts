import { GetEventSelectorsCommand } from '@aws-sdk/client-cloudtrail';
import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import type { Action, BucketEncryption, TagMap } from './actions';
import type { ExecutorClients } from './executor';
import { encryptionOf, loggingOf } from './facts';
import { type PolicyDocument, type PolicyStatement, parsePolicy, sameContent } from './policies';

/**
 * A plan rewrites some things whole from what it read: a bucket or key
 * policy (merged, every statement kept), a trail's event selectors, a
 * bucket's tag set and lifecycle rules; and it sets a bucket's default
 * encryption and server access logging where the read found none it keeps.
 * A change made to one of them after the read, a hardening statement added
 * by a person, say, would be reverted by the write. So each such step carries what it was planned from
 * (`basedOn`), and just before the write the executor reads it again with
 * this module: when it differs, the step is not made and the error names
 * the change. A rerun plans from the new value.
 */

/**
 * What changed since the plan read it, in words, or `undefined` when it is
 * as read (or the step was not planned from a read).
 *
 * @example
 * await changeSincePlan(putBucketPolicyStep, clients)
 * // => 'the policy of bucket "logs" changed since the plan was made: statement "DenyDeleteObject" was added'
 */
export async function changeSincePlan(
  action: Action,
  clients: ExecutorClients,
): Promise<string | undefined> {
  switch (action.operation) {
    case 'PutBucketPolicy': {
      if (action.basedOn === undefined) return undefined;
      const bucket = {
        Bucket: action.input.Bucket,
        ExpectedBucketOwner: action.input.ExpectedBucketOwner,
      };
      const text = await absentOn(
        'NoSuchBucketPolicy',
        async () =>
          (await clients.s3(action.region).send(new GetBucketPolicyCommand(bucket))).Policy,
      );
      const now =
        text === undefined ? null : parsePolicy(text, `policy of bucket "${action.input.Bucket}"`);
      return policyChange(`the policy of bucket "${action.input.Bucket}"`, action.basedOn, now);
    }
    case 'PutKeyPolicy': {
      if (action.basedOn === undefined) return undefined;
      const read = await clients
        .kms(action.region)
        .send(new GetKeyPolicyCommand({ KeyId: action.input.KeyId, PolicyName: 'default' }));
      const now = parsePolicy(
        read.Policy ?? '{"Statement":[]}',
        `policy of KMS key ${action.input.KeyId}`,
      );
      return policyChange(`the policy of KMS key ${action.input.KeyId}`, action.basedOn, now);
    }
    case 'PutEventSelectors': {
      if (action.basedOn === undefined) return undefined;
      const { $metadata: _, ...now } = await clients
        .cloudTrail(action.region)
        .send(new GetEventSelectorsCommand({ TrailName: action.input.TrailName }));
      return selectorsChange(
        `the event selectors of trail ${action.input.TrailName}`,
        action.basedOn,
        now,
      );
    }
    case 'PutBucketTagging': {
      if (action.basedOn === undefined) return undefined;
      const bucket = {
        Bucket: action.input.Bucket,
        ExpectedBucketOwner: action.input.ExpectedBucketOwner,
      };
      const set = await absentOn(
        'NoSuchTagSet',
        async () =>
          (await clients.s3(action.region).send(new GetBucketTaggingCommand(bucket))).TagSet,
      );
      const now = Object.fromEntries((set ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
      return tagsChange(`the tags of bucket "${action.input.Bucket}"`, action.basedOn, now);
    }
    case 'PutBucketLifecycleConfiguration': {
      if (action.basedOn === undefined) return undefined;
      const bucket = {
        Bucket: action.input.Bucket,
        ExpectedBucketOwner: action.input.ExpectedBucketOwner,
      };
      const read = await absentOn(
        'NoSuchLifecycleConfiguration',
        async () =>
          (await clients.s3(action.region).send(new GetBucketLifecycleConfigurationCommand(bucket)))
            .Rules,
      );
      return lifecycleChange(
        `the lifecycle rules of bucket "${action.input.Bucket}"`,
        action.basedOn,
        read ?? [],
      );
    }
    case 'PutBucketEncryption': {
      if (action.basedOn === undefined) return undefined;
      const bucket = {
        Bucket: action.input.Bucket,
        ExpectedBucketOwner: action.input.ExpectedBucketOwner,
      };
      const read = await absentOn(
        'ServerSideEncryptionConfigurationNotFoundError',
        async () =>
          (await clients.s3(action.region).send(new GetBucketEncryptionCommand(bucket)))
            .ServerSideEncryptionConfiguration,
      );
      const now = encryptionOf(read) ?? null;
      return sameContent(action.basedOn, now)
        ? undefined
        : `the default encryption of bucket "${action.input.Bucket}" changed since the plan was made (${encryptionWords(action.basedOn)} then, ${encryptionWords(now)} now)`;
    }
    case 'PutBucketLogging': {
      if (action.basedOn === undefined) return undefined;
      const bucket = {
        Bucket: action.input.Bucket,
        ExpectedBucketOwner: action.input.ExpectedBucketOwner,
      };
      const read = await clients.s3(action.region).send(new GetBucketLoggingCommand(bucket));
      const now = loggingOf(read.LoggingEnabled) ?? null;
      return sameContent(action.basedOn, now)
        ? undefined
        : `the server access logging of bucket "${action.input.Bucket}" changed since the plan was made (${now === null ? 'now off' : `now to "${now.targetBucket}"`})`;
    }
    default:
      return undefined;
  }
}

/** How a policy changed: the statements added, changed and removed, by `Sid` or position. */
export function policyChange(
  what: string,
  before: PolicyDocument | null,
  now: PolicyDocument | null,
): string | undefined {
  if (before === null && now === null) return undefined;
  if (before === null) return `${what} was set since the plan was made`;
  if (now === null) return `${what} was deleted since the plan was made`;
  const added = unmatched(now.Statement, before.Statement);
  const removed = unmatched(before.Statement, now.Statement);
  if (added.length === 0 && removed.length === 0) {
    const { Statement: _a, ...restBefore } = before;
    const { Statement: _b, ...restNow } = now;
    return sameContent(restBefore, restNow)
      ? undefined
      : `${what} changed since the plan was made: its Version or Id`;
  }
  // A statement whose Sid is in both lists kept its name and changed its content.
  const parts = [
    ...added.map((s) => (removed.includes(s) ? `${s} was changed` : `${s} was added`)),
    ...removed.filter((s) => !added.includes(s)).map((s) => `${s} was removed`),
  ];
  return `${what} changed since the plan was made: ${parts.join('; ')}`;
}

/** The statements of `from` that `in_` has no statement equal to, each named. */
function unmatched(from: readonly PolicyStatement[], in_: readonly PolicyStatement[]): string[] {
  return from.flatMap((statement, index) =>
    in_.some((other) => sameContent(other, statement))
      ? []
      : [
          typeof statement.Sid === 'string' && statement.Sid !== ''
            ? `statement "${statement.Sid}"`
            : `Statement[${index}]`,
        ],
  );
}

/** The two kinds of selectors, as `GetEventSelectors` answers and the reader keeps them. */
type SelectorLists = {
  EventSelectors?: readonly unknown[] | undefined;
  AdvancedEventSelectors?: readonly unknown[] | undefined;
};

function selectorsChange(
  what: string,
  before: SelectorLists,
  now: SelectorLists,
): string | undefined {
  const basic = (s: SelectorLists) => s.EventSelectors ?? [];
  const advanced = (s: SelectorLists) => s.AdvancedEventSelectors ?? [];
  if (sameContent(basic(before), basic(now)) && sameContent(advanced(before), advanced(now))) {
    return undefined;
  }
  const count = (s: SelectorLists) =>
    advanced(s).length > 0 ? `${advanced(s).length} advanced` : `${basic(s).length} basic`;
  return `${what} changed since the plan was made (${count(before)} selectors then, ${count(now)} now)`;
}

function tagsChange(what: string, before: TagMap, now: TagMap): string | undefined {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(now)])].sort();
  const parts = keys.flatMap((k) => {
    if (!(k in before)) return [`tag "${k}" was added`];
    if (!(k in now)) return [`tag "${k}" was removed`];
    return before[k] === now[k] ? [] : [`tag "${k}" was changed`];
  });
  return parts.length === 0
    ? undefined
    : `${what} changed since the plan was made: ${parts.join('; ')}`;
}

function lifecycleChange(
  what: string,
  before: readonly LifecycleRule[],
  now: readonly LifecycleRule[],
): string | undefined {
  const name = (r: LifecycleRule, i: number) =>
    r.ID === undefined ? `rule ${i + 1}` : `rule "${r.ID}"`;
  const added = now.flatMap((r, i) =>
    before.some((b) => sameContent(b, r)) ? [] : [`${name(r, i)} was added`],
  );
  const removed = before.flatMap((r, i) =>
    now.some((n) => sameContent(n, r)) ? [] : [`${name(r, i)} was removed or changed`],
  );
  const parts = [...added, ...removed];
  return parts.length === 0
    ? undefined
    : `${what} changed since the plan was made: ${parts.join('; ')}`;
}

function encryptionWords(encryption: BucketEncryption | null): string {
  if (encryption === null) return 'none';
  return encryption.kmsKeyId === undefined
    ? encryption.algorithm
    : `${encryption.algorithm} with ${encryption.kmsKeyId}`;
}

async function absentOn<T>(name: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof Error && error.name === name) return undefined;
    throw error;
  }
}
