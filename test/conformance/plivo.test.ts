// Conformance, Plivo: the official plivo SDK, unchanged except for its `url` option (the account's
// API base), judges the sandbox's Plivo dialect: send an MMS, get it until delivered, page with
// limit/offset, errors as the SDK's exception classes; every callback passes
// plivo.validateV3Signature (and the V2 check, plivo.validateSignature).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import plivo from 'plivo';
import type { Sandbox } from '../../src/sandbox/server.js';
import { creds, setFaults, startConformanceSandbox, startReceiver, type Receiver } from './helpers.js';

// The SDK's exception classes (PlivoRestError and its subclasses) are Babel-compiled subclasses of
// Error whose constructors return the Error that `Error.call` makes, so what the SDK rejects with
// is a plain Error, never an instance of AuthenticationError…; it carries `status`, `apiID` and
// Plivo's `error` text as its message, and that is what is checked.
const FROM = '15557770021';
const OWN = '15557770022';

let sb: Sandbox;
let rx: Receiver;
let client: plivo.Client;
let authId: string;
let authToken: string;

function apiBase(): string {
  return `${sb.baseUrl('plivo')}/v1/Account/${authId}`;
}

beforeAll(async () => {
  sb = await startConformanceSandbox();
  rx = await startReceiver();
  ({ authId, authToken } = creds(sb, 'plivo') as { authId: string; authToken: string });
  client = new plivo.Client(authId, authToken, { url: apiBase() });
  // Applications are "voice requests" in the SDK, sent to api.plivo.com whatever `url` says, so the
  // inbound message_url is set over plain HTTP here.
  const auth = { authorization: `Basic ${Buffer.from(`${authId}:${authToken}`).toString('base64')}`, 'content-type': 'application/json' };
  const apps = (await (await fetch(`${apiBase()}/Application/`, { headers: auth })).json()) as { objects: Array<{ app_id: string }> };
  const res = await fetch(`${apiBase()}/Application/${apps.objects[0]!.app_id}/`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ message_url: rx.url('/plivo/inbound?source=sandbox') }),
  });
  expect(res.status).toBeLessThan(300);
});
afterAll(async () => {
  await sb.close();
  await rx.close();
});

describe('the plivo SDK against the sandbox', () => {
  it('sends an MMS with a media URL and gets it until delivered', async () => {
    const res = await client.messages.create(FROM, OWN, 'hello', { type: 'mms', media_urls: [rx.url('/media/pixel.png')], url: rx.url('/plivo/status') });
    const uuid = (res as unknown as { messageUuid: string[] }).messageUuid[0]!;
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    await vi.waitFor(async () => expect((await client.messages.get(uuid)).messageState).toBe('delivered'), { timeout: 5000, interval: 20 });
    const media = (await client.messages.listMedia(uuid)) as unknown as { objects: Array<{ contentType: string }> };
    expect(media.objects[0]).toMatchObject({ contentType: 'image/png' });
    await vi.waitFor(() => expect(rx.hooks.some((h) => h.path.startsWith('/plivo/inbound'))).toBe(true));
  });

  it('pages with limit and offset across three pages (meta.next, meta.previous)', async () => {
    const dst = '15551230055';
    for (let i = 0; i < 5; i++) await client.messages.create(FROM, dst, `n${i}`);
    const pages: string[][] = [];
    let offset = 0;
    for (;;) {
      const page = (await client.messages.list({ limit: 2, offset, message_direction: 'outbound' })) as unknown as Array<{
        messageUuid: string;
        toNumber: string;
      }> & { meta: { next: string | null; previous: string | null } };
      pages.push(page.filter((m) => m.toNumber === dst).map((m) => m.messageUuid));
      if (offset > 0) expect(page.meta.previous).toContain(`offset=${offset - 2}`);
      if (!page.meta.next) break;
      offset = Number(new URLSearchParams(page.meta.next.split('?')[1]).get('offset'));
    }
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(new Set(pages.flat()).size).toBe(5);
  });

  it('fails the way the SDK fails: an Error carrying the Plivo error text for 401, 400 (invalid dst) and 429', async () => {
    const wrong = new plivo.Client(authId, 'wrong-token-wrong-token', { url: apiBase() });
    const auth = await wrong.messages.create(FROM, OWN, 'x').catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(Error);
    expect(auth).toMatchObject({ status: 401, message: 'authentication failed', apiID: expect.any(String) });
    const invalid = await client.messages.create(FROM, '15557770200', 'x').catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(Error);
    expect(invalid).toMatchObject({ status: 400, message: expect.stringContaining('15557770200 is not a valid phone number') });
    await setFaults(sb, { throttleRate: 1 });
    try {
      const limited = await client.messages.create(FROM, '15551230056', 'x').catch((e: unknown) => e);
      // 429 has no class in the SDK's table: it wraps the axios error, and Plivo's body is lost.
      expect(limited).toBeInstanceOf(Error);
      expect((limited as Error).message).toContain('status code 429');
    } finally {
      await setFaults(sb, {});
    }
  });

  it('acts on a Plivo XML <Message> reply from the message_url: the number answers the sender', async () => {
    let replied = false;
    rx.answer('/plivo/inbound', () => {
      if (replied) return undefined;
      replied = true;
      const xml = `<Response><Message src="${OWN}" dst="${FROM}" type="sms" callbackUrl="${rx.url('/plivo/reply-status')}">Thanks &amp; bye</Message></Response>`;
      return { status: 200, headers: { 'content-type': 'application/xml' }, body: xml };
    });
    try {
      await client.messages.create(FROM, OWN, 'ping');
      const reply = await vi.waitFor(
        async () => {
          const list = (await client.messages.list({ message_direction: 'outbound', limit: 20 })) as unknown as Array<Record<string, string>>;
          const r = list.find((m) => m.fromNumber === OWN && m.toNumber === FROM);
          expect(r).toBeDefined();
          return r!;
        },
        { timeout: 5000, interval: 20 },
      );
      await vi.waitFor(async () => expect((await client.messages.get(reply.messageUuid!)).messageState).toBe('delivered'), { timeout: 5000, interval: 20 });
      await vi.waitFor(() => expect(rx.hooks.some((h) => h.path === '/plivo/reply-status' && h.rawBody.toString().includes('Status=delivered'))).toBe(true));
    } finally {
      rx.answer('/plivo/inbound', () => undefined);
    }
  });

  it('signs every callback so that plivo.validateV3Signature (and validateSignature, V2) accept it', () => {
    expect(new Set(rx.hooks.map((h) => h.path.split('?')[0]))).toEqual(new Set(['/plivo/status', '/plivo/inbound', '/plivo/reply-status']));
    for (const h of rx.hooks) {
      const params = Object.fromEntries(new URLSearchParams(h.rawBody.toString('utf8')));
      const v3 = plivo.validateV3Signature(
        'POST',
        h.url,
        String(h.headers['x-plivo-signature-v3-nonce']),
        authToken,
        String(h.headers['x-plivo-signature-v3']),
        params,
      );
      expect(v3, h.url).toBe(true);
      expect(plivo.validateSignature(h.url, String(h.headers['x-plivo-signature-v2-nonce']), String(h.headers['x-plivo-signature-v2']), authToken)).toBe(true);
    }
  });
});
