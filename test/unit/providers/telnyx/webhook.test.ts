import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../../../src/providers/types.js';
import { checkTelnyxSignature, parseTelnyxWebhook, telnyxPublicKey, verifyTelnyxWebhook } from '../../../../src/providers/telnyx/webhook.js';
import { telnyxAdapter } from '../../../../src/providers/telnyx/adapter.js';

// Official-style vector from the reference §2.7 (seed = 32 × 0x07; Ed25519 is deterministic).
const PUBLIC_KEY = '6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=';
const TIMESTAMP = '1700000000';
const BODY =
  '{"data":{"event_type":"message.received","id":"b301ed3f-1490-491f-995f-6e64e69674d4","payload":{"text":"hi"}},"meta":{"attempt":1,"delivered_to":"https://example.com/webhooks"}}';
const SIGNATURE = 'HESAWlS7BkuKJfb+nW9HCn0efXZf1ZkivKuPXyEvTlqrAWOrZ/4CKSHiIHYGF4zGdfXaiD7EGqtlcwsPGz0QDQ==';
const NOW_MS = 1_700_000_000_000 + 42_000;

function request(body: string | Buffer, headers: Record<string, string>, publicUrl = 'https://example.com/webhooks'): WebhookRequest {
  return { method: 'POST', publicUrl, headers, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8') };
}

const signedHeaders = { 'telnyx-timestamp': TIMESTAMP, 'telnyx-signature-ed25519': SIGNATURE };

describe('Telnyx signature (reference vector)', () => {
  it('accepts the vector with a clock inside the window', () => {
    expect(verifyTelnyxWebhook(request(BODY, signedHeaders), PUBLIC_KEY, NOW_MS)).toBe(true);
  });

  it('rejects a tampered body', () => {
    const tampered = BODY.replace('"text":"hi"', '"text":"hI"');
    expect(verifyTelnyxWebhook(request(tampered, signedHeaders), PUBLIC_KEY, NOW_MS)).toBe(false);
  });

  it('rejects the same JSON re-serialised (whitespace differs): the raw bytes are signed', () => {
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 1);
    expect(verifyTelnyxWebhook(request(reserialised, signedHeaders), PUBLIC_KEY, NOW_MS)).toBe(false);
  });

  it('rejects a changed timestamp (the timestamp is part of the signed bytes)', () => {
    const check = checkTelnyxSignature(PUBLIC_KEY, '1700000001', SIGNATURE, Buffer.from(BODY), NOW_MS);
    expect(check).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('rejects an expired timestamp (more than 300 s old)', () => {
    const late = 1_700_000_000_000 + 301_000;
    const check = checkTelnyxSignature(PUBLIC_KEY, TIMESTAMP, SIGNATURE, Buffer.from(BODY), late);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toMatch(/301 s away/);
    // …but exactly 300 s is still inside the window.
    expect(checkTelnyxSignature(PUBLIC_KEY, TIMESTAMP, SIGNATURE, Buffer.from(BODY), 1_700_000_300_000).ok).toBe(true);
  });

  it('rejects a timestamp from the future beyond the window', () => {
    const early = 1_700_000_000_000 - 301_000;
    expect(checkTelnyxSignature(PUBLIC_KEY, TIMESTAMP, SIGNATURE, Buffer.from(BODY), early).ok).toBe(false);
  });

  it('rejects with the real clock, since the vector is from 2023', () => {
    expect(telnyxAdapter.verifyWebhook!(request(BODY, signedHeaders), { apiKey: 'k', publicKey: PUBLIC_KEY })).toBe(false);
  });

  it('does not depend on the URL (Telnyx signs only timestamp and body)', () => {
    expect(verifyTelnyxWebhook(request(BODY, signedHeaders, 'https://other.example/x?y=1'), PUBLIC_KEY, NOW_MS)).toBe(true);
  });

  it('rejects another account key', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const other = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
    expect(verifyTelnyxWebhook(request(BODY, signedHeaders), other, NOW_MS)).toBe(false);
  });

  it('rejects missing headers, a missing key, and malformed values', () => {
    expect(checkTelnyxSignature(PUBLIC_KEY, undefined, SIGNATURE, Buffer.from(BODY), NOW_MS).ok).toBe(false);
    expect(checkTelnyxSignature(PUBLIC_KEY, TIMESTAMP, undefined, Buffer.from(BODY), NOW_MS).ok).toBe(false);
    expect(checkTelnyxSignature('', TIMESTAMP, SIGNATURE, Buffer.from(BODY), NOW_MS).ok).toBe(false);
    expect(checkTelnyxSignature(PUBLIC_KEY, '17e8', SIGNATURE, Buffer.from(BODY), NOW_MS).ok).toBe(false);
    expect(checkTelnyxSignature(PUBLIC_KEY, TIMESTAMP, 'AAAA', Buffer.from(BODY), NOW_MS).ok).toBe(false);
    expect(checkTelnyxSignature('not a key', TIMESTAMP, SIGNATURE, Buffer.from(BODY), NOW_MS).ok).toBe(false);
  });

  it('accepts the key as PEM too', () => {
    const key = telnyxPublicKey(PUBLIC_KEY)!;
    const pem = key.export({ format: 'pem', type: 'spki' }).toString();
    expect(verifyTelnyxWebhook(request(BODY, signedHeaders), pem, NOW_MS)).toBe(true);
  });

  it('round-trips a freshly signed request through the adapter with the real clock', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
    const ts = String(Math.floor(Date.now() / 1000));
    const raw = Buffer.from(readFileSync(new URL('../../../fixtures/responses/telnyx/webhook-message-received.json', import.meta.url)));
    const sig = sign(null, Buffer.concat([Buffer.from(`${ts}|`), raw]), privateKey).toString('base64');
    const req = request(raw, { 'telnyx-timestamp': ts, 'telnyx-signature-ed25519': sig });
    expect(telnyxAdapter.verifyWebhook!(req, { apiKey: 'k', publicKey: pub })).toBe(true);
    expect(telnyxAdapter.checkCredentials({ apiKey: 'k', publicKey: pub })).toEqual([]);
  });
});

