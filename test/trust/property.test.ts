// Property: whatever the provider does (answers lost after the message was recorded, 5xx and 429
// before it was), and wherever the run is cut short (Ctrl+C at a random request; kill -9 of the
// built binary), sending with a journal and resuming never gives a recipient two messages, and
// every recipient ends accepted, failed or honestly unknown (judged by the Twilio mock, which
// knows what it created). fast-check picks the faults, the concurrency and the interruption
// point; a failure prints the seed and the smallest case it found.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TwilioFaults } from '../mocks/twilio/faults.js';
import { startTwilioMock, type LoggedRequest, type TwilioMock } from '../mocks/twilio/server.js';
import { judge, numbers, sendInProcess, skipWaits, spawnSend, workspace, type SendRun, type Workspace } from './harness.js';

const N = 24;
const SERVICE = `MG${'7'.repeat(32)}`;

interface Case {
  seed: number;
  concurrency: number;
  faults: TwilioFaults;
  /** Interrupt when the mock has seen this many message creates (undefined: run to the end). */
  stopAt: number | undefined;
  viaService: boolean;
}

/** Faults: lost answers after record, 5xx and 429 before record; with `withKnownFailures`, gateway 5xx after record and MG senders too. */
function faultsArb(withKnownFailures: boolean): fc.Arbitrary<TwilioFaults> {
  return fc.record(
    {
      resetAfterRecord: fc.record({ rate: fc.double({ min: 0, max: 0.3, noNaN: true }) }),
      gatewayBeforeRecord: fc.record({
        rate: fc.double({ min: 0, max: 0.15, noNaN: true }),
        first: fc.integer({ min: 0, max: 2 }),
        status: fc.constantFrom(502 as const, 504 as const),
      }),
      serverError: fc.record({ rate: fc.double({ min: 0, max: 0.15, noNaN: true }), first: fc.integer({ min: 0, max: 1 }) }),
      // Retry-After: 0 keeps the property fast; the Retry-After wait itself is in exactly-once.test.ts.
      rateLimit: fc.record({ rate: fc.double({ min: 0, max: 0.3, noNaN: true }), first: fc.integer({ min: 0, max: 3 }), retryAfter: fc.constant(0) }),
      ...(withKnownFailures
        ? { gatewayAfterRecord: fc.record({ rate: fc.double({ min: 0, max: 0.15, noNaN: true }), status: fc.constantFrom(502 as const, 504 as const) }) }
        : {}),
    },
    { requiredKeys: [] },
  );
}

function caseArb(withKnownFailures: boolean): fc.Arbitrary<Case> {
  return fc.record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    concurrency: fc.integer({ min: 1, max: 8 }),
    faults: faultsArb(withKnownFailures),
    stopAt: fc.option(fc.integer({ min: 0, max: N }), { nil: undefined }),
    viaService: withKnownFailures ? fc.boolean() : fc.constant(false),
  });
}

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** A mock that calls `onCreate(n)` after its n-th message create request. */
async function mockCountingCreates(c: Case, onCreate: (n: number) => void): Promise<TwilioMock> {
  let creates = 0;
  const mock = await startTwilioMock({
    seed: c.seed,
    faults: c.faults,
    services: { [SERVICE]: ['+15550100001', '+15550100002'] },
    onRequest: (e: LoggedRequest) => {
      if (e.method === 'POST') onCreate(++creates);
    },
  });
  cleanup.push(() => mock.close());
  // In-process runs skip backoff and the provider's log delay (a gateway page before record is
  // ambiguous: mms waits out Twilio's 10 s before resending); the built binary waits for real.
  cleanup.push(skipWaits(mock));
  return mock;
}

function newWorkspace(): Workspace {
  const ws = workspace(numbers(N));
  cleanup.push(() => ws.cleanup());
  return ws;
}

/** The final run's verdict: nothing sent twice, nothing dishonest, nobody left "not sent". */
function expectSettled(mock: TwilioMock, ws: Workspace, last: SendRun, c: Case): void {
  const v = judge(mock, ws.recipients, last.results);
  expect(
    { duplicates: v.duplicates, dishonest: v.dishonest, missing: v.missing, notSent: v.counts['not-sent'] ?? 0 },
    `${JSON.stringify(c)}\n${JSON.stringify(v.counts)}\n${last.stderr.slice(0, 1500)}`,
  ).toEqual({
    duplicates: 0,
    dishonest: [],
    missing: [],
    notSent: 0,
  });
}

/** Run with Ctrl+C at create number `stopAt`, then resume once with the same faults. */
async function sendInterruptResume(c: Case): Promise<void> {
  const ctl = new AbortController();
  const mock = await mockCountingCreates(c, (n) => {
    if (c.stopAt !== undefined && n >= c.stopAt) ctl.abort();
  });
  const ws = newWorkspace();
  const from = c.viaService ? { from: SERVICE } : {};
  const first = await sendInProcess(mock, ws, { concurrency: c.concurrency, signal: ctl.signal, ...from });
  expect(judge(mock, ws.recipients, first.results).dishonest).toEqual([]);
  const resumed = await sendInProcess(mock, ws, { concurrency: c.concurrency, ...from });
  expectSettled(mock, ws, resumed, c);
}

describe('send + journal + resume against random faults and interruptions', () => {
  it('Ctrl+C at a random request, then resume: no duplicates, every outcome honest', async () => {
    await fc.assert(fc.asyncProperty(caseArb(false), sendInterruptResume), { numRuns: 15, endOnFailure: true });
  }, 180_000);

  // Before the fix: a 502/504 that a gateway sent after Twilio recorded the message was retried,
  // and a resume searched the log with From=MG…, which Messaging Service records never match
  // (fast-check seed 1160079402 shrank to {seed: 1, concurrency: 1, faults: {resetAfterRecord:
  // {rate: 0.0027}}, viaService: true}: one lost answer, resent by the resume).
  it('the same with 5xx after record and MG senders', async () => {
    await fc.assert(fc.asyncProperty(caseArb(true), sendInterruptResume), { numRuns: 12, endOnFailure: true });
  }, 300_000);

  it('kill -9 of the built binary at a random request, then resume: no duplicates, every outcome honest', async () => {
    const killCase = caseArb(false).map((c) => ({ ...c, stopAt: 1 + ((c.stopAt ?? N) % N) }));
    await fc.assert(
      fc.asyncProperty(killCase, async (c) => {
        // eslint-disable-next-line prefer-const -- assigned below, read in the callback above
        let child: ReturnType<typeof spawnSend> | undefined;
        const mock = await mockCountingCreates(c, (n) => {
          if (n === c.stopAt) child?.child.kill('SIGKILL');
        });
        const ws = newWorkspace();
        child = spawnSend(mock, ws, { concurrency: c.concurrency });
        await child.exited();
        await vi.waitFor(() => expect(mock.heldCount()).toBe(0), { timeout: 5_000, interval: 20 });
        expectSettled(mock, ws, await sendInProcess(mock, ws, { concurrency: c.concurrency }), c);
      }),
      { numRuns: 3, endOnFailure: true },
    );
  }, 60_000);
});
