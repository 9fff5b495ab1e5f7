import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../../../src/providers/types.js';
import {
  checkPlivoSignature,
  computePlivoV2Signature,
  computePlivoV3Signature,
  parsePlivoWebhook,
  plivoV3SignedString,
  splitPlivoUrl,
  verifyPlivoWebhook,
} from '../../../../src/providers/plivo/webhook.js';
import { plivoAdapter } from '../../../../src/providers/plivo/adapter.js';

// Official vectors: plivo-go utils_test.go / plivo-node test/utils.js (reference §3.7).
const VOICE_TOKEN = 'Y2Q2ZDgxZmY5YWRiOTI5YmQ1Njg0MTAxZWIyOTc4';
const VOICE_NONCE = '31627761595286130198';
const VOICE_PARAMS = {
  Direction: 'outbound',
  From: '19792014278',
  ALegUUID: '3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36',
  CallStatus: 'in-progress',
  BillRate: '0.002',
  ParentAuthID: 'MANWVLYTK4ZWU1YTY4QA',
  To: 'sip:PlivoSignature382029104058171078704104@phone-qa.voice.plivodev.com',
  ALegRequestUUID: '3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36',
  CallUUID: '3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36',
  RequestUUID: '3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36',
  'SIP-H-To': '<sip:PlivoSignature382029104058171078704104@52.9.11.55;transport=udp>;tag=1',
  SessionStart: '2020-04-08 11:34:33.238707',
  Event: 'StartApp',
};
const VOICE_URL_QUERY = 'https://plivobin.non-prod.plivops.com/api/v1/validate_signature03.xml/?a=b&c=d';
const VOICE_URL_PLAIN = 'https://plivobin.non-prod.plivops.com/api/v1/validate_signature03.xml';

// Messaging-style vector derived in the reference (same algorithm, not from Plivo).
const MSG_TOKEN = 'test_auth_token';
const MSG_NONCE = '12345678901234567890';
const MSG_URL = 'https://example.ngrok.app/plivo/inbound';
const MSG_PARAMS = {
  From: '15557654321',
  To: '15551234567',
  Type: 'mms',
  Body: 'hello',
  MessageUUID: '11111111-2222-3333-4444-555555555555',
  MediaCount: '1',
  Media1: 'https://media.plivo.com/x/y',
};
const MSG_V3 = 'KJUqBS4sVj1bqWAk7nN69YQhe2/CqAmslYmXbDybpt0=';

function post(url: string, params: Record<string, string>, headers: Record<string, string>): WebhookRequest {
  return { method: 'POST', publicUrl: url, headers, rawBody: Buffer.from(new URLSearchParams(params).toString()) };
}

