// The event log of `mms listen`: every webhook it accepted, with the raw request (auth headers
// redacted), what it meant, and every forward to the app with the app's answer. One 0600 JSON file
// per event in `<config dir>/events` (0700), named so that names sort by time; bounded to the
// newest `max` (default 1,000). `mms events list|show|replay` read it.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configDir } from '../../config/store.js';
import type { WebhookEvent } from '../../core/types.js';
import type { ForwardAttempt } from '../forward/forward.js';

/** Default bound of the log. */
export const DEFAULT_EVENT_LOG_MAX = 1000;

/** One stored webhook. */
export interface StoredEvent {
  /** `ev_` + time (base 36, fixed width) + random: sorts by arrival. */
  id: string;
  /** ISO 8601 UTC. */
  receivedAt: string;
  provider: string;
  kind: 'inbound' | 'status';
  /** False only under --insecure-skip-verify. */
  verified: boolean;
  request: { method: string; url: string; headers: Record<string, string | string[]>; body: string; bodyEncoding: 'utf8' | 'base64' };
  events: WebhookEvent[];
  forwards: ForwardAttempt[];
  /**
   * True for a message catch-up read back from the provider's message log (no webhook reached the
   * listener): `request` is then no webhook but the log record as read (method GET, url '', the
   * record's JSON as body, secrets masked), and `verified` means it came from the provider's API.
   */
  recovered?: true;
}

/** Headers whose values are credentials (Vonage's JWT, Bandwidth's Basic password, cookies). */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** The request's headers with credentials replaced by "[redacted]". */
export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = SECRET_HEADERS.has(k.toLowerCase()) ? '[redacted]' : v;
  }
  return out;
}

/** The body as text when it is valid UTF-8, else base64. */
export function encodeBody(raw: Buffer): { body: string; bodyEncoding: 'utf8' | 'base64' } {
  const text = raw.toString('utf8');
  return Buffer.from(text, 'utf8').equals(raw) ? { body: text, bodyEncoding: 'utf8' } : { body: raw.toString('base64'), bodyEncoding: 'base64' };
}

/** The stored body's bytes. */
export function decodeBody(e: StoredEvent): Buffer {
  return Buffer.from(e.request.body, e.request.bodyEncoding === 'base64' ? 'base64' : 'utf8');
}

/** A new event id for `now`. */
export function newEventId(now: Date): string {
  return `ev_${now.getTime().toString(36).padStart(9, '0')}${randomBytes(5).toString('hex')}`;
}

/** The event log. */
export interface EventLog {
  readonly dir: string;
  /** Stores a new event, then drops the oldest beyond the bound. */
  append(e: StoredEvent): Promise<void>;
  /** Adds a forward attempt to a stored event (no-op when it was dropped). */
  addForward(id: string, attempt: ForwardAttempt): Promise<void>;
  /** Every stored event, oldest first. */
  list(): Promise<StoredEvent[]>;
  /** One event by id (or a unique id prefix); undefined when absent. */
  get(id: string): Promise<StoredEvent | undefined>;
  /** The event an id or prefix names, and how many stored ids start with it (more than 1: ambiguous, no event). */
  find(prefix: string): Promise<{ event?: StoredEvent; matches: number }>;
}

/** When an event was stored, from its file name (ids start with the time in base 36); NaN for other names. */
export function eventTimeMs(name: string): number {
  return parseInt(name.slice(3, 12), 36);
}

/** Bounds of the log: the newest `max` events, and (when set) none older than `maxAgeMs`. */
export interface EventLogOptions {
  max?: number;
  maxAgeMs?: number;
  now?: () => Date;
}

/** Opens the event log in `<config dir>/events` (created 0700 on first write). */
export function openEventLog(env: NodeJS.ProcessEnv, opts: EventLogOptions = {}): EventLog {
  const dir = join(configDir(env), 'events');
  const max = opts.max ?? DEFAULT_EVENT_LOG_MAX;
  const now = opts.now ?? (() => new Date());
  // Writes run one after another: an event's forward is never written before the event itself.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };
  const file = (id: string) => join(dir, `${id}.json`);
  const names = async (): Promise<string[]> => {
    const all = await readdir(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
    return all.filter((n) => /^ev_[0-9a-z]+\.json$/.test(n)).sort();
  };
  const read = async (name: string): Promise<StoredEvent | undefined> => {
    try {
      return JSON.parse(await readFile(join(dir, name), 'utf8')) as StoredEvent;
    } catch {
      return undefined;
    }
  };
  const write = async (e: StoredEvent): Promise<void> => {
    await writeFile(file(e.id), JSON.stringify(e), { mode: 0o600 });
  };
  // The names on disk, read once per process: a listener under a burst appends without listing the
  // directory each time. Ids sort by time, so the oldest are at the head.
  let known: string[] | undefined;
  const find = async (prefix: string): Promise<{ event?: StoredEvent; matches: number }> => {
    await chain;
    const matches = (await names()).filter((n) => n.startsWith(prefix));
    const event = matches.length === 1 ? await read(matches[0]!) : undefined;
    return { ...(event ? { event } : {}), matches: matches.length };
  };
  return {
    dir,
    append: (e) =>
      serial(async () => {
        if (known === undefined) {
          await mkdir(dir, { recursive: true, mode: 0o700 });
          await chmod(dir, 0o700);
          known = await names();
        }
        await write(e);
        known.push(`${e.id}.json`);
        const cutoff = opts.maxAgeMs !== undefined ? now().getTime() - opts.maxAgeMs : -Infinity;
        while (known.length > max || (known.length > 0 && eventTimeMs(known[0]!) < cutoff)) await rm(join(dir, known.shift()!), { force: true });
      }),
    addForward: (id, attempt) =>
      serial(async () => {
        const e = await read(`${id}.json`);
        if (!e) return;
        e.forwards.push(attempt);
        await write(e);
      }),
    list: async () => {
      await chain;
      const out: StoredEvent[] = [];
      for (const n of await names()) {
        const e = await read(n);
        if (e) out.push(e);
      }
      return out;
    },
    get: async (id) => (await find(id)).event,
    find,
  };
}
