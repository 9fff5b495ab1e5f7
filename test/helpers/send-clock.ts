// Send-flow time that never waits, for `mms send` run in-process: a sleep (backoff, Retry-After, the
// provider's log delay) returns at once and moves mms's clock and the other side's clock forward
// together, so the run meets the world it would meet after waiting. (No import of src/sandbox: the
// trust tests' independent mock uses it too.)
import { setSendClockForTests } from '../../src/services/send/ports.js';

/**
 * Skips send-flow waits until the returned function is called (call it in a finally or afterEach):
 * each sleep moves mms's clock by its length and calls `advance` to move the other side's clock too.
 */
export function skipSendWaitsWith(advance: (ms: number) => void): () => void {
  let offset = 0;
  setSendClockForTests({
    now: () => performance.now() + offset,
    wallNow: () => Date.now() + offset,
    random: Math.random,
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason;
      offset += ms;
      advance(ms);
      // Still asynchronous, like a real timer: the other requests in flight get their turn.
      await new Promise((r) => setImmediate(r));
    },
  });
  return () => setSendClockForTests(undefined);
}
