import {
  CloudTrailClient,
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type PublicAccessBlockConfiguration,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type ServerSideEncryptionConfiguration,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { ExecutorClients } from '../../remediation/executor';
import type { PolicyDocument } from '../../remediation/policies';
import type { RemediationDependencies } from '../../remediation/remediate';
import { DEFAULT_PARAMETERS } from '../../rule/parameters';
import type { EventSelectors, Trail } from '../../rule/state';
import { ACCOUNT } from './fixtures';

/**
 * A small stateful account behind `aws-sdk-client-mock`: the CloudTrail, S3,
 * KMS and STS calls the remediation makes change and read the same
 * in-memory state, with the errors the real services raise (TrailNotFound
 * outside a trail's home Region, AccessDenied on another account's trail,
 * 403 on someone else's bucket, TrailAlreadyExists, the eventual-consistency
 * errors of CreateTrail). Every request is recorded with its Region, and a
 * failure can be injected at any write.
 */

export interface MockTrail {
  trail: Trail & { Name: string; TrailARN: string; HomeRegion: string };
  logging: boolean;
  selectors: Omit<EventSelectors, 'TrailARN'>;
}

export interface MockBucket {
  owner: string;
  region: string;
  policy?: string;
  publicAccessBlock?: PublicAccessBlockConfiguration;
  encryption?: ServerSideEncryptionConfiguration;
  objectOwnership?: string;
}

export interface MockKey {
  arn: string;
  alias?: string;
  policy: string;
}

export interface RecordedRequest {
  service: 'cloudtrail' | 's3' | 'kms' | 'sts';
  operation: string;
  region: string;
  input: Record<string, unknown>;
}

const READ = /^(Describe|Get|Head|List)/;

export class MockAccount {
  readonly accountId: string;
  readonly trails: MockTrail[];
  readonly buckets = new Map<string, MockBucket>();
  readonly keys: MockKey[] = [];
  readonly requests: RecordedRequest[] = [];
  /** Writes that fail once, by operation, counted from 1 over all writes. */
  private failAtWrite: number | undefined;
  private writesSeen = 0;
  /** How long each call takes (the benchmark sets it; tests answer at once). */
  latencyMs = 0;
  /** CreateTrail answers InsufficientS3BucketPolicyException this many times after a policy change. */
  policyPropagationDelay = 0;
  private pendingPropagation = 0;
  private stubs: AwsClientStub<CloudTrailClient | S3Client | KMSClient | STSClient>[] = [];

  constructor(options: { accountId?: string; trails?: MockTrail[] } = {}) {
    this.accountId = options.accountId ?? ACCOUNT;
    this.trails = options.trails ?? [];
  }

  /** The write requests made so far (anything not a Describe/Get/Head/List or STS). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.service !== 'sts' && !READ.test(r.operation));
  }

  /** Makes the n-th write from now on fail once with a service error. */
  failWrite(n: number): void {
    this.failAtWrite = this.writesSeen + n;
  }

  /** Clients for the code under test, without SDK retries (the mocks answer at once). */
  clients(): ExecutorClients & { sts: STSClient } {
    return {
      cloudTrail: (region) => new CloudTrailClient({ region, maxAttempts: 1 }),
      s3: (region) => new S3Client({ region, maxAttempts: 1 }),
      kms: (region) => new KMSClient({ region, maxAttempts: 1 }),
      sts: new STSClient({ region: 'us-east-1', maxAttempts: 1 }),
    };
  }

  /**
   * What the remediation runs with against this account: its clients, from
   * us-east-1, with the rule's default parameters, and no real waiting (each
   * wait is told to `sleep`, when given).
   */
  dependencies(sleep: (ms: number) => void = () => {}): RemediationDependencies {
    const { sts, ...clients } = this.clients();
    return {
      clients,
      sts,
      region: 'us-east-1',
      parameters: DEFAULT_PARAMETERS,
      execute: { sleep: async (ms) => sleep(ms) },
      verifyDelayMs: 0,
    };
  }

  policyOf(bucket: string): PolicyDocument | undefined {
    const policy = this.buckets.get(bucket)?.policy;
    return policy === undefined ? undefined : (JSON.parse(policy) as PolicyDocument);
  }

  install(): this {
    const ct = mockClient(CloudTrailClient);
    const s3 = mockClient(S3Client);
    const kms = mockClient(KMSClient);
    const sts = mockClient(STSClient);
    this.stubs = [ct, s3, kms, sts] as typeof this.stubs;

    sts.on(GetCallerIdentityCommand).callsFake(async (input, getClient) => {
      await this.record('sts', 'GetCallerIdentity', input, getClient);
      return {
        Account: this.accountId,
        Arn: `arn:aws:sts::${this.accountId}:assumed-role/remediation/session`,
        UserId: 'AROAEXAMPLEID:session',
      };
    });

    ct.on(DescribeTrailsCommand).callsFake(async (input, getClient) => {
      const region = await this.record('cloudtrail', 'DescribeTrails', input, getClient);
      return {
        trailList: this.trails
          .filter((t) => t.trail.HomeRegion === region || t.trail.IsMultiRegionTrail === true)
          .map((t) => ({ ...t.trail })),
      };
    });
    ct.on(GetTrailStatusCommand).callsFake(async (input, getClient) => {
      const region = await this.record('cloudtrail', 'GetTrailStatus', input, getClient);
      const t = this.trailIn(input.Name, region);
      return { IsLogging: t.logging };
    });
    ct.on(GetEventSelectorsCommand).callsFake(async (input, getClient) => {
      const region = await this.record('cloudtrail', 'GetEventSelectors', input, getClient);
      const t = this.trailIn(input.TrailName, region);
      return { TrailARN: t.trail.TrailARN, ...structuredClone(t.selectors) };
    });
    ct.on(UpdateTrailCommand).callsFake(async (input, getClient) => {
      const region = await this.record('cloudtrail', 'UpdateTrail', input, getClient);
      const t = this.ownTrailIn(input.Name, region);
      const { Name: _, ...changes } = input as Record<string, unknown>;
      Object.assign(t.trail, changes);
      return { ...t.trail };
    });
    ct.on(PutEventSelectorsCommand).callsFake(async (input, getClient) => {
      const region = await this.record('cloudtrail', 'PutEventSelectors', input, getClient);
      const t = this.ownTrailIn(input.TrailName, region);
      const { TrailName: _, ...selectors } = structuredClone(input) as Record<string, unknown>;
      t.selectors = selectors as MockTrail['selectors'];
      t.trail.HasCustomEventSelectors = true;
      return { TrailARN: t.trail.TrailARN, ...selectors };
    });
    ct.on(StartLoggingCommand).callsFake(async (input, getClient) => {
      const region = await this.record('cloudtrail', 'StartLogging', input, getClient);
      this.ownTrailIn(input.Name, region).logging = true;
      return {};
    });
    ct.on(CreateTrailCommand).callsFake(async (input, getClient) => {
      const region = await this.record('cloudtrail', 'CreateTrail', input, getClient);
      const arn = `arn:aws:cloudtrail:${region}:${this.accountId}:trail/${input.Name}`;
      if (this.trails.some((t) => t.trail.TrailARN === arn)) {
        throw serviceError('TrailAlreadyExistsException', `Trail ${input.Name} already exists`);
      }
      const bucket = this.buckets.get(input.S3BucketName);
      if (bucket === undefined) {
        throw serviceError('S3BucketDoesNotExistException', `${input.S3BucketName} does not exist`);
      }
      if (this.pendingPropagation > 0 || !allowsCloudTrail(bucket.policy, arn)) {
        this.pendingPropagation = Math.max(0, this.pendingPropagation - 1);
        throw serviceError(
          'InsufficientS3BucketPolicyException',
          'Incorrect S3 bucket policy is detected for bucket',
        );
      }
      const trail: MockTrail['trail'] = {
        Name: input.Name,
        TrailARN: arn,
        HomeRegion: region,
        S3BucketName: input.S3BucketName,
        IsMultiRegionTrail: input.IsMultiRegionTrail ?? false,
        IncludeGlobalServiceEvents: input.IncludeGlobalServiceEvents ?? true,
        LogFileValidationEnabled: input.EnableLogFileValidation ?? false,
        IsOrganizationTrail: false,
        HasCustomEventSelectors: false,
        HasInsightSelectors: false,
        ...(input.KmsKeyId === undefined ? {} : { KmsKeyId: input.KmsKeyId }),
      };
      this.trails.push({
        trail,
        logging: false,
        selectors: {
          EventSelectors: [
            {
              ReadWriteType: 'All',
              IncludeManagementEvents: true,
              DataResources: [],
              ExcludeManagementEventSources: [],
            },
          ],
        },
      });
      return { ...trail };
    });

    s3.on(HeadBucketCommand).callsFake(async (input, getClient) => {
      await this.record('s3', 'HeadBucket', input, getClient);
      const bucket = this.buckets.get(input.Bucket);
      if (bucket === undefined) throw httpError('NotFound', 404);
      if (bucket.owner !== input.ExpectedBucketOwner) throw httpError('Forbidden', 403);
      return { BucketRegion: bucket.region };
    });
    s3.on(GetBucketPolicyCommand).callsFake(async (input, getClient) => {
      await this.record('s3', 'GetBucketPolicy', input, getClient);
      const bucket = this.ownBucket(input.Bucket, input.ExpectedBucketOwner);
      if (bucket.policy === undefined) throw httpError('NoSuchBucketPolicy', 404);
      return { Policy: bucket.policy };
    });
    s3.on(GetPublicAccessBlockCommand).callsFake(async (input, getClient) => {
      await this.record('s3', 'GetPublicAccessBlock', input, getClient);
      const bucket = this.ownBucket(input.Bucket, input.ExpectedBucketOwner);
      if (bucket.publicAccessBlock === undefined) {
        throw httpError('NoSuchPublicAccessBlockConfiguration', 404);
      }
      return { PublicAccessBlockConfiguration: { ...bucket.publicAccessBlock } };
    });
    s3.on(GetBucketEncryptionCommand).callsFake(async (input, getClient) => {
      await this.record('s3', 'GetBucketEncryption', input, getClient);
      const bucket = this.ownBucket(input.Bucket, input.ExpectedBucketOwner);
      if (bucket.encryption === undefined) {
        throw httpError('ServerSideEncryptionConfigurationNotFoundError', 404);
      }
      return { ServerSideEncryptionConfiguration: structuredClone(bucket.encryption) };
    });
    s3.on(CreateBucketCommand).callsFake(async (input, getClient) => {
      const region = await this.record('s3', 'CreateBucket', input, getClient);
      const existing = this.buckets.get(input.Bucket);
      if (existing !== undefined) {
        throw httpError(
          existing.owner === this.accountId ? 'BucketAlreadyOwnedByYou' : 'BucketAlreadyExists',
          409,
        );
      }
      this.buckets.set(input.Bucket, {
        owner: this.accountId,
        region: input.CreateBucketConfiguration?.LocationConstraint ?? region,
        objectOwnership: input.ObjectOwnership ?? 'BucketOwnerEnforced',
      });
      return { Location: `/${input.Bucket}` };
    });
    s3.on(PutPublicAccessBlockCommand).callsFake(async (input, getClient) => {
      await this.record('s3', 'PutPublicAccessBlock', input, getClient);
      this.ownBucket(input.Bucket, input.ExpectedBucketOwner).publicAccessBlock = {
        ...input.PublicAccessBlockConfiguration,
      };
      return {};
    });
    s3.on(PutBucketEncryptionCommand).callsFake(async (input, getClient) => {
      await this.record('s3', 'PutBucketEncryption', input, getClient);
      this.ownBucket(input.Bucket, input.ExpectedBucketOwner).encryption = structuredClone(
        input.ServerSideEncryptionConfiguration,
      );
      return {};
    });
    s3.on(PutBucketPolicyCommand).callsFake(async (input, getClient) => {
      await this.record('s3', 'PutBucketPolicy', input, getClient);
      this.ownBucket(input.Bucket, input.ExpectedBucketOwner).policy = input.Policy;
      this.pendingPropagation = this.policyPropagationDelay;
      return {};
    });

    kms.on(DescribeKeyCommand).callsFake(async (input, getClient) => {
      await this.record('kms', 'DescribeKey', input, getClient);
      const key = this.key(input.KeyId);
      return {
        KeyMetadata: {
          Arn: key.arn,
          KeyId: key.arn.split('/')[1],
          AWSAccountId: key.arn.split(':')[4],
          KeyState: 'Enabled',
          KeySpec: 'SYMMETRIC_DEFAULT',
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeyManager: 'CUSTOMER',
          Enabled: true,
        },
      };
    });
    kms.on(GetKeyPolicyCommand).callsFake(async (input, getClient) => {
      await this.record('kms', 'GetKeyPolicy', input, getClient);
      return { Policy: this.key(input.KeyId).policy, PolicyName: 'default' };
    });
    kms.on(PutKeyPolicyCommand).callsFake(async (input, getClient) => {
      await this.record('kms', 'PutKeyPolicy', input, getClient);
      this.key(input.KeyId).policy = input.Policy;
      return {};
    });
    return this;
  }

  /** Every command sent to any mocked client, configured or not, by class name. */
  commandsSent(): string[] {
    return this.stubs.flatMap((stub) =>
      stub.calls().map((call) => (call.args[0] as object).constructor.name),
    );
  }

  restore(): void {
    for (const stub of this.stubs) stub.restore();
  }

  private async record(
    service: RecordedRequest['service'],
    operation: string,
    input: Record<string, unknown>,
    getClient: () => { config: { region: () => Promise<string> | string } },
  ): Promise<string> {
    const region = await getClient().config.region();
    this.requests.push({ service, operation, region, input: structuredClone(input) });
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (service !== 'sts' && !READ.test(operation)) {
      this.writesSeen++;
      if (this.writesSeen === this.failAtWrite) {
        this.failAtWrite = undefined;
        throw serviceError('InternalFailure', `injected failure of ${operation}`);
      }
    }
    return region;
  }

  private trailIn(nameOrArn: string | undefined, region: string): MockTrail {
    const t = this.trails.find(
      (candidate) =>
        candidate.trail.TrailARN === nameOrArn ||
        (candidate.trail.Name === nameOrArn && candidate.trail.HomeRegion === region),
    );
    if (t === undefined || t.trail.HomeRegion !== region) {
      throw serviceError('TrailNotFoundException', `Unknown trail: ${nameOrArn} for the user`);
    }
    return t;
  }

  private ownTrailIn(nameOrArn: string | undefined, region: string): MockTrail {
    const t = this.trailIn(nameOrArn, region);
    if (t.trail.TrailARN.split(':')[4] !== this.accountId) {
      throw serviceError('AccessDeniedException', 'not authorized to change this trail');
    }
    return t;
  }

  private ownBucket(name: string | undefined, expectedOwner: string | undefined): MockBucket {
    const bucket = this.buckets.get(name ?? '');
    if (bucket === undefined) throw httpError('NoSuchBucket', 404);
    if (expectedOwner !== undefined && bucket.owner !== expectedOwner) {
      throw httpError('AccessDenied', 403);
    }
    return bucket;
  }

  private key(id: string | undefined): MockKey {
    const key = this.keys.find((k) => k.arn === id || k.alias === id || k.arn.endsWith(`/${id}`));
    if (key === undefined) throw serviceError('NotFoundException', `Key '${id}' does not exist`);
    return key;
  }
}

/** Whether a bucket policy lets CloudTrail write a trail's logs (as CreateTrail checks). */
function allowsCloudTrail(policy: string | undefined, trailArn: string): boolean {
  if (policy === undefined) return false;
  const document = JSON.parse(policy) as PolicyDocument;
  return document.Statement.some(
    (s) =>
      s.Effect === 'Allow' &&
      JSON.stringify(s.Principal).includes('cloudtrail.amazonaws.com') &&
      [s.Action].flat().includes('s3:PutObject') &&
      JSON.stringify(s.Condition ?? {}).includes(trailArn),
  );
}

function serviceError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

function httpError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}