describe('Plivo V3 signature (official vectors)', () => {
  it.each([
    ['POST', VOICE_URL_QUERY, 'k7Pusd4OxCIjR5IfA9iedDNu/h/gbdYqdzG/MiYtd1c='],
    ['GET', VOICE_URL_QUERY, 'UBq8jAtd32wR8EK9VgxbBn4n5rpI/l1H9iN4WfSEHFQ='],
    ['POST', VOICE_URL_PLAIN, 'iAjE5QqI37mbkYe4w3jTMudqEzbDufdqi7sYwTu64e0='],
    ['GET', VOICE_URL_PLAIN, 'i/MQsaQSAd6fiKhOh2qeeeLHZ9faldADSb3/7+Akfbc='],
  ])('%s %s', (method, url, expected) => {
    expect(computePlivoV3Signature(VOICE_TOKEN, method, url, VOICE_NONCE, VOICE_PARAMS)).toBe(expected);
  });

  it('builds the documented POST string: base?query.sortedkeyvalue.nonce', () => {
    expect(plivoV3SignedString('POST', 'https://h.test/p/?b=2&a=1', 'N', { Z: '1', A: '2' })).toBe('https://h.test/p/?a=1&b=2.A2Z1.N');
    expect(plivoV3SignedString('POST', 'https://h.test/p', 'N', { Z: '1', A: '2' })).toBe('https://h.test/p?A2Z1.N');
    expect(plivoV3SignedString('POST', 'https://h.test/p?b=2', 'N', {})).toBe('https://h.test/p?b=2.N');
    expect(plivoV3SignedString('GET', 'https://h.test/p?b=2', 'N', { a: '1' })).toBe('https://h.test/p?a=1&b=2.N');
  });

  it('accepts the messaging vector through the full request check', () => {
    const req = post(MSG_URL, MSG_PARAMS, { 'x-plivo-signature-v3': MSG_V3, 'x-plivo-signature-v3-nonce': MSG_NONCE });
    expect(checkPlivoSignature(req, MSG_TOKEN)).toEqual({ ok: true, scheme: 'v3' });
    expect(plivoAdapter.verifyWebhook!(req, { authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: MSG_TOKEN })).toBe(true);
  });

  it('does not care about the order of params in the body', () => {
    const reversed = Object.fromEntries(Object.entries(MSG_PARAMS).reverse());
    const req = post(MSG_URL, reversed, { 'x-plivo-signature-v3': MSG_V3, 'x-plivo-signature-v3-nonce': MSG_NONCE });
    expect(verifyPlivoWebhook(req, MSG_TOKEN)).toBe(true);
  });

  it('rejects a tampered body', () => {
    const req = post(MSG_URL, { ...MSG_PARAMS, Body: 'hellO' }, { 'x-plivo-signature-v3': MSG_V3, 'x-plivo-signature-v3-nonce': MSG_NONCE });
    expect(verifyPlivoWebhook(req, MSG_TOKEN)).toBe(false);
  });

  it('rejects the wrong URL', () => {
    const req = post('https://example.ngrok.app/plivo/status', MSG_PARAMS, { 'x-plivo-signature-v3': MSG_V3, 'x-plivo-signature-v3-nonce': MSG_NONCE });
    expect(verifyPlivoWebhook(req, MSG_TOKEN)).toBe(false);
  });

  it('rejects another nonce and another token', () => {
    expect(verifyPlivoWebhook(post(MSG_URL, MSG_PARAMS, { 'x-plivo-signature-v3': MSG_V3, 'x-plivo-signature-v3-nonce': '1' }), MSG_TOKEN)).toBe(false);
    expect(verifyPlivoWebhook(post(MSG_URL, MSG_PARAMS, { 'x-plivo-signature-v3': MSG_V3, 'x-plivo-signature-v3-nonce': MSG_NONCE }), 'other')).toBe(false);
  });

  it('accepts any one of several comma-separated signatures, and the main-account header', () => {
    const many = post(MSG_URL, MSG_PARAMS, { 'x-plivo-signature-v3': `AAAA,${MSG_V3}`, 'x-plivo-signature-v3-nonce': MSG_NONCE });
    expect(verifyPlivoWebhook(many, MSG_TOKEN)).toBe(true);
    const ma = post(MSG_URL, MSG_PARAMS, { 'x-plivo-signature-ma-v3': MSG_V3, 'x-plivo-signature-v3-nonce': MSG_NONCE });
    expect(verifyPlivoWebhook(ma, MSG_TOKEN)).toBe(true);
  });

  it('rejects a V3 header without its nonce', () => {
    const check = checkPlivoSignature(post(MSG_URL, MSG_PARAMS, { 'x-plivo-signature-v3': MSG_V3 }), MSG_TOKEN);
    expect(check).toEqual({ ok: false, reason: 'missing X-Plivo-Signature-V3-Nonce header' });
  });
});

