import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, loadJournal, type DispatchJournal, type JournalRecord } from '../../../src/core/journal.js';
import { createRetryPolicy } from '../../../src/core/retry.js';
import { runDispatch, type DispatchOptions, type DispatchOutcome } from '../../../src/core/send-runner.js';
import { TokenBucket } from '../../../src/core/token-bucket.js';
import type { MessageRequest, ProviderAcceptance, RecipientResult } from '../../../src/core/types.js';
import { ErrorCode, ProviderError, type ErrorCodeValue } from '../../../src/errors/errors.js';
import { ExitCode } from '../../../src/errors/exit-codes.js';
import { FakeClock } from './fake-clock.js';

interface R {
  to: string;
}

const rcpts = (n: number): R[] => Array.from({ length: n }, (_, i) => ({ to: `+1202555${String(i).padStart(4, '0')}` }));

function perr(code: ErrorCodeValue, opts: { httpStatus?: number; retryAfterMs?: number; requestSent?: 'no' | 'maybe' } = {}) {
  return new ProviderError(code, ExitCode.UNAVAILABLE, `${code}${opts.httpStatus ? ` ${opts.httpStatus}` : ''}`, {
    provider: 'fake',
    ...(opts.httpStatus !== undefined ? { httpStatus: opts.httpStatus } : {}),
    ...(opts.retryAfterMs !== undefined ? { retryAfterMs: opts.retryAfterMs } : {}),
    // A 5xx here is the provider's own answer (a JSON error body), which says "not created";
    // a gateway's page without one is ambiguous (see retry.test.ts).
    ...(opts.httpStatus !== undefined && opts.httpStatus >= 500 ? { providerMessage: 'Service unavailable' } : {}),
    ...(opts.requestSent !== undefined ? { details: { requestSent: opts.requestSent } } : {}),
  });
}

/** What one call to the fake provider does. */
type Step = { ok: true; delayMs?: number } | { err: unknown; delayMs?: number };

/**
 * A fake provider: per-recipient scripts of steps (default: accept at once), a log of every call,
 * the in-flight high-water mark, and the ids it accepted (to count duplicates).
 */
