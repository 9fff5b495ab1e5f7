// In-memory record of every message the sandbox accepted, exposed as JSON for tests and scripts.
import { EventEmitter } from 'node:events';

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

/** Keeps at most `limit` messages (oldest dropped) so a long-running sandbox stays bounded. */
export class MessageStore extends EventEmitter {
  private readonly byId = new Map<string, SandboxMessage>();
  constructor(private readonly limit = 200_000) {
    super();
  }

  add(msg: SandboxMessage): SandboxMessage {
    this.byId.set(msg.id, msg);
    if (this.byId.size > this.limit) {
      const oldest = this.byId.keys().next().value;
      if (oldest !== undefined) this.byId.delete(oldest);
    }
    this.emit('message', msg);
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
    this.emit('status', m);
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

  clear(): void {
    this.byId.clear();
  }

  get size(): number {
    return this.byId.size;
  }
}
