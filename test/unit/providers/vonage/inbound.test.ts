import { describe, expect, it } from 'vitest';
import { vonageAdapter } from '../../../../src/providers/vonage/adapter.js';
import { VONAGE_REST_BASE_URL, vonageRestBaseUrl } from '../../../../src/providers/vonage/inbound.js';
import type { ProviderCallContext } from '../../../../src/providers/types.js';
import { fakeHttp, res } from './helpers.js';

const credentials = { apiKey: 'a1b2c3d4', apiSecret: 'secretsecret1234' };
const PREV = '11111111-2222-3333-4444-555555555555';
const TEMP = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const ctx = (http: ProviderCallContext['http']): ProviderCallContext => ({ credentials, baseUrl: 'https://api.nexmo.com', http });

describe('Vonage configureInbound/restoreInbound', () => {
  it('maps Vonage hosts to rest.nexmo.com for the Numbers API and keeps other bases', () => {
    expect(vonageRestBaseUrl('https://api.nexmo.com')).toBe(VONAGE_REST_BASE_URL);
    expect(vonageRestBaseUrl('https://api-eu.vonage.com')).toBe(VONAGE_REST_BASE_URL);
    expect(vonageRestBaseUrl('http://127.0.0.1:4780/vonage/')).toBe('http://127.0.0.1:4780/vonage');
  });

  it('looks the number up, creates a temporary application and links only that number', async () => {
    const http = fakeHttp(
      res(200, JSON.stringify({ count: 1, numbers: [{ country: 'US', msisdn: '14155550100', app_id: PREV }] })),
      res(201, JSON.stringify({ id: TEMP, name: 'x' })),
      res(200, '{"error-code":"200","error-code-label":"success"}'),
    );
    const state = await vonageAdapter.configureInbound!('+14155550100', 'https://tunnel.example/vonage/inbound', ctx(http));
    expect(state).toMatchObject({
      provider: 'vonage',
      number: '+14155550100',
      data: { msisdn: '14155550100', country: 'US', previousAppId: PREV, temporaryAppId: TEMP },
    });
    const [lookup, create, link] = http.calls;
    expect(lookup!.url).toMatch(/^https:\/\/rest\.nexmo\.com\/account\/numbers\?/);
    expect(new URL(lookup!.url).searchParams.get('pattern')).toBe('14155550100');
    expect(create).toMatchObject({ method: 'POST', url: 'https://api.nexmo.com/v2/applications' });
    expect(create!.headers!.Authorization).toBe(`Basic ${Buffer.from('a1b2c3d4:secretsecret1234').toString('base64')}`);
    expect(JSON.parse(String(create!.body)).capabilities.messages.webhooks.inbound_url).toEqual({
      address: 'https://tunnel.example/vonage/inbound',
      http_method: 'POST',
    });
    expect(link).toMatchObject({ method: 'POST', url: 'https://rest.nexmo.com/number/update' });
    expect(Object.fromEntries(new URLSearchParams(String(link!.body)))).toMatchObject({ country: 'US', msisdn: '14155550100', app_id: TEMP });
  });

  it('deletes the temporary application when linking fails (nothing left changed)', async () => {
    const http = fakeHttp(
      res(200, JSON.stringify({ count: 1, numbers: [{ country: 'US', msisdn: '14155550100' }] })),
      res(201, JSON.stringify({ id: TEMP })),
      res(420, '{"error-code":"420","error-code-label":"Parameter not valid"}'),
      res(204, ''),
    );
    await expect(vonageAdapter.configureInbound!('+14155550100', 'https://t.example/in', ctx(http))).rejects.toMatchObject({
      code: 'PROVIDER_REJECTED',
      providerCode: '420',
    });
    expect(http.calls[3]).toMatchObject({ method: 'DELETE', url: `https://api.nexmo.com/v2/applications/${TEMP}` });
  });

  it('refuses numbers that are not on the account without creating anything', async () => {
    const http = fakeHttp(res(200, '{"count":0}'));
    await expect(vonageAdapter.configureInbound!('+14155550100', 'https://t.example/in', ctx(http))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(http.calls).toHaveLength(1);
  });

  it('restores the previous link (or none) and deletes the application; a 404 on delete is fine', async () => {
    const state = {
      provider: 'vonage' as const,
      number: '+14155550100',
      description: '',
      data: { msisdn: '14155550100', country: 'US', previousAppId: null, temporaryAppId: TEMP },
    };
    const http = fakeHttp(res(200, '{"error-code":"200"}'), res(404, '{"title":"Not Found"}'));
    await vonageAdapter.restoreInbound!(state, ctx(http));
    expect(new URLSearchParams(String(http.calls[0]!.body)).get('app_id')).toBe('');
    expect(http.calls[1]).toMatchObject({ method: 'DELETE' });
  });
});
