import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { CLI_WORDING } from '../../../cli/wording';
import { PAYLOAD_TEMPLATE } from '../../../remediation/document';
import {
  InvalidRemediationInputError,
  UnsupportedRequirementError,
} from '../../../remediation/errors';
import { planRemediation } from '../../../remediation/plan';
import { planFor } from '../../../remediation/remediate';
import { evaluateAccount } from '../../../rule/evaluate';
import { parameterValues } from '../../../rule/parameters';
import { type AccountTrailState, accountTrailStateSchema } from '../../../rule/state';
import { documentParameter, FUNCTION_WORDING, messageIn } from '../../../rule/wording';
import { runCli } from '../../support/run-cli';

/*
 * The messages the rule and the remediation share with the command line are
 * written once, and each reader gets them in its own words: the functions
 * name their role and the SSM document's parameters, the command line the
 * person's credentials and its flags.
 */

const ROOT = join(__dirname, '../../..');

function example(name: string): AccountTrailState {
  return accountTrailStateSchema.parse(
    JSON.parse(readFileSync(join(ROOT, 'examples', name), 'utf8')),
  );
}

describe('an undecided verdict', () => {
  const verdict = evaluateAccount(
    example('own-trail-selectors-access-denied.json'),
    parameterValues({}),
  );

  it("keeps the rule's role in the function's words", () => {
    expect(verdict.compliance).toBe('UNDECIDED');
    expect(verdict.compliance === 'UNDECIDED' && verdict.reason).toContain(
      "Check that the rule's role may call cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors",
    );
  });

  it("speaks of the person's credentials on the command line", async () => {
    const { code, stdout } = await runCli([
      'evaluate',
      '--snapshot',
      join(ROOT, 'examples', 'own-trail-selectors-access-denied.json'),
    ]);

    expect(code).toBe(2);
    expect(stdout).toContain(
      'Check that these credentials may call cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors',
    );
    expect(stdout).not.toContain("rule's role");
  });

  it("speaks of the person's credentials when remediate refuses to plan", async () => {
    const { code, stderr } = await runCli([
      'remediate',
      '--dry-run',
      '--snapshot',
      join(ROOT, 'examples', 'own-trail-selectors-access-denied.json'),
    ]);

    expect(code).toBe(2);
    expect(stderr).toContain('Check that these credentials may call');
    expect(stderr).toContain('Let these credentials read every trail');
    expect(stderr).not.toMatch(/rule's role|the function/);
  });
});

describe('a remediation input named in an error', () => {
  const noTrails = example('no-trails.json');
  const options = {
    region: noTrails.region,
    parameters: parameterValues({ s3BucketName: 'required-logs' }),
    bucketSuffix: '0123abcd',
    bucketName: 'other-logs',
  };

  function bucketError(): UnsupportedRequirementError {
    try {
      planRemediation(noTrails, options, {});
    } catch (error) {
      if (error instanceof UnsupportedRequirementError) return error;
      throw error;
    }
    throw new Error('planRemediation accepted a bucket the rule does not require');
  }

  it("is the SSM document's parameter in the function's words", () => {
    expect(bucketError().message).toBe(
      'BucketName "other-logs" is not the bucket the rule requires (s3BucketName "required-logs"): a trail delivering there would still fail. Nothing was changed. Leave BucketName empty, or give "required-logs".',
    );
  });

  it("is the flag in the command line's", () => {
    expect(messageIn(bucketError(), CLI_WORDING)).toBe(
      '--bucket-name "other-logs" is not the bucket the rule requires (s3BucketName "required-logs"): a trail delivering there would still fail. Nothing was changed. Leave out --bucket-name, or give "required-logs".',
    );
  });

  it('is the flag when the command line prints it', async () => {
    const { code, stderr } = await runCli([
      'remediate',
      '--dry-run',
      '--snapshot',
      join(ROOT, 'examples', 'no-trails.json'),
      '--param',
      's3BucketName=required-logs',
      '--bucket-name',
      'other-logs',
    ]);

    expect(code).toBe(2);
    expect(stderr).toContain('cloudtrail-rule: --bucket-name "other-logs" is not the bucket');
    expect(stderr).toContain('Leave out --bucket-name, or give "required-logs".');
    expect(stderr).not.toMatch(/\bBucketName\b/);
  });

  /** The error `planFor` raises on an input it refuses before reading anything but the caller. */
  async function refusedInput(
    input: Partial<Parameters<typeof planFor>[0]>,
    configured: { configuredKmsKeyId?: string; configuredTrustedLogAccountIds?: string[] },
  ): Promise<InvalidRemediationInputError> {
    const sts = mockClient(STSClient);
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '111122223333',
      Arn: 'arn:aws:sts::111122223333:assumed-role/remediation/session',
      UserId: 'AROAEXAMPLEID:session',
    });
    const unreachable = () => {
      throw new Error('not reached');
    };
    try {
      const error = await planFor(
        { accountId: undefined, dryRun: true, ...input },
        {
          sts: new STSClient({ region: 'us-east-1' }),
          clients: { cloudTrail: unreachable, s3: unreachable, kms: unreachable },
          region: 'us-east-1',
          parameters: parameterValues({}),
          ...configured,
        },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidRemediationInputError);
      return error as InvalidRemediationInputError;
    } finally {
      sts.restore();
    }
  }

  it('KmsKeyId: "leave KmsKeyId empty" for the function, "leave out --kms-key-id" for a person', async () => {
    const worded = await refusedInput(
      { kmsKeyId: 'alias/other' },
      { configuredKmsKeyId: 'alias/cloudtrail' },
    );

    expect(worded.message).toContain('KmsKeyId alias/other is not the key');
    expect(worded.message).toContain('Leave KmsKeyId empty or give that key');
    expect(messageIn(worded, CLI_WORDING)).toContain('--kms-key-id alias/other is not the key');
    expect(messageIn(worded, CLI_WORDING)).toContain('Leave out --kms-key-id or give that key');
  });

  it('TrustedLogAccountIds: the parameter for the function, --trusted-log-account for a person', async () => {
    const worded = await refusedInput(
      { trustedLogAccountIds: ['444455556666'] },
      { configuredTrustedLogAccountIds: [] },
    );

    expect(worded.message).toContain('TrustedLogAccountIds 444455556666 is not among');
    expect(worded.message).toContain('Leave TrustedLogAccountIds empty or give only those');
    const cli = messageIn(worded, CLI_WORDING);
    expect(cli).toContain('--trusted-log-account 444455556666 is not among');
    expect(cli).toContain('Leave out --trusted-log-account or give only those');
    expect(cli).not.toContain('TrustedLogAccountIds');
  });
});

