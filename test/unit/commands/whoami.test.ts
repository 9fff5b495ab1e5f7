// `mms whoami`: exit 4 when it cannot send (still printing what it knows), and one vocabulary for
// sources in text and JSON.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../../helpers/run-in-process.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const noEnv = { TWILIO_ACCOUNT_SID: undefined, TWILIO_AUTH_TOKEN: undefined, TWILIO_API_KEY: undefined, TWILIO_API_SECRET: undefined };
let root: string;
let configDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mms-whoami-'));
  configDir = join(root, 'config');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function storeProfile(secrets: Record<string, string>) {
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const profile = { provider: 'twilio', from: '+15551234567', fields: { accountSid: SID } };
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({ defaultProfile: 'work', settings: {}, profiles: { work: profile } }), { mode: 0o600 });
  writeFileSync(join(configDir, 'credentials.json'), JSON.stringify({ profiles: { work: secrets } }), { mode: 0o600 });
}

const whoami = (args: string[], env: Record<string, string | undefined> = {}) => runInProcess(['whoami', ...args], { configDir, env: { ...noEnv, ...env } });

describe('mms whoami', () => {
  it('exits 4 when not logged in, in text and JSON, and still says what it knows', async () => {
    const text = await whoami([]);
    expect(text.code).toBe(4);
    expect(text.stdout).toMatch(/^Profile +default \(default\) \(not stored\)$/m);
    expect(text.stdout).toMatch(/^Provider +twilio \(default\)$/m);
    expect(text.stderr).toContain('Not ready to send');
    const json = await whoami(['--json']);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toMatchObject({ complete: false, profile: { name: 'default', source: 'default', stored: false } });
  });

  it('exits 4 with incomplete credentials, and --verify does not call the provider', async () => {
    storeProfile({});
    const r = await whoami(['--verify', '--json'], { MMS_TWILIO_BASE_URL: 'http://127.0.0.1:9' });
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ complete: false, problems: [expect.stringContaining('Auth Token')] });
    expect(doc.verified).toBeUndefined();
  });

  it('exits 0 when complete; text and JSON use the same source words and origins', async () => {
    storeProfile({ authToken: 'a-stored-token' });
    const json = await whoami(['--json'], { TWILIO_ACCOUNT_SID: SID });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.profile).toEqual({ name: 'work', source: 'file', origin: 'config.json', stored: true });
    expect(doc.credentials).toEqual([
      expect.objectContaining({ key: 'accountSid', source: 'env', origin: 'TWILIO_ACCOUNT_SID' }),
      expect.objectContaining({ key: 'authToken', value: '********', source: 'file', origin: 'credentials.json' }),
    ]);
    expect(doc.from).toEqual({ value: '+15551234567', source: 'file', origin: 'config.json' });
    const text = await whoami([], { TWILIO_ACCOUNT_SID: SID });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Profile +work \(file: config\.json\)$/m);
    expect(text.stdout).toMatch(/^Account SID +AC01…cdef \(env: TWILIO_ACCOUNT_SID\)$/m);
    expect(text.stdout).toMatch(/^Auth Token +\*{8} \(file: credentials\.json\)$/m);
    expect(text.stdout).toMatch(/^From +\+15551234567 \(file: config\.json\)$/m);
    expect(text.stdout).toMatch(/^Base URL +https:\/\/api\.twilio\.com \(default\)$/m);
    expect(text.stdout).toMatch(new RegExp(`^Config dir +${configDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(text.stdout).not.toContain('(profile');
  });
});
