// The Sinch dialect driven by the real Sinch adapter over loopback HTTP.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/server.js';
import { createHttpClient } from '../../../src/providers/http-client.js';
import { sinchAdapter } from '../../../src/providers/sinch/adapter.js';
import type { ProviderCallContext, WebhookRequest } from '../../../src/providers/types.js';
import { PNG_1X1, type MediaServer } from '../../helpers/media-server.js';
import { pollUntil, useDialectHarness, type Hook } from '../../helpers/sandbox-unit.js';

type Received = Hook;

const h = useDialectHarness(
  'sinch',
  { '/cat.png': { body: PNG_1X1, contentType: 'image/png' }, '/big.png': { body: Buffer.alloc(2 * 1024 * 1024, 1), contentType: 'image/png' } },
  200,
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
  return { credentials, baseUrl: sb.baseUrl('sinch'), http: createHttpClient({ provider: 'sinch' }) };
}

const waitFor = pollUntil;

function asWebhook(r: Received): WebhookRequest {
  return { method: 'POST', publicUrl: `${hookUrl}${r.path}`, headers: r.headers, rawBody: r.rawBody };
}

/** The sandbox's stand-in for the dashboard's Callback URLs form (Sinch has no API for it). */
async function setPlanCallback(url: string | null): Promise<void> {
  const res = await fetch(`${sb.baseUrl('sinch')}/dashboard/service-plans/${creds.servicePlanId}/callback-url`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${creds.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url }),
  });
  expect(res.status).toBe(200);
}

const msg = (over: Partial<{ to: string; from: string; body: string; mediaUrls: string[]; statusCallbackUrl: string }> = {}) => ({
  to: '+15551234567',
  from: '+15557770051',
  body: 'hello',
  mediaUrls: [media.url('/cat.png')],
  ...over,
});

