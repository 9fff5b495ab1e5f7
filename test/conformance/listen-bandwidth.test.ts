// Bandwidth callbacks against `mms listen` in-process, delivered the way Bandwidth delivers them:
// first without credentials, then, after a 401 carrying `WWW-Authenticate: Basic realm=…`, again
// with the application's callback credentials (dev.bandwidth.com, Webhooks → Authentication).
// Bodies are typed with the bandwidth SDK's own callback models.
import type { InboundCallback, InboundCallbackMessage, StatusCallback, StatusCallbackMessage } from 'bandwidth-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startListenHarness, type ListenHarness, type PostResult } from '../helpers/listen-harness.js';

const callbackUsername = 'bw-callback-user';
const callbackPassword = 'bw-callback-pass-0123';
const json = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'BandwidthAPI/v2' };

// The SDK types message.to as a Set, which JSON carries as an array.
type Wire<T extends { message: { to: Set<string> } }> = Omit<T, 'message'> & { message: Omit<T['message'], 'to'> & { to: string[] } };
const message = (id: string): Omit<InboundCallbackMessage & StatusCallbackMessage, 'to'> => ({
  id,
  owner: '+15551234567',
  applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
  time: '2026-01-01T00:00:00.000Z',
  segmentCount: 1,
  direction: 'in',
  from: '+15557654321',
});
const inbound = (id: string, text: string): string => {
  const cb: Wire<InboundCallback> = {
    type: 'message-received',
    time: '2026-01-01T00:00:00.000Z',
    description: 'Incoming message received',
    to: '+15551234567',
    message: { ...message(id), to: ['+15551234567'], text, media: ['https://messaging.bandwidth.com/api/v2/users/1/media/abc/0/photo.png'] },
  };
  return JSON.stringify([cb]);
};
const delivered = (id: string): string => {
  const cb: Wire<StatusCallback> = {
    type: 'message-delivered',
    time: '2026-01-01T00:00:01.000Z',
    description: 'Message delivered to carrier.',
    to: '+15557654321',
    message: { ...message(id), direction: 'out', from: '+15551234567', to: ['+15557654321'] },
  };
  return JSON.stringify([cb]);
};
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

let h: ListenHarness;
beforeEach(async () => {
  h = await startListenHarness('bandwidth', {
    accountId: '9900001',
    applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
    clientId: 'client-id',
    clientSecret: 'client-secret',
    callbackUsername,
    callbackPassword,
  });
});
afterEach(async () => {
  await h.stop();
});

/** Delivers like Bandwidth: unauthenticated, then with Basic credentials only if challenged. */
async function deliver(url: string, body: string, user = callbackUsername, pass = callbackPassword): Promise<{ first: PostResult; second?: PostResult }> {
  const first = await h.post(url, body, json);
  const challenge = first.headers.get('www-authenticate');
  if (first.status !== 401 || !challenge || !/^Basic realm="[^"]*"/i.test(challenge)) return { first };
  return { first, second: await h.post(url, body, { ...json, authorization: basic(user, pass) }) };
}

describe('mms listen ← Bandwidth callbacks (Basic after a challenge)', () => {
  it('challenges the first, unauthenticated attempt with 401 and accepts the retry with credentials', async () => {
    const msg = await deliver(h.info.inboundUrl, inbound('bw-msg-0001', 'hello from Bandwidth'));
    expect(msg.first.status).toBe(401);
    expect(msg.second?.status).toBe(200);
    const receipt = await deliver(h.info.statusUrl, delivered('bw-msg-0002'));
    expect([receipt.first.status, receipt.second?.status]).toEqual([401, 200]);
    expect(h.events).toMatchObject([
      { type: 'message', provider: 'bandwidth', id: 'bw-msg-0001', from: '+15557654321', body: 'hello from Bandwidth' },
      { type: 'status', id: 'bw-msg-0002', status: 'delivered' },
    ]);
    // The challenge is a step of the handshake, not a refused request.
    expect(h.notices.filter((n) => n.type === 'signature-rejected')).toEqual([]);
  });

  it('answers wrong credentials with 403 and prints nothing', async () => {
    const r = await deliver(h.info.inboundUrl, inbound('bw-msg-0003', 'hi'), callbackUsername, 'wrong-password');
    expect([r.first.status, r.second?.status]).toEqual([401, 403]);
    expect(h.events).toEqual([]);
    expect(h.notices.filter((n) => n.type === 'signature-rejected')).toHaveLength(1);
  });

  it('prints a replayed or retried callback once', async () => {
    const body = inbound('bw-msg-0004', 'once');
    for (let i = 0; i < 3; i++) expect((await deliver(h.info.inboundUrl, body)).second?.status).toBe(200);
    expect(h.events).toHaveLength(1);
  });
});
