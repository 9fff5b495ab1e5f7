// Sinch-signed callbacks against `mms listen` in-process: the signature computed by the Sinch SDK's
// own helpers (computeSignedData + calculateWebhookSignature) and checked by its SMS callback validator.
import { randomUUID } from 'node:crypto';
import { calculateWebhookSignature, computeSignedData } from '@sinch/sdk-client';
import { SmsCallbackWebhooks } from '@sinch/sms';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startListenHarness, type ListenHarness } from '../helpers/listen-harness.js';

const webhookSecret = 'conformance-sinch-webhook-secret';
const json = { 'content-type': 'application/json', 'user-agent': 'Sinch-XMS' };

const moMedia = (id: string, text: string) =>
  JSON.stringify({
    type: 'mo_media',
    id,
    from: '15557654321',
    to: '15551234567',
    received_at: '2026-01-01T00:00:00.000Z',
    body: { message: text, media: [{ url: 'https://mms.sinch.example/1.png', content_type: 'image/png', status: 'Uploaded', code: 0 }] },
  });

/** The headers Sinch sends, signed `secondsAgo` seconds ago with `secret`. */
function signed(body: string, secondsAgo = 0, secret = webhookSecret): Record<string, string> {
  const nonce = randomUUID();
  const timestamp = String(Math.floor(Date.now() / 1000) - secondsAgo);
  const headers = {
    ...json,
    'x-sinch-webhook-signature': calculateWebhookSignature(computeSignedData(body, nonce, timestamp), secret),
    'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
    'x-sinch-webhook-signature-nonce': nonce,
    'x-sinch-webhook-signature-timestamp': timestamp,
  };
  expect(new SmsCallbackWebhooks(secret).validateAuthenticationHeader(headers, body)).toBe(true);
  return headers;
}

let h: ListenHarness;
beforeEach(async () => {
  h = await startListenHarness('sinch', { servicePlanId: 'plan0123456789', apiToken: 'token0123456789', region: 'us', webhookSecret });
});
afterEach(async () => {
  await h.stop();
});

describe('mms listen ← Sinch callback signatures (the SDK signer)', () => {
  it('accepts an inbound MMS and a delivery report', async () => {
    const msg = moMedia('01JMO00000000000000000001', 'hello from Sinch');
    expect((await h.post(h.info.inboundUrl, msg, signed(msg))).status).toBe(200);
    const dlr = JSON.stringify({
      type: 'recipient_delivery_report_mms',
      batch_id: '01JBATCH000000000000000001',
      recipient: '15557654321',
      code: 0,
      status: 'Delivered',
      at: '2026-01-01T00:00:01.000Z',
    });
    expect((await h.post(h.info.statusUrl, dlr, signed(dlr))).status).toBe(200);
    expect(h.events).toMatchObject([
      { type: 'message', provider: 'sinch', id: '01JMO00000000000000000001', from: '+15557654321', body: 'hello from Sinch' },
      { type: 'status', id: '01JBATCH000000000000000001', status: 'delivered' },
    ]);
  });

  it('does not print a tampered body, another secret or a timestamp outside the window', async () => {
    const msg = moMedia('01JMO00000000000000000002', 'hi');
    expect((await h.post(h.info.inboundUrl, msg.replace('"hi"', '"yo"'), signed(msg))).status).toBe(403);
    expect((await h.post(h.info.inboundUrl, msg, signed(msg, 0, 'another-secret'))).status).toBe(403);
    expect((await h.post(h.info.inboundUrl, msg, signed(msg, 600))).status).toBe(403);
    expect(h.events).toEqual([]);
  });

  it('prints a replayed request once, and a retry (new nonce, same message) not again', async () => {
    const msg = moMedia('01JMO00000000000000000003', 'once');
    const headers = signed(msg);
    expect((await h.post(h.info.inboundUrl, msg, headers)).status).toBe(200);
    expect((await h.post(h.info.inboundUrl, msg, headers)).status).toBe(200);
    expect((await h.post(h.info.inboundUrl, msg, signed(msg))).status).toBe(200);
    expect(h.events).toHaveLength(1);
  });
});
