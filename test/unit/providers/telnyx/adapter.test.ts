import { describe, expect, it } from 'vitest';
import { AuthError, ErrorCode, ProviderError, UsageError } from '../../../../src/errors/errors.js';
import type { HttpClient } from '../../../../src/providers/http-client.js';
import type { ProviderCallContext } from '../../../../src/providers/types.js';
import { telnyxAdapter } from '../../../../src/providers/telnyx/adapter.js';
import { fakeHttp, providerFixture } from '../../../helpers/fake-http.js';

const fixture = (name: string): string => providerFixture('telnyx', name);

function ctx(http: HttpClient): ProviderCallContext {
  return { credentials: { apiKey: 'KEY0123_secret' }, baseUrl: 'http://127.0.0.1:9', http };
}

const MESSAGE_ID = '40385f64-5717-4562-b3fc-2c963f66afa6';

describe('telnyxAdapter', () => {
  it('declares the reference capabilities', () => {
    const c = telnyxAdapter.capabilities;
    expect(c.maxMedia).toBe(10);
    expect(c.maxTotalBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(c.mediaTransport).toBe('url');
    expect(c.defaultRatePerSecond).toBe(15);
    expect(telnyxAdapter.uploadMedia).toBeUndefined();
  });

  it('declares TELNYX_API_KEY as a secret and TELNYX_PUBLIC_KEY as not secret', () => {
    const byEnv = Object.fromEntries(telnyxAdapter.credentialFields.map((f) => [f.env[0], f]));
    expect(byEnv.TELNYX_API_KEY).toMatchObject({ key: 'apiKey', secret: true, required: true });
    expect(byEnv.TELNYX_PUBLIC_KEY).toMatchObject({ key: 'publicKey', secret: false, required: false });
  });

  it('checks credentials', () => {
    expect(telnyxAdapter.checkCredentials({})).toEqual(['API Key is missing']);
    expect(telnyxAdapter.checkCredentials({ apiKey: 'k', publicKey: 'nope' })).toHaveLength(1);
    expect(telnyxAdapter.checkCredentials({ apiKey: 'k', publicKey: '6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=' })).toEqual([]);
  });

  it('checks senders', () => {
    expect(telnyxAdapter.checkSender!('+15557654321')).toBeUndefined();
    expect(telnyxAdapter.checkSender!('4000eba1-a0c0-4563-9925-b25e842a7cb6')).toBeUndefined();
    expect(telnyxAdapter.checkSender!('+0123')).toMatch(/E\.164/);
  });

  it('sends one JSON POST to /v2/messages with the Bearer key', async () => {
    const http = fakeHttp({ status: 200, headers: {}, text: fixture('send-200.json') });
    const out = await telnyxAdapter.send({ to: '+15551234567', from: '+15557654321', body: 'hello', mediaUrls: ['https://example.com/cat.jpg'] }, ctx(http));
    expect(out).toEqual({ id: MESSAGE_ID, status: 'queued', providerStatus: 'queued' });
    expect(http.calls).toHaveLength(1);
    const call = http.calls[0]!;
    expect(call.method).toBe('POST');
    expect(call.url).toBe('http://127.0.0.1:9/v2/messages');
    expect(call.headers).toMatchObject({ Authorization: 'Bearer KEY0123_secret', 'Content-Type': 'application/json' });
    expect(JSON.parse(String(call.body))).toEqual({
      to: '+15551234567',
      from: '+15557654321',
      text: 'hello',
      media_urls: ['https://example.com/cat.jpg'],
      type: 'MMS',
    });
  });

  it('does not retry a rejected send', async () => {
    const http = fakeHttp({ status: 429, headers: { 'x-ratelimit-reset': '3' }, text: fixture('error-10011-429.json') });
    const err = await telnyxAdapter.send({ to: '+15551234567', from: '+15557654321', mediaUrls: [] }, ctx(http)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe(ErrorCode.RATE_LIMITED);
    expect((err as ProviderError).retryAfterMs).toBe(3000);
    expect(http.calls).toHaveLength(1);
  });

  it('gets a status by id', async () => {
    const http = fakeHttp({ status: 200, headers: {}, text: fixture('get-delivered-200.json') });
    const info = await telnyxAdapter.getStatus!(MESSAGE_ID, ctx(http));
    expect(info.status).toBe('delivered');
    expect(http.calls[0]).toMatchObject({ method: 'GET', url: `http://127.0.0.1:9/v2/messages/${MESSAGE_ID}` });
  });

  it('refuses a status lookup for an id that is not a UUID, without a request', async () => {
    const http = fakeHttp();
    const err = await telnyxAdapter.getStatus!('../balance', ctx(http)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(http.calls).toHaveLength(0);
  });

  it('verifies credentials with GET /v2/balance', async () => {
    const http = fakeHttp({ status: 200, headers: {}, text: fixture('balance-200.json') });
    const info = await telnyxAdapter.verifyCredentials(ctx(http));
    expect(info).toEqual({ accountLabel: 'balance 300.00 USD' });
    expect(http.calls[0]).toMatchObject({ method: 'GET', url: 'http://127.0.0.1:9/v2/balance' });
    expect(http.calls[0]!.headers?.Authorization).toBe('Bearer KEY0123_secret');
  });

  it.each([
    [401, 'error-10009-401.json'],
    [403, 'error-10010-403.json'],
  ])('turns %i on the credentials check into AuthError AUTH_REJECTED', async (status, file) => {
    const http = fakeHttp({ status, headers: {}, text: fixture(file) });
    const err = await telnyxAdapter.verifyCredentials(ctx(http)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe(ErrorCode.AUTH_REJECTED);
    expect((err as AuthError).exitCode).toBe(4);
  });

  it('passes a 5xx on the credentials check through as PROVIDER_UNAVAILABLE', async () => {
    const http = fakeHttp({ status: 502, headers: {}, text: 'bad gateway' });
    const err = await telnyxAdapter.verifyCredentials(ctx(http)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
  });
});
