// Addresses for "nothing listens here" tests, without assuming a fixed port is closed.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A loopback port that was free a moment ago: bound on port 0, noted, and closed again. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An http:// origin on 127.0.0.1 where nothing listens (connections are refused). */
export async function unreachableOrigin(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}`;
}
