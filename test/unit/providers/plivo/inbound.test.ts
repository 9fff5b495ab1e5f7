import { describe, expect, it } from 'vitest';
import { ErrorCode, ProviderError } from '../../../../src/errors/errors.js';
import type { HttpClient, HttpResponse } from '../../../../src/providers/http-client.js';
import type { ProviderCallContext } from '../../../../src/providers/types.js';
import { plivoAdapter } from '../../../../src/providers/plivo/adapter.js';
import { appIdFromUri } from '../../../../src/providers/plivo/inbound.js';
import { fakeHttp } from '../../../helpers/fake-http.js';

const AUTH_ID = 'MAXXXXXXXXXXXXXXXXXX';
const BASE = 'http://127.0.0.1:9';
const ACCOUNT = `${BASE}/v1/Account/${AUTH_ID}`;
const ctx = (http: HttpClient): ProviderCallContext => ({ credentials: { authId: AUTH_ID, authToken: 'tok_secret' }, baseUrl: BASE, http });
const res = (status: number, body: unknown = {}): HttpResponse => ({ status, headers: { 'content-type': 'application/json' }, text: JSON.stringify(body) });

describe('appIdFromUri', () => {
  it('reads the app id from the resource URI', () => {
    expect(appIdFromUri(`/v1/Account/${AUTH_ID}/Application/20372631212782780/`)).toBe('20372631212782780');
    expect(appIdFromUri(null)).toBeNull();
    expect(appIdFromUri('')).toBeNull();
  });
});

describe('plivoAdapter.configureInbound', () => {
  it('creates a temporary application and links only that number', async () => {
    const http = fakeHttp(
      res(200, { number: '15557770021', application: `/v1/Account/${AUTH_ID}/Application/111/` }),
      res(201, { api_id: 'a', app_id: '15784735442685051', message: 'created' }),
      res(202, { api_id: 'b', message: 'changed' }),
    );
    const state = await plivoAdapter.configureInbound!('+15557770021', 'https://tunnel.example/plivo', ctx(http));
    expect(http.calls.map((c) => `${c.method} ${c.url.slice(ACCOUNT.length)}`)).toEqual([
      'GET /Number/15557770021/',
      'POST /Application/',
      'POST /Number/15557770021/',
    ]);
    expect(http.calls[0]!.headers!.Authorization).toBe(`Basic ${Buffer.from(`${AUTH_ID}:tok_secret`).toString('base64')}`);
    expect(JSON.parse(String(http.calls[1]!.body))).toMatchObject({ message_url: 'https://tunnel.example/plivo', message_method: 'POST' });
    expect(JSON.parse(String(http.calls[1]!.body)).app_name).toMatch(/^mms-listen-15557770021-/);
    expect(JSON.parse(String(http.calls[2]!.body))).toEqual({ app_id: '15784735442685051' });
    expect(state).toMatchObject({
      provider: 'plivo',
      number: '+15557770021',
      data: { plivoNumber: '15557770021', previousAppId: '111', temporaryAppId: '15784735442685051' },
    });
  });

  it('deletes the temporary application when linking fails, and throws', async () => {
    const http = fakeHttp(res(200, { application: null }), res(201, { app_id: '9' }), res(400, { api_id: 'x', error: 'invalid app_id' }), {
      status: 204,
      headers: {},
      text: '',
    });
    await expect(plivoAdapter.configureInbound!('+15557770021', 'https://t.example/p', ctx(http))).rejects.toBeInstanceOf(ProviderError);
    expect(http.calls.at(-1)).toMatchObject({ method: 'DELETE', url: `${ACCOUNT}/Application/9/` });
  });

  it('fails with NOT_FOUND for a number that is not on the account', async () => {
    const http = fakeHttp(res(404, { api_id: 'x', error: 'not found' }));
    await expect(plivoAdapter.configureInbound!('+15550000000', 'https://t.example/p', ctx(http))).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(http.calls).toHaveLength(1);
  });
});

describe('plivoAdapter.restoreInbound', () => {
  const state = {
    provider: 'plivo' as const,
    number: '+15557770021',
    description: '',
    data: { plivoNumber: '15557770021', previousAppId: '111', temporaryAppId: '9' },
  };

  it('relinks the previous app, then deletes the temporary one', async () => {
    const http = fakeHttp(res(202, { message: 'changed' }), { status: 204, headers: {}, text: '' });
    await plivoAdapter.restoreInbound!(state, ctx(http));
    expect(http.calls.map((c) => `${c.method} ${c.url.slice(ACCOUNT.length)}`)).toEqual(['POST /Number/15557770021/', 'DELETE /Application/9/']);
    expect(JSON.parse(String(http.calls[0]!.body))).toEqual({ app_id: '111' });
  });

  it('unlinks with an empty app_id when there was none, and is idempotent (404 on delete is fine)', async () => {
    const http = fakeHttp(res(202, { message: 'changed' }), res(404, { error: 'not found' }));
    await plivoAdapter.restoreInbound!({ ...state, data: { ...state.data, previousAppId: null } }, ctx(http));
    expect(JSON.parse(String(http.calls[0]!.body))).toEqual({ app_id: '' });
  });

  it('throws when relinking is refused', async () => {
    const http = fakeHttp(res(401, { error: 'authentication failed' }));
    await expect(plivoAdapter.restoreInbound!(state, ctx(http))).rejects.toMatchObject({ code: ErrorCode.AUTH_REJECTED });
  });
});
