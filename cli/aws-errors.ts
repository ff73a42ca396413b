import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/core/config';
import { failedCall } from '../rule/clients';
import { AwsTimeoutError, NotAwsAnswerError, notAwsAnswer } from '../rule/errors';
import { checkEndpointUrl } from './args';
import { AwsReadError } from './errors';

/** What the command line knows about a call that failed. */
export interface CallSettings {
  /** The Region the call went to, once known. */
  region?: string;
  /** `--profile`, if given. */
  profile?: string;
  /** `--endpoint-url`, if given. */
  endpoint?: string;
}

/**
 * The error of a read that failed: what was being done, then why: the way to
 * AWS ({@link unreachableReason}) when that is the cause, else AWS's answer
 * and what to check for it (`hint`).
 *
 * @example
 * throw await readFailure('Could not list the trails (CloudTrail DescribeTrails)', error, { region }, 'Check that these credentials may call cloudtrail:DescribeTrails.')
 */
export async function readFailure(
  what: string,
  error: unknown,
  settings: CallSettings,
  hint: string,
): Promise<AwsReadError> {
  const why = await unreachableReason(error, settings);
  return new AwsReadError(
    why !== undefined ? `${what}: ${why}` : `${what}: ${sentence(describeError(error))} ${hint}`,
  );
}

/** Text ended with one full stop: AWS's messages often end in one already. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** An error as one line: its name and message. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Why a call to AWS failed when the cause is not AWS's answer but the way
 * to it: a timeout, a refused connection, a host name that does not
 * resolve, an HTTP answer that is not from AWS, an unknown profile, no
 * credentials. `undefined` for an answer from AWS itself (AccessDenied,
 * throttling), which the caller explains with what it was doing.
 *
 * Each message names what to check: the endpoint, `--region`, the profile
 * and the files profiles are read from.
 *
 * @example
 * await unreachableReason(error, { region: 'us-est-1' })
 * // 'sts.us-est-1.amazonaws.com does not resolve (ENOTFOUND): … is "us-est-1" a Region …'
 */
export async function unreachableReason(
  error: unknown,
  settings: CallSettings,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (error instanceof AwsTimeoutError) {
    return `${error.message} To wait longer, raise --request-timeout (and --connect-timeout), in milliseconds.`;
  }
  if (typeof error !== 'object' || error === null) return undefined;
  const call = failedCall(error);
  const details = error as NodeError;
  const configured =
    settings.endpoint === undefined
      ? endpointSetting(env, call?.service)
      : `--endpoint-url (${settings.endpoint})`;
  if (error instanceof NotAwsAnswerError) {
    // No permission advice: the call never reached AWS to be refused.
    return `${notAwsAnswer(error.answer)} ${
      configured === undefined
        ? 'A proxy or a captive portal may be in the way: check the network path to AWS.'
        : `It comes from ${configured}: check it, or unset it to use the AWS endpoint.`
    }`;
  }
  switch (details.code) {
    case 'ECONNREFUSED': {
      const endpoint =
        call?.endpoint ??
        (details.address === undefined ? 'the endpoint' : `${details.address}:${details.port}`);
      return `${endpoint} refused the connection (ECONNREFUSED): nothing is listening there. ${
        configured === undefined
          ? 'Check the network path to AWS (a proxy or firewall in the way).'
          : `It comes from ${configured}: check it, or unset it to use the AWS endpoint.`
      }`;
    }
    case 'ENOTFOUND':
    case 'EAI_AGAIN': {
      const host = details.hostname ?? call?.endpoint ?? 'the endpoint';
      const found =
        details.code === 'ENOTFOUND'
          ? `${host} does not resolve (ENOTFOUND)`
          : `${host} could not be looked up (EAI_AGAIN: DNS did not answer)`;
      if (configured !== undefined) return `${found}. It comes from ${configured}: check it.`;
      const region = settings.region === undefined ? '' : ` "${settings.region}"`;
      return `${found}. The host name is made from the Region: is${region} an AWS Region? Check --region (for example --region us-east-1), AWS_REGION and the profile's region; if the Region is right, check this network's DNS.`;
    }
  }
  const status = details.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 300 && details.$metadata?.requestId === undefined) {
    const endpoint = call?.endpoint ?? 'The endpoint';
    return `${endpoint} answered HTTP ${status} with no AWS request ID: it is probably not an AWS endpoint. ${
      configured === undefined
        ? 'Check for a proxy on the way to AWS.'
        : `It comes from ${configured}: check it, or unset it to use the AWS endpoint.`
    }`;
  }
  if (details.name === 'CredentialsProviderError') {
    return credentialsReason(String(details.message), settings, env);
  }
  return undefined;
}

