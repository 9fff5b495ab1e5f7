// A static file server on 127.0.0.1 for media URLs in tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MediaServer {
  url(path: string): string;
  add(path: string, body: Buffer, contentType?: string): void;
  hits(path: string): number;
  close(): Promise<void>;
}

/** Starts the server with no files; add them with add(). */
export async function startMediaServer(): Promise<MediaServer> {
  const files = new Map<string, { body: Buffer; contentType?: string }>();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const f = files.get(path);
    if (!f) {
      res.writeHead(404).end('not found');
      return;
    }
    const headers: Record<string, string> = { 'content-length': String(f.body.length) };
    if (f.contentType) headers['content-type'] = f.contentType;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : f.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    add: (p, body, contentType) => void files.set(p, contentType === undefined ? { body } : { body, contentType }),
    hits: (p) => counts.get(p) ?? 0,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A minimal valid 1×1 PNG. */
export const PNG_1X1 = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082',
  'hex',
);
