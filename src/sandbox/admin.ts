// The sandbox's own API under /_sandbox/: the message record (with a long poll for tests and
// scripts), inbound injection, the webhook log and resend, media, fault settings and the facts a
// client needs (base URLs, credentials, numbers), and the opt-out book (STOP/START) with a way to
// clear one pair. JSON only; no provider shapes here.
import { optOutsFor } from './carrier.js';
import { createRouter, route, type Router } from './router.js';
import type { Faults, FaultInjector } from './faults.js';
import { matchesFilter, type MessageFilter, type MessageStore, type SandboxMessage } from './store.js';
import type { MediaStore } from './persist-media.js';
import { json, type InboundInjection, type SandboxDialect, type SandboxRequest, type SandboxResponse } from './types.js';
import { resendWebhook, type WebhookDeliveryOptions } from './webhooks.js';
import type { EventHub } from './ui/events.js';
import { OPT_OUTS_EVENT, optOutView } from './ui/opt-outs.js';

/** Everything the admin API reads or changes. */
export interface AdminDeps {
  store: MessageStore;
  faults: FaultInjector;
  /** GET /_sandbox/info. */
  info: () => unknown;
  media: MediaStore;
  dialects: Map<string, SandboxDialect>;
  origin: () => string;
  /** How webhooks are delivered (a resend goes the same way). */
  delivery: WebhookDeliveryOptions;
  events: EventHub;
  /** Called after "clear all" (persistence writes the empty record). */
  afterClear: () => Promise<void>;
  /** Called after an opt-out is cleared (persistence saves the clear, so a restart keeps it). */
  optOutsChanged: () => void;
  /** Aborted when the sandbox closes: long polls answer at once. */
  closing: AbortSignal;
}

/** Mount point of the admin API. */
export const ADMIN_PREFIX = '/_sandbox';

/** Longest long poll (?wait=), so a forgotten client does not hold a request forever. */
const MAX_WAIT_MS = 120_000;
const E164ISH = /^\+?[0-9]{3,15}$/;
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;
const MEDIA_TYPES = /^(image|audio|video)\//;

/** Parses `?wait=`: "10s", "500ms", "2m" or a number of seconds; undefined when malformed. */
export function parseWait(value: string | null): number | undefined {
  if (value === null || value === '') return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  return Math.min(Math.round(ms), MAX_WAIT_MS);
}

/** The listing's filter; undefined when `since` is not a time. */
function filterOf(q: URLSearchParams): MessageFilter | undefined {
  const f: MessageFilter = {};
  for (const k of ['provider', 'to', 'from', 'number', 'q'] as const) {
    const v = q.get(k);
    if (v) f[k] = v;
  }
  const since = q.get('since');
  if (since) {
    // Normalised, so that it compares as text with the stored ISO times (milliseconds, Z).
    const t = Date.parse(since);
    if (Number.isNaN(t)) return undefined;
    f.since = new Date(t).toISOString();
  }
  return f;
}

/** The matching messages now, or the first one created within `ms` (empty when none came). */
function waitForMessages(store: MessageStore, filter: MessageFilter, ms: number, closing: AbortSignal): Promise<SandboxMessage[]> {
  const now = store.list(filter);
  if (now.length > 0 || ms <= 0 || closing.aborted) return Promise.resolve(now);
  return new Promise((resolve) => {
    const done = (found: SandboxMessage[]) => {
      clearTimeout(timer);
      stop();
      closing.removeEventListener('abort', onClose);
      resolve(found);
    };
    const stop = store.subscribe((e) => {
      if (e.type === 'message.created' && matchesFilter(e.message, filter)) done([e.message]);
    });
    const timer = setTimeout(() => done([]), ms);
    const onClose = () => done([]);
    closing.addEventListener('abort', onClose, { once: true });
  });
}

async function listMessages(d: AdminDeps, req: SandboxRequest): Promise<SandboxResponse> {
  const wait = parseWait(req.query.get('wait'));
  if (wait === undefined) return json(400, { error: 'wait must be a duration such as 10s, 500ms or 2m' });
  const filter = filterOf(req.query);
  if (!filter) return json(400, { error: 'since must be a time such as 2026-12-01T10:00:00Z' });
  return json(200, { messages: await waitForMessages(d.store, filter, wait, d.closing) });
}

