import { createServer, type Socket } from 'node:net';
import { listenLocally } from './listen';

/** A TCP listener on 127.0.0.1 that accepts every connection and never answers: an AWS endpoint that stalls. */
export interface StalledEndpoint {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL`. */
  endpoint: string;
  /** Connections accepted since the start or the last {@link StalledEndpoint.forget}. */
  readonly connections: number;
  forget(): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

export async function startStalledEndpoint(): Promise<StalledEndpoint> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    // Read and discard the request, answer nothing.
    socket.resume();
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const endpoint = await listenLocally(server);
  return {
    endpoint,
    get connections() {
      return connections;
    },
    forget() {
      connections = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
