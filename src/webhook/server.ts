// The local HTTP server behind `mms listen` (webhooks) and `mms send --media ./file` (media hosting).
// It binds a loopback address only: the outside world reaches it through a tunnel, and a tunnel
// hostname is not a secret (CT logs, scanners, the tunnel operator), so every route also lives
// under a random, unguessable prefix and everything else is a 404. Security notes: reference
// tunnels.md §4.
import { randomBytes } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ErrorCode, UsageError } from '../errors/errors.js';
import { safeFileName } from '../output/sanitize.js';
import { isLoopbackAddress } from './loopback.js';

/** Default request body limit. Provider callbacks are small (a Twilio form is a few KB). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** A webhook request as the server received it, body fully read. */
export interface WebhookHttpRequest {
  method: string;
  /** Raw path as received (no decoding, no normalisation), without the query. */
  path: string;
  /** The raw request target: path plus `?query`. Append it to the public base URL to get the URL the caller signed. */
  url: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

/** What a webhook handler answers. */
export interface WebhookHttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Handles one POST to a webhook route. A thrown error becomes a 500 and is reported via onHandlerError. */
export type WebhookHandler = (req: WebhookHttpRequest) => WebhookHttpResponse | Promise<WebhookHttpResponse>;

/** A local file to serve publicly (through the tunnel) for a provider to fetch. */
export interface MediaFileSpec {
  /** Absolute path of a regular file. */
  path: string;
  contentType: string;
  /** Expected size in bytes; when given, a file whose size changed since validation is not served. */
  size?: number;
  /** Name shown at the end of the URL (default: the path's base name, made URL- and file-safe). */
  fileName?: string;
  /**
   * The file's bytes, read once by the caller: then every fetch is served from this one copy (no
   * re-read per recipient, and a file edited after validation cannot change what is sent).
   */
  data?: Buffer;
  /**
   * Optional access check of the fetch's `Authorization` header (`mms trigger` serves media the way
   * a provider that requires auth on its media URLs does); a refused fetch gets a 401 and is not counted.
   */
  authorize?: { check(authorization: string | undefined): boolean; challenge: string };
}

/** Where a media file is served. */
export interface MediaRoute {
  token: string;
  /** Path under the server root, e.g. `/<prefix>/media/<token>/photo.jpg`. */
  routePath: string;
}

/** One GET or HEAD of a media file. */
export interface MediaFetchEvent {
  token: string;
  routePath: string;
  method: 'GET' | 'HEAD';
  /** Body bytes written (0 for HEAD). */
  bytes: number;
  /** The whole response was handed to the socket (false when the client went away mid-transfer). */
  complete: boolean;
  /** Completed GETs of this file so far, this one included. */
  fetchCount: number;
  userAgent?: string;
}

/** A request the server refused, for a line on stderr (sanitize `path` before printing it). */
export interface RejectedRequestEvent {
  method: string;
  path: string;
  status: number;
  reason: string;
}

/** Options of {@link startWebhookServer}. */
export interface WebhookServerOptions {
  /** Loopback address to bind: 127.0.0.1 (default), another 127.x address, or ::1. Anything else is refused. */
  host?: string;
  /** 0 (default) lets the OS pick a free port. */
  port?: number;
  /** Maximum request body in bytes (default 1 MiB); larger bodies get 413. */
  bodyLimit?: number;
  onMediaFetched?: (ev: MediaFetchEvent) => void;
  onRejected?: (ev: RejectedRequestEvent) => void;
  onHandlerError?: (err: unknown, routePath: string) => void;
}

/** A running server. */
export interface WebhookServer {
  readonly host: string;
  readonly port: number;
  /** The random path prefix (base64url, no slashes); every route starts with `/<prefix>/`. */
  readonly prefix: string;
  /** `http://127.0.0.1:<port>` (brackets for IPv6): the tunnel's target, never public. */
  readonly origin: string;
  /** Registers POST `/<prefix>/hooks/<name>` and returns that path. Names: letters, digits, `-`, `_`, `/`-separated. */
  addWebhookRoute(name: string, handler: WebhookHandler): string;
  /** Serves a file by GET/HEAD under a fresh random token. */
  addMediaFile(spec: MediaFileSpec): MediaRoute;
  /** Stops serving a file; true when it was being served. */
  removeMediaFile(token: string): boolean;
  /** Completed GETs of a media file (0 for unknown tokens). */
  fetchCount(token: string): number;
  /**
   * Resolves with the completed GET that brings the file's fetch count to `atLeast` (default 1), at
   * once if it is already there; rejects when `signal` aborts (e.g. a media timeout) or for an
   * unknown token. `mms send` waits with it until every recipient's copy was fetched.
   */
  waitForMediaFetch(token: string, signal?: AbortSignal, atLeast?: number): Promise<MediaFetchEvent>;
  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void>;
}

interface MediaEntry extends MediaRoute {
  spec: MediaFileSpec;
  fetchCount: number;
  lastFetch?: MediaFetchEvent;
  /** Called at each completed GET; a waiter that returns true is done and removed. */
  waiters: Set<(ev: MediaFetchEvent) => boolean>;
}

const ROUTE_NAME = /^[A-Za-z0-9_-]{1,64}(\/[A-Za-z0-9_-]{1,64}){0,3}$/;

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/** 128 random bits, base64url: unguessable and URL-safe. */
function randomToken(): string {
  return randomBytes(16).toString('base64url');
}

/** A media URL's last segment: only characters no client re-encodes, so exact matching is safe. */
function urlSafeName(name: string): string {
  return safeFileName(name, { maxBytes: 100, fallback: 'media' }).replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Everything a running server holds, shared by the module-level handlers below. */
interface ServerState {
  readonly opts: WebhookServerOptions;
  readonly bodyLimit: number;
  readonly prefix: string;
  /** Route path → handler of POST webhooks. */
  readonly webhooks: Map<string, WebhookHandler>;
  /** Route path → served media file. */
  readonly media: Map<string, MediaEntry>;
  readonly mediaByToken: Map<string, MediaEntry>;
}

/** Calls an observer callback; an observer that throws is reported, never breaks a response. */
function report<T>(state: ServerState, cb: ((ev: T) => void) | undefined, ev: T): void {
  try {
    cb?.(ev);
  } catch (err) {
    state.opts.onHandlerError?.(err, '(callback)');
  }
}

/** The request's path without its query. */
function pathOf(req: IncomingMessage): string {
  return (req.url ?? '').split('?')[0] ?? '';
}

/** Answers a refused request with a short plain-text reason (404s say only "Not Found") and reports it. */
function reject(state: ServerState, req: IncomingMessage, res: ServerResponse, status: number, reason: string, headers: Record<string, string> = {}): void {
  report(state, state.opts.onRejected, { method: req.method ?? '', path: pathOf(req), status, reason });
  const body = status === 404 ? 'Not Found' : reason;
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** A handler that failed: 500 if nothing was sent yet, otherwise the connection is dropped. */
function failRequest(state: ServerState, req: IncomingMessage, res: ServerResponse, err: unknown, path = pathOf(req)): void {
  state.opts.onHandlerError?.(err, path);
  if (!res.headersSent) reject(state, req, res, 500, 'Internal Server Error');
  else res.destroy();
}

/** Dispatches one request by its exact raw path. */
function route(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> | void {
  const target = req.url ?? '';
  const q = target.indexOf('?');
  const path = q >= 0 ? target.slice(0, q) : target;
  // Exact comparison of the raw path: no decoding and no dot-segment resolution, so encoded or
  // plain traversal ("/x/../y", "%2e%2e") can never match a route.
  const hook = state.webhooks.get(path);
  if (hook) {
    if (req.method !== 'POST') return reject(state, req, res, 405, 'Method Not Allowed', { allow: 'POST' });
    return handleWebhook(state, req, res, hook, path, target, q >= 0 ? target.slice(q + 1) : '');
  }
  const entry = state.media.get(path);
  if (entry) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return reject(state, req, res, 405, 'Method Not Allowed', { allow: 'GET, HEAD' });
    const auth = entry.spec.authorize;
    if (auth && !auth.check(req.headers.authorization)) return reject(state, req, res, 401, 'Unauthorized', { 'www-authenticate': auth.challenge });
    return serveMedia(state, req, res, entry);
  }
  reject(state, req, res, 404, 'unknown path');
}

/**
 * Reads a size-limited body and calls `done` once: with the bytes, or with undefined when the
 * request was refused (413, already answered) or the client went away. Callbacks, not promises:
 * this is the hot path of a listener under a burst of webhooks.
 */
function readBody(state: ServerState, req: IncomingMessage, res: ServerResponse, done: (body: Buffer | undefined) => void): void {
  const { bodyLimit } = state;
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > bodyLimit) {
    reject(state, req, res, 413, 'Payload Too Large', { connection: 'close' });
    req.resume();
    done(undefined);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const finish = (body: Buffer | undefined): void => {
    if (settled) return;
    settled = true;
    done(body);
  };
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > bodyLimit) {
      req.off('data', onData);
      reject(state, req, res, 413, 'Payload Too Large', { connection: 'close' });
      req.resume();
      finish(undefined);
      return;
    }
    chunks.push(chunk);
  };
  req.on('data', onData);
  req.once('end', () => {
    if (size <= bodyLimit) finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  });
  // The client went away mid-body: nobody to answer, and the handler must not run.
  req.once('close', () => {
    if (!req.complete) finish(undefined);
  });
  req.once('error', () => {
    finish(undefined);
    res.destroy();
  });
}

/** Writes a webhook handler's answer. */
function respond(res: ServerResponse, reply: WebhookHttpResponse): void {
  const body = reply.body === undefined ? '' : reply.body;
  // Webhook answers go to the provider only: no browser-oriented headers, nothing to cache.
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...lowerKeys(reply.headers ?? {}) };
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (length > 0 && headers['content-type'] === undefined) headers['content-type'] = 'text/plain; charset=utf-8';
  headers['content-length'] = String(length);
  res.writeHead(reply.status, headers);
  res.end(body);
}

