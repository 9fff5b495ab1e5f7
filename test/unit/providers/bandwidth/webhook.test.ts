import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../../../src/providers/types.js';
import { BANDWIDTH_CHALLENGE, parseBandwidthWebhook, verifyBandwidthWebhook } from '../../../../src/providers/bandwidth/webhook.js';
import { fixture } from './helpers.js';

function request(body: string, authorization?: string): WebhookRequest {
  return {
    method: 'POST',
    publicUrl: 'https://abc.tunnel.test/bandwidth/status',
    headers: authorization === undefined ? { 'content-type': 'application/json; charset=utf-8' } : { authorization },
    rawBody: Buffer.from(body),
  };
}

// RFC 7617 §2 example: user "Aladdin", password "open sesame".
const RFC_HEADER = 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==';
const creds = { callbackUsername: 'Aladdin', callbackPassword: 'open sesame' };

describe('verifyBandwidthWebhook (Basic auth)', () => {
  it('accepts the RFC 7617 example credentials', () => {
    expect(verifyBandwidthWebhook(request('[]', RFC_HEADER), creds)).toBe(true);
    expect(verifyBandwidthWebhook(request('[]', 'basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='), creds)).toBe(true);
  });
  it('rejects a wrong password, a wrong user, a tampered header and a missing header', () => {
    expect(verifyBandwidthWebhook(request('[]', RFC_HEADER), { ...creds, callbackPassword: 'open sesame!' })).toBe(false);
    expect(verifyBandwidthWebhook(request('[]', RFC_HEADER), { ...creds, callbackUsername: 'aladdin' })).toBe(false);
    expect(verifyBandwidthWebhook(request('[]', 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZg=='), creds)).toBe(false);
    expect(verifyBandwidthWebhook(request('[]', 'Bearer abc'), creds)).toBe(false);
    expect(verifyBandwidthWebhook(request('[]'), creds)).toBe(false);
  });
  it('refuses everything when no callback credentials are configured', () => {
    expect(verifyBandwidthWebhook(request('[]', `Basic ${Buffer.from(':').toString('base64')}`), {})).toBe(false);
  });
  it('allows a colon inside the password', () => {
    const h = `Basic ${Buffer.from('cli:pa:ss').toString('base64')}`;
    expect(verifyBandwidthWebhook(request('[]', h), { callbackUsername: 'cli', callbackPassword: 'pa:ss' })).toBe(true);
  });
});

describe('parseBandwidthWebhook', () => {
  const now = new Date('2025-06-01T00:00:00Z');
  it('parses a message-received array element into an inbound message', () => {
    expect(parseBandwidthWebhook(request(fixture('callback-received.json')), now)).toEqual([
      {
        type: 'message',
        provider: 'bandwidth',
        id: '14762070468292kw2fuqty55yp2b2',
        from: '+15552223333',
        to: '+15554443333',
        body: 'look',
        media: [{ url: 'https://messaging.bandwidth.com/api/v2/users/9900000/media/14762070468292kw2fuqty55yp2b2/0/bw.png' }],
        receivedAt: '2025-05-11T20:20:00.000Z',
      },
    ]);
  });
  it('parses every status event of the array, with the failure code', () => {
    expect(parseBandwidthWebhook(request(fixture('callback-status.json')), now)).toEqual([
      {
        type: 'status',
        provider: 'bandwidth',
        id: '1589228074636lm4k2je7j7jklbn2',
        status: 'delivered',
        providerStatus: 'message-delivered',
        to: '+15552223333',
        from: '+15554443333',
        receivedAt: '2025-05-11T20:14:40.000Z',
      },
      {
        type: 'status',
        provider: 'bandwidth',
        id: '1589228074636lm4k2je7j7jklbn3',
        status: 'failed',
        providerStatus: 'message-failed',
        to: '+15552223334',
        from: '+15554443333',
        errorCode: 4410,
        receivedAt: '2025-05-11T20:14:41.000Z',
      },
    ]);
  });
  it('ignores junk', () => {
    expect(parseBandwidthWebhook(request('not json'), now)).toEqual([]);
    expect(parseBandwidthWebhook(request('[1, null, {"message":{}}]'), now)).toEqual([]);
  });
});

describe('verifyBandwidthWebhook (the challenge)', () => {
  const noted = (authorization?: string): { ok: boolean; verification: NonNullable<WebhookRequest['verification']> } => {
    const req = { ...request('[]', authorization), verification: { replayKeys: [] } };
    return { ok: verifyBandwidthWebhook(req, creds), verification: req.verification };
  };

  it('notes a 401 Basic challenge for a request without credentials (Bandwidth sends them only after it)', () => {
    for (const auth of [undefined, 'Bearer abc', 'Basic']) {
      const r = noted(auth);
      expect(r.ok).toBe(false);
      expect(r.verification.challenge).toEqual(BANDWIDTH_CHALLENGE);
    }
    expect(BANDWIDTH_CHALLENGE.status).toBe(401);
    expect(BANDWIDTH_CHALLENGE.headers?.['www-authenticate']).toMatch(/^Basic realm="[^"]+"/);
  });

  it('does not challenge wrong credentials (a plain refusal) nor right ones', () => {
    expect(noted('Basic QWxhZGRpbjpvcGVuIHNlc2FtZg==')).toEqual({ ok: false, verification: { replayKeys: [] } });
    expect(noted(RFC_HEADER)).toEqual({ ok: true, verification: { replayKeys: [] } });
  });
});