describe('Plivo V2 signature (official vectors)', () => {
  it('signs an empty path as written (https://answer.url, not https://answer.url/)', () => {
    expect(computePlivoV2Signature('my_auth_token', 'https://answer.url', '12345')).toBe('ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=');
    expect(computePlivoV2Signature('my_auth_token', 'https://answer.url/', '12345')).not.toBe('ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=');
  });

  it('drops the query string (derived vector)', () => {
    expect(computePlivoV2Signature(MSG_TOKEN, 'https://example.ngrok.app/plivo/inbound?x=1', MSG_NONCE)).toBe('L7Tp1Q9TN7nl/3Mw9/oA8ucYMtmjmN1cJm7RrbPdl7I=');
  });

  const v2Headers = { 'x-plivo-signature-v2': 'ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=', 'x-plivo-signature-v2-nonce': '12345' };

  it('accepts a valid V2 request, with or without a query on the public URL', () => {
    expect(checkPlivoSignature(post('https://answer.url', MSG_PARAMS, v2Headers), 'my_auth_token')).toEqual({ ok: true, scheme: 'v2' });
    expect(verifyPlivoWebhook(post('https://answer.url?ignored=1', MSG_PARAMS, v2Headers), 'my_auth_token')).toBe(true);
  });

  it('rejects the wrong URL and the wrong token', () => {
    expect(verifyPlivoWebhook(post('https://answer.url/other', MSG_PARAMS, v2Headers), 'my_auth_token')).toBe(false);
    expect(verifyPlivoWebhook(post('https://answer.url', MSG_PARAMS, v2Headers), 'my_auth_tokens')).toBe(false);
  });

  it('does not cover the body: a changed body still passes V2 (documented limitation)', () => {
    expect(verifyPlivoWebhook(post('https://answer.url', { ...MSG_PARAMS, Body: 'changed' }, v2Headers), 'my_auth_token')).toBe(true);
  });

  it('does not fall back to V2 when a V3 header is present but wrong', () => {
    const req = post('https://answer.url', MSG_PARAMS, { ...v2Headers, 'x-plivo-signature-v3': 'AAAA', 'x-plivo-signature-v3-nonce': '12345' });
    expect(checkPlivoSignature(req, 'my_auth_token')).toEqual({ ok: false, reason: 'X-Plivo-Signature-V3 does not match' });
  });

  it('rejects a request with no signature header, or no token', () => {
    expect(checkPlivoSignature(post(MSG_URL, MSG_PARAMS, {}), MSG_TOKEN).ok).toBe(false);
    expect(checkPlivoSignature(post('https://answer.url', MSG_PARAMS, v2Headers), '').ok).toBe(false);
  });
});

describe('splitPlivoUrl', () => {
  it('keeps the URL as written, dropping query, fragment and userinfo', () => {
    expect(splitPlivoUrl('https://u:p@h.test:8443/a/?x=1#frag')).toEqual({ base: 'https://h.test:8443/a/', query: 'x=1' });
    expect(splitPlivoUrl('https://answer.url')).toEqual({ base: 'https://answer.url', query: '' });
  });
});

