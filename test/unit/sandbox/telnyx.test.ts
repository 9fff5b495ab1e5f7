// The Telnyx dialect driven by the real Telnyx adapter over loopback HTTP (no internet).
import { createPrivateKey } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, ErrorCode } from '../../../src/errors/errors.js';
import { createHttpClient } from '../../../src/providers/http-client.js';
import { telnyxAdapter } from '../../../src/providers/telnyx/adapter.js';
import type { ProviderCallContext, WebhookRequest } from '../../../src/providers/types.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';
import type { SandboxMessage } from '../../../src/sandbox/store.js';
import { signTelnyxWebhook } from '../../../src/sandbox/dialects/telnyx/signature.js';
import { startMediaServer, PNG_1X1, type MediaServer } from '../../helpers/media-server.js';
import { rejection, startReceiver, waitForMessage, type Hook } from '../../helpers/sandbox-unit.js';

let sb: Sandbox;
let media: MediaServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let ctx: ProviderCallContext;
let publicKey: string;
let from: string;

async function waitFor(id: string, pred: (m: SandboxMessage) => boolean, ms = 5000): Promise<SandboxMessage> {
  return waitForMessage(sb, id, pred, ms);
}

const hookReq = (h: Hook, publicUrl: string): WebhookRequest => ({ method: 'POST', publicUrl, headers: h.headers, rawBody: h.rawBody });

beforeAll(async () => {
  sb = await startSandbox({ port: 0, stepDelayMs: 5 });
  media = await startMediaServer();
  media.add('/chart.png', PNG_1X1, 'image/png');
  media.add('/notype.png', PNG_1X1);
  media.add('/big.png', Buffer.alloc(1_200_000, 1), 'image/png');
  media.add('/app.bin', Buffer.alloc(10, 1), 'application/x-msdownload');
  receiver = await startReceiver();
  const info = sb.info().providers.telnyx!;
  publicKey = info.credentials.publicKey!;
  from = info.defaultFrom;
  ctx = { credentials: { apiKey: info.credentials.apiKey! }, baseUrl: sb.baseUrl('telnyx'), http: createHttpClient({ provider: 'telnyx' }) };
});

afterEach(() => {
  for (const k of Object.keys(sb.faults)) delete (sb.faults as Record<string, unknown>)[k];
});

afterAll(async () => {
  await sb?.close();
  await media?.close();
  await receiver?.close();
});

