import { describe, expect, it } from 'vitest';
import { LOGIN_FLAGS, availableProviders, getAdapter } from '../../../src/providers/registry.js';

describe('provider registry', () => {
  it('has an adapter for every provider', () => {
    expect(availableProviders()).toEqual(['twilio', 'telnyx', 'plivo', 'vonage', 'bandwidth', 'sinch']);
  });

  it('declares a login flag for every credential field of every adapter, and no others', async () => {
    const expected = new Set<string>();
    for (const name of availableProviders()) {
      const a = await getAdapter(name);
      expect(a.name).toBe(name);
      for (const f of a.credentialFields) expected.add(`${f.flag}|${f.secret}|${name}`);
    }
    const declared = new Set(LOGIN_FLAGS.flatMap((f) => f.providers.map((p) => `${f.name}|${f.secret}|${p}`)));
    expect(declared).toEqual(expected);
  });

  it('rejects unknown providers with a ConfigError naming the choices', async () => {
    await expect(getAdapter('nope')).rejects.toMatchObject({ code: 'PROVIDER_UNKNOWN', exitCode: 2 });
  });
});
