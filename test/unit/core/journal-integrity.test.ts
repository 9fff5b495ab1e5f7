// Journal integrity: what is not a journal is refused, damage is reported by line and blocks
// resuming until a repair, a cut-short last line stays tolerated, and a full disk loses nothing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Journal,
  formatJournalLine,
  isCutShortLine,
  loadJournal,
  parseJournal,
  planJournalRepair,
  repairJournal,
  resumeAction,
  type JournalFileOps,
  type JournalRecord,
} from '../../../src/core/journal.js';
import { runDispatch } from '../../../src/core/send-runner.js';
import { CliError } from '../../../src/errors/errors.js';

let dir: string;
let file: string;
const opened: Journal[] = [];
const NOW = new Date('2024-05-01T00:00:00Z');

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mms-journal-int-'));
  file = path.join(dir, 'run.jsonl');
});
afterEach(() => {
  for (const j of opened.splice(0)) j.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const open = (p = file, opts: Parameters<typeof Journal.open>[1] = {}): Journal => {
  const j = Journal.open(p, { now: () => NOW, ...opts });
  opened.push(j);
  return j;
};

/** Error thrown by `fn`, for assertions on its fields. */
function thrown(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return err as CliError;
  }
  throw new Error('expected an error');
}

/** A journal written by this version: a header, runs, records; returns its lines. */
function writeJournal(steps: (j: Journal) => void): string[] {
  const j = Journal.open(file, { now: () => NOW });
  try {
    steps(j);
  } finally {
    j.close();
  }
  return fs.readFileSync(file, 'utf8').split('\n');
}

const legacyLine = (r: Partial<JournalRecord>) => JSON.stringify({ at: '2024-04-30T00:00:00Z', ...r });
const noLock = () => expect(fs.existsSync(`${file}.lock`)).toBe(false);

describe('what is not a journal is refused before anything is sent', () => {
  it.each([
    ['a CSV', 'phone,name\n+15551230001,Ann\n+15551230002,Bob\n'],
    ['a text file', 'Remember to send the chart tonight.\n'],
    ['binary data', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])],
    ['JSON that is not a journal', '{"event":"listening","port":8080}\n'],
  ])('%s', (_name, content) => {
    fs.writeFileSync(file, content);
    const err = thrown(() => Journal.open(file));
    expect(err).toMatchObject({ code: 'JOURNAL_UNUSABLE', exitCode: 2 });
    expect(err.message).toBe(`${file} is not an mms journal (it holds no journal header or record): nothing was sent`);
    expect(err.message).not.toContain('\n');
    expect(err.suggestion).toMatch(/new file name to --journal/);
    // Untouched, and not left locked.
    expect(fs.readFileSync(file)).toEqual(Buffer.from(content));
    noLock();
  });

  it('refuses a named pipe without blocking on it', () => {
    if (process.platform === 'win32') return;
    const fifo = path.join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const err = thrown(() => Journal.open(fifo));
    expect(err).toMatchObject({ code: 'JOURNAL_UNUSABLE', exitCode: 2 });
    expect(err.message).toBe(`The journal ${fifo} is a named pipe (FIFO), not a regular file: nothing was sent`);
  });

  it('refuses a character device (/dev/zero) and a directory', () => {
    if (fs.existsSync('/dev/zero'))
      expect(thrown(() => Journal.open('/dev/zero')).message).toMatch(/^The journal \/dev\/zero is a character device, not a regular file/);
    expect(thrown(() => Journal.open(dir))).toMatchObject({ code: 'JOURNAL_UNUSABLE', message: expect.stringContaining('is a directory') });
  });

  it('loadJournal does not read devices either', () => {
    if (fs.existsSync('/dev/zero')) expect(() => loadJournal('/dev/zero')).toThrow(/character device/);
  });

  it('refuses a journal from a newer format', () => {
    fs.writeFileSync(file, formatJournalLine({ mms: 'journal', version: 99, createdAt: 'x' }));
    expect(thrown(() => Journal.open(file))).toMatchObject({ code: 'JOURNAL_UNUSABLE', message: expect.stringContaining('newer mms (format 99)') });
  });

  it('accepts an empty file (mktemp) and a header cut short by kill -9 as a new journal', () => {
    fs.writeFileSync(file, '');
    open().close();
    fs.writeFileSync(file, '{"mms":"jour');
    open().close();
    const j = loadJournal(file);
    expect(j.header).toMatchObject({ mms: 'journal', version: 2 });
    expect(j.damagedLines).toBeUndefined();
  });
});

