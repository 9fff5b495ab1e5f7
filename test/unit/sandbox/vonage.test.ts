// The Vonage dialect driven by the real Vonage adapter over loopback HTTP.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/server.js';
import { createHttpClient } from '../../../src/providers/http-client.js';
import { vonageAdapter } from '../../../src/providers/vonage/adapter.js';
import type { ProviderCallContext, WebhookRequest } from '../../../src/providers/types.js';
import { PNG_1X1, type MediaServer } from '../../helpers/media-server.js';
import { pollUntil, useDialectHarness, type Hook } from '../../helpers/sandbox-unit.js';

type Received = Hook;

const h = useDialectHarness(
  'vonage',
  { '/cat.png': { body: PNG_1X1, contentType: 'image/png' }, '/big.png': { body: Buffer.alloc(6 * 1024 * 1024, 1), contentType: 'image/png' } },
  204,
);
const received = h.received;
let sb: Sandbox;
let media: MediaServer;
let hookUrl: string;
let creds: Record<string, string>;
beforeAll(() => {
  ({ sb, media, hookUrl, creds } = h);
});

function ctx(credentials: Record<string, string> = creds): ProviderCallContext {
  return { credentials, baseUrl: sb.baseUrl('vonage'), http: createHttpClient({ provider: 'vonage' }) };
}

/** Key/secret only: the adapter then sends with Basic auth. */
function basicOnly(): Record<string, string> {
  return { apiKey: creds.apiKey!, apiSecret: creds.apiSecret!, signatureSecret: creds.signatureSecret! };
}

const waitFor = pollUntil;

function asWebhook(r: Received): WebhookRequest {
  return { method: 'POST', publicUrl: `${hookUrl}${r.path}`, headers: r.headers, rawBody: r.rawBody };
}

