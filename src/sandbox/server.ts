// mms sandbox: a local emulator of the providers' APIs on loopback. Each provider's dialect is
// mounted under /<provider> (src/sandbox/dialects/); /_sandbox/ is the admin API (admin.ts). This
// file is the HTTP plumbing: read the body, pick the mount, apply faults, write the answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MessageStore } from './store.js';
import { createMediaFetcher, isLoopbackHost } from './media-fetch.js';
import type { SandboxDialect, SandboxRequest, SandboxResponse, SandboxServices } from './types.js';
import { json } from './types.js';
import { createFaultInjector, type Faults, type FaultInjector } from './faults.js';
import { createWebhookDelivery } from './webhooks.js';
import { ADMIN_PREFIX, createAdminRouter } from './admin.js';
import type { Router } from './router.js';
import { DIALECT_FACTORIES } from './dialects/index.js';

export type { Faults } from './faults.js';
export type { WebhookAttempt } from './store.js';

export interface SandboxOptions {
  host?: string;
  port?: number;
  allowRemoteMedia?: boolean;
  stepDelayMs?: number;
  faults?: Faults;
  log?: (line: string) => void;
  random?: () => number;
}

export interface Sandbox {
  origin: string;
  port: number;
  store: MessageStore;
  dialects: Map<string, SandboxDialect>;
  faults: Faults;
  /** Base URL a profile uses for a provider (`<origin>/<provider>`). */
  baseUrl(provider: string): string;
  info(): SandboxInfo;
  close(): Promise<void>;
}

export interface SandboxInfo {
  origin: string;
  providers: Record<string, { baseUrl: string; credentials: Record<string, string>; numbers: string[]; defaultFrom: string }>;
  faults: Faults;
}

// Large enough for a provider media upload (Plivo: 2 MB per file, several files per request).
const BODY_LIMIT = 25 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, r: SandboxResponse): void {
  const body = r.body ?? '';
  res.writeHead(r.status, { ...(r.headers ?? {}), 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** What the request handler needs from the running sandbox. */
interface Mounts {
  dialects: Map<string, SandboxDialect>;
  admin: Router;
  faults: FaultInjector;
  origin(): string;
}

/** A provider request: latency, then for message creates the fault verdict, then the dialect. */
async function serveDialect(m: Mounts, dialect: SandboxDialect, sreq: SandboxRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  await m.faults.delay();
  if (dialect.isMessageCreate(sreq)) {
    const v = m.faults.verdict(dialect.provider);
    if (v.kind === 'rate-limited') return send(res, dialect.rateLimited(v.retryAfterSeconds));
    if (v.kind === 'server-error') return send(res, dialect.serverError());
    if (v.kind === 'reset' || v.kind === 'hang') {
      // The message is created, but the answer is lost: the client cannot know it was sent.
      await dialect.handle(sreq);
      if (v.kind === 'reset') req.socket.destroy();
      else setTimeout(() => req.socket.destroy(), 120_000).unref();
      return;
    }
  }
  send(res, await dialect.handle(sreq));
}

async function serve(m: Mounts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const body = await readBody(req);
  if (body === undefined) return send(res, json(413, { error: 'request body too large' }));
  const method = req.method ?? 'GET';
  if (url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
    const areq: SandboxRequest = { method, path: url.pathname.slice(ADMIN_PREFIX.length), query: url.searchParams, headers: req.headers, rawBody: body };
    return send(res, await m.admin.dispatch(areq, () => json(404, { error: `unknown sandbox endpoint ${url.pathname}` })));
  }
  const slash = url.pathname.indexOf('/', 1);
  const provider = url.pathname.slice(1, slash > 0 ? slash : undefined);
  const dialect = m.dialects.get(provider);
  if (!dialect) {
    return send(
      res,
      json(404, { error: `no provider "${provider}" in this sandbox; base URLs are ${m.origin()}/<provider>: ${[...m.dialects.keys()].join(', ')}` }),
    );
  }
  const sreq: SandboxRequest = { method, path: slash > 0 ? url.pathname.slice(slash) : '/', query: url.searchParams, headers: req.headers, rawBody: body };
  await serveDialect(m, dialect, sreq, req, res);
}

async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

/** Starts the sandbox. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new RangeError(`the sandbox only listens on loopback (got ${host})`);
  const log = opts.log ?? (() => undefined);
  const store = new MessageStore();
  const faults = createFaultInjector(opts.faults ?? {}, opts.random ?? Math.random);
  let origin = '';
  const allowRemote = Boolean(opts.allowRemoteMedia);
  const stepDelayMs = opts.stepDelayMs ?? 50;
  const services: SandboxServices = {
    deliverWebhook: createWebhookDelivery({ store, allowRemote, log }),
    store,
    fetcher: createMediaFetcher({ allowRemote }),
    origin: () => origin,
    log,
    stepDelayMs,
    step: () => new Promise<void>((r) => setTimeout(r, stepDelayMs).unref()),
  };
  const dialects = new Map<string, SandboxDialect>();
  for (const d of DIALECT_FACTORIES.map((create) => create(services))) dialects.set(d.provider, d);
  const info = (): SandboxInfo => ({
    origin,
    providers: Object.fromEntries([...dialects.values()].map((d) => [d.provider, { baseUrl: `${origin}/${d.provider}`, ...d.describe() }])),
    faults: faults.faults,
  });
  const mounts: Mounts = { dialects, admin: createAdminRouter({ store, faults, info }), faults, origin: () => origin };
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void serve(mounts, req, res).catch((err: unknown) => {
      log(`sandbox error: ${(err as Error).message}`);
      if (!res.headersSent) send(res, json(500, { error: 'sandbox internal error' }));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 30_000;
  const addr = await listen(server, opts.port ?? 0, host);
  origin = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  return {
    origin,
    port: addr.port,
    store,
    dialects,
    faults: faults.faults,
    baseUrl: (p) => `${origin}/${p}`,
    info,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
