// A bounded memory of the webhooks a listener has processed, so each event is handled once: a
// replayed request (same nonce, JWT id or signature) or a provider's legitimate retry (same event)
// is answered 2xx without being handed on again. Every key lives for the same TTL, so insertion
// order is also expiry order: the oldest key is the first to expire and the first evicted when
// the cache is full, and both checks are O(1).

/** Default number of keys kept (a few hundred KB at most). */
export const REPLAY_CACHE_MAX_KEYS = 10_000;

/**
 * Default key lifetime: a day, longer than any provider's retry schedule, so a retry hours later
 * is still recognised. Timestamped schemes (Telnyx, Sinch, Vonage) refuse old requests anyway.
 */
export const REPLAY_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

/** Options of {@link createReplayCache}. */
export interface ReplayCacheOptions {
  maxKeys?: number;
  ttlMs?: number;
  /** Clock in ms (tests inject one). */
  now?: () => number;
}

/** What has been seen, with a bounded size and lifetime. */
export interface ReplayCache {
  /** True when `key` was added less than the TTL ago. */
  has(key: string): boolean;
  /** Remembers `key` from now on (re-adding restarts its lifetime). */
  add(key: string): void;
  /** Keys held (expired ones may still count until the next add). */
  readonly size: number;
}

/** Creates an empty cache. */
export function createReplayCache(opts: ReplayCacheOptions = {}): ReplayCache {
  const maxKeys = Math.max(1, opts.maxKeys ?? REPLAY_CACHE_MAX_KEYS);
  const ttlMs = opts.ttlMs ?? REPLAY_CACHE_TTL_MS;
  const now = opts.now ?? Date.now;
  // key → expiry time; Map keeps insertion order, which is expiry order (one TTL for all).
  const expiries = new Map<string, number>();

  const dropExpired = (t: number): void => {
    for (const [key, expiry] of expiries) {
      if (expiry > t) return;
      expiries.delete(key);
    }
  };

  return {
    has(key) {
      const expiry = expiries.get(key);
      if (expiry === undefined) return false;
      if (expiry > now()) return true;
      expiries.delete(key);
      return false;
    },
    add(key) {
      const t = now();
      dropExpired(t);
      expiries.delete(key);
      expiries.set(key, t + ttlMs);
      while (expiries.size > maxKeys) expiries.delete(expiries.keys().next().value!);
    },
    get size() {
      return expiries.size;
    },
  };
}
