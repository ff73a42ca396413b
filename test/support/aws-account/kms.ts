import { z } from 'zod';
import { fault, validated } from './errors';
import { policyAllows, policyStatements } from './policy';

/**
 * The KMS operations the remediation calls, as KMS behaves where the
 * remediation depends on it: keys are regional (a key of another Region is
 * not found); `DescribeKey` takes a key ID, key
 * ARN, alias name or alias ARN, `GetKeyPolicy` and `PutKeyPolicy` only a key
 * ID or key ARN; the only policy name is `default`; `PutKeyPolicy` refuses
 * a policy that would lock the account out of changing it again (the
 * policy lockout safety check) unless told to bypass it;
 * `GetKeyRotationStatus` takes a key ID or key ARN and answers whether
 * automatic rotation is on (always, for an AWS managed key) and, when it
 * is, its period and next date.
 */

export interface AccountKey {
  /** The key ID, a UUID. */
  keyId: string;
  region: string;
  /** The owning account. */
  owner: string;
  /** Alias names, `alias/...`. */
  aliases?: string[];
  /** The `default` key policy, as text. */
  policy: string;
  keyState?: 'Enabled' | 'Disabled' | 'PendingDeletion';
  keySpec?: string;
  keyManager?: 'CUSTOMER' | 'AWS';
  /** Automatic rotation of the key material; off unless set (a customer managed key starts without it). */
  rotationEnabled?: boolean;
  /** Days between automatic rotations, 90 to 2560; 365 unless set. */
  rotationPeriodInDays?: number;
}

export type KmsOperation = 'DescribeKey' | 'GetKeyPolicy' | 'PutKeyPolicy' | 'GetKeyRotationStatus';

export const KMS_OPERATIONS: Record<string, KmsOperation> = {
  'TrentService.DescribeKey': 'DescribeKey',
  'TrentService.GetKeyPolicy': 'GetKeyPolicy',
  'TrentService.PutKeyPolicy': 'PutKeyPolicy',
  'TrentService.GetKeyRotationStatus': 'GetKeyRotationStatus',
};

/** When every key of the model was created (epoch seconds): 2025-01-01. */
const CREATED = 1735689600.123;

/** The key's ARN. */
export function keyArn(key: AccountKey): string {
  return `arn:aws:kms:${key.region}:${key.owner}:key/${key.keyId}`;
}

/**
 * The key `given` names as seen from `region`: by key ID, key ARN and, where
 * `aliases` is true, alias name or alias ARN.
 */
export function findKey(
  keys: readonly AccountKey[],
  given: string,
  region: string,
  options: { aliases: boolean },
): AccountKey | undefined {
  return keys.find((key) => {
    if (given === keyArn(key)) return true;
    if (key.region !== region) return false;
    if (given === key.keyId) return true;
    if (!options.aliases) return false;
    return (key.aliases ?? []).some(
      (alias) => given === alias || given === `arn:aws:kms:${key.region}:${key.owner}:${alias}`,
    );
  });
}

const describeKeySchema = z
  .object({ KeyId: z.string().min(1), GrantTokens: z.array(z.string()).optional() })
  .strict();
const getKeyPolicySchema = z
  .object({ KeyId: z.string().min(1), PolicyName: z.string().optional() })
  .strict();
const getKeyRotationStatusSchema = z.object({ KeyId: z.string().min(1) }).strict();
const putKeyPolicySchema = z
  .object({
    KeyId: z.string().min(1),
    PolicyName: z.string().optional(),
    Policy: z.string().min(1),
    BypassPolicyLockoutSafetyCheck: z.boolean().optional(),
  })
  .strict();

