// Per-message data a dialect needs to serve a message the way its provider does (Telnyx's profile,
// Plivo's message type, a Sinch batch's recipients, Twilio's ME… SIDs) but the shared record does not
// show. Kept as a detail of the stored message (MessageStore.detail), so the data directory saves it
// with the message, retention drops it with the message, and a restart finds it again. Values read
// back are checked (a hand-edited or damaged file must not crash a request: a bad one reads as absent).
import type { MessageStore } from '../store.js';
import { sha256Hex } from '../persist-media.js';

/** Entries kept for ids the store does not hold (yet): bounded, oldest first out. */
const LOCAL_LIMIT = 10_000;

/** A map from message id to one kind of dialect detail, backed by the store. */
export class KeptDetails<T> {
  private readonly local = new Map<string, T>();

  constructor(
    private readonly store: MessageStore,
    private readonly key: string,
    private readonly valid: (v: unknown) => v is T,
  ) {
    // A detail set just before its message is stored moves to the store with it.
    store.subscribe((e) => {
      if (e.type !== 'message.created') return;
      const v = this.local.get(e.message.id);
      if (v === undefined) return;
      this.local.delete(e.message.id);
      store.setDetail(e.message.id, key, v);
    });
  }

  /** The detail of message `id`, or undefined (also when a saved one is malformed). */
  get(id: string): T | undefined {
    const v = this.local.get(id) ?? this.store.detail(id, this.key);
    return v !== undefined && this.valid(v) ? v : undefined;
  }

  /** Sets the detail of message `id` (the object stays live: later changes to it are saved with the next change). */
  set(id: string, value: T): void {
    if (this.store.get(id)) {
      this.store.setDetail(id, this.key, value);
      return;
    }
    this.local.set(id, value);
    if (this.local.size > LOCAL_LIMIT) this.local.delete(this.local.keys().next().value!);
  }

  delete(id: string): void {
    this.local.delete(id);
    if (this.store.detail(id, this.key) !== undefined) this.store.setDetail(id, this.key, undefined);
  }

  /** Asks the persistence to save a change made to a live detail object. */
  touch(id: string): void {
    const v = this.store.detail(id, this.key);
    if (v !== undefined) this.store.setDetail(id, this.key, v);
  }
}

export { isObject as isRecord } from '../persist-json.js';

/** True when every listed key of `v` holds a string (absent allowed for `optional`). */
export function hasStrings(v: Record<string, unknown>, required: readonly string[], optional: readonly string[] = []): boolean {
  return required.every((k) => typeof v[k] === 'string') && optional.every((k) => v[k] === undefined || typeof v[k] === 'string');
}

/**
 * The bytes of a media file kept with the record (by SHA-256), or undefined: how a dialect serves a
 * file it re-hosted before a restart (its own in-memory copy is gone).
 */
export async function keptBytes(store: MessageStore, sha256: unknown): Promise<{ bytes: Buffer; contentType: string } | undefined> {
  if (typeof sha256 !== 'string' || !store.mediaFiles) return undefined;
  const f = await store.mediaFiles.get(sha256);
  return f ? { bytes: f.bytes, contentType: f.meta.contentType } : undefined;
}

/**
 * A file a dialect re-hosts, with its SHA-256 (the inbound record carries it, so the file is found
 * again after a restart) and a copy kept with the record's media when the sandbox persists.
 */
export function keepFile(store: MessageStore, file: { bytes: Buffer; contentType: string }): { bytes: Buffer; contentType: string; sha256: string } {
  if (store.mediaFiles) void store.mediaFiles.put(file.bytes, file.contentType).catch(() => undefined);
  return { bytes: file.bytes, contentType: file.contentType, sha256: sha256Hex(file.bytes) };
}

/** The path of a URL, or undefined when it is not one. */
export function pathOf(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

/**
 * The kept file behind a path a dialect served on its own origin (`/<provider>/…/<key>`, as stored in
 * a message's media), for a key it no longer holds in memory: found through the newest message of
 * `provider` whose media URL has exactly that path (the origin's port changes across restarts).
 * `direction` narrows the search to the messages the dialect re-hosts files for (a client-chosen
 * outbound media URL with the same path must not make the sandbox serve it there).
 */
export async function keptFileAt(
  store: MessageStore,
  provider: string,
  path: string,
  direction?: 'inbound' | 'outbound',
): Promise<{ bytes: Buffer; contentType: string } | undefined> {
  const messages = store.list({ provider });
  for (let i = messages.length - 1; i >= 0; i--) {
    if (direction && messages[i]!.direction !== direction) continue;
    const item = messages[i]!.media.find((x) => x.sha256 && pathOf(x.url) === path);
    if (item) return keptBytes(store, item.sha256);
  }
  return undefined;
}

/** `url` with its origin replaced by `origin` when it pointed at the sandbox's own `/<provider>/` path (the port changes across restarts). */
export function currentOrigin(url: string, origin: string, provider: string): string {
  const m = /^https?:\/\/[^/]+(\/.*)$/.exec(url);
  return m && m[1]!.startsWith(`/${provider}/`) ? `${origin}${m[1]}` : url;
}
