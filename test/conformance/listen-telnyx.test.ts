// Telnyx-signed webhooks against `mms listen` in-process: Ed25519 over `timestamp|body` with a
// fresh node:crypto key pair (the documented algorithm, independent of our verifier).
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startListenHarness, type ListenHarness } from '../helpers/listen-harness.js';

const json = { 'content-type': 'application/json', 'user-agent': 'telnyx-webhooks' };
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
// Mission Control shows the raw 32-byte key in base64: the tail of the SPKI DER.
const publicKeyB64 = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');

const event = (eventType: string, payload: Record<string, unknown>) =>
  JSON.stringify({
    data: { event_type: eventType, id: `evt-${String(payload.id)}-${eventType}`, occurred_at: '2026-01-01T00:00:00Z', payload, record_type: 'event' },
  });
const inbound = (id: string, text: string) =>
  event('message.received', {
    id,
    type: 'MMS',
    direction: 'inbound',
    from: { phone_number: '+15557654321' },
    to: [{ phone_number: '+15551234567' }],
    text,
    media: [{ url: 'https://media.telnyx.example/1.png', content_type: 'image/png', size: 68 }],
  });

/** The headers Telnyx sends, signed `secondsAgo` seconds ago. */
function signed(body: string, secondsAgo = 0, key: KeyObject = privateKey): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000) - secondsAgo);
  const signature = sign(null, Buffer.from(`${timestamp}|${body}`), key).toString('base64');
  return { ...json, 'telnyx-timestamp': timestamp, 'telnyx-signature-ed25519': signature };
}

let h: ListenHarness;
beforeEach(async () => {
  h = await startListenHarness('telnyx', { apiKey: 'KEY0123456789', publicKey: publicKeyB64 });
});
afterEach(async () => {
  await h.stop();
});

describe('mms listen ← Telnyx Ed25519 signatures (fresh key pair)', () => {
  it('accepts an inbound MMS and a finalized receipt', async () => {
    const msg = inbound('40000000-0000-4000-8000-000000000001', 'hello from Telnyx');
    expect((await h.post(h.info.inboundUrl, msg, signed(msg))).status).toBe(200);
    const fin = event('message.finalized', {
      id: '40000000-0000-4000-8000-000000000002',
      from: { phone_number: '+15551234567' },
      to: [{ phone_number: '+15557654321', status: 'delivered' }],
    });
    expect((await h.post(h.info.statusUrl, fin, signed(fin))).status).toBe(200);
    expect(h.events).toMatchObject([
      { type: 'message', provider: 'telnyx', id: '40000000-0000-4000-8000-000000000001', from: '+15557654321', body: 'hello from Telnyx' },
      { type: 'status', id: '40000000-0000-4000-8000-000000000002', status: 'delivered' },
    ]);
  });

  it('does not print a tampered body, another key or a timestamp outside the 300 s window', async () => {
    const msg = inbound('40000000-0000-4000-8000-000000000003', 'hi');
    expect((await h.post(h.info.inboundUrl, msg.replace('"hi"', '"yo"'), signed(msg))).status).toBe(403);
    expect((await h.post(h.info.inboundUrl, msg, signed(msg, 0, generateKeyPairSync('ed25519').privateKey))).status).toBe(403);
    expect((await h.post(h.info.inboundUrl, msg, signed(msg, 301))).status).toBe(403);
    expect(h.events).toEqual([]);
  });

  it('prints a request replayed inside the window once', async () => {
    const msg = inbound('40000000-0000-4000-8000-000000000004', 'once');
    const headers = signed(msg);
    for (let i = 0; i < 3; i++) expect((await h.post(h.info.inboundUrl, msg, headers)).status).toBe(200);
    // Telnyx's own retry is signed anew: a new timestamp and signature, the same message.
    expect((await h.post(h.info.inboundUrl, msg, signed(msg, 1))).status).toBe(200);
    expect(h.events).toHaveLength(1);
  });
});
