// Conformance, Twilio: the official twilio SDK, unchanged except for an HTTP client that sends
// https://api.twilio.com requests to the sandbox, judges the sandbox's Twilio dialect: create an
// MMS, fetch it until delivered, its Media subresource, paging, errors as RestException with
// Twilio's codes; every webhook passes twilio.validateRequest; a TwiML reply is acted on.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { creds, setFaults, startConformanceSandbox, startReceiver, type Receiver } from './helpers.js';

const FROM = '+15005550006';
const OWN = '+15557770001';

/** twilio-node's own request client, with every https://*.twilio.com URL sent to `base` instead. */
function routedClient(base: string): RequestClient {
  const inner: RequestClient = new twilio.RequestClient();
  const routed = Object.create(inner) as RequestClient;
  routed.request = (opts: RequestClient.RequestOptions) => {
    const u = new URL(opts.uri);
    return inner.request({ ...opts, uri: `${base}${u.pathname}${u.search}` });
  };
  return routed;
}

let sb: Sandbox;
let rx: Receiver;
let client: twilio.Twilio;
let authToken: string;

beforeAll(async () => {
  sb = await startConformanceSandbox();
  rx = await startReceiver();
  const c = creds(sb, 'twilio');
  authToken = c.authToken!;
  client = twilio(c.accountSid!, authToken, { httpClient: routedClient(sb.baseUrl('twilio')) });
  const [num] = await client.incomingPhoneNumbers.list({ phoneNumber: OWN });
  await client.incomingPhoneNumbers(num!.sid).update({ smsUrl: rx.url('/sms') });
});
afterAll(async () => {
  await sb.close();
  await rx.close();
});

/** Waits until the SDK sees message `sid` in `status`. */
async function untilStatus(sid: string, status: string): Promise<void> {
  await vi.waitFor(async () => expect((await client.messages(sid).fetch()).status).toBe(status), { timeout: 5000, interval: 20 });
}

