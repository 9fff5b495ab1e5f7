// `mms send --json` keeps its results in a private temporary file, not in memory (issue 8: memory stays flat as the
// list grows), and writes its one document by reading them back in list order. The document must be byte for byte
// what keeping them in memory wrote: judged here on one run with accepted, failed, unknown-then-settled (found in the
// provider's log, and resent after the log proved it absent) and skipped (journal) recipients, against an oracle built
// from the results the flow reported, rendered the old way. A full temp disk stops the run with a documented error
// and loses nothing: the journal has every result, and a re-run finishes without a duplicate.
import { mkdtempSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/config/store.js';
import type { RecipientResult } from '../../../src/core/types.js';
import { createSendRenderer } from '../../../src/output/render-send.js';
import { PLAIN_THEME } from '../../../src/output/theme.js';
import { loadAccount } from '../../../src/services/account.js';
import { createSendPorts, sendExitCode, sendMessages, type SendOutcome, type SendPorts } from '../../../src/services/send/index.js';
import { ResultFile, ResultFileError } from '../../../src/services/send/result-file.js';
import { baseEnv } from '../../helpers/run-cli.js';
import { startTwilioMock, type TwilioMock } from '../../mocks/twilio/server.js';
import { FROM, mockEnv, numbers, skipWaits, workspace, type Workspace } from '../../trust/harness.js';
import { sendRequest } from './harness.js';
import { memoryIO } from '../../helpers/memory-io.js';

let mock: TwilioMock | undefined;
let ws: Workspace | undefined;
let restoreClock: (() => void) | undefined;
afterEach(async () => {
  restoreClock?.();
  await mock?.close();
  ws?.cleanup();
  [mock, ws, restoreClock] = [undefined, undefined, undefined];
});

function portsFor(m: TwilioMock, w: Workspace, extra: Partial<SendPorts> = {}): SendPorts {
  const env = { ...baseEnv(w.configDir), ...mockEnv(m), MMS_FROM: FROM };
  const signal = new AbortController().signal;
  return createSendPorts({
    env,
    signal,
    loadAccount: () => loadAccount({ store: () => openStore(env), env, signal }, { provider: 'twilio' }),
    configuredCountry: () => undefined,
    readStdin: async () => '',
    // However short the list (a default run keeps up to 50 results in memory).
    openResultFile: (expected) => new ResultFile({ expected }),
    ...extra,
  });
}

/** What `finish` writes to stdout for `outcome` with --json. */
async function renderJson(outcome: SendOutcome): Promise<string> {
  const { io, stdout } = memoryIO({ json: true }, { NO_COLOR: '1' });
  await createSendRenderer({ io, outTheme: PLAIN_THEME, errTheme: PLAIN_THEME }, { ndjson: false, progress: false }).finish(outcome);
  return stdout();
}

describe('--json keeps its results in a temporary file', () => {
  it('writes byte for byte the document an in-memory run wrote: accepted, failed, settled, resent and skipped', async () => {
    mock = await startTwilioMock({});
    restoreClock = skipWaits(mock);
    const list = numbers(12);
    ws = workspace(list);
    const [failed, settled, resent] = [list[3]!, list[5]!, list[8]!];
    // An earlier run on the same journal sent to two of them: this run skips them.
    const first = await sendMessages(sendRequest({ to: [list[1]!, list[10]!], body: 'Nightly "chart" ✓', journal: ws.journal }), portsFor(mock, ws));
    first.stored?.close();
    expect(first.summary).toMatchObject({ accepted: 2 });
    mock.setFaults({
      serverError: { to: [failed] },
      gatewayAfterRecord: { to: [settled], first: 1 },
      gatewayBeforeRecord: { to: [resent], first: 1 },
    });
    const reported = new Map<string, RecipientResult>();
    const request = sendRequest({ to: list, body: 'Nightly "chart" ✓', journal: ws.journal, concurrency: 3 });
    const outcome = await sendMessages(request, portsFor(mock, ws), { onResult: (r) => reported.set(r.to, r) });
    expect(outcome.stored?.count).toBe(12);
    expect(outcome.results).toEqual([]);
    // The oracle: every result as reported once final, in list order, as the in-memory path rendered them.
    const inMemory = { ...outcome, stored: undefined, results: list.map((to) => reported.get(to)!) };
    const streamed = await renderJson(outcome);
    expect(streamed).toBe(await renderJson(inMemory));
    const doc = JSON.parse(streamed) as { summary: Record<string, number>; results: RecipientResult[] };
    expect(doc.results.map((r) => r.to)).toEqual(list);
    expect(doc.summary).toMatchObject({ total: 12, accepted: 9, failed: 1, skipped: 2, unknown: 0 });
    const byTo = new Map(doc.results.map((r) => [r.to, r]));
    expect(byTo.get(failed)).toMatchObject({ status: 'failed', error: { code: 'PROVIDER_UNAVAILABLE' } });
    expect(byTo.get(settled)).toMatchObject({ status: 'accepted' });
    expect(byTo.get(resent)).toMatchObject({ status: 'accepted' });
    expect(byTo.get(list[1]!)).toMatchObject({ status: 'skipped' });
    // Each got exactly one message: the settled one was found in the log, the other resent once the log proved it absent.
    expect([settled, resent].map((to) => mock!.createdFor(to))).toEqual([1, 1]);
    expect(mock.requests.filter((q) => q.method === 'POST' && q.form.To?.[0] === resent)).toHaveLength(2);
    // Results were reported out of list order (retries, settling last): the file put them back in order.
    expect([...reported.keys()]).not.toEqual(list);
    expect(mock.duplicates()).toEqual([]);
  });

  it('escapes outside text in streamed results exactly as the whole document did', async () => {
    const f = new ResultFile({ expected: 3 });
    const results: RecipientResult[] = [
      { to: '+15550000001', status: 'failed', error: { code: 'PROVIDER_REJECTED', message: 'bidi \u202e C1 \u009b zw \u200b nl \n "q" 👩\u200d💻' } },
      { to: '+15550000002', status: 'unknown', error: { code: 'OUTCOME_UNKNOWN', message: 'sep \u2028 bom \ufeff' } },
      { to: '+15550000003', status: 'accepted', id: 'SM\u0085x', providerStatus: 'queued' },
    ];
    for (const i of [2, 0, 1]) f.put(i, results[i]!);
    const summary = { total: 3, accepted: 1, failed: 1, unknown: 1, skipped: 0, notAttempted: 0, durationMs: 12.4 };
    const base = { plan: { warnings: [], provider: 'twilio', profile: 'default' }, dryRun: false, summary, interrupted: false, waited: false };
    const streamed = await renderJson({ ...base, results: [], stored: f } as never);
    expect(streamed).toBe(await renderJson({ ...base, results } as never));
    expect(streamed).toContain('\\u202e');
  });

  it('a full temp disk stops the run with exit 9 and loses nothing: the journal has every result, a re-run finishes', async () => {
    mock = await startTwilioMock({});
    restoreClock = skipWaits(mock);
    const list = numbers(10);
    ws = workspace(list);
    let writes = 0;
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    // Every result is written at once; the fourth write finds the disk full.
    const write = ((fd: number, buf: Buffer, off: number, len: number) => {
      if (++writes >= 4) throw full;
      return writeSync(fd, buf, off, len);
    }) as typeof writeSync;
    const ports = portsFor(mock, ws, { openResultFile: (expected) => new ResultFile({ expected, flushBytes: 1, write }) });
    const request = sendRequest({ to: list, body: 'x', journal: ws.journal, concurrency: 1 });
    await expect(sendMessages(request, ports)).rejects.toMatchObject({
      code: 'JOURNAL_WRITE_FAILED',
      exitCode: 9,
      message: expect.stringMatching(
        /cannot keep a temporary copy of the results in .* \(ENOSPC\): the run stopped sending there \(4 accepted\); every result is in the journal/,
      ),
    });
    // Stopped: nothing after the failing result was sent.
    expect(mock.messages()).toHaveLength(4);
    const again = await sendMessages(sendRequest({ to: list, body: 'x', journal: ws.journal }), portsFor(mock, ws));
    const doc = JSON.parse(await renderJson(again)) as { results: RecipientResult[] };
    expect(doc.results.filter((r) => r.status === 'skipped')).toHaveLength(4);
    expect(doc.results.filter((r) => r.status === 'accepted')).toHaveLength(6);
    expect(sendExitCode(again)).toBe(0);
    expect(mock.messages()).toHaveLength(10);
    expect(mock.duplicates()).toEqual([]);
  });

  it('no room for the file at all: nothing is sent (exit 5)', async () => {
    mock = await startTwilioMock({});
    ws = workspace(numbers(2));
    const dir = join(ws.configDir, 'missing');
    const ports = portsFor(mock, ws, { openResultFile: (expected) => new ResultFile({ dir, expected }) });
    await expect(sendMessages(sendRequest({ to: ws.recipients, body: 'x' }), ports)).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      exitCode: 5,
      message: expect.stringMatching(/^--json: cannot keep a temporary copy of the results in .*missing \(ENOENT\); nothing was sent$/),
    });
    expect(mock.messages()).toHaveLength(0);
  });
});

