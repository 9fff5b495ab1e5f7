// A config directory or file found with a looser mode than 0700/0600 is made private again, with one
// warning line; a private one is left alone and says nothing.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/config/store.js';

const posix = process.platform !== 'win32';
let root: string;
let dir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mms-perm-'));
  dir = join(root, 'config');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const mode = (p: string) => statSync(p).mode & 0o777;

describe.runIf(posix)('config file modes', () => {
  it('fixes a 0755 directory and 0644 files on first use, with one warning line', () => {
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'config.json'), '{"profiles":{}}');
    writeFileSync(join(dir, 'credentials.json'), '{"profiles":{}}');
    chmodSync(join(dir, 'config.json'), 0o644);
    chmodSync(join(dir, 'credentials.json'), 0o644);
    const warnings: string[] = [];
    const store = openStore({ MMS_CONFIG_DIR: dir }, { warn: (l) => warnings.push(l) });
    store.readConfig();
    store.readCredentials();
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'config.json'))).toBe(0o600);
    expect(mode(join(dir, 'credentials.json'))).toBe(0o600);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toContain('\n');
    expect(warnings[0]).toMatch(
      /^Warning: config files were readable by other users; made private: .*config 0755 → 0700, .*config\.json 0644 → 0600, .*credentials\.json 0644 → 0600\.$/,
    );
  });

  it('says nothing when everything is private or absent', () => {
    const warnings: string[] = [];
    const absent = openStore({ MMS_CONFIG_DIR: dir }, { warn: (l) => warnings.push(l) });
    absent.readConfig();
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'credentials.json'), '{}', { mode: 0o600 });
    openStore({ MMS_CONFIG_DIR: dir }, { warn: (l) => warnings.push(l) }).readCredentials();
    expect(warnings).toEqual([]);
  });

  it('a group-writable file written by conf is fixed before the write', async () => {
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'credentials.json'), '{"profiles":{}}');
    chmodSync(join(dir, 'credentials.json'), 0o660);
    const warnings: string[] = [];
    await openStore({ MMS_CONFIG_DIR: dir }, { warn: (l) => warnings.push(l) }).writeCredentials({ profiles: { a: { authToken: 'x' } } });
    expect(mode(join(dir, 'credentials.json'))).toBe(0o600);
    expect(warnings).toHaveLength(1);
  });
});
