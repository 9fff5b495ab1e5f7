// `mms config set` checks every value at set time; profile names that are Object.prototype keys are
// ordinary names; names `mms login` refuses are refused everywhere.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../../helpers/run-in-process.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
let root: string;
let configDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mms-cfg-'));
  configDir = join(root, 'config');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Stores profiles directly (as `mms login` would), without a provider call. */
function storeProfiles(names: string[], defaultProfile = names[0]) {
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const profiles: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const n of names) {
    Object.defineProperty(profiles, n, { value: { provider: 'twilio', fields: { accountSid: SID } }, enumerable: true });
    Object.defineProperty(secrets, n, { value: { authToken: `token-for-${n}` }, enumerable: true });
  }
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({ defaultProfile, settings: {}, profiles }), { mode: 0o600 });
  writeFileSync(join(configDir, 'credentials.json'), JSON.stringify({ profiles: secrets }), { mode: 0o600 });
}

const mms = (args: string[], env: Record<string, string> = {}) => runInProcess(args, { configDir, env });
const config = () => JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { defaultProfile?: string; settings: Record<string, unknown> };

describe('mms config set validates at set time', () => {
  beforeEach(() => storeProfiles(['default']));

  it.each([
    [['default-country', 'ZZ'], /^Error: Invalid default-country "ZZ": expected a two-letter ISO 3166 country code such as US, GB or DE$/m],
    [['default-country', 'usa'], /Invalid default-country "usa"/],
    [['from', '+1'], /^Error: Invalid from "\+1": expected an E\.164 number such as \+15551234567/m],
    [['from', 'not a sender!'], /Invalid from "not a sender!"/],
    [['base-url', 'http:///a'], /^Error: Invalid base-url "http:\/\/\/a": expected an http\(s\) URL .*has no host/m],
    [['base-url', 'file:///etc/passwd'], /Invalid base-url "file:\/\/\/etc\/passwd": expected an http\(s\) URL .*only http\(s\) URLs/],
    [['base-url', 'https://user:pw@example.com'], /Invalid base-url .*embedded credentials/],
    [['fit', 'atuo'], /^Error: Invalid fit "atuo": expected auto or off\nDid you mean "auto"\?$/m],
    [['default-profile', '../x'], /Invalid default-profile "\.\.\/x": expected a profile name/],
  ])('refuses %j with one line naming key, value and form (exit 2), and stores nothing', async (args, message) => {
    const before = readFileSync(join(configDir, 'config.json'), 'utf8');
    const r = await mms(['config', 'set', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')[0]).toMatch(/^Error: /);
    expect(readFileSync(join(configDir, 'config.json'), 'utf8')).toBe(before);
  });

  it('unknown keys and profiles get a did-you-mean', async () => {
    const key = await mms(['config', 'set', 'defualt-country', 'GB']);
    expect(key.code).toBe(2);
    expect(key.stderr).toContain('Unknown config key "defualt-country"');
    expect(key.stderr).toContain('Did you mean "default-country"?');
    const get = await mms(['config', 'get', 'fti', '--json']);
    expect(JSON.parse(get.stdout).error).toMatchObject({ code: 'CONFIG_KEY_UNKNOWN', suggestion: expect.stringContaining('Did you mean "fit"?') });
    const profile = await mms(['config', 'set', 'default-profile', 'defualt']);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toContain('Did you mean "default"?');
  });

  it('accepts and normalises good values; fit is off until set', async () => {
    expect((await mms(['config', 'get', 'fit'])).stdout).toBe('off\n');
    for (const [k, v] of [
      ['default-country', 'gb'],
      ['from', '+15551234567'],
      ['base-url', 'https://api.example.com/'],
      ['fit', 'AUTO'],
    ] as const) {
      const r = await mms(['config', 'set', k, v]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(config().settings).toEqual({ defaultCountry: 'GB', fit: 'auto' });
    const list = JSON.parse((await mms(['config', 'list', '--json'])).stdout) as { settings: Array<{ key: string; value: string | null }> };
    expect(list.settings).toContainEqual({ key: 'fit', value: 'auto' });
    expect(list.settings).toContainEqual({ key: 'base-url', value: 'https://api.example.com' });
    expect((await mms(['config', 'set', 'fit', ''])).code).toBe(0);
    expect(config().settings).toEqual({ defaultCountry: 'GB' });
  });
});

describe('did-you-mean for values', () => {
  it('suggests the provider and the profile meant', async () => {
    storeProfiles(['default', 'staging']);
    const provider = await mms(['whoami', '--provider', 'twilo']);
    expect(provider.code).toBe(2);
    expect(provider.stderr).toContain('Error: Unknown provider "twilo" (--provider)\nDid you mean "twilio"? Run `mms providers` to list them');
    const profile = await mms(['whoami', '--profile', 'stagng']);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toContain('Did you mean "staging"? Use one of: default, staging');
  });
});

describe('profile names', () => {
  const protoNames = ['constructor', 'toString', 'hasOwnProperty', 'valueOf'];

  it('that are Object.prototype keys do not exist until created', async () => {
    storeProfiles(['default']);
    for (const name of protoNames) {
      const who = await mms(['whoami', '--profile', name]);
      expect(who.code, who.stderr).toBe(2);
      expect(who.stderr).toContain(`Profile "${name}" (from --profile) does not exist`);
      const out = await mms(['logout', '--profile', name]);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(`Profile "${name}" does not exist`);
      expect((await mms(['profiles', 'use', name])).code).toBe(2);
      expect((await mms(['config', 'set', 'default-profile', name])).code).toBe(2);
      expect((await mms(['config', 'set', 'from', '+15551234567', '--profile', name])).code).toBe(2);
    }
  });

  it('that are Object.prototype keys work like any other name once stored', async () => {
    storeProfiles(protoNames, 'toString');
    const list = JSON.parse((await mms(['profiles', '--json'])).stdout) as Array<{ name: string; isDefault: boolean }>;
    expect(list.map((p) => p.name)).toEqual(protoNames);
    const who = await mms(['whoami', '--json', '--profile', 'constructor'], { TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' });
    expect(JSON.parse(who.stdout).profile).toMatchObject({ name: 'constructor', stored: true });
    expect((await mms(['config', 'set', 'from', '+15551234567', '--profile', 'hasOwnProperty'])).code).toBe(0);
    expect((await mms(['config', 'get', 'from', '--profile', 'hasOwnProperty'])).stdout).toBe('+15551234567\n');
    expect((await mms(['config', 'set', 'default-profile', 'valueOf'])).code).toBe(0);
    expect(config().defaultProfile).toBe('valueOf');
    expect((await mms(['logout', '--profile', 'constructor'])).code).toBe(0);
    const creds = readFileSync(join(configDir, 'credentials.json'), 'utf8');
    expect(creds).not.toContain('token-for-constructor');
    expect(creds).toContain('token-for-toString');
  });

  it('that login refuses are refused by --profile, MMS_PROFILE, logout, profiles and config', async () => {
    storeProfiles(['default']);
    for (const bad of ['../x', '__proto__', '.x', 'a/b', 'x'.repeat(41)]) {
      for (const [args, env, origin] of [
        [['whoami', '--profile', bad], {}, '--profile'],
        [['whoami'], { MMS_PROFILE: bad }, 'MMS_PROFILE'],
        [['send', '--to', '+15551234567', '--body', 'x', '--dry-run'], { MMS_PROFILE: bad }, 'MMS_PROFILE'],
        [['logout', '--profile', bad], {}, '--profile'],
        [['logout'], { MMS_PROFILE: bad }, 'MMS_PROFILE'],
        [['config', 'get', 'from', '--profile', bad], {}, '--profile'],
        [['config', 'set', 'from', '+15551234567'], { MMS_PROFILE: bad }, 'MMS_PROFILE'],
        [['profiles', 'remove', bad], {}, 'Profile'],
        [['login', '--provider', 'twilio', '--profile', bad, '--account-sid', SID, '--auth-token-stdin'], {}, '--profile'],
      ] as const) {
        const r = await mms([...args], env);
        expect(r.code, `${args.join(' ')} ${JSON.stringify(env)}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(`Error: ${origin} ${JSON.stringify(bad)} is not a valid profile name`);
      }
    }
    expect(JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')).profiles).toHaveProperty('default');
  });
});

describe('mms profiles as a table', () => {
  beforeEach(() => storeProfiles(['default', 'staging']));

  it('piped: tab-separated rows and no header; on a terminal: a header row and aligned columns', async () => {
    const piped = await mms(['profiles']);
    expect(piped.code).toBe(0);
    const rows = piped.stdout.trim().split('\n');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.split('\t').slice(0, 3)).toEqual(['*', 'default', 'twilio']);
    const tty = await runInProcess(['profiles'], { configDir, tty: true });
    const lines = tty.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\s+PROFILE\s+PROVIDER\s+ACCOUNT\s+FROM\s+BASE URL$/);
    // Aligned: the provider column starts at the same place on every line.
    const at = lines.map((l) => l.search(/PROVIDER|twilio/));
    expect(new Set(at).size).toBe(1);
  });
});
