import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthError, ErrorCode, MediaError, ProviderError, UsageError } from '../../../../src/errors/errors.js';
import type { HttpClient } from '../../../../src/providers/http-client.js';
import type { ProviderCallContext } from '../../../../src/providers/types.js';
import { PLIVO_MAX_UPLOAD_BYTES, plivoAdapter } from '../../../../src/providers/plivo/adapter.js';
import { fakeHttp, providerFixture } from '../../../helpers/fake-http.js';

const fixture = (name: string): string => providerFixture('plivo', name);

const AUTH_ID = 'MAXXXXXXXXXXXXXXXXXX';
const BASIC = `Basic ${Buffer.from(`${AUTH_ID}:tok_secret`).toString('base64')}`;

function ctx(http: HttpClient): ProviderCallContext {
  return { credentials: { authId: AUTH_ID, authToken: 'tok_secret' }, baseUrl: 'http://127.0.0.1:9', http };
}

const tmp = mkdtempSync(join(tmpdir(), 'mms-plivo-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('plivoAdapter', () => {
  it('declares the reference capabilities', () => {
    const c = plivoAdapter.capabilities;
    expect(c.maxMedia).toBe(10);
    expect(c.maxTotalBytes).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(c.maxFileBytes).toBe(2 * 1024 * 1024);
    expect(c.mediaTransport).toBe('url-or-upload');
    expect(typeof plivoAdapter.uploadMedia).toBe('function');
  });

  it('declares PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN (secret)', () => {
    const byEnv = Object.fromEntries(plivoAdapter.credentialFields.map((f) => [f.env[0], f]));
    expect(byEnv.PLIVO_AUTH_ID).toMatchObject({ key: 'authId', secret: false, required: true });
    expect(byEnv.PLIVO_AUTH_TOKEN).toMatchObject({ key: 'authToken', secret: true, required: true });
  });

  it('checks credentials and senders', () => {
    expect(plivoAdapter.checkCredentials({})).toEqual(['Auth ID is missing', 'Auth Token is missing']);
    expect(plivoAdapter.checkCredentials({ authId: 'nope', authToken: 't' })).toHaveLength(1);
    expect(plivoAdapter.checkCredentials({ authId: AUTH_ID, authToken: 't' })).toEqual([]);
    expect(plivoAdapter.checkSender!('+15557654321')).toBeUndefined();
    expect(plivoAdapter.checkSender!('15557654321')).toBeUndefined();
    expect(plivoAdapter.checkSender!('not/valid!')).toMatch(/country code/);
  });

  it('sends one JSON POST to …/Message/ with Basic auth and digits-only numbers', async () => {
    const http = fakeHttp({ status: 202, headers: {}, text: fixture('send-202.json') });
    const out = await plivoAdapter.send({ to: '+15551234567', from: '+15557654321', body: 'hi', mediaUrls: ['https://example.com/a.jpg'] }, ctx(http));
    expect(out).toEqual({ id: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196', status: 'queued', providerStatus: 'queued' });
    expect(http.calls).toHaveLength(1);
    const call = http.calls[0]!;
    expect(call.method).toBe('POST');
    expect(call.url).toBe(`http://127.0.0.1:9/v1/Account/${AUTH_ID}/Message/`);
    expect(call.headers).toMatchObject({ Authorization: BASIC, 'Content-Type': 'application/json' });
    expect(JSON.parse(String(call.body))).toEqual({
      src: '15557654321',
      dst: '15551234567',
      text: 'hi',
      type: 'mms',
      media_urls: ['https://example.com/a.jpg'],
    });
  });

  it('attributes an invalid-number 400 to the sender when Plivo names the src number', async () => {
    const http = fakeHttp({ status: 400, headers: {}, text: fixture('error-400-invalid-src.json') });
    const err = await plivoAdapter.send({ to: '+15551234567', from: '+15557654321', mediaUrls: [] }, ctx(http)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe(ErrorCode.SENDER_INVALID);
    expect(http.calls).toHaveLength(1);
  });

  it('gets a status with the trailing slash', async () => {
    const http = fakeHttp({ status: 200, headers: {}, text: fixture('get-delivered-200.json') });
    const info = await plivoAdapter.getStatus!('db3ce55a-7f1d-11e1-8ea7-1231380bc196', ctx(http));
    expect(info.status).toBe('delivered');
    expect(http.calls[0]).toMatchObject({ method: 'GET', url: `http://127.0.0.1:9/v1/Account/${AUTH_ID}/Message/db3ce55a-7f1d-11e1-8ea7-1231380bc196/` });
  });

  it('refuses a status lookup for an id that is not a UUID, without a request', async () => {
    const http = fakeHttp();
    await expect(plivoAdapter.getStatus!('../../Account', ctx(http))).rejects.toBeInstanceOf(UsageError);
    expect(http.calls).toHaveLength(0);
  });

  it('verifies credentials with GET on the account', async () => {
    const http = fakeHttp({ status: 200, headers: {}, text: fixture('account-200.json') });
    expect(await plivoAdapter.verifyCredentials(ctx(http))).toEqual({ accountLabel: 'Acme Ltd', status: 'standard' });
    expect(http.calls[0]).toMatchObject({ method: 'GET', url: `http://127.0.0.1:9/v1/Account/${AUTH_ID}/` });
    expect(http.calls[0]!.headers?.Authorization).toBe(BASIC);
  });

  it.each([401, 403])('turns %i on the credentials check into AuthError AUTH_REJECTED', async (status) => {
    const http = fakeHttp({ status, headers: {}, text: fixture('error-401.json') });
    const err = await plivoAdapter.verifyCredentials(ctx(http)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe(ErrorCode.AUTH_REJECTED);
    expect((err as AuthError).exitCode).toBe(4);
  });

  it('passes a 5xx on the credentials check through as PROVIDER_UNAVAILABLE', async () => {
    const http = fakeHttp({ status: 500, headers: {}, text: 'oops' });
    const err = await plivoAdapter.verifyCredentials(ctx(http)).catch((e: unknown) => e);
    expect((err as ProviderError).code).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
  });

  it('uploads a file as multipart field "file" and returns the media_id', async () => {
    const data = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
    const path = join(tmp, 'dot.png');
    writeFileSync(path, data);
    const http = fakeHttp({ status: 201, headers: {}, text: fixture('upload-201.json') });
    const id = await plivoAdapter.uploadMedia!({ path, fileName: 'dot.png', contentType: 'image/png', size: data.length }, ctx(http));
    expect(id).toBe('0178eb8a-461a-4fd1-bc37-13eebfdc0676');
    const call = http.calls[0]!;
    expect(call.method).toBe('POST');
    expect(call.url).toBe(`http://127.0.0.1:9/v1/Account/${AUTH_ID}/Media/`);
    expect(call.headers?.Authorization).toBe(BASIC);
    const ct = call.headers?.['Content-Type'] ?? '';
    expect(ct).toMatch(/^multipart\/form-data; boundary=mms-[0-9a-f]{32}$/);
    expect(Buffer.isBuffer(call.body)).toBe(true);
    // Read it back with a standard multipart parser.
    const form = await new Response(new Uint8Array(call.body as Buffer), { headers: { 'content-type': ct } }).formData();
    const file = form.get('file') as File;
    expect(file.name).toBe('dot.png');
    expect(file.type).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer()).equals(data)).toBe(true);
  });

  it('refuses files over 2 MB before reading or sending anything', async () => {
    const http = fakeHttp();
    const err = await plivoAdapter.uploadMedia!(
      { path: join(tmp, 'does-not-exist.jpg'), fileName: 'big.jpg', contentType: 'image/jpeg', size: PLIVO_MAX_UPLOAD_BYTES + 1 },
      ctx(http),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe(ErrorCode.MEDIA_TOO_LARGE);
    expect(http.calls).toHaveLength(0);
  });

  it('re-checks the size actually read (the file may have grown)', async () => {
    const path = join(tmp, 'grown.jpg');
    writeFileSync(path, Buffer.alloc(PLIVO_MAX_UPLOAD_BYTES + 10));
    const http = fakeHttp();
    const err = await plivoAdapter.uploadMedia!({ path, fileName: 'grown.jpg', contentType: 'image/jpeg', size: 100 }, ctx(http)).catch((e: unknown) => e);
    expect((err as MediaError).code).toBe(ErrorCode.MEDIA_TOO_LARGE);
    expect(http.calls).toHaveLength(0);
  });
});
