// Vonage signed webhooks against `mms listen` in-process: HS256 JWTs made with `jsonwebtoken` (an
// independent library) carrying payload_hash, checked first by Vonage's own verifySignature.
import { createHash, randomUUID } from 'node:crypto';
import { verifySignature } from '@vonage/jwt';
import jwt from 'jsonwebtoken';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startListenHarness, type ListenHarness } from '../helpers/listen-harness.js';

const signatureSecret = 'conformance-vonage-signature-secret-0123456789';
const apiKey = 'a1b2c3d4';
const applicationId = 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab';
const json = { 'content-type': 'application/json', 'user-agent': 'Vonage-Webhook' };

const inbound = (uuid: string, text: string) =>
  JSON.stringify({
    channel: 'mms',
    message_uuid: uuid,
    to: '15551234567',
    from: '15557654321',
    timestamp: '2026-01-01T00:00:00Z',
    message_type: 'image',
    image: { url: 'https://api-us.nexmo.com/v3/media/abc', caption: text },
  });

/** A Vonage webhook JWT for `body`, as Vonage documents it. */
function token(body: string, claims: Record<string, unknown> = {}, secret = signatureSecret): string {
  const t = jwt.sign(
    {
      iat: Math.floor(Date.now() / 1000),
      jti: randomUUID(),
      iss: 'Vonage',
      payload_hash: createHash('sha256').update(body).digest('hex'),
      api_key: apiKey,
      application_id: applicationId,
      ...claims,
    },
    secret,
    { algorithm: 'HS256' },
  );
  if (secret === signatureSecret) expect(verifySignature(t, signatureSecret)).toBe(true);
  return t;
}
const bearer = (t: string) => ({ ...json, authorization: `Bearer ${t}` });

let h: ListenHarness;
beforeEach(async () => {
  h = await startListenHarness('vonage', { apiKey, apiSecret: 'api-secret-01', applicationId, signatureSecret });
});
afterEach(async () => {
  await h.stop();
});

describe('mms listen ← Vonage signed webhooks (jsonwebtoken HS256)', () => {
  it('accepts an inbound MMS and a status webhook', async () => {
    const msg = inbound('aaaaaaaa-0000-4000-8000-000000000001', 'hello from Vonage');
    expect((await h.post(h.info.inboundUrl, msg, bearer(token(msg)))).status).toBe(200);
    const status = JSON.stringify({
      message_uuid: 'aaaaaaaa-0000-4000-8000-000000000002',
      to: '15557654321',
      from: '15551234567',
      timestamp: '2026-01-01T00:00:01Z',
      status: 'delivered',
      channel: 'mms',
    });
    expect((await h.post(h.info.statusUrl, status, bearer(token(status)))).status).toBe(200);
    expect(h.events).toMatchObject([
      { type: 'message', provider: 'vonage', id: 'aaaaaaaa-0000-4000-8000-000000000001', from: '+15557654321', body: 'hello from Vonage' },
      { type: 'status', id: 'aaaaaaaa-0000-4000-8000-000000000002', status: 'delivered' },
    ]);
  });

  it('does not print a tampered body, another secret, an old token or an unsigned token', async () => {
    const msg = inbound('aaaaaaaa-0000-4000-8000-000000000003', 'hi');
    const good = token(msg);
    expect((await h.post(h.info.inboundUrl, msg.replace('hi', 'yo'), bearer(good))).status).toBe(403);
    expect((await h.post(h.info.inboundUrl, msg, bearer(token(msg, {}, 'another-secret-0123456789')))).status).toBe(403);
    expect((await h.post(h.info.inboundUrl, msg, bearer(token(msg, { iat: Math.floor(Date.now() / 1000) - 3600 })))).status).toBe(403);
    const none = jwt.sign({ iss: 'Vonage', iat: Math.floor(Date.now() / 1000), payload_hash: createHash('sha256').update(msg).digest('hex') }, '', {
      algorithm: 'none',
    });
    expect((await h.post(h.info.inboundUrl, msg, bearer(none))).status).toBe(403);
    expect(h.events).toEqual([]);
  });

  it('prints a replayed request once, and a second token with the same jti not at all', async () => {
    const msg = inbound('aaaaaaaa-0000-4000-8000-000000000004', 'once');
    const t = token(msg, { jti: 'jti-0001' });
    expect((await h.post(h.info.inboundUrl, msg, bearer(t))).status).toBe(200);
    expect((await h.post(h.info.inboundUrl, msg, bearer(t))).status).toBe(200);
    const other = inbound('aaaaaaaa-0000-4000-8000-000000000005', 'same jti');
    expect((await h.post(h.info.inboundUrl, other, bearer(token(other, { jti: 'jti-0001' })))).status).toBe(200);
    expect(h.events.map((e) => e.id)).toEqual(['aaaaaaaa-0000-4000-8000-000000000004']);
  });
});
