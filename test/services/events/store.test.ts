// The event log: bounded, private (0600 files in a 0700 directory), credentials redacted, binary
// bodies kept exactly; and the filters of `mms events list`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getEvent, listEvents, matchesFilter, parseSince } from '../../../src/services/events/index.js';
import { decodeBody, encodeBody, newEventId, openEventLog, redactHeaders, type StoredEvent } from '../../../src/services/events/store.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mms-events-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const stored = (at: Date, extra: Partial<StoredEvent> = {}): StoredEvent => ({
  id: newEventId(at),
  receivedAt: at.toISOString(),
  provider: 'twilio',
  kind: 'inbound',
  verified: true,
  request: { method: 'POST', url: 'https://x.test/hooks', headers: {}, ...encodeBody(Buffer.from('Body=hi')) },
  events: [{ type: 'message', provider: 'twilio', id: 'SM1', from: '+15550001111', to: '+15550002222', body: 'hi', media: [], receivedAt: at.toISOString() }],
  forwards: [],
  ...extra,
});

describe('event log', () => {
  it('keeps the newest `max` events, oldest first, in 0600 files under a 0700 directory', async () => {
    const log = openEventLog({ MMS_CONFIG_DIR: join(root, 'bounded') }, { max: 3 });
    const t0 = Date.parse('2026-12-01T09:00:00Z');
    const all = Array.from({ length: 5 }, (_, i) => stored(new Date(t0 + i * 1000)));
    for (const e of all) await log.append(e);
    expect((await log.list()).map((e) => e.id)).toEqual(all.slice(2).map((e) => e.id));
    expect(statSync(log.dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(log.dir)) expect(statSync(join(log.dir, f)).mode & 0o777).toBe(0o600);
    await log.addForward(all[4]!.id, { method: 'POST', url: 'http://127.0.0.1:1/x', startedAt: '', durationMs: 3, resigned: false, answered: 502 });
    await log.addForward(all[0]!.id, { method: 'POST', url: 'http://127.0.0.1:1/x', startedAt: '', durationMs: 3, resigned: false, answered: 502 });
    expect((await log.get(all[4]!.id))!.forwards).toHaveLength(1);
    expect(await log.get(all[0]!.id)).toBeUndefined();
    // A unique prefix finds one; an ambiguous one finds none.
    expect((await log.get(all[4]!.id.slice(0, -3)))?.id).toBe(all[4]!.id);
    expect(await log.get('ev_')).toBeUndefined();
  });

  it('redacts credentials in headers and keeps a binary body exactly', () => {
    expect(redactHeaders({ Authorization: 'Basic dTpw', cookie: 'a=b', 'x-twilio-signature': 'sig', 'user-agent': 'ua', gone: undefined })).toEqual({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-twilio-signature': 'sig',
      'user-agent': 'ua',
    });
    const binary = Buffer.from([0xff, 0x00, 0xfe, 0x41]);
    const enc = encodeBody(binary);
    expect(enc.bodyEncoding).toBe('base64');
    expect(decodeBody(stored(new Date(), { request: { method: 'POST', url: 'u', headers: {}, ...enc } })).equals(binary)).toBe(true);
    expect(encodeBody(Buffer.from('Body=h%C3%A9llo ✓'))).toEqual({ body: 'Body=h%C3%A9llo ✓', bodyEncoding: 'utf8' });
  });

  it('filters by time, kind and number; --since takes durations and ISO times', async () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(parseSince('1h', now).toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(parseSince('90s', now).toISOString()).toBe('2026-12-01T09:58:30.000Z');
    expect(parseSince('7d', now).toISOString()).toBe('2026-11-24T10:00:00.000Z');
    expect(parseSince('2026-12-01T08:30:00Z', now).toISOString()).toBe('2026-12-01T08:30:00.000Z');
    expect(() => parseSince('yesterday', now)).toThrow(/--since "yesterday"/);
    const old = stored(new Date('2026-12-01T08:00:00Z'));
    const recent = stored(new Date('2026-12-01T09:30:00Z'), { kind: 'status', events: [] });
    expect(matchesFilter(old, { since: parseSince('1h', now) })).toBe(false);
    expect(matchesFilter(recent, { since: parseSince('1h', now), type: 'status' })).toBe(true);
    expect(matchesFilter(old, { number: '+15550002222' })).toBe(true);
    expect(matchesFilter(recent, { number: '+15550002222' })).toBe(false);
    const log = openEventLog({ MMS_CONFIG_DIR: join(root, 'filters') });
    await log.append(old);
    await log.append(recent);
    expect((await listEvents(log, { type: 'inbound' })).map((e) => e.id)).toEqual([old.id]);
  });

  it('--keep-events-days: appending drops events older than the age bound, whatever the count', async () => {
    let now = new Date('2026-12-08T12:00:00Z');
    const log = openEventLog({ MMS_CONFIG_DIR: join(root, 'aged') }, { max: 100, maxAgeMs: 7 * 86_400_000, now: () => now });
    const eightDays = stored(new Date('2026-11-30T12:00:00Z'));
    const sixDays = stored(new Date('2026-12-02T12:00:00Z'));
    await log.append(eightDays);
    await log.append(sixDays);
    // The 8-day-old one went as soon as something was appended; the 6-day-old one is within bounds.
    expect((await log.list()).map((e) => e.id)).toEqual([sixDays.id]);
    now = new Date('2026-12-10T12:00:00Z');
    const fresh = stored(now);
    await log.append(fresh);
    expect((await log.list()).map((e) => e.id)).toEqual([fresh.id]);
  });

  it('tightens a loosened events directory back to 0700 and writes files 0600 whatever the umask', async () => {
    const cfg = join(root, 'loose');
    mkdirSync(join(cfg, 'events'), { recursive: true, mode: 0o755 });
    chmodSync(join(cfg, 'events'), 0o755);
    const old = process.umask(0o000);
    try {
      const log = openEventLog({ MMS_CONFIG_DIR: cfg });
      await log.append(stored(new Date()));
      expect(statSync(log.dir).mode & 0o777).toBe(0o700);
      for (const f of readdirSync(log.dir)) expect(statSync(join(log.dir, f)).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('show/replay ids: empty, ambiguous and unknown ids are usage errors, and the id is shown escaped', async () => {
    const log = openEventLog({ MMS_CONFIG_DIR: join(root, 'ids') });
    const a = stored(new Date('2026-12-01T09:00:00Z'));
    const b = stored(new Date('2026-12-01T09:00:01Z'));
    await log.append(a);
    await log.append(b);
    await expect(getEvent(log, '')).rejects.toMatchObject({ exitCode: 2, message: 'An event id is required' });
    await expect(getEvent(log, '  ')).rejects.toMatchObject({ exitCode: 2 });
    await expect(getEvent(log, 'ev_')).rejects.toMatchObject({ exitCode: 2, message: '2 events start with ev_: give more of the id' });
    const err = (await getEvent(log, 'ev_\u001b[31m\u202e').catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('No event ev_\\u001b[31m\\u202e in the event log');
    expect(err.message).not.toMatch(/[\u001b\u202e]/);
    expect((await getEvent(log, b.id)).id).toBe(b.id);
    await expect(Promise.resolve().then(() => parseSince('\u001b[2J', new Date()))).rejects.toThrow(/--since "\\u001b\[2J"/);
  });
});
