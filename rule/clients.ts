import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { CloudTrailClientFor } from './reader';

/**
 * Retry settings: adaptive mode (client-side rate limiting on throttling)
 * with a bounded number of attempts, unless the standard `AWS_RETRY_MODE` /
 * `AWS_MAX_ATTEMPTS` settings say otherwise.
 */
export function retrySettings(env: NodeJS.ProcessEnv = process.env): {
  retryMode?: string;
  maxAttempts?: number;
} {
  return {
    ...(env.AWS_RETRY_MODE ? {} : { retryMode: 'adaptive' }),
    ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: 5 }),
  };
}

export interface ClientOptions {
  /** A named profile from the shared config files (CLI only; the Lambda uses its role). */
  profile?: string;
}

/**
 * One CloudTrail client per Region, created on first use and kept: SDK
 * clients are reused across warm invocations. Endpoints and credentials come
 * from the standard SDK settings (`AWS_ENDPOINT_URL`, the default chain).
 */
export function cloudTrailClients(options: ClientOptions = {}): CloudTrailClientFor {
  const clients = new Map<string, CloudTrailClient>();
  return (region) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = new CloudTrailClient({ region, ...retrySettings(), ...options });
      clients.set(region, client);
    }
    return client;
  };
}

/** The AWS Config client `PutEvaluations` goes through, with the same retry settings. */
export function configServiceClient(options: ClientOptions = {}): ConfigServiceClient {
  return new ConfigServiceClient({ ...retrySettings(), ...options });
}