describe('parseTelnyxWebhook', () => {
  const now = new Date('2026-03-01T10:00:02.000Z');
  const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/responses/telnyx/${name}`, import.meta.url));

  it('parses an inbound MMS with its media list', () => {
    const events = parseTelnyxWebhook(request(fixture('webhook-message-received.json'), {}), now);
    expect(events).toEqual([
      {
        type: 'message',
        provider: 'telnyx',
        id: '84cca175-9755-4859-b67f-4730d7f58aa3',
        from: '+15557654321',
        to: '+15551234567',
        body: 'look at this',
        media: [
          { url: 'https://media.telnyx.example/1.jpg', contentType: 'image/jpeg', size: 123456 },
          { url: 'https://media.telnyx.example/2.mp4', contentType: 'video/mp4', size: 654321 },
        ],
        receivedAt: '2026-03-01T10:00:02.000Z',
      },
    ]);
  });

  it('parses message.finalized with a delivery error', () => {
    const events = parseTelnyxWebhook(request(fixture('webhook-message-finalized-failed.json'), {}), now);
    expect(events).toEqual([
      {
        type: 'status',
        provider: 'telnyx',
        id: '40385f64-5717-4562-b3fc-2c963f66afa6',
        status: 'undelivered',
        providerStatus: 'delivery_failed',
        to: '+15551234567',
        from: '+15557654321',
        errorCode: '40008',
        receivedAt: '2026-03-01T10:00:02.000Z',
      },
    ]);
  });

  it('parses message.sent', () => {
    const [ev] = parseTelnyxWebhook(request(fixture('webhook-message-sent.json'), {}), now);
    expect(ev).toMatchObject({ type: 'status', status: 'sent', providerStatus: 'sent' });
    expect(ev && 'errorCode' in ev).toBe(false);
  });

  it('ignores other event types and bodies that are not JSON', () => {
    expect(parseTelnyxWebhook(request('{"data":{"event_type":"call.initiated","payload":{"id":"x"}}}', {}), now)).toEqual([]);
    expect(parseTelnyxWebhook(request('not json', {}), now)).toEqual([]);
    expect(parseTelnyxWebhook(request('null', {}), now)).toEqual([]);
  });

  it('parses an inbound SMS without media as a message with an empty media list', () => {
    const body = JSON.stringify({
      data: { event_type: 'message.received', payload: { id: 'm1', from: { phone_number: '+1555' }, to: [{ phone_number: '+1666' }], text: 'hi' } },
    });
    const [ev] = parseTelnyxWebhook(request(body, {}), now);
    expect(ev).toMatchObject({ type: 'message', id: 'm1', body: 'hi', media: [] });
  });
});

describe('Telnyx replay keys', () => {
  it('notes timestamp and canonical signature bytes of a valid request, nothing for a refused one', () => {
    const ok = { ...request(BODY, signedHeaders), verification: { replayKeys: [] as string[] } };
    expect(verifyTelnyxWebhook(ok, PUBLIC_KEY, NOW_MS)).toBe(true);
    expect(ok.verification.replayKeys).toEqual([`telnyx:sig:${TIMESTAMP}:${SIGNATURE}`]);
    const bad = { ...request(`${BODY} `, signedHeaders), verification: { replayKeys: [] as string[] } };
    expect(verifyTelnyxWebhook(bad, PUBLIC_KEY, NOW_MS)).toBe(false);
    expect(bad.verification.replayKeys).toEqual([]);
  });
});
