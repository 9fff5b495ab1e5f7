// mms sandbox: a local emulator of the providers' APIs on loopback. Each provider's dialect is
// mounted under /<provider> (src/sandbox/dialects/); /_sandbox/ is the admin API (admin.ts) and /
// the web phone (ui/). This file is the HTTP plumbing: read the body, pick the mount, apply faults,
// write the answer; and the start-up: saved credentials, the saved record, the listener.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MessageStore } from './store.js';
import { createMediaFetcher, isLoopbackHost } from './media-fetch.js';
import type { SandboxDialect, SandboxRequest, SandboxResponse, SandboxServices } from './types.js';
import { json } from './types.js';
import { createFaultInjector, type Faults, type FaultInjector } from './faults.js';
import { createWebhookDelivery, type WebhookDeliveryOptions } from './webhooks.js';
import { join } from 'node:path';
import { createCredentialVault, readCredentialSets, writeCredentialSets, type CredentialVault } from './persist-credentials.js';
import { createDiskMediaStore, createMemoryMediaStore } from './persist-media.js';
import { persistRecord, type ReplayBook } from './persist-record.js';
import { persistSettings, type SettingsPersistence } from './persist-settings.js';
import { optOutsFor } from './carrier.js';
import { createEventHub, type EventHub } from './ui/events.js';
import { refuseRequest } from './ui/guard.js';
import { uiAsset } from './ui/assets.js';
import { ADMIN_PREFIX, createAdminRouter } from './admin.js';
import type { Router } from './router.js';
import { DIALECT_FACTORIES } from './dialects/index.js';

export type { Faults, WebhookChaos } from './faults.js';
export type { WebhookAttempt } from './store.js';

export interface SandboxOptions {
  host?: string;
  port?: number;
  allowRemoteMedia?: boolean;
  stepDelayMs?: number;
  faults?: Faults;
  log?: (line: string) => void;
  /** Problems a person should see (a damaged saved file); default: `log`. */
  warn?: (line: string) => void;
  random?: () => number;
  /** Keep credentials in this file (0600) so they survive restarts; absent: fresh ones each start. */
  credentialsFile?: string;
  /** Ignore the saved credentials and write fresh ones (--reset-credentials). */
  resetCredentials?: boolean;
  /**
   * Keep messages, media, the webhook log, the settings made through the providers' APIs (numbers'
   * webhook URLs, applications, profiles) and opt-outs in this directory across restarts; absent: memory only.
   */
  dataDir?: string;
  /** Messages kept, oldest pruned first (the command's default is 1,000). */
  maxMessages?: number;
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
  /** True when this start made new credentials (none were saved, or --reset-credentials). */
  credentialsCreated: boolean;
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
  events: EventHub;
  port(): number;
  /** A provider request may have changed the dialect's settings (persist-settings.ts). */
  settingsTouched(): void;
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
  if (sreq.method !== 'GET' && sreq.method !== 'HEAD') m.settingsTouched();
}

/** The web phone, its live events, the media it shows and the admin API: Host and Origin checked first. */
async function serveLocal(m: Mounts, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const refused = refuseRequest(method, req.headers, m.port());
  if (refused) return send(res, json(403, { error: refused }));
  if (method === 'GET' && url.pathname === `${ADMIN_PREFIX}/events`) return m.events.serve(req, res);
  if (!url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
    const asset = uiAsset(method, url.pathname);
    return send(res, asset ?? json(404, { error: `no page ${url.pathname}; the web phone is at /` }));
  }
  const body = await readBody(req);
  if (body === undefined) return send(res, json(413, { error: 'request body too large' }));
  const areq: SandboxRequest = { method, path: url.pathname.slice(ADMIN_PREFIX.length), query: url.searchParams, headers: req.headers, rawBody: body };
  send(res, await m.admin.dispatch(areq, () => json(404, { error: `unknown sandbox endpoint ${url.pathname}` })));
}