describe('Telnyx dialect', () => {
  it('describes random credentials: an API key and a 32-byte Ed25519 public key, plus its numbers', () => {
    const info = sb.info().providers.telnyx!;
    expect(info.credentials.apiKey).toMatch(/^KEY[0-9A-F]{32}_/);
    expect(Buffer.from(publicKey, 'base64')).toHaveLength(32);
    expect(telnyxAdapter.checkCredentials({ apiKey: info.credentials.apiKey!, publicKey })).toEqual([]);
    expect(info.numbers).toEqual(['+15557770011', '+15557770012']);
    expect(info.defaultFrom).toBe('+15557770011');
  });

  it('accepts the API key on GET /v2/balance and rejects a wrong one with 10009', async () => {
    await expect(telnyxAdapter.verifyCredentials(ctx)).resolves.toEqual({ accountLabel: 'balance 100.00 USD' });
    const e = await rejection(telnyxAdapter.verifyCredentials({ ...ctx, credentials: { apiKey: 'KEYwrong' } }));
    expect(e).toBeInstanceOf(AuthError);
    expect(e.code).toBe(ErrorCode.AUTH_REJECTED);
  });

  it('sends an MMS, fetches the media like Telnyx, and reports the status through GET /v2/messages/{id}', async () => {
    const ok = await telnyxAdapter.send({ to: '+15551234567', from, body: 'Nightly chart', mediaUrls: [media.url('/chart.png')] }, ctx);
    expect(ok).toMatchObject({ status: 'queued', providerStatus: 'queued' });
    expect(ok.id).toMatch(/^[0-9a-f-]{36}$/);
    const rec = await waitFor(ok.id, (m) => m.status === 'delivered');
    expect(rec).toMatchObject({ provider: 'telnyx', direction: 'outbound', to: '+15551234567', from, body: 'Nightly chart' });
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
    expect(rec.history.map((h) => h.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    const st = await telnyxAdapter.getStatus!(ok.id, ctx);
    expect(st).toMatchObject({ id: ok.id, status: 'delivered', to: '+15551234567', from, body: 'Nightly chart', numMedia: 1 });
    await expect(telnyxAdapter.getStatus!('00000000-0000-4000-8000-000000000000', ctx)).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND, httpStatus: 404 });
  });

  it('answers a wrong key on send with 401 → AUTH_REJECTED', async () => {
    const e = await rejection(telnyxAdapter.send({ to: '+15551234567', from, body: 'x', mediaUrls: [] }, { ...ctx, credentials: { apiKey: 'nope' } }));
    expect(e).toMatchObject({ code: ErrorCode.AUTH_REJECTED, httpStatus: 401, providerCode: '10009' });
  });

  it.each([
    ['+1234', ErrorCode.RECIPIENT_INVALID, '40310'],
    ['+15557770100', ErrorCode.RECIPIENT_INVALID, '40310'],
    ['+15557770101', ErrorCode.RECIPIENT_OPTED_OUT, '40300'],
  ])('refuses To %s synchronously → %s (Telnyx %s)', async (to, code, providerCode) => {
    const e = await rejection(telnyxAdapter.send({ to, from, body: 'x', mediaUrls: [] }, ctx));
    expect(e).toMatchObject({ code, httpStatus: 400, providerCode });
  });

  it('refuses a From the account does not own → SENDER_INVALID', async () => {
    const e = await rejection(telnyxAdapter.send({ to: '+15551234567', from: '+15550009999', body: 'x', mediaUrls: [] }, ctx));
    expect(e).toMatchObject({ code: ErrorCode.SENDER_INVALID, providerCode: '40305' });
  });

  it('refuses more than 10 media and a text over 1600 characters', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => media.url(`/m${i}.png`));
    expect(await rejection(telnyxAdapter.send({ to: '+15551234567', from, mediaUrls: eleven }, ctx))).toMatchObject({
      code: ErrorCode.MEDIA_REJECTED,
      providerCode: '10015',
    });
    expect(await rejection(telnyxAdapter.send({ to: '+15551234567', from, body: 'x'.repeat(1601), mediaUrls: [] }, ctx))).toMatchObject({
      httpStatus: 400,
      providerCode: '10015',
    });
  });

  it.each([
    ['/big.png', 'over the 1 MB total'],
    ['/notype.png', 'no Content-Type'],
    ['/app.bin', 'an unsupported type'],
    ['/missing.png', 'a 404'],
  ])('fails the message (sending_failed, 40009) for media with %s (%s)', async (path) => {
    const ok = await telnyxAdapter.send({ to: '+15551234567', from, mediaUrls: [media.url(path)] }, ctx);
    const rec = await waitFor(ok.id, (m) => m.status === 'sending_failed');
    expect(rec.errorCode).toBe('40009');
    expect(rec.media[0]!.status).toBe('failed');
    expect(await telnyxAdapter.getStatus!(ok.id, ctx)).toMatchObject({ status: 'failed', errorCode: '40009' });
  });

  it.each([
    ['+15557770102', 'sending_failed', 'failed', '40001'],
    ['+15557770103', 'delivery_failed', 'undelivered', '40008'],
    ['+15557770104', 'delivery_unconfirmed', 'sent', undefined],
  ])('test number %s ends %s', async (to, word, status, errorCode) => {
    const ok = await telnyxAdapter.send({ to, from, body: 'x', mediaUrls: [] }, ctx);
    await waitFor(ok.id, (m) => m.status === word);
    const st = await telnyxAdapter.getStatus!(ok.id, ctx);
    expect(st).toMatchObject({ status, providerStatus: word });
    expect(st.errorCode).toBe(errorCode);
  });

  it('answers over the fault rate limit with 429 10011 and x-ratelimit-reset → RATE_LIMITED', async () => {
    sb.faults.rateLimit = 1;
    await telnyxAdapter.send({ to: '+15551234567', from, body: '1', mediaUrls: [] }, ctx);
    const e = await rejection(telnyxAdapter.send({ to: '+15551234567', from, body: '2', mediaUrls: [] }, ctx));
    expect(e).toMatchObject({ code: ErrorCode.RATE_LIMITED, httpStatus: 429, providerCode: '10011', retryAfterMs: 1000 });
  });

  it('answers the fault fail rate with 500 10007 → PROVIDER_UNAVAILABLE', async () => {
    sb.faults.failRate = 1;
    expect(await rejection(telnyxAdapter.send({ to: '+15551234567', from, body: 'x', mediaUrls: [] }, ctx))).toMatchObject({
      code: ErrorCode.PROVIDER_UNAVAILABLE,
      httpStatus: 500,
    });
  });

  it('POSTs signed message.sent and message.finalized to the message webhook_url', async () => {
    const url = receiver.url('/status-1');
    const ok = await telnyxAdapter.send({ to: '+15551234567', from, body: 'x', mediaUrls: [], statusCallbackUrl: url }, ctx);
    const sent = await receiver.waitFor((h) => h.path === '/status-1' && h.rawBody.includes('"message.sent"'));
    const fin = await receiver.waitFor((h) => h.path === '/status-1' && h.rawBody.includes('"message.finalized"'));
    for (const h of [sent, fin]) expect(telnyxAdapter.verifyWebhook!(hookReq(h, url), { publicKey })).toBe(true);
    expect(telnyxAdapter.parseWebhook!(hookReq(sent, url))).toMatchObject([{ type: 'status', id: ok.id, status: 'sent' }]);
    expect(telnyxAdapter.parseWebhook!(hookReq(fin, url))).toMatchObject([{ type: 'status', id: ok.id, status: 'delivered', to: '+15551234567' }]);
  });

  it('round trip: configureInbound points a number at a local receiver; a signed message.received arrives; restore undoes it', async () => {
    const url = receiver.url('/telnyx-inbound');
    const to = '+15557770012';
    const state = await telnyxAdapter.configureInbound!(to, url, ctx);
    expect(state.data.previousProfileId).toEqual(expect.any(String));
    const ok = await telnyxAdapter.send({ to, from, body: 'hello me', mediaUrls: [media.url('/chart.png')] }, ctx);
    const hook = await receiver.waitFor((h) => h.path === '/telnyx-inbound');
    expect(hook.headers['telnyx-signature-ed25519']).toEqual(expect.any(String));
    expect(hook.headers['telnyx-timestamp']).toMatch(/^\d+$/);
    const req = hookReq(hook, url);
    expect(telnyxAdapter.verifyWebhook!(req, { publicKey })).toBe(true);
    const [ev] = telnyxAdapter.parseWebhook!(req);
    expect(ev).toMatchObject({
      type: 'message',
      provider: 'telnyx',
      from,
      to,
      body: 'hello me',
      media: [{ url: media.url('/chart.png'), contentType: 'image/png', size: PNG_1X1.length }],
    });
    expect(ev!.id).not.toBe(ok.id);
    const inbound = sb.store.get(ev!.id)!;
    expect(inbound).toMatchObject({ direction: 'inbound', to, from });
    const payload = JSON.parse(hook.rawBody.toString()).data.payload;
    expect(payload.media[0]).toHaveProperty('hash_sha256');
    // Tampered body, wrong key: refused.
    const tampered = { ...req, rawBody: Buffer.from(hook.rawBody.toString().replace('hello me', 'hello you')) };
    expect(telnyxAdapter.verifyWebhook!(tampered, { publicKey })).toBe(false);
    expect(telnyxAdapter.verifyWebhook!(req, { publicKey: '6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=' })).toBe(false);

    await telnyxAdapter.restoreInbound!(state, ctx);
    await telnyxAdapter.restoreInbound!(state, ctx);
    const before = receiver.hooks.filter((h) => h.path === '/telnyx-inbound').length;
    const again = await telnyxAdapter.send({ to, from, body: 'after restore', mediaUrls: [] }, ctx);
    await waitFor(again.id, (m) => m.status === 'delivered');
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.hooks.filter((h) => h.path === '/telnyx-inbound')).toHaveLength(before);
    const profiles = await (
      await fetch(`${sb.baseUrl('telnyx')}/v2/messaging_profiles`, { headers: { Authorization: `Bearer ${ctx.credentials.apiKey}` } })
    ).json();
    expect(profiles.data).toHaveLength(1);
  });

  it('signs like the reference vector (seed 0x07…, timestamp 1700000000)', () => {
    const seed = Buffer.alloc(32, 7);
    const key = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
    const body =
      '{"data":{"event_type":"message.received","id":"b301ed3f-1490-491f-995f-6e64e69674d4","payload":{"text":"hi"}},"meta":{"attempt":1,"delivered_to":"https://example.com/webhooks"}}';
    const h = signTelnyxWebhook(key, body, 1_700_000_000_000);
    expect(h['telnyx-timestamp']).toBe('1700000000');
    expect(h['telnyx-signature-ed25519']).toBe('HESAWlS7BkuKJfb+nW9HCn0efXZf1ZkivKuPXyEvTlqrAWOrZ/4CKSHiIHYGF4zGdfXaiD7EGqtlcwsPGz0QDQ==');
  });
});