/** Reads the body, runs the route's handler and writes its answer. */
function handleWebhook(state: ServerState, req: IncomingMessage, res: ServerResponse, handler: WebhookHandler, path: string, url: string, query: string): void {
  readBody(state, req, res, (rawBody) => {
    if (!rawBody) return;
    let answer: WebhookHttpResponse | Promise<WebhookHttpResponse>;
    try {
      answer = handler({ method: 'POST', path, url, query: new URLSearchParams(query), headers: req.headers, rawBody });
    } catch (err) {
      failRequest(state, req, res, err, path);
      return;
    }
    // Handlers are usually synchronous: answer in the same turn.
    if (answer instanceof Promise)
      answer.then(
        (reply) => respond(res, reply),
        (err: unknown) => failRequest(state, req, res, err, path),
      );
    else respond(res, answer);
  });
}

/** Counts a finished fetch, wakes waiters on a complete GET, and reports it. */
function recordFetch(state: ServerState, req: IncomingMessage, entry: MediaEntry, method: 'GET' | 'HEAD', bytes: number, complete: boolean): void {
  if (complete && method === 'GET') entry.fetchCount++;
  const ev: MediaFetchEvent = { token: entry.token, routePath: entry.routePath, method, bytes, complete, fetchCount: entry.fetchCount };
  const ua = req.headers['user-agent'];
  if (ua !== undefined) ev.userAgent = ua;
  if (complete && method === 'GET') {
    entry.lastFetch = ev;
    for (const w of entry.waiters) if (w(ev)) entry.waiters.delete(w);
  }
  report(state, state.opts.onMediaFetched, ev);
}

