import { randomUUID } from 'node:crypto';
import type { AwsError } from './errors';
import type { S3Operation } from './s3';

/**
 * S3's REST-XML protocol, path-style (the SDK uses path-style URLs for an
 * endpoint that is an IP address: `PUT /bucket/?policy`), for the bucket
 * operations of `s3.ts`: which operation a request names, the API fields
 * its headers and XML body carry, and the reply (headers, XML document or
 * no body) S3 sends for an output or an error. `HeadBucket` errors have no
 * body.
 */

export interface S3Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const SUBRESOURCES: Record<string, { GET: S3Operation; PUT: S3Operation }> = {
  policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy' },
  publicAccessBlock: { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock' },
  encryption: { GET: 'GetBucketEncryption', PUT: 'PutBucketEncryption' },
};

const PUBLIC_ACCESS_BLOCK_FIELDS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** The operation a path-style request names, or `undefined` when the model does not serve it. */
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

/** The API fields a request carries in its headers and XML body, as the SDK names them. */
export function s3Input(
  operation: S3Operation,
  bucket: string,
  header: (name: string) => string,
  body: string,
): Record<string, unknown> {
  const expectedOwner = header('x-amz-expected-bucket-owner');
  const input: Record<string, unknown> = {
    Bucket: bucket,
    ...(expectedOwner === '' ? {} : { ExpectedBucketOwner: expectedOwner }),
  };
  switch (operation) {
    case 'CreateBucket': {
      const constraint = xmlValue(body, 'LocationConstraint');
      const ownership = header('x-amz-object-ownership');
      return {
        ...input,
        ...(constraint === undefined
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: constraint } }),
        ...(ownership === '' ? {} : { ObjectOwnership: ownership }),
      };
    }
    case 'PutBucketPolicy':
      return { ...input, Policy: body };
    case 'PutPublicAccessBlock':
      return {
        ...input,
        PublicAccessBlockConfiguration: Object.fromEntries(
          PUBLIC_ACCESS_BLOCK_FIELDS.flatMap((field) => {
            const value = xmlValue(body, field);
            return value === undefined ? [] : [[field, value === 'true']];
          }),
        ),
      };
    case 'PutBucketEncryption': {
      const algorithm = xmlValue(body, 'SSEAlgorithm');
      const key = xmlValue(body, 'KMSMasterKeyID');
      const bucketKey = xmlValue(body, 'BucketKeyEnabled');
      return {
        ...input,
        ServerSideEncryptionConfiguration: {
          Rules:
            algorithm === undefined
              ? []
              : [
                  {
                    ApplyServerSideEncryptionByDefault: {
                      SSEAlgorithm: algorithm,
                      ...(key === undefined ? {} : { KMSMasterKeyID: key }),
                    },
                    ...(bucketKey === undefined ? {} : { BucketKeyEnabled: bucketKey === 'true' }),
                  },
                ],
        },
      };
    }
    default:
      return input;
  }
}

/** S3's reply to a request that succeeded, with `output` from the model. */
export function s3Reply(operation: S3Operation, output: Record<string, unknown>): S3Reply {
  switch (operation) {
    case 'HeadBucket':
      return reply(200, '', {
        'x-amz-bucket-region': String(output.BucketRegion),
        'x-amz-access-point-alias': String(output.AccessPointAlias ?? false),
      });
    case 'CreateBucket':
      return reply(200, '', { location: String(output.Location) });
    case 'GetBucketPolicy':
      return reply(200, String(output.Policy), { 'content-type': 'application/json' });
    case 'PutBucketPolicy':
      return reply(204, '');
    case 'GetPublicAccessBlock': {
      const block = output.PublicAccessBlockConfiguration as Record<string, unknown>;
      return xmlReply(
        `<PublicAccessBlockConfiguration xmlns="${NS}">${PUBLIC_ACCESS_BLOCK_FIELDS.map(
          (field) => `<${field}>${String(block[field])}</${field}>`,
        ).join('')}</PublicAccessBlockConfiguration>`,
      );
    }
    case 'GetBucketEncryption': {
      const configuration = output.ServerSideEncryptionConfiguration as {
        Rules: {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: string; KMSMasterKeyID?: string };
          BucketKeyEnabled: boolean;
        }[];
      };
      const rules = configuration.Rules.map((rule) => {
        const { SSEAlgorithm, KMSMasterKeyID } = rule.ApplyServerSideEncryptionByDefault;
        const key =
          KMSMasterKeyID === undefined ? '' : `<KMSMasterKeyID>${KMSMasterKeyID}</KMSMasterKeyID>`;
        return `<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${SSEAlgorithm}</SSEAlgorithm>${key}</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>${rule.BucketKeyEnabled}</BucketKeyEnabled></Rule>`;
      });
      return xmlReply(
        `<ServerSideEncryptionConfiguration xmlns="${NS}">${rules.join('')}</ServerSideEncryptionConfiguration>`,
      );
    }
    case 'PutPublicAccessBlock':
    case 'PutBucketEncryption':
      return reply(200, '');
  }
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
