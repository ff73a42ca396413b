import { randomUUID } from 'node:crypto';
import { type AwsError, type AwsFault, fault } from './errors';
import type { S3Operation } from './s3';

/**
 * S3's REST-XML protocol, path-style (the SDK uses path-style URLs for an
 * endpoint that is an IP address: `PUT /bucket/?policy`), for the bucket
 * operations of `s3.ts`: which operation a request names, the API fields
 * its headers and XML body carry, and the reply (headers, XML document or
 * no body) S3 sends for an output or an error. `HeadBucket` errors have no
 * body. The configuration documents (versioning, lifecycle, logging,
 * tagging, Object Lock, ownership controls) are read and written through
 * one description of each document's elements ({@link XmlStructure}), the
 * element names and list forms S3's XML schema gives them.
 */

export interface S3Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The operation each subresource query key names, by method. */
const SUBRESOURCES: Record<string, { GET: S3Operation; PUT?: S3Operation }> = {
  policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy' },
  publicAccessBlock: { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock' },
  encryption: { GET: 'GetBucketEncryption', PUT: 'PutBucketEncryption' },
  versioning: { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' },
  lifecycle: { GET: 'GetBucketLifecycleConfiguration', PUT: 'PutBucketLifecycleConfiguration' },
  logging: { GET: 'GetBucketLogging', PUT: 'PutBucketLogging' },
  tagging: { GET: 'GetBucketTagging', PUT: 'PutBucketTagging' },
  'object-lock': { GET: 'GetObjectLockConfiguration', PUT: 'PutObjectLockConfiguration' },
  ownershipControls: { GET: 'GetBucketOwnershipControls' },
  acl: { GET: 'GetBucketAcl' },
};

/** A value in S3's XML: text, or a structure of members. */
type XmlShape = 'string' | 'integer' | 'boolean' | 'timestamp' | XmlStructure;

/** A structure's members, keyed by the SDK's field name, in S3's element order. */
interface XmlStructure {
  members: Record<string, XmlMember>;
}

interface XmlMember {
  shape: XmlShape;
  /** The element's name, when it is not the field's (`MfaDelete` for `MFADelete`, `Rule` for `Rules`). */
  name?: string;
  /** A list: each item an element of the member's name (flattened), or one element holding items named `item`. */
  list?: 'flattened' | { item: string };
}

const text = { shape: 'string' } as const;
const integer = { shape: 'integer' } as const;
const boolean = { shape: 'boolean' } as const;
const timestamp = { shape: 'timestamp' } as const;
function structure(members: Record<string, XmlMember>): XmlMember {
  return { shape: { members } };
}

const TAG: XmlStructure = { members: { Key: text, Value: text } };

const VERSIONING_CONFIGURATION: XmlStructure = {
  members: { Status: text, MFADelete: { ...text, name: 'MfaDelete' } },
};

const LIFECYCLE_RULE: XmlStructure = {
  members: {
    ID: text,
    Status: text,
    Prefix: text,
    Filter: structure({
      Prefix: text,
      Tag: { shape: TAG },
      ObjectSizeGreaterThan: integer,
      ObjectSizeLessThan: integer,
      And: structure({
        Prefix: text,
        Tags: { shape: TAG, name: 'Tag', list: 'flattened' },
        ObjectSizeGreaterThan: integer,
        ObjectSizeLessThan: integer,
      }),
    }),
    Expiration: structure({ Date: timestamp, Days: integer, ExpiredObjectDeleteMarker: boolean }),
    Transitions: {
      ...structure({ Date: timestamp, Days: integer, StorageClass: text }),
      name: 'Transition',
      list: 'flattened',
    },
    NoncurrentVersionTransitions: {
      ...structure({
        NoncurrentDays: integer,
        StorageClass: text,
        NewerNoncurrentVersions: integer,
      }),
      name: 'NoncurrentVersionTransition',
      list: 'flattened',
    },
    NoncurrentVersionExpiration: structure({
      NoncurrentDays: integer,
      NewerNoncurrentVersions: integer,
    }),
    AbortIncompleteMultipartUpload: structure({ DaysAfterInitiation: integer }),
  },
};

const LIFECYCLE_CONFIGURATION: XmlStructure = {
  members: { Rules: { shape: LIFECYCLE_RULE, name: 'Rule', list: 'flattened' } },
};

const BUCKET_LOGGING_STATUS: XmlStructure = {
  members: { LoggingEnabled: structure({ TargetBucket: text, TargetPrefix: text }) },
};

const TAGGING: XmlStructure = { members: { TagSet: { shape: TAG, list: { item: 'Tag' } } } };

const OBJECT_LOCK_CONFIGURATION: XmlStructure = {
  members: {
    ObjectLockEnabled: text,
    Rule: structure({ DefaultRetention: structure({ Mode: text, Days: integer, Years: integer }) }),
  },
};

const OWNERSHIP_CONTROLS: XmlStructure = {
  members: { Rules: { ...structure({ ObjectOwnership: text }), name: 'Rule', list: 'flattened' } },
};

/** The configuration document each `Put*` carries as its payload: its field, root element and structure. */
const PAYLOADS: Partial<Record<S3Operation, { field: string; root: string; shape: XmlStructure }>> =
  {
    PutBucketVersioning: {
      field: 'VersioningConfiguration',
      root: 'VersioningConfiguration',
      shape: VERSIONING_CONFIGURATION,
    },
    PutBucketLifecycleConfiguration: {
      field: 'LifecycleConfiguration',
      root: 'LifecycleConfiguration',
      shape: LIFECYCLE_CONFIGURATION,
    },
    PutBucketLogging: {
      field: 'BucketLoggingStatus',
      root: 'BucketLoggingStatus',
      shape: BUCKET_LOGGING_STATUS,
    },
    PutBucketTagging: { field: 'Tagging', root: 'Tagging', shape: TAGGING },
    PutObjectLockConfiguration: {
      field: 'ObjectLockConfiguration',
      root: 'ObjectLockConfiguration',
      shape: OBJECT_LOCK_CONFIGURATION,
    },
  };

/** Headers a request may carry, and the field each one sets. */
const REQUEST_HEADERS: Partial<Record<S3Operation, Record<string, string>>> = {
  PutBucketVersioning: { 'x-amz-mfa': 'MFA' },
  PutBucketLifecycleConfiguration: {
    'x-amz-transition-default-minimum-object-size': 'TransitionDefaultMinimumObjectSize',
  },
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
  const operation = byMethod[method];
  return operation === undefined ? undefined : { operation, bucket };
}

/**
 * The API fields a request carries in its headers and XML body, as the SDK
 * names them; throws the {@link AwsFault} S3 answers a body it cannot read
 * with (`MissingRequestBodyError`, `MalformedXML`).
 */
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
  for (const [name, field] of Object.entries(REQUEST_HEADERS[operation] ?? {})) {
    const value = header(name);
    if (value !== '') input[field] = value;
  }
  const payload = PAYLOADS[operation];
  if (payload !== undefined) {
    return { ...input, [payload.field]: readPayload(body, payload.root, payload.shape) };
  }
  switch (operation) {
    case 'CreateBucket': {
      const constraint = xmlValue(body, 'LocationConstraint');
      const ownership = header('x-amz-object-ownership');
      const objectLock = header('x-amz-bucket-object-lock-enabled');
      return {
        ...input,
        ...(constraint === undefined
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: constraint } }),
        ...(ownership === '' ? {} : { ObjectOwnership: ownership }),
        ...(objectLock === '' ? {} : { ObjectLockEnabledForBucket: objectLock === 'true' }),
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
    case 'PutBucketVersioning':
    case 'PutBucketLogging':
    case 'PutObjectLockConfiguration':
      return reply(200, '');
    case 'PutBucketTagging':
      return reply(204, '');
    case 'PutBucketLifecycleConfiguration':
      return reply(200, '', {
        'x-amz-transition-default-minimum-object-size': String(
          output.TransitionDefaultMinimumObjectSize,
        ),
      });
    case 'GetBucketVersioning':
      return xmlReply(document('VersioningConfiguration', output, VERSIONING_CONFIGURATION));
    case 'GetBucketLifecycleConfiguration':
      return xmlReply(document('LifecycleConfiguration', output, LIFECYCLE_CONFIGURATION), {
        'x-amz-transition-default-minimum-object-size': String(
          output.TransitionDefaultMinimumObjectSize,
        ),
      });
    case 'GetBucketLogging':
      return xmlReply(document('BucketLoggingStatus', output, BUCKET_LOGGING_STATUS));
    case 'GetBucketTagging':
      return xmlReply(document('Tagging', output, TAGGING));
    case 'GetObjectLockConfiguration':
      return xmlReply(
        document(
          'ObjectLockConfiguration',
          output.ObjectLockConfiguration as Record<string, unknown>,
          OBJECT_LOCK_CONFIGURATION,
        ),
      );
    case 'GetBucketOwnershipControls':
      return xmlReply(
        document(
          'OwnershipControls',
          output.OwnershipControls as Record<string, unknown>,
          OWNERSHIP_CONTROLS,
        ),
      );
    case 'GetBucketAcl':
      return xmlReply(accessControlPolicy(output));
  }
}

/**
 * `GetBucketAcl`'s document: each grantee's type is an `xsi:type`
 * attribute, which the structures above do not describe.
 */
function accessControlPolicy(output: Record<string, unknown>): string {
  const owner = output.Owner as { ID: string };
  const grants = output.Grants as {
    Grantee: { Type: string; ID?: string; URI?: string; EmailAddress?: string };
    Permission: string;
  }[];
  const grantees = grants.map(({ Grantee, Permission }) => {
    const { Type, ...names } = Grantee;
    const fields = (['ID', 'URI', 'EmailAddress'] as const)
      .flatMap((field) => {
        const value = names[field];
        return value === undefined ? [] : [`<${field}>${escapeXml(value)}</${field}>`];
      })
      .join('');
    return `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="${escapeXml(Type)}">${fields}</Grantee><Permission>${escapeXml(Permission)}</Permission></Grant>`;
  });
  return `<AccessControlPolicy xmlns="${NS}"><Owner><ID>${escapeXml(owner.ID)}</ID></Owner><AccessControlList>${grantees.join('')}</AccessControlList></AccessControlPolicy>`;
}

/** An XML document of `root`, in S3's namespace, holding `value` as `shape` describes it. */
function document(root: string, value: Record<string, unknown>, shape: XmlStructure): string {
  return `<${root} xmlns="${NS}">${writeMembers(value, shape)}</${root}>`;
}

function writeMembers(value: Record<string, unknown>, shape: XmlStructure): string {
  return Object.entries(shape.members)
    .map(([field, member]) => {
      const given = value[field];
      if (given === undefined) return '';
      const name = member.name ?? field;
      if (member.list === 'flattened') {
        return (given as unknown[]).map((item) => element(name, item, member.shape)).join('');
      }
      if (member.list !== undefined) {
        const { item } = member.list;
        const items = (given as unknown[]).map((i) => element(item, i, member.shape)).join('');
        return `<${name}>${items}</${name}>`;
      }
      return element(name, given, member.shape);
    })
    .join('');
}

function element(name: string, value: unknown, shape: XmlShape): string {
  if (typeof shape === 'object') {
    return `<${name}>${writeMembers(value as Record<string, unknown>, shape)}</${name}>`;
  }
  const content =
    shape === 'timestamp' ? new Date((value as number) * 1000).toISOString() : String(value);
  return `<${name}>${escapeXml(content)}</${name}>`;
}

/** The configuration a `Put*` body holds, as the SDK names its fields. */
function readPayload(body: string, root: string, shape: XmlStructure): Record<string, unknown> {
  if (body.trim() === '') throw fault('MissingRequestBodyError', 'Request Body is empty', 400);
  const parsed = parseXml(body);
  if (parsed === undefined || parsed.name !== root) throw malformedXml();
  return readMembers(parsed, shape);
}

/**
 * The fields of an element's children. A child the structure does not
 * describe is kept under its own name, so that the model refuses it as a
 * field it does not know, as it does the same field from the SDK.
 */
function readMembers(parent: XmlElement, shape: XmlStructure): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const members = Object.entries(shape.members);
  for (const child of parent.children) {
    const found = members.find(([field, member]) => (member.name ?? field) === child.name);
    if (found === undefined) {
      fields[child.name] = untyped(child);
      continue;
    }
    const [field, member] = found;
    if (member.list === 'flattened') {
      const items = (fields[field] ?? []) as unknown[];
      fields[field] = [...items, readValue(child, member.shape)];
    } else if (member.list !== undefined) {
      const { item } = member.list;
      fields[field] = child.children
        .filter((c) => c.name === item)
        .map((c) => readValue(c, member.shape));
    } else {
      fields[field] = readValue(child, member.shape);
    }
  }
  return fields;
}

