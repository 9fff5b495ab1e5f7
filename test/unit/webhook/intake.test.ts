// The webhook intake on its own: a real loopback server, Twilio's signature scheme, no provider.
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookEvent } from '../../../src/core/types.js';
import { twilioAdapter } from '../../../src/providers/twilio/adapter.js';
import { telnyxAdapter } from '../../../src/providers/telnyx/adapter.js';
import { computeTwilioSignature } from '../../../src/providers/twilio/webhook.js';
import { bandwidthAdapter } from '../../../src/providers/bandwidth/adapter.js';
import { plivoAdapter } from '../../../src/providers/plivo/adapter.js';
import { computePlivoV2Signature } from '../../../src/providers/plivo/webhook.js';
import { parseForm } from '../../../src/providers/shared.js';
import { createWebhookIntake, webhookReply, type ReplayNotice, type SignatureRejection, type WebhookIntakeOptions } from '../../../src/webhook/intake.js';
import { createReplayCache } from '../../../src/webhook/replay-cache.js';
import { startWebhookServer, type WebhookServer } from '../../../src/webhook/server.js';

const authToken = 'test_auth_token';
const params = { MessageSid: 'MM123', From: '+15557654321', To: '+15551234567', Body: 'hi', NumMedia: '0' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

let srv: WebhookServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

/** A server with one intake route; returns its URL and what the intake reported. */
async function mount(over: Partial<WebhookIntakeOptions> = {}) {
  srv = await startWebhookServer();
  const base = srv.origin;
  const events: WebhookEvent[] = [];
  const rejected: SignatureRejection[] = [];
  const challenged: SignatureRejection[] = [];
  const replays: ReplayNotice[] = [];
  const unparseable: string[] = [];
  const path = srv.addWebhookRoute(
    'twilio/inbound',
    createWebhookIntake({
      adapter: twilioAdapter,
      kind: 'inbound',
      publicUrl: base,
      credentials: () => ({ accountSid: 'AC1', authToken }),
      onRejected: (r) => rejected.push(r),
      onChallenged: (r) => challenged.push(r),
      onReplay: (r) => replays.push(r),
      onUnparseable: (p) => unparseable.push(p.message),
      onEvents: (evs) => void events.push(...evs),
      ...over,
    }),
  );
  const url = `${base}${path}`;
  const post = (body: string, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', headers: { ...form, ...headers }, body });
  return { url, events, rejected, challenged, replays, unparseable, post };
}

describe('webhookReply', () => {
  it('answers Twilio inbound webhooks with empty TwiML and everything else with a plain 200', () => {
    expect(webhookReply(twilioAdapter, 'inbound')).toEqual({ status: 200, headers: { 'content-type': 'text/xml' }, body: '<Response></Response>' });
    expect(webhookReply(twilioAdapter, 'status')).toEqual({ status: 200 });
    expect(webhookReply(telnyxAdapter, 'inbound')).toEqual({ status: 200 });
  });
});

describe('createWebhookIntake', () => {
  it('verifies against the public URL, hands on the events and answers as the provider expects', async () => {
    const m = await mount();
    const res = await m.post(new URLSearchParams(params).toString(), { 'x-twilio-signature': computeTwilioSignature(authToken, m.url, params) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<Response></Response>');
    expect(m.events).toMatchObject([{ type: 'message', id: 'MM123', from: '+15557654321', body: 'hi' }]);
  });

  it('refuses a missing or wrong signature with 403 and names the client', async () => {
    const m = await mount();
    const body = new URLSearchParams(params).toString();
    expect((await m.post(body, { 'user-agent': 'curl/8' })).status).toBe(403);
    expect((await m.post(body, { 'x-twilio-signature': computeTwilioSignature('other', m.url, params) })).status).toBe(403);
    expect(m.rejected).toEqual([
      { kind: 'inbound', client: 'curl/8' },
      { kind: 'inbound', client: expect.any(String) as string },
    ]);
    expect(m.events).toEqual([]);
  });

  it('refuses everything when the adapter cannot verify, unless skipVerify', async () => {
    const noVerify = { ...twilioAdapter, verifyWebhook: undefined };
    const strict = await mount({ adapter: noVerify });
    expect((await strict.post(new URLSearchParams(params).toString())).status).toBe(403);
    await srv!.close();
    const lax = await mount({ adapter: noVerify, skipVerify: true });
    expect((await lax.post(new URLSearchParams(params).toString())).status).toBe(200);
    expect(lax.events).toHaveLength(1);
  });

  it('answers a duplicate 2xx without handing it on (the replay-cache seam)', async () => {
    const m = await mount({ isDuplicate: () => true });
    const res = await m.post(new URLSearchParams(params).toString(), { 'x-twilio-signature': computeTwilioSignature(authToken, m.url, params) });
    expect(res.status).toBe(200);
    expect(m.events).toEqual([]);
  });

  it('answers 400 when the adapter cannot parse a verified request', async () => {
    const m = await mount({
      adapter: {
        ...twilioAdapter,
        parseWebhook: () => {
          throw new Error('bad shape');
        },
      },
      skipVerify: true,
    });
    expect((await m.post('x=1')).status).toBe(400);
    expect(m.unparseable).toEqual(['bad shape']);
  });

  it('lets the caller answer instead (a forwarder relays the app), with the raw request', async () => {
    let seen: { publicUrl: string; body: string } | undefined;
    const m = await mount({
      onEvents: (_evs, req) => {
        seen = { publicUrl: req.publicUrl, body: req.rawBody.toString() };
        // A promise, as a forwarder's answer would be.
        return Promise.resolve({ status: 202, headers: { 'content-type': 'text/xml' }, body: '<Response><Message>hi</Message></Response>' });
      },
    });
    const body = new URLSearchParams(params).toString();
    const res = await m.post(body, { 'x-twilio-signature': computeTwilioSignature(authToken, m.url, params) });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('<Response><Message>hi</Message></Response>');
    expect(seen).toEqual({ publicUrl: m.url, body });
  });
});

describe('createWebhookIntake: challenges', () => {
  const creds = () => ({ callbackUsername: 'cb-user', callbackPassword: 'cb-pass' });
  const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
  const json = { 'content-type': 'application/json' };
  const body = JSON.stringify([
    { type: 'message-received', time: '2026-01-01T00:00:00Z', to: '+15551234567', message: { id: 'bw-1', from: '+15557654321', text: 'hi', media: [] } },
  ]);

  it("answers a request without credentials with the provider's 401 challenge, wrong ones with 403, right ones as usual", async () => {
    const m = await mount({ adapter: bandwidthAdapter, credentials: creds });
    const first = await m.post(body, { ...json, 'user-agent': 'BandwidthAPI/v2' });
    expect(first.status).toBe(401);
    expect(first.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
    expect(m.challenged).toEqual([{ kind: 'inbound', client: 'BandwidthAPI/v2' }]);
    expect(m.rejected).toEqual([]);

    expect((await m.post(body, { ...json, ...basic('cb-user', 'wrong') })).status).toBe(403);
    expect(m.rejected).toHaveLength(1);
    expect(m.events).toEqual([]);

    expect((await m.post(body, { ...json, ...basic('cb-user', 'cb-pass') })).status).toBe(200);
    expect(m.events).toMatchObject([{ type: 'message', id: 'bw-1', from: '+15557654321', body: 'hi' }]);
  });

  it('does not challenge for a provider whose scheme is a signature (Twilio: 403)', async () => {
    const m = await mount();
    expect((await m.post(new URLSearchParams(params).toString())).status).toBe(403);
    expect(m.challenged).toEqual([]);
  });
});

describe('createWebhookIntake: replays and retries', () => {
  const body = new URLSearchParams(params).toString();
  const signed = (url: string, p: Record<string, string> = params) => ({ 'x-twilio-signature': computeTwilioSignature(authToken, url, p) });

  it('hands an event on once: a replay or retry of the same request is answered 2xx and dropped', async () => {
    const m = await mount();
    const a = await m.post(body, signed(m.url));
    const b = await m.post(body, signed(m.url));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await b.text()).toBe('<Response></Response>');
    expect(m.events).toHaveLength(1);
    expect(m.replays).toEqual([{ kind: 'inbound', reason: 'events' }]);
  });

  it('drops a request whose nonce was seen, even with another body (Plivo V2 signs only URL + nonce)', async () => {
    const m = await mount({ adapter: plivoAdapter, credentials: () => ({ authId: 'MA1', authToken }) });
    const nonce = '98765';
    const v2 = { 'x-plivo-signature-v2': computePlivoV2Signature(authToken, m.url, nonce), 'x-plivo-signature-v2-nonce': nonce };
    const msg = (uuid: string, text: string) =>
      new URLSearchParams({ MessageUUID: uuid, From: '15557654321', To: '15551234567', Type: 'sms', Text: text }).toString();
    expect((await m.post(msg('11111111-2222-3333-4444-555555555555', 'real'), v2)).status).toBe(200);
    expect((await m.post(msg('99999999-2222-3333-4444-555555555555', 'forged'), v2)).status).toBe(200);
    expect(m.events).toMatchObject([{ id: '11111111-2222-3333-4444-555555555555', body: 'real' }]);
    expect(m.replays).toEqual([{ kind: 'inbound', reason: 'request' }]);
  });

  it('remembers nothing of a request it did not answer 2xx, so the provider can retry it', async () => {
    let refuse = true;
    const seen: WebhookEvent[] = [];
    const m = await mount({
      onEvents: (evs) => {
        if (refuse) return { status: 503, body: 'stopping' };
        seen.push(...evs);
        return undefined;
      },
    });
    expect((await m.post(body, signed(m.url))).status).toBe(503);
    refuse = false;
    expect((await m.post(body, signed(m.url))).status).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('shares one cache between routes when given one, and can be turned off', async () => {
    const cache = createReplayCache();
    const m = await mount({ replayCache: cache });
    await m.post(body, signed(m.url));
    expect(cache.has('twilio:message:MM123')).toBe(true);
    await srv!.close();
    const off = await mount({ replayCache: false });
    await off.post(body, signed(off.url));
    await off.post(body, signed(off.url));
    expect(off.events).toHaveLength(2);
  });

  it('still hands on the new receipts of a request that repeats some', async () => {
    const m = await mount({ kind: 'status' });
    const receipt = (status: string) => ({ MessageSid: 'SM1', MessageStatus: status, To: '+15551234567', From: '+15557654321' });
    for (const st of ['sent', 'sent', 'delivered']) await m.post(new URLSearchParams(receipt(st)).toString(), signed(m.url, receipt(st)));
    expect(m.events.map((e) => (e.type === 'status' ? e.providerStatus : ''))).toEqual(['sent', 'delivered']);
  });
});

describe('createWebhookIntake: events that cannot be used', () => {
  it('refuses a validly signed Twilio JSON body with 400 and a reason, emitting nothing', async () => {
    const m = await mount();
    const json = JSON.stringify({ MessageSid: 'SM1', From: '+15557654321', Body: 'hi' });
    const sig = computeTwilioSignature(authToken, m.url, parseForm(json));
    const res = await m.post(json, { 'content-type': 'application/json', 'x-twilio-signature': sig });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^unparseable webhook: .*JSON body/);
    expect(m.unparseable).toEqual([expect.stringMatching(/form-encoded/)]);
    expect(m.events).toEqual([]);
  });

  it('never hands on an event whose id or sender is empty', async () => {
    const m = await mount({ skipVerify: true });
    const res = await m.post(new URLSearchParams({ From: '', Body: 'hi', NumMedia: '0' }).toString());
    expect(res.status).toBe(400);
    expect(m.unparseable).toEqual(['a message event without id or from']);
    expect(m.events).toEqual([]);
  });
});