describe('parsePlivoWebhook', () => {
  const now = new Date('2026-03-01T10:00:02.000Z');

  it('parses an inbound MMS: E.164 numbers, Body text, Media{N} in numeric order', () => {
    const req = post(MSG_URL, { ...MSG_PARAMS, MediaCount: '3', Media10: 'https://m/10', Media2: 'https://m/2', Media1: 'https://m/1' }, {});
    expect(parsePlivoWebhook(req, now)).toEqual([
      {
        type: 'message',
        provider: 'plivo',
        id: '11111111-2222-3333-4444-555555555555',
        from: '+15557654321',
        to: '+15551234567',
        body: 'hello',
        media: [{ url: 'https://m/1' }, { url: 'https://m/2' }, { url: 'https://m/10' }],
        receivedAt: '2026-03-01T10:00:02.000Z',
      },
    ]);
  });

  it('accepts zero-based media keys too (the support article says Media0)', () => {
    const req = post(
      MSG_URL,
      { From: '15557654321', To: '15551234567', Type: 'mms', MessageUUID: 'u1', MediaCount: '2', Media0: 'https://m/0', Media1: 'https://m/1' },
      {},
    );
    const [ev] = parsePlivoWebhook(req, now);
    expect(ev?.type === 'message' ? ev.media.map((m) => m.url) : []).toEqual(['https://m/0', 'https://m/1']);
  });

  it('reads SMS text from Text', () => {
    const [ev] = parsePlivoWebhook(post(MSG_URL, { From: '15557654321', To: '15551234567', Type: 'sms', Text: 'plain', MessageUUID: 'u2' }, {}), now);
    expect(ev).toMatchObject({ type: 'message', body: 'plain', media: [] });
  });

  it('parses a delivery receipt with an error code', () => {
    const req = post(
      MSG_URL,
      { MessageUUID: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196', To: '15551234567', From: '15557654321', Status: 'undelivered', ErrorCode: '50', Type: 'mms' },
      {},
    );
    expect(parsePlivoWebhook(req, now)).toEqual([
      {
        type: 'status',
        provider: 'plivo',
        id: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196',
        status: 'undelivered',
        providerStatus: 'undelivered',
        to: '+15551234567',
        from: '+15557654321',
        errorCode: '50',
        receivedAt: '2026-03-01T10:00:02.000Z',
      },
    ]);
  });

  it('omits a "000" error code on success', () => {
    const [ev] = parsePlivoWebhook(post(MSG_URL, { MessageUUID: 'u3', Status: 'delivered', ErrorCode: '000' }, {}), now);
    expect(ev).toMatchObject({ type: 'status', status: 'delivered' });
    expect(ev && 'errorCode' in ev).toBe(false);
  });

  it('reads GET callbacks from the URL query', () => {
    const req: WebhookRequest = { method: 'GET', publicUrl: `${MSG_URL}?MessageUUID=u4&Status=sent`, headers: {}, rawBody: Buffer.alloc(0) };
    expect(parsePlivoWebhook(req, now)).toMatchObject([{ type: 'status', id: 'u4', status: 'sent' }]);
  });

  it('returns nothing for a body without MessageUUID', () => {
    expect(parsePlivoWebhook(post(MSG_URL, { foo: 'bar' }, {}), now)).toEqual([]);
  });
});

describe('Plivo replay keys', () => {
  const v2 = { 'x-plivo-signature-v2': 'ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=', 'x-plivo-signature-v2-nonce': '12345' };
  const keysOf = (req: WebhookRequest, token: string): { ok: boolean; keys: string[] } => {
    const noted = { ...req, verification: { replayKeys: [] as string[] } };
    return { ok: verifyPlivoWebhook(noted, token), keys: noted.verification.replayKeys };
  };

  it('notes the V2 nonce of a V2 request: the same header pair on another body is the same key', () => {
    const a = keysOf(post('https://answer.url', MSG_PARAMS, v2), 'my_auth_token');
    const b = keysOf(post('https://answer.url', { ...MSG_PARAMS, Body: 'forged', MessageUUID: 'other' }, v2), 'my_auth_token');
    expect(a).toEqual({ ok: true, keys: ['plivo:nonce:12345'] });
    expect(b).toEqual(a);
  });

  it('notes both nonces of a V3 request that also carries V2, and none of a refused one', () => {
    const headers = { 'x-plivo-signature-v3': MSG_V3, 'x-plivo-signature-v3-nonce': MSG_NONCE, ...v2 };
    expect(keysOf(post(MSG_URL, MSG_PARAMS, headers), MSG_TOKEN)).toEqual({ ok: true, keys: ['plivo:nonce:12345', `plivo:nonce:${MSG_NONCE}`] });
    expect(keysOf(post(MSG_URL, { ...MSG_PARAMS, Body: 'forged' }, headers), MSG_TOKEN)).toEqual({ ok: false, keys: [] });
  });
});
