// Shared by the conformance files: an in-process sandbox, a loopback receiver that records every
// webhook the sandbox sends (and can answer each path its own way: a TwiML reply, Bandwidth's
// challenge) and serves a small PNG for media URLs, and fault switching through the admin API.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import type { Faults } from '../../src/sandbox/faults.js';

export const PNG = readFileSync(new URL('../fixtures/media/pixel.png', import.meta.url));

/** One request the receiver got. */
export interface Captured {
  method: string;
  /** Path and query, as requested. */
  path: string;
  /** The full URL the sender used (what URL-covering signatures are computed over). */
  url: string;
  headers: IncomingMessage['headers'];
  rawBody: Buffer;
}

/** An answer for one captured request; undefined falls back to 200 with an empty body. */
export type Responder = (req: Captured) => { status: number; headers?: Record<string, string>; body?: string } | undefined;

export interface Receiver {
  url(path: string): string;
  /** Webhooks received (media GET/HEAD requests are not recorded). */
  hooks: Captured[];
  /** Sets how requests to `path` (without query) are answered. */
  answer(path: string, responder: Responder): void;
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  res.writeHead(status, headers).end(body);
}

/** Starts the loopback receiver; /media/pixel.png serves a PNG to every method. */
export async function startReceiver(): Promise<Receiver> {
  const hooks: Captured[] = [];
  const responders = new Map<string, Responder>();
  let base = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const pathname = path.split('?')[0]!;
      if (pathname.startsWith('/media/')) return reply(res, 200, { 'content-type': 'image/png' }, req.method === 'HEAD' ? '' : PNG);
      const captured: Captured = { method: req.method ?? 'POST', path, url: `${base}${path}`, headers: req.headers, rawBody: Buffer.concat(chunks) };
      hooks.push(captured);
      const a = responders.get(pathname)?.(captured);
      reply(res, a?.status ?? 200, a?.headers ?? {}, a?.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (p) => `${base}${p}`,
    hooks,
    answer: (p, r) => void responders.set(p, r),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Starts an in-process sandbox with short status steps. */
export async function startConformanceSandbox(): Promise<Sandbox> {
  return startSandbox({ port: 0, stepDelayMs: 2 });
}

/** Replaces the sandbox's faults through its admin API (which also resets the rate-limit buckets). */
export async function setFaults(sb: Sandbox, faults: Faults): Promise<void> {
  const res = await fetch(`${sb.origin}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(faults) });
  if (!res.ok) throw new Error(`faults: ${res.status}`);
}

/** The credentials the sandbox prints for `provider`. */
export function creds(sb: Sandbox, provider: string): Record<string, string> {
  return sb.info().providers[provider]!.credentials;
}
