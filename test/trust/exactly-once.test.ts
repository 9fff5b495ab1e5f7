// Exactly once, judged by an independent oracle: `mms send` against the Twilio mock
// (test/mocks/twilio), one scenario per row of issue 8's table, counting at the provider how many
// messages each recipient got. A run may leave a recipient `unknown` when it honestly cannot tell;
// it may not send twice, claim an acceptance the provider never made, call a created message
// "failed", or drop a recipient from its report. The figure is 5,000 recipients; these use
// a few hundred so the file stays fast. Each row's test names the duplicates seen before the fix
// (issue 8); they are its acceptance tests.
import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runInProcess } from '../helpers/run-in-process.js';
import { runCli } from '../helpers/run-cli.js';
import { startTwilioMock, type TwilioMock, type TwilioMockOptions } from '../mocks/twilio/server.js';
import { setSendClockForTests } from '../../src/services/send/ports.js';
import { judge, mockEnv, numbers, sendArgs, sendInProcess, skipWaits, spawnSend, workspace, type SendRun, type Workspace } from './harness.js';

// Hundreds of sends per test on a shared two-core machine: more room than the default 20 s.
vi.setConfig({ testTimeout: 45_000 });

const SERVICE = `MG${'5'.repeat(32)}`;
const POOL = ['+15550100001', '+15550100002', '+15550100003'];

let mock: TwilioMock | undefined;
let ws: Workspace | undefined;
afterEach(async () => {
  setSendClockForTests(undefined);
  await mock?.close();
  ws?.cleanup();
  mock = undefined;
  ws = undefined;
});

async function setup(n: number, opts: TwilioMockOptions = {}): Promise<{ mock: TwilioMock; ws: Workspace }> {
  mock = await startTwilioMock({ services: { [SERVICE]: POOL }, ...opts });
  ws = workspace(numbers(n));
  return { mock, ws };
}

/** Asserts the promises: no duplicate, nothing dishonest, nobody missing. */
function expectTrustworthy(m: TwilioMock, w: Workspace, run: SendRun): void {
  const v = judge(m, w.recipients, run.results);
  expect(
    { duplicates: v.duplicates, dishonest: v.dishonest.slice(0, 5), missing: v.missing.slice(0, 5) },
    `${JSON.stringify(v.counts)}\n${run.stderr.slice(0, 2000)}`,
  ).toEqual({
    duplicates: 0,
    dishonest: [],
    missing: [],
  });
}

/** Starts the built binary, waits until `held` creates hang at the mock, then kill -9. */
async function killWhileHeld(m: TwilioMock, w: Workspace, held: number, opts: Parameters<typeof sendArgs>[1] = {}): Promise<void> {
  const child = spawnSend(m, w, { concurrency: held, ...opts });
  await vi.waitFor(() => expect(m.heldCount()).toBe(held), { timeout: 15_000, interval: 20 });
  child.child.kill('SIGKILL');
  expect((await child.exited()).signal).toBe('SIGKILL');
  // The mock sees the connections close (late commits are committed at that moment).
  await vi.waitFor(() => expect(m.heldCount()).toBe(0), { timeout: 5_000, interval: 20 });
}

beforeAll(() => {
  // kill -9 needs the built binary (npm run build); fail clearly if it is missing.
  statSync(new URL('../../dist/cli.js', import.meta.url));
});

describe('no faults', () => {
  it('200 recipients: all accepted, exit 0, one message each', async () => {
    const { mock: m, ws: w } = await setup(200);
    const run = await sendInProcess(m, w);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ total: 200, accepted: 200 });
    expectTrustworthy(m, w, run);
    const sid = run.results[0]!.id!;
    const status = await runInProcess(['status', sid, '--provider', 'twilio', '--json'], { configDir: w.configDir, env: mockEnv(m) });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: sid, to: w.recipients[0], providerStatus: expect.stringMatching(/^(queued|sent|delivered)$/) });
  });
});

describe('row 1: gateway 502/504 after the provider recorded the message (no kill)', () => {
  it('row 1: 502 after record on 2% of 200 creates must not resend (before the fix: 5 duplicates, "200 of 200 accepted", exit 0)', async () => {
    const { mock: m, ws: w } = await setup(200, { seed: 7, faults: { gatewayAfterRecord: { rate: 0.02, status: 502 } } });
    const run = await sendInProcess(m, w);
    expectTrustworthy(m, w, run);
  });

  it('a 502 BEFORE the provider recorded anything is retried: everyone accepted once', async () => {
    const { mock: m, ws: w } = await setup(200, { seed: 7, faults: { gatewayBeforeRecord: { rate: 0.02, status: 502 }, serverError: { rate: 0.02 } } });
    // A 502 page is ambiguous: mms waits out Twilio's 10 s log delay before resending; skip it.
    skipWaits(m);
    const run = await sendInProcess(m, w);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ accepted: 200 });
    expectTrustworthy(m, w, run);
  });
});

