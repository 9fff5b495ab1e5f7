// Webhook intake: the one place a provider's webhook is checked and answered. A request is verified
// against the public URL the provider called (signatures cover it; a provider whose scheme is a
// challenge gets its 401 first), passed through the replay cache (each event is handed on once),
// parsed into events, handed to the caller, and answered the way the provider expects.
// `mms listen` uses it for its inbound and status routes and `mms send --wait` for its status
// route; a forwarder (`listen --forward-to`) gets the raw request and may answer with the app's reply.
import type { WebhookEvent } from '../core/types.js';
import type { Credentials, ProviderAdapter, WebhookRequest, WebhookVerificationNotes } from '../providers/types.js';
import { createReplayCache, type ReplayCache } from './replay-cache.js';
import type { WebhookHandler, WebhookHttpRequest, WebhookHttpResponse } from './server.js';

/** Which route a webhook came in on. */
export type WebhookKind = 'inbound' | 'status';

/** The adapter members intake uses. */
export type IntakeAdapter = Pick<ProviderAdapter, 'verifyWebhook' | 'parseWebhook' | 'webhookReply'>;

/** A request refused with 403: no valid signature. `client` is the raw User-Agent (sanitize before printing). */
export interface SignatureRejection {
  kind: WebhookKind;
  client: string;
}

/** What the caller does with the events of a verified webhook; it may answer in the adapter's place. */
export type IntakeAnswer = WebhookHttpResponse | Promise<WebhookHttpResponse> | undefined | void;

/** Why a verified request was answered without being handed on. */
export interface ReplayNotice {
  kind: WebhookKind;
  /** 'request': its nonce, JWT id or signature was seen before; 'events': every event in it was. */
  reason: 'request' | 'events';
}

/** Options of {@link createWebhookIntake}. */
export interface WebhookIntakeOptions {
  adapter: IntakeAdapter;
  kind: WebhookKind;
  /** Public base URL (no trailing slash) the provider calls; the request target is appended to it. */
  publicUrl: string;
  /** Credentials to verify with, read per request (a run may add some after the route exists). */
  credentials: () => Credentials;
  /** --insecure-skip-verify: accept requests without checking signatures. */
  skipVerify?: boolean;
  /** True for a request already processed (a provider's retry or a replay): answered 2xx, not handed on. */
  isDuplicate?: (req: WebhookRequest) => boolean;
  /**
   * What this intake has seen (default: a cache of its own). Pass one cache to every route of a
   * listener so a request replayed on another route is caught too; `false` turns it off.
   */
  replayCache?: ReplayCache | false;
  onRejected?: (rejection: SignatureRejection) => void;
  /** A request without credentials was answered with the provider's challenge (a step of its handshake, not a refusal). */
  onChallenged?: (challenge: SignatureRejection) => void;
  /** A replay or a provider's retry was answered 2xx without being handed on. */
  onReplay?: (notice: ReplayNotice) => void;
  onUnparseable?: (problem: { kind: WebhookKind; message: string }) => void;
  /** Called with a verified webhook's events and the raw request; returning nothing answers with the adapter's reply. */
  onEvents: (events: WebhookEvent[], req: WebhookRequest) => IntakeAnswer;
}

/** The answer to a refused signature. */
export const INVALID_SIGNATURE: WebhookHttpResponse = { status: 403, body: 'invalid signature' };

/** What the provider expects in answer to a webhook (Twilio: empty TwiML, so no auto-reply). */
export function webhookReply(adapter: Pick<ProviderAdapter, 'webhookReply'>, kind: WebhookKind): WebhookHttpResponse {
  return adapter.webhookReply?.(kind) ?? { status: 200 };
}

/** The request as adapters see it: the URL the provider signed is the public base plus the raw target. */
export function toWebhookRequest(req: WebhookHttpRequest, publicUrl: string): WebhookRequest {
  return { method: req.method, publicUrl: `${publicUrl}${req.url}`, headers: req.headers, rawBody: req.rawBody };
}

/** True when the request carries a valid signature (always true with skipVerify; false when the adapter cannot verify). */
export function isVerified(adapter: IntakeAdapter, req: WebhookRequest, credentials: Credentials, skipVerify = false): boolean {
  if (skipVerify) return true;
  return adapter.verifyWebhook?.(req, credentials) ?? false;
}