/** The body of POST /_sandbox/inbound, checked; a string is the error to answer with. */
function parseInbound(raw: Buffer): { to: string; from: string; body: string; media: Array<{ contentType: string; bytes: Buffer }> } | string {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    return 'body must be JSON: {"to","from","body","media":[{"contentType","data" (base64)}]}';
  }
  const { to, from, body = '', media = [] } = v;
  if (typeof to !== 'string' || !E164ISH.test(to)) return '"to" must be a sandbox number, e.g. +15005550006';
  if (typeof from !== 'string' || !E164ISH.test(from)) return '"from" must be a phone number in E.164, e.g. +15551234567';
  if (typeof body !== 'string') return '"body" must be a string';
  if (!Array.isArray(media)) return '"media" must be an array';
  const files: Array<{ contentType: string; bytes: Buffer }> = [];
  for (const item of media as Array<Record<string, unknown>>) {
    if (typeof item?.data !== 'string') return 'each media item needs "data" (base64)';
    const contentType = typeof item.contentType === 'string' ? item.contentType.toLowerCase().trim() : '';
    files.push({ contentType: MIME.test(contentType) ? contentType : 'application/octet-stream', bytes: Buffer.from(item.data, 'base64') });
  }
  if (!body && files.length === 0) return 'a message needs a body or media';
  const plus = (n: string) => (n.startsWith('+') ? n : `+${n}`);
  return { to: plus(to), from: plus(from), body, media: files };
}

async function inbound(d: AdminDeps, req: SandboxRequest): Promise<SandboxResponse> {
  const parsed = parseInbound(req.rawBody);
  if (typeof parsed === 'string') return json(400, { error: parsed });
  const dialect = [...d.dialects.values()].find((x) => x.describe().numbers.includes(parsed.to));
  if (!dialect) {
    const numbers = [...d.dialects.values()].flatMap((x) => x.describe().numbers);
    return json(404, { error: `${parsed.to} is not a sandbox number; the sandbox's numbers are ${numbers.join(', ')}` });
  }
  if (!dialect.inject) return json(501, { error: `the ${dialect.provider} dialect cannot deliver injected messages yet` });
  const media: InboundInjection['media'] = [];
  for (const f of parsed.media) {
    const kept = await d.media.put(f.bytes, f.contentType);
    media.push({
      url: `${d.origin()}${ADMIN_PREFIX}/media/${kept.sha256}`,
      contentType: f.contentType,
      size: f.bytes.length,
      sha256: kept.sha256,
      bytes: f.bytes,
    });
  }
  const message = await dialect.inject({ ...parsed, media });
  const webhooks = d.store.webhooks().filter((a) => a.messageId === message.id);
  return json(201, { message, webhooks });
}

/** A kept media file, served with its stored type and headers that keep it from acting as a page. */
async function mediaFile(d: AdminDeps, sha: string, method: string): Promise<SandboxResponse> {
  const found = await d.media.get(sha);
  if (!found) return json(404, { error: 'no such media' });
  const type = MIME.test(found.meta.contentType) ? found.meta.contentType : 'application/octet-stream';
  return {
    status: 200,
    headers: {
      'content-type': type,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'private, max-age=86400, immutable',
      // Only images, audio and video show inline; anything else downloads.
      'content-disposition': MEDIA_TYPES.test(type) ? 'inline' : 'attachment',
    },
    body: method === 'HEAD' ? Buffer.alloc(0) : found.bytes,
  };
}

/** A path parameter, URL-decoded; '' when its escapes are malformed (it then names nothing: a 404, not a 500). */
function decode(param: string | undefined): string {
  try {
    return decodeURIComponent(param ?? '');
  } catch {
    return '';
  }
}

/** GET /_sandbox/opt-outs. */
function listOptOuts(d: AdminDeps): SandboxResponse {
  return json(200, { optOuts: optOutView(d.store) });
}

/**
 * DELETE /_sandbox/opt-outs/<provider>/<handset>/<sender>: forgets that `handset` sent STOP to
 * `sender`, as if it had sent START, without a message in the record or a webhook to the app (an
 * operator's override, which no provider offers; the handset's own START is the realistic way).
 */
function clearOptOut(d: AdminDeps, params: Record<string, string | undefined>): SandboxResponse {
  const [provider, handset, sender] = [params.provider, params.handset, params.sender].map((p) => decode(p));
  const book = optOutsFor(d.store);
  if (!d.dialects.has(provider!) || !book.isOptedOut(provider!, sender!, handset!)) {
    return json(404, { error: `${handset} has not opted out of ${sender} on ${provider}` });
  }
  // Nothing is stored or delivered; the clear itself is saved, so a restart does not replay an older STOP.
  book.remove(provider!, handset!, sender!, new Date().toISOString());
  d.optOutsChanged();
  const optOuts = optOutView(d.store);
  d.events.broadcast(OPT_OUTS_EVENT, { optOuts });
  return json(200, { optOuts });
}

const SETTINGS = ['rateLimit', 'failRate', 'throttleRate', 'resetRate', 'timeoutRate', 'latencyMs', 'webhookChaos'] as const;
const CHAOS_SETTINGS = ['dup', 'reorder', 'lateMs', 'late'] as const;
/** Longest added latency or late delay, ms (a timer beyond 2^31 ms would fire at once). */
export const MAX_DELAY_MS = 600_000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isShare = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;
const isDelay = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_DELAY_MS;
const shareError = (name: string) => `${name} must be a number from 0 to 1 (a share: 0.05 is 5%)`;

