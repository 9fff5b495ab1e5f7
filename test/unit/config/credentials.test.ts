import { describe, expect, it } from 'vitest';
import { requireCredentials, resolveAccount, selectProfile, selectProvider } from '../../../src/config/credentials.js';
import { twilioAdapter } from '../../../src/providers/twilio/adapter.js';
import type { ConfigFile } from '../../../src/config/schema.js';
import { maskId, redactHeaders, redactText } from '../../../src/config/redact.js';

const SID = `AC${'1'.repeat(32)}`;
const cfg: ConfigFile = {
  defaultProfile: 'work',
  settings: {},
  profiles: { work: { provider: 'twilio', from: '+15005550006', baseUrl: 'http://127.0.0.1:1/twilio', fields: { accountSid: SID } } },
};
const creds = { profiles: { work: { authToken: 'stored-token' } } };

describe('profile and credential resolution', () => {
  it('picks --profile over MMS_PROFILE over the default', () => {
    expect(selectProfile(cfg, 'work', { MMS_PROFILE: 'x' }).source).toBe('flag');
    expect(() => selectProfile(cfg, undefined, { MMS_PROFILE: 'x' })).toThrow(/Profile "x" \(from MMS_PROFILE\) does not exist/);
    expect(selectProfile(cfg, undefined, {})).toMatchObject({ name: 'work', source: 'file' });
    expect(selectProfile({ settings: {}, profiles: {} }, undefined, {})).toMatchObject({ name: 'default', source: 'default' });
  });

  it('resolves flag > env > stored profile, and says where each value came from', () => {
    const profile = selectProfile(cfg, undefined, {});
    const provider = selectProvider(undefined, profile);
    const fromFile = resolveAccount(twilioAdapter, profile, provider, creds, {}, {});
    expect(fromFile.credentials).toEqual({ accountSid: SID, authToken: 'stored-token' });
    expect(fromFile.sources.authToken!.source).toBe('file');
    expect(fromFile.baseUrl).toMatchObject({ value: 'http://127.0.0.1:1/twilio', source: 'file' });

    const fromEnv = resolveAccount(
      twilioAdapter,
      profile,
      provider,
      creds,
      {},
      { TWILIO_AUTH_TOKEN: 'env-token', MMS_TWILIO_BASE_URL: 'http://127.0.0.1:2/twilio/' },
    );
    expect(fromEnv.credentials.authToken).toBe('env-token');
    expect(fromEnv.sources.authToken).toMatchObject({ source: 'env', origin: 'TWILIO_AUTH_TOKEN' });
    expect(fromEnv.baseUrl.value).toBe('http://127.0.0.1:2/twilio');

    const fromFlag = resolveAccount(
      twilioAdapter,
      profile,
      provider,
      creds,
      { from: '+15557770001', credentials: { authToken: 'flag-token' } },
      { TWILIO_AUTH_TOKEN: 'env-token' },
    );
    expect(fromFlag.credentials.authToken).toBe('flag-token');
    expect(fromFlag.from).toMatchObject({ value: '+15557770001', source: 'flag' });
  });

  it('ignores stored values of a profile for another provider', () => {
    const other: ConfigFile = { settings: {}, profiles: { t: { provider: 'telnyx', fields: { accountSid: SID } } } };
    const profile = selectProfile(other, 't', {});
    const acct = resolveAccount(twilioAdapter, profile, { value: 'twilio', source: 'flag' }, { profiles: { t: { authToken: 'x' } } }, {}, {});
    expect(acct.credentials).toEqual({});
  });

  it('throws AUTH_MISSING (exit 4) with a login suggestion when credentials are missing', () => {
    const profile = selectProfile({ settings: {}, profiles: {} }, undefined, {});
    const acct = resolveAccount(twilioAdapter, profile, { value: 'twilio', source: 'default' }, { profiles: {} }, {}, {});
    expect(() => requireCredentials(twilioAdapter, acct)).toThrowError(
      expect.objectContaining({ code: 'AUTH_MISSING', exitCode: 4, suggestion: expect.stringContaining('mms login --provider twilio') }),
    );
  });
});

describe('redaction', () => {
  it('masks authorization headers, secrets in text and URL userinfo', () => {
    expect(redactHeaders({ Authorization: 'Basic abc', Accept: 'x' })).toEqual({ Authorization: 'Basic [REDACTED]', Accept: 'x' });
    expect(redactText('token=s3cr3t-value and https://u:p@h.example/x', ['s3cr3t-value'])).toBe('token=[REDACTED] and https://[REDACTED]@h.example/x');
    expect(maskId(SID)).toBe('AC11…1111');
  });
});
