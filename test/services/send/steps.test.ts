// The send flow's steps on their own: the pure plan, HEAD checks, the wait for local media
// fetches, and the receipt route (verify → 403 → parse → reply). Time is injected: nothing waits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAdapter } from '../../../src/providers/registry.js';
import type { ProviderAdapter } from '../../../src/providers/types.js';
import { sendMessages } from '../../../src/services/send/index.js';
import { planSend } from '../../../src/services/send/plan.js';
import { openReceiptRoute } from '../../../src/services/send/wait.js';
import { startWebhookServer, type WebhookServer } from '../../../src/webhook/server.js';
import { startMediaServer, PNG_1X1, type MediaServer } from '../../helpers/media-server.js';
import { instantSleep, sendPortsFor, sendRequest, useSendHarness } from './harness.js';

const h = useSendHarness();
let media: MediaServer;
let adapter: ProviderAdapter;

beforeAll(async () => {
  media = await startMediaServer();
  media.add('/chart.png', PNG_1X1, 'image/png');
  media.add('/notype.png', PNG_1X1);
  media.add('/big.png', Buffer.alloc(6 * 1024 * 1024, 1), 'image/png');
  adapter = await getAdapter('twilio');
});
afterAll(async () => {
  await media?.close();
});

describe('planSend (pure)', () => {
  const noMedia = { items: [], problems: [], warnings: [] };
  const plan = (inputs: Parameters<typeof planSend>[1], request: Partial<Parameters<typeof planSend>[0]> = {}, from?: string) =>
    planSend({ media: [], skipInvalid: false, concurrency: 4, ...request }, inputs, noMedia, {
      adapter,
      profile: 'default',
      ...(from !== undefined ? { from } : {}),
    });

  it('lists every problem in order: recipients, body, sender, then an empty message', () => {
    const { problems } = plan({ rawTo: ['abc', '+15551234567'], body: ' ' }, {}, 'bad sender!');
    expect(problems.map((p) => p.code)).toEqual(['RECIPIENT_INVALID', 'SENDER_INVALID', 'MESSAGE_EMPTY']);
  });

  it('checks the length of each recipient’s text when the body has placeholders', async () => {
    const text = { text: `phone,name\n+15551234567,${'x'.repeat(1600)}\n+15557654321,Bo\n`, source: 'list.csv' };
    const { problems, plan: p } = plan({ rawTo: [], file: text, body: 'Hi {{name}}' });
    expect(problems).toEqual([
      {
        code: 'BODY_TOO_LONG',
        message: expect.stringMatching(/^--body: the text for 1 recipient is longer than Twilio's 1600 characters, e\.g\. \+15551234567 \(1603 characters\)$/),
      },
    ]);
    const listed: string[] = [];
    for await (const r of p.recipients) listed.push(r.to);
    expect(listed).toEqual(['+15551234567', '+15557654321']);
  });

  it('--skip-invalid turns invalid recipients into a warning, and "nobody left" into a problem', () => {
    const some = plan({ rawTo: ['abc', '+15551234567'], body: 'x' }, { skipInvalid: true });
    expect(some.problems).toEqual([]);
    expect(some.plan.warnings).toEqual([expect.stringMatching(/^skipping 1 invalid recipient \(--skip-invalid\): --to "abc": /)]);
    const none = plan({ rawTo: ['abc'], body: 'x' }, { skipInvalid: true });
    expect(none.problems).toEqual([{ code: 'RECIPIENT_INVALID', message: 'every recipient is invalid: there is no one to send to' }]);
  });

  it('uses the provider’s documented rate unless --rate says otherwise', () => {
    expect(plan({ rawTo: ['+15551234567'], body: 'x' }).plan.ratePerSecond).toBe(adapter.capabilities.defaultRatePerSecond);
    expect(plan({ rawTo: ['+15551234567'], body: 'x' }, { ratePerSecond: Infinity }).plan.ratePerSecond).toBe(Infinity);
  });
});

describe('--check-media (HEAD before sending)', () => {
  it('fills in type and size for a good URL (shown by the dry-run plan)', async () => {
    const outcome = await sendMessages(
      sendRequest({ to: ['+15551234567'], media: [media.url('/chart.png')], checkMedia: true, dryRun: true }),
      sendPortsFor(h),
    );
    expect(outcome.plan.media[0]).toMatchObject({ contentType: 'image/png', size: PNG_1X1.length });
  });

  it('refuses a 404, a missing Content-Type and an oversized file, all at once, before sending', async () => {
    const urls = ['/missing.png', '/notype.png', '/big.png'].map((p) => media.url(p));
    const err = await sendMessages(sendRequest({ to: ['+15551234567'], media: urls, checkMedia: true }), sendPortsFor(h)).catch((e: unknown) => e);
    expect((err as { details: { problems: Array<{ code: string }> } }).details.problems.map((p) => p.code).sort()).toEqual([
      'MEDIA_FETCH_FAILED',
      'MEDIA_TOO_LARGE',
      'MEDIA_TYPE_UNSUPPORTED',
    ]);
    expect((err as Error).message).toMatch(/HEAD answered HTTP 404/);
    expect(h.messages()).toHaveLength(0);
  });
});

describe('local media: waiting for the provider to fetch', () => {
  it('warns when a file was not fetched before the media timeout (and waits no longer than it)', async () => {
    const dir = join(h.dir, 'unfetched');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'chart.png'), PNG_1X1);
    const ports = sendPortsFor(h);
    const real = await ports.loadAccount();
    // A provider that accepts the message but never fetches its media.
    const silent = { ...real, adapter: { ...real.adapter, send: async () => ({ id: 'SM1', status: 'queued' as const, providerStatus: 'queued' }) } };
    const sleeps: number[] = [];
    const notes: string[] = [];
    const outcome = await sendMessages(
      sendRequest({ to: ['+15551234567'], media: [join(dir, 'chart.png')], mediaTimeoutSeconds: 30 }),
      { ...ports, loadAccount: async () => silent, time: { ...ports.time, sleep: instantSleep(sleeps) } },
      { note: (l) => notes.push(l) },
    );
    expect(outcome.summary).toMatchObject({ accepted: 1 });
    expect(sleeps).toEqual([30_000]);
    expect(notes).toEqual(['Warning: 1 local file was not fetched for every message before the 30 s media timeout; those messages may fail.']);
  });
});

describe('the --wait receipt route', () => {
  let server: WebhookServer;
  beforeAll(async () => {
    server = await startWebhookServer({ port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 403 to an unsigned callback and says so; the run keeps waiting', async () => {
    const notes: string[] = [];
    const endpoint = { server, publicUrl: server.origin, via: 'loopback', close: async () => undefined };
    const route = openReceiptRoute(endpoint, adapter, { accountSid: 'AC1', authToken: 'secret' }, { note: (l) => notes.push(l) });
    const res = await fetch(route.statusUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'probe' },
      body: 'MessageSid=SM1&MessageStatus=delivered',
    });
    expect(res.status).toBe(403);
    expect(notes).toEqual(['Rejected a status callback with a missing or invalid signature (probe).']);
    const delivery = await route.waitFor(['SM1'], 5, { signal: new AbortController().signal, sleep: instantSleep() });
    expect(delivery.get('SM1')).toEqual({ status: 'pending' });
  });
});
