import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { type ClientOptions, cloudTrailClients, retrySettings } from '../rule/clients';
import type { ExecutorClients } from './executor';

/**
 * The remediation's SDK clients: one per service and Region, created on
 * first use and kept across warm invocations, with the rule's retry
 * settings. S3 follows a bucket to its Region when it is not the one asked.
 */
export function remediationClients(
  options: ClientOptions = {},
): ExecutorClients & { sts: STSClient } {
  const s3 = perRegion(
    (region) =>
      new S3Client({ region, followRegionRedirects: true, ...retrySettings(), ...options }),
  );
  const kms = perRegion((region) => new KMSClient({ region, ...retrySettings(), ...options }));
  return {
    cloudTrail: cloudTrailClients(options),
    s3,
    kms,
    sts: new STSClient({ ...retrySettings(), ...options }),
  };
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
