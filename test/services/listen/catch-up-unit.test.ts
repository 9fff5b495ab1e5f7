// catchUp with a scripted log (no network): a log that repeats a message across pages (offset
// paging over a growing list) emits it once; a log that fails part-way keeps what it read and
// reports the error instead of throwing; a cancelled run rethrows; the window and bound are passed on.
import { describe, expect, it } from 'vitest';
import { catchUp, type CatchUpAdapter, type RecoveredMessage } from '../../../src/services/listen/catch-up.js';
import { ProviderError, ErrorCode } from '../../../src/errors/errors.js';
import { ExitCode } from '../../../src/errors/exit-codes.js';
import type { InboundLogQuery, LoggedInboundMessage, ProviderCallContext } from '../../../src/providers/types.js';

const TO = '+15552000001';
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const ctx = (signal?: AbortSignal): ProviderCallContext => ({
  credentials: {},
  baseUrl: 'https://api.example',
  http: { request: () => Promise.reject(new Error('no network')) },
  ...(signal ? { signal } : {}),
});
const msg = (id: string, s: number): LoggedInboundMessage => ({
  type: 'message',
  provider: 'fake',
  id,
  from: '+15550100002',
  to: TO,
  body: id,
  media: [],
  receivedAt: new Date(T0 + s * 1000).toISOString(),
});

/** An adapter whose log yields `items` (an Error item is thrown there), recording the query. */
function fakeLog(items: Array<LoggedInboundMessage | Error>): CatchUpAdapter & { queries: InboundLogQuery[] } {
  const queries: InboundLogQuery[] = [];
  return {
    name: 'twilio',
    displayName: 'Fake',
    queries,
    async *listInbound(q) {
      queries.push(q);
      for (const it of items) {
        if (it instanceof Error) throw it;
        yield it;
      }
    },
  };
}

async function run(adapter: CatchUpAdapter, seen: (id: string) => boolean | Promise<boolean> = () => false, signal?: AbortSignal) {
  const emitted: RecoveredMessage[] = [];
  const clock = [new Date(T0 + 60_000), new Date(T0 + 60_250)];
  const result = await catchUp(
    { adapter, to: TO, since: new Date(T0), seen, emit: (m) => void emitted.push(m) },
    ctx(signal),
    () => clock.shift() ?? new Date(T0 + 60_250),
  );
  return { result, emitted };
}

describe('catchUp', () => {
  it('emits a message the log repeated once, oldest first, and asks for the window up to now with the bound + 1', async () => {
    const adapter = fakeLog([msg('c', 30), msg('b', 20), msg('b', 20), msg('a', 10)]);
    const { result, emitted } = await run(adapter, async (id) => id === 'c');
    expect(emitted.map((m) => m.id)).toEqual(['a', 'b']);
    expect(emitted[0]).toEqual({ ...msg('a', 10), recovered: true });
    expect(result).toEqual({
      supported: true,
      provider: 'twilio',
      since: new Date(T0).toISOString(),
      until: new Date(T0 + 60_000).toISOString(),
      listed: 3,
      recovered: 2,
      skipped: 1,
      truncated: false,
      unavailable: [],
      durationMs: 250,
    });
    expect(adapter.queries).toEqual([{ to: TO, since: new Date(T0), until: new Date(T0 + 60_000), max: 1001 }]);
  });

  it('a log that fails part-way: what was read is emitted, the error is reported, nothing is thrown', async () => {
    const err = new ProviderError(ErrorCode.PROVIDER_UNAVAILABLE, ExitCode.UNAVAILABLE, 'Twilio answered 503', { provider: 'twilio', httpStatus: 503 });
    const { result, emitted } = await run(fakeLog([msg('b', 20), err]));
    expect(emitted.map((m) => m.id)).toEqual(['b']);
    expect(result).toMatchObject({ recovered: 1, error: { code: 'PROVIDER_UNAVAILABLE', message: 'Twilio answered 503' } });
  });

  it('a cancelled run rethrows and emits nothing', async () => {
    const ac = new AbortController();
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    ac.abort(abort);
    await expect(run(fakeLog([msg('a', 1), abort]), () => false, ac.signal)).rejects.toBe(abort);
  });

  it('what the logs kept no copy of is summed up for the listener to say', async () => {
    const partial = { ...msg('a', 1), body: '', unavailable: ['body' as const] };
    const { result } = await run(fakeLog([partial, msg('b', 2)]));
    expect(result).toMatchObject({ recovered: 2, unavailable: ['body'] });
  });
});
