import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { stsClient } from '../remediation/clients';
import { cloudTrailClients } from '../rule/clients';
import { readAccountTrailState } from '../rule/reader';
import type { AccountTrailState } from '../rule/state';
import type { LiveTarget } from './args';
import { type CallSettings, describeError, readFailure, unknownProfileReason } from './aws-errors';
import { AwsReadError } from './errors';

/**
 * Reads the trail state of the account the credentials belong to, with the
 * rule's own reader: the account ID from STS `GetCallerIdentity`, the trails
 * listed from `--region` (or the SDK's default Region). Every trail is read
 * fully (a person sees every gap, and a snapshot holds everything); only the
 * rule limits its reads to what its verdict needs.
 */
export async function readLiveState(target: LiveTarget): Promise<AccountTrailState> {
  const settings = {
    ...(target.profile !== undefined ? { profile: target.profile } : {}),
    ...(target.timeouts !== undefined ? { timeouts: target.timeouts } : {}),
    ...(target.endpoint !== undefined ? { endpoint: target.endpoint } : {}),
  };
  const sts = stsClient({
    ...(target.region !== undefined ? { region: target.region } : {}),
    ...settings,
  });
  try {
    const region = await resolveRegion(sts, 'read trails from', target.profile);
    const { account: accountId } = await callerIdentity(sts, { ...target, region }, 'account');
    return await readTrails(accountId, region, cloudTrailClients(settings), {
      what: `Could not list the trails in ${region} (CloudTrail DescribeTrails)`,
      settings: { ...target, region },
      hint: 'Check that these credentials may call cloudtrail:DescribeTrails.',
    });
  } finally {
    // Free the SDK's keep-alive sockets so the process ends when the command does.
    sts.destroy();
  }
}

/**
 * Every trail of one account, listed from `region` and read fully with the
 * rule's reader through `clients`. A failed listing becomes an
 * {@link AwsReadError} that says its cause (`readFailure`). The clients the
 * read opened are destroyed when it ends, freeing their keep-alive sockets.
 */
export async function readTrails(
  accountId: string,
  region: string,
  clients: (region: string) => CloudTrailClient,
  failure: { what: string; settings: CallSettings; hint: string },
): Promise<AccountTrailState> {
  const opened = new Set<CloudTrailClient>();
  try {
    return await readAccountTrailState({
      accountId,
      region,
      clientFor: (trailRegion) => {
        const client = clients(trailRegion);
        opened.add(client);
        return client;
      },
    }).catch(async (error: unknown) => {
      throw await readFailure(failure.what, error, failure.settings, failure.hint);
    });
  } finally {
    for (const client of opened) client.destroy();
  }
}

/**
 * The Region the credentials' configuration names (`--region`, `AWS_REGION`
 * or the profile's), or an error saying how to give one, or that the
 * profile does not exist. `purpose` completes "No AWS Region to …".
 */
export async function resolveRegion(
  sts: STSClient,
  purpose = 'read trails from',
  profile?: string,
): Promise<string> {
  try {
    return await sts.config.region();
  } catch (error) {
    const unknown = await unknownProfileReason(profile === undefined ? {} : { profile });
    if (unknown !== undefined) throw new AwsReadError(unknown);
    throw new AwsReadError(
      `No AWS Region to ${purpose} (${describeError(error)}): pass --region, set AWS_REGION, or set a region in the profile.`,
    );
  }
}

/**
 * Who the credentials are (STS `GetCallerIdentity`): the account to read, or
 * the caller whose partition and name the organization mode needs. `subject`
 * says which, in the error when they cannot be read.
 */
export async function callerIdentity(
  sts: STSClient,
  settings: CallSettings,
  subject: 'account' | 'caller',
): Promise<{ account: string; arn: string }> {
  let identity: { Account?: string | undefined; Arn?: string | undefined };
  try {
    identity = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    throw await readFailure(
      `Could not identify the ${subject} (STS GetCallerIdentity)`,
      error,
      settings,
      'Check the credentials (AWS_PROFILE, --profile, or "aws configure").',
    );
  }
  const { Account: account, Arn: arn } = identity;
  if (account === undefined || arn === undefined) {
    throw new AwsReadError(
      `STS GetCallerIdentity returned no ${account === undefined ? 'account ID' : 'ARN'}.`,
    );
  }
  return { account, arn };
}
