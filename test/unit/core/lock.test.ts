// The lock file: pid reuse is recognised through the process start time (an injected reader plays
// the operating system), a stale lock is taken over through a claim, and claims never linger.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireFileLock, parseLockOwner, type LockOwner } from '../../../src/core/lock.js';
import {
  currentProcessIdentity,
  isOwnerAlive,
  parseProcStatStartTime,
  systemProcessReader,
  type ProcessIdentityReader,
} from '../../../src/core/process-identity.js';
import { Journal } from '../../../src/core/journal.js';

let dir: string;
let lock: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mms-lock-'));
  lock = path.join(dir, 'run.jsonl.lock');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

class HeldError extends Error {
  constructor(readonly owner: LockOwner | undefined) {
    super(`held by ${owner?.pid ?? 'someone'}`);
  }
}

/** A machine where the given pids run, each with its start time, in boot "boot-1". */
function machine(running: Record<number, string>, boot = 'boot-1'): ProcessIdentityReader {
  return {
    isAlive: (pid) => pid in running,
    startTime: (pid) => running[pid],
    bootId: () => boot,
  };
}

const take = (reader: ProcessIdentityReader) => acquireFileLock(lock, { heldError: (o) => new HeldError(o), reader, hostname: 'host-a' });
const writeLock = (owner: Partial<LockOwner>) => fs.writeFileSync(lock, JSON.stringify({ hostname: 'host-a', at: 'then', ...owner }));
const ownerOf = () => JSON.parse(fs.readFileSync(lock, 'utf8')) as LockOwner;