describe('reset after record', () => {
  it('5% of answers lost to a reset: settled from the log as accepted, never resent', async () => {
    const { mock: m, ws: w } = await setup(200, { seed: 3, faults: { resetAfterRecord: { rate: 0.05 } } });
    const run = await sendInProcess(m, w);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ accepted: 200, unknown: 0 });
    expectTrustworthy(m, w, run);
  });
});

describe('row 2: --from MG… (Messaging Service): records carry a pool number', () => {
  it('lost answers are found in the log by recipient, service and body, and are not resent in the same run', async () => {
    const { mock: m, ws: w } = await setup(200, { seed: 3, faults: { resetAfterRecord: { rate: 0.05 } } });
    const run = await sendInProcess(m, w, { from: SERVICE });
    expectTrustworthy(m, w, run);
    expect(m.requests.some((r) => r.outcome === 'reset-after-record')).toBe(true);
    expect(run.summary).toMatchObject({ accepted: 200, unknown: 0 });
  });

  // Before the fix: 12 duplicates, all 12 lost answers resent: the log search filters From=MG….
  it('row 2: resuming that journal must not resend (before the fix: 12 duplicates, all 12 lost answers resent)', async () => {
    const { mock: m, ws: w } = await setup(200, { seed: 3, faults: { resetAfterRecord: { rate: 0.05 } } });
    await sendInProcess(m, w, { from: SERVICE });
    m.setFaults({});
    const resumed = await sendInProcess(m, w, { from: SERVICE });
    expectTrustworthy(m, w, resumed);
  });
});

// What these rows judge is the 8 requests in flight at the kill (recipients 40–47) and the resume
// after it: 60 recipients put those 8 behind 40 sent ones and 12 still to send, as 200 did.
const IN_FLIGHT_ROWS = 60;

describe('kill -9 mid-request, then resume (built binary)', () => {
  const stalled = (w: Workspace): string[] => w.recipients.slice(40, 48);

  it('provider clock in step: the requests in flight are settled from the log, 0 duplicates', async () => {
    const { mock: m, ws: w } = await setup(IN_FLIGHT_ROWS);
    m.setFaults({ stallAfterRecord: { to: stalled(w) } });
    await killWhileHeld(m, w, 8);
    m.setFaults({});
    const resumed = await sendInProcess(m, w);
    expectTrustworthy(m, w, resumed);
    expect(resumed.summary).toMatchObject({ total: IN_FLIGHT_ROWS, failed: 0 });
  }, 45_000);

  // Before the fix: 8 of 8 in-flight recipients resent: the search window is started − 2 s.
  it('row 3: provider clock 5 s behind ours: 0 duplicates (before the fix: 8, all 8 in flight resent)', async () => {
    const { mock: m, ws: w } = await setup(IN_FLIGHT_ROWS);
    m.setFaults({ stallAfterRecord: { to: stalled(w) }, clockOffsetMs: -5000 });
    await killWhileHeld(m, w, 8);
    m.setFaults({ clockOffsetMs: -5000 });
    expectTrustworthy(m, w, await sendInProcess(m, w));
  }, 45_000);

  // Before the fix: 8 of 8 in-flight recipients resent: "not in the log" is trusted at once.
  it('row 4: the message list lags creates by 30 s: 0 duplicates (before the fix: 8, all 8 in flight resent)', async () => {
    const { mock: m, ws: w } = await setup(IN_FLIGHT_ROWS);
    m.setFaults({ stallAfterRecord: { to: stalled(w) }, listLagMs: 30_000 });
    await killWhileHeld(m, w, 8);
    m.setFaults({ listLagMs: 30_000 });
    expectTrustworthy(m, w, await sendInProcess(m, w));
  }, 45_000);

  it('row 5: a create committed 10 s after the client died: 0 duplicates (before the fix: 8, all 8 resent)', async () => {
    const { mock: m, ws: w } = await setup(IN_FLIGHT_ROWS);
    m.setFaults({ lateCommit: { to: stalled(w), commitDelayMs: 10_000 } });
    await killWhileHeld(m, w, 8);
    m.setFaults({});
    const resumed = await sendInProcess(m, w);
    m.clock.advance(10_000);
    expectTrustworthy(m, w, resumed);
  }, 45_000);

  it('MG sender, kill -9, resume: the requests in flight are found by service and body, 0 duplicates', async () => {
    const { mock: m, ws: w } = await setup(IN_FLIGHT_ROWS);
    m.setFaults({ stallAfterRecord: { to: stalled(w) } });
    await killWhileHeld(m, w, 8, { from: SERVICE });
    m.setFaults({});
    const resumed = await sendInProcess(m, w, { from: SERVICE });
    expectTrustworthy(m, w, resumed);
    expect(resumed.summary).toMatchObject({ total: IN_FLIGHT_ROWS, failed: 0, unknown: 0 });
  }, 45_000);
});

