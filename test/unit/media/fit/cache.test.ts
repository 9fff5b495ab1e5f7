import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FitCache, fitCacheDir, fitCacheKey } from '../../../../src/media/fit/cache.js';

const entry = (bytes: number) => ({
  before: { type: 'image/jpeg', bytes: 10 * bytes },
  after: { type: 'image/jpeg', bytes },
  actions: ['re-encoded' as const],
});

describe('fitCacheDir', () => {
  it('follows XDG_CACHE_HOME, ignoring a relative one as the XDG spec says', () => {
    expect(fitCacheDir({ XDG_CACHE_HOME: '/var/cache/me', HOME: '/home/u' })).toBe('/var/cache/me/mms/fit');
    expect(fitCacheDir({ XDG_CACHE_HOME: 'rel/dir', HOME: '/home/u' })).toBe('/home/u/.cache/mms/fit');
    expect(fitCacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/mms/fit');
  });
});

describe('fitCacheKey', () => {
  it('changes with the content, the target and any option, not with option order', () => {
    const k = fitCacheKey('abc', 600_000, { strip: true, v: 1 });
    expect(fitCacheKey('abc', 600_000, { v: 1, strip: true })).toBe(k);
    expect(fitCacheKey('abd', 600_000, { strip: true, v: 1 })).not.toBe(k);
    expect(fitCacheKey('abc', 500_000, { strip: true, v: 1 })).not.toBe(k);
    expect(fitCacheKey('abc', 600_000, { strip: false, v: 1 })).not.toBe(k);
  });
});

describe('FitCache', () => {
  it('round-trips an entry with private modes', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mms-fit-cache-')), 'mms', 'fit');
    const cache = new FitCache(dir);
    const path = await cache.put('k1', entry(3), Uint8Array.from([1, 2, 3]));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const hit = await cache.get('k1');
    expect(hit?.entry).toEqual(entry(3));
    expect([...hit!.data]).toEqual([1, 2, 3]);
    expect(await cache.get('nope')).toBeUndefined();
  });

  it('treats a damaged entry as a miss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mms-fit-cache-'));
    const cache = new FitCache(dir);
    await cache.put('k', entry(3), Uint8Array.from([1, 2, 3]));
    writeFileSync(join(dir, 'k.bin'), Uint8Array.from([1])); // truncated
    expect(await cache.get('k')).toBeUndefined();
    writeFileSync(join(dir, 'k.json'), '{not json');
    expect(await cache.get('k')).toBeUndefined();
  });

  it('evicts the least recently used entries beyond its bound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mms-fit-cache-'));
    const cache = new FitCache(dir, 250);
    const old = new Date('2020-01-01T00:00:00Z');
    await cache.put('a', entry(100), new Uint8Array(100));
    utimesSync(join(dir, 'a.bin'), old, old);
    await cache.put('b', entry(100), new Uint8Array(100));
    utimesSync(join(dir, 'b.bin'), new Date('2021-01-01T00:00:00Z'), new Date('2021-01-01T00:00:00Z'));
    await cache.get('a'); // a hit makes "a" the most recent
    await cache.put('c', entry(100), new Uint8Array(100));
    expect(existsSync(join(dir, 'b.bin'))).toBe(false);
    expect(existsSync(join(dir, 'b.json'))).toBe(false);
    expect(await cache.get('a')).toBeDefined();
    expect(await cache.get('c')).toBeDefined();
  });

  it('leaves no temp file behind when a write fails (a full disk), so the next run does not find it full', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mms-fit-cache-'));
    try {
      const cache = new FitCache(dir);
      // A directory where the entry goes makes the rename fail after the temp file was written, as ENOSPC would mid-way.
      mkdirSync(join(dir, 'k.bin'));
      await expect(cache.put('k', entry(100), new Uint8Array(100))).rejects.toThrow();
      expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prunes temp files that runs killed mid-write left (over an hour old), not fresh ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mms-fit-cache-'));
    try {
      const stale = join(dir, '.dead.123.1700000000000.tmp');
      const fresh = join(dir, '.live.456.1700000000001.tmpj');
      writeFileSync(stale, 'partial');
      writeFileSync(fresh, 'partial');
      const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
      utimesSync(stale, old, old);
      await new FitCache(dir).prune();
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(fresh)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stores only the description beside the bytes, even when given the whole fit result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mms-fit-cache-'));
    try {
      const data = new Uint8Array(5000).fill(9);
      await new FitCache(dir).put('k', { ...entry(5000), data } as ReturnType<typeof entry>, data);
      expect(JSON.parse(readFileSync(join(dir, 'k.json'), 'utf8'))).toEqual(entry(5000));
      expect(statSync(join(dir, 'k.json')).size).toBeLessThan(500);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