describe('which runs use the file', () => {
  it('a default run keeps up to 50 results in memory, and puts a longer list in the file', async () => {
    mock = await startTwilioMock({});
    ws = workspace(numbers(51));
    const ports = { ...portsFor(mock, ws) };
    delete ports.openResultFile;
    const short = await sendMessages(sendRequest({ to: ws.recipients.slice(0, 50), body: 'x', ratePerSecond: Infinity }), ports);
    expect([short.results.length, short.stored]).toEqual([50, undefined]);
    const long = await sendMessages(sendRequest({ to: numbers(51, 3_000_000), body: 'x', ratePerSecond: Infinity }), ports);
    try {
      expect([long.results.length, long.stored?.count]).toEqual([0, 51]);
    } finally {
      long.stored?.close();
    }
  });
});

describe('ResultFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mms-result-file-test-'));
  afterEach(() => rmSync(join(dir, 'x'), { force: true }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves nothing in the directory, reads back in list order, and shows later changes to unknown results', async () => {
    const f = new ResultFile({ dir, expected: 2 });
    try {
      expect(readdirSync(dir)).toEqual([]);
      const unknown: RecipientResult = { to: '+15550000002', status: 'unknown', error: { code: 'OUTCOME_UNKNOWN', message: 'lost' } };
      // Longer than the read window: the reader grows it.
      const long: RecipientResult = { to: '+15550000003', status: 'failed', error: { code: 'PROVIDER_REJECTED', message: `é${'x'.repeat(150_000)}` } };
      f.put(3, { to: '+15550000004', status: 'skipped', id: 'SM4' });
      f.put(1, unknown);
      f.put(0, { to: '+15550000001', status: 'accepted', id: 'SM1', providerStatus: 'queued' });
      f.put(2, long);
      // Settling rewrites the object it holds.
      Object.assign(unknown, { status: 'accepted', id: 'SM2' });
      delete unknown.error;
      const back: RecipientResult[] = [];
      for await (const r of f.inOrder()) back.push(r);
      expect(back.map((r) => [r.to, r.status])).toEqual([
        ['+15550000001', 'accepted'],
        ['+15550000002', 'accepted'],
        ['+15550000003', 'failed'],
        ['+15550000004', 'skipped'],
      ]);
      expect(back[2]).toEqual(long);
      expect(back[1]).toEqual({ to: '+15550000002', status: 'accepted', id: 'SM2' });
    } finally {
      f.close();
    }
  });

  it('cannot be made in a missing directory', () => {
    expect(() => new ResultFile({ dir: join(dir, 'missing') })).toThrow(ResultFileError);
  });
});
