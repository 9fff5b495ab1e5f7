import { describe, expect, it } from 'vitest';
import { AuthError, ErrorCode, ProviderError } from '../../../../src/errors/errors.js';
import { BANDWIDTH_TOKEN_URL, BandwidthTokenCache, bandwidthTokenUrl } from '../../../../src/providers/bandwidth/oauth.js';
import { fakeHttp, fixture, res } from './helpers.js';

const req = { tokenUrl: BANDWIDTH_TOKEN_URL, clientId: 'client-1', clientSecret: 'shh' };

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

describe('bandwidthTokenUrl', () => {
  it('uses Bandwidth’s token endpoint for the real API host', () => {
    expect(bandwidthTokenUrl('https://messaging.bandwidth.com')).toBe('https://api.bandwidth.com/api/v1/oauth2/token');
  });
  it('derives a same-host token URL for a sandbox or fake server', () => {
    expect(bandwidthTokenUrl('http://127.0.0.1:4010/bandwidth/')).toBe('http://127.0.0.1:4010/bandwidth/api/v1/oauth2/token');
  });
  it('lets an explicit token URL win', () => {
    expect(bandwidthTokenUrl('https://messaging.bandwidth.com', 'http://localhost:9/token')).toBe('http://localhost:9/token');
  });
  it('does not treat look-alike hosts as Bandwidth', () => {
    expect(bandwidthTokenUrl('https://evilbandwidth.com')).toBe('https://evilbandwidth.com/api/v1/oauth2/token');
  });
});

describe('BandwidthTokenCache', () => {
  it('fetches with the client_credentials grant and Basic client auth', async () => {
    const http = fakeHttp(res(200, fixture('token.json')));
    const token = await new BandwidthTokenCache().getToken(http, req);
    expect(token).toBe('eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake.token');
    const call = http.calls[0]!;
    expect(call.method).toBe('POST');
    expect(call.url).toBe(BANDWIDTH_TOKEN_URL);
    expect(call.body).toBe('grant_type=client_credentials');
    expect(call.headers?.['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(call.headers?.Authorization).toBe(`Basic ${Buffer.from('client-1:shh').toString('base64')}`);
  });

  it('reuses the token until 60 s before expires_in, then fetches a new one', async () => {
    const c = clock();
    const http = fakeHttp(res(200, '{"access_token":"t1","expires_in":3600}'), res(200, '{"access_token":"t2","expires_in":3600}'));
    const cache = new BandwidthTokenCache(c.now);
    expect(await cache.getToken(http, req)).toBe('t1');
    c.advance(3_539_000);
    expect(await cache.getToken(http, req)).toBe('t1');
    expect(http.calls).toHaveLength(1);
    c.advance(1_000); // now exactly 60 s before expiry
    expect(await cache.getToken(http, req)).toBe('t2');
    expect(http.calls).toHaveLength(2);
  });

  it('keeps separate tokens per client and shares one request between concurrent callers', async () => {
    const http = fakeHttp(res(200, '{"access_token":"a","expires_in":3600}'), res(200, '{"access_token":"b","expires_in":3600}'));
    const cache = new BandwidthTokenCache(clock().now);
    const [x, y] = await Promise.all([cache.getToken(http, req), cache.getToken(http, req)]);
    expect([x, y]).toEqual(['a', 'a']);
    expect(await cache.getToken(http, { ...req, clientId: 'client-2' })).toBe('b');
    expect(http.calls).toHaveLength(2);
  });

  it('fetches again after invalidate()', async () => {
    const http = fakeHttp(res(200, '{"access_token":"a","expires_in":3600}'), res(200, '{"access_token":"b","expires_in":3600}'));
    const cache = new BandwidthTokenCache(clock().now);
    await cache.getToken(http, req);
    cache.invalidate(req);
    expect(await cache.getToken(http, req)).toBe('b');
  });

  it('throws AuthError AUTH_REJECTED for invalid_client and does not cache failures', async () => {
    const http = fakeHttp(res(401, fixture('token-error.json')), res(200, '{"access_token":"ok","expires_in":60}'));
    const cache = new BandwidthTokenCache(clock().now);
    const e = await cache.getToken(http, req).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AuthError);
    expect((e as AuthError).code).toBe(ErrorCode.AUTH_REJECTED);
    expect((e as AuthError).message).toContain('invalid_client: Client authentication failed');
    expect(await cache.getToken(http, req)).toBe('ok');
  });

  it('reports a 5xx from the token endpoint as PROVIDER_UNAVAILABLE', async () => {
    const http = fakeHttp(res(503, ''));
    const e = await new BandwidthTokenCache().getToken(http, req).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).code).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
  });
});
