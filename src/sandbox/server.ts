// mms sandbox: a local emulator of the providers' APIs on loopback. Each provider's dialect is
// mounted under /<provider>; /_sandbox/ exposes the message record and fault settings as JSON.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MessageStore } from './store.js';
import { createMediaFetcher, isLoopbackHost } from './media-fetch.js';
import type { SandboxDialect, SandboxRequest, SandboxResponse, SandboxServices } from './types.js';
import { json } from './types.js';
import { createTwilioDialect } from './dialects/twilio.js';
import { createTelnyxDialect } from './dialects/telnyx.js';
import { createPlivoDialect } from './dialects/plivo.js';
import { createVonageDialect } from './dialects/vonage.js';
import { createBandwidthDialect } from './dialects/bandwidth.js';
import { createSinchDialect } from './dialects/sinch.js';

export interface Faults {
  /** Message-create requests allowed per second (per provider); beyond it, the provider's 429. */
  rateLimit?: number;
  /** Fraction (0–1) of message-create requests answered with the provider's 500. */
  failRate?: number;
  /** Fraction of message-create requests answered with the provider's 429, whatever the rate. */
  throttleRate?: number;
  /** Fraction of message-create requests whose connection is reset after the message was created. */
  resetRate?: number;
  /** Fraction of message-create requests that are created but never answered. */
  timeoutRate?: number;
  /** Added latency per request, ms: [min, max]. */
  latencyMs?: [number, number];
}

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

/** One webhook the sandbox tried to deliver (GET /_sandbox/webhooks). */
export interface WebhookAttempt {
  kind: 'inbound' | 'status';
  messageId: string;
  url: string;
  at: string;
  status?: number;
  error?: string;
}

