// Token-bucket rate limiter shared by every request of one run (retries included), so `--rate`
// bounds what the provider sees no matter the concurrency. Each `take()` reserves a token at once
// and sleeps off its debt, which keeps waiters in FIFO order and stops timer lateness from
// lowering the achieved rate: the balance is computed from the clock, not from the timers.

/** Milliseconds since some fixed point; `performance.now` in production. */
export type Clock = () => number;

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A sleep on real timers that an AbortSignal cancels. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface TokenBucketOptions {
  /** Tokens per second; Infinity (or 0 from `--rate 0`) means no limit. */
  ratePerSecond: number;
  /** Most tokens that can be saved up for a burst (default 1: evenly spaced requests). */
  burst?: number;
  now?: Clock;
  sleep?: Sleep;
}

/** A token bucket: `take()` resolves when the caller may make one request. */
export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  private readonly now: Clock;
  private readonly sleep: Sleep;
  /** Token balance at `last`; negative while callers are waiting (their reserved debt). */
  private tokens: number;
  private last: number;

  constructor(opts: TokenBucketOptions) {
    const rate = opts.ratePerSecond;
    if (!(rate >= 0) || Number.isNaN(rate)) throw new RangeError(`rate must be ≥ 0, got ${rate}`);
    this.ratePerSecond = rate === 0 ? Infinity : rate;
    this.burst = Math.max(1, opts.burst ?? 1);
    this.now = opts.now ?? (() => performance.now());
    this.sleep = opts.sleep ?? realSleep;
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** True when the bucket never waits. */
  get isUnlimited(): boolean {
    return this.ratePerSecond === Infinity;
  }

  /** Waits for one token. Rejects with the signal's reason if it aborts first (the token is returned). */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.isUnlimited) return;
    this.refill();
    this.tokens -= 1;
    if (this.tokens >= 0) return;
    const waitMs = (-this.tokens * 1000) / this.ratePerSecond;
    try {
      await this.sleep(waitMs, signal);
    } catch (err) {
      this.tokens += 1;
      throw err;
    }
  }

  /**
   * Holds back every caller that has not reserved a token yet for at least `ms` (a 429's
   * Retry-After applies to the account, not just to the request that got it). Pauses do not add
   * up: two 429s at once with "1 s" pause for about 1 s.
   */
  pause(ms: number): void {
    if (this.isUnlimited || !(ms > 0)) return;
    this.refill();
    this.tokens = Math.min(this.tokens, (-ms * this.ratePerSecond) / 1000);
  }

  /** Tokens available now (negative while callers wait); for tests and progress displays. */
  available(): number {
    if (this.isUnlimited) return Infinity;
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const t = this.now();
    const elapsed = Math.max(0, t - this.last);
    this.last = Math.max(this.last, t);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
  }
}
