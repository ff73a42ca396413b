import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { listenLocally } from '../listen';
import type { AwsAccount } from './model';
import { type AccountEndpoint, FAKE_ACCESS_KEY_ID, startAccountEndpoint } from './serve-http';

/**
 * An organization of account models on one local endpoint, for the command
 * line run as a process (`AWS_ENDPOINT_URL`): the caller's account (the
 * management account, and the Security Hub administrator whose findings
 * `GetFindings` returns) and its members, each an account model served by
 * `serve-http.ts`. STS `AssumeRole` is answered here, as the query protocol
 * does, with credentials whose access key ID names the member
 * (`ASIA<account ID>`); every request signed with those credentials goes to
 * that member's model, and every other request to the caller's. A role in
 * an account that is not a member cannot be assumed (AccessDenied).
 *
 * AssumeRole: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
export interface OrganizationEndpoint {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL`. */
  endpoint: string;
  /** Each member's endpoint, by account ID, to look at what it was asked. */
  members: Map<string, AccountEndpoint>;
  caller: AccountEndpoint;
  close(): Promise<void>;
}

const CREDENTIAL = /Credential=([^/]+)\//;

export async function startOrganizationEndpoint(
  caller: AwsAccount,
  members: readonly AwsAccount[],
): Promise<OrganizationEndpoint> {
  const callerEndpoint = await startAccountEndpoint();
  callerEndpoint.serve(caller);
  const memberEndpoints = new Map<string, AccountEndpoint>();
  for (const member of members) {
    const endpoint = await startAccountEndpoint();
    endpoint.serve(member);
    memberEndpoints.set(member.accountId, endpoint);
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const params = new URLSearchParams(body.toString('utf8'));
      if (params.get('Action') === 'AssumeRole') {
        const reply = assumeRole(params, memberEndpoints);
        response.writeHead(reply.status, {
          'content-type': 'text/xml',
          'x-amzn-requestid': randomUUID(),
          'content-length': Buffer.byteLength(reply.body),
        });
        response.end(reply.body);
        return;
      }
      const key = CREDENTIAL.exec(header(request, 'authorization'))?.[1] ?? '';
      const member = /^ASIA(\d{12})$/.exec(key)?.[1];
      const target = member === undefined ? callerEndpoint : memberEndpoints.get(member);
      if (target === undefined) {
        response.writeHead(403).end();
        return;
      }
      // The member's model checks the test's key: the assumed role's stands in for it.
      const headers = { ...request.headers };
      headers.authorization = header(request, 'authorization').replace(
        CREDENTIAL,
        `Credential=${FAKE_ACCESS_KEY_ID}/`,
      );
      const url = new URL(target.endpoint);
      const forwarded = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: request.method,
          path: request.url,
          headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', () => response.writeHead(502).end());
      forwarded.end(body);
    });
  });
  const endpoint = await listenLocally(server);
  return {
    endpoint,
    members: memberEndpoints,
    caller: callerEndpoint,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const endpoint of [callerEndpoint, ...memberEndpoints.values()]) await endpoint.close();
    },
  };
}

/** STS AssumeRole in the query protocol's XML: credentials naming the member, or AccessDenied. */
function assumeRole(
  params: URLSearchParams,
  members: ReadonlyMap<string, AccountEndpoint>,
): { status: number; body: string } {
  const roleArn = params.get('RoleArn') ?? '';
  const account = roleArn.split(':')[4] ?? '';
  const requestId = randomUUID();
  if (!members.has(account)) {
    return {
      status: 403,
      body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  const session = params.get('RoleSessionName') ?? '';
  const expiration = new Date(Date.now() + 900_000).toISOString();
  return {
    status: 200,
    body: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIA${account}</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</SecretAccessKey><SessionToken>FwoGZXIvYXdzEXAMPLE</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAEXAMPLE${account}:${session}</AssumedRoleId><Arn>arn:aws:sts::${account}:assumed-role/${roleArn.split('/').pop() ?? ''}/${session}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
  };
}

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}
