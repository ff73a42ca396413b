import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { closeHttpServer, listenLocally } from './listen';

/** A local HTTP endpoint that answers every request the same way. */
export interface AnsweringEndpoint {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL`. */
  endpoint: string;
  /** The requests received, by method and URL. */
  readonly requests: readonly Pick<IncomingMessage, 'method' | 'url'>[];
  close(): Promise<void>;
}

/**
 * An HTTP listener on 127.0.0.1 that answers every request with `status`,
 * `headers` and `body`: a web server that is not AWS, or an AWS error.
 */
export function startAnsweringEndpoint(
  status: number,
  headers: Record<string, string>,
  body: string,
): Promise<AnsweringEndpoint> {
  return startRoutingEndpoint(() => ({ status, headers, body }));
}

/** What a {@link startRoutingEndpoint} sends back. */
export interface LocalAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * An HTTP listener on 127.0.0.1 that answers each request with what
 * `route` makes of its body: an endpoint that answers each action of an
 * AWS Query API (STS) as that action.
 */
export async function startRoutingEndpoint(
  route: (body: string) => LocalAnswer,
): Promise<AnsweringEndpoint> {
  const requests: Pick<IncomingMessage, 'method' | 'url'>[] = [];
  const server = createHttpServer((request, response) => {
    requests.push({ method: request.method, url: request.url });
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const answer = route(body);
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    });
  });
  return {
    endpoint: await listenLocally(server),
    requests,
    close: () => closeHttpServer(server),
  };
}

/**
 * `http://127.0.0.1:<port>` where nothing listens: a port the system just
 * gave a listener, closed again, so a connection to it is refused.
 */
export async function refusingEndpoint(): Promise<string> {
  const server = createServer();
  const endpoint = await listenLocally(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return endpoint;
}
