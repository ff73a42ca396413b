import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { type ClientOptions, clientConfig, cloudTrailClients, nameTimeouts } from '../rule/clients';
import type { ExecutorClients } from './executor';

/**
 * The remediation's SDK clients: one per service and Region, created on
 * first use and kept across warm invocations, with the rule's retry
 * settings and timeouts. S3 follows a bucket to its Region when it is not
 * the one asked.
 */
export function remediationClients(
  options: ClientOptions = {},
): ExecutorClients & { sts: STSClient } {
  const s3 = perRegion((region) =>
    nameTimeouts(
      new S3Client({ ...clientConfig({ ...options, region }), followRegionRedirects: true }),
      options.timeouts,
    ),
  );
  const kms = perRegion((region) =>
    nameTimeouts(new KMSClient(clientConfig({ ...options, region })), options.timeouts),
  );
  return {
    cloudTrail: cloudTrailClients(options),
    s3,
    kms,
    sts: stsClient(options),
  };
}

/** An STS client (`GetCallerIdentity`), with the same settings; in the Region given, else the SDK's. */
export function stsClient(options: ClientOptions = {}): STSClient {
  return nameTimeouts(new STSClient(clientConfig(options)), options.timeouts);
}

function perRegion<T>(create: (region: string) => T): (region: string) => T {
  const clients = new Map<string, T>();
  return (region) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = create(region);
      clients.set(region, client);
    }
    return client;
  };
}
