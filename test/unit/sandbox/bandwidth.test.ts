// The Bandwidth dialect driven by the real Bandwidth adapter over loopback HTTP.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/server.js';
import { createHttpClient } from '../../../src/providers/http-client.js';
import { createBandwidthAdapter } from '../../../src/providers/bandwidth/adapter.js';
import type { ProviderAdapter, ProviderCallContext, WebhookRequest } from '../../../src/providers/types.js';
import { PNG_1X1, type MediaServer } from '../../helpers/media-server.js';
import { bandwidthAccessToken, pollUntil, useDialectHarness, type Hook } from '../../helpers/sandbox-unit.js';

type Received = Hook;

const h = useDialectHarness(
  'bandwidth',
  { '/cat.png': { body: PNG_1X1, contentType: 'image/png' }, '/big.png': { body: Buffer.alloc(4 * 1024 * 1024, 1), contentType: 'image/png' } },
  204,
);
// Bandwidth authenticates callbacks with a challenge (a first POST without credentials, the retry
// with Basic after a 401 + WWW-Authenticate), so the receiver here challenges like a customer's
// server and records what it accepted: the callbacks an app would process.
const received: Received[] = [];
let challenger: Server;
let sb: Sandbox;
let media: MediaServer;
let hookUrl: string;
let creds: Record<string, string>;
beforeAll(async () => {
  ({ sb, media, creds } = h);
  challenger = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!req.headers.authorization) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="mms test"' }).end();
      received.push({ path: req.url ?? '/', headers: req.headers, rawBody: Buffer.concat(chunks) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => challenger.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(challenger.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => challenger.close(r));
});
beforeEach(() => {
  received.length = 0;
});

let adapter: ProviderAdapter;
beforeEach(() => {
  // A fresh token cache per test, so each one starts with a token grant.
  adapter = createBandwidthAdapter();
});

function ctx(credentials: Record<string, string> = creds): ProviderCallContext {
  return { credentials, baseUrl: sb.baseUrl('bandwidth'), http: createHttpClient({ provider: 'bandwidth' }) };
}

const waitFor = pollUntil;

function asWebhook(r: Received): WebhookRequest {
  return { method: 'POST', publicUrl: `${hookUrl}${r.path}`, headers: r.headers, rawBody: r.rawBody };
}

const msg = (over: Partial<{ to: string; from: string; body: string; mediaUrls: string[]; mediaIds: string[] }> = {}) => ({
  to: '+15551234567',
  from: '+15557770041',
  body: 'hello',
  mediaUrls: [] as string[],
  ...over,
});

describe('sandbox Bandwidth dialect', () => {
  it('describes random credentials shaped like real ones, and its numbers', () => {
    const p = sb.info().providers.bandwidth!;
    expect(p.credentials.accountId).toMatch(/^\d{7}$/);
    expect(p.credentials.applicationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.credentials.callbackUsername).toBeTruthy();
    expect(p.credentials.callbackPassword).toBeTruthy();
    expect(createBandwidthAdapter().checkCredentials(p.credentials)).toEqual([]);
    expect(p.numbers).toEqual(['+15557770041', '+15557770042']);
  });

  it('issues OAuth tokens with an expiry and requires them on API calls', async () => {
    const tokenUrl = `${sb.baseUrl('bandwidth')}/api/v1/oauth2/token`;
    const basic = `Basic ${Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString('base64')}`;
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600, access_token: expect.any(String) });
    const bad = await fetch(tokenUrl, {
      method: 'POST',
      headers: { authorization: 'Basic eDp5', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'invalid_client' });
    const noToken = await fetch(`${sb.baseUrl('bandwidth')}/api/v2/users/${creds.accountId}/messages?limit=1`);
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toEqual({ type: 'unauthorized', description: 'Authentication Failed' });
  });

  it('verifyCredentials succeeds; a wrong client secret is AUTH_REJECTED', async () => {
    await expect(adapter.verifyCredentials(ctx())).resolves.toEqual({ accountLabel: `account ${creds.accountId}` });
    await expect(adapter.verifyCredentials(ctx({ ...creds, clientSecret: 'nope' }))).rejects.toMatchObject({ code: 'AUTH_REJECTED' });
  });

  it('sends an MMS, fetches the media, signs status callbacks with Basic auth, and reports status', async () => {
    const c = ctx();
    const state = await adapter.configureInbound!('+15557770041', `${hookUrl}/cb`, c);
    const tempApp = state.data.temporaryAppId as string;
    const acc = await adapter.send(msg({ mediaUrls: [media.url('/cat.png')] }), { ...c, credentials: { ...creds, applicationId: tempApp } });
    expect(acc.id).toMatch(/^\d{13}[a-z0-9]{16}$/);
    const rec = await waitFor(() => (sb.store.get(acc.id)?.status === 'DELIVERED' ? sb.store.get(acc.id) : undefined));
    expect(rec).toMatchObject({ to: '+15551234567', from: '+15557770041', body: 'hello' });
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
    await expect(adapter.getStatus!(acc.id, c)).resolves.toMatchObject({ id: acc.id, status: 'delivered', numMedia: 1 });
    const cbs = await waitFor(() => (received.length >= 2 ? received : undefined));
    const cbCreds = state.data.webhookCredentials as Record<string, string>;
    for (const h of cbs) {
      expect(JSON.parse(h.rawBody.toString())).toBeInstanceOf(Array);
      expect(adapter.verifyWebhook!(asWebhook(h), cbCreds)).toBe(true);
    }
    expect(cbs.flatMap((h) => adapter.parseWebhook!(asWebhook(h))).map((e) => e.type === 'status' && e.status)).toEqual(['sending', 'delivered']);
    await adapter.restoreInbound!(state, c);
  });

  it('rejects sends with the default application while the number sits on the temporary location (4452)', async () => {
    const c = ctx();
    const state = await adapter.configureInbound!('+15557770041', `${hookUrl}/cb`, c);
    await expect(adapter.send(msg(), c)).rejects.toMatchObject({ httpStatus: 400 });
    await adapter.restoreInbound!(state, c);
    await expect(adapter.send(msg(), c)).resolves.toMatchObject({ status: 'accepted' });
  });

  it('uploads media (PUT), sends it by URL, and serves it back with auth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'pic.png');
    writeFileSync(file, PNG_1X1);
    const c = ctx();
    const mediaId = await adapter.uploadMedia!({ path: file, fileName: 'pic.png', contentType: 'image/png', size: PNG_1X1.length }, c);
    const acc = await adapter.send(msg({ mediaIds: [mediaId] }), c);
    const rec = await waitFor(() => (sb.store.get(acc.id)?.status === 'DELIVERED' ? sb.store.get(acc.id) : undefined));
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
    const url = `${sb.baseUrl('bandwidth')}/api/v2/users/${creds.accountId}/media/${encodeURIComponent(mediaId)}`;
    expect((await fetch(url)).status).toBe(401);
    const got = await fetch(url, { headers: { authorization: `Bearer ${await bandwidthAccessToken(sb)}` } });
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await got.arrayBuffer()).equals(PNG_1X1)).toBe(true);
  });

  it.each([
    [msg({ to: '+15557770090' }), 'RECIPIENT_INVALID'],
    [msg({ to: '12345' }), 'RECIPIENT_INVALID'],
    [msg({ from: '+15550000000' }), 'SENDER_INVALID'],
    [msg({ body: 'x'.repeat(2049) }), 'PROVIDER_REJECTED'],
    [msg({ mediaUrls: Array.from({ length: 11 }, (_, i) => `http://127.0.0.1:9/m${i}.png`) }), 'MEDIA_REJECTED'],
  ])('maps validation errors (%#) to %s', async (req, code) => {
    await expect(adapter.send(req, ctx())).rejects.toMatchObject({ code, httpStatus: 400, providerCode: 'request-validation' });
  });

  it('answers over the rate limit with 429 RATE_LIMITED and Retry-After', async () => {
    sb.faults.rateLimit = 1;
    await adapter.send(msg(), ctx());
    const err = await adapter.send(msg(), ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, providerCode: 'max-message-queue-size-exceeded' });
    expect((err as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(0);
  });

  it('fails messages whose media is over 3.5 MB (4411) and the test numbers after sending', async () => {
    const big = await adapter.send(msg({ mediaUrls: [media.url('/big.png')] }), ctx());
    await waitFor(() => (sb.store.get(big.id)?.status === 'FAILED' ? true : undefined));
    expect(sb.store.get(big.id)!.errorCode).toBe(4411);
    const gone = await adapter.send(msg({ mediaUrls: [media.url('/missing.png')] }), ctx());
    await waitFor(() => (sb.store.get(gone.id)?.status === 'FAILED' ? true : undefined));
    expect(sb.store.get(gone.id)!.errorCode).toBe(4410);
    const bad = await adapter.send(msg({ to: '+15557770091' }), ctx());
    await waitFor(() => (sb.store.get(bad.id)?.status === 'FAILED' ? true : undefined));
    await expect(adapter.getStatus!(bad.id, ctx())).resolves.toMatchObject({ status: 'failed', errorCode: 4720 });
  });

  it('round trip: inbound to a configured number arrives as a Basic-auth array callback with downloadable media; restore undoes everything', async () => {
    const c = ctx();
    const state = await adapter.configureInbound!('+15557770042', `${hookUrl}/inbound`, c);
    expect(state.data).toMatchObject({ tn: '5557770042', previousAppId: creds.applicationId });
    await adapter.send(msg({ to: '+15557770042', body: 'round trip', mediaUrls: [media.url('/cat.png')] }), c);
    const inbound = await waitFor(() => received.find((r) => r.path === '/inbound' && r.rawBody.includes('message-received')));
    const wh = asWebhook(inbound);
    const cbCreds = state.data.webhookCredentials as Record<string, string>;
    expect(inbound.headers['user-agent']).toBe('BandwidthAPI/v2');
    expect(adapter.verifyWebhook!(wh, cbCreds)).toBe(true);
    const [ev] = adapter.parseWebhook!(wh);
    expect(ev).toMatchObject({ type: 'message', provider: 'bandwidth', from: '+15557770041', to: '+15557770042', body: 'round trip' });
    const url = ev!.type === 'message' ? ev!.media[0]!.url : '';
    expect(url).toContain(`/bandwidth/api/v2/users/${creds.accountId}/media/`);
    expect(
      adapter.verifyWebhook!(
        { ...wh, headers: { ...wh.headers, authorization: `Basic ${Buffer.from(`${cbCreds.callbackUsername}:guess`).toString('base64')}` } },
        cbCreds,
      ),
    ).toBe(false);
    expect(adapter.verifyWebhook!({ ...wh, headers: {} }, cbCreds)).toBe(false);

    await adapter.restoreInbound!(state, c);
    await adapter.restoreInbound!(state, c); // idempotent
    // Back on the sandbox application: sending from it with the default applicationId works again.
    await expect(adapter.send(msg({ from: '+15557770042' }), c)).resolves.toMatchObject({ status: 'accepted' });
  });

  it('configureInbound refuses an unknown number', async () => {
    await expect(adapter.configureInbound!('+15550001111', `${hookUrl}/x`, ctx())).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
