import { describe, expect, it } from 'vitest';
import { AuthError, ErrorCode } from '../../../../src/errors/errors.js';
import { sinchAdapter } from '../../../../src/providers/sinch/adapter.js';
import type { ProviderCallContext } from '../../../../src/providers/types.js';
import { fakeHttp, fixture, res } from './helpers.js';

const credentials = { servicePlanId: 'abc123def456', apiToken: 'tok-xyz' };
const BASE = 'https://us.sms.api.sinch.com';

function ctx(http: ProviderCallContext['http'], extra: Record<string, string> = {}, baseUrl = BASE): ProviderCallContext {
  return { credentials: { ...credentials, ...extra }, baseUrl, http };
}

describe('sinchAdapter', () => {
  it('declares SDK env vars, secret token, one media item and its limits in notes', () => {
    const byKey = Object.fromEntries(sinchAdapter.credentialFields.map((f) => [f.key, f]));
    expect(byKey.servicePlanId?.env).toEqual(['SINCH_SERVICE_PLAN_ID']);
    expect(byKey.apiToken).toMatchObject({ env: ['SINCH_API_TOKEN'], secret: true });
    expect(byKey.region?.env).toContain('SMS_REGION');
    expect(byKey.webhookSecret?.secret).toBe(true);
    expect(sinchAdapter.capabilities.maxMedia).toBe(1);
    expect(sinchAdapter.capabilities.notes).toMatch(/ONE media item/);
  });

  it('checks credentials and senders', () => {
    expect(sinchAdapter.checkCredentials({})).toEqual(['Service plan ID is missing', 'API token is missing']);
    expect(sinchAdapter.checkCredentials({ ...credentials, region: 'xx' })).toEqual(['Region must be one of us, eu, br, ca, au']);
    expect(sinchAdapter.checkSender?.('+15554443333')).toBeUndefined();
    expect(sinchAdapter.checkSender?.('not a number')).toMatch(/E\.164/);
  });

  it('posts the batch with the API token, on the region host', async () => {
    const http = fakeHttp(res(201, fixture('send-201.json')));
    const out = await sinchAdapter.send(
      { to: '+15552223333', from: '+15554443333', body: 'Hello', mediaUrls: ['https://example.com/cat.jpg'] },
      ctx(http, { region: 'eu' }),
    );
    expect(out.id).toBe('01FC66621XXXXX119Z8PMV1QPQ');
    const call = http.calls[0]!;
    expect(call.url).toBe('https://eu.sms.api.sinch.com/xms/v1/abc123def456/batches');
    expect(call.headers).toMatchObject({ Authorization: 'Bearer tok-xyz', 'Content-Type': 'application/json' });
    expect(JSON.parse(String(call.body))).toMatchObject({ type: 'mt_media', body: { url: 'https://example.com/cat.jpg', message: 'Hello' } });
  });

  it('keeps an overridden base URL (sandbox) whatever the region', async () => {
    const http = fakeHttp(res(201, fixture('send-201.json')));
    await sinchAdapter.send(
      { to: '+15552223333', from: '+15554443333', mediaUrls: ['https://e.test/a.jpg'] },
      ctx(http, { region: 'eu' }, 'http://127.0.0.1:4010'),
    );
    expect(http.calls[0]!.url).toBe('http://127.0.0.1:4010/xms/v1/abc123def456/batches');
  });

  it('maps a rejected send', async () => {
    const http = fakeHttp(res(400, fixture('error-400-to.json')));
    await expect(sinchAdapter.send({ to: '+1555', from: '+15554443333', mediaUrls: ['https://e.test/a.jpg'] }, ctx(http))).rejects.toMatchObject({
      code: ErrorCode.RECIPIENT_INVALID,
      httpStatus: 400,
      providerCode: 'syntax_invalid_parameter_format',
    });
  });

  it('gets status from the full delivery report', async () => {
    const http = fakeHttp(res(200, fixture('delivery-report-full.json')));
    const s = await sinchAdapter.getStatus!('01FC66621XXXXX119Z8PMV1QPQ', ctx(http));
    expect(http.calls[0]!.url).toBe('https://us.sms.api.sinch.com/xms/v1/abc123def456/batches/01FC66621XXXXX119Z8PMV1QPQ/delivery_report?type=full');
    expect(s.status).toBe('delivered');
  });

  it('verifies credentials by listing one batch', async () => {
    const http = fakeHttp(res(200, fixture('list-batches.json')));
    expect(await sinchAdapter.verifyCredentials(ctx(http))).toEqual({ accountLabel: 'service plan abc123def456 (us)' });
    expect(http.calls[0]!.url).toBe('https://us.sms.api.sinch.com/xms/v1/abc123def456/batches?page_size=1');
  });

  it('throws AuthError AUTH_REJECTED on 401 and 403', async () => {
    for (const status of [401, 403]) {
      const e = await sinchAdapter.verifyCredentials(ctx(fakeHttp(res(status, fixture('error-401.json'))))).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AuthError);
      expect((e as AuthError).code).toBe(ErrorCode.AUTH_REJECTED);
    }
  });

  it('verifies webhooks with the configured secret', () => {
    const req = { method: 'POST', publicUrl: 'https://t.test/sinch', headers: {}, rawBody: Buffer.from('{}') };
    expect(sinchAdapter.verifyWebhook!(req, { ...credentials, webhookSecret: 's' })).toBe(false);
    expect(sinchAdapter.parseWebhook!(req)).toEqual([]);
  });
});
