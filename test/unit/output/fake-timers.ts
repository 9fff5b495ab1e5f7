// A clock and timers a test moves by hand (status line throttling without real time).
import type { StatusTimers } from '../../../src/output/status-line.js';

/** A clock the test moves by hand, with timers that fire when it passes their time. */
export function fakeTimers(): StatusTimers & { advance(ms: number): void; pending(): number } {
  let now = 1000;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      due.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void due.delete(h as number),
    advance(ms) {
      now += ms;
      for (const [id, t] of [...due].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at > now) continue;
        due.delete(id);
        t.fn();
      }
    },
    pending: () => due.size,
  };
}