describe('429 with Retry-After', () => {
  it('the first 20 creates are rate-limited (Retry-After: 1): all accepted once, each retry waits', async () => {
    const { mock: m, ws: w } = await setup(IN_FLIGHT_ROWS, { faults: { rateLimit: { first: 20, retryAfter: 1 } } });
    // Each wait moves the mock's clock (which stamps `at`) instead of passing in real time.
    skipWaits(m);
    const run = await sendInProcess(m, w);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ accepted: IN_FLIGHT_ROWS });
    expectTrustworthy(m, w, run);
    const posts = m.requests.filter((r) => r.method === 'POST');
    for (const limited of posts.filter((r) => r.outcome === 'rate-limited')) {
      const next = posts.find((r) => r.at >= limited.at && r !== limited && r.form.To?.[0] === limited.form.To?.[0]);
      expect(next!.at - limited.at).toBeGreaterThanOrEqual(1000);
    }
  });
});

describe('row 6: a stale journal lock (dead pid)', () => {
  async function staleLock(w: Workspace): Promise<void> {
    writeFileSync(`${w.journal}.lock`, JSON.stringify({ pid: await deadPid(), hostname: hostname(), at: new Date().toISOString() }));
  }

  // In-process: the takeover reads the dead pid from the file, which no process of ours has.
  it('one resumer takes the lock over and finishes: everyone once', async () => {
    const { mock: m, ws: w } = await setup(60);
    await staleLock(w);
    const run = await sendInProcess(m, w, { concurrency: 4 });
    expect(run.code, run.stderr).toBe(0);
    expect(m.duplicates()).toEqual([]);
    expect(m.messages()).toHaveLength(60);
  });

  // A race: it showed in a few trials out of 20, so it cannot be a reliable red test; it is the
  // end-to-end check that `mms send` takes the journal lock before it sends, and one trial shows
  // that: three runs that did not would each send to all 60 (120 duplicates), every time. The race
  // itself is tested where it is cheap: test/unit/core/lock-race.test.ts (4 real processes on the
  // lock module, 60 rounds) and the deterministic interleavings of every takeover step in
  // lock.test.ts. Three trials here caught it about one run in seven, for three full CLIs each
  // (it had 10 trials, then 3; now 1).
  // Before the fix: 1 trial in 20 had 120 duplicates, all three runs sending to all 60; another run of 20: 60 in 1 trial.
  it('row 6: 3 resumers at once: 0 duplicates (before the fix: 120 in 1 of 20 trials)', async () => {
    const { mock: m, ws: w } = await setup(60);
    await staleLock(w);
    const runs = await Promise.all([0, 1, 2].map(() => runCli(sendArgs(w, { concurrency: 4 }), { configDir: w.configDir, env: mockEnv(m) })));
    expect(m.duplicates()).toEqual([]);
    // One run sent to everyone; the others found the journal locked (or, when they came after it, nobody left to send to).
    expect(m.messages()).toHaveLength(60);
    expect(runs.map((r) => r.code)).toContain(0);
  }, 60_000);
});

describe('row 7: damaged journal', () => {
  it('row 7: 1 KiB of NULs mid-journal: resume refuses, names the lines (before the fix: 4 of 20 resent, exit 0)', async () => {
    const { mock: m, ws: w } = await setup(20);
    expect((await sendInProcess(m, w, { concurrency: 1 })).code).toBe(0);
    const size = statSync(w.journal).size;
    const fd = openSync(w.journal, 'r+');
    writeSync(fd, Buffer.alloc(1024), 0, 1024, Math.floor(size / 2) - 512);
    closeSync(fd);
    const resumed = await sendInProcess(m, w, { concurrency: 1 });
    expect(m.duplicates()).toEqual([]);
    expect(resumed.code).not.toBe(0);
    expect(resumed.stderr).toMatch(/line/);
  });
});

/** A pid that belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}
