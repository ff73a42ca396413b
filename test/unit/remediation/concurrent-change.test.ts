import type { Action } from '../../../remediation/actions';
import { ConcurrentChangeError, RemediationStepError } from '../../../remediation/errors';
import type { RemediationInput } from '../../../remediation/input';
import type { PolicyDocument, PolicyStatement } from '../../../remediation/policies';
import { remediate } from '../../../remediation/remediate';
import { policyChange } from '../../../remediation/reread';
import { type AccountTrail, STOPPED } from '../../support/aws-account/model';
import { type MockedAccount, mockAccount } from '../../support/aws-account/serve-sdk-mock';
import { ACCOUNT, DEFAULT_KEY_POLICY, ROOT_KEY_STATEMENT, trail } from '../../support/fixtures';
import { KEY_ID, SUFFIX } from './facts-fixtures';

/*
 * A plan rewrites some things whole from what it read: a bucket or key
 * policy, a trail's event selectors. A change made between the plan and the
 * write (a hardening statement a person added, a data event selector) must
 * not be reverted: the step reads it again just before writing, and stops
 * with an error that names the change; the change stays; a rerun plans from
 * it and succeeds (docs/remediation.md, "Changes made while it runs").
 *
 * PutBucketPolicy, PutKeyPolicy and PutEventSelectors each replace the whole
 * policy or selector set with the one sent, so a write planned from an older
 * read would drop what was added since:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html
 */

let account: MockedAccount | undefined;
afterEach(() => account?.restore());

function mocked(): MockedAccount {
  if (account === undefined) throw new Error('no account');
  return account;
}

/** Runs the remediation; `during` is told each step before it is made, as a person's change would land. */
function run(input: Partial<RemediationInput>, during?: (action: Action) => void) {
  const deps = mocked().dependencies();
  return remediate(
    { dryRun: false, ...input },
    {
      ...deps,
      bucketSuffix: SUFFIX,
      execute: { ...deps.execute, onStep: (_step, _total, action) => during?.(action) },
    },
  );
}

/** Makes `change` once, just before the first step that calls `operation` (on `bucket`, when given). */
function onceBefore(
  operation: Action['operation'],
  change: () => void,
  bucket?: string,
): (action: Action) => void {
  let done = false;
  return (action) => {
    if (done || action.operation !== operation) return;
    if (bucket !== undefined && (action.input as { Bucket?: string }).Bucket !== bucket) return;
    done = true;
    change();
  };
}

const DENY_DELETE: PolicyStatement = {
  Sid: 'DenyLogDeletion',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:DeleteObject',
  Resource: 'arn:aws:s3:::shared-logs/*',
};

function policyOf(text: string | undefined): PolicyDocument {
  return JSON.parse(text ?? '{"Statement":[]}') as PolicyDocument;
}