function serveMediaFromMemory(state: ServerState, req: IncomingMessage, res: ServerResponse, entry: MediaEntry, data: Buffer): void {
  const method = req.method === 'HEAD' ? 'HEAD' : 'GET';
  res.writeHead(200, { ...COMMON_HEADERS, 'content-type': entry.spec.contentType, 'content-length': String(data.length), 'accept-ranges': 'none' });
  res.once('close', () => {
    const complete = res.writableFinished;
    recordFetch(state, req, entry, method, method === 'GET' && complete ? data.length : 0, complete);
  });
  res.end(method === 'HEAD' ? undefined : data);
}

/** Pipes a media stream to the response and reports the bytes written once, complete or not. */
function pipeMedia(stream: ReadStream, res: ServerResponse, finish: (bytes: number, complete: boolean) => void): void {
  let bytes = 0;
  let done = false;
  stream.on('data', (c) => (bytes += c.length));
  const settle = (complete: boolean): void => {
    if (done) return;
    done = true;
    finish(bytes, complete);
  };
  res.once('finish', () => settle(true));
  res.once('close', () => {
    settle(false);
    stream.destroy();
  });
  stream.once('error', () => res.destroy());
  stream.pipe(res);
}

/** Serves a media file (from memory when its bytes were given, else from disk as it is now). */
async function serveMedia(state: ServerState, req: IncomingMessage, res: ServerResponse, entry: MediaEntry): Promise<void> {
  if (entry.spec.data) return serveMediaFromMemory(state, req, res, entry, entry.spec.data);
  const method = req.method === 'HEAD' ? 'HEAD' : 'GET';
  const handle = await open(entry.spec.path, 'r').catch(() => undefined);
  if (!handle) return reject(state, req, res, 404, 'media file is no longer readable');
  let handedOff = false;
  try {
    const st = await handle.stat();
    if (!st.isFile()) return reject(state, req, res, 404, 'media path is not a regular file');
    if (entry.spec.size !== undefined && st.size !== entry.spec.size) {
      return reject(state, req, res, 500, `media file changed size since it was added (${entry.spec.size} → ${st.size} bytes)`);
    }
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'content-type': entry.spec.contentType,
      'content-length': String(st.size),
      'accept-ranges': 'none',
    });
    const finish = (bytes: number, complete: boolean): void => recordFetch(state, req, entry, method, bytes, complete);
    if (method === 'HEAD' || st.size === 0) {
      res.end();
      finish(0, true);
      return;
    }
    // Stream exactly st.size bytes from the descriptor we checked: a file that grows meanwhile
    // cannot make us send more than Content-Length.
    const stream = handle.createReadStream({ start: 0, end: st.size - 1, autoClose: true });
    handedOff = true;
    pipeMedia(stream, res, finish);
  } finally {
    if (!handedOff) await handle.close();
  }
}

