// Requests signed by the twilio SDK's own signer (getExpectedTwilioSignature) against `mms listen`
// in-process: accepted and printed once; tampered, mis-signed, replayed and JSON bodies are not printed.
import { createHash } from 'node:crypto';
import twilio from 'twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startListenHarness, type ListenHarness } from '../helpers/listen-harness.js';

const authToken = 'conformance_twilio_auth_token_01';
const form = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'TwilioProxy/1.1' };
const inbound = {
  AccountSid: 'AC00000000000000000000000000000001',
  MessageSid: 'MM0123456789abcdef0123456789abcdef',
  SmsSid: 'MM0123456789abcdef0123456789abcdef',
  From: '+15557654321',
  To: '+15551234567',
  Body: 'hello from the SDK',
  NumMedia: '1',
  MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
  MediaContentType0: 'image/png',
};
const receipt = {
  AccountSid: inbound.AccountSid,
  MessageSid: 'SM0123456789abcdef0123456789abcdef',
  MessageStatus: 'delivered',
  To: '+15557654321',
  From: '+15551234567',
};

let h: ListenHarness;
beforeEach(async () => {
  h = await startListenHarness('twilio', { accountSid: inbound.AccountSid, authToken });
});
afterEach(async () => {
  await h.stop();
});

const sign = (url: string, params: Record<string, string>, token = authToken) => ({
  ...form,
  'x-twilio-signature': twilio.getExpectedTwilioSignature(token, url, params),
});
const body = (params: Record<string, string>) => new URLSearchParams(params).toString();

describe('mms listen ← twilio SDK signatures', () => {
  it('accepts an inbound message and a receipt signed by getExpectedTwilioSignature (as validateRequest does)', async () => {
    const headers = sign(h.info.inboundUrl, inbound);
    expect(twilio.validateRequest(authToken, headers['x-twilio-signature'], h.info.inboundUrl, inbound)).toBe(true);
    const res = await h.post(h.info.inboundUrl, body(inbound), headers);
    expect([res.status, res.body]).toEqual([200, '<Response></Response>']);
    expect((await h.post(h.info.statusUrl, body(receipt), sign(h.info.statusUrl, receipt))).status).toBe(200);
    expect(h.events).toMatchObject([
      { type: 'message', provider: 'twilio', id: inbound.MessageSid, from: inbound.From, body: inbound.Body, media: [{ url: inbound.MediaUrl0 }] },
      { type: 'status', id: receipt.MessageSid, status: 'delivered' },
    ]);
  });

  it('does not print a tampered body, a signature made with another token or for another URL', async () => {
    const headers = sign(h.info.inboundUrl, inbound);
    expect((await h.post(h.info.inboundUrl, body({ ...inbound, Body: 'tampered' }), headers)).status).toBe(403);
    expect((await h.post(h.info.inboundUrl, body(inbound), sign(h.info.inboundUrl, inbound, 'another_token'))).status).toBe(403);
    expect((await h.post(h.info.inboundUrl, body(inbound), sign(h.info.statusUrl, inbound))).status).toBe(403);
    expect(h.events).toEqual([]);
    expect(h.notices.filter((n) => n.type === 'signature-rejected')).toHaveLength(3);
  });

  it('prints a replayed (or retried) request once and answers it as usual', async () => {
    const headers = sign(h.info.inboundUrl, inbound);
    const first = await h.post(h.info.inboundUrl, body(inbound), headers);
    const again = await h.post(h.info.inboundUrl, body(inbound), headers);
    expect([first.status, again.status, again.body]).toEqual([200, 200, '<Response></Response>']);
    expect(h.events).toHaveLength(1);
  });

  it('refuses a validly signed JSON body (bodySHA256) with 400 instead of printing an empty message', async () => {
    const json = JSON.stringify({ MessageSid: inbound.MessageSid, From: inbound.From, Body: inbound.Body });
    const url = `${h.info.inboundUrl}?bodySHA256=${createHash('sha256').update(json).digest('hex')}`;
    const signature = twilio.getExpectedTwilioSignature(authToken, url, {});
    expect(twilio.validateRequestWithBody(authToken, signature, url, json)).toBe(true);
    const res = await h.post(url, json, { 'content-type': 'application/json', 'x-twilio-signature': signature });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/JSON body/);
    expect(h.events).toEqual([]);
    expect(h.notices).toContainEqual(expect.objectContaining({ type: 'unparseable', kind: 'inbound' }));
  });
});