/** Answers one KMS call, changing `keys` for a write; throws an {@link AwsFault} as KMS would fail. */
export function answerKms(
  operation: KmsOperation,
  call: { region: string; accountId: string; body: Record<string, unknown> },
  keys: AccountKey[],
): Record<string, unknown> {
  const { region, accountId } = call;
  switch (operation) {
    case 'DescribeKey': {
      const { KeyId } = validated(describeKeySchema, call.body);
      const key = existing(keys, KeyId, region, true);
      return { KeyMetadata: metadata(key) };
    }
    case 'GetKeyPolicy': {
      const { KeyId, PolicyName } = validated(getKeyPolicySchema, call.body);
      const key = existing(keys, KeyId, region, false);
      defaultPolicyName(PolicyName);
      return { Policy: key.policy, PolicyName: 'default' };
    }
    case 'PutKeyPolicy': {
      const input = validated(putKeyPolicySchema, call.body);
      const key = existing(keys, input.KeyId, region, false);
      defaultPolicyName(input.PolicyName);
      if (policyStatements(input.Policy) === undefined) {
        throw fault('MalformedPolicyDocumentException', 'The policy is not a valid JSON document.');
      }
      const root = `arn:aws:iam::${accountId}:root`;
      const lockedOut = !policyAllows(input.Policy, {
        principal: { AWS: root },
        action: 'kms:PutKeyPolicy',
        resource: keyArn(key),
        context: {},
      });
      if (lockedOut && input.BypassPolicyLockoutSafetyCheck !== true) {
        throw fault(
          'MalformedPolicyDocumentException',
          'The new key policy will not allow you to update the key policy in the future.',
        );
      }
      key.policy = input.Policy;
      return {};
    }
    case 'GetKeyRotationStatus': {
      const { KeyId } = validated(getKeyRotationStatusSchema, call.body);
      const key = existing(keys, KeyId, region, false);
      const arn = keyArn(key);
      if (key.keyState === 'PendingDeletion') {
        throw fault('KMSInvalidStateException', `${arn} is pending deletion.`);
      }
      if ((key.keySpec ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT') {
        throw fault(
          'UnsupportedOperationException',
          `${arn} does not support automatic key rotation: only symmetric encryption keys do.`,
        );
      }
      const managed = key.keyManager === 'AWS';
      const enabled = managed || key.rotationEnabled === true;
      const period = managed ? 365 : (key.rotationPeriodInDays ?? 365);
      return {
        KeyRotationEnabled: enabled,
        KeyId: arn,
        ...(enabled
          ? { RotationPeriodInDays: period, NextRotationDate: nextRotation(period) }
          : {}),
      };
    }
  }
}

/** The first rotation after now, counting whole periods from the key's creation (epoch seconds). */
function nextRotation(periodInDays: number): number {
  const period = periodInDays * 86400;
  const now = Date.now() / 1000;
  return Math.floor(CREATED) + Math.max(1, Math.ceil((now - CREATED) / period)) * period;
}

function existing(keys: AccountKey[], given: string, region: string, aliases: boolean): AccountKey {
  const key = findKey(keys, given, region, { aliases });
  if (key === undefined) {
    throw fault(
      'NotFoundException',
      given.startsWith('alias/') || given.includes(':alias/')
        ? `Alias ${given} is not found.`
        : `Key '${given}' does not exist`,
    );
  }
  return key;
}

function defaultPolicyName(name: string | undefined): void {
  if (name !== undefined && name !== 'default') {
    throw fault('NotFoundException', `Policy name ${name} not found`);
  }
}

function metadata(key: AccountKey): Record<string, unknown> {
  const state = key.keyState ?? 'Enabled';
  const spec = key.keySpec ?? 'SYMMETRIC_DEFAULT';
  return {
    AWSAccountId: key.owner,
    KeyId: key.keyId,
    Arn: keyArn(key),
    CreationDate: CREATED,
    Enabled: state === 'Enabled',
    Description: 'CloudTrail log files',
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: state,
    Origin: 'AWS_KMS',
    KeyManager: key.keyManager ?? 'CUSTOMER',
    CustomerMasterKeySpec: spec,
    KeySpec: spec,
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
}
