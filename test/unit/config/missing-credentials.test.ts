// Every provider's "missing credentials" message: it names the variables that suffice (from the
// descriptor), and setting exactly those variables makes the credentials usable.
import { describe, expect, it } from 'vitest';
import { credentialsProblem, requireCredentials, resolveAccount, selectProfile } from '../../../src/config/credentials.js';
import { getAdapter, PROVIDER_NAMES } from '../../../src/providers/registry.js';
import { credentialSets, envName } from '../../../src/providers/descriptor.js';
import type { ProviderName } from '../../../src/providers/types.js';

const HINTS: Partial<Record<ProviderName, string>> = {
  twilio: 'Run `mms login --provider twilio`, or set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET)',
  telnyx: 'Run `mms login --provider telnyx`, or set TELNYX_API_KEY',
  plivo: 'Run `mms login --provider plivo`, or set PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN',
  vonage: 'Run `mms login --provider vonage`, or set VONAGE_API_KEY and VONAGE_API_SECRET',
  bandwidth: 'Run `mms login --provider bandwidth`, or set BW_ACCOUNT_ID, BW_MESSAGING_APPLICATION_ID, BW_CLIENT_ID and BW_CLIENT_SECRET',
  sinch: 'Run `mms login --provider sinch`, or set SINCH_SERVICE_PLAN_ID and SINCH_API_TOKEN',
};

/** Values that pass each field's pattern (other variables get 'secret-value'). */
const SAMPLES: Record<string, string> = {
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_API_KEY: `SK${'b'.repeat(32)}`,
  PLIVO_AUTH_ID: `MA${'A'.repeat(18)}`,
  VONAGE_API_KEY: 'abc12345',
  BW_ACCOUNT_ID: '9900000',
  BW_MESSAGING_APPLICATION_ID: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
  SINCH_SERVICE_PLAN_ID: 'plan12345',
};

async function accountFor(name: ProviderName, env: NodeJS.ProcessEnv, profileName?: string) {
  const adapter = await getAdapter(name);
  const cfg = { settings: {}, profiles: profileName ? { [profileName]: { provider: name, fields: {} } } : {} };
  const profile = selectProfile(cfg, profileName, {});
  return { adapter, account: resolveAccount(adapter, profile, { value: name, source: 'flag' }, { profiles: {} }, {}, env) };
}

describe('missing credentials', () => {
  it.each(Object.entries(HINTS) as Array<[ProviderName, string]>)('%s: names the login command and the variables that suffice (exit 4)', async (name, hint) => {
    const { adapter, account } = await accountFor(name, {});
    const err = credentialsProblem(adapter, account);
    expect(err).toMatchObject({ code: 'AUTH_MISSING', exitCode: 4, message: `No ${adapter.displayName} credentials found (profile "default")` });
    expect(err?.suggestion).toBe(hint);
    expect(() => requireCredentials(adapter, account)).toThrow(err!.message);
  });

  it.each(PROVIDER_NAMES.map((n) => [n]))('%s: each set of variables the hint names is enough on its own', async (name) => {
    const { descriptor } = await getAdapter(name);
    for (const set of credentialSets(descriptor)) {
      const env = Object.fromEntries(set.map((key) => [envName(descriptor, key), SAMPLES[envName(descriptor, key)] ?? 'secret-value']));
      const { adapter, account } = await accountFor(name, env);
      expect(credentialsProblem(adapter, account), `${name} with ${Object.keys(env).join(', ')}`).toBeUndefined();
    }
  });

  it('names the profile and says what is incomplete', async () => {
    const { adapter, account } = await accountFor('twilio', { TWILIO_ACCOUNT_SID: SAMPLES.TWILIO_ACCOUNT_SID, TWILIO_API_KEY: SAMPLES.TWILIO_API_KEY }, 'work');
    const err = credentialsProblem(adapter, account);
    expect(err?.message).toBe(
      'Twilio credentials are incomplete (profile "work"): API Key SID is set but its secret is missing; Auth Token (or an API Key SID and secret) is missing',
    );
    expect(err?.suggestion).toMatch(/^Run `mms login --provider twilio --profile work`, or set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
  });

  it('bandwidth: an incomplete pair of callback credentials is reported as such', async () => {
    const env = {
      BW_ACCOUNT_ID: '9900000',
      BW_MESSAGING_APPLICATION_ID: SAMPLES.BW_MESSAGING_APPLICATION_ID,
      BW_CLIENT_ID: 'id',
      BW_CLIENT_SECRET: 's',
      BW_CALLBACK_PASSWORD: 'p',
    };
    const { adapter, account } = await accountFor('bandwidth', env);
    expect(credentialsProblem(adapter, account)?.message).toMatch(/Set both the callback user id and password, or neither/);
  });
});
