// The webhook intake on its own: a real loopback server, Twilio's signature scheme, no provider.
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookEvent } from '../../../src/core/types.js';
import { twilioAdapter } from '../../../src/providers/twilio/adapter.js';
import { telnyxAdapter } from '../../../src/providers/telnyx/adapter.js';
import { computeTwilioSignature } from '../../../src/providers/twilio/webhook.js';
import { createWebhookIntake, webhookReply, type SignatureRejection, type WebhookIntakeOptions } from '../../../src/webhook/intake.js';
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
  const unparseable: string[] = [];
  const path = srv.addWebhookRoute(
    'twilio/inbound',
    createWebhookIntake({
      adapter: twilioAdapter,
      kind: 'inbound',
      publicUrl: base,
      credentials: () => ({ accountSid: 'AC1', authToken }),
      onRejected: (r) => rejected.push(r),
      onUnparseable: (p) => unparseable.push(p.message),
      onEvents: (evs) => void events.push(...evs),
      ...over,
    }),
  );
  const url = `${base}${path}`;
  const post = (body: string, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', headers: { ...form, ...headers }, body });
  return { url, events, rejected, unparseable, post };
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
