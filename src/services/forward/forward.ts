// `mms listen --forward-to`: a verified webhook goes on to the user's app with the provider's method,
// content type, body and headers (hop-by-hop ones dropped), re-signed for the app's URL where the
// provider's signature covers the URL. The app's answer (status, content type, body; size-limited)
// goes back to the provider, so a TwiML reply works as it would in production. An app that is down
// or slow gets the provider a 502/504, so the provider retries; the listener reports it and goes on.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Credentials, WebhookRequest } from '../../providers/types.js';
import type { WebhookHttpResponse } from '../../webhook/server.js';
import type { WebhookKit } from './signers.js';

/** Default wait for the app's answer: below the providers' own webhook timeouts (Twilio: 15 s). */
export const DEFAULT_FORWARD_TIMEOUT_MS = 10_000;
/** Default limit on the app's answer, like intake's limit on requests. */
export const DEFAULT_ANSWER_LIMIT = 1024 * 1024;

// RFC 9110 §7.6.1 hop-by-hop fields, plus what the new connection sets itself.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
  // Only the answer's status, Content-Type and body are relayed: ask the app for an uncompressed one.
  'accept-encoding',
  // The tunnel's view of the URL (https, its hostname): an app that rebuilds the URL it checks the
  // signature against from these would get the tunnel's URL, not the one we signed for.
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'forwarded',
]);

/** Why a forward got no usable answer. */
export type ForwardFailure = 'unreachable' | 'timeout' | 'too-large' | 'bad-url' | 'interrupted';

/** One forward of a webhook to the app and what came back. */
export interface ForwardAttempt {
  method: string;
  url: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  durationMs: number;
  /** True when the request was re-signed for `url`. */
  resigned: boolean;
  /** The app's status, when it answered. */
  status?: number;
  contentType?: string;
  /** What the provider was answered with (the app's status, or 502/504). */
  answered: number;
  error?: { reason: ForwardFailure; message: string };
  /** Sent by `mms events replay`. */
  replay?: true;
}

/** Options of {@link forwardWebhook}. */
export interface ForwardOptions {
  kit?: Pick<WebhookKit, 'resign'>;
  credentials: Credentials;
  timeoutMs?: number;
  answerLimit?: number;
  /** Schedules the timeout; returns a cancel function (default: setTimeout). */
  setTimer?: (ms: number, fn: () => void) => () => void;
  now?: () => Date;
  /** Monotonic milliseconds for durations (default: performance.now). */
  clockMs?: () => number;
  signal?: AbortSignal;
}

/** The headers to send on: the provider's, minus hop-by-hop fields and those the Connection header names. */
export function forwardHeaders(headers: WebhookRequest['headers']): Record<string, string | string[]> {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    const key = k.toLowerCase();
    if (v === undefined || HOP_BY_HOP.has(key) || named.has(key)) continue;
    out[key] = v;
  }
  return out;
}

class AnswerTooLarge extends Error {}

interface AppAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP exchange with a size-limited answer body. */
function exchange(url: URL, method: string, headers: Record<string, string | string[]>, body: Buffer, limit: number, signal: AbortSignal): Promise<AppAnswer> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers: { ...headers, 'content-length': String(body.length) }, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          res.destroy();
          reject(new AnswerTooLarge(`the app's answer is larger than ${limit} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

const defaultTimer = (ms: number, fn: () => void): (() => void) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

/** Forwards a verified webhook to `targetUrl`; resolves with the answer for the provider and what happened (never rejects). */
export async function forwardWebhook(
  req: WebhookRequest,
  targetUrl: string,
  opts: ForwardOptions,
): Promise<{ reply: WebhookHttpResponse; attempt: ForwardAttempt }> {
  const clock = opts.clockMs ?? (() => performance.now());
  const t0 = clock();
  const base = { method: req.method, url: targetUrl, startedAt: (opts.now?.() ?? new Date()).toISOString() };
  const fail = (reason: ForwardFailure, message: string, answered: number, resigned: boolean) => ({
    reply: { status: answered, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `mms listen: forward to the app failed (${reason})` },
    attempt: { ...base, durationMs: Math.round(clock() - t0), resigned, answered, error: { reason, message } },
  });
  let resigned: { url: string; headers: Record<string, string> } | undefined;
  let url: URL;
  try {
    resigned = opts.kit?.resign?.(req, targetUrl, opts.credentials);
    url = new URL(resigned?.url ?? targetUrl);
  } catch (err) {
    return fail('bad-url', (err as Error).message, 502, false);
  }
  const headers = { ...forwardHeaders(req.headers), ...(resigned?.headers ?? {}) };
  const isResigned = resigned !== undefined && Object.keys(resigned.headers).length > 0;
  const ac = new AbortController();
  const onAbort = (): void => ac.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS;
  const cancel = (opts.setTimer ?? defaultTimer)(timeoutMs, () => {
    timedOut = true;
    ac.abort(new Error('timeout'));
  });
  try {
    const answer = await exchange(url, req.method, headers, req.rawBody, opts.answerLimit ?? DEFAULT_ANSWER_LIMIT, ac.signal);
    const contentType = answer.headers['content-type'];
    const reply: WebhookHttpResponse = { status: answer.status, body: answer.body, ...(contentType ? { headers: { 'content-type': contentType } } : {}) };
    const attempt: ForwardAttempt = { ...base, durationMs: Math.round(clock() - t0), resigned: isResigned, status: answer.status, answered: answer.status };
    if (contentType) attempt.contentType = contentType;
    return { reply, attempt };
  } catch (err) {
    if (timedOut) return fail('timeout', `no answer within ${timeoutMs} ms`, 504, isResigned);
    // Ctrl+C (or SIGTERM) while the app was still answering: not the app's fault. 503, as for any
    // webhook that arrives while the listener stops, so the provider retries.
    if (opts.signal?.aborted) return fail('interrupted', 'stopped before the app answered', 503, isResigned);
    if (err instanceof AnswerTooLarge) return fail('too-large', err.message, 502, isResigned);
    const e = err as NodeJS.ErrnoException;
    return fail('unreachable', e.code ? `${e.code}: ${e.message}` : e.message, 502, isResigned);
  } finally {
    cancel();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
