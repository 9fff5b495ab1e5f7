// A re-pointed number (the tunnel came back at a new URL) replaces the run's own restore file: the
// new record is complete, the mode stays 0600, no temporary file is left behind, and `--restore`
// still reads it.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRestoreFile, listRestoreFiles, replaceRestoreFile, type RestoreRecord } from '../../../src/webhook/restore-file.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

const record = (description: string): RestoreRecord => ({
  version: 1,
  provider: 'bandwidth',
  number: '+15551234567',
  baseUrl: 'https://dashboard.bandwidth.com',
  pid: process.pid,
  createdAt: '2026-12-01T12:00:00.000Z',
  state: { provider: 'bandwidth', number: '+15551234567', description, data: { temporaryApplicationId: description } },
});

describe('replaceRestoreFile', () => {
  it('swaps the record atomically, keeps 0600, leaves no temporary file', async () => {
    root = mkdtempSync(join(tmpdir(), 'mms-restore-'));
    const env = { MMS_CONFIG_DIR: join(root, 'config') };
    const path = await createRestoreFile(env, record('app-1'));
    await replaceRestoreFile(path, record('app-2'));
    const [entry, ...rest] = await listRestoreFiles(env);
    expect(rest).toEqual([]);
    expect(entry?.record?.state).toMatchObject({ description: 'app-2', data: { temporaryApplicationId: 'app-2' } });
    expect(entry?.record?.pid).toBe(process.pid);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(env.MMS_CONFIG_DIR, 'listen-restore'))).toEqual(['bandwidth-15551234567.json']);
  });
});
