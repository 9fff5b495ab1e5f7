// Webhook delivery shared by the dialects: each dialect builds and signs its provider's request,
// this module POSTs it and records the attempt in the store (which publishes it): the request with
// credentials redacted, the answer, the time taken. The full request is kept in a replay book so the
// web phone can resend it (a byte-for-byte repeat, as a provider's retry is).
import { isLoopbackHost } from './media-fetch.js';
import type { WebhookChaos } from './faults.js';
import type { MessageStore, WebhookAttempt } from './store.js';
import type { OutgoingWebhook, WebhookAnswer } from './types.js';

export type DeliverWebhook = (hook: OutgoingWebhook, kind: 'inbound' | 'status', messageId: string) => Promise<WebhookAnswer | undefined>;

export interface WebhookDeliveryOptions {
  store: MessageStore;
  allowRemote: boolean;
  log: (line: string) => void;
  /** Aborted when the sandbox closes: deliveries in flight stop at once. */
  signal?: AbortSignal;
  /** Where full requests are kept for resend (bounded by the store's webhook log). */
  replays?: Map<string, OutgoingWebhook>;
  /** The live webhook chaos settings (read at each delivery, so PUT /_sandbox/faults applies at once); absent: none. */
  chaos?: () => WebhookChaos | undefined;
  /** Decides the chaos (injectable so tests can seed it); Math.random when absent. */
  random?: () => number;
}

/** How long a held-back status callback waits for the message's next one before it goes anyway. */
const HOLD_MS = 1000;

const REQUEST_BODY_KEPT = 64 * 1024;
const RESPONSE_BODY_KEPT = 4 * 1024;
/** What a dialect may act on (a TwiML reply is small); anything beyond this is not read. */
const ANSWER_LIMIT = 64 * 1024;
// Headers that carry credentials (Bandwidth's Basic callback creds, Vonage's Bearer JWT).
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** The headers with credential values replaced by "[redacted]". */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_HEADERS.has(k.toLowerCase()) ? '[redacted]' : v]));
}

function bodyText(body: string | Buffer): string {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  return text.length > REQUEST_BODY_KEPT ? `${text.slice(0, REQUEST_BODY_KEPT)}…` : text;
}

/** At most ANSWER_LIMIT bytes of the answer's body, as UTF-8 ('' when it cannot be read). */
async function readLimited(res: Response): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size >= ANSWER_LIMIT) {
        await res.body.cancel().catch(() => undefined);
        break;
      }
    }
  } catch {
    // A receiver that resets mid-body: keep what arrived.
  }
  return Buffer.concat(chunks).subarray(0, ANSWER_LIMIT).toString('utf8');
}

function kept(text: string): string {
  return text.length > RESPONSE_BODY_KEPT ? `${text.slice(0, RESPONSE_BODY_KEPT)}…` : text;
}

/** POSTs one hook, records the outcome on `attempt`, and returns the answer (undefined when none came). */
async function post(opts: WebhookDeliveryOptions, hook: OutgoingWebhook, attempt: WebhookAttempt): Promise<WebhookAnswer | undefined> {
  const { store } = opts;
  const started = performance.now();
  try {
    const u = new URL(hook.url);
    if (!opts.allowRemote && !isLoopbackHost(u.hostname)) {
      store.finishWebhook(attempt, { error: 'not delivered: the sandbox only calls loopback URLs unless started with --fetch-remote-media' });
      return undefined;
    }
    const body = typeof hook.body === 'string' ? hook.body : new Uint8Array(hook.body);
    const signals = [AbortSignal.timeout(15_000), ...(opts.signal ? [opts.signal] : [])];
    // The sandbox's close() aborts deliveries in flight: a hanging receiver does not hold up Ctrl+C.
    const res = await fetch(u, {
      method: 'POST',
      headers: hook.headers,
      body,
      signal: AbortSignal.any(signals),
      redirect: 'manual',
    });
    const answer: WebhookAnswer = { status: res.status, headers: res.headers, body: await readLimited(res) };
    attempt.response = { body: kept(answer.body) };
    attempt.durationMs = Math.round(performance.now() - started);
    store.finishWebhook(attempt, { status: res.status });
    return answer;
  } catch (err) {
    attempt.durationMs = Math.round(performance.now() - started);
    store.finishWebhook(attempt, { error: (err as Error).message });
    return undefined;
  }
}

