// The only importer of undici. One dispatcher per process, explicit timeouts, abort on Ctrl+C,
// and a redacted debug log. It never retries on its own: callers decide, because a resent
// message-creating POST is a duplicate MMS the user pays for.
import { createRequire } from 'node:module';
import type { Dispatcher } from 'undici';
import { ErrorCode, ProviderError } from '../errors/errors.js';
import { ExitCode } from '../errors/exit-codes.js';
import { redactHeaders, redactText } from '../config/redact.js';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Whole-request timeout (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
  /**
   * The provider's clock minus ours (ms), estimated from the `Date` header of the latest answer;
   * undefined before the first answer with one. The message-log search window allows for it.
   */
  clockSkewMs?(): number | undefined;
}

/** Network failure codes that mean the request never left this machine: always safe to retry. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL']);

/** True when a transport error shows the request was never written (so resending cannot duplicate). */
export function isNotSentError(code: string | undefined): boolean {
  return code !== undefined && NOT_SENT_CODES.has(code);
}

/**
 * The client for one provider call: every request carries the call's abort signal (Ctrl+C) and
 * these default headers (usually the auth), so adapters state neither per request.
 */
export function callClient(ctx: { http: HttpClient; signal?: AbortSignal | undefined }, headers?: Record<string, string>): HttpClient {
  return {
    request: (req) =>
      ctx.http.request({
        ...req,
        ...(headers ? { headers: { ...headers, ...req.headers } } : {}),
        ...(ctx.signal && !req.signal ? { signal: ctx.signal } : {}),
      }),
  };
}

export interface HttpClientOptions {
  provider: string;
  /** Debug log sink (stderr under --debug); receives already-redacted lines. */
  debug?: (line: string) => void;
  /** Secrets to scrub from anything logged, besides the usual headers. */
  secrets?: string[];
  env?: NodeJS.ProcessEnv;
}

let sharedDispatcher: Dispatcher | undefined;

/** A request's deadline unless it sets `timeoutMs`. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** How long past its deadline a request may stay unsettled before the dispatcher is destroyed. */
const HARD_GRACE_MS = 1_000;
let hardGraceMs = HARD_GRACE_MS;

/** Tests only: shortens the grace after a deadline (`undefined` puts back the default), so a test of a deaf HTTP library does not wait a second. */
export function setHardGraceForTests(ms: number | undefined): void {
  hardGraceMs = ms ?? HARD_GRACE_MS;
}
/** undici's timeout for one connection attempt. */
const CONNECT_TIMEOUT_MS = 10_000;

/** One request through `dispatcher` (undici's `request`, with the options this module passes). */
type RequestFn = (url: string, opts: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher }) => Promise<Dispatcher.ResponseData>;

/** The parts of undici this module uses. */
interface UndiciParts {
  Agent: typeof import('undici').Agent;
  /** A getter: only a run with a proxy configured pays for it. */
  EnvHttpProxyAgent: typeof import('undici').EnvHttpProxyAgent;
  request: RequestFn;
}

let undiciParts: UndiciParts | undefined;

/**
 * undici's own modules for an agent and `request`, not its index: the index loads all of undici
 * (fetch, WebSocket, caches, mocks: ~110 files, and node's bundled undici through its cookies
 * module), about 0.1 s of CPU on every `mms` run that makes a request. `request` does what the
 * index's wrapper does: parse the URL, then call the request API with the dispatcher as `this`.
 * An undici whose files have moved falls back to the index; package.json pins undici's exact version,
 * so what ships is the version tested.
 */