describe('a policy changed between the plan and its write', () => {
  describe('the log bucket policy', () => {
    const AUDITOR: PolicyStatement = {
      Sid: 'AuditorRead',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/auditor` },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::shared-logs/*',
    };

    function arrange(): void {
      account = mockAccount({
        accountId: ACCOUNT,
        trails: [],
        buckets: [
          {
            name: 'shared-logs',
            owner: ACCOUNT,
            region: 'us-east-1',
            policy: JSON.stringify({ Version: '2012-10-17', Statement: [AUDITOR] }),
          },
        ],
      });
    }
    const bucket = () => mocked().state.buckets.find((b) => b.name === 'shared-logs');
    const addDenyDelete = () => {
      const found = bucket();
      if (found === undefined) throw new Error('no bucket');
      found.policy = JSON.stringify({ Version: '2012-10-17', Statement: [AUDITOR, DENY_DELETE] });
    };

    it('stops before the write with an error that names the step and the statement added', async () => {
      arrange();

      const error = await run(
        { bucketName: 'shared-logs' },
        onceBefore('PutBucketPolicy', addDenyDelete, 'shared-logs'),
      ).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ConcurrentChangeError);
      // The command line and the document treat it as a failed step: what was applied is said.
      expect(error).toBeInstanceOf(RemediationStepError);
      expect((error as Error).message).toMatch(
        /^Step \d+ of \d+, s3:PutBucketPolicy \(us-east-1\), was not made: the policy of bucket "shared-logs" changed since the plan was made: statement "DenyLogDeletion" was added\. Writing the planned value would revert that change, so it was left as it is\. Steps 1-\d+ were applied; run the remediation again to plan from the account's new state\.$/,
      );
    });

    it('reverts nothing: the statement added stays, and no policy is written', async () => {
      arrange();

      await run(
        { bucketName: 'shared-logs' },
        onceBefore('PutBucketPolicy', addDenyDelete, 'shared-logs'),
      ).catch(() => undefined);

      expect(policyOf(bucket()?.policy).Statement).toEqual([AUDITOR, DENY_DELETE]);
      const writes = mocked().writes();
      expect(
        writes.filter((w) => w.operation === 'PutBucketPolicy' && w.input.Bucket === 'shared-logs'),
      ).toEqual([]);
      expect(writes.map((w) => w.operation)).not.toContain('CreateTrail');
    });

    it('is repaired by a rerun, which keeps the statement added and adds the trail’s own', async () => {
      arrange();
      await run(
        { bucketName: 'shared-logs' },
        onceBefore('PutBucketPolicy', addDenyDelete, 'shared-logs'),
      ).catch(() => undefined);

      const again = await run({ bucketName: 'shared-logs' });

      expect(again.compliantAfter).toBe(true);
      const sids = policyOf(bucket()?.policy).Statement.map((s) => s.Sid);
      expect(sids.slice(0, 2)).toEqual(['AuditorRead', 'DenyLogDeletion']);
      expect(sids).toEqual(expect.arrayContaining(['AWSCloudTrailAclCheck', 'AWSCloudTrailWrite']));
    });
  });

  describe('the KMS key policy', () => {
    const ADMIN: PolicyStatement = {
      Sid: 'KeyAdministrators',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/key-admin` },
      Action: ['kms:Describe*', 'kms:Put*'],
      Resource: '*',
    };

    it('stops before the write naming the statement added, keeps it, and a rerun succeeds', async () => {
      account = mockAccount({
        accountId: ACCOUNT,
        trails: [],
        keys: [
          {
            keyId: KEY_ID,
            region: 'us-east-1',
            owner: ACCOUNT,
            aliases: ['alias/cloudtrail'],
            policy: DEFAULT_KEY_POLICY,
          },
        ],
      });
      const key = () => mocked().state.keys[0];
      const addAdmin = () => {
        const found = key();
        if (found === undefined) throw new Error('no key');
        found.policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [ROOT_KEY_STATEMENT, ADMIN],
        });
      };

      const error = await run(
        { kmsKeyId: 'alias/cloudtrail' },
        onceBefore('PutKeyPolicy', addAdmin),
      ).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ConcurrentChangeError);
      expect((error as Error).message).toContain(
        `kms:PutKeyPolicy (us-east-1), was not made: the policy of KMS key arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID} changed since the plan was made: statement "KeyAdministrators" was added.`,
      );
      expect(policyOf(key()?.policy).Statement).toEqual([ROOT_KEY_STATEMENT, ADMIN]);
      expect(
        mocked()
          .writes()
          .map((w) => w.operation),
      ).not.toContain('PutKeyPolicy');

      const again = await run({ kmsKeyId: 'alias/cloudtrail' });

      expect(again.compliantAfter).toBe(true);
      expect(policyOf(key()?.policy).Statement.slice(0, 2)).toEqual([ROOT_KEY_STATEMENT, ADMIN]);
      expect(policyOf(key()?.policy).Statement.map((s) => s.Sid)).toContain(
        'AllowCloudTrailToEncryptLogs',
      );
    });
  });

  describe("a repaired trail's event selectors", () => {
    const PAYROLL = {
      ReadWriteType: 'WriteOnly' as const,
      IncludeManagementEvents: false,
      DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::payroll-exports/'] }],
      ExcludeManagementEventSources: [],
    };
    const READ_ONLY = {
      ReadWriteType: 'ReadOnly' as const,
      IncludeManagementEvents: true,
      DataResources: [],
      ExcludeManagementEventSources: [],
    };

    it('stops before PutEventSelectors when a data event selector was added, keeps it, and a rerun keeps it too', async () => {
      const broken: AccountTrail = {
        trail: trail({ IsMultiRegionTrail: false }),
        status: STOPPED,
        eventSelectors: { EventSelectors: [READ_ONLY] },
      };
      account = mockAccount({
        accountId: ACCOUNT,
        trails: [broken],
        buckets: [{ name: broken.trail.S3BucketName ?? '', owner: ACCOUNT, region: 'us-east-1' }],
      });
      const selectors = () => mocked().state.trails[0]?.eventSelectors;
      const addPayroll = () => {
        const found = mocked().state.trails[0];
        if (found === undefined) throw new Error('no trail');
        found.eventSelectors = { EventSelectors: [READ_ONLY, PAYROLL] };
      };

      const error = await run({}, onceBefore('PutEventSelectors', addPayroll)).catch(
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(ConcurrentChangeError);
      expect((error as Error).message).toContain(
        `cloudtrail:PutEventSelectors (us-east-1), was not made: the event selectors of trail ${broken.trail.TrailARN} changed since the plan was made (1 basic selectors then, 2 basic now).`,
      );
      expect(selectors()).toEqual({ EventSelectors: [READ_ONLY, PAYROLL] });

      const again = await run({});

      expect(again.compliantAfter).toBe(true);
      expect(selectors()?.EventSelectors).toEqual(expect.arrayContaining([PAYROLL]));
    });
  });
});

