import type { Server as HttpServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';

/*
 * The tests' stand-ins for AWS endpoints all listen the same way: on a port
 * of 127.0.0.1 the system picks, named as `AWS_ENDPOINT_URL` takes it.
 */

/** Starts `server` listening on 127.0.0.1; gives `http://127.0.0.1:<port>`. */
export async function listenLocally(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Closes an HTTP server, ending the connections it still holds open. */
export function closeHttpServer(server: HttpServer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.closeAllConnections();
    server.close((error) => (error ? reject(error) : resolve()));
  });
}