function loadUndici(): UndiciParts {
  if (undiciParts) return undiciParts;
  const require = createRequire(import.meta.url);
  try {
    const apiRequest = require('undici/lib/api/api-request.js') as (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
    const { parseURL } = require('undici/lib/core/util.js') as { parseURL(url: string): URL };
    undiciParts = {
      Agent: require('undici/lib/dispatcher/agent.js') as UndiciParts['Agent'],
      // The proxy agent opens its tunnel with the CONNECT API, which the index adds to every dispatcher.
      get EnvHttpProxyAgent() {
        return (require('undici') as typeof import('undici')).EnvHttpProxyAgent;
      },
      request: (url, { dispatcher, ...opts }) => {
        const u = parseURL(url);
        return apiRequest.call(dispatcher, { ...opts, origin: u.origin, path: u.search ? `${u.pathname}${u.search}` : u.pathname });
      },
    };
  } catch {
    const undici = require('undici') as typeof import('undici');
    undiciParts = { Agent: undici.Agent, EnvHttpProxyAgent: undici.EnvHttpProxyAgent, request: (url, opts) => undici.request(url, opts) };
  }
  return undiciParts;
}

function getDispatcher(env: NodeJS.ProcessEnv): Dispatcher {
  if (sharedDispatcher) return sharedDispatcher;
  const undici = loadUndici();
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY ?? '';
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY ?? '';
  // The proxy settings come from the run's environment (not undici's own look at process.env).
  sharedDispatcher =
    httpProxy || httpsProxy
      ? new undici.EnvHttpProxyAgent({ connect: { timeout: CONNECT_TIMEOUT_MS }, httpProxy, httpsProxy, noProxy: env.no_proxy ?? env.NO_PROXY ?? '' })
      : new undici.Agent({ connect: { timeout: CONNECT_TIMEOUT_MS }, keepAliveTimeout: 10_000, connections: 64 });
  return sharedDispatcher;
}

/**
 * Destroys a dispatcher that ignored an abort (undici 7's EnvHttpProxyAgent reconnects forever to a
 * proxy that closes CONNECT, deaf to the signal): it stops its loop; the next request gets a new one.
 */
function discardDispatcher(d: Dispatcher): void {
  if (sharedDispatcher === d) sharedDispatcher = undefined;
  void d.destroy(new Error('request deadline passed')).catch(() => undefined);
}

/** Closes the shared dispatcher so the process can exit promptly (destroying it if requests hang). */
export async function closeHttp(): Promise<void> {
  const d = sharedDispatcher;
  sharedDispatcher = undefined;
  if (!d) return;
  let timer: NodeJS.Timeout | undefined;
  const closed = d.close().then(
    () => true,
    () => true,
  );
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), hardGraceMs);
  });
  const isClosed = await Promise.race([closed, late]);
  clearTimeout(timer);
  if (!isClosed) await d.destroy().catch(() => undefined);
}

/**
 * A view of `dispatcher` that calls `onWrite` when undici is about to write this request to a
 * connected socket (handler.onConnect / onRequestStart): before that, the request cannot have
 * reached the provider, whatever goes wrong (a proxy refusing or closing the tunnel, a deadline).
 */
function observeWrite(dispatcher: Dispatcher, onWrite: () => void): Dispatcher {
  const hooks = new Set<PropertyKey>(['onConnect', 'onRequestStart']);
  return dispatcher.compose(
    (dispatch) => (opts, handler) =>
      dispatch(
        opts,
        new Proxy(handler, {
          get(target, prop, receiver) {
            const v: unknown = Reflect.get(target, prop, receiver);
            if (typeof v !== 'function') return v;
            const fn = v as (...args: unknown[]) => unknown;
            if (!hooks.has(prop)) return fn.bind(target);
            return (...args: unknown[]) => {
              onWrite();
              return fn.apply(target, args);
            };
          },
        }),
      ),
  );
}

/** The provider's clock minus ours from a `Date` header (1 s resolution: the middle of its second), or undefined. */
export function skewFromDateHeader(date: string | undefined, receivedAt: number): number | undefined {
  if (!date) return undefined;
  const t = Date.parse(date);
  return Number.isFinite(t) ? t + 500 - receivedAt : undefined;
}

/** What one request learned about its own fate, for the error it may end with. */
interface RequestState {
  /** undici started writing it to a connected socket: it may have reached the provider. */
  written: boolean;
  timedOut: boolean;
  /** The deadline passed and undici had not given up: we did. */
  hardTimeout: boolean;
}

/** Creates the HTTP client used by provider adapters. */
export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const env = opts.env ?? process.env;
  const log = opts.debug;
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 4);
  let skewMs: number | undefined;
  return {
    clockSkewMs: () => skewMs,
    async request(req) {
      const dispatcher = getDispatcher(env);
      if (log) logRequest(log, req, secrets);
      const started = Date.now();
      const state: RequestState = { written: false, timedOut: false, hardTimeout: false };
      try {
        const res = await withDeadline(req, dispatcher, state);
        const date = res.headers.date;
        skewMs = skewFromDateHeader(date, Date.now()) ?? skewMs;
        if (log) {
          log(`< ${res.status} (${Date.now() - started} ms)`);
          log(`< ${redactText(res.text, secrets).slice(0, 2000)}`);
        }
        return res;
      } catch (err) {
        throw toTransportError(err, req, opts.provider, state, req.signal?.aborted ?? false);
      }
    },
  };
}

function logRequest(log: (line: string) => void, req: HttpRequest, secrets: string[]): void {
  log(`> ${req.method} ${redactText(req.url, secrets)}`);
  for (const [k, v] of Object.entries(redactHeaders(req.headers ?? {}))) log(`> ${k}: ${v}`);
  // Binary bodies (media uploads) are summarised, never dumped.
  if (typeof req.body === 'string') log(`> ${redactText(req.body, secrets).slice(0, 2000)}`);
  else if (req.body !== undefined) log(`> <${req.body.length} bytes of binary body>`);
}