describe('the header', () => {
  it('opens a new journal: format version and creation time, no secrets, then the run line', () => {
    const [first, second] = writeJournal(() => undefined).map((l) => (l ? (JSON.parse(l) as Record<string, unknown>) : undefined));
    expect(first).toEqual({ mms: 'journal', version: 2, createdAt: '2024-05-01T00:00:00.000Z', sum: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect(second).toMatchObject({ run: { pid: process.pid } });
  });

  it('is written once: a resumed run appends a run line only', () => {
    writeJournal((j) => j.started('+15550000001'));
    const lines = writeJournal(() => undefined).filter(Boolean);
    expect(lines.filter((l) => l.includes('"mms":"journal"'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('"run"'))).toHaveLength(2);
  });
});

describe('journals written by v0.1 (no header, no sums)', () => {
  it('stay readable when every line is a record, and new lines are appended with sums', () => {
    fs.writeFileSync(
      file,
      [
        JSON.stringify({ run: { pid: 1, at: 'x' } }),
        legacyLine({ to: '+1', status: 'accepted', id: 'SM1' }),
        legacyLine({ to: '+2', status: 'started' }),
        '',
      ].join('\n'),
    );
    const j = open();
    expect(j.prior('+1')).toMatchObject({ status: 'accepted', id: 'SM1' });
    j.finished({ to: '+3', status: 'accepted', id: 'SM3' });
    j.close();
    const again = loadJournal(file);
    expect(again.damagedLines).toBeUndefined();
    expect(again.header).toBeUndefined();
    expect([...again.records.keys()]).toEqual(['+1', '+2', '+3']);
  });

  it('tolerate the cut-short line v0.1 sealed with a newline and its next run line', () => {
    fs.writeFileSync(file, [legacyLine({ to: '+1', status: 'started' }), '{"to":"+1","sta', JSON.stringify({ run: { pid: 2, at: 'y' } }), ''].join('\n'));
    expect(parseJournal(fs.readFileSync(file)).damagedLines).toBeUndefined();
    expect(() => open()).not.toThrow();
  });
});

describe('damaged lines', () => {
  it('NUL bytes in the middle: reported with their line numbers, nothing appended, not resumed', () => {
    const lines = writeJournal((j) => {
      for (let i = 1; i <= 6; i++) {
        j.started(`+1555000000${i}`);
        j.finished({ to: `+1555000000${i}`, status: 'accepted', id: `SM${i}` });
      }
    });
    // Overwrite lines 5 and 6 (+15550000002's started and accepted) with a NUL block, as a crash can.
    const text = lines.join('\n');
    const start = text.indexOf(lines[4]!);
    const end = text.indexOf(lines[5]!) + lines[5]!.length;
    const damaged = Buffer.from(text);
    damaged.fill(0, start, end);
    fs.writeFileSync(file, damaged);
    const err = thrown(() => Journal.open(file));
    expect(err).toMatchObject({ code: 'JOURNAL_DAMAGED', exitCode: 2, details: { journal: file, damagedLines: [5] } });
    expect(err.message).toBe(`The journal ${file} has 1 damaged line (line 5): not resuming, nothing was sent`);
    expect(err.suggestion).toMatch(/--journal-repair/);
    expect(fs.readFileSync(file)).toEqual(damaged);
    noLock();
  });

  it.each([
    ['a JSON line that is not a record', '{"hello":"world"}'],
    ['binary garbage', '\u00ff\u00fe garbage \u0001'],
    ['a record with an unknown status', legacyLine({ to: '+9', status: 'bogus' as never })],
    ['a line changed after it was written (checksum)', 'EDIT'],
  ])('%s', (_name, bad) => {
    const lines = writeJournal((j) => {
      j.started('+15550000001');
      j.finished({ to: '+15550000001', status: 'failed', error: { code: 'PROVIDER_UNAVAILABLE', message: '503' } });
    });
    // EDIT: turn "failed" into "started" without fixing the sum.
    lines[3] = bad === 'EDIT' ? lines[3]!.replace('"status":"failed"', '"status":"accepted"') : bad;
    fs.writeFileSync(file, lines.join('\n'), bad === 'EDIT' ? 'utf8' : 'latin1');
    expect(parseJournal(fs.readFileSync(file)).damagedLines).toEqual([4]);
    expect(thrown(() => Journal.open(file)).code).toBe('JOURNAL_DAMAGED');
  });

  it('lists many damaged lines, the first ten by number', () => {
    const lines = writeJournal((j) => {
      for (let i = 0; i < 12; i++) j.started(`+1555000${String(i).padStart(4, '0')}`);
    });
    const broken = lines.map((l, i) => (i >= 2 && l ? 'x' : l));
    fs.writeFileSync(file, broken.join('\n'));
    expect(thrown(() => Journal.open(file)).message).toMatch(/has 12 damaged lines \(lines 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 2 more\)/);
  });
});

describe('a line cut short by kill -9 stays tolerated', () => {
  it('at the end, and again after being sealed: kill, resume, kill, resume', () => {
    const lines = writeJournal((j) => j.started('+15550000001'));
    fs.writeFileSync(file, `${lines.join('\n')}{"to":"+15550000001","status":"acc`);
    const second = open();
    expect(second.loaded.truncatedTail).toBe(true);
    expect(second.prior('+15550000001')?.status).toBe('started');
    second.started('+15550000002');
    second.close();
    fs.appendFileSync(file, '{"to":"+15550000002","st');
    const third = open();
    expect(third.loaded.damagedLines).toBeUndefined();
    expect(third.loaded.badLines).toEqual([4]);
    third.close();
    expect(() => open()).not.toThrow();
  });

  it('a sealed line is recognised by its content: a line merged into it by damage is reported', () => {
    const lines = writeJournal((j) => j.started('+15550000001'));
    fs.writeFileSync(file, `${lines.join('\n')}{"to":"+15550000001","status":"acc`);
    open().close();
    const sealedText = fs.readFileSync(file, 'utf8');
    expect(parseJournal(sealedText).damagedLines).toBeUndefined();
    // Overwrite the newline between the started line (3) and the sealed line (4): both merge into line 3.
    const merged = sealedText.replace('"}\n{"to":"+15550000001","status":"acc', '"}X{"to":"+15550000001","status":"acc');
    expect(parseJournal(merged).damagedLines).toEqual([3]);
    // A blank line inserted before it moves it to line 5, which no run sealed: reported (the safe side).
    const shifted = sealedText.replace('{"to":"+15550000001","status":"acc', '\n{"to":"+15550000001","status":"acc');
    expect(parseJournal(shifted).damagedLines).toEqual([5]);
  });

  it('but garbage written over the end is damage, not a cut-short line', () => {
    expect(isCutShortLine(Buffer.from('{"to":"+1","status":"acc'))).toBe(true);
    expect(isCutShortLine(Buffer.from('{"to":"+1","error":{"message":"caf\u00e9 \\u00'))).toBe(true);
    // A multi-byte character cut in half by the kill.
    expect(isCutShortLine(Buffer.from('{"to":"+1","m":"caf\u00e9"').subarray(0, -2))).toBe(true);
    expect(isCutShortLine(Buffer.from('{"to":"+1","status":"started","sum":"00000000"}x'))).toBe(false);
    expect(isCutShortLine(Buffer.from('{"to":"+1"\u0000\u0000'))).toBe(false);
    expect(isCutShortLine(Buffer.from('{"to":"+1","status":"sta\u0000'))).toBe(false);
    expect(isCutShortLine(Buffer.from('{"to" "+1"'))).toBe(false);
    expect(isCutShortLine(Buffer.from('phone,name'))).toBe(false);
    expect(isCutShortLine(Buffer.from('{"n":12a'))).toBe(false);
    expect(isCutShortLine(Buffer.from('{"n":tru'))).toBe(true);
  });
});

describe('repair', () => {
  /** Run 1: a accepted, b failed, c started (killed); run 2 damaged: c's and d's lines, e accepted. */
  function damagedJournal(): { original: Buffer; lines: string[] } {
    const lines = writeJournal((j) => {
      j.started('+15550000001');
      j.finished({ to: '+15550000001', status: 'accepted', id: 'SMa' });
      j.started('+15550000002');
      j.finished({ to: '+15550000002', status: 'failed', error: { code: 'PROVIDER_UNAVAILABLE', message: '503' } });
      j.started('+15550000003');
    });
    const more = writeJournal((j) => {
      j.finished({ to: '+15550000003', status: 'unknown', error: { code: 'OUTCOME_UNKNOWN', message: 'reset' } });
      j.started('+15550000004');
      j.started('+15550000005');
      j.finished({ to: '+15550000005', status: 'accepted', id: 'SMe' });
    });
    expect(more.slice(0, lines.length - 1)).toEqual(lines.slice(0, -1));
    // Damage: +15550000004's started line gets NULs in the middle of its number; the run line goes.
    const text = more.map((l, i) => (l.includes('"to":"+15550000004"') ? l.replace('+1555000', '+1555\u0000\u0000\u0000000') : i === 7 ? 'Zm9v' : l));
    expect(more[7]).toContain('"run"');
    const original = Buffer.from(text.join('\n'));
    fs.writeFileSync(file, original);
    return { original, lines: text };
  }

  it('keeps what is certain, marks what the damage may hide unknown (never "not sent"), atomically, with a backup', () => {
    const { original } = damagedJournal();
    const before = parseJournal(original);
    expect(before.damagedLines).toEqual([8, 10]);
    const result = repairJournal(file, { now: () => NOW });
    expect(result).toMatchObject({ damagedLines: [8, 10], unattributedLines: [8] });
    // +15550000004 is named by the damaged line (NULs dropped); +15550000002 failed before the damage,
    // so the damaged line may have been its next "started".
    expect(result.markedUnknown.sort()).toEqual(['+15550000002', '+15550000004']);
    expect(fs.readFileSync(result.backupPath!)).toEqual(original);
    expect(path.dirname(result.backupPath!)).toBe(dir);
    expect(path.basename(result.backupPath!)).toMatch(/^run\.jsonl\.damaged-2024-05-01T00-00-00-000Z\.bak$/);

    const after = loadJournal(file);
    expect(after.damagedLines).toBeUndefined();
    expect(after.header).toMatchObject({ version: 2 });
    const status = (to: string) => after.records.get(to)?.status;
    expect([1, 2, 3, 4, 5].map((n) => status(`+1555000000${n}`))).toEqual(['accepted', 'unknown', 'unknown', 'unknown', 'accepted']);
    expect(after.records.get('+15550000001')?.id).toBe('SMa');
    expect(resumeAction(after.records.get('+15550000004')).action).toBe('skip');
    // The repaired journal opens and resumes; no temporary file is left behind.
    expect(() => open().close()).not.toThrow();
    expect(fs.readdirSync(dir).sort()).toEqual(['run.jsonl', path.basename(result.backupPath!)].sort());
  });

  it('through Journal.open(…, { repair: true }), which reports what it did', () => {
    damagedJournal();
    const j = open(file, { repair: true });
    expect(j.repaired).toMatchObject({ damagedLines: [8, 10], backupPath: expect.stringContaining('.damaged-') });
    expect(j.prior('+15550000004')?.status).toBe('unknown');
  });

  it('leaves a sound journal alone, and never turns a CSV into a journal', () => {
    writeJournal((j) => j.started('+1'));
    const sound = fs.readFileSync(file);
    expect(repairJournal(file)).toEqual({ damagedLines: [], markedUnknown: [], unattributedLines: [], keptLines: 2 });
    expect(fs.readFileSync(file)).toEqual(sound);
    expect(open(file, { repair: true }).repaired).toBeUndefined();
    opened.pop()?.close();
    fs.writeFileSync(file, 'phone\n+1555\n');
    expect(() => repairJournal(file)).toThrow(/is not an mms journal/);
  });

  it('never changes an accepted, started or unknown record (pure plan)', () => {
    const text = [
      formatJournalLine({ mms: 'journal', version: 2, createdAt: 'c' }),
      formatJournalLine({ to: '+15550000001', status: 'started', at: 'a' }),
      'garbage naming +15550000001 and +15550000009\n',
      formatJournalLine({ to: '+15550000002', status: 'accepted', id: 'SM2', at: 'a' }),
    ].join('');
    const plan = planJournalRepair(Buffer.from(text), NOW);
    const repaired = parseJournal(plan.text);
    expect(repaired.records.get('+15550000001')?.status).toBe('started');
    expect(repaired.records.get('+15550000002')).toMatchObject({ status: 'accepted', id: 'SM2' });
    expect(repaired.records.get('+15550000009')?.status).toBe('unknown');
    expect(plan.result.markedUnknown).toEqual(['+15550000009']);
  });
});

describe('a full disk while journalling', () => {
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });

  /** File operations that write normally until `failAt` bytes are on disk, then half a line and ENOSPC. */
  function fullDiskAt(failAt: number, opts: { canTruncate?: boolean } = {}): Partial<JournalFileOps> & { full: boolean; limit: number } {
    const ops = {
      full: false,
      limit: failAt,
      write(fd: number, buffer: Buffer, offset: number, length: number): number {
        const size = fs.fstatSync(fd).size;
        if (ops.full || size + length > ops.limit) {
          if (!ops.full && length > 1) {
            ops.full = true;
            // A short write first, as the kernel does when the last blocks run out.
            return fs.writeSync(fd, buffer, offset, Math.floor(length / 2));
          }
          throw enospc();
        }
        return fs.writeSync(fd, buffer, offset, length);
      },
      truncate(fd: number, length: number): void {
        if (opts.canTruncate === false) throw Object.assign(new Error('EIO'), { code: 'EIO' });
        fs.ftruncateSync(fd, length);
      },
    };
    return ops;
  }

  it('is exit 9 (JOURNAL_WRITE_FAILED): the partial line is cut back, all before stays, nothing new starts', () => {
    const j = open();
    j.started('+15550000001');
    j.finished({ to: '+15550000001', status: 'accepted', id: 'SM1' });
    j.close();
    const before = fs.readFileSync(file);
    const ops = fullDiskAt(before.length + 200);
    const k = open(file, { fileOps: ops });
    k.started('+15550000002');
    const err = thrown(() => k.started('+15550000003'));
    expect(err).toMatchObject({ code: 'JOURNAL_WRITE_FAILED', exitCode: 9 });
    expect(err.message).toMatch(
      /^Could not write to the journal .* \(ENOSPC: no space left on the device\): the run stopped; every line written before is kept$/,
    );
    expect(k.writeFailure).toBe(err);
    // No partial line: the file still parses cleanly, with everything accepted before.
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const loaded = parseJournal(text);
    expect(loaded.damagedLines).toBeUndefined();
    expect(loaded.truncatedTail).toBe(false);
    expect(loaded.records.get('+15550000001')).toMatchObject({ status: 'accepted', id: 'SM1' });
    expect(loaded.records.get('+15550000002')?.status).toBe('started');
    expect(loaded.records.has('+15550000003')).toBe(false);
    // Nothing new may start once the journal failed, even if space comes back.
    ops.full = false;
    ops.limit = Infinity;
    expect(() => k.started('+15550000004')).toThrow(err);
    // Outcomes of requests in flight are still recorded when the disk allows it.
    k.finished({ to: '+15550000002', status: 'accepted', id: 'SM2' });
    expect(loadJournal(file).records.get('+15550000002')?.status).toBe('accepted');
  });

  it('refuses every later write when the partial line could not be cut back', () => {
    const k = open(file, { fileOps: fullDiskAt(250, { canTruncate: false }) });
    k.started('+15550000001');
    expect(() => k.started('+15550000002')).toThrow(expect.objectContaining({ code: 'JOURNAL_WRITE_FAILED' }));
    expect(() => k.finished({ to: '+15550000001', status: 'accepted', id: 'SM1' })).toThrow(expect.objectContaining({ code: 'JOURNAL_WRITE_FAILED' }));
  });

  it('stops the runner: no request after the failure, what was accepted stays recorded', async () => {
    const ops = fullDiskAt(700);
    const j = open(file, { fileOps: ops });
    const sent: string[] = [];
    const recipients = Array.from({ length: 20 }, (_, i) => ({ to: `+1555000${String(i).padStart(4, '0')}` }));
    const out = await runDispatch({
      recipients,
      buildRequest: (r) => ({ to: r.to, from: '+1', mediaUrls: [] }),
      send: async (req) => {
        sent.push(req.to);
        return { id: `SM${req.to}`, status: 'queued', providerStatus: 'queued' };
      },
      concurrency: 1,
      journal: j,
    });
    expect(out.stopError).toMatchObject({ code: 'JOURNAL_WRITE_FAILED', exitCode: 9 });
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(20);
    const loaded = loadJournal(file);
    expect(loaded.damagedLines).toBeUndefined();
    // Every recipient a request went to is in the journal: accepted, or started (= unknown, never resent).
    for (const to of sent) expect(['accepted', 'started']).toContain(loaded.records.get(to)?.status);
    for (const r of recipients.filter((x) => !sent.includes(x.to))) expect(loaded.records.has(r.to)).toBe(false);
  });
});
