import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultKeyPair } from '../../../../src/sandbox/dialects/vonage/context.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AuthError, ErrorCode, ProviderError } from '../../../../src/errors/errors.js';
import { vonageAdapter } from '../../../../src/providers/vonage/adapter.js';
import { fakeHttp, fixture, res } from './helpers.js';

const creds = { apiKey: 'a1b2c3d', apiSecret: 'secret' };
const BASE = 'https://api.nexmo.com';

describe('vonageAdapter', () => {
  it('declares standard env vars, secrets marked, and no status lookup', () => {
    const byKey = Object.fromEntries(vonageAdapter.credentialFields.map((f) => [f.key, f]));
    expect(byKey.apiKey?.env).toContain('VONAGE_API_KEY');
    expect(byKey.apiSecret?.secret).toBe(true);
    expect(byKey.privateKey?.secret).toBe(true);
    expect(byKey.privateKey?.env).toContain('VONAGE_APPLICATION_PRIVATE_KEY_PATH');
    expect(byKey.signatureSecret?.secret).toBe(true);
    expect(vonageAdapter.getStatus).toBeUndefined();
    expect(vonageAdapter.capabilities.statusLookup).toBe(false);
    expect(vonageAdapter.capabilities.notes).toMatch(/status/);
  });

  it('checks credential combinations and senders', () => {
    expect(vonageAdapter.checkCredentials({})).toEqual(['API key is missing', 'API secret is missing']);
    expect(vonageAdapter.checkCredentials({ ...creds, applicationId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab' })).toEqual([
      'An Application ID is set but its private key is missing',
    ]);
    expect(vonageAdapter.checkCredentials(creds)).toEqual([]);
    expect(vonageAdapter.checkSender?.('+14155550101')).toBeUndefined();
    expect(vonageAdapter.checkSender?.('MyBrand')).toMatch(/must be/);
  });

  it('sends JSON to /v1/messages with Basic auth and returns the uuid', async () => {
    const http = fakeHttp(res(202, fixture('send-202.json')));
    const out = await vonageAdapter.send(
      { to: '+14155550100', from: '+14155550101', body: 'hi', mediaUrls: ['https://e.test/a.png'] },
      { credentials: creds, baseUrl: BASE, http },
    );
    expect(out.id).toBe('aaaaaaaa-bbbb-cccc-dddd-0123456789ab');
    const call = http.calls[0]!;
    expect(call.method).toBe('POST');
    expect(call.url).toBe('https://api.nexmo.com/v1/messages');
    expect(call.headers?.Authorization).toBe(`Basic ${Buffer.from('a1b2c3d:secret').toString('base64')}`);
    expect(JSON.parse(String(call.body))).toMatchObject({ to: '14155550100', message_type: 'image', image: { url: 'https://e.test/a.png', caption: 'hi' } });
  });

  it('signs with an application JWT when a private key file is configured', async () => {
    // Any 2048-bit pair will do: the one this process already made for sandboxes (making one costs 0.2–1 s of CPU).
    const { privateKey } = defaultKeyPair();
    const dir = mkdtempSync(join(tmpdir(), 'mms-vonage-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const keyPath = join(dir, 'private.key');
    writeFileSync(keyPath, privateKey);
    const http = fakeHttp(res(202, fixture('send-202.json')));
    await vonageAdapter.send(
      { to: '+14155550100', from: '+14155550101', mediaUrls: [] },
      {
        credentials: { ...creds, applicationId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab', privateKey: keyPath },
        baseUrl: BASE,
        http,
      },
    );
    const auth = http.calls[0]!.headers?.Authorization ?? '';
    expect(auth).toMatch(/^Bearer /);
    const claims = JSON.parse(Buffer.from(auth.split('.')[1]!, 'base64url').toString()) as { application_id: string };
    expect(claims.application_id).toBe('aaaaaaaa-bbbb-cccc-dddd-0123456789ab');
  });

  it('throws the mapped ProviderError on a rejected send', async () => {
    const http = fakeHttp(res(422, fixture('error-422-illegal-sender.json')));
    await expect(
      vonageAdapter.send({ to: '+14155550100', from: '+14155550101', mediaUrls: [] }, { credentials: creds, baseUrl: BASE, http }),
    ).rejects.toMatchObject({ code: ErrorCode.SENDER_INVALID, providerCode: '1120' });
  });

  it('verifies credentials against the Applications API', async () => {
    const http = fakeHttp(res(200, fixture('application.json')));
    const info = await vonageAdapter.verifyCredentials({
      credentials: { ...creds, applicationId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab' },
      baseUrl: BASE,
      http,
    });
    expect(http.calls[0]!.url).toBe('https://api.nexmo.com/v2/applications/aaaaaaaa-bbbb-cccc-dddd-0123456789ab');
    expect(info.accountLabel).toBe('a1b2c3d (application "mms-cli test app")');
  });

  it('throws AuthError AUTH_REJECTED on 401 and 403', async () => {
    for (const status of [401, 403]) {
      const http = fakeHttp(res(status, fixture('error-401.json')));
      const err = await vonageAdapter.verifyCredentials({ credentials: creds, baseUrl: BASE, http }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).code).toBe(ErrorCode.AUTH_REJECTED);
      expect(http.calls[0]!.url).toBe('https://api.nexmo.com/v2/applications?page_size=1');
    }
  });

  it('passes other verification failures through as ProviderError', async () => {
    const http = fakeHttp(res(503, ''));
    await expect(vonageAdapter.verifyCredentials({ credentials: creds, baseUrl: BASE, http })).rejects.toBeInstanceOf(ProviderError);
  });
});
