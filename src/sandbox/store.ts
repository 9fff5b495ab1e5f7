// In-memory record of every message the sandbox accepted and every webhook it tried, exposed as
// JSON for tests and scripts. Changes are published as events (subscribe()), so the terminal
// output, and later a web UI or a persistence layer, can follow the record without polling.
import { randomBytes } from 'node:crypto';
import type { MediaStore } from './persist-media.js';

export interface SandboxMedia {
  url: string;
  status: 'pending' | 'fetched' | 'failed';
  contentType?: string;
  size?: number;
  sha256?: string;
  error?: string;
}

export interface SandboxMessage {
  id: string;
  provider: string;
  account: string;
  direction: 'outbound' | 'inbound';
  to: string;
  from: string;
  body: string;
  media: SandboxMedia[];
  status: string;
  errorCode?: number | string;
  errorMessage?: string;
  statusCallback?: string;
  createdAt: string;
  updatedAt: string;
  history: Array<{ status: string; at: string }>;
}

/** One webhook the sandbox tried to deliver (GET /_sandbox/webhooks). */
export interface WebhookAttempt {
  /** Unique per attempt (the key a resend names). */
  id?: string;
  kind: 'inbound' | 'status';
  messageId: string;
  url: string;
  at: string;
  status?: number;
  error?: string;
  /** What was sent, with Authorization and other credential headers redacted; the body cut at 64 KB. */
  request?: { method: string; headers: Record<string, string>; body: string };
  /** The receiver's answer body, cut at 4 KB. */
  response?: { body: string };
  durationMs?: number;
  /** The attempt this one repeats (the web phone's resend button). */
  resendOf?: string;
}

/** What changed in the store; `message` and `attempt` are the live records. */
export type StoreEvent =
  | { type: 'message.created'; message: SandboxMessage }
  | { type: 'message.status'; message: SandboxMessage }
  | { type: 'webhook.attempted'; attempt: WebhookAttempt };

export type StoreListener = (event: StoreEvent) => void;

export interface StoreLimits {
  /** Messages kept (oldest dropped beyond it) so a long-running sandbox stays bounded. */
  messages?: number;
  /** Webhook attempts kept. */
  webhooks?: number;
}

/** Which messages a listing returns (GET /_sandbox/messages). */
export interface MessageFilter {
  provider?: string;
  to?: string;
  from?: string;
  /** Either party is this number. */
  number?: string;
  /** Case-insensitive text found in the body, a number or the id. */
  q?: string;
  /** Created at or after this ISO time. */
  since?: string;
}

/** True when `m` passes every condition of `f`. */
export function matchesFilter(m: SandboxMessage, f: MessageFilter): boolean {
  if (f.provider && m.provider !== f.provider) return false;
  if (f.to && m.to !== f.to) return false;
  if (f.from && m.from !== f.from) return false;
  if (f.number && m.to !== f.number && m.from !== f.number) return false;
  if (f.since && m.createdAt < f.since) return false;
  if (f.q) {
    const q = f.q.toLowerCase();
    if (![m.body, m.to, m.from, m.id].some((v) => v.toLowerCase().includes(q))) return false;
  }
  return true;
}

/** The sandbox's record. Listeners run synchronously, in subscription order. */
export class MessageStore {
  private readonly byId = new Map<string, SandboxMessage>();
  private readonly attempts: WebhookAttempt[] = [];
  private readonly listeners = new Set<StoreListener>();
  private readonly messageLimit: number;
  private readonly webhookLimit: number;
  private prunedCount = 0;
  /**
   * Dialect details of kept messages the record itself does not show (a Sinch batch's recipients and
   * delivery report kind, Telnyx's messaging profile, Twilio's ME… SIDs): by message id, then by a
   * key the dialect chooses. Saved with the messages so the provider API serves them after a restart.
   */
  private readonly detailsById = new Map<string, Record<string, unknown>>();
  private readonly detailListeners = new Set<() => void>();
  /** The media files kept with the record (set by the persistence: a dialect finds its hosted files there after a restart). */
  mediaFiles: MediaStore | undefined;

