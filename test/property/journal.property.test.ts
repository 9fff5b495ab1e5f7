// Property-based tests of the journal against an independent oracle: journals are written by the
// real Journal following the send flow's rules (a recipient is started only when it was never seen
// or failed; started/unknown ones are only reconciled), then cut by a kill at a random byte or hit
// by random garbage at random places. The oracle folds the clean lines with plain JSON.parse.
// What must hold:
// - a cut (kill -9) is always tolerated, and what is read is exactly what was completely written;
// - nobody is ever read as accepted who was not accepted (with that message id);
// - a recipient that must not be sent again (started, unknown, accepted) is never read as
//   "send" unless the damage is reported (then opening refuses);
// - a repair never turns anything into accepted and never changes an accepted, started or unknown
//   record, and leaves a journal that opens.
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, loadJournal, parseJournal, planJournalRepair, resumeAction, type JournalRecord, type JournalStatus } from '../../src/core/journal.js';

const PHONES = Array.from({ length: 6 }, (_, i) => `+1555000000${i + 1}`);
const NOW = new Date('2024-05-01T00:00:00Z');
// fast-check's default of 100 cases per property; MMS_PROPERTY_RUNS=2000 for a deep run (README, Contributing).
const RUNS = Number(process.env.MMS_PROPERTY_RUNS ?? 100);

type Op = { kind: 'send'; who: number; outcome: 'accepted' | 'failed' | 'unknown' | 'none' } | { kind: 'reconcile'; who: number; found: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('send' as const),
    who: fc.nat(PHONES.length - 1),
    outcome: fc.constantFrom('accepted' as const, 'failed' as const, 'unknown' as const, 'none' as const),
  }),
  fc.record({ kind: fc.constant('reconcile' as const), who: fc.nat(PHONES.length - 1), found: fc.boolean() }),
);
const runsArb = fc.array(fc.array(opArb, { maxLength: 10 }), { minLength: 1, maxLength: 4 });

const garbageArb = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 48 }),
  fc.integer({ min: 1, max: 64 }).map((n) => new Uint8Array(n)),
  fc.string({ unit: fc.constantFrom(...'0123456789+{}[]":,\n\r \\abcdefnrstu'.split('')), minLength: 1, maxLength: 24 }).map((s) => Buffer.from(s)),
);
type Injection =
  { kind: 'insert' | 'overwrite'; at: number; bytes: Uint8Array } | { kind: 'flip'; at: number; bit: number } | { kind: 'digit'; at: number; by: number };
const atArb = fc.double({ min: 0, max: 1, noNaN: true });
const injectionArb: fc.Arbitrary<Injection> = fc.oneof(
  fc.record({ kind: fc.constantFrom('insert' as const, 'overwrite' as const), at: atArb, bytes: garbageArb }),
  // A flipped bit: turns a digit of a number or an id into another character.
  fc.record({ kind: fc.constant('flip' as const), at: atArb, bit: fc.nat(7) }),
  // A digit changed into another digit: the line stays valid JSON (a phone number, an id, a time).
  fc.record({ kind: fc.constant('digit' as const), at: atArb, by: fc.integer({ min: 1, max: 9 }) }),
);

let dir: string;
let seq = 0;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mms-journal-prop-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const freshFile = (): string => path.join(dir, `j${seq++}.jsonl`);

interface Truth {
  status: JournalStatus;
  id?: string;
}

/** The oracle: last record per recipient from the lines that parse as JSON objects with a `to`. */
function fold(text: string, dropLastLine = false): Map<string, Truth> {
  const lines = text.split('\n');
  if (dropLastLine) {
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    lines.pop();
  }
  const out = new Map<string, Truth>();
  for (const line of lines) {
    let v: { to?: unknown; status?: JournalStatus; id?: string };
    try {
      v = JSON.parse(line) as typeof v;
    } catch {
      continue;
    }
    if (typeof v.to === 'string' && v.status) out.set(v.to, v.id === undefined ? { status: v.status } : { status: v.status, id: v.id });
  }
  return out;
}

const statuses = (records: Map<string, JournalRecord>): Map<string, Truth> =>
  new Map([...records].map(([to, r]) => [to, r.id === undefined ? { status: r.status } : { status: r.status, id: r.id }]));

/** Writes one journal session per run with the real Journal, as the send flow would; records every accepted id. */
function writeRuns(file: string, runs: Op[][], accepted: Set<string>): void {
  for (const ops of runs) {
    const j = Journal.open(file, { now: () => NOW });
    const last = new Map([...j.loaded.records].map(([to, r]) => [to, r.status]));
    try {
      for (const op of ops) {
        const to = PHONES[op.who]!;
        const st = last.get(to);
        const id = `SM${seq++}`;
        if (op.kind === 'reconcile') {
          if (st !== 'started' && st !== 'unknown') continue;
          j.reconciled(to, op.found ? { id, providerStatus: 'sent' } : undefined);
          last.set(to, op.found ? 'accepted' : 'failed');
          if (op.found) accepted.add(`${to}|${id}`);
          continue;
        }
        if (st !== undefined && st !== 'failed') continue;
        j.started(to);
        last.set(to, 'started');
        if (op.outcome === 'none') continue;
        if (op.outcome === 'accepted') {
          j.finished({ to, status: 'accepted', id, providerStatus: 'queued' });
          accepted.add(`${to}|${id}`);
        } else j.finished({ to, status: op.outcome, error: { code: op.outcome === 'failed' ? 'PROVIDER_UNAVAILABLE' : 'OUTCOME_UNKNOWN', message: 'x' } });
        last.set(to, op.outcome);
      }
    } finally {
      j.close();
    }
  }
}

