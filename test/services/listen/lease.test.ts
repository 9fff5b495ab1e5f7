// The inbound lease with a fake adapter (no network): the restore file exists before the provider
// changes anything, release() puts the number back once, and a failed restore keeps the file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../../../src/errors/errors.js';
import type { InboundRestoreState, ProviderAdapter, ProviderCallContext } from '../../../src/providers/types.js';
import { createInboundLease, restoreLeftovers, webhookCredentialsOf } from '../../../src/services/listen/lease.js';
import type { ListenNotice } from '../../../src/services/listen/types.js';
import { restoreFilePath } from '../../../src/webhook/restore-file.js';

describe('webhookCredentialsOf', () => {
  it('takes the string values of data.webhookCredentials, nothing else', () => {
    const state = (data: Record<string, unknown>) => ({ provider: 'bandwidth' as const, number: '+15557770042', description: 'x', data });
    expect(webhookCredentialsOf(state({ webhookCredentials: { callbackUsername: 'u', callbackPassword: 'p', n: 1, empty: '' } }))).toEqual({
      callbackUsername: 'u',
      callbackPassword: 'p',
    });
    expect(webhookCredentialsOf(state({}))).toEqual({});
    expect(webhookCredentialsOf(state({ webhookCredentials: ['u', 'p'] }))).toEqual({});
  });
});

const NUMBER = '+15557770042';
let root: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mms-lease-'));
  env = { MMS_CONFIG_DIR: root };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const ctx = { credentials: {}, baseUrl: 'http://127.0.0.1:1/twilio', http: {} as ProviderCallContext['http'] };

/** A fake adapter that records what happened, in order; `data` is the restore state's data. */
function fakeAdapter(opts: { data?: Record<string, unknown>; callsBeforeChange?: boolean; failRestore?: boolean } = {}) {
  const log: string[] = [];
  const adapter = {
    name: 'twilio',
    async configureInbound(number: string, url: string, _ctx: ProviderCallContext, hooks?: { beforeChange?(s: InboundRestoreState): Promise<void> }) {
      const state: InboundRestoreState = { provider: 'twilio', number, description: 'SmsUrl of PN1 (was empty)', data: opts.data ?? { smsUrl: '' } };
      if (opts.callsBeforeChange !== false) await hooks?.beforeChange?.(state);
      log.push(`changed (restore file ${existsSync(restoreFilePath(env, 'twilio', number)) ? 'present' : 'absent'}) → ${url}`);
      return state;
    },
    restoreInbound(state: InboundRestoreState) {
      log.push(`restore ${state.number}`);
      return opts.failRestore ? Promise.reject(new Error('API down')) : Promise.resolve();
    },
  } as unknown as ProviderAdapter;
  return { adapter, log };
}

function lease(adapter: ProviderAdapter, notices: ListenNotice[]) {
  return createInboundLease({
    adapter,
    number: NUMBER,
    callContext: ctx,
    cleanupContext: () => ctx,
    profile: 'work',
    env,
    notice: (n) => void notices.push(n),
  });
}

describe('createInboundLease', () => {
  it('writes the restore file before the change, restores once, and removes the file', async () => {
    const { adapter, log } = fakeAdapter();
    const notices: ListenNotice[] = [];
    const l = lease(adapter, notices);
    expect(await l.point('https://x.example/in')).toEqual({ configured: true, webhookCredentials: {} });
    const file = restoreFilePath(env, 'twilio', NUMBER);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      version: 1,
      provider: 'twilio',
      number: NUMBER,
      profile: 'work',
      baseUrl: ctx.baseUrl,
      pid: process.pid,
    });
    expect(await l.release()).toBeUndefined();
    expect(await l.release()).toBeUndefined();
    expect(log).toEqual(['changed (restore file present) → https://x.example/in', `restore ${NUMBER}`]);
    expect(existsSync(file)).toBe(false);
    expect(notices.map((n) => n.type)).toEqual(['number-pointed', 'number-restored']);
  });

  it('records the change right after it when the adapter does not call beforeChange', async () => {
    const { adapter, log } = fakeAdapter({ callsBeforeChange: false });
    const l = lease(adapter, []);
    await l.point('https://x.example/in');
    expect(log).toEqual(['changed (restore file absent) → https://x.example/in']);
    expect(existsSync(restoreFilePath(env, 'twilio', NUMBER))).toBe(true);
    await l.release();
    expect(existsSync(restoreFilePath(env, 'twilio', NUMBER))).toBe(false);
  });

  it('a manual change (nothing changed through the API): no restore file, a reminder at the end, its webhook credentials', async () => {
    const { adapter, log } = fakeAdapter({ data: { manual: true, webhookCredentials: { webhookSecret: 's' } }, callsBeforeChange: false });
    const notices: ListenNotice[] = [];
    const l = lease(adapter, notices);
    expect(await l.point('https://x.example/in')).toEqual({ configured: false, webhookCredentials: { webhookSecret: 's' } });
    expect(existsSync(restoreFilePath(env, 'twilio', NUMBER))).toBe(false);
    await l.release();
    expect(log).toHaveLength(1);
    expect(notices).toEqual([
      { type: 'manual-action', description: 'SmsUrl of PN1 (was empty)' },
      { type: 'manual-reminder', number: NUMBER },
    ]);
  });

  it('a failed restore resolves with an error that says how to retry, and keeps the restore file for --restore', async () => {
    const { adapter } = fakeAdapter({ failRestore: true });
    const l = lease(adapter, []);
    await l.point('https://x.example/in');
    const err = await l.release();
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ exitCode: 7, message: `Could not restore the inbound webhook of ${NUMBER}: API down` });
    expect(err!.suggestion).toContain(`mms listen --restore --number ${NUMBER}`);
    expect(existsSync(restoreFilePath(env, 'twilio', NUMBER))).toBe(true);
  });

  it('release() before point() changes nothing', async () => {
    const { adapter, log } = fakeAdapter();
    expect(await lease(adapter, []).release()).toBeUndefined();
    expect(log).toEqual([]);
  });
});

describe('restoreLeftovers', () => {
  it('restores what a killed run left (its own pid counts as gone), reports failures, and skips other numbers', async () => {
    const ok = fakeAdapter();
    await lease(ok.adapter, []).point('https://x.example/in');
    const out = await restoreLeftovers({ number: NUMBER }, { env, loadAccount: () => Promise.resolve({ adapter: ok.adapter, cleanupContext: () => ctx }) });
    expect(out).toEqual({ restored: [{ provider: 'twilio', number: NUMBER, description: 'SmsUrl of PN1 (was empty)' }], skipped: [], failed: [] });
    expect(existsSync(restoreFilePath(env, 'twilio', NUMBER))).toBe(false);

    const bad = fakeAdapter({ failRestore: true });
    await lease(bad.adapter, []).point('https://x.example/in');
    expect(
      await restoreLeftovers({ number: '+15550000000' }, { env, loadAccount: () => Promise.resolve({ adapter: bad.adapter, cleanupContext: () => ctx }) }),
    ).toEqual({
      restored: [],
      skipped: [],
      failed: [],
    });
    const failed = await restoreLeftovers({}, { env, loadAccount: () => Promise.resolve({ adapter: bad.adapter, cleanupContext: () => ctx }) });
    expect(failed.failed).toMatchObject([{ provider: 'twilio', number: NUMBER, error: { code: 'INTERNAL', message: 'API down' } }]);
    expect(existsSync(restoreFilePath(env, 'twilio', NUMBER))).toBe(true);
  });
});
