// POST /_sandbox/inbound in the Vonage, Bandwidth and Sinch dialects: each delivers its provider's
// inbound webhook, checked with independent code (jsonwebtoken for Vonage's JWT, a plain HMAC for
// Sinch's signature); Bandwidth stores what it was given.
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startReceiver } from '../helpers/sandbox-unit.js';
import { inject } from './helpers.js';

const PNG = readFileSync(new URL('../fixtures/media/pixel.png', import.meta.url));

let sb: Sandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, stepDelayMs: 1 });
  receiver = await startReceiver();
});
afterAll(async () => {
  await sb.close();
  await receiver.close();
});

const creds = (p: string) => sb.info().providers[p]!.credentials;
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('inbound injection in the other dialects', () => {
  it('Vonage: the inbound_url gets an MMS image payload with a Bearer JWT signed with the signature secret', async () => {
    const c = creds('vonage');
    const caps = { messages: { version: 'v1', webhooks: { inbound_url: { address: receiver.url('/vonage'), http_method: 'POST' } } } };
    const res = await fetch(`${sb.baseUrl('vonage')}/v2/applications/${c.applicationId!}`, {
      method: 'PUT',
      headers: { authorization: basic(c.apiKey!, c.apiSecret!), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'mms sandbox', capabilities: caps }),
    });
    expect(res.status).toBe(200);
    await res.body?.cancel();
    const r = await inject(sb, { to: '+15557770031', from: '+15551234567', body: 'caption', media: [{ contentType: 'image/png', bytes: PNG }] });
    expect(r.status).toBe(201);
    const hook = await receiver.waitFor((h) => h.path === '/vonage');
    const payload = JSON.parse(hook.rawBody.toString()) as { message_type: string; image: { url: string; caption: string }; from: string; to: string };
    expect(payload).toMatchObject({ message_type: 'image', from: '15551234567', to: '15557770031', image: { caption: 'caption' } });
    const token = String(hook.headers.authorization).replace(/^Bearer /, '');
    const claims = jwt.verify(token, c.signatureSecret!, { algorithms: ['HS256'] }) as { payload_hash: string };
    expect(claims.payload_hash).toBe(createHash('sha256').update(hook.rawBody).digest('hex'));
    expect(Buffer.from(await (await fetch(payload.image.url)).arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('Sinch: the plan callback URL gets an mo_media signed with the webhook secret', async () => {
    const c = creds('sinch');
    const res = await fetch(`${sb.baseUrl('sinch')}/dashboard/service-plans/${c.servicePlanId!}/callback-url`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${c.apiToken!}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url('/sinch') }),
    });
    expect(res.status).toBe(200);
    await res.body?.cancel();
    expect((await inject(sb, { to: '+15557770051', from: '+15551234567', body: 'hej', media: [{ contentType: 'image/png', bytes: PNG }] })).status).toBe(201);
    const hook = await receiver.waitFor((h) => h.path === '/sinch');
    const body = hook.rawBody.toString();
    expect(JSON.parse(body)).toMatchObject({ type: 'mo_media', from: '15551234567', to: '15557770051', body: { message: 'hej' } });
    const { 'x-sinch-webhook-signature-nonce': nonce, 'x-sinch-webhook-signature-timestamp': ts } = hook.headers;
    const expected = createHmac('sha256', c.webhookSecret!)
      .update(`${body}.${String(nonce)}.${String(ts)}`)
      .digest('base64');
    expect(hook.headers['x-sinch-webhook-signature']).toBe(expected);
  });

  it('Bandwidth: the message is stored as received with its media; without an InboundCallbackUrl nothing is sent', async () => {
    const r = await inject(sb, { to: '+15557770041', from: '+15551234567', body: 'bw', media: [{ contentType: 'image/png', bytes: PNG }] });
    expect(r.status).toBe(201);
    expect(r.body.message).toMatchObject({
      provider: 'bandwidth',
      direction: 'inbound',
      status: 'RECEIVED',
      media: [{ contentType: 'image/png', size: PNG.length }],
    });
    expect(r.body.webhooks).toEqual([]);
  });
});