function inject(clean: Buffer, injections: Injection[]): Buffer {
  let buf = Buffer.from(clean);
  for (const inj of injections) {
    const pos = Math.min(Math.floor(inj.at * buf.length), Math.max(0, buf.length - 1));
    if (inj.kind === 'digit') {
      const digits = [...buf.keys()].filter((i) => buf[i]! >= 0x30 && buf[i]! <= 0x39);
      const i = digits[Math.floor(inj.at * digits.length)];
      if (i !== undefined) buf[i] = 0x30 + ((buf[i]! - 0x30 + inj.by) % 10);
      continue;
    }
    if (inj.kind === 'flip') {
      if (buf.length > 0) buf[pos] = buf[pos]! ^ (1 << inj.bit);
      continue;
    }
    const bytes = Buffer.from(inj.bytes);
    if (inj.kind === 'overwrite') {
      const out = Buffer.concat([buf, Buffer.alloc(Math.max(0, pos + bytes.length - buf.length))]);
      bytes.copy(out, pos);
      buf = out;
    } else buf = Buffer.concat([buf.subarray(0, pos), bytes, buf.subarray(pos)]);
  }
  return buf;
}

describe('journal properties', () => {
  it('kill -9 at any byte, any number of times: tolerated, and exactly what was completely written is read', () => {
    const cycleArb = fc.record({ runs: runsArb, cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(cycleArb, { minLength: 1, maxLength: 3 }), (cycles) => {
        const file = freshFile();
        const accepted = new Set<string>();
        for (const cycle of cycles) {
          const before = fs.existsSync(file) ? fs.statSync(file).size : 0;
          writeRuns(file, cycle.runs, accepted);
          if (cycle.cut === undefined) continue;
          const after = fs.statSync(file).size;
          fs.truncateSync(file, before + Math.floor(cycle.cut * (after - before)));
        }
        const text = fs.readFileSync(file, 'utf8');
        const loaded = loadJournal(file);
        expect(loaded.damagedLines).toBeUndefined();
        expect(loaded.isNotJournal).toBeUndefined();
        expect(statuses(loaded.records)).toEqual(fold(text));
        for (const [to, r] of loaded.records) if (r.status === 'accepted') expect(accepted.has(`${to}|${r.id}`)).toBe(true);
        // Resuming works, and so does the run after it.
        writeRuns(file, [[]], accepted);
        expect(loadJournal(file).damagedLines).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('random garbage at random places: never a false accepted, never a silent loss; a repair only makes things safer', () => {
    fc.assert(
      fc.property(runsArb, fc.array(injectionArb, { minLength: 1, maxLength: 3 }), (runs, injections) => {
        const file = freshFile();
        const accepted = new Set<string>();
        writeRuns(file, runs, accepted);
        const clean = fs.readFileSync(file);
        const buf = inject(clean, injections);
        fs.writeFileSync(file, buf);
        const loaded = parseJournal(buf);

        for (const [to, r] of loaded.records) if (r.status === 'accepted') expect(accepted.has(`${to}|${r.id}`)).toBe(true);

        const isReported = loaded.damagedLines !== undefined || loaded.isNotJournal === true;
        if (!isReported) {
          // A last line that lost its newline reads as cut short by a kill: tolerated by design.
          const truth = fold(clean.toString('utf8'), loaded.truncatedTail);
          for (const [to, t] of truth) if (t.status !== 'failed') expect(resumeAction(loaded.records.get(to)).action, to).toBe('skip');
          Journal.open(file, { now: () => NOW }).close();
          return;
        }
        expect(() => Journal.open(file, { now: () => NOW })).toThrow(
          expect.objectContaining({ code: loaded.isNotJournal ? 'JOURNAL_UNUSABLE' : 'JOURNAL_DAMAGED' }),
        );
        if (loaded.isNotJournal) return;

        const plan = planJournalRepair(buf, NOW);
        const repaired = parseJournal(plan.text);
        expect(repaired.damagedLines).toBeUndefined();
        expect(plan.result.damagedLines).toEqual(loaded.damagedLines);
        for (const [to, before] of loaded.records) {
          const after = repaired.records.get(to);
          // Nothing is dropped; accepted, started and unknown stay exactly as they were.
          expect(after).toBeDefined();
          if (before.status !== 'failed') expect(after).toEqual(before);
          else expect(['failed', 'unknown']).toContain(after?.status);
        }
        for (const [to, after] of repaired.records) {
          if (after.status === 'accepted') expect(loaded.records.get(to)).toEqual(after);
          if (!loaded.records.has(to)) expect(after.status).toBe('unknown');
        }
        fs.writeFileSync(file, plan.text);
        Journal.open(file, { now: () => NOW }).close();
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
