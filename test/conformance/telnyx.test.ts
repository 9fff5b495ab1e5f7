// Conformance, Telnyx: the official telnyx SDK, unchanged except for its baseURL, judges the
// sandbox's Telnyx dialect: send an MMS, retrieve it until delivered, page through messaging
// profiles, errors as the SDK's APIError subclasses with Telnyx's codes; every webhook passes
// client.webhooks.unwrap (Ed25519 with the sandbox's public key) and matches the payload type the
// SDK declares for its event type.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import Telnyx from 'telnyx';
import type { Sandbox } from '../../src/sandbox/server.js';
import { creds, setFaults, startConformanceSandbox, startReceiver, type Receiver } from './helpers.js';
import { declaredProps, undeclared } from './declared.js';

const FROM = '+15557770011';
const OWN = '+15557770012';
const MESSAGES_DTS = 'telnyx/resources/messages/messages.d.ts';

let sb: Sandbox;
let rx: Receiver;
let client: Telnyx;

beforeAll(async () => {
  sb = await startConformanceSandbox();
  rx = await startReceiver();
  const c = creds(sb, 'telnyx');
  client = new Telnyx({ apiKey: c.apiKey!, publicKey: c.publicKey!, baseURL: `${sb.baseUrl('telnyx')}/v2` });
  const profiles = await client.messagingProfiles.list();
  await client.messagingProfiles.update(profiles.data[0]!.id!, { webhook_url: rx.url('/telnyx') });
});
afterAll(async () => {
  await sb.close();
  await rx.close();
});

/** The provider's error code of an SDK error (`{errors: [{code}]}` body). */
function code(e: unknown): string | undefined {
  return (e as { error?: { errors?: Array<{ code?: string }> } }).error?.errors?.[0]?.code;
}

describe('the telnyx SDK against the sandbox', () => {
  it('sends an MMS with a media URL and retrieves it until delivered', async () => {
    const sent = await client.messages.send({ from: FROM, to: OWN, text: 'hello', media_urls: [rx.url('/media/pixel.png')] });
    const id = sent.data!.id!;
    expect(sent.data).toMatchObject({ type: 'MMS', direction: 'outbound' });
    await vi.waitFor(async () => expect(((await client.messages.retrieve(id)).data?.to?.[0] as { status?: string } | undefined)?.status).toBe('delivered'), {
      timeout: 5000,
      interval: 20,
    });
    await vi.waitFor(() => expect(rx.hooks.some((h) => h.rawBody.toString().includes('"message.received"'))).toBe(true));
  });

  it('pages messaging profiles across three pages (page[number], page[size], meta.total_pages)', async () => {
    for (let i = 0; i < 4; i++) await client.messagingProfiles.create({ name: `p${i}`, whitelisted_destinations: ['US'] });
    let page = await client.messagingProfiles.list({ 'page[size]': 2 });
    const all = [...page.data];
    const ids = [page.data.map((p) => p.id)];
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      all.push(...page.data);
      ids.push(page.data.map((p) => p.id));
    }
    expect(ids.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(new Set(ids.flat()).size).toBe(5);
    const props = declaredProps('telnyx/resources/messaging-profiles/messaging-profiles.d.ts', 'MessagingProfile');
    for (const p of all) expect(undeclared(p as unknown as Record<string, unknown>, props)).toEqual([]);
    expect(all.every((p) => typeof p.v1_secret === 'string')).toBe(true);
  });

  it('fails with the SDK error classes carrying Telnyx codes: 10009 auth, 40310 invalid to, 10011 rate limit', async () => {
    const c = creds(sb, 'telnyx');
    const wrong = new Telnyx({ apiKey: 'KEYwrong', baseURL: `${sb.baseUrl('telnyx')}/v2` });
    const auth = await wrong.messages.retrieve('x').catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(Telnyx.AuthenticationError);
    expect(code(auth)).toBe('10009');
    const invalid = await client.messages.send({ from: FROM, to: '+15557770100', text: 'x' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(Telnyx.BadRequestError);
    expect(code(invalid)).toBe('40310');
    await setFaults(sb, { throttleRate: 1 });
    try {
      const noRetry = new Telnyx({ apiKey: c.apiKey!, baseURL: `${sb.baseUrl('telnyx')}/v2`, maxRetries: 0 });
      const limited = await noRetry.messages.send({ from: FROM, to: '+15551230001', text: 'x' }).catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(Telnyx.RateLimitError);
      expect(code(limited)).toBe('10011');
    } finally {
      await setFaults(sb, {});
    }
  });

  it('signs every webhook so that client.webhooks.unwrap accepts it, with the payload type of its event type', async () => {
    const inbound = declaredProps(MESSAGES_DTS, 'MessagingInboundMessagePayload');
    const outbound = declaredProps(MESSAGES_DTS, 'OutboundMessagePayload');
    const types = new Set<string>();
    expect(rx.hooks.length).toBeGreaterThan(0);
    for (const h of rx.hooks) {
      const headers = Object.fromEntries(Object.entries(h.headers).map(([k, v]) => [k, String(v)]));
      const event = (await client.webhooks.unwrap(h.rawBody.toString('utf8'), { headers })) as unknown as {
        data: { event_type: string; payload: Record<string, unknown> };
      };
      const type = event.data.event_type;
      types.add(type);
      const payload = event.data.payload;
      expect(undeclared(payload, type === 'message.received' ? inbound : outbound), type).toEqual([]);
      expect(payload.direction).toBe(type === 'message.received' ? 'inbound' : 'outbound');
    }
    expect(types).toEqual(new Set(['message.sent', 'message.finalized', 'message.received']));
  });

  it('answers message retrieval of an inbound message without outbound-only fields', async () => {
    const hook = rx.hooks.find((h) => h.rawBody.toString().includes('"message.received"'))!;
    const id = (JSON.parse(hook.rawBody.toString()) as { data: { payload: { id: string } } }).data.payload.id;
    const got = (await client.messages.retrieve(id)).data as Record<string, unknown>;
    expect(got.direction).toBe('inbound');
    expect(undeclared(got, declaredProps(MESSAGES_DTS, 'MessagingInboundMessagePayload'))).toEqual([]);
  });
});