  constructor(limits: StoreLimits = {}) {
    this.messageLimit = limits.messages ?? 200_000;
    this.webhookLimit = limits.webhooks ?? 10_000;
  }

  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: StoreListener): () => void {
    // A wrapper per subscription, so the same function subscribed twice is called twice.
    const entry: StoreListener = (e) => listener(e);
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  private emit(event: StoreEvent): void {
    for (const l of [...this.listeners]) l(event);
  }

  add(msg: SandboxMessage): SandboxMessage {
    this.byId.set(msg.id, msg);
    this.prune();
    this.emit({ type: 'message.created', message: msg });
    return msg;
  }

  /**
   * Calls `start` and returns the first message it adds before its first await (how an injected
   * inbound message is found: the dialects store it synchronously, then deliver it).
   */
  capture<T>(start: () => Promise<T>): { message: SandboxMessage | undefined; done: Promise<T> } {
    let message: SandboxMessage | undefined;
    const stop = this.subscribe((e) => {
      if (e.type === 'message.created') message ??= e.message;
    });
    try {
      const done = start();
      return { message, done };
    } finally {
      stop();
    }
  }

  /** Drops the oldest messages beyond the limit. */
  private prune(): void {
    while (this.byId.size > this.messageLimit) {
      const oldest = this.byId.keys().next().value;
      if (oldest === undefined) break;
      this.byId.delete(oldest);
      this.detailsById.delete(oldest);
      this.prunedCount++;
    }
  }

  /** How many messages retention has dropped since this store was created. */
  get pruned(): number {
    return this.prunedCount;
  }

  /** Restores a saved record (oldest first) without publishing it; retention applies. */
  load(messages: readonly SandboxMessage[], attempts: readonly WebhookAttempt[] = [], details: Record<string, Record<string, unknown>> = {}): void {
    for (const m of messages) {
      this.byId.set(m.id, m);
      const d = Object.hasOwn(details, m.id) ? details[m.id] : undefined;
      if (d && typeof d === 'object' && !Array.isArray(d)) this.detailsById.set(m.id, d);
    }
    this.prune();
    this.attempts.push(...attempts);
    if (this.attempts.length > this.webhookLimit) this.attempts.splice(0, this.attempts.length - this.webhookLimit);
  }

  get(id: string): SandboxMessage | undefined {
    return this.byId.get(id);
  }

  setStatus(id: string, status: string, extra: Partial<Pick<SandboxMessage, 'errorCode' | 'errorMessage'>> = {}): SandboxMessage | undefined {
    const m = this.byId.get(id);
    if (!m) return undefined;
    const at = new Date().toISOString();
    m.status = status;
    m.updatedAt = at;
    m.history.push({ status, at });
    if (extra.errorCode !== undefined) m.errorCode = extra.errorCode;
    if (extra.errorMessage !== undefined) m.errorMessage = extra.errorMessage;
    this.emit({ type: 'message.status', message: m });
    return m;
  }

  list(filter: MessageFilter = {}): SandboxMessage[] {
    const out: SandboxMessage[] = [];
    for (const m of this.byId.values()) if (matchesFilter(m, filter)) out.push(m);
    return out;
  }

  /** Forgets every message (the webhook log is cleared separately, with clearWebhooks). */
  clear(): void {
    this.byId.clear();
    this.detailsById.clear();
  }

  /** A dialect's detail `key` of message `id` (the live object: changes to it are saved at the next write). */
  detail(id: string, key: string): unknown {
    return this.detailsById.get(id)?.[key];
  }

  /** Sets (or, with undefined, removes) a dialect's detail of a message and asks the persistence to save it. */
  setDetail(id: string, key: string, value: unknown): void {
    const d = this.detailsById.get(id) ?? {};
    if (value === undefined) delete d[key];
    else d[key] = value;
    if (Object.keys(d).length > 0) this.detailsById.set(id, d);
    else this.detailsById.delete(id);
    for (const l of [...this.detailListeners]) l();
  }

  /** The details of the kept messages, by message id (what the persistence saves). */
  details(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [id, d] of this.detailsById) if (this.byId.has(id)) out[id] = d;
    return out;
  }

  /** Calls `listener` when a detail changes (details publish no store event); returns the unsubscribe. */
  onDetail(listener: () => void): () => void {
    const entry = () => listener();
    this.detailListeners.add(entry);
    return () => this.detailListeners.delete(entry);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Records a delivery attempt as it starts; finishWebhook() records its outcome. */
  startWebhook(attempt: Omit<WebhookAttempt, 'at' | 'status' | 'error'>): WebhookAttempt {
    const a: WebhookAttempt = { id: `WA${randomBytes(8).toString('hex')}`, ...attempt, at: new Date().toISOString() };
    this.attempts.push(a);
    if (this.attempts.length > this.webhookLimit) this.attempts.shift();
    return a;
  }

  /** Records the answer (HTTP status) or the error of an attempt and publishes it. */
  finishWebhook(attempt: WebhookAttempt, outcome: { status: number } | { error: string }): void {
    if ('status' in outcome) attempt.status = outcome.status;
    else attempt.error = outcome.error;
    this.emit({ type: 'webhook.attempted', attempt });
  }

  /** One attempt by id. */
  webhook(id: string): WebhookAttempt | undefined {
    return this.attempts.find((a) => a.id === id);
  }

  /** Every recorded attempt, oldest first. */
  webhooks(): readonly WebhookAttempt[] {
    return this.attempts;
  }

  clearWebhooks(): void {
    this.attempts.length = 0;
  }
}