/** The address to bind: a loopback literal (brackets removed), or a UsageError. */
function loopbackBindHost(host: string): string {
  if (!isLoopbackAddress(host)) {
    throw new UsageError(`Refusing to listen on ${host}: the webhook server binds a loopback address only`, {
      code: ErrorCode.INVALID_ARGUMENT,
      suggestion: 'Use 127.0.0.1 or ::1 and expose the server with --tunnel or --public-url',
    });
  }
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/** The node:http server, with bounded waits. */
function createHttpServer(state: ServerState): Server {
  const server = createServer((req, res) => {
    try {
      route(state, req, res)?.catch((err: unknown) => failRequest(state, req, res, err));
    } catch (err) {
      failRequest(state, req, res, err);
    }
  });
  // Bounded waits so a slow or stalled client (slowloris through the tunnel) cannot hold sockets;
  // a long keep-alive lets tunnel clients reuse connections instead of racing our idle close.
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  server.maxHeadersCount = 100;
  return server;
}

/** Listens on host:port; a busy or forbidden port becomes a UsageError. */
async function listenOn(server: Server, host: string, bindHost: string, port: number): Promise<void> {
  await new Promise<void>((resolve, rejectP) => {
    server.once('error', rejectP);
    server.listen({ port, host: bindHost, exclusive: true }, () => {
      server.off('error', rejectP);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
      throw new UsageError(`Cannot listen on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'port already in use' : 'permission denied'}`, {
        code: ErrorCode.INVALID_ARGUMENT,
        suggestion: 'Pick another --port, or use --port 0 for a free one',
        cause: err,
      });
    }
    throw err;
  });
}

function addWebhookRoute(state: ServerState, name: string, handler: WebhookHandler): string {
  if (!ROUTE_NAME.test(name)) throw new Error(`Invalid webhook route name: ${JSON.stringify(name)}`);
  const path = `/${state.prefix}/hooks/${name}`;
  if (state.webhooks.has(path)) throw new Error(`Webhook route already registered: ${name}`);
  state.webhooks.set(path, handler);
  return path;
}

function addMediaFile(state: ServerState, spec: MediaFileSpec): MediaRoute {
  const token = randomToken();
  const routePath = `/${state.prefix}/media/${token}/${urlSafeName(spec.fileName ?? basename(spec.path))}`;
  const entry: MediaEntry = { token, routePath, spec: { ...spec }, fetchCount: 0, waiters: new Set() };
  state.media.set(routePath, entry);
  state.mediaByToken.set(token, entry);
  return { token, routePath };
}

function removeMediaFile(state: ServerState, token: string): boolean {
  const entry = state.mediaByToken.get(token);
  if (!entry) return false;
  state.mediaByToken.delete(token);
  state.media.delete(entry.routePath);
  return true;
}

function waitForMediaFetch(state: ServerState, token: string, signal: AbortSignal | undefined, atLeast: number): Promise<MediaFetchEvent> {
  const entry = state.mediaByToken.get(token);
  if (!entry) return Promise.reject(new Error(`Unknown media token`));
  if (entry.lastFetch && entry.fetchCount >= atLeast) return Promise.resolve(entry.lastFetch);
  return new Promise((resolve, rejectP) => {
    const onAbort = (): void => {
      entry.waiters.delete(done);
      rejectP(signal?.reason ?? new Error('aborted'));
    };
    const done = (ev: MediaFetchEvent): boolean => {
      if (ev.fetchCount < atLeast) return false;
      signal?.removeEventListener('abort', onAbort);
      resolve(ev);
      return true;
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    entry.waiters.add(done);
  });
}

/**
 * Graceful first: idle keep-alive sockets go now, responses being written (the 200 to the
 * callback that ended a --wait) get up to a second, then everything is dropped.
 */
function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}

/** Starts the loopback webhook/media server. Throws UsageError for a non-loopback host or a busy port. */
export async function startWebhookServer(opts: WebhookServerOptions = {}): Promise<WebhookServer> {
  const host = opts.host ?? '127.0.0.1';
  const bindHost = loopbackBindHost(host);
  const state: ServerState = {
    opts,
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    prefix: randomToken(),
    webhooks: new Map(),
    media: new Map(),
    mediaByToken: new Map(),
  };
  const server = createHttpServer(state);
  await listenOn(server, host, bindHost, opts.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    host: bindHost,
    port,
    prefix: state.prefix,
    origin: `http://${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${port}`,
    addWebhookRoute: (name, handler) => addWebhookRoute(state, name, handler),
    addMediaFile: (spec) => addMediaFile(state, spec),
    removeMediaFile: (token) => removeMediaFile(state, token),
    fetchCount: (token) => state.mediaByToken.get(token)?.fetchCount ?? 0,
    waitForMediaFetch: (token, signal, atLeast = 1) => waitForMediaFetch(state, token, signal, atLeast),
    close: () => (closing ??= closeServer(server)),
  };
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}
