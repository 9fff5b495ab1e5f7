// settings.json: restored per account, written only when the content changes, bounded (a state over
// the limit is not written, with one warning), and a damaged or oversized file is set aside.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OptOutBook } from '../../../src/sandbox/carrier.js';
import { persistSettings } from '../../../src/sandbox/persist-settings.js';
import { MessageStore } from '../../../src/sandbox/store.js';
import type { SandboxDialect } from '../../../src/sandbox/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function file(): string {
  const d = mkdtempSync(join(tmpdir(), 'mms-settings-'));
  dirs.push(d);
  return join(d, 'settings.json');
}

/** A dialect whose settings are one value of `state` for account `account`. */
function fake(account: string, state: { value: unknown }): SandboxDialect {
  return {
    provider: 'fake',
    describe: () => ({ credentials: {}, numbers: [], defaultFrom: '' }),
    handle: () => Promise.resolve({ status: 404 }),
    rateLimited: () => ({ status: 429 }),
    serverError: () => ({ status: 500 }),
    isMessageCreate: () => false,
    settings: {
      account: () => account,
      save: () => state.value,
      load(saved) {
        if (typeof saved !== 'string') throw new Error('not a string');
        state.value = saved;
      },
    },
  };
}

async function open(f: string, account: string, state: { value: unknown }, warnings: string[] = [], maxBytes?: number) {
  const store = new MessageStore();
  const p = await persistSettings(f, new Map([['fake', fake(account, state)]]), store, new OptOutBook(store), (l) => warnings.push(l), maxBytes);
  return { p, store };
}

describe('persistSettings', () => {
  it('restores the same account’s settings, not another’s; the file is 0600', async () => {
    const f = file();
    const state = { value: 'https://example.test/hook' as unknown };
    await (await open(f, 'A1', state)).p.close();
    expect(statSync(f).mode & 0o777).toBe(0o600);
    const again = { value: 'default' as unknown };
    await (await open(f, 'A1', again)).p.close();
    expect(again.value).toBe('https://example.test/hook');
    const other = { value: 'default' as unknown };
    await (await open(f, 'B2', other)).p.close();
    expect(other.value).toBe('default');
  });

  it('writes only when the content changed', async () => {
    const f = file();
    const state = { value: 'one' as unknown };
    const { p } = await open(f, 'A1', state);
    state.value = 'two';
    await p.flush();
    expect(JSON.parse(readFileSync(f, 'utf8')).providers.fake.settings).toBe('two');
    // Nothing changed since: a flush does not write (the removed file stays removed).
    rmSync(f);
    await p.flush();
    expect(existsSync(f)).toBe(false);
    state.value = 'three';
    await p.close();
    expect(JSON.parse(readFileSync(f, 'utf8')).providers.fake.settings).toBe('three');
  });

  it('a state over the limit is not written, with one warning; the last good file stays', async () => {
    const f = file();
    const warnings: string[] = [];
    const state = { value: 'small' as unknown };
    const { p } = await open(f, 'A1', state, warnings, 2000);
    await p.flush();
    state.value = 'x'.repeat(5000);
    await p.flush();
    state.value = 'y'.repeat(5000);
    await p.close();
    expect(warnings).toEqual([expect.stringMatching(/over 2000 bytes; later changes are not saved/)]);
    expect(JSON.parse(readFileSync(f, 'utf8')).providers.fake.settings).toBe('small');
  });

  it('an oversized or unparsable file is set aside with a warning; a bad entry warns and keeps the default', async () => {
    const f = file();
    writeFileSync(f, JSON.stringify({ providers: { fake: { account: 'A1', settings: 'z'.repeat(3000) } } }));
    const warnings: string[] = [];
    const state = { value: 'default' as unknown };
    await (await open(f, 'A1', state, warnings, 2000)).p.close();
    expect(state.value).toBe('default');
    expect(warnings).toEqual([expect.stringMatching(/is damaged \(\d+ bytes, over the 2000-byte limit\)/)]);
    expect(existsSync(`${f}.damaged`)).toBe(true);

    writeFileSync(f, JSON.stringify({ providers: { fake: { account: 'A1', settings: 42 } } }));
    const bad: string[] = [];
    await (await open(f, 'A1', state, bad)).p.close();
    expect(bad).toEqual([expect.stringMatching(/the fake settings saved in .* are damaged \(not a string\)/)]);
    expect(state.value).toBe('default');
  });

  it('restores opt-outs and replays the record over them (a later START wins)', async () => {
    const f = file();
    writeFileSync(
      f,
      JSON.stringify({
        providers: {},
        optOuts: [
          { provider: 'twilio', handset: '+15551230001', sender: '+15005550006', at: '2026-01-01T00:00:00.000Z' },
          { provider: 'twilio', handset: '+15551230002', sender: '+15005550006', at: '2026-01-01T00:00:00.000Z' },
          { provider: 'twilio', handset: 7 },
        ],
      }),
    );
    const store = new MessageStore();
    const now = '2026-01-02T00:00:00.000Z';
    store.load([
      {
        id: 'm1',
        provider: 'twilio',
        account: '',
        direction: 'inbound',
        to: '+15005550006',
        from: '+15551230002',
        body: 'START',
        media: [],
        status: 'received',
        createdAt: now,
        updatedAt: now,
        history: [],
      },
    ]);
    const book = new OptOutBook(store);
    await (await persistSettings(f, new Map(), store, book, () => undefined)).close();
    expect(book.isOptedOut('twilio', '+15005550006', '+15551230001')).toBe(true);
    expect(book.isOptedOut('twilio', '+15005550006', '+15551230002')).toBe(false);
  });
});
