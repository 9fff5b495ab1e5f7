// The only importer of undici. One dispatcher per process, explicit timeouts, abort on Ctrl+C,
// and a redacted debug log. It never retries on its own: callers decide, because a resent
// message-creating POST is a duplicate MMS the user pays for.
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

async function getDispatcher(env: NodeJS.ProcessEnv): Promise<Dispatcher> {
  if (sharedDispatcher) return sharedDispatcher;
  const undici = await import('undici');
  const hasProxy = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((k) => env[k]);
  sharedDispatcher = hasProxy
    ? new undici.EnvHttpProxyAgent({ connect: { timeout: 10_000 } })
    : new undici.Agent({ connect: { timeout: 10_000 }, keepAliveTimeout: 10_000, connections: 64 });
  return sharedDispatcher;
}

/** Closes the shared dispatcher so the process can exit promptly. */
export async function closeHttp(): Promise<void> {
  const d = sharedDispatcher;
  sharedDispatcher = undefined;
  if (d) await d.close().catch(() => undefined);
}

/** Creates the HTTP client used by provider adapters. */
export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const env = opts.env ?? process.env;
  const log = opts.debug;
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 4);
  return {
    async request(req) {
      const { request } = await import('undici');
      const dispatcher = await getDispatcher(env);
      const timeoutMs = req.timeoutMs ?? 30_000;
      const started = Date.now();
      // One controller per request, with a timer cleared as soon as it completes: AbortSignal.timeout()
      // and AbortSignal.any() would keep a timer and listeners alive for the full timeout, which at
      // thousands of requests a second is most of the process's memory.
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new Error('timeout'));
      }, timeoutMs);
      const onOuterAbort = () => controller.abort(req.signal?.reason);
      if (req.signal?.aborted) onOuterAbort();
      else req.signal?.addEventListener('abort', onOuterAbort, { once: true });
      const signal = controller.signal;
      if (log) {
        log(`> ${req.method} ${redactText(req.url, secrets)}`);
        for (const [k, v] of Object.entries(redactHeaders(req.headers ?? {}))) log(`> ${k}: ${v}`);
        // Binary bodies (media uploads) are summarised, never dumped.
        if (typeof req.body === 'string') log(`> ${redactText(req.body, secrets).slice(0, 2000)}`);
        else if (req.body !== undefined) log(`> <${req.body.length} bytes of binary body>`);
      }
      try {
        const res = await request(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          dispatcher,
          signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const text = await res.body.text();
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        }
        if (log) {
          log(`< ${res.statusCode} (${Date.now() - started} ms)`);
          log(`< ${redactText(text, secrets).slice(0, 2000)}`);
        }
        return { status: res.statusCode, headers, text };
      } catch (err) {
        throw toTransportError(err, req, opts.provider, timedOut, req.signal?.aborted ?? false);
      } finally {
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onOuterAbort);
      }
    },
  };
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

function toTransportError(err: unknown, req: HttpRequest, provider: string, timedOut: boolean, cancelled: boolean): ProviderError {
  const host = safeHost(req.url);
  const code = errCode(err);
  if (cancelled) {
    return new ProviderError(ErrorCode.CANCELLED, ExitCode.INTERRUPTED, `Request to ${host} was cancelled`, {
      provider,
      cause: err,
      details: { requestSent: 'maybe' },
    });
  }
  if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new ProviderError(ErrorCode.TIMEOUT, ExitCode.UNAVAILABLE, `No answer from ${host} within ${Math.round((req.timeoutMs ?? 30_000) / 1000)} s`, {
      provider,
      cause: err,
      suggestion: 'Check your network, or the provider status page, and try again',
      details: { requestSent: 'maybe' },
    });
  }
  const notSent = isNotSentError(code);
  const what = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'could not resolve' : 'could not reach';
  return new ProviderError(
    ErrorCode.NETWORK_ERROR,
    ExitCode.UNAVAILABLE,
    notSent ? `Network error: ${what} ${host} (${code})` : `Network error talking to ${host}${code ? ` (${code})` : ''}`,
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
