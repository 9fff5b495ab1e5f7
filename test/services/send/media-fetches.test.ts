// After sending, local files stay served until the provider has fetched them; the warning afterwards must say
// what really happened (#11 item 9): nothing for a file fetched seconds after sending, a count when a provider
// fetched once for several messages, and no "media timeout" when Ctrl+C ended the wait.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sleep } from '../../../src/core/token-bucket.js';
import type { MessageRequest } from '../../../src/core/types.js';
import { sendMessages, type SendPorts } from '../../../src/services/send/index.js';
import { PNG_1X1 } from '../../helpers/media-server.js';
import { instantSleep, sendPortsFor, sendRequest, useSendHarness } from './harness.js';

const h = useSendHarness();
let chart: string;

beforeAll(() => {
  const dir = join(h.dir, 'fetches');
  mkdirSync(dir, { recursive: true });
  chart = join(dir, 'chart.png');
  writeFileSync(chart, PNG_1X1);
});

/** Ports whose provider accepts every message and fetches its media only for the first `fetches` of them. */
async function fetchingProvider(fetches: number, sleep: Sleep, signal?: AbortSignal): Promise<SendPorts> {
  const ports = sendPortsFor(h, signal ? { signal } : {});
  const real = await ports.loadAccount();
  let n = 0;
  const send = async (req: MessageRequest) => {
    if (n++ < fetches) await (await fetch(req.mediaUrls[0]!)).arrayBuffer();
    return { id: `SM${n}`, status: 'queued' as const, providerStatus: 'queued' };
  };
  return { ...ports, loadAccount: async () => ({ ...real, adapter: { ...real.adapter, send } }), time: { ...ports.time, sleep } };
}

describe('warnings after serving local media', () => {
  it('says nothing when the file was fetched for every message (however soon after sending)', async () => {
    const notes: string[] = [];
    const outcome = await sendMessages(
      sendRequest({ to: ['+15551234567'], media: [chart], mediaTimeoutSeconds: 120 }),
      await fetchingProvider(1, instantSleep()),
      { note: (l) => notes.push(l) },
    );
    expect(outcome.summary).toMatchObject({ accepted: 1 });
    expect(notes).toEqual([]);
  });

  it('counts the fetches when a provider fetched once for several messages', async () => {
    const notes: string[] = [];
    await sendMessages(
      sendRequest({ to: ['+15551234567', '+15557654321'], media: [chart], mediaTimeoutSeconds: 120 }),
      await fetchingProvider(1, instantSleep()),
      { note: (l) => notes.push(l) },
    );
    expect(notes).toEqual([
      `Warning: ${chart} was fetched 1 time for 2 accepted messages by the 120 s media timeout; ` +
        'a provider that reuses its copy needs no more, otherwise the other messages may fail.',
    ]);
  });

  it('does not blame the media timeout when Ctrl+C ended the wait', async () => {
    const ctl = new AbortController();
    const sleep: Sleep = async (ms, signal) => {
      if (ms === 120_000) ctl.abort(new Error('Ctrl+C')); // pressed while waiting for the fetch
      await new Promise((r) => setImmediate(r));
      signal?.throwIfAborted();
    };
    const notes: string[] = [];
    await sendMessages(sendRequest({ to: ['+15551234567'], media: [chart], mediaTimeoutSeconds: 120 }), await fetchingProvider(0, sleep, ctl.signal), {
      note: (l) => notes.push(l),
    });
    expect(notes).toEqual([`Warning: stopped serving local files before the provider had fetched them for every message (${chart}); those messages may fail.`]);
  });
});