/** PUT /_sandbox/faults' webhookChaos, checked; a string is the error. */
function parseChaos(v: unknown): Faults['webhookChaos'] | string {
  if (!isRecord(v)) return 'webhookChaos must be an object such as {"dup": 0.05, "reorder": 0.05, "lateMs": 2000}';
  const out: NonNullable<Faults['webhookChaos']> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'dup' || k === 'reorder' || k === 'late') {
      if (!isShare(x)) return shareError(`webhookChaos.${k}`);
      out[k] = x;
    } else if (k === 'lateMs') {
      if (!isDelay(x)) return `webhookChaos.lateMs must be whole milliseconds from 0 to ${MAX_DELAY_MS}`;
      out.lateMs = x;
    } else return `unknown webhookChaos setting "${k}"; the settings are ${CHAOS_SETTINGS.join(', ')}`;
  }
  if (out.late !== undefined && out.lateMs === undefined) return 'webhookChaos.late is the share of status callbacks made late: set webhookChaos.lateMs too';
  return out;
}

/** One top-level setting into `out`; the error, if any. */
function parseSetting(out: Faults, k: string, x: unknown): string | undefined {
  if (k === 'rateLimit') {
    if (typeof x !== 'number' || !(x > 0) || !Number.isFinite(x)) return 'rateLimit must be a number of requests per second above 0';
    out.rateLimit = x;
  } else if (k === 'failRate' || k === 'throttleRate' || k === 'resetRate' || k === 'timeoutRate') {
    if (!isShare(x)) return shareError(k);
    out[k] = x;
  } else if (k === 'latencyMs') {
    if (!Array.isArray(x) || x.length !== 2 || !isDelay(x[0]) || !isDelay(x[1]) || x[1] < x[0]) {
      return `latencyMs must be [min, max], whole milliseconds from 0 to ${MAX_DELAY_MS}, max not below min`;
    }
    out.latencyMs = [x[0], x[1]];
  } else if (k === 'webhookChaos') {
    const chaos = parseChaos(x);
    if (typeof chaos === 'string') return chaos;
    out.webhookChaos = chaos;
  } else return `unknown fault setting "${k}"; the settings are ${SETTINGS.join(', ')}`;
  return undefined;
}

/** The body of PUT /_sandbox/faults, checked whole (nothing changes when one setting is wrong); a string is the error. */
export function parseFaults(raw: Buffer): Faults | string {
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    return 'body must be JSON: {"failRate": 0.05, "latencyMs": [20, 80], "webhookChaos": {"dup": 0.05}, …}';
  }
  if (!isRecord(v)) return 'body must be a JSON object of fault settings';
  const out: Faults = {};
  for (const [k, x] of Object.entries(v)) {
    const error = parseSetting(out, k, x);
    if (error) return error;
  }
  return out;
}

async function clearAll(d: AdminDeps): Promise<SandboxResponse> {
  d.store.clear();
  d.store.clearWebhooks();
  // Opt-outs are folded from the record's STOP/START messages: a cleared record has none.
  optOutsFor(d.store).clear();
  d.delivery.replays?.clear();
  await d.media.clear();
  await d.afterClear();
  d.events.broadcast('cleared', {});
  return json(200, { cleared: true });
}

/** The admin routes; request paths are below ADMIN_PREFIX (e.g. `/messages`). */
export function createAdminRouter(d: AdminDeps): Router {
  const { store, faults, info } = d;
  return createRouter([
    route('GET', '/info', () => json(200, info())),
    route('GET', '/messages', (req) => listMessages(d, req)),
    route('POST', '/inbound', (req) => inbound(d, req)),
    route('GET', '/webhooks', () => json(200, { webhooks: store.webhooks() })),
    route('POST', '/webhooks/:id/resend', async (_req, p) => {
      const attempt = await resendWebhook(d.delivery, decode(p.id));
      return attempt ? json(200, attempt) : json(404, { error: 'no such webhook attempt (or its request is no longer kept)' });
    }),
    route('DELETE', '/messages', () => clearAll(d)),
    route('GET', '/messages/:id', (_req, p) => {
      const m = store.get(decode(p.id));
      return m ? json(200, m) : json(404, { error: 'no such message' });
    }),
    route(['GET', 'HEAD'], '/media/:sha([0-9a-f]{64})', (req, p) => mediaFile(d, p.sha!, req.method)),
    route('GET', '/faults', () => json(200, faults.faults)),
    route(['PUT', 'POST'], '/faults', (req) => {
      const next = parseFaults(req.rawBody);
      if (typeof next === 'string') return json(400, { error: next });
      faults.replace(next);
      return json(200, faults.faults);
    }),
    route('GET', '/opt-outs', () => listOptOuts(d)),
    route('DELETE', '/opt-outs/:provider/:handset/:sender', (_req, p) => clearOptOut(d, p)),
  ]);
}
