// A manual clock + sleep for the runner, retry and token-bucket tests: time moves only when a test
// calls advance(), so rate and backoff assertions are exact and instant.

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/** Manual time: `now()` and `sleep()` to inject, `advance()` to move time and fire due sleeps. */
export class FakeClock {
  private t = 0;
  private seq = 0;
  private timers: Timer[] = [];
  /** Every sleep requested, in ms, in order (for backoff assertions). */
  readonly sleeps: number[] = [];

  now = (): number => this.t;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  };

  /** Number of sleeps not yet due. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due sleeps in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const next = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
    this.t = end;
    await flush();
  }

  /** Advances in steps until `done()` is true (or gives up after `maxMs` of fake time). */
  async runUntil(done: () => boolean, stepMs = 1, maxMs = 600_000): Promise<void> {
    const end = this.t + maxMs;
    while (!done()) {
      if (this.t >= end) throw new Error(`still not done after ${maxMs} ms of fake time`);
      await this.advance(stepMs);
    }
  }
}

/** Lets queued promise callbacks run (several turns, as async functions chain). */
export async function flush(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
