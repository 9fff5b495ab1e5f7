// skipSendWaits: send-clock.ts for a sandbox in the same process, whose rate windows (src/sandbox/faults.ts) move with mms's clock.
import { setFaultClockForTests } from '../../src/sandbox/faults.js';
import { skipSendWaitsWith } from './send-clock.js';

/** skipSendWaitsWith for a sandbox in this process: its rate windows move with mms's clock. */
export function skipSendWaits(): () => void {
  let offset = 0;
  setFaultClockForTests(() => Date.now() + offset);
  const restore = skipSendWaitsWith((ms) => {
    offset += ms;
  });
  return () => {
    restore();
    setFaultClockForTests(undefined);
  };
}
