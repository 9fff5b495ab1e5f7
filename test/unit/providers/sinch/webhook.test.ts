import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../../../src/providers/types.js';
import { computeSinchSignature, parseSinchWebhook, verifySinchWebhook } from '../../../../src/providers/sinch/webhook.js';
import { fixture } from './helpers.js';

// Official vector: sinch-sdk-node packages/sms/tests/rest/v1/callbacks/callbacks-webhook.test.ts.
const SECRET = 'SMSWebhooksSecret';
const NONCE = '01JHFFHWYY7HSS4FWTMDTQEK8V';
const TIMESTAMP = '1736760161';
const SIGNATURE = 'ZoHei66PPN/kZjw7hFVfGhJOnml3iGNCMWoyQVcE5o0=';
const BODY = fixture('webhook-sdk-vector.json');
const AT = { nowMs: 1_736_760_161_000 + 5_000 };

function request(body: string, headers: Record<string, string> = {}): WebhookRequest {
  return { method: 'POST', publicUrl: 'https://abc.tunnel.test/sinch', headers, rawBody: Buffer.from(body) };
}

function signed(body: string, overrides: Record<string, string> = {}): WebhookRequest {
  return request(body, {
    'x-sinch-webhook-signature': SIGNATURE,
    'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
    'x-sinch-webhook-signature-nonce': NONCE,
    'x-sinch-webhook-signature-timestamp': TIMESTAMP,
    ...overrides,
  });
}

describe('Sinch webhook signature (official SDK vector)', () => {
  it('computes the SDK signature', () => {
    expect(computeSinchSignature(SECRET, BODY, NONCE, TIMESTAMP)).toBe(SIGNATURE);
  });
  it('accepts the valid vector', () => {
    expect(verifySinchWebhook(signed(BODY), SECRET, AT)).toBe(true);
  });
  it('rejects a tampered body, nonce or timestamp', () => {
    expect(verifySinchWebhook(signed(BODY.replace('Delivered', 'Failed')), SECRET, AT)).toBe(false);
    expect(verifySinchWebhook(signed(BODY, { 'x-sinch-webhook-signature-nonce': `${NONCE}X` }), SECRET, AT)).toBe(false);
    expect(verifySinchWebhook(signed(BODY, { 'x-sinch-webhook-signature-timestamp': '1736760162' }), SECRET, AT)).toBe(false);
  });
  it('rejects the wrong secret and a missing secret', () => {
    expect(verifySinchWebhook(signed(BODY), 'WrongSecret', AT)).toBe(false);
    expect(verifySinchWebhook(signed(BODY), '', AT)).toBe(false);
  });
  it('rejects missing headers, another algorithm and a stale timestamp', () => {
    expect(verifySinchWebhook(request(BODY), SECRET, AT)).toBe(false);
    expect(verifySinchWebhook(signed(BODY, { 'x-sinch-webhook-signature-algorithm': 'HmacSHA1' }), SECRET, AT)).toBe(false);
    expect(verifySinchWebhook(signed(BODY), SECRET, { nowMs: 1_736_760_161_000 + 3_600_000 })).toBe(false);
    expect(verifySinchWebhook(signed(BODY), SECRET, { nowMs: 1_736_760_161_000 + 3_600_000, toleranceSec: 7200 })).toBe(true);
  });
  it('finds headers regardless of case', () => {
    const req = request(BODY, {
      'X-Sinch-Webhook-Signature': SIGNATURE,
      'X-Sinch-Webhook-Signature-Nonce': NONCE,
      'X-Sinch-Webhook-Signature-Timestamp': TIMESTAMP,
    });
    expect(verifySinchWebhook(req, SECRET, AT)).toBe(true);
  });
});

describe('parseSinchWebhook', () => {
  const now = new Date('2025-02-01T00:00:00Z');
  it('parses the SDK vector (an SMS recipient report)', () => {
    expect(parseSinchWebhook(request(BODY), now)).toEqual([
      {
        type: 'status',
        provider: 'sinch',
        id: '01JHFFHQ0P99JPPNQPJDV7JTBP',
        status: 'delivered',
        providerStatus: 'Delivered',
        to: '+33662162466',
        receivedAt: '2025-01-13T09:22:40.914Z',
      },
    ]);
  });
  it('parses an inbound mo_media, skipping media that failed to upload', () => {
    expect(parseSinchWebhook(request(fixture('webhook-mo-media.json')), now)).toEqual([
      {
        type: 'message',
        provider: 'sinch',
        id: '01JHG0000MOMEDIA000000001',
        from: '+15552223333',
        to: '+15554443333',
        body: 'look at this',
        media: [{ url: 'https://sinch-mms-mo.s3.amazonaws.com/abc/cat.jpg', contentType: 'image/jpeg' }],
        receivedAt: '2025-01-13T10:00:00.000Z',
      },
    ]);
  });
  it('parses a failed per-recipient MMS report with its code', () => {
    expect(parseSinchWebhook(request(fixture('webhook-recipient-dr-mms.json')), now)).toEqual([
      {
        type: 'status',
        provider: 'sinch',
        id: '01FC66621XXXXX119Z8PMV1QPQ',
        status: 'failed',
        providerStatus: 'Failed',
        to: '+15552223333',
        errorCode: 402,
        receivedAt: '2025-01-13T09:23:00.000Z',
      },
    ]);
  });
  it('splits a batch summary into events', () => {
    const evs = parseSinchWebhook(request(fixture('webhook-summary-dr-mms.json')), now);
    expect(evs).toHaveLength(2);
    expect(evs[0]).toMatchObject({ status: 'delivered', to: '+15552223333' });
    expect(evs[1]).toMatchObject({ status: 'undelivered', providerStatus: 'Expired', errorCode: 406 });
    expect(evs[1]).not.toHaveProperty('to');
  });
  it('ignores unknown types and junk', () => {
    expect(parseSinchWebhook(request('{"type":"something_else"}'), now)).toEqual([]);
    expect(parseSinchWebhook(request('oops'), now)).toEqual([]);
  });
});

describe('Sinch replay keys', () => {
  it('notes nonce, timestamp and signature of a valid request, nothing for a refused one', () => {
    const ok = { ...signed(BODY), verification: { replayKeys: [] as string[] } };
    expect(verifySinchWebhook(ok, SECRET, AT)).toBe(true);
    expect(ok.verification.replayKeys).toEqual([`sinch:sig:${TIMESTAMP}:${NONCE}:${SIGNATURE}`]);
    const bad = { ...signed(BODY.replace('Delivered', 'Failed')), verification: { replayKeys: [] as string[] } };
    expect(verifySinchWebhook(bad, SECRET, AT)).toBe(false);
    expect(bad.verification.replayKeys).toEqual([]);
  });
});
