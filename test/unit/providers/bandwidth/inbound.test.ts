import { describe, expect, it } from 'vitest';
import { createBandwidthAdapter } from '../../../../src/providers/bandwidth/adapter.js';
import { bandwidthDashboardBaseUrl, bandwidthTn } from '../../../../src/providers/bandwidth/inbound.js';
import type { ProviderCallContext } from '../../../../src/providers/types.js';
import { fakeHttp, res } from './helpers.js';

const credentials = {
  accountId: '9900000',
  applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
  clientId: 'c',
  clientSecret: 's',
  callbackUsername: 'u',
  callbackPassword: 'p',
};
const TOKEN = res(200, '{"access_token":"tok","expires_in":3600}');
const TEMP_APP = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const ctx = (http: ProviderCallContext['http']): ProviderCallContext => ({ credentials, baseUrl: 'https://messaging.bandwidth.com', http });
const xml = (s: string) => res(200, `<?xml version="1.0"?>${s}`);

describe('Bandwidth configureInbound/restoreInbound', () => {
  it('uses api.bandwidth.com for the Dashboard API and 10-digit numbers', () => {
    expect(bandwidthDashboardBaseUrl('https://messaging.bandwidth.com')).toBe('https://api.bandwidth.com');
    expect(bandwidthDashboardBaseUrl('http://127.0.0.1:1/bandwidth')).toBe('http://127.0.0.1:1/bandwidth');
    expect(bandwidthTn('+19195551234')).toBe('9195551234');
  });

  it('creates a temporary application and location, enables messaging, assigns it and moves the number', async () => {
    const http = fakeHttp(
      TOKEN,
      xml('<Site><Id>123</Id><Name>s</Name></Site>'),
      xml('<SipPeer><Id>456</Id><Name>p</Name></SipPeer>'),
      xml(
        `<ApplicationsSettingsResponse><ApplicationsSettings><HttpMessagingV2AppId>${credentials.applicationId}</HttpMessagingV2AppId></ApplicationsSettings></ApplicationsSettingsResponse>`,
      ),
      res(201, `<ApplicationProvisioningResponse><Application><ApplicationId>${TEMP_APP}</ApplicationId></Application></ApplicationProvisioningResponse>`),
      res(201, '', { location: 'https://api.bandwidth.com/api/accounts/9900000/sites/123/sippeers/789' }),
      res(201, '<SipPeerSmsFeatureResponse/>'),
      res(201, '<MmsFeatureResponse/>'),
      xml('<ApplicationsSettingsResponse/>'),
      xml('<SipPeerTelephoneNumbersResponse/>'),
    );
    const state = await createBandwidthAdapter().configureInbound!('+19195551234', 'https://t.example/bw', ctx(http));
    expect(state.data).toEqual({
      tn: '9195551234',
      siteId: '123',
      previousPeerId: '456',
      previousAppId: credentials.applicationId,
      temporaryPeerId: '789',
      temporaryAppId: TEMP_APP,
      webhookCredentials: { callbackUsername: 'u', callbackPassword: 'p' },
    });
    const urls = http.calls.slice(1).map((c) => `${c.method} ${c.url.replace('https://api.bandwidth.com', '')}`);
    expect(urls).toEqual([
      'GET /api/tns/9195551234/sites',
      'GET /api/tns/9195551234/sippeers',
      'GET /api/accounts/9900000/sites/123/sippeers/456/products/messaging/applicationSettings',
      'POST /api/accounts/9900000/applications',
      'POST /api/accounts/9900000/sites/123/sippeers',
      'POST /api/accounts/9900000/sites/123/sippeers/789/products/messaging/features/sms',
      'POST /api/accounts/9900000/sites/123/sippeers/789/products/messaging/features/mms',
      'PUT /api/accounts/9900000/sites/123/sippeers/789/products/messaging/applicationSettings',
      'POST /api/accounts/9900000/sites/123/sippeers/789/movetns',
    ]);
    const app = String(http.calls[4]!.body);
    expect(app).toContain('<InboundCallbackUrl>https://t.example/bw</InboundCallbackUrl>');
    expect(app).toContain('<InboundCallbackCreds><UserId>u</UserId><Password>p</Password></InboundCallbackCreds>');
    expect(http.calls[4]!.headers).toMatchObject({ Authorization: 'Bearer tok', 'Content-Type': 'application/xml; charset=utf-8' });
    expect(String(http.calls[9]!.body)).toContain('<FullNumber>9195551234</FullNumber>');
  });

  it('undoes what it created when a later step fails', async () => {
    const http = fakeHttp(
      TOKEN,
      xml('<Site><Id>123</Id></Site>'),
      xml('<SipPeer><Id>456</Id></SipPeer>'),
      xml('<ApplicationsSettingsResponse/>'),
      res(201, `<ApplicationProvisioningResponse><Application><ApplicationId>${TEMP_APP}</ApplicationId></Application></ApplicationProvisioningResponse>`),
      res(201, '<SipPeerResponse><SipPeer><PeerId>789</PeerId></SipPeer></SipPeerResponse>'),
      res(
        400,
        '<SipPeerSmsFeatureResponse><ResponseStatus><ErrorCode>5100</ErrorCode><Description>nope</Description></ResponseStatus></SipPeerSmsFeatureResponse>',
      ),
      res(200, ''),
      res(200, ''),
    );
    await expect(createBandwidthAdapter().configureInbound!('+19195551234', 'https://t.example/bw', ctx(http))).rejects.toMatchObject({
      code: 'PROVIDER_REJECTED',
      providerCode: '5100',
    });
    expect(http.calls.slice(7).map((c) => `${c.method} ${c.url.replace('https://api.bandwidth.com', '')}`)).toEqual([
      'DELETE /api/accounts/9900000/sites/123/sippeers/789',
      `DELETE /api/accounts/9900000/applications/${TEMP_APP}`,
    ]);
  });

  it('restores: moves the number back (only if needed) and deletes the location and application', async () => {
    const state = {
      provider: 'bandwidth' as const,
      number: '+19195551234',
      description: '',
      data: { tn: '9195551234', siteId: '123', previousPeerId: '456', previousAppId: null, temporaryPeerId: '789', temporaryAppId: TEMP_APP },
    };
    const http = fakeHttp(TOKEN, xml('<SipPeer><Id>789</Id></SipPeer>'), xml('<ok/>'), res(200, ''), res(200, ''));
    await createBandwidthAdapter().restoreInbound!(state, ctx(http));
    expect(http.calls.slice(1).map((c) => c.method)).toEqual(['GET', 'POST', 'DELETE', 'DELETE']);
    const again = fakeHttp(TOKEN, xml('<SipPeer><Id>456</Id></SipPeer>'), res(404, ''), res(404, ''));
    await createBandwidthAdapter().restoreInbound!(state, ctx(again));
    expect(again.calls.slice(1).map((c) => c.method)).toEqual(['GET', 'DELETE', 'DELETE']);
  });
});
