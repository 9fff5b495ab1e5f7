import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, ErrorCode } from '../../../../src/errors/errors.js';
import { bandwidthAdapter, createBandwidthAdapter } from '../../../../src/providers/bandwidth/adapter.js';
import { BandwidthTokenCache } from '../../../../src/providers/bandwidth/oauth.js';
import type { ProviderCallContext } from '../../../../src/providers/types.js';
import { fakeHttp, fixture, res } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temporary folder, removed after the test. */
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mms-bw-'));
  dirs.push(d);
  return d;
}

const credentials = {
  accountId: '9900000',
  applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
  clientId: 'client-1',
  clientSecret: 'shh',
};
const BASE = 'https://messaging.bandwidth.com';
const TOKEN = res(200, '{"access_token":"tok-1","expires_in":3600}');

function ctx(http: ProviderCallContext['http'], baseUrl = BASE): ProviderCallContext {
  return { credentials, baseUrl, http };
}

describe('bandwidthAdapter', () => {
  it('declares BW_* env vars, OAuth secret marked, and URL-or-upload media', () => {
    const byKey = Object.fromEntries(bandwidthAdapter.credentialFields.map((f) => [f.key, f]));
    expect(byKey.accountId?.env).toEqual(['BW_ACCOUNT_ID']);
    expect(byKey.applicationId?.env).toEqual(['BW_MESSAGING_APPLICATION_ID']);
    expect(byKey.clientId?.env).toEqual(['BW_CLIENT_ID']);
    expect(byKey.clientSecret).toMatchObject({ env: ['BW_CLIENT_SECRET'], secret: true });
    expect(byKey.callbackPassword?.secret).toBe(true);
    expect(bandwidthAdapter.capabilities).toMatchObject({ maxMedia: 10, mediaTransport: 'url-or-upload', statusLookup: true });
  });

  it('checks credentials', () => {
    expect(bandwidthAdapter.checkCredentials({})).toEqual([
      'Account ID is missing',
      'Messaging application ID is missing',
      'OAuth client ID is missing',
      'OAuth client secret is missing',
    ]);
    expect(bandwidthAdapter.checkCredentials({ ...credentials, callbackUsername: 'u' })).toEqual(['Set both the callback user id and password, or neither']);
    expect(bandwidthAdapter.checkCredentials(credentials)).toEqual([]);
    expect(bandwidthAdapter.checkSender?.('+15554443333')).toBeUndefined();
    expect(bandwidthAdapter.checkSender?.('5554443333')).toMatch(/E\.164/);
  });

  it('gets a token once, then sends with Bearer and reuses it', async () => {
    const adapter = createBandwidthAdapter(new BandwidthTokenCache(() => 0));
    const http = fakeHttp(TOKEN, res(202, fixture('send-202.json')), res(202, fixture('send-202.json')));
    const req = { to: '+15552223333', from: '+15554443333', body: 'Hello', mediaUrls: ['https://example.com/cat.jpg'] };
    expect(await adapter.send(req, ctx(http))).toEqual({ id: '1589228074636lm4k2je7j7jklbn2', status: 'accepted', providerStatus: 'accepted' });
    await adapter.send(req, ctx(http));
    expect(http.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST https://api.bandwidth.com/api/v1/oauth2/token',
      'POST https://messaging.bandwidth.com/api/v2/users/9900000/messages',
      'POST https://messaging.bandwidth.com/api/v2/users/9900000/messages',
    ]);
    const send = http.calls[1]!;
    expect(send.headers).toMatchObject({ Authorization: 'Bearer tok-1', 'Content-Type': 'application/json; charset=utf-8' });
    expect(JSON.parse(String(send.body))).toEqual({
      applicationId: credentials.applicationId,
      to: ['+15552223333'],
      from: '+15554443333',
      text: 'Hello',
      media: ['https://example.com/cat.jpg'],
    });
  });

  it('uses a same-host token URL against a local sandbox', async () => {
    const adapter = createBandwidthAdapter(new BandwidthTokenCache(() => 0));
    const http = fakeHttp(TOKEN, res(202, fixture('send-202.json')));
    await adapter.send({ to: '+15552223333', from: '+15554443333', mediaUrls: [] }, ctx(http, 'http://127.0.0.1:4010'));
    expect(http.calls[0]!.url).toBe('http://127.0.0.1:4010/api/v1/oauth2/token');
  });

  it('drops the cached token after a 401 and maps the error', async () => {
    const adapter = createBandwidthAdapter(new BandwidthTokenCache(() => 0));
    const http = fakeHttp(
      TOKEN,
      res(401, fixture('error-401.json')),
      res(200, '{"access_token":"tok-2","expires_in":3600}'),
      res(202, fixture('send-202.json')),
    );
    const req = { to: '+15552223333', from: '+15554443333', mediaUrls: [] };
    await expect(adapter.send(req, ctx(http))).rejects.toMatchObject({ code: ErrorCode.AUTH_REJECTED, httpStatus: 401 });
    await adapter.send(req, ctx(http));
    expect(http.calls[3]!.headers?.Authorization).toBe('Bearer tok-2');
  });

  it('uploads a file with PUT and returns a media id the payload turns into a URL', async () => {
    const dir = tempDir();
    const path = join(dir, 'cat.png');
    writeFileSync(path, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const adapter = createBandwidthAdapter(new BandwidthTokenCache(() => 0));
    const http = fakeHttp(TOKEN, res(204, ''), res(202, fixture('send-202.json')));
    const id = await adapter.uploadMedia!({ path, fileName: 'cat.png', contentType: 'image/png', size: 4 }, ctx(http));
    expect(id).toMatch(/^[0-9a-f-]{36}-cat\.png$/);
    const put = http.calls[1]!;
    expect(put.method).toBe('PUT');
    expect(put.url).toBe(`https://messaging.bandwidth.com/api/v2/users/9900000/media/${id}`);
    expect(put.headers).toMatchObject({ 'Content-Type': 'image/png', Authorization: 'Bearer tok-1' });
    expect(Buffer.isBuffer(put.body) && put.body.length).toBe(4);
    await adapter.send({ to: '+15552223333', from: '+15554443333', mediaUrls: [], mediaIds: [id] }, ctx(http));
    expect(JSON.parse(String(http.calls[2]!.body)).media).toEqual([`https://messaging.bandwidth.com/api/v2/users/9900000/media/${id}`]);
  });

  it('reports a failed upload with the file name', async () => {
    const dir = tempDir();
    const path = join(dir, 'big.mp4');
    writeFileSync(path, 'x');
    const adapter = createBandwidthAdapter(new BandwidthTokenCache(() => 0));
    const http = fakeHttp(TOKEN, res(400, '{"type":"request-validation","description":"Media too large"}'));
    await expect(adapter.uploadMedia!({ path, fileName: 'big.mp4', contentType: 'video/mp4', size: 1 }, ctx(http))).rejects.toThrow(
      'Uploading big.mp4 to Bandwidth failed: Bandwidth request-validation: Media too large',
    );
  });

  it('looks up status through List Messages', async () => {
    const adapter = createBandwidthAdapter(new BandwidthTokenCache(() => 0));
    const http = fakeHttp(TOKEN, res(200, fixture('list-messages.json')));
    const s = await adapter.getStatus!('1589228074636lm4k2je7j7jklbn2', ctx(http));
    expect(http.calls[1]!.url).toBe('https://messaging.bandwidth.com/api/v2/users/9900000/messages?messageId=1589228074636lm4k2je7j7jklbn2');
    expect(s.status).toBe('delivered');
  });

  it('verifies credentials: token + one listed message', async () => {
    const adapter = createBandwidthAdapter(new BandwidthTokenCache(() => 0));
    const http = fakeHttp(TOKEN, res(200, fixture('list-messages.json')));
    expect(await adapter.verifyCredentials(ctx(http))).toEqual({ accountLabel: 'account 9900000' });
    expect(http.calls[1]!.url).toContain('/api/v2/users/9900000/messages?');
  });

  it('throws AuthError AUTH_REJECTED when the token or the account is refused', async () => {
    const a1 = createBandwidthAdapter(new BandwidthTokenCache(() => 0));
    const e1 = await a1.verifyCredentials(ctx(fakeHttp(res(401, fixture('token-error.json'))))).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(AuthError);
    expect((e1 as AuthError).code).toBe(ErrorCode.AUTH_REJECTED);
    for (const status of [401, 403]) {
      const a2 = createBandwidthAdapter(new BandwidthTokenCache(() => 0));
      const e2 = await a2
        .verifyCredentials(ctx(fakeHttp(TOKEN, res(status, fixture(status === 401 ? 'error-401.json' : 'error-403.json')))))
        .catch((e: unknown) => e);
      expect(e2).toBeInstanceOf(AuthError);
      expect((e2 as AuthError).code).toBe(ErrorCode.AUTH_REJECTED);
    }
  });

  it('verifies and parses webhooks with the adapter credentials', () => {
    const req = {
      method: 'POST',
      publicUrl: 'https://t.test/bandwidth',
      rawBody: Buffer.from(fixture('callback-status.json')),
      headers: { authorization: `Basic ${Buffer.from('cli:pw').toString('base64')}` },
    };
    expect(bandwidthAdapter.verifyWebhook!(req, { ...credentials, callbackUsername: 'cli', callbackPassword: 'pw' })).toBe(true);
    expect(bandwidthAdapter.verifyWebhook!(req, credentials)).toBe(false);
    expect(bandwidthAdapter.parseWebhook!(req)).toHaveLength(2);
  });
});