class TokenBucket {
  private tokens: number;
  private last = Date.now();
  constructor(private readonly rate: number) {
    this.tokens = rate;
  }
  take(): number {
    const now = Date.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
}

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

/** Starts the sandbox. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new RangeError(`the sandbox only listens on loopback (got ${host})`);
  const log = opts.log ?? (() => undefined);
  const random = opts.random ?? Math.random;
  const store = new MessageStore();
  const faults: Faults = { ...(opts.faults ?? {}) };
  const buckets = new Map<string, TokenBucket>();
  let origin = '';
  const allowRemote = Boolean(opts.allowRemoteMedia);
  const webhookLog: WebhookAttempt[] = [];
  const services: SandboxServices = {
    async deliverWebhook(hook, kind, messageId) {
      const attempt: WebhookAttempt = { kind, messageId, url: hook.url, at: new Date().toISOString() };
      webhookLog.push(attempt);
      if (webhookLog.length > 10_000) webhookLog.shift();
      try {
        const u = new URL(hook.url);
        if (!allowRemote && !isLoopbackHost(u.hostname)) {
          attempt.error = 'not delivered: the sandbox only calls loopback URLs unless started with --fetch-remote-media';
          log(`webhook ${kind} ${messageId}: ${attempt.error}`);
          return;
        }
        const res = await fetch(u, { method: 'POST', headers: hook.headers, body: typeof hook.body === "string" ? hook.body : new Uint8Array(hook.body), signal: AbortSignal.timeout(15_000), redirect: 'manual' });
        attempt.status = res.status;
        await res.body?.cancel().catch(() => undefined);
      } catch (err) {
        attempt.error = (err as Error).message;
      }
      log(`webhook ${kind} ${messageId} → ${hook.url}: ${attempt.status ?? attempt.error}`);
    },
    store,
    fetcher: createMediaFetcher({ allowRemote }),
    origin: () => origin,
    log,
    stepDelayMs: opts.stepDelayMs ?? 50,
    step: () => new Promise<void>((r) => setTimeout(r, opts.stepDelayMs ?? 50).unref()),
  };
  const dialects = new Map<string, SandboxDialect>();
  const all = [createTwilioDialect, createTelnyxDialect, createPlivoDialect, createVonageDialect, createBandwidthDialect, createSinchDialect];
  for (const d of all.map((create) => create(services))) dialects.set(d.provider, d);
  const sockets = new Set<Socket>();

  const info = (): SandboxInfo => ({
    origin,
    providers: Object.fromEntries([...dialects.values()].map((d) => [d.provider, { baseUrl: `${origin}/${d.provider}`, ...d.describe() }])),
    faults,
  });

  async function admin(req: IncomingMessage, url: URL, body: Buffer): Promise<SandboxResponse> {
    const path = url.pathname.slice('/_sandbox'.length);
    if (path === '/info' && req.method === 'GET') return json(200, info());
    if (path === '/messages' && req.method === 'GET') {
      const provider = url.searchParams.get('provider') ?? undefined;
      const to = url.searchParams.get('to') ?? undefined;
      return json(200, { messages: store.list({ ...(provider ? { provider } : {}), ...(to ? { to } : {}) }) });
    }
    if (path === '/webhooks' && req.method === 'GET') return json(200, { webhooks: webhookLog });
    if (path === '/messages' && req.method === 'DELETE') {
      store.clear();
      webhookLog.length = 0;
      return json(200, { cleared: true });
    }
    const one = /^\/messages\/([^/]+)$/.exec(path);
    if (one && req.method === 'GET') {
      const m = store.get(decodeURIComponent(one[1]!));
      return m ? json(200, m) : json(404, { error: 'no such message' });
    }
    if (path === '/faults' && (req.method === 'PUT' || req.method === 'POST')) {
      try {
        const next = JSON.parse(body.toString('utf8')) as Faults;
        for (const k of Object.keys(faults) as Array<keyof Faults>) delete faults[k];
        Object.assign(faults, next);
        buckets.clear();
        return json(200, faults);
      } catch {
        return json(400, { error: 'body must be JSON' });
      }
    }
    return json(404, { error: `unknown sandbox endpoint ${url.pathname}` });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      const body = await readBody(req);
      if (body === undefined) {
        send(res, json(413, { error: 'request body too large' }));
        return;
      }
      if (url.pathname.startsWith('/_sandbox/')) {
        send(res, await admin(req, url, body));
        return;
      }
      const slash = url.pathname.indexOf('/', 1);
      const provider = url.pathname.slice(1, slash > 0 ? slash : undefined);
      const dialect = dialects.get(provider);
      if (!dialect) {
        send(res, json(404, { error: `no provider "${provider}" in this sandbox; base URLs are ${origin}/<provider>: ${[...dialects.keys()].join(', ')}` }));
        return;
      }
      const sreq: SandboxRequest = {
        method: req.method ?? 'GET',
        path: slash > 0 ? url.pathname.slice(slash) : '/',
        query: url.searchParams,
        headers: req.headers,
        rawBody: body,
      };
      if (faults.latencyMs) {
        const [a, b] = faults.latencyMs;
        await new Promise((r) => setTimeout(r, a + Math.floor(random() * (b - a + 1))));
      }
      if (dialect.isMessageCreate(sreq)) {
        if (faults.rateLimit) {
          let bucket = buckets.get(provider);
          if (!bucket) buckets.set(provider, (bucket = new TokenBucket(faults.rateLimit)));
          const waitMs = bucket.take();
          if (waitMs > 0) {
            send(res, dialect.rateLimited(Math.max(1, Math.ceil(waitMs / 1000))));
            return;
          }
        }
        if (faults.throttleRate && random() < faults.throttleRate) {
          send(res, dialect.rateLimited(1));
          return;
        }
        if (faults.failRate && random() < faults.failRate) {
          send(res, dialect.serverError());
          return;
        }
        const reset = faults.resetRate !== undefined && random() < faults.resetRate;
        const hang = !reset && faults.timeoutRate !== undefined && random() < faults.timeoutRate;
        if (reset || hang) {
          // The message is created, but the answer is lost: the client cannot know it was sent.
          await dialect.handle(sreq);
          if (reset) req.socket.destroy();
          else setTimeout(() => req.socket.destroy(), 120_000).unref();
          return;
        }
      }
      send(res, await dialect.handle(sreq));
    })().catch((err: unknown) => {
      log(`sandbox error: ${(err as Error).message}`);
      if (!res.headersSent) send(res, json(500, { error: 'sandbox internal error' }));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  origin = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  return {
    origin,
    port: addr.port,
    store,
    dialects,
    faults,
    baseUrl: (p) => `${origin}/${p}`,
    info,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
