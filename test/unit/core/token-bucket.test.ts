import { describe, expect, it } from 'vitest';
import { TokenBucket, realSleep } from '../../../src/core/token-bucket.js';
import { parseRate } from '../../../src/commands/flags.js';
import { FakeClock, flush } from './fake-clock.js';

function bucket(ratePerSecond: number, burst?: number) {
  const clock = new FakeClock();
  const b = new TokenBucket({ ratePerSecond, ...(burst !== undefined ? { burst } : {}), now: clock.now, sleep: clock.sleep });
  return { clock, b };
}

/** Starts `n` takes and records the fake time at which each one resolved. */
function takeMany(b: TokenBucket, clock: FakeClock, n: number, signal?: AbortSignal) {
  const times: number[] = [];
  const settled = Array.from({ length: n }, (_, i) =>
    b.take(signal).then(
      () => {
        times[i] = clock.now();
      },
      () => {
        times[i] = -1;
      },
    ),
  );
  return { times, all: Promise.all(settled) };
}

describe('TokenBucket', () => {
  it('lets a full burst through at once, then spaces callers at the rate', async () => {
    const { clock, b } = bucket(10, 3);
    const { times, all } = takeMany(b, clock, 6);
    await clock.advance(1000);
    await all;
    expect(times).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it('defaults to a burst of 1: evenly spaced requests', async () => {
    const { clock, b } = bucket(4);
    const { times, all } = takeMany(b, clock, 4);
    await clock.advance(1000);
    await all;
    expect(times).toEqual([0, 250, 500, 750]);
  });

  it('refills while idle, but never above the burst', async () => {
    const { clock, b } = bucket(100, 5);
    await b.take();
    await clock.advance(10_000);
    expect(b.available()).toBe(5);
  });

  it('keeps the long-run rate exact over many takes (no drift from timer rounding)', async () => {
    const { clock, b } = bucket(200, 1);
    const { times, all } = takeMany(b, clock, 1000);
    await clock.advance(5000);
    await all;
    expect(times[999]).toBeCloseTo(999 * 5, 6);
    // Never more than burst + rate × t tokens in any prefix.
    times.forEach((t, i) => expect(i + 1).toBeLessThanOrEqual(1 + (t * 200) / 1000 + 1e-9));
  });

  it('serves waiters in FIFO order', async () => {
    const { clock, b } = bucket(1, 1);
    const order: number[] = [];
    const all = Promise.all([0, 1, 2].map((i) => b.take().then(() => order.push(i))));
    await clock.advance(3000);
    await all;
    expect(order).toEqual([0, 1, 2]);
  });

  it('rejects an aborted waiter and gives its token back', async () => {
    const { clock, b } = bucket(10, 1);
    await b.take();
    const ac = new AbortController();
    const p = b.take(ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    // The aborted reservation was refunded: the next caller waits 100 ms, not 200 ms.
    const { times, all } = takeMany(b, clock, 1);
    await clock.advance(1000);
    await all;
    expect(times).toEqual([100]);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const { b } = bucket(10);
    await expect(b.take(AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });

  it('pause() holds back new callers without stacking', async () => {
    const { clock, b } = bucket(10, 5);
    b.pause(1000);
    b.pause(1000);
    const { times, all } = takeMany(b, clock, 2);
    await clock.advance(2000);
    await all;
    expect(times).toEqual([1100, 1200]);
  });

  it('never waits when unlimited', async () => {
    const { clock, b } = bucket(Infinity);
    const { times, all } = takeMany(b, clock, 1000);
    await flush();
    await all;
    expect(new Set(times)).toEqual(new Set([0]));
    expect(clock.pending).toBe(0);
    expect(new TokenBucket({ ratePerSecond: 0 }).isUnlimited).toBe(true);
  });

  it('rejects a negative or NaN rate', () => {
    expect(() => new TokenBucket({ ratePerSecond: -1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: Number.NaN })).toThrow(RangeError);
  });
});

describe('realSleep', () => {
  it('resolves after the delay and rejects on abort', async () => {
    await expect(realSleep(1)).resolves.toBeUndefined();
    const ac = new AbortController();
    const p = realSleep(10_000, ac.signal);
    ac.abort(new Error('bye'));
    await expect(p).rejects.toThrow('bye');
  });
});

describe('parseRate', () => {
  it.each([
    ['200/s', 200],
    ['5', 5],
    ['10/m', 10 / 60],
    ['3600/h', 1],
    [' 2.5 / sec ', 2.5],
    ['30/min', 0.5],
    ['0', Infinity],
    ['unlimited', Infinity],
  ])('%j → %d per second', (text, perSecond) => {
    expect(parseRate(text)).toBeCloseTo(perSecond, 9);
  });

  it.each([['fast'], ['10/d'], ['-5'], [''], ['1e3'], ['/s']])('%j is a usage error naming the flag', (text) => {
    expect(() => parseRate(text)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('--rate') }));
  });
});