describe('sandbox Sinch dialect', () => {
  it('describes random credentials shaped like real ones, and its numbers', () => {
    const p = sb.info().providers.sinch!;
    expect(p.credentials.servicePlanId).toMatch(/^[0-9a-f]{32}$/);
    expect(p.credentials.apiToken).toMatch(/^[0-9a-f]{32}$/);
    expect(p.credentials.webhookSecret).toBeTruthy();
    expect(sinchAdapter.checkCredentials(p.credentials)).toEqual([]);
    expect(p.numbers).toEqual(['+15557770051', '+15557770052']);
  });

  it('verifyCredentials succeeds; a wrong token is AUTH_REJECTED', async () => {
    await expect(sinchAdapter.verifyCredentials(ctx())).resolves.toMatchObject({ accountLabel: expect.stringContaining(creds.servicePlanId!) });
    await expect(sinchAdapter.verifyCredentials(ctx({ ...creds, apiToken: 'f'.repeat(32) }))).rejects.toMatchObject({ code: 'AUTH_REJECTED' });
    await expect(sinchAdapter.send(msg(), ctx({ ...creds, servicePlanId: 'a'.repeat(32) }))).rejects.toMatchObject({ code: 'AUTH_REJECTED', httpStatus: 401 });
  });

  it('sends mt_media; fetches the media; signed per-recipient reports reach callback_url; status is queryable', async () => {
    const acc = await sinchAdapter.send(msg({ statusCallbackUrl: `${hookUrl}/dlr` }), ctx());
    expect(acc).toMatchObject({ status: 'queued', providerStatus: 'created' });
    expect(acc.id).toMatch(/^[0-9A-Z]{26}$/);
    const rec = await waitFor(() => (sb.store.get(acc.id)?.status === 'Delivered' ? sb.store.get(acc.id) : undefined));
    expect(rec).toMatchObject({ to: '+15551234567', from: '+15557770051', body: 'hello' });
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
    await expect(sinchAdapter.getStatus!(acc.id, ctx())).resolves.toMatchObject({ id: acc.id, status: 'delivered', to: '+15551234567' });
    const dlrs = await waitFor(() => (received.length >= 2 ? received : undefined));
    for (const d of dlrs) expect(sinchAdapter.verifyWebhook!(asWebhook(d), creds)).toBe(true);
    expect(dlrs.flatMap((d) => sinchAdapter.parseWebhook!(asWebhook(d))).map((e) => e.type === 'status' && e.status)).toEqual(['sent', 'delivered']);
  });

  it.each([
    [{ to: '+15557770090' }, 'RECIPIENT_INVALID', 'syntax_invalid_parameter_format'],
    [{ from: '+15550000000' }, 'SENDER_INVALID', 'syntax_invalid_parameter_format'],
    [{ body: 'x'.repeat(1601) }, 'PROVIDER_REJECTED', 'syntax_constraint_violation'],
  ])('maps errors (%o) to %s', async (over, code, providerCode) => {
    await expect(sinchAdapter.send(msg(over), ctx())).rejects.toMatchObject({ code, providerCode, httpStatus: 400 });
  });

  it('refuses more than one media URL (mt_media carries one)', async () => {
    const res = await fetch(`${sb.baseUrl('sinch')}/xms/v1/${creds.servicePlanId}/batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creds.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'mt_media', to: ['+15551234567'], from: '+15557770051', body: { url: [media.url('/cat.png'), media.url('/cat.png')] } }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'syntax_constraint_violation' });
  });

  it('answers over the rate limit with 429 RATE_LIMITED', async () => {
    sb.faults.rateLimit = 1;
    await sinchAdapter.send(msg(), ctx());
    const err = await sinchAdapter.send(msg(), ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429 });
    expect((err as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(0);
  });

  it('rejects a batch whose media is over 1 MB, and fails the test numbers after dispatch', async () => {
    const big = await sinchAdapter.send(msg({ mediaUrls: [media.url('/big.png')] }), ctx());
    await waitFor(() => (sb.store.get(big.id)?.status === 'Rejected' ? true : undefined));
    await expect(sinchAdapter.getStatus!(big.id, ctx())).resolves.toMatchObject({ status: 'failed', errorCode: 408 });
    const bad = await sinchAdapter.send(msg({ to: '+15557770091' }), ctx());
    await waitFor(() => (sb.store.get(bad.id)?.status === 'Failed' ? true : undefined));
    await expect(sinchAdapter.getStatus!(bad.id, ctx())).resolves.toMatchObject({ status: 'failed', errorCode: 402 });
  });

  it('configureInbound returns an explicit manual state and calls nothing', async () => {
    const noHttp: ProviderCallContext = { ...ctx(), http: { request: () => Promise.reject(new Error('no HTTP expected')) } };
    const state = await sinchAdapter.configureInbound!('+15557770052', `${hookUrl}/inbound`, noHttp);
    expect(state).toMatchObject({
      provider: 'sinch',
      number: '+15557770052',
      data: { manual: true, scope: 'service-plan', callbackUrl: `${hookUrl}/inbound`, servicePlanId: creds.servicePlanId },
    });
    expect(state.description).toContain('dashboard');
    await expect(sinchAdapter.restoreInbound!(state, noHttp)).resolves.toBeUndefined();
  });

  it('round trip: mo_media to the service plan callback verifies (HMAC) and parses with media; tampering is caught', async () => {
    await setPlanCallback(`${hookUrl}/inbound`);
    try {
      await sinchAdapter.send(msg({ to: '+15557770052', body: 'round trip' }), ctx());
      const inbound = await waitFor(() => received.find((r) => r.rawBody.includes('"mo_media"')));
      const wh = asWebhook(inbound);
      expect(sinchAdapter.verifyWebhook!(wh, creds)).toBe(true);
      const [ev] = sinchAdapter.parseWebhook!(wh);
      expect(ev).toMatchObject({ type: 'message', provider: 'sinch', from: '+15557770051', to: '+15557770052', body: 'round trip' });
      const m = ev!.type === 'message' ? ev!.media[0]! : undefined;
      expect(m).toMatchObject({ contentType: 'image/png' });
      const got = await fetch(m!.url);
      expect(Buffer.from(await got.arrayBuffer()).equals(PNG_1X1)).toBe(true);
      const tampered = { ...wh, rawBody: Buffer.from(inbound.rawBody.toString().replace('round trip', 'round trap')) };
      expect(sinchAdapter.verifyWebhook!(tampered, creds)).toBe(false);
      expect(sinchAdapter.verifyWebhook!(wh, { ...creds, webhookSecret: 'other' })).toBe(false);
      // The MO is also listed by the Inbounds API.
      const list = (await (
        await fetch(`${sb.baseUrl('sinch')}/xms/v1/${creds.servicePlanId}/inbounds`, { headers: { authorization: `Bearer ${creds.apiToken}` } })
      ).json()) as { inbounds: Array<{ type: string }> };
      expect(list.inbounds[0]).toMatchObject({ type: 'mo_media' });
    } finally {
      await setPlanCallback(null);
    }
  });
});