describe('sandbox Vonage dialect', () => {
  it('describes random credentials shaped like real ones, and its numbers', () => {
    const p = sb.info().providers.vonage!;
    expect(p.credentials.apiKey).toMatch(/^[0-9a-f]{8}$/);
    expect(p.credentials.apiSecret).toMatch(/^[0-9A-Za-z]{16}$/);
    expect(p.credentials.privateKey).toContain('BEGIN PRIVATE KEY');
    expect(p.credentials.signatureSecret!.length).toBeGreaterThan(16);
    expect(vonageAdapter.checkCredentials(p.credentials)).toEqual([]);
    expect(p.numbers).toEqual(['+15557770031', '+15557770032']);
    expect(p.defaultFrom).toBe('+15557770031');
  });

  it('verifyCredentials succeeds, and a wrong secret is AUTH_REJECTED', async () => {
    await expect(vonageAdapter.verifyCredentials(ctx())).resolves.toMatchObject({ accountLabel: expect.stringContaining(creds.apiKey!) });
    await expect(vonageAdapter.verifyCredentials(ctx({ ...basicOnly(), apiSecret: 'wrongwrongwrong1' }))).rejects.toMatchObject({ code: 'AUTH_REJECTED' });
  });

  it('sends an image MMS with Basic auth; the media is fetched and the status webhook is signed', async () => {
    const acc = await vonageAdapter.send(
      { to: '+15551234567', from: '+15557770031', body: 'hello', mediaUrls: [media.url('/cat.png')], statusCallbackUrl: `${hookUrl}/status` },
      ctx(basicOnly()),
    );
    expect(acc).toMatchObject({ status: 'accepted' });
    const rec = await waitFor(() => {
      const m = sb.store.get(acc.id);
      return m?.status === 'delivered' ? m : undefined;
    });
    expect(rec).toMatchObject({ provider: 'vonage', direction: 'outbound', to: '+15551234567', from: '+15557770031', body: 'hello' });
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
    expect(rec.history.map((h) => h.status)).toEqual(['accepted', 'submitted', 'delivered']);
    const hooks = await waitFor(() => (received.length >= 2 ? received : undefined));
    for (const h of hooks) expect(vonageAdapter.verifyWebhook!(asWebhook(h), basicOnly())).toBe(true);
    const events = hooks.flatMap((h) => vonageAdapter.parseWebhook!(asWebhook(h)));
    expect(events.map((e) => e.type === 'status' && e.status)).toEqual(['sent', 'delivered']);
  });

  it('accepts the RS256 application JWT the adapter signs with the private key', async () => {
    const acc = await vonageAdapter.send({ to: '+15551234567', from: '+15557770031', body: 'jwt', mediaUrls: [media.url('/cat.png')] }, ctx());
    expect(sb.store.get(acc.id)).toBeDefined();
  });

  it('rejects bad credentials on send with AUTH_REJECTED', async () => {
    await expect(
      vonageAdapter.send({ to: '+15551234567', from: '+15557770031', body: 'x', mediaUrls: [] }, ctx({ ...basicOnly(), apiKey: 'deadbeef' })),
    ).rejects.toMatchObject({ code: 'AUTH_REJECTED', httpStatus: 401 });
  });

  it.each([
    ['+15557770090', '+15557770031', 'RECIPIENT_INVALID', '1020'],
    ['+15551234567', '+15550000000', 'SENDER_INVALID', '1120'],
  ])('maps to=%s from=%s to %s', async (to, from, code, providerCode) => {
    await expect(vonageAdapter.send({ to, from, body: 'x', mediaUrls: [] }, ctx(basicOnly()))).rejects.toMatchObject({ code, providerCode, httpStatus: 422 });
  });

  it('rejects a caption over 2000 characters with #1090 (BODY_TOO_LONG)', async () => {
    await expect(
      vonageAdapter.send({ to: '+15551234567', from: '+15557770031', body: 'x'.repeat(2001), mediaUrls: [media.url('/cat.png')] }, ctx(basicOnly())),
    ).rejects.toMatchObject({ code: 'BODY_TOO_LONG', providerCode: '1090' });
  });

  it('answers over the rate limit with a 429 RATE_LIMITED and Retry-After', async () => {
    sb.faults.rateLimit = 1;
    const req = { to: '+15551234567', from: '+15557770031', body: 'x', mediaUrls: [] };
    await vonageAdapter.send(req, ctx(basicOnly()));
    const err = await vonageAdapter.send(req, ctx(basicOnly())).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, providerCode: '1000' });
    expect((err as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(0);
  });

  it('marks the message rejected when the media is too large, and fails test numbers after submission', async () => {
    const big = await vonageAdapter.send({ to: '+15551234567', from: '+15557770031', mediaUrls: [media.url('/big.png')] }, ctx(basicOnly()));
    const rec = await waitFor(() => (sb.store.get(big.id)?.status === 'rejected' ? sb.store.get(big.id) : undefined));
    expect(rec).toMatchObject({ errorCode: 1020 });
    expect(rec!.media[0]!.status).toBe('failed');
    const barred = await vonageAdapter.send({ to: '+15557770091', from: '+15557770031', body: 'x', mediaUrls: [] }, ctx(basicOnly()));
    await waitFor(() => (sb.store.get(barred.id)?.status === 'rejected' ? true : undefined));
    expect(sb.store.get(barred.id)!.errorCode).toBe(1050);
  });

  it('has no status lookup (Messages v1 has no GET)', () => {
    expect(vonageAdapter.getStatus).toBeUndefined();
  });

  it('round trip: configureInbound links a temporary application; the inbound webhook verifies and parses; restore undoes it', async () => {
    const c = ctx(basicOnly());
    const state = await vonageAdapter.configureInbound!('+15557770032', `${hookUrl}/inbound`, c);
    expect(state.data).toMatchObject({ msisdn: '15557770032', previousAppId: creds.applicationId });
    const tempId = state.data.temporaryAppId as string;

    await vonageAdapter.send({ to: '+15557770032', from: '+15557770031', body: 'round trip', mediaUrls: [media.url('/cat.png')] }, c);
    const inbound = await waitFor(() => received.find((r) => r.path === '/inbound' && r.rawBody.includes('message_type')));
    const wh = asWebhook(inbound);
    expect(vonageAdapter.verifyWebhook!(wh, basicOnly())).toBe(true);
    const [ev] = vonageAdapter.parseWebhook!(wh);
    expect(ev).toMatchObject({ type: 'message', provider: 'vonage', from: '+15557770031', to: '+15557770032', body: 'round trip' });
    const url = ev!.type === 'message' ? ev!.media[0]!.url : '';
    expect(url).toMatch(/\/vonage\/v3\/media\/[0-9a-f-]{36}$/);
    const got = await fetch(url);
    expect(Buffer.from(await got.arrayBuffer()).equals(PNG_1X1)).toBe(true);
    expect(sb.store.list({ provider: 'vonage' }).some((m) => m.direction === 'inbound' && m.to === '+15557770032')).toBe(true);

    const tampered = { ...wh, rawBody: Buffer.from(inbound.rawBody.toString().replace('round trip', 'round trap')) };
    expect(vonageAdapter.verifyWebhook!(tampered, basicOnly())).toBe(false);
    expect(vonageAdapter.verifyWebhook!(wh, { ...basicOnly(), signatureSecret: 'other' })).toBe(false);

    await vonageAdapter.restoreInbound!(state, c);
    await vonageAdapter.restoreInbound!(state, c); // idempotent
    const auth = `Basic ${Buffer.from(`${creds.apiKey}:${creds.apiSecret}`).toString('base64')}`;
    const app = await fetch(`${sb.baseUrl('vonage')}/v2/applications/${tempId}`, { headers: { authorization: auth } });
    expect(app.status).toBe(404);
    const nums = (await (
      await fetch(`${sb.baseUrl('vonage')}/account/numbers?api_key=${creds.apiKey}&api_secret=${creds.apiSecret}&pattern=15557770032&search_pattern=0`)
    ).json()) as { numbers: Array<{ app_id?: string }> };
    expect(nums.numbers[0]!.app_id).toBe(creds.applicationId);
  });

  it('configureInbound refuses a number that is not on the account, changing nothing', async () => {
    await expect(vonageAdapter.configureInbound!('+15550001111', `${hookUrl}/inbound`, ctx(basicOnly()))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