/**
 * What identifies an event across deliveries: a retry or replay carries the same message id (and,
 * for a receipt, the same status for the same recipient). Keyed per provider, not per route.
 */
export function eventReplayKey(ev: WebhookEvent): string {
  if (ev.type === 'message') return `${ev.provider}:message:${ev.id}`;
  return `${ev.provider}:status:${ev.id}:${ev.providerStatus}:${ev.to ?? ''}:${ev.errorCode ?? ''}`;
}

/** Why an event cannot be handed on (a required field is empty), or undefined when it can. */
export function eventProblem(ev: WebhookEvent): string | undefined {
  const missing = ev.type === 'message' ? (['id', 'from'] as const).filter((k) => ev[k] === '') : ev.id === '' ? ['id'] : [];
  return missing.length > 0 ? `a ${ev.type} event without ${missing.join(' or ')}` : undefined;
}

/** The parsed events, or the reason they cannot be used (the adapter threw, or an event lacks a required field). */
function parseEvents(adapter: IntakeAdapter, req: WebhookRequest): { events: WebhookEvent[] } | { problem: string } {
  let events: WebhookEvent[];
  try {
    events = adapter.parseWebhook?.(req) ?? [];
  } catch (err) {
    return { problem: err instanceof Error ? err.message : String(err) };
  }
  for (const ev of events) {
    const problem = eventProblem(ev);
    if (problem !== undefined) return { problem };
  }
  return { events };
}

/** The events not seen before (nor earlier in the same request). */
function freshEvents(events: WebhookEvent[], cache: ReplayCache): WebhookEvent[] {
  const keys = new Set<string>();
  return events.filter((ev) => {
    const key = eventReplayKey(ev);
    if (keys.has(key) || cache.has(key)) return false;
    keys.add(key);
    return true;
  });
}

/** A 2xx answer means the request was handled: only then are its keys remembered. */
function isHandled(answer: WebhookHttpResponse): boolean {
  return answer.status >= 200 && answer.status < 300;
}

/**
 * A webhook route handler: verify (403, or the provider's challenge) → replay check → parse (400)
 * → the caller → the provider's answer. Each event is handed on once: a request whose nonce, JWT
 * id or signature was seen, or whose events all were, is answered 2xx and dropped; keys are
 * remembered only once the request was answered 2xx, so a provider retries what we refused.
 */
export function createWebhookIntake(opts: WebhookIntakeOptions): WebhookHandler {
  const { adapter, kind } = opts;
  const cache = opts.replayCache === false ? undefined : (opts.replayCache ?? createReplayCache());
  const client = (httpReq: WebhookHttpRequest): SignatureRejection => ({ kind, client: String(httpReq.headers['user-agent'] ?? 'unknown client') });
  return (httpReq) => {
    const req = toWebhookRequest(httpReq, opts.publicUrl);
    const notes: WebhookVerificationNotes = { replayKeys: [] };
    req.verification = notes;
    if (!isVerified(adapter, req, opts.credentials(), opts.skipVerify)) {
      if (notes.challenge) {
        opts.onChallenged?.(client(httpReq));
        return notes.challenge;
      }
      opts.onRejected?.(client(httpReq));
      return INVALID_SIGNATURE;
    }
    if (opts.isDuplicate?.(req) || (cache && notes.replayKeys.some((k) => cache.has(k)))) {
      opts.onReplay?.({ kind, reason: 'request' });
      return webhookReply(adapter, kind);
    }
    const parsed = parseEvents(adapter, req);
    if ('problem' in parsed) {
      opts.onUnparseable?.({ kind, message: parsed.problem });
      return { status: 400, body: `unparseable webhook: ${parsed.problem}` };
    }
    const fresh = cache ? freshEvents(parsed.events, cache) : parsed.events;
    if (fresh.length === 0 && parsed.events.length > 0) {
      opts.onReplay?.({ kind, reason: 'events' });
      return webhookReply(adapter, kind);
    }
    const remember = (answer: WebhookHttpResponse): WebhookHttpResponse => {
      if (cache && isHandled(answer)) {
        for (const k of notes.replayKeys) cache.add(k);
        for (const ev of fresh) cache.add(eventReplayKey(ev));
      }
      return answer;
    };
    const answer = opts.onEvents(fresh, req);
    if (answer instanceof Promise) return answer.then(remember);
    return remember(answer ?? webhookReply(adapter, kind));
  };
}