describe('pid reuse', () => {
  it('a lock whose pid now belongs to a process that started at another time is stale', () => {
    writeLock({ pid: 4242, startTime: '1000', bootId: 'boot-1' });
    const release = take(machine({ 4242: '9999', [process.pid]: '5' }));
    expect(ownerOf()).toMatchObject({ pid: process.pid, startTime: '5', bootId: 'boot-1', hostname: 'host-a' });
    release();
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('the same pid with the same start time is the owner, still running: held', () => {
    writeLock({ pid: 4242, startTime: '1000', bootId: 'boot-1' });
    expect(() => take(machine({ 4242: '1000' }))).toThrow(HeldError);
    expect(ownerOf().pid).toBe(4242);
  });

  it('a lock from an earlier boot is stale whatever runs under its pid now', () => {
    writeLock({ pid: 4242, startTime: '1000', bootId: 'boot-0' });
    expect(() => take(machine({ 4242: '1000' }))).not.toThrow();
  });

  it('without a recorded start time (older lock files) or a readable one (no /proc), the pid decides', () => {
    writeLock({ pid: 4242 });
    expect(() => take(machine({ 4242: '1000' }))).toThrow(HeldError);
    writeLock({ pid: 4242, startTime: '1000' });
    const noProc: ProcessIdentityReader = { isAlive: (pid) => pid === 4242, startTime: () => undefined, bootId: () => undefined };
    expect(() => take(noProc)).toThrow(HeldError);
    expect(isOwnerAlive({ pid: 4242, startTime: '1' }, noProc)).toBe(true);
    expect(isOwnerAlive({ pid: 4243 }, noProc)).toBe(false);
    expect(isOwnerAlive({ pid: 0 }, noProc)).toBe(false);
  });

  it('a lock from another host is held (its pid cannot be checked from here)', () => {
    writeLock({ pid: 4242, hostname: 'host-b' });
    expect(() => take(machine({}))).toThrow(HeldError);
  });

  it('reaches the journal: Journal.open takes over a lock whose pid was reused', () => {
    const journal = path.join(dir, 'run.jsonl');
    fs.writeFileSync(`${journal}.lock`, JSON.stringify({ pid: 4242, hostname: os.hostname(), at: 'then', startTime: '1' }));
    const j = Journal.open(journal, { reader: machine({ 4242: '2', [process.pid]: '3' }) });
    j.close();
    expect(() => Journal.open(journal, { reader: machine({ 4242: '2' }) }).close()).not.toThrow();
    fs.writeFileSync(`${journal}.lock`, JSON.stringify({ pid: 4242, hostname: os.hostname(), at: 'then', startTime: '2' }));
    expect(() => Journal.open(journal, { reader: machine({ 4242: '2' }) })).toThrow(
      expect.objectContaining({ code: 'JOURNAL_LOCKED', message: expect.stringContaining('process 4242') }),
    );
  });
});

describe('takeover claims', () => {
  const dead = machine({ [process.pid]: '5' });

  it('leave nothing behind: only the lock file remains', () => {
    writeLock({ pid: 4242 });
    take(dead);
    expect(fs.readdirSync(dir)).toEqual(['run.jsonl.lock']);
  });

  it('a live claimant is taking the stale lock over: held, naming it', () => {
    const stale = JSON.stringify({ pid: 4242, hostname: 'host-a', at: 'then' });
    fs.writeFileSync(lock, stale);
    // Another contender (pid 77, running) won the claim on this exact stale file and is mid-takeover.
    fs.writeFileSync(`${lock}.takeover-${claimKeyFor(stale)}-0`, JSON.stringify({ pid: 77, hostname: 'host-a', at: 'now' }));
    let err: unknown;
    try {
      take(machine({ 77: '1', [process.pid]: '5' }));
    } catch (e) {
      err = e;
    }
    expect((err as HeldError).owner?.pid).toBe(77);
    expect(JSON.parse(fs.readFileSync(lock, 'utf8'))).toMatchObject({ pid: 4242 });
  });

  it('a claimant killed mid-takeover: the next generation takes over and removes both claims', () => {
    const stale = JSON.stringify({ pid: 4242, hostname: 'host-a', at: 'then' });
    fs.writeFileSync(lock, stale);
    fs.writeFileSync(`${lock}.takeover-${claimKeyFor(stale)}-0`, JSON.stringify({ pid: 78, hostname: 'host-a', at: 'now' }));
    take(dead);
    expect(ownerOf().pid).toBe(process.pid);
    expect(fs.readdirSync(dir)).toEqual(['run.jsonl.lock']);
  });

  /** The claim key of the lock file as it is on disk now: a hash of its inode and content (as lock.ts computes it). */
  function claimKeyFor(content: string): string {
    const st = fs.statSync(lock);
    return createHash('sha256').update(`${st.dev}:${st.ino}:${content}`).digest('hex').slice(0, 16);
  }
});

describe('two contenders interleaved at every step of a takeover (deterministic)', () => {
  // The injected reader is the seam: whenever the first contender asks whether a pid is alive
  // (judging the stale lock, or a claim), the second contender runs its whole acquisition right
  // there. The old "check, delete, recreate" lock let both proceed at the first of these points;
  // a correct takeover lets exactly one.
  const STALE = 4242;

  /** A reader where only this process runs; `interleave` runs once, at the `at`-th liveness question. */
  function interleaving(at: number, interleave: () => void): ProcessIdentityReader {
    const base = machine({ [process.pid]: '5' });
    let asked = 0;
    return {
      ...base,
      isAlive(pid) {
        if (++asked === at) interleave();
        return base.isAlive(pid);
      },
    };
  }

  // Question 1: the first judges the stale lock; question 2: it re-checks it after winning the claim.
  for (const at of [1, 2]) {
    it(`the second contender runs at liveness question ${at} of the first: exactly one proceeds`, () => {
      writeLock({ pid: STALE });
      const winners: string[] = [];
      const attempt = (name: string, reader: ProcessIdentityReader): void => {
        try {
          acquireFileLock(lock, { heldError: (o) => new HeldError(o), reader, hostname: 'host-a' });
          winners.push(name);
        } catch (err) {
          if (!(err instanceof HeldError)) throw err;
        }
      };
      let interleaved = false;
      attempt(
        'first',
        interleaving(at, () => {
          interleaved = true;
          attempt('second', machine({ [process.pid]: '5' }));
        }),
      );
      expect(interleaved).toBe(true);
      expect(winners).toHaveLength(1);
      // The lock is a live owner's (ours), and no claim or temporary file is left beside it.
      expect(ownerOf().pid).toBe(process.pid);
      expect(fs.readdirSync(dir)).toEqual(['run.jsonl.lock']);
    });
  }
});

describe('process identity', () => {
  it('parses field 22 of /proc/<pid>/stat, whatever the command name holds', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    expect(parseProcStatStartTime(`123 (a) b) c) ${fields.join(' ')}`)).toBe('22');
    expect(parseProcStatStartTime('garbage')).toBeUndefined();
  });

  it('reads this process on Linux, and nothing where /proc is missing', () => {
    const me = currentProcessIdentity();
    expect(me.pid).toBe(process.pid);
    if (fs.existsSync('/proc/self/stat')) {
      expect(me.startTime).toMatch(/^\d+$/);
      expect(me.bootId).toMatch(/\S/);
      expect(isOwnerAlive(me)).toBe(true);
      expect(isOwnerAlive({ ...me, startTime: `${me.startTime}1` })).toBe(false);
    } else {
      expect(me.startTime).toBeUndefined();
    }
    expect(systemProcessReader.startTime(-1)).toBeUndefined();
  });

  it('lock files: JSON with identity, or a bare pid', () => {
    expect(parseLockOwner('{"pid":5,"hostname":"h","at":"t","startTime":"9","bootId":"b","nonce":"n"}')).toEqual({
      pid: 5,
      hostname: 'h',
      at: 't',
      startTime: '9',
      bootId: 'b',
      nonce: 'n',
    });
    expect(parseLockOwner('123\n', 'here')).toEqual({ pid: 123, hostname: 'here', at: '' });
    expect(parseLockOwner('{"pid":"5"}')).toBeUndefined();
    expect(parseLockOwner('')).toBeUndefined();
  });
});
