import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOGIN_FLAGS, PROVIDER_NAMES, allDescriptors, availableProviders, getAdapter, getDescriptor } from '../../../src/providers/registry.js';

/** The providers of the first release; a seventh must not change what they declare. */
const SIX: string[] = ['twilio', 'telnyx', 'plivo', 'vonage', 'bandwidth', 'sinch'];

describe('provider registry', () => {
  it('has an adapter for every provider', () => {
    // A seventh provider goes after these (registry order is the order users see).
    expect(availableProviders().slice(0, SIX.length)).toEqual(SIX);
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

  it('keeps the login flags `mms login --help` has always listed, in order', () => {
    const ofSix = LOGIN_FLAGS.map((f) => ({ ...f, providers: f.providers.filter((p) => SIX.includes(p)) })).filter((f) => f.providers.length > 0);
    expect(ofSix.map((f) => `${f.name}${f.secret ? '-stdin' : ''} ${f.label} (${f.providers.join(', ')})`)).toEqual([
      'account-sid Account SID (twilio)',
      'auth-token-stdin Auth Token (twilio, plivo)',
      'api-key API Key SID (twilio, vonage)',
      'api-secret-stdin API Key Secret (twilio, vonage)',
      'api-key-stdin API Key (telnyx)',
      'public-key Public Key (webhook verification) (telnyx)',
      'auth-id Auth ID (plivo)',
      'application-id Application ID (vonage, bandwidth)',
      'private-key-stdin Application private key (PEM or file path) (vonage)',
      'signature-secret-stdin Signature secret (signed webhooks) (vonage)',
      'account-id Account ID (bandwidth)',
      'client-id OAuth client ID (bandwidth)',
      'client-secret-stdin OAuth client secret (bandwidth)',
      'token-url OAuth token URL (override) (bandwidth)',
      'callback-username Callback user id (bandwidth)',
      'callback-password-stdin Callback password (bandwidth)',
      'service-plan-id Service plan ID (sinch)',
      'api-token-stdin API token (sinch)',
      'region Region (us, eu, br, ca, au) (sinch)',
      'webhook-secret-stdin Webhook signing secret (sinch)',
    ]);
  });

  it('gives every adapter its descriptor, under the name it is registered as', async () => {
    expect(allDescriptors().map((d) => d.name)).toEqual([...PROVIDER_NAMES]);
    for (const name of PROVIDER_NAMES) {
      const a = await getAdapter(name);
      const d = getDescriptor(name);
      expect(a.descriptor).toBe(d);
      const facts = (x: typeof a | typeof d) => ({
        name: x.name,
        displayName: x.displayName,
        defaultBaseUrl: x.defaultBaseUrl,
        capabilities: x.capabilities,
        credentialFields: x.credentialFields,
      });
      expect(facts(a)).toEqual(facts(d));
      expect(a.messageLogDelayMs).toBe(d.messageLogDelayMs);
    }
  });

  it('declares consistent facts: credential sets, webhook secrets and hints name real fields', () => {
    for (const d of allDescriptors()) {
      const keys = new Set(d.credentialFields.map((f) => f.key));
      for (const set of d.credentialSets ?? []) for (const k of set) expect(keys, `${d.name} credentialSets`).toContain(k);
      for (const k of d.webhookSecret?.keys ?? []) expect(keys, `${d.name} webhookSecret`).toContain(k);
      for (const f of d.credentialFields) expect(f.env.length, `${d.name}.${f.key} env`).toBeGreaterThan(0);
    }
  });

  it('keeps descriptors tiny: they import only the error codes and the descriptor helpers', () => {
    const root = new URL('../../../src/providers/', import.meta.url);
    const dirs = readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(dirs.sort()).toEqual([...PROVIDER_NAMES].sort());
    for (const dir of dirs) {
      const src = readFileSync(new URL(`${dir}/descriptor.ts`, root), 'utf8');
      const imports = [...src.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
      for (const i of imports) expect(['../../errors/errors.js', '../descriptor.js'], `${dir}/descriptor.ts imports ${i}`).toContain(i);
    }
  });

  it('rejects unknown providers with a ConfigError naming the choices', async () => {
    await expect(getAdapter('nope')).rejects.toMatchObject({ code: 'PROVIDER_UNKNOWN', exitCode: 2 });
    expect(() => getDescriptor('constructor')).toThrow(/Unknown or unsupported provider "constructor"/);
  });
});
