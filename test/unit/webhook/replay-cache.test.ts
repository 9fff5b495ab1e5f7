import { describe, expect, it } from 'vitest';
import { createReplayCache, REPLAY_CACHE_MAX_KEYS } from '../../../src/webhook/replay-cache.js';

/** A cache on a hand-driven clock. */
function cacheAt(opts: { maxKeys?: number; ttlMs?: number } = {}) {
  let t = 1_000_000;
  const cache = createReplayCache({ ...opts, now: () => t });
  return { cache, advance: (ms: number) => void (t += ms) };
}

describe('createReplayCache', () => {
  it('remembers a key for the TTL, then forgets it', () => {
    const { cache, advance } = cacheAt({ ttlMs: 1000 });
    expect(cache.has('a')).toBe(false);
    cache.add('a');
    expect(cache.has('a')).toBe(true);
    advance(999);
    expect(cache.has('a')).toBe(true);
    advance(1);
    expect(cache.has('a')).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('drops expired keys as new ones arrive, and re-adding restarts a lifetime', () => {
    const { cache, advance } = cacheAt({ ttlMs: 1000 });
    cache.add('a');
    cache.add('b');
    advance(600);
    cache.add('a');
    advance(600);
    cache.add('c');
    expect(cache.size).toBe(2);
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
  });

  it('is bounded: the oldest key goes first when full', () => {
    const { cache } = cacheAt({ maxKeys: 3 });
    for (const k of ['a', 'b', 'c', 'd']) cache.add(k);
    expect(cache.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((k) => cache.has(k))).toEqual([false, true, true, true]);
  });

  it('holds 10,000 keys by default', () => {
    const { cache } = cacheAt();
    for (let i = 0; i <= REPLAY_CACHE_MAX_KEYS; i++) cache.add(`k${i}`);
    expect(REPLAY_CACHE_MAX_KEYS).toBe(10_000);
    expect(cache.size).toBe(REPLAY_CACHE_MAX_KEYS);
    expect(cache.has('k0')).toBe(false);
    expect(cache.has(`k${REPLAY_CACHE_MAX_KEYS}`)).toBe(true);
  });
});