describe('the plan remediate --dry-run prints', () => {
  const parameters = [...PAYLOAD_TEMPLATE.matchAll(/\{\{ (\w+) \}\}/g)].map(([, name]) => name);
  const snapshots = readdirSync(join(ROOT, 'examples')).filter((file) => file.endsWith('.json'));

  it.each(snapshots)(
    'for %s names no SSM document parameter and no role of a function',
    async (file) => {
      const { stdout, stderr } = await runCli([
        'remediate',
        '--dry-run',
        '--snapshot',
        join(ROOT, 'examples', file),
      ]);

      // Each API call's request is printed as the API takes it (CloudTrail's own TrailName field).
      const output = `${stdout}${stderr}`
        .split('\n')
        .filter((line) => !/^\s+\{".*\}$/.test(line))
        .join('\n');
      expect(parameters.length).toBeGreaterThan(10);
      for (const parameter of parameters) {
        expect({ parameter, output }).toEqual({
          parameter,
          output: expect.not.stringMatching(new RegExp(`\\b${parameter}\\b`)),
        });
      }
      expect(output).not.toMatch(/rule's role|remediation's role|the function/);
    },
  );
});

describe("the functions' names for the inputs", () => {
  it('are the SSM document parameters each input field is filled from', () => {
    const pairs = [...PAYLOAD_TEMPLATE.matchAll(/"(\w+)":"?\{\{ (\w+) \}\}/g)];
    expect(pairs.length).toBeGreaterThan(10);
    for (const [, field = '', parameter] of pairs) expect(documentParameter(field)).toBe(parameter);
    expect(FUNCTION_WORDING.input('kmsKeyId')).toBe('KmsKeyId');
    expect(CLI_WORDING.input('kmsKeyId')).toBe('--kms-key-id');
  });
});
