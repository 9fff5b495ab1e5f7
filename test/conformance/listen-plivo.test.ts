// Plivo-signed requests against `mms listen` in-process. The plivo SDK validates but does not sign,
// so the test signs with node:crypto from the documented algorithm and the SDK's own validators
// (validateV3Signature, validateSignature for V2) judge that signer before anything is posted.
import { createHmac } from 'node:crypto';
import plivo from 'plivo';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startListenHarness, type ListenHarness } from '../helpers/listen-harness.js';

const authToken = 'conformance_plivo_auth_token_0001';
const form = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'PlivoHTTP' };
const inbound = {
  From: '15557654321',
  To: '15551234567',
  Type: 'mms',
  Body: 'hello from Plivo',
  MessageUUID: '11111111-2222-3333-4444-555555555555',
  MediaCount: '1',
  Media0: 'https://media.plivo.com/Account/MA1/Message/1111/Media/1',
};

/** V3: HMAC-SHA256 over `url?` + sorted `keyvalue` pairs + `.` + nonce (POST, a URL without query). */
function v3(url: string, params: Record<string, string>, nonce: string, token = authToken): string {
  const pairs = Object.keys(params)
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
  return createHmac('sha256', token).update(`${url}?${pairs}.${nonce}`).digest('base64');
}

/** V2: HMAC-SHA256 over the URL followed by the nonce. */
function v2(url: string, nonce: string, token = authToken): string {
  return createHmac('sha256', token).update(`${url}${nonce}`).digest('base64');
}

/** The headers Plivo sends: V3 and, beside it, V2 (what the sandbox sends too). */
function signed(url: string, params: Record<string, string>, nonce: string): Record<string, string> {
  const headers = { 'x-plivo-signature-v3': v3(url, params, nonce), 'x-plivo-signature-v3-nonce': nonce };
  expect(plivo.validateV3Signature('POST', url, nonce, authToken, headers['x-plivo-signature-v3'], params)).toBe(true);
  return { ...form, ...headers, ...v2Pair(url, `${nonce}2`) };
}

function v2Pair(url: string, nonce: string): Record<string, string> {
  const signature = v2(url, nonce);
  expect(plivo.validateSignature(url, nonce, signature, authToken)).toBe(true);
  return { 'x-plivo-signature-v2': signature, 'x-plivo-signature-v2-nonce': nonce };
}

const body = (params: Record<string, string>) => new URLSearchParams(params).toString();
const withoutV3 = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([k]) => !k.includes('-v3')));

let h: ListenHarness;
beforeEach(async () => {
  h = await startListenHarness('plivo', { authId: 'MA0000000000000000AB', authToken });
});
afterEach(async () => {
  await h.stop();
});

describe('mms listen ← Plivo signatures', () => {
  it('accepts an inbound MMS and a receipt signed with V3 (beside V2), as the SDK validates them', async () => {
    expect((await h.post(h.info.inboundUrl, body(inbound), signed(h.info.inboundUrl, inbound, '10000000000000000001'))).status).toBe(200);
    const receipt = { MessageUUID: '22222222-2222-3333-4444-555555555555', Status: 'delivered', To: '15557654321', From: '15551234567', ErrorCode: '000' };
    expect((await h.post(h.info.statusUrl, body(receipt), signed(h.info.statusUrl, receipt, '10000000000000000002'))).status).toBe(200);
    expect(h.events).toMatchObject([
      { type: 'message', provider: 'plivo', id: inbound.MessageUUID, from: '+15557654321', body: inbound.Body, media: [{ url: inbound.Media0 }] },
      { type: 'status', id: receipt.MessageUUID, status: 'delivered' },
    ]);
  });

  it('does not print a tampered body (V3 decides when present, the V2 beside it does not rescue it) or a wrong signature', async () => {
    const headers = signed(h.info.inboundUrl, inbound, '10000000000000000003');
    expect((await h.post(h.info.inboundUrl, body({ ...inbound, Body: 'tampered' }), headers)).status).toBe(403);
    const wrong = { ...headers, 'x-plivo-signature-v3': v3(h.info.inboundUrl, inbound, '10000000000000000003', 'another_token') };
    expect((await h.post(h.info.inboundUrl, body(inbound), wrong)).status).toBe(403);
    expect(h.events).toEqual([]);
  });

  it('prints a replay once, and a captured V2 pair cannot carry other bodies', async () => {
    const headers = signed(h.info.inboundUrl, inbound, '10000000000000000004');
    expect((await h.post(h.info.inboundUrl, body(inbound), headers)).status).toBe(200);
    expect((await h.post(h.info.inboundUrl, body(inbound), headers)).status).toBe(200);
    // The V2 pair lifted off that request (V2 signs only URL + nonce), on two forged bodies.
    for (const text of ['forged one', 'forged two']) {
      const forged = {
        ...inbound,
        Body: text,
        MessageUUID: text === 'forged one' ? '33333333-2222-3333-4444-555555555555' : '44444444-2222-3333-4444-555555555555',
      };
      expect((await h.post(h.info.inboundUrl, body(forged), withoutV3(headers))).status).toBe(200);
    }
    // A V2-only pair never seen before: the first body is printed, another body with it is not.
    const pair = { ...form, ...v2Pair(h.info.inboundUrl, '10000000000000000005') };
    const second = { ...inbound, MessageUUID: '55555555-2222-3333-4444-555555555555', Body: 'second' };
    expect((await h.post(h.info.inboundUrl, body(second), pair)).status).toBe(200);
    expect((await h.post(h.info.inboundUrl, body({ ...second, MessageUUID: '66666666-2222-3333-4444-555555555555', Body: 'forged' }), pair)).status).toBe(200);
    expect(h.events.map((e) => (e.type === 'message' ? e.body : e.status))).toEqual([inbound.Body, 'second']);
  });
});
