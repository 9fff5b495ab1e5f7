// Time that never waits, for `mms send` run in-process against a sandbox in the same process: a
// send-flow sleep (backoff, Retry-After) returns at once and moves mms's clock and the sandbox's
// rate windows forward together, so the run meets the world it would meet after waiting.
import { setFaultClockForTests } from '../../src/sandbox/faults.js';
import { setSendClockForTests } from '../../src/services/send/ports.js';

/** Skips send-flow waits until the returned function is called (call it in a finally or afterEach). */
export function skipSendWaits(): () => void {
  let offset = 0;
  setFaultClockForTests(() => Date.now() + offset);
  setSendClockForTests({
    now: () => performance.now() + offset,
    wallNow: () => Date.now() + offset,
    random: Math.random,
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason;
      offset += ms;
      // Still asynchronous, like a real timer: the other requests in flight get their turn.
      await new Promise((r) => setImmediate(r));
    },
  });
  return () => {
    setSendClockForTests(undefined);
    setFaultClockForTests(undefined);
  };
}
