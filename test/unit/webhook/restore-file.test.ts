import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRestoreFile,
  isRestoreOwnerAlive,
  restoreConflictError,
  listRestoreFiles,
  parseRestoreRecord,
  removeRestoreFile,
  restoreDir,
  restoreFileName,
  restoreFilePath,
  type RestoreRecord,
} from '../../../src/webhook/restore-file.js';
import { ConfigError } from '../../../src/errors/errors.js';
import { currentProcessIdentity, type ProcessIdentityReader } from '../../../src/core/process-identity.js';

const record = (over: Partial<RestoreRecord> = {}): RestoreRecord => ({
  version: 1,
  provider: 'twilio',
  number: '+15557770001',
  baseUrl: 'https://api.twilio.com',
  pid: process.pid,
  createdAt: '2025-01-01T00:00:00.000Z',
  state: { provider: 'twilio', number: '+15557770001', description: 'SmsUrl of PN… (was empty)', data: { sid: 'PN1', smsUrl: '' } },
  ...over,
});

let root: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mms-restore-'));
  env = { MMS_CONFIG_DIR: join(root, 'cfg') };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('restoreFileName', () => {
  it('is provider-digits.json, whatever the input contains', () => {
    expect(restoreFileName('twilio', '+15557770001')).toBe('twilio-15557770001.json');
    expect(restoreFileName('../../etc', '+1/../../passwd')).toBe('etc-1.json');
    expect(restoreFileName('', '')).toBe('provider-number.json');
    expect(restoreFilePath(env, 'twilio', '+1555')).toBe(join(root, 'cfg', 'listen-restore', 'twilio-1555.json'));
  });
});

describe('parseRestoreRecord', () => {
  it('accepts a valid record and rejects broken ones with a reason', () => {
    expect(parseRestoreRecord(JSON.parse(JSON.stringify(record({ profile: 'work' }))))).toEqual(record({ profile: 'work' }));
    expect(parseRestoreRecord(null)).toBe('not a JSON object');
    expect(parseRestoreRecord({ ...record(), version: 2 })).toMatch(/unsupported version/);
    expect(parseRestoreRecord({ ...record(), provider: 'nope' })).toBe('unknown provider');
    expect(parseRestoreRecord({ ...record(), state: { ...record().state, number: '+1999' } })).toBe('no usable restore state');
  });
});

describe('createRestoreFile / listRestoreFiles / removeRestoreFile', () => {
  it('writes 0600 in a 0700 directory, lists it, and removes it', async () => {
    const path = await createRestoreFile(env, record());
    expect(path).toBe(restoreFilePath(env, 'twilio', '+15557770001'));
    if (process.platform !== 'win32') {
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(restoreDir(env)).mode & 0o777).toBe(0o700);
    }
    // The file also records this process's start time and boot (where /proc has them), against pid reuse.
    const written = { ...record(), ...currentProcessIdentity(), pid: process.pid };
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(written);
    const listed = await listRestoreFiles(env);
    expect(listed).toEqual([{ path, record: written }]);
    await removeRestoreFile(path);
    await removeRestoreFile(path);
    expect(await listRestoreFiles(env)).toEqual([]);
  });

  it('never overwrites: a second listener for the same number gets a ConfigError naming the fix', async () => {
    await createRestoreFile(env, record({ pid: 2 ** 30 }));
    const err = await createRestoreFile(env, record()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).suggestion).toContain('mms listen --restore --number +15557770001');
    // The first record is untouched.
    expect(JSON.parse(readFileSync(restoreFilePath(env, 'twilio', '+15557770001'), 'utf8')).pid).toBe(2 ** 30);
  });

  it('says so when the other listener is still running', async () => {
    await createRestoreFile(env, record({ pid: process.ppid }));
    await expect(createRestoreFile(env, record())).rejects.toThrow(/Another mms listen \(pid \d+/);
  });

  it('lists unreadable files with a reason instead of failing', async () => {
    await createRestoreFile(env, record());
    writeFileSync(join(restoreDir(env), 'twilio-1.json'), '{not json');
    const listed = await listRestoreFiles(env);
    expect(listed.map((e) => e.error ?? 'ok')).toEqual(['not valid JSON', 'ok']);
  });
});

describe('a listener that is gone, even when its pid was reused', () => {
  /** A machine where pid 4242 runs, started at tick 9999, in boot "boot-1". */
  const machine: ProcessIdentityReader = {
    isAlive: (pid) => pid === 4242 || pid === process.pid,
    startTime: (pid) => (pid === 4242 ? '9999' : '5'),
    bootId: () => 'boot-1',
  };

  it('is recognised by its start time, so the conflict says to restore rather than to stop a listener', async () => {
    await createRestoreFile(env, record({ pid: 4242, startTime: '1000', bootId: 'boot-1' }));
    const path = restoreFilePath(env, 'twilio', '+15557770001');
    expect((await restoreConflictError(path, '+15557770001', machine)).message).toMatch(/did not put its webhook back/);
    await expect(createRestoreFile(env, record(), machine)).rejects.toThrow(/did not put its webhook back/);
    // The same process still running: it is another listener.
    expect((await restoreConflictError(path, '+15557770001', { ...machine, startTime: () => '1000' })).message).toMatch(/^Another mms listen \(pid 4242/);
  });

  it('isRestoreOwnerAlive: start time, boot, and the pid alone for older files', () => {
    expect(isRestoreOwnerAlive({ pid: 4242, startTime: '1000' }, machine)).toBe(false);
    expect(isRestoreOwnerAlive({ pid: 4242, startTime: '9999' }, machine)).toBe(true);
    expect(isRestoreOwnerAlive({ pid: 4242, startTime: '9999', bootId: 'boot-0' }, machine)).toBe(false);
    expect(isRestoreOwnerAlive({ pid: 4242 }, machine)).toBe(true);
    expect(isRestoreOwnerAlive({ pid: 4243 }, machine)).toBe(false);
  });

  it('records what it reads, and keeps the identity fields through parsing', async () => {
    const path = await createRestoreFile(env, record(), machine);
    const listed = await listRestoreFiles(env);
    expect(listed).toEqual([{ path, record: { ...record(), startTime: '5', bootId: 'boot-1' } }]);
    expect(parseRestoreRecord({ ...record(), startTime: 5, bootId: null })).toEqual(record());
  });
});