function fakeProvider(clock: FakeClock, scripts: Record<string, Step[]> = {}, defaultDelayMs = 0) {
  const calls: string[] = [];
  const accepted: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let seq = 0;
  const send = async (req: MessageRequest, signal: AbortSignal): Promise<ProviderAcceptance> => {
    calls.push(req.to);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const step: Step = scripts[req.to]?.shift() ?? { ok: true, delayMs: defaultDelayMs };
      if (step.delayMs) {
        try {
          await clock.sleep(step.delayMs, signal);
        } catch {
          throw perr(ErrorCode.CANCELLED, { requestSent: 'maybe' });
        }
      }
      if ('err' in step) throw step.err;
      accepted.push(req.to);
      return { id: `SM${++seq}`, status: 'queued', providerStatus: 'queued' };
    } finally {
      inFlight--;
    }
  };
  return {
    send,
    calls,
    accepted,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

/** An in-memory journal recording every line in order. */
function memoryJournal(prior: Record<string, JournalRecord> = {}) {
  const lines: Array<{ to: string; status: string }> = [];
  const journal: DispatchJournal = {
    prior: (to) => prior[to],
    started: (to) => {
      lines.push({ to, status: 'started' });
    },
    finished: (r) => {
      if (r.status !== 'skipped') lines.push({ to: r.to, status: r.status });
    },
  };
  return { journal, lines };
}

const buildRequest = (r: R): MessageRequest => ({ to: r.to, from: '+15005550006', body: 'hi', mediaUrls: [] });

/** Runs the dispatcher on the fake clock until it settles. */
async function run(clock: FakeClock, opts: Partial<DispatchOptions<R>> & Pick<DispatchOptions<R>, 'recipients' | 'send'>): Promise<DispatchOutcome> {
  let outcome: DispatchOutcome | undefined;
  let failure: unknown;
  runDispatch<R>({
    buildRequest,
    concurrency: 4,
    retryPolicy: createRetryPolicy({ random: () => 0.5, baseDelayMs: 100, maxDelayMs: 1000 }),
    now: clock.now,
    sleep: clock.sleep,
    ...opts,
  }).then(
    (o) => {
      outcome = o;
    },
    (e: unknown) => {
      failure = e;
    },
  );
  await clock.runUntil(() => outcome !== undefined || failure !== undefined, 10);
  if (failure !== undefined) throw failure;
  return outcome as DispatchOutcome;
}

const statuses = (results: RecipientResult[]) => results.map((r) => r.status);

let tmp: string | undefined;
afterEach(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

describe('runDispatch', () => {
  it('sends to everyone, reports results in recipient order and a summary', async () => {
    const clock = new FakeClock();
    const list = rcpts(10);
    // Later recipients finish first, to show results are re-ordered.
    const scripts = Object.fromEntries(list.map((r, i) => [r.to, [{ ok: true, delayMs: 100 - i * 10 } as Step]]));
    const p = fakeProvider(clock, scripts);
    const seen: string[] = [];
    const out = await run(clock, { recipients: list, send: p.send, onResult: (r) => seen.push(r.to) });
    expect(out.results.map((r) => r.to)).toEqual(list.map((r) => r.to));
    expect(out.results[0]).toEqual({ to: list[0]?.to, status: 'accepted', id: expect.stringMatching(/^SM/), providerStatus: 'queued' });
    expect(seen).toHaveLength(10);
    expect(out.summary).toMatchObject({ total: 10, accepted: 10, failed: 0, unknown: 0, skipped: 0, notAttempted: 0 });
    expect(out.summary.durationMs).toBeGreaterThan(0);
    expect(out.interrupted).toBe(false);
    expect(out.stopError).toBeUndefined();
  });

  it('never has more than `concurrency` requests in flight', async () => {
    const clock = new FakeClock();
    const p = fakeProvider(clock, {}, 50);
    const progress: number[] = [];
    const out = await run(clock, { recipients: rcpts(40), send: p.send, concurrency: 3, onProgress: (g) => progress.push(g.inFlight) });
    expect(out.summary.accepted).toBe(40);
    expect(p.maxInFlight).toBe(3);
    expect(Math.max(...progress)).toBeLessThanOrEqual(3);
  });

  it('reports partial failure with the provider error, without retrying rejections', async () => {
    const clock = new FakeClock();
    const list = rcpts(4);
    const p = fakeProvider(clock, {
      [list[1]!.to]: [{ err: perr(ErrorCode.RECIPIENT_INVALID, { httpStatus: 400 }) }],
      [list[3]!.to]: [{ err: perr(ErrorCode.RECIPIENT_OPTED_OUT, { httpStatus: 400 }) }],
    });
    const out = await run(clock, { recipients: list, send: p.send });
    expect(statuses(out.results)).toEqual(['accepted', 'failed', 'accepted', 'failed']);
    expect(out.results[1]).toEqual({
      to: list[1]?.to,
      status: 'failed',
      error: { code: 'RECIPIENT_INVALID', message: 'RECIPIENT_INVALID 400', httpStatus: 400 },
    });
    expect(p.calls).toHaveLength(4);
    expect(out.summary).toMatchObject({ accepted: 2, failed: 2 });
  });

  it('retries a 429 after its Retry-After, pausing the shared bucket, then succeeds', async () => {
    const clock = new FakeClock();
    const list = rcpts(3);
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 10, now: clock.now, sleep: clock.sleep });
    const p = fakeProvider(clock, { [list[0]!.to]: [{ err: perr(ErrorCode.RATE_LIMITED, { httpStatus: 429, retryAfterMs: 2000 }) }] });
    const retries: number[] = [];
    const out = await run(clock, { recipients: list, send: p.send, bucket, concurrency: 1, onRetry: (n) => retries.push(n.delayMs) });
    expect(statuses(out.results)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(p.calls.filter((to) => to === list[0]?.to)).toHaveLength(2);
    expect(retries).toEqual([2050]);
    // The pause held every later request back too: nothing was sent in the 2 s after the 429.
    expect(clock.now()).toBeGreaterThanOrEqual(2000);
    expect(p.accepted).toHaveLength(3);
  });

  it('retries 5xx up to maxAttempts, then fails with the last error', async () => {
    const clock = new FakeClock();
    const [a] = rcpts(1);
    const e503 = perr(ErrorCode.PROVIDER_UNAVAILABLE, { httpStatus: 503 });
    const p = fakeProvider(clock, { [a!.to]: [{ err: e503 }, { err: e503 }, { err: e503 }, { err: e503 }, { ok: true }] });
    const out = await run(clock, { recipients: [a!], send: p.send, retryPolicy: createRetryPolicy({ maxAttempts: 3, random: () => 0.5, baseDelayMs: 100 }) });
    expect(p.calls).toHaveLength(3);
    expect(out.results).toEqual([
      { to: a!.to, status: 'failed', error: { code: 'PROVIDER_UNAVAILABLE', message: 'PROVIDER_UNAVAILABLE 503', httpStatus: 503 } },
    ]);
    expect(clock.sleeps.slice(0, 2)).toEqual([50, 100]);
  });

  it('retries a connection failure that happened before the request was sent', async () => {
    const clock = new FakeClock();
    const [a] = rcpts(1);
    const p = fakeProvider(clock, { [a!.to]: [{ err: perr(ErrorCode.NETWORK_ERROR, { requestSent: 'no' }) }] });
    const out = await run(clock, { recipients: [a!], send: p.send });
    expect(statuses(out.results)).toEqual(['accepted']);
    expect(p.calls).toHaveLength(2);
  });

  it('does not resend an ambiguous outcome: reported unknown, sent once', async () => {
    const clock = new FakeClock();
    const list = rcpts(3);
    const { journal, lines } = memoryJournal();
    const p = fakeProvider(clock, {
      [list[0]!.to]: [{ err: perr(ErrorCode.TIMEOUT, { requestSent: 'maybe' }) }],
      [list[1]!.to]: [{ err: perr(ErrorCode.NETWORK_ERROR, { requestSent: 'maybe' }) }],
    });
    const out = await run(clock, { recipients: list, send: p.send, journal });
    expect(statuses(out.results)).toEqual(['unknown', 'unknown', 'accepted']);
    expect(out.results[0]?.error?.code).toBe('OUTCOME_UNKNOWN');
    expect(out.results[0]?.error?.message).toMatch(/TIMEOUT.*not resent/);
    expect(p.calls).toEqual(list.map((r) => r.to));
    expect(out.summary).toMatchObject({ accepted: 1, unknown: 2, failed: 0 });
    expect(lines.filter((l) => l.status === 'unknown')).toHaveLength(2);
  });

  it('resends an ambiguous outcome only with retryAmbiguous', async () => {
    const clock = new FakeClock();
    const [a] = rcpts(1);
    const p = fakeProvider(clock, { [a!.to]: [{ err: perr(ErrorCode.TIMEOUT, { requestSent: 'maybe' }) }] });
    const out = await run(clock, { recipients: [a!], send: p.send, retryPolicy: createRetryPolicy({ retryAmbiguous: true, random: () => 0 }) });
    expect(statuses(out.results)).toEqual(['accepted']);
    expect(p.calls).toHaveLength(2);
  });

  it('keeps the outcome unknown when a resend after an ambiguous attempt is rejected', async () => {
    const clock = new FakeClock();
    const [a] = rcpts(1);
    const p = fakeProvider(clock, {
      [a!.to]: [{ err: perr(ErrorCode.TIMEOUT, { requestSent: 'maybe' }) }, { err: perr(ErrorCode.PROVIDER_REJECTED, { httpStatus: 400 }) }],
    });
    const out = await run(clock, { recipients: [a!], send: p.send, retryPolicy: createRetryPolicy({ retryAmbiguous: true, random: () => 0 }) });
    expect(statuses(out.results)).toEqual(['unknown']);
  });

  it('Ctrl+C stops dispatching, lets in-flight requests finish and reports everyone', async () => {
    const clock = new FakeClock();
    const list = rcpts(20);
    const p = fakeProvider(clock, {}, 100);
    const ac = new AbortController();
    const { journal, lines } = memoryJournal();
    let done = 0;
    const out = await run(clock, {
      recipients: list,
      send: p.send,
      concurrency: 3,
      journal,
      signal: ac.signal,
      onResult: () => {
        // Interrupt right after the 4th result: 3 more are in flight at that moment.
        if (++done === 4) ac.abort();
      },
    });
    expect(out.interrupted).toBe(true);
    // The in-flight ones finished and were recorded; nothing new was started.
    expect(p.calls).toHaveLength(6);
    expect(out.summary).toMatchObject({ total: 20, accepted: 6, notAttempted: 14 });
    expect(out.results).toHaveLength(20);
    expect(out.results.slice(6).every((r) => r.status === 'skipped' && r.error?.code === 'CANCELLED')).toBe(true);
    // Every request sent has a started line and a final line; none for the not-attempted.
    expect(
      lines
        .filter((l) => l.status === 'started')
        .map((l) => l.to)
        .sort(),
    ).toEqual(p.calls.slice().sort());
    expect(
      lines
        .filter((l) => l.status === 'accepted')
        .map((l) => l.to)
        .sort(),
    ).toEqual(p.calls.slice().sort());
  });

  it('Ctrl+C while waiting for a rate-limit token does not send', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, now: clock.now, sleep: clock.sleep });
    const p = fakeProvider(clock);
    const ac = new AbortController();
    // Interrupt as soon as the first result is in: the other workers are waiting for tokens.
    const out = await run(clock, { recipients: rcpts(5), send: p.send, bucket, signal: ac.signal, onResult: () => ac.abort() });
    expect(p.calls).toHaveLength(1);
    expect(out.summary).toMatchObject({ accepted: 1, notAttempted: 4 });
  });

  it('Ctrl+C during a retry backoff stops retrying and keeps the last error (resume retries it)', async () => {
    const clock = new FakeClock();
    const [a] = rcpts(1);
    const ac = new AbortController();
    const p = fakeProvider(clock, { [a!.to]: [{ err: perr(ErrorCode.PROVIDER_UNAVAILABLE, { httpStatus: 500 }) }] });
    const out = await run(clock, { recipients: [a!], send: p.send, signal: ac.signal, onRetry: () => ac.abort() });
    expect(p.calls).toHaveLength(1);
    expect(out.results).toEqual([{ to: a!.to, status: 'failed', error: expect.objectContaining({ code: 'PROVIDER_UNAVAILABLE' }) }]);
  });

  it('a forced stop aborts in-flight requests, whose outcome becomes unknown', async () => {
    const clock = new FakeClock();
    const force = new AbortController();
    const p = fakeProvider(clock, {}, 1000);
    const ac = new AbortController();
    const send: typeof p.send = (req, signal) => {
      const sent = p.send(req, signal);
      // Two Ctrl+C presses while the second request is in flight.
      if (p.calls.length === 2) {
        queueMicrotask(() => {
          ac.abort();
          force.abort();
        });
      }
      return sent;
    };
    const out = await run(clock, { recipients: rcpts(4), send, concurrency: 2, signal: ac.signal, forceSignal: force.signal });
    expect(statuses(out.results)).toEqual(['unknown', 'unknown', 'skipped', 'skipped']);
    expect(p.calls).toHaveLength(2);
  });

  it('stops dispatching after the provider rejects the credentials', async () => {
    const clock = new FakeClock();
    const list = rcpts(10);
    const p = fakeProvider(clock, { [list[0]!.to]: [{ err: perr(ErrorCode.AUTH_REJECTED, { httpStatus: 401 }) }] });
    const out = await run(clock, { recipients: list, send: p.send, concurrency: 1 });
    expect(p.calls).toHaveLength(1);
    expect(out.summary).toMatchObject({ failed: 1, notAttempted: 9 });
    expect(out.stopError).toMatchObject({ code: 'AUTH_REJECTED' });
    expect(out.results[1]?.error?.message).toMatch(/rejected the credentials/);
  });

  it('fails a recipient whose request cannot be built, without sending', async () => {
    const clock = new FakeClock();
    const list = rcpts(2);
    const p = fakeProvider(clock);
    const out = await run(clock, {
      recipients: list,
      send: p.send,
      buildRequest: (r) => {
        if (r.to === list[0]?.to) throw new Error('template broke');
        return buildRequest(r);
      },
    });
    expect(out.results[0]).toEqual({ to: list[0]?.to, status: 'failed', error: { code: 'INTERNAL', message: 'template broke' } });
    expect(p.calls).toEqual([list[1]?.to]);
  });

  it('stops when the journal cannot be written, never sending an unjournaled request', async () => {
    const clock = new FakeClock();
    const p = fakeProvider(clock);
    let n = 0;
    const journal: DispatchJournal = {
      prior: () => undefined,
      started: () => {
        if (++n === 3) throw new Error('ENOSPC');
      },
      finished: () => undefined,
    };
    const out = await run(clock, { recipients: rcpts(6), send: p.send, journal, concurrency: 1 });
    expect(p.calls).toHaveLength(2);
    expect(out.summary).toMatchObject({ accepted: 2, notAttempted: 4 });
    expect(out.stopError).toBeInstanceOf(Error);
  });

  it('stops cleanly when onResult throws (e.g. a closed stdout), still finishing in-flight work', async () => {
    const clock = new FakeClock();
    const p = fakeProvider(clock, {}, 10);
    const out = await run(clock, {
      recipients: rcpts(10),
      send: p.send,
      concurrency: 2,
      onResult: () => {
        throw new Error('EPIPE');
      },
    });
    expect(p.calls).toHaveLength(2);
    expect(out.summary).toMatchObject({ accepted: 2, notAttempted: 8 });
  });

  it('spaces requests by the shared bucket across all workers', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, now: clock.now, sleep: clock.sleep });
    const times: number[] = [];
    const p = fakeProvider(clock);
    const out = await run(clock, {
      recipients: rcpts(20),
      send: (req, s) => {
        times.push(clock.now());
        return p.send(req, s);
      },
      bucket,
      concurrency: 8,
    });
    expect(out.summary.accepted).toBe(20);
    expect(times).toEqual(Array.from({ length: 20 }, (_, i) => i * 100));
  });

  it('reads recipients lazily (flat memory) and can skip collecting results', async () => {
    const clock = new FakeClock();
    const p = fakeProvider(clock);
    let pulled = 0;
    let finished = 0;
    let maxAhead = 0;
    function* gen(): Generator<R> {
      for (let i = 0; i < 20_000; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - finished);
        yield { to: `+1${i}` };
      }
    }
    const out = await runDispatch<R>({
      recipients: gen(),
      total: 20_000,
      buildRequest,
      send: p.send,
      concurrency: 8,
      collectResults: false,
      onResult: () => {
        finished++;
      },
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(out.summary).toMatchObject({ total: 20_000, accepted: 20_000 });
    expect(out.results).toEqual([]);
    expect(maxAhead).toBeLessThanOrEqual(8);
  });

  it('does not trigger MaxListenersExceededWarning with many workers waiting on one signal', async () => {
    const clock = new FakeClock();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const bucket = new TokenBucket({ ratePerSecond: 100, now: clock.now, sleep: clock.sleep });
      const ac = new AbortController();
      const force = new AbortController();
      const p = fakeProvider(clock, {}, 10);
      const out = await run(clock, { recipients: rcpts(100), send: p.send, bucket, concurrency: 50, signal: ac.signal, forceSignal: force.signal });
      expect(out.summary.accepted).toBe(100);
      // Warnings are emitted on a later tick.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('rejects a bad concurrency', async () => {
    await expect(
      runDispatch<R>({ recipients: [], buildRequest, send: async () => ({ id: 'x', status: 'queued', providerStatus: 'queued' }), concurrency: 0 }),
    ).rejects.toThrow(RangeError);
  });

  it('handles an empty list', async () => {
    const out = await runDispatch<R>({
      recipients: [],
      buildRequest,
      send: async () => ({ id: 'x', status: 'queued', providerStatus: 'queued' }),
      concurrency: 4,
    });
    expect(out.summary).toMatchObject({ total: 0, accepted: 0, notAttempted: 0 });
  });
});