/**
 * Runs one request under a deadline that holds even when undici does not: at the deadline (or on
 * Ctrl+C) the request is aborted, and if undici has not settled it HARD_GRACE_MS later, this
 * rejects on its own and the dispatcher is destroyed. The deadline counts time queued for a free
 * connection too (up to --concurrency 512 requests share 64 connections). One controller and timer
 * per request, cleared as soon as it completes: AbortSignal.timeout()/any() would keep timers and
 * listeners alive for the full timeout, which at thousands of requests a second is most of the
 * process's memory.
 */
async function withDeadline(req: HttpRequest, dispatcher: Dispatcher, state: RequestState): Promise<HttpResponse> {
  const { request } = loadUndici();
  const timeoutMs = req.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const controller = new AbortController();
  let hardReject: ((err: Error) => void) | undefined;
  const hard = new Promise<never>((_, reject) => {
    hardReject = reject;
  });
  let graceTimer: NodeJS.Timeout | undefined;
  const giveUp = (reason: unknown): void => {
    controller.abort(reason);
    graceTimer ??= setTimeout(() => {
      state.hardTimeout = true;
      discardDispatcher(dispatcher);
      hardReject?.(new Error('the HTTP library did not give up at the deadline'));
    }, hardGraceMs);
  };
  const onTimeout = (): void => {
    state.timedOut = true;
    giveUp(new Error('timeout'));
  };
  const timer = setTimeout(onTimeout, timeoutMs);
  const onOuterAbort = (): void => giveUp(req.signal?.reason);
  if (req.signal?.aborted) onOuterAbort();
  else req.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const run = async (): Promise<HttpResponse> => {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      dispatcher: observeWrite(dispatcher, () => (state.written = true)),
      signal: controller.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await res.body.text();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    return { status: res.statusCode, headers, text };
  };
  const pending = run();
  // The hard deadline may win the race: the loser's rejection is expected and ignored.
  pending.catch(() => undefined);
  try {
    return await Promise.race([pending, hard]);
  } finally {
    clearTimeout(timer);
    clearTimeout(graceTimer);
    req.signal?.removeEventListener('abort', onOuterAbort);
  }
}

function errCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    e = (e as { cause?: unknown }).cause;
  }
  const top = (err as { code?: unknown } | undefined)?.code;
  return typeof top === 'string' ? top : undefined;
}

/** The status a proxy answered to CONNECT (undici: "Proxy response (403) !== 200 when HTTP Tunneling"). */
function proxyRefusal(err: unknown): number | undefined {
  const m = /Proxy response \((\d{3})\) !== 200/.exec(err instanceof Error ? err.message : '');
  return m ? Number(m[1]) : undefined;
}

function toTransportError(err: unknown, req: HttpRequest, provider: string, state: RequestState, cancelled: boolean): ProviderError {
  const host = safeHost(req.url);
  const code = errCode(err);
  // Before undici wrote the request to a connected socket, nothing can have reached the provider.
  const sent = (isSent: boolean): { requestSent: 'no' | 'maybe' } => ({ requestSent: isSent && state.written ? 'maybe' : 'no' });
  if (cancelled) {
    return new ProviderError(ErrorCode.CANCELLED, ExitCode.INTERRUPTED, `Request to ${host} was cancelled`, { provider, cause: err, details: sent(true) });
  }
  if (state.timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    const seconds = Math.round((req.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) / 1000);
    return new ProviderError(
      ErrorCode.TIMEOUT,
      ExitCode.UNAVAILABLE,
      state.written ? `No answer from ${host} within ${seconds} s` : `Could not connect to ${host} within ${seconds} s`,
      {
        provider,
        cause: err,
        suggestion: 'Check your network (and proxy settings), or the provider status page, and try again',
        details: { ...sent(true), ...(state.hardTimeout ? { hardDeadline: true } : {}) },
      },
    );
  }
  const proxyStatus = proxyRefusal(err);
  if (proxyStatus !== undefined && !state.written) {
    return new ProviderError(ErrorCode.NETWORK_ERROR, ExitCode.UNAVAILABLE, `Network error: the proxy refused to connect to ${host} (HTTP ${proxyStatus})`, {
      provider,
      cause: err,
      suggestion: 'Check HTTPS_PROXY / NO_PROXY and whether the proxy allows this host; nothing was sent',
      details: { requestSent: 'no', proxyStatus, transportCode: code },
    });
  }
  const notSent = isNotSentError(code) || !state.written;
  const what = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'could not resolve' : 'could not reach';
  return new ProviderError(
    ErrorCode.NETWORK_ERROR,
    ExitCode.UNAVAILABLE,
    notSent ? `Network error: ${what} ${host}${code ? ` (${code})` : ''}` : `Network error talking to ${host}${code ? ` (${code})` : ''}`,
    {
      provider,
      cause: err,
      suggestion: 'Check your network connection and the API base URL (`mms whoami`), then try again',
      details: { requestSent: notSent ? 'no' : 'maybe', transportCode: code },
    },
  );
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the provider';
  }
}