describe('the twilio SDK against the sandbox', () => {
  it('creates an MMS with a media URL and fetches it until delivered; its Media can be listed, fetched and deleted', async () => {
    const msg = await client.messages.create({ from: FROM, to: OWN, body: 'hello', mediaUrl: [rx.url('/media/pixel.png')], statusCallback: rx.url('/status') });
    expect(msg.sid).toMatch(/^MM[0-9a-f]{32}$/);
    expect(msg).toMatchObject({ status: 'queued', numMedia: '1', direction: 'outbound-api' });
    await untilStatus(msg.sid, 'delivered');
    const media = await client.messages(msg.sid).media.list();
    expect(media).toHaveLength(1);
    expect(media[0]).toMatchObject({ parentSid: msg.sid, contentType: 'image/png' });
    expect(media[0]!.dateCreated).toBeInstanceOf(Date);
    const one = await client.messages(msg.sid).media(media[0]!.sid).fetch();
    expect(one.sid).toBe(media[0]!.sid);
    await expect(client.messages(msg.sid).media(one.sid).remove()).resolves.toBe(true);
    await expect(client.messages(msg.sid).media.list()).resolves.toEqual([]);
    await expect(client.messages(msg.sid).media(one.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it('pages a list across more than three pages, following next_page_uri (list and page/nextPage)', async () => {
    const to = '+15551230077';
    const sids: string[] = [];
    for (let i = 0; i < 7; i++) sids.push((await client.messages.create({ from: FROM, to, body: `n${i}` })).sid);
    const listed = await client.messages.list({ to, pageSize: 2, limit: 20 });
    expect(listed.map((m: { sid: string }) => m.sid)).toEqual([...sids].reverse());
    let page = await client.messages.page({ to, pageSize: 2 });
    const seen = [page.instances.map((m: { sid: string }) => m.sid)];
    for (let p = await page.nextPage(); p; p = await p.nextPage()) {
      seen.push(p.instances.map((m: { sid: string }) => m.sid));
      page = p;
    }
    expect(seen.length).toBe(4);
    expect(seen.flat()).toEqual([...sids].reverse());
    const payload = (page as unknown as { _payload: Record<string, unknown> })._payload;
    expect(payload).toMatchObject({ page: 3, page_size: 2, next_page_uri: null });
    expect(String(payload.previous_page_uri)).toContain('Page=2');
    expect(String(payload.first_page_uri)).toContain('Page=0');
    expect(String(payload.uri)).toContain('PageToken=PA');
    const numbers = await client.incomingPhoneNumbers.list({ pageSize: 1 });
    expect(numbers.map((n: { phoneNumber: string }) => n.phoneNumber)).toEqual(['+15005550006', '+15557770001', '+15557770002', '+15557770009']);
  });

  it('fails with RestException carrying Twilio codes: 20003 auth, 21211 invalid To, 20429 rate limit', async () => {
    const c = creds(sb, 'twilio');
    const wrong = twilio(c.accountSid!, 'wrong-token', { httpClient: routedClient(sb.baseUrl('twilio')) });
    const auth = await wrong.messages.list({ limit: 1 }).catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(twilio.RestException);
    expect(auth).toMatchObject({ status: 401, code: 20003 });
    const invalid = await client.messages.create({ from: FROM, to: '+15005550001', body: 'x' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(twilio.RestException);
    expect(invalid).toMatchObject({ status: 400, code: 21211, moreInfo: 'https://www.twilio.com/docs/errors/21211' });
    await setFaults(sb, { throttleRate: 1 });
    try {
      const limited = await client.messages.create({ from: FROM, to: '+15551230078', body: 'x' }).catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(twilio.RestException);
      expect(limited).toMatchObject({ status: 429, code: 20429 });
    } finally {
      await setFaults(sb, {});
    }
  });

  it('acts on a TwiML <Message> reply: the number answers the sender with text and media; statusCallback and action are followed', async () => {
    // Only the inbound copy of 'ping' is answered (an earlier test's inbound may arrive late).
    rx.answer('/sms', (h) =>
      new URLSearchParams(h.rawBody.toString()).get('Body') !== 'ping'
        ? undefined
        : {
            status: 200,
            headers: { 'content-type': 'text/xml' },
            body:
              `<?xml version="1.0" encoding="UTF-8"?><Response><Message statusCallback="${rx.url('/reply-status')}" action="/action">` +
              `Thanks &amp; bye<Media>${rx.url('/media/pixel.png')}</Media></Message></Response>`,
          },
    );
    rx.answer('/action', () => ({ status: 200, headers: { 'content-type': 'text/xml' }, body: '<Response><Message>and one more</Message></Response>' }));
    try {
      const msg = await client.messages.create({ from: FROM, to: OWN, body: 'ping' });
      await untilStatus(msg.sid, 'delivered');
      const replies = await vi.waitFor(
        async () => {
          // FROM is a sandbox number too, so each reply also appears as FROM's inbound copy once delivered
          // (as in one Twilio account holding both numbers): count the sent side only.
          const r = (await client.messages.list({ from: OWN, to: FROM })).filter((m: { direction: string }) => m.direction !== 'inbound');
          expect(r.map((m: { body: string }) => m.body).sort()).toEqual(['Thanks & bye', 'and one more']);
          return r;
        },
        { timeout: 5000, interval: 20 },
      );
      const first = replies.find((m: { body: string }) => m.body === 'Thanks & bye')!;
      expect(first).toMatchObject({ numMedia: '1', direction: 'outbound-api' });
      await untilStatus(first.sid, 'delivered');
      await vi.waitFor(() => expect(rx.hooks.some((h) => h.path === '/reply-status' && h.rawBody.toString().includes('MessageStatus=delivered'))).toBe(true));
      const action = rx.hooks.find((h) => h.path === '/action')!;
      expect(Object.fromEntries(new URLSearchParams(action.rawBody.toString()))).toMatchObject({ MessageSid: first.sid, MessageStatus: 'queued' });
    } finally {
      rx.answer('/sms', () => undefined);
      rx.answer('/action', () => undefined);
    }
  });

  it('signs every webhook it sent so that twilio.validateRequest accepts it', () => {
    const kinds = new Set(rx.hooks.map((h) => h.path.split('?')[0]));
    expect(kinds).toEqual(new Set(['/sms', '/status', '/reply-status', '/action']));
    for (const h of rx.hooks) {
      const params = Object.fromEntries(new URLSearchParams(h.rawBody.toString('utf8')));
      const signature = String(h.headers['x-twilio-signature']);
      expect(twilio.validateRequest(authToken, signature, h.url, params), `${h.path} ${h.rawBody.toString()}`).toBe(true);
    }
  });
});