async function serve(m: Mounts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const slash = url.pathname.indexOf('/', 1);
  const provider = url.pathname.slice(1, slash > 0 ? slash : undefined);
  const dialect = m.dialects.get(provider);
  if (!dialect) return serveLocal(m, url, req, res);
  const body = await readBody(req);
  if (body === undefined) return send(res, json(413, { error: 'request body too large' }));
  const sreq: SandboxRequest = {
    method: req.method ?? 'GET',
    path: slash > 0 ? url.pathname.slice(slash) : '/',
    query: url.searchParams,
    headers: req.headers,
    rawBody: body,
  };
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

/** Saved credentials (unless reset or not kept) in a vault the dialects draw from. */
async function openVault(opts: SandboxOptions, warn: (line: string) => void): Promise<CredentialVault | undefined> {
  if (!opts.credentialsFile) return undefined;
  return opts.resetCredentials ? createCredentialVault({}, true) : createCredentialVault(await readCredentialSets(opts.credentialsFile, warn));
}

/** The record, the media kept and, with a data directory, the persistence that fills and follows them. */
async function openRecord(opts: SandboxOptions, warn: (line: string) => void) {
  const store = new MessageStore(opts.maxMessages !== undefined ? { messages: opts.maxMessages } : {});
  const replays: ReplayBook = new Map();
  if (!opts.dataDir) return { store, replays, media: createMemoryMediaStore(), persistence: undefined };
  const media = await createDiskMediaStore(join(opts.dataDir, 'media'));
  const persistence = await persistRecord(opts.dataDir, store, media, replays, warn);
  return { store, replays, media, persistence };
}

/** With a data directory: the dialects' saved settings and the opt-outs, restored and then kept (settings.json). */
async function openSettings(opts: SandboxOptions, dialects: Map<string, SandboxDialect>, store: MessageStore, warn: (line: string) => void) {
  if (!opts.dataDir) return undefined;
  return persistSettings(join(opts.dataDir, 'settings.json'), dialects, store, optOutsFor(store), warn);
}

/** Starts the sandbox. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new RangeError(`the sandbox only listens on loopback (got ${host})`);
  const log = opts.log ?? (() => undefined);
  const warn = opts.warn ?? log;
  const vault = await openVault(opts, warn);
  const { store, replays, media, persistence } = await openRecord(opts, warn);
  const closing = new AbortController();
  const random = opts.random ?? Math.random;
  const faults = createFaultInjector(opts.faults ?? {}, random);
  let origin = '';
  let port = 0;
  const allowRemote = Boolean(opts.allowRemoteMedia);
  const stepDelayMs = opts.stepDelayMs ?? 50;
  // Webhook chaos is read from the live fault settings at each delivery; resends from the web phone and media fetches never see it.
  const chaos = () => faults.faults.webhookChaos;
  const delivery: WebhookDeliveryOptions = { store, allowRemote, log, signal: closing.signal, replays, chaos, random };
  const services: SandboxServices = {
    deliverWebhook: createWebhookDelivery(delivery),
    store,
    fetcher: createMediaFetcher({ allowRemote, media, signal: closing.signal }),
    origin: () => origin,
    log,
    stepDelayMs,
    step: () => new Promise<void>((r) => setTimeout(r, stepDelayMs).unref()),
    ...(vault ? { credentials: vault } : {}),
  };
  const dialects = new Map<string, SandboxDialect>();
  for (const d of DIALECT_FACTORIES.map((create) => create(services))) dialects.set(d.provider, d);
  let settings: SettingsPersistence | undefined;
  try {
    if (vault?.changed && opts.credentialsFile) await writeCredentialSets(opts.credentialsFile, vault.sets);
    settings = await openSettings(opts, dialects, store, warn);
  } catch (err) {
    await persistence?.close();
    throw err;
  }
  const info = (): SandboxInfo => ({
    origin,
    providers: Object.fromEntries([...dialects.values()].map((d) => [d.provider, { baseUrl: `${origin}/${d.provider}`, ...d.describe() }])),
    faults: faults.faults,
  });
  const events = createEventHub(store);
  const afterClear = async () => {
    await persistence?.flush();
    await settings?.flush();
  };
  const admin = createAdminRouter({
    store,
    faults,
    info,
    media,
    dialects,
    origin: () => origin,
    delivery,
    events,
    afterClear,
    optOutsChanged: () => settings?.changed(),
    closing: closing.signal,
  });
  const mounts: Mounts = { dialects, admin, faults, events, port: () => port, settingsTouched: () => settings?.changed() };
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
  let addr: AddressInfo;
  try {
    addr = await listen(server, opts.port ?? 0, host);
  } catch (err) {
    await settings?.close();
    await persistence?.close();
    throw err;
  }
  port = addr.port;
  origin = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  let closed: Promise<void> | undefined;
  const close = async () => {
    closing.abort();
    events.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
    await settings?.close();
    await persistence?.close();
  };
  return {
    origin,
    port: addr.port,
    store,
    dialects,
    faults: faults.faults,
    baseUrl: (p) => `${origin}/${p}`,
    info,
    credentialsCreated: vault?.changed ?? true,
    close: () => (closed ??= close()),
  };
}