describe('runDispatch with a journal: resume after a crash', () => {
  const rec = (to: string, status: JournalRecord['status'], extra: Partial<JournalRecord> = {}) =>
    JSON.stringify({ to, status, at: '2024-04-30T00:00:00Z', ...extra });

  it('skips accepted, retries failed, leaves started/unknown alone, then sends the rest: never a duplicate', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mms-runner-'));
    const file = path.join(tmp, 'j.jsonl');
    const [a, b, c, d, e] = rcpts(5).map((r) => r.to) as [string, string, string, string, string];
    // Run 1 was killed: a accepted, b failed, c started (in flight at the kill), d's outcome torn.
    fs.writeFileSync(
      file,
      [
        rec(a, 'started'),
        rec(a, 'accepted', { id: 'SM-a' }),
        rec(b, 'started'),
        rec(b, 'failed', { error: { code: 'PROVIDER_UNAVAILABLE', message: '503' } }),
        rec(c, 'started'),
        rec(d, 'started'),
        '{"to":"' + d + '","status":"acc',
      ].join('\n'),
    );
    const clock = new FakeClock();
    const p = fakeProvider(clock);
    const journal = Journal.open(file);
    let out: DispatchOutcome;
    try {
      out = await run(clock, { recipients: rcpts(5), send: p.send, journal });
    } finally {
      journal.close();
    }
    expect(p.calls.sort()).toEqual([b, e].sort());
    expect(out.results.map((r) => [r.to, r.status])).toEqual([
      [a, 'skipped'],
      [b, 'accepted'],
      [c, 'unknown'],
      [d, 'unknown'],
      [e, 'accepted'],
    ]);
    expect(out.results[0]?.id).toBe('SM-a');
    expect(out.summary).toMatchObject({ total: 5, accepted: 2, skipped: 1, unknown: 2, failed: 0 });

    // A third run sends nothing at all.
    const again = Journal.open(file);
    const p2 = fakeProvider(clock);
    try {
      const out2 = await run(clock, { recipients: rcpts(5), send: p2.send, journal: again });
      expect(p2.calls).toEqual([]);
      expect(out2.summary).toMatchObject({ skipped: 3, unknown: 2 });
    } finally {
      again.close();
    }
    expect([...loadJournal(file).records.values()].map((r) => r.status)).toEqual(['accepted', 'started', 'started', 'accepted', 'accepted']);
  });

  it('an interrupted resume still reports recipients done in an earlier run as skipped, not "not sent"', async () => {
    const clock = new FakeClock();
    const list = rcpts(3);
    const last = list[2]!.to;
    const { journal } = memoryJournal({ [last]: { to: last, status: 'accepted', id: 'SM-old', at: 'x' } });
    const ac = new AbortController();
    const p = fakeProvider(clock);
    const out = await run(clock, { recipients: list, send: p.send, journal, concurrency: 1, signal: ac.signal, onResult: () => ac.abort() });
    expect(out.results.map((r) => [r.status, r.error?.code])).toEqual([
      ['accepted', undefined],
      ['skipped', 'CANCELLED'],
      ['skipped', undefined],
    ]);
    expect(out.results[2]?.id).toBe('SM-old');
    expect(out.summary).toMatchObject({ accepted: 1, notAttempted: 1, skipped: 1 });
  });

  it('with retryAmbiguous, resends the unknown ones but still never the accepted', async () => {
    const clock = new FakeClock();
    const [a, c] = rcpts(2).map((r) => r.to) as [string, string];
    const { journal } = memoryJournal({
      [a]: { to: a, status: 'accepted', id: 'SM-a', at: 'x' },
      [c]: { to: c, status: 'started', at: 'x' },
    });
    const p = fakeProvider(clock);
    const out = await run(clock, { recipients: rcpts(2), send: p.send, journal, retryPolicy: createRetryPolicy({ retryAmbiguous: true }) });
    expect(p.calls).toEqual([c]);
    expect(statuses(out.results)).toEqual(['skipped', 'accepted']);
  });
});