function start(opts: WebhookDeliveryOptions, hook: OutgoingWebhook, base: Pick<WebhookAttempt, 'kind' | 'messageId' | 'resendOf'>): WebhookAttempt {
  const attempt = opts.store.startWebhook({
    ...base,
    url: hook.url,
    request: { method: 'POST', headers: redactHeaders(hook.headers), body: bodyText(hook.body) },
  });
  if (opts.replays && attempt.id) {
    opts.replays.set(attempt.id, hook);
    // Keep the book no longer than the log it serves.
    const live = new Set(opts.store.webhooks().map((a) => a.id));
    for (const id of opts.replays.keys()) {
      if (opts.replays.size <= live.size) break;
      if (!live.has(id)) opts.replays.delete(id);
    }
  }
  return attempt;
}

type Deliver = (hook: OutgoingWebhook, kind: 'inbound' | 'status', messageId: string, chaos?: WebhookChaos) => Promise<WebhookAnswer | undefined>;

/** One attempt, then (chaos `dup`) the same request again as a provider's retry; both are logged. */
function plainDelivery(opts: WebhookDeliveryOptions, roll: (share?: number) => boolean): Deliver {
  return async (hook, kind, messageId, chaos) => {
    const attempt = start(opts, hook, { kind, messageId });
    const answer = await post(opts, hook, attempt);
    opts.log(`webhook ${kind} ${messageId} → ${hook.url}: ${attempt.status ?? attempt.error}`);
    if (roll(chaos?.dup) && !opts.signal?.aborted) {
      const retry = start(opts, hook, { kind, messageId, ...(attempt.id ? { resendOf: attempt.id } : {}) });
      await post(opts, hook, retry);
      opts.log(`webhook ${kind} ${messageId} → ${hook.url} (duplicate): ${retry.status ?? retry.error}`);
    }
    return answer;
  };
}

/** Waits `ms` on an unref'd timer; at once when the sandbox closes. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Status callbacks under chaos: `reorder` holds one back until the message's next callback has been
 * delivered (or HOLD_MS passed, when there is no next one); `late` waits up to `lateMs` first.
 */
function chaoticDelivery(opts: WebhookDeliveryOptions, deliver: Deliver, roll: (share?: number) => boolean, random: () => number): DeliverWebhook {
  const held = new Map<string, { hook: OutgoingWebhook; release: () => void }>();
  const release = (messageId: string, chaos?: WebhookChaos): Promise<unknown> | undefined => {
    const h = held.get(messageId);
    if (!h) return undefined;
    held.delete(messageId);
    h.release();
    return deliver(h.hook, 'status', messageId, chaos);
  };
  return async (hook, kind, messageId) => {
    const chaos = opts.chaos?.();
    if (!chaos || kind !== 'status') return deliver(hook, kind, messageId, chaos);
    // The order of random() draws is part of the behaviour: reorder, then late, then dup.
    if (roll(chaos.reorder) && !held.has(messageId)) {
      // The dialect goes on to its next step at once: the held callback is sent after that step's.
      const timer = setTimeout(() => void (opts.signal?.aborted ? undefined : release(messageId, chaos)), HOLD_MS);
      timer.unref();
      held.set(messageId, { hook, release: () => clearTimeout(timer) });
      return undefined;
    }
    if (chaos.lateMs && (chaos.late === undefined || roll(chaos.late))) await pause(Math.floor(random() * chaos.lateMs), opts.signal);
    const answer = await deliver(hook, kind, messageId, chaos);
    await release(messageId, chaos);
    return answer;
  };
}

/**
 * Creates the delivery function: loopback URLs only unless `allowRemote` (--fetch-remote-media),
 * no redirects, a 15 s limit, and the webhook chaos when set. It never throws: failures are recorded and logged.
 */
export function createWebhookDelivery(opts: WebhookDeliveryOptions): DeliverWebhook {
  const random = opts.random ?? Math.random;
  const roll = (share?: number) => share !== undefined && share > 0 && random() < share;
  const deliver = plainDelivery(opts, roll);
  return chaoticDelivery(opts, deliver, roll, random);
}

/** Repeats a logged attempt (same URL, headers and body); undefined when it is not in the replay book. */
export async function resendWebhook(opts: WebhookDeliveryOptions, attemptId: string): Promise<WebhookAttempt | undefined> {
  const hook = opts.replays?.get(attemptId);
  const original = opts.store.webhook(attemptId);
  if (!hook || !original) return undefined;
  const attempt = start(opts, hook, { kind: original.kind, messageId: original.messageId, resendOf: attemptId });
  await post(opts, hook, attempt);
  return attempt;
}