/** An element's value: numbers and booleans that do not parse stay text, for the model to refuse. */
function readValue(node: XmlElement, shape: XmlShape): unknown {
  if (typeof shape === 'object') return readMembers(node, shape);
  const value = node.text;
  switch (shape) {
    case 'string':
      return value;
    case 'integer':
      return /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'timestamp': {
      const time = Date.parse(value);
      return Number.isNaN(time) ? value : time / 1000;
    }
  }
}

/** An element no structure describes: its text, or its children by name. */
function untyped(node: XmlElement): unknown {
  if (node.children.length === 0) return node.text;
  return Object.fromEntries(node.children.map((c) => [c.name, untyped(c)]));
}

function malformedXml(): AwsFault {
  return fault(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
    400,
  );
}

interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

/**
 * A document's root element, or `undefined` when the text is not
 * well-formed XML. Enough XML for S3's documents: elements, text, the five
 * predefined entities and character references; attributes (namespaces)
 * are skipped.
 */
function parseXml(xml: string): XmlElement | undefined {
  const body = xml.replace(/^\uFEFF?\s*<\?xml[^?]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '');
  const top: XmlElement = { name: '', children: [], text: '' };
  const open = [top];
  const tokens =
    /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const [, closing, name, , selfClosing, content, stray] of body.matchAll(tokens)) {
    const current = open[open.length - 1] as XmlElement;
    if (stray !== undefined) return undefined;
    if (content !== undefined) {
      current.text += unescapeXml(content);
    } else if (closing === '/') {
      if (current.name !== name || open.length === 1 || selfClosing === '/') return undefined;
      open.pop();
    } else {
      const opened: XmlElement = { name: name as string, children: [], text: '' };
      current.children.push(opened);
      if (selfClosing !== '/') open.push(opened);
    }
  }
  const [root] = top.children;
  if (open.length !== 1 || top.children.length !== 1 || top.text.trim() !== '') return undefined;
  return root;
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[entity] ?? entity;
  });
}

/** S3's error shape: an XML `<Error>` document; `HEAD` responses carry no body. */
export function s3ErrorReply(error: AwsError, method: string, bucket: string | undefined): S3Reply {
  const status = error.status ?? 400;
  if (method === 'HEAD') return reply(status, '', error.headers ?? {});
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.type)}</Code><Message>${escapeXml(error.message)}</Message>${bucket === undefined ? '' : `<BucketName>${escapeXml(bucket)}</BucketName>`}<RequestId>${requestId()}</RequestId><HostId>${randomUUID()}</HostId></Error>`;
  return reply(status, body, { 'content-type': 'application/xml', ...(error.headers ?? {}) });
}

function xmlReply(xml: string, headers: Record<string, string> = {}): S3Reply {
  return reply(200, `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`, {
    'content-type': 'application/xml',
    ...headers,
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
