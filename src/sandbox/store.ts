// In-memory record of every message the sandbox accepted and every webhook it tried, exposed as
// JSON for tests and scripts. Changes are published as events (subscribe()), so the terminal
// output, and later a web UI or a persistence layer, can follow the record without polling.

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
  kind: 'inbound' | 'status';
  messageId: string;
  url: string;
  at: string;
  status?: number;
  error?: string;
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

/** The sandbox's record. Listeners run synchronously, in subscription order. */
export class MessageStore {
  private readonly byId = new Map<string, SandboxMessage>();
  private readonly attempts: WebhookAttempt[] = [];
  private readonly listeners = new Set<StoreListener>();
  private readonly messageLimit: number;
  private readonly webhookLimit: number;

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
    if (this.byId.size > this.messageLimit) {
      const oldest = this.byId.keys().next().value;
      if (oldest !== undefined) this.byId.delete(oldest);
    }
    this.emit({ type: 'message.created', message: msg });
    return msg;
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

  list(filter: { provider?: string; to?: string } = {}): SandboxMessage[] {
    const out: SandboxMessage[] = [];
    for (const m of this.byId.values()) {
      if (filter.provider && m.provider !== filter.provider) continue;
      if (filter.to && m.to !== filter.to) continue;
      out.push(m);
    }
    return out;
  }

  /** Forgets every message (the webhook log is cleared separately, with clearWebhooks). */
  clear(): void {
    this.byId.clear();
  }

  get size(): number {
    return this.byId.size;
  }

  /** Records a delivery attempt as it starts; finishWebhook() records its outcome. */
  startWebhook(attempt: Omit<WebhookAttempt, 'at' | 'status' | 'error'>): WebhookAttempt {
    const a: WebhookAttempt = { ...attempt, at: new Date().toISOString() };
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

  /** Every recorded attempt, oldest first. */
  webhooks(): readonly WebhookAttempt[] {
    return this.attempts;
  }

  clearWebhooks(): void {
    this.attempts.length = 0;
  }
}
