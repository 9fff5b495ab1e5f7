import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, acquireJournalLock, isProcessAlive, loadJournal, parseJournal, resumeAction, type JournalRecord } from '../../../src/core/journal.js';

let dir: string;
let file: string;
const opened: Journal[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mms-journal-'));
  file = path.join(dir, 'run.jsonl');
});
afterEach(() => {
  for (const j of opened.splice(0)) j.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const open = (p = file, opts: Parameters<typeof Journal.open>[1] = {}) => {
  const j = Journal.open(p, { now: () => new Date('2024-05-01T00:00:00Z'), ...opts });
  opened.push(j);
  return j;
};

/** A pid that certainly belongs to no running process: a child that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  expect(r.pid).toBeGreaterThan(0);
  return r.pid as number;
}

const line = (r: Partial<JournalRecord>) => JSON.stringify({ at: '2024-04-30T00:00:00Z', ...r });

describe('Journal writing', () => {
  it('appends a run line, started lines and final outcomes, one JSON object per line', () => {
    const j = open();
    j.started('+1');
    j.finished({ to: '+1', status: 'accepted', id: 'SM1', providerStatus: 'queued' });
    j.started('+2');
    j.finished({ to: '+2', status: 'failed', error: { code: 'RECIPIENT_INVALID', message: 'bad', providerCode: 21211 } });
    j.finished({ to: '+3', status: 'skipped', id: 'SM0' });
    j.close();
    // Every line carries its checksum, and a new journal opens with its header (format 2).
    const lines = fs
      .readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => typeof l.sum === 'string')).toBe(true);
    expect(lines.map(({ sum: _sum, ...rest }) => rest)).toEqual([
      { mms: 'journal', version: 2, createdAt: '2024-05-01T00:00:00.000Z' },
      { run: { pid: process.pid, at: '2024-05-01T00:00:00.000Z' } },
      { to: '+1', status: 'started', at: '2024-05-01T00:00:00.000Z' },
      { to: '+1', status: 'accepted', id: 'SM1', providerStatus: 'queued', at: '2024-05-01T00:00:00.000Z' },
      { to: '+2', status: 'started', at: '2024-05-01T00:00:00.000Z' },
      { to: '+2', status: 'failed', error: { code: 'RECIPIENT_INVALID', message: 'bad', providerCode: 21211 }, at: '2024-05-01T00:00:00.000Z' },
    ]);
  });

  it('writes each line through to the file at once (no buffering to lose on kill -9)', () => {
    const j = open();
    j.started('+1');
    expect(fs.readFileSync(file, 'utf8')).toContain('"to":"+1","status":"started"');
  });

  it('works with fsync on', () => {
    const j = open(file, { fsync: true });
    j.started('+1');
    j.close();
    expect(loadJournal(file).records.get('+1')?.status).toBe('started');
  });

  it('creates the file private to the user', () => {
    open().close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses to write after close, and close is idempotent', () => {
    const j = open();
    j.close();
    j.close();
    expect(() => j.started('+1')).toThrow(/closed/);
  });

  it('reports an unusable path as a usage error', () => {
    expect(() => Journal.open(path.join(dir, 'missing-dir', 'j.jsonl'))).toThrow(expect.objectContaining({ code: 'JOURNAL_UNUSABLE' }));
    expect(fs.existsSync(path.join(dir, 'missing-dir'))).toBe(false);
  });
});

describe('loadJournal / parseJournal', () => {
  it('returns an empty journal for a missing file', () => {
    expect(loadJournal(path.join(dir, 'nope.jsonl'))).toEqual({ records: new Map(), badLines: [], truncatedTail: false });
  });

  it('keeps the last record per recipient', () => {
    const j = parseJournal(
      [
        line({ to: '+1', status: 'started' }),
        line({ to: '+1', status: 'failed', error: { code: 'PROVIDER_UNAVAILABLE', message: '503' } }),
        line({ to: '+1', status: 'started' }),
        line({ to: '+1', status: 'accepted', id: 'SM9' }),
        '',
      ].join('\n'),
    );
    expect(j.records.get('+1')).toMatchObject({ status: 'accepted', id: 'SM9' });
    expect(j.badLines).toEqual([]);
  });

  it('tolerates a truncated last line (killed mid-write) and flags it', () => {
    const text = `${line({ to: '+1', status: 'started' })}\n${line({ to: '+1', status: 'accepted', id: 'SM1' }).slice(0, 20)}`;
    const j = parseJournal(text);
    expect(j.truncatedTail).toBe(true);
    expect(j.badLines).toEqual([]);
    // The torn line was the outcome: the recipient stays "started", i.e. unknown, never resent.
    expect(j.records.get('+1')?.status).toBe('started');
  });

  it('lists garbage lines in the middle without giving up', () => {
    const j = parseJournal(
      [
        line({ to: '+1', status: 'accepted', id: 'a' }),
        '{"to":',
        '42',
        line({ to: '+2', status: 'bogus' as never }),
        line({ to: '+3', status: 'failed' }),
        '',
      ].join('\n'),
    );
    expect([...j.records.keys()]).toEqual(['+1', '+3']);
    expect(j.badLines).toEqual([2, 3, 4]);
  });

  it('tolerates CRLF', () => {
    expect(parseJournal(`${line({ to: '+1', status: 'accepted' })}\r\n`).records.get('+1')?.status).toBe('accepted');
  });
});

describe('resume after a simulated crash', () => {
  it('skips accepted, resends failed and new, reports started/unknown as unknown', () => {
    fs.writeFileSync(
      file,
      [
        JSON.stringify({ run: { pid: 1, at: 'x' } }),
        line({ to: '+1', status: 'started' }),
        line({ to: '+1', status: 'accepted', id: 'SM1' }),
        line({ to: '+2', status: 'started' }),
        line({ to: '+2', status: 'failed', error: { code: 'PROVIDER_UNAVAILABLE', message: '503' } }),
        line({ to: '+3', status: 'started' }),
        line({ to: '+3', status: 'unknown', error: { code: 'OUTCOME_UNKNOWN', message: 'timeout' } }),
        line({ to: '+4', status: 'started' }),
        // killed while writing +4's outcome:
        '{"to":"+4","status":"acc',
      ].join('\n'),
    );
    const j = open();
    expect(j.loaded.truncatedTail).toBe(true);
    const actions = ['+1', '+2', '+3', '+4', '+5'].map((to) => resumeAction(j.prior(to)));
    expect(actions[0]).toEqual({ action: 'skip', result: { to: '+1', status: 'skipped', id: 'SM1' } });
    expect(actions[1]).toEqual({ action: 'send' });
    expect(actions[2]).toMatchObject({ action: 'skip', result: { to: '+3', status: 'unknown', error: { code: 'OUTCOME_UNKNOWN' } } });
    expect(actions[3]).toMatchObject({
      action: 'skip',
      result: { to: '+4', status: 'unknown', error: { code: 'OUTCOME_UNKNOWN', message: expect.stringMatching(/stopped while sending/) } },
    });
    expect(actions[4]).toEqual({ action: 'send' });
    // With --retry-ambiguous the unknown ones are sent again; accepted ones never are.
    expect(['+1', '+3', '+4'].map((to) => resumeAction(j.prior(to), true).action)).toEqual(['skip', 'send', 'send']);
  });

  it('seals the torn line so the next run appends clean lines after it', () => {
    fs.writeFileSync(file, `${line({ to: '+1', status: 'started' })}\n{"to":"+1","sta`);
    const j = open();
    j.finished({ to: '+2', status: 'accepted', id: 'SM2' });
    j.close();
    const reloaded = loadJournal(file);
    expect(reloaded.truncatedTail).toBe(false);
    expect(reloaded.badLines).toEqual([2]);
    expect(reloaded.records.get('+1')?.status).toBe('started');
    expect(reloaded.records.get('+2')).toMatchObject({ status: 'accepted', id: 'SM2' });
  });
});

describe('journal lock', () => {
  it('stops a second run from opening the same journal, naming the holder', () => {
    open();
    expect(() => Journal.open(file)).toThrow(expect.objectContaining({ code: 'JOURNAL_LOCKED', message: expect.stringContaining(`process ${process.pid}`) }));
  });

  it('releases the lock on close so the next run can open it', () => {
    open().close();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
    expect(() => open()).not.toThrow();
  });

  it('holds the pid in a lock file created next to the journal', () => {
    open();
    expect(JSON.parse(fs.readFileSync(`${file}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, hostname: os.hostname() });
  });

  it('takes over a stale lock left by a dead process (kill -9)', () => {
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: deadPid(), hostname: os.hostname(), at: 'then' }));
    const j = open();
    expect(JSON.parse(fs.readFileSync(`${file}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    j.close();
  });

  it('accepts a lock file holding a bare pid', () => {
    fs.writeFileSync(`${file}.lock`, `${deadPid()}\n`);
    expect(() => open()).not.toThrow();
  });

  it('does not take over a lock from another host (its pid cannot be checked from here)', () => {
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: deadPid(), hostname: 'elsewhere.example', at: 'then' }));
    expect(() => Journal.open(file)).toThrow(/on elsewhere\.example/);
  });

  it('treats an unreadable lock file as held', () => {
    fs.writeFileSync(`${file}.lock`, 'garbage');
    expect(() => Journal.open(file)).toThrow(/in use by another process/);
  });

  it('release only removes its own lock', () => {
    const release = acquireJournalLock(file);
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: 1, hostname: os.hostname(), at: 'x' }));
    release();
    expect(fs.existsSync(`${file}.lock`)).toBe(true);
  });

  it('isProcessAlive', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(deadPid())).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-5)).toBe(false);
  });
});