describe('a setting the plan found unset, set before its write', () => {
  it('keeps default encryption set with a KMS key after the plan read none, and a rerun succeeds', async () => {
    account = mockAccount({
      accountId: ACCOUNT,
      trails: [],
      // A bucket from before 2023, with no default encryption.
      buckets: [{ name: 'shared-logs', owner: ACCOUNT, region: 'us-east-1' }],
    });
    const bucket = () => mocked().state.buckets.find((b) => b.name === 'shared-logs');
    const teamKey = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
    const encryptWithTeamKey = () => {
      const found = bucket();
      if (found === undefined) throw new Error('no bucket');
      found.encryption = {
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: teamKey,
        BucketKeyEnabled: true,
      };
    };

    const error = await run(
      { bucketName: 'shared-logs' },
      onceBefore('PutBucketEncryption', encryptWithTeamKey, 'shared-logs'),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConcurrentChangeError);
    expect((error as Error).message).toContain(
      `s3:PutBucketEncryption (us-east-1), was not made: the default encryption of bucket "shared-logs" changed since the plan was made (none then, aws:kms with ${teamKey} now).`,
    );
    expect(bucket()?.encryption).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: teamKey,
      BucketKeyEnabled: true,
    });

    const again = await run({ bucketName: 'shared-logs' });

    expect(again.compliantAfter).toBe(true);
    expect(bucket()?.encryption?.KMSMasterKeyID).toBe(teamKey);
  });
});

describe('naming a policy change', () => {
  const A: PolicyStatement = {
    Sid: 'A',
    Effect: 'Allow',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: '*',
  };
  const B: PolicyStatement = { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' };
  const doc = (...statements: PolicyStatement[]): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: statements,
  });

  it('is silent when only the order or a one-item list differs', () => {
    expect(
      policyChange('the policy', doc(A, B), doc({ ...B, Action: ['s3:*'] }, A)),
    ).toBeUndefined();
  });

  it('names statements added, removed or changed, by Sid or position, and a policy set or deleted', () => {
    expect(policyChange('the policy', doc(A), doc(A, B))).toBe(
      'the policy changed since the plan was made: Statement[1] was added',
    );
    expect(policyChange('the policy', doc(A, B), doc({ ...A, Action: 's3:*' }, B))).toBe(
      'the policy changed since the plan was made: statement "A" was changed',
    );
    expect(policyChange('the policy', null, doc(A))).toBe(
      'the policy was set since the plan was made',
    );
    expect(policyChange('the policy', doc(A), null)).toBe(
      'the policy was deleted since the plan was made',
    );
  });
});
