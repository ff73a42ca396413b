import { randomUUID } from 'node:crypto';
import { type AwsError, AwsFault, fault } from './fake-errors';
import { isPublicPolicy, policyStatements } from './fake-policy';

/**
 * The bucket-level S3 operations the remediation calls, over the REST-XML
 * protocol, path-style (the SDK uses path-style URLs for an endpoint that is
 * an IP address: `PUT /bucket/?policy`). It behaves as S3 does where the
 * remediation depends on it: bucket names are global, so a bucket may belong
 * to another account; `ExpectedBucketOwner` turns someone else's bucket
 * into 403; `HeadBucket` errors have no body; a request signed for another
 * Region than the bucket's is redirected (301 with `x-amz-bucket-region`);
 * `CreateBucket` answers `BucketAlreadyOwnedByYou` (200 in us-east-1, for
 * legacy compatibility) or `BucketAlreadyExists`, and checks the location
 * constraint against the Region; a new bucket gets S3's defaults since 2023
 * (Block Public Access on, ACLs disabled, SSE-S3); `BlockPublicPolicy`
 * refuses a public policy.
 */

export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export interface BucketEncryption {
  SSEAlgorithm: string;
  KMSMasterKeyID?: string;
  BucketKeyEnabled?: boolean;
}

export interface FakeBucket {
  name: string;
  /** The owning account. */
  owner: string;
  region: string;
  /** The policy text as it was put. */
  policy?: string;
  publicAccessBlock?: PublicAccessBlock;
  encryption?: BucketEncryption;
  objectOwnership?: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
}

export type S3Operation =
  | 'HeadBucket'
  | 'CreateBucket'
  | 'GetBucketPolicy'
  | 'PutBucketPolicy'
  | 'GetPublicAccessBlock'
  | 'PutPublicAccessBlock'
  | 'GetBucketEncryption'
  | 'PutBucketEncryption';