/**
 * That the profile in use (`--profile`, else `AWS_PROFILE`) is not in the
 * shared config files, naming the files and the profiles they define;
 * `undefined` when no profile is named or the files define it.
 */
export async function unknownProfileReason(
  settings: CallSettings,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const profile = profileInUse(settings, env);
  if (profile === undefined) return undefined;
  const files = sharedFiles(env);
  const profiles = await profileNames(files);
  if (profiles.includes(profile.name)) return undefined;
  const defined =
    profiles.length === 0
      ? 'they define no profile'
      : `they define ${profiles.map((name) => `"${name}"`).join(', ')}`;
  return `${profile.source} names the profile "${profile.name}", which is not in the shared AWS config files ${files.config} (AWS_CONFIG_FILE) or ${files.credentials} (AWS_SHARED_CREDENTIALS_FILE): ${defined}. Give one of those, or add it with "aws configure --profile ${profile.name}".`;
}

async function credentialsReason(
  message: string,
  settings: CallSettings,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const unknown = await unknownProfileReason(settings, env);
  if (unknown !== undefined) return unknown;
  const profile = profileInUse(settings, env);
  const files = sharedFiles(env);
  if (profile !== undefined) {
    return `The profile "${profile.name}" gave no AWS credentials (${message}). Check its settings in ${files.config} or ${files.credentials}; for an IAM Identity Center (SSO) profile, sign in with "aws sso login --profile ${profile.name}".`;
  }
  return `No AWS credentials found (${message}). Give a profile with --profile NAME or AWS_PROFILE (profiles are read from ${files.config} and ${files.credentials}), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or sign in with "aws configure" or "aws sso login".`;
}

/** The fields Node.js and the SDK put on the errors above. */
interface NodeError {
  name?: string;
  message?: string;
  code?: string;
  address?: string;
  port?: number;
  hostname?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/**
 * The services the command line calls, by the name their
 * `AWS_ENDPOINT_URL_<SERVICE>` variable has (the SDK's service ID, upper
 * case, spaces as underscores).
 */
const CALLED_SERVICES = [
  'STS',
  'CLOUDTRAIL',
  'S3',
  'KMS',
  'ORGANIZATIONS',
  'SECURITYHUB',
  'CONFIG_SERVICE',
];

/**
 * The endpoint variables the SDK would read, each checked as
 * `--endpoint-url` is, before any call: `AWS_ENDPOINT_URL=127.0.0.1:5091`
 * would otherwise fail every call with "Invalid URL". Ignored, as the SDK
 * ignores them, when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true.
 */
export function checkEndpointVariables(env: NodeJS.ProcessEnv = process.env): void {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return;
  for (const name of ['AWS_ENDPOINT_URL', ...CALLED_SERVICES.map((s) => `AWS_ENDPOINT_URL_${s}`)]) {
    const value = env[name];
    if (value !== undefined && value !== '') checkEndpointUrl(name, value);
  }
}

/** The setting an endpoint URL comes from, when one is set: `AWS_ENDPOINT_URL (http://…)`. */
function endpointSetting(env: NodeJS.ProcessEnv, service: string | undefined): string | undefined {
  const specific = service === undefined ? undefined : `AWS_ENDPOINT_URL_${service.toUpperCase()}`;
  for (const name of [specific, 'AWS_ENDPOINT_URL']) {
    const value = name === undefined ? undefined : env[name];
    if (value !== undefined && value !== '') return `${name} (${value})`;
  }
  return undefined;
}

function profileInUse(
  settings: CallSettings,
  env: NodeJS.ProcessEnv,
): { name: string; source: string } | undefined {
  if (settings.profile !== undefined) return { name: settings.profile, source: '--profile' };
  const fromEnv = env.AWS_PROFILE;
  return fromEnv === undefined || fromEnv === ''
    ? undefined
    : { name: fromEnv, source: 'AWS_PROFILE' };
}

/** Where the SDK reads profiles from: the same settings, the same defaults. */
function sharedFiles(env: NodeJS.ProcessEnv): { config: string; credentials: string } {
  return {
    config: env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials'),
  };
}

/** The profiles the shared files define, read with the SDK's own parser. */
async function profileNames(files: { config: string; credentials: string }): Promise<string[]> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({
    configFilepath: files.config,
    filepath: files.credentials,
    ignoreCache: true,
  });
  // The config file's other sections ([sso-session x], [services x]) come back as "sso-session.x".
  const names = [
    ...Object.keys(configFile).filter((key) => !/^(sso-session|services)\./.test(key)),
    ...Object.keys(credentialsFile),
  ];
  return [...new Set(names)].sort();
}
