import { describe, expect, it } from 'vitest';
import { ErrorCode, ProviderError } from '../../../../src/errors/errors.js';
import type { HttpClient, HttpResponse } from '../../../../src/providers/http-client.js';
import type { ProviderCallContext } from '../../../../src/providers/types.js';
import { telnyxAdapter } from '../../../../src/providers/telnyx/adapter.js';
import { fakeHttp } from '../../../helpers/fake-http.js';

const BASE = 'http://127.0.0.1:9';
const ctx = (http: HttpClient): ProviderCallContext => ({ credentials: { apiKey: 'KEY_secret' }, baseUrl: BASE, http });
const res = (status: number, body: unknown = {}): HttpResponse => ({ status, headers: { 'content-type': 'application/json' }, text: JSON.stringify(body) });
const OLD = '40017f8e-49bd-4d7f-9e9b-0e3e9b6b1a11';
const TMP = '4001a2b3-0000-4c5d-8e9f-aaaaaaaaaaaa';
const NUMBER = '+15557770011';

describe('telnyxAdapter.configureInbound', () => {
  it('creates a temporary profile with the URL and moves only that number to it', async () => {
    const http = fakeHttp(
      res(200, { data: [{ id: '1293384261075731499', phone_number: NUMBER, messaging_profile_id: OLD }], meta: { page_number: 1, total_pages: 1 } }),
      res(200, { data: { id: OLD, whitelisted_destinations: ['US', 'CA'], webhook_url: 'https://old.example/hook' } }),
      res(200, { data: { id: TMP, webhook_url: 'https://tunnel.example/telnyx' } }),
      res(200, { data: { id: '1293384261075731499', messaging_profile_id: TMP } }),
    );
    const state = await telnyxAdapter.configureInbound!(NUMBER, 'https://tunnel.example/telnyx', ctx(http));
    expect(http.calls.map((c) => `${c.method} ${c.url.slice(BASE.length)}`)).toEqual([
      'GET /v2/phone_numbers/messaging?filter%5Bphone_number%5D=%2B15557770011',
      `GET /v2/messaging_profiles/${OLD}`,
      'POST /v2/messaging_profiles',
      'PATCH /v2/phone_numbers/1293384261075731499/messaging',
    ]);
    expect(http.calls[0]!.headers!.Authorization).toBe('Bearer KEY_secret');
    expect(JSON.parse(String(http.calls[2]!.body))).toMatchObject({
      webhook_url: 'https://tunnel.example/telnyx',
      webhook_api_version: '2',
      whitelisted_destinations: ['US', 'CA'],
    });
    expect(JSON.parse(String(http.calls[3]!.body))).toEqual({ messaging_profile_id: TMP });
    expect(state).toMatchObject({
      provider: 'telnyx',
      number: NUMBER,
      data: { phoneNumberId: '1293384261075731499', previousProfileId: OLD, temporaryProfileId: TMP },
    });
    expect(state.description).toContain(TMP);
  });

  it('deletes the temporary profile again when moving the number fails, and throws', async () => {
    const http = fakeHttp(
      res(200, { data: [{ id: '7', phone_number: NUMBER, messaging_profile_id: null }] }),
      res(200, { data: { id: TMP } }),
      res(422, { errors: [{ code: '10015', title: 'Bad Request' }] }),
      res(200, { data: { id: TMP } }),
    );
    await expect(telnyxAdapter.configureInbound!(NUMBER, 'https://t.example/x', ctx(http))).rejects.toBeInstanceOf(ProviderError);
    // No GET of a previous profile (there was none); the allow-list defaults to US.
    expect(JSON.parse(String(http.calls[1]!.body)).whitelisted_destinations).toEqual(['US']);
    expect(http.calls.at(-1)).toMatchObject({ method: 'DELETE', url: `${BASE}/v2/messaging_profiles/${TMP}` });
  });

  it('fails with NOT_FOUND for a number that is not on the account, changing nothing', async () => {
    const http = fakeHttp(res(200, { data: [] }));
    await expect(telnyxAdapter.configureInbound!('+15550000000', 'https://t.example/x', ctx(http))).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(http.calls).toHaveLength(1);
  });

  it('maps a rejected key to AUTH_REJECTED', async () => {
    const http = fakeHttp(res(401, { errors: [{ code: '10009', title: 'Authentication failed' }] }));
    await expect(telnyxAdapter.configureInbound!(NUMBER, 'https://t.example/x', ctx(http))).rejects.toMatchObject({ code: ErrorCode.AUTH_REJECTED });
  });
});

describe('telnyxAdapter.restoreInbound', () => {
  const state = {
    provider: 'telnyx' as const,
    number: NUMBER,
    description: '',
    data: { phoneNumberId: '42', previousProfileId: OLD, temporaryProfileId: TMP },
  };

  it('moves the number back, then deletes the temporary profile', async () => {
    const http = fakeHttp(res(200, { data: {} }), res(200, { data: {} }));
    await telnyxAdapter.restoreInbound!(state, ctx(http));
    expect(http.calls.map((c) => `${c.method} ${c.url.slice(BASE.length)}`)).toEqual([
      'PATCH /v2/phone_numbers/42/messaging',
      `DELETE /v2/messaging_profiles/${TMP}`,
    ]);
    expect(JSON.parse(String(http.calls[0]!.body))).toEqual({ messaging_profile_id: OLD });
  });

  it('unassigns with "" when the number had no profile, and is idempotent (404 on delete is fine)', async () => {
    const http = fakeHttp(res(200, { data: {} }), res(404, { errors: [{ code: '10005', title: 'Resource not found' }] }));
    await telnyxAdapter.restoreInbound!({ ...state, data: { ...state.data, previousProfileId: null } }, ctx(http));
    expect(JSON.parse(String(http.calls[0]!.body))).toEqual({ messaging_profile_id: '' });
  });

  it('throws when the number cannot be moved back', async () => {
    const http = fakeHttp(res(500, { errors: [{ code: '10007', title: 'Unexpected error' }] }));
    await expect(telnyxAdapter.restoreInbound!(state, ctx(http))).rejects.toMatchObject({ code: ErrorCode.PROVIDER_UNAVAILABLE });
  });

  it('refuses an incomplete state', async () => {
    await expect(telnyxAdapter.restoreInbound!({ ...state, data: {} }, ctx(fakeHttp()))).rejects.toMatchObject({ code: ErrorCode.INPUT_INVALID });
  });
});