const SUBRESOURCES: Record<string, { GET: S3Operation; PUT: S3Operation }> = {
  policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy' },
  publicAccessBlock: { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock' },
  encryption: { GET: 'GetBucketEncryption', PUT: 'PutBucketEncryption' },
};

/** The operation a path-style request names, or `undefined` when the fake does not serve it. */
export function s3Operation(
  method: string,
  url: string,
): { operation: S3Operation; bucket: string } | undefined {
  const { pathname, searchParams } = new URL(url, 'http://127.0.0.1');
  const match = /^\/([^/]+)\/?$/.exec(pathname);
  const bucket = match?.[1];
  if (bucket === undefined) return undefined;
  const keys = [...searchParams.keys()].filter((k) => k !== 'x-id');
  if (keys.length === 0) {
    if (method === 'HEAD') return { operation: 'HeadBucket', bucket };
    if (method === 'PUT') return { operation: 'CreateBucket', bucket };
    return undefined;
  }
  const [key] = keys;
  const byMethod = key === undefined || keys.length > 1 ? undefined : SUBRESOURCES[key];
  if (byMethod === undefined || (method !== 'GET' && method !== 'PUT')) return undefined;
  return { operation: byMethod[method], bucket };
}

export interface S3Call {
  operation: S3Operation;
  bucket: string;
  /** The Region the request was signed for. */
  region: string;
  /** The calling account. */
  accountId: string;
  header: (name: string) => string;
  body: string;
}

export interface S3Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Answers one call, changing `buckets` for a write; throws an {@link AwsFault} as S3 would fail. */
export function answerS3(call: S3Call, buckets: FakeBucket[]): S3Reply {
  const { operation, bucket: name, region, accountId } = call;
  const bucket = buckets.find((b) => b.name === name);
  if (operation === 'CreateBucket') return createBucket(call, bucket, buckets);
  if (bucket === undefined) {
    throw fault('NoSuchBucket', 'The specified bucket does not exist', 404);
  }
  const expected = call.header('x-amz-expected-bucket-owner');
  if ((expected !== '' && expected !== bucket.owner) || bucket.owner !== accountId) {
    // Another account's bucket: this caller has no access to it.
    throw fault('AccessDenied', 'Access Denied', 403);
  }
  if (bucket.region !== region) {
    // A request signed for another Region than the bucket's: S3 names the bucket's Region.
    throw new AwsFault({
      type: 'PermanentRedirect',
      message:
        'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      status: 301,
      headers: { 'x-amz-bucket-region': bucket.region },
    });
  }
  switch (operation) {
    case 'HeadBucket':
      return reply(200, '', {
        'x-amz-bucket-region': bucket.region,
        'x-amz-access-point-alias': 'false',
      });
    case 'GetBucketPolicy':
      if (bucket.policy === undefined) {
        throw fault('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
      }
      return reply(200, bucket.policy, { 'content-type': 'application/json' });
    case 'PutBucketPolicy': {
      if (!call.body.trimStart().startsWith('{') || policyStatements(call.body) === undefined) {
        throw fault(
          'MalformedPolicy',
          "Policies must be valid JSON and the first byte must be '{'",
          400,
        );
      }
      if (bucket.publicAccessBlock?.BlockPublicPolicy === true && isPublicPolicy(call.body)) {
        throw fault('AccessDenied', 'Access Denied', 403);
      }
      bucket.policy = call.body;
      return reply(204, '');
    }
    case 'GetPublicAccessBlock': {
      const block = bucket.publicAccessBlock;
      if (block === undefined) {
        throw fault(
          'NoSuchPublicAccessBlockConfiguration',
          'The public access block configuration was not found',
          404,
        );
      }
      return xmlReply(
        `<PublicAccessBlockConfiguration xmlns="${NS}">${PUBLIC_ACCESS_BLOCK_FIELDS.map(
          (field) => `<${field}>${block[field]}</${field}>`,
        ).join('')}</PublicAccessBlockConfiguration>`,
      );
    }
    case 'PutPublicAccessBlock': {
      const fields = PUBLIC_ACCESS_BLOCK_FIELDS.map((field) => [
        field,
        xmlValue(call.body, field) === 'true',
      ]);
      bucket.publicAccessBlock = Object.fromEntries(fields) as unknown as PublicAccessBlock;
      return reply(200, '');
    }
    case 'GetBucketEncryption': {
      const encryption = bucket.encryption;
      if (encryption === undefined) {
        throw fault(
          'ServerSideEncryptionConfigurationNotFoundError',
          'The server side encryption configuration was not found',
          404,
        );
      }
      const key =
        encryption.KMSMasterKeyID === undefined
          ? ''
          : `<KMSMasterKeyID>${encryption.KMSMasterKeyID}</KMSMasterKeyID>`;
      return xmlReply(
        `<ServerSideEncryptionConfiguration xmlns="${NS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${encryption.SSEAlgorithm}</SSEAlgorithm>${key}</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>${encryption.BucketKeyEnabled ?? false}</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
      );
    }
    case 'PutBucketEncryption': {
      const algorithm = xmlValue(call.body, 'SSEAlgorithm');
      if (algorithm === undefined || !['AES256', 'aws:kms', 'aws:kms:dsse'].includes(algorithm)) {
        throw fault('MalformedXML', 'The XML you provided was not well-formed', 400);
      }
      const key = xmlValue(call.body, 'KMSMasterKeyID');
      bucket.encryption = {
        SSEAlgorithm: algorithm,
        ...(key === undefined ? {} : { KMSMasterKeyID: key }),
        BucketKeyEnabled: xmlValue(call.body, 'BucketKeyEnabled') === 'true',
      };
      return reply(200, '');
    }
  }
}

const PUBLIC_ACCESS_BLOCK_FIELDS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const OWNERSHIPS = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'] as const;

function createBucket(
  call: S3Call,
  existing: FakeBucket | undefined,
  buckets: FakeBucket[],
): S3Reply {
  const { bucket: name, region, accountId } = call;
  if (!BUCKET_NAME.test(name)) {
    throw fault('InvalidBucketName', 'The specified bucket is not valid.', 400);
  }
  const constraint = xmlValue(call.body, 'LocationConstraint');
  if (region === 'us-east-1' ? constraint !== undefined : constraint !== region) {
    throw constraint === undefined || region !== 'us-east-1'
      ? fault(
          'IllegalLocationConstraintException',
          constraint === undefined
            ? `The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.`
            : `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
          400,
        )
      : fault('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400);
  }
  if (existing !== undefined) {
    if (existing.owner !== accountId) {
      throw fault(
        'BucketAlreadyExists',
        'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
        409,
      );
    }
    if (region === 'us-east-1' && existing.region === 'us-east-1') {
      // S3's legacy behaviour in us-east-1: re-creating your own bucket succeeds.
      return reply(200, '', { location: `/${name}` });
    }
    throw fault(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      409,
    );
  }
  const ownership = call.header('x-amz-object-ownership') || 'BucketOwnerEnforced';
  const objectOwnership = OWNERSHIPS.find((o) => o === ownership);
  if (objectOwnership === undefined) {
    throw fault('InvalidArgument', `Invalid x-amz-object-ownership header: ${ownership}`, 400);
  }
  buckets.push({
    name,
    owner: accountId,
    region,
    publicAccessBlock: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
    encryption: { SSEAlgorithm: 'AES256', BucketKeyEnabled: false },
    objectOwnership,
  });
  return reply(200, '', { location: `/${name}` });
}

/** S3's error shape: an XML `<Error>` document; `HEAD` responses carry no body. */
export function s3ErrorReply(error: AwsError, method: string, bucket: string | undefined): S3Reply {
  const status = error.status ?? 400;
  if (method === 'HEAD') return reply(status, '', error.headers ?? {});
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.type)}</Code><Message>${escapeXml(error.message)}</Message>${bucket === undefined ? '' : `<BucketName>${escapeXml(bucket)}</BucketName>`}<RequestId>${requestId()}</RequestId><HostId>${randomUUID()}</HostId></Error>`;
  return reply(status, body, { 'content-type': 'application/xml', ...(error.headers ?? {}) });
}

function xmlReply(xml: string): S3Reply {
  return reply(200, `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`, {
    'content-type': 'application/xml',
  });
}

function reply(status: number, body: string, headers: Record<string, string> = {}): S3Reply {
  return { status, body, headers: { 'x-amz-request-id': requestId(), ...headers } };
}

function requestId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
}

/** The text of the first `<tag>` element, or `undefined` when there is none. */
function xmlValue(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match?.[1];
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}
