// An exclusive lock file next to the thing it guards (`run.jsonl.lock`), holding who owns it: pid,
// process start time and boot id (./process-identity.ts), hostname, time and a random nonce. A lock
// whose owner is gone (kill -9, power loss, a reused pid) is stale and is taken over.
//
// Why this is race-free (the old "check, delete, recreate" let three resumers delete each other's
// fresh locks and all proceed):
// - A fresh lock is created with link(2) from a fully written temporary file: link fails with
//   EEXIST when the name exists, so exactly one creator wins, and nobody ever reads a half-written
//   lock.
// - A stale lock is never deleted. A contender first claims that exact stale file by creating
//   `<lock>.takeover-<key>-<g>` (link(2) again, so exactly one contender per name), where <key>
//   hashes the stale file's inode and content. Only the claimant re-reads the lock, checks that it
//   is still the same stale file, and rename(2)s its own lock over it (an atomic replacement: the
//   name always exists). Nobody else can change the lock file meanwhile: its owner is dead, a
//   fresh creator fails on EEXIST, and every other contender needs the same claim name. Contenders
//   that lose the claim see a live claimant and report the lock as held.
// - A claimant killed between its claim and its rename leaves a claim with a dead owner; the next
//   contender claims generation <g+1> instead, never deleting the old claim, so the same rule holds.
//   Claims are removed once the lock has been replaced: a late claimant then finds a different lock
//   file on its re-check and backs off.
// Where hard links are unsupported (some network and FAT file systems) creation falls back to
// O_EXCL, which is still exclusive but can show a half-written file for a moment (read as "held").
// A kill -9 in the middle of taking the lock can leave `<lock>.<nonce>.tmp` behind: never read.
// Correctness rests on the liveness check (./process-identity.ts): with /proc, pid reuse cannot
// make a dead owner look alive or a live one look dead; without it, the pid alone decides.
import { randomBytes, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import {
  currentProcessIdentity,
  identityFields,
  isOwnerAlive,
  systemProcessReader,
  type ProcessIdentity,
  type ProcessIdentityReader,
} from './process-identity.js';

/** What a lock file says about its owner. */
export interface LockOwner extends ProcessIdentity {
  hostname: string;
  /** ISO-8601 time the lock was taken ('' for a lock file holding a bare pid). */
  at: string;
  /** Random, unique per lock: tells our own lock from anyone else's. */
  nonce?: string;
}

/** A lock file as read: its owner (undefined when unreadable) and what identifies this exact file. */
interface LockFile {
  owner: LockOwner | undefined;
  key: string;
}

export interface AcquireLockOptions {
  /** The error to throw when someone else holds the lock (owner undefined: unreadable or unknown). */
  heldError(owner: LockOwner | undefined): Error;
  reader?: ProcessIdentityReader;
  hostname?: string;
  now?: () => Date;
}

const MAX_ATTEMPTS = 8;
const MAX_GENERATIONS = 16;
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Parses a lock file's text: JSON from this version, or a bare pid (older lock files). */
export function parseLockOwner(text: string, hostname: string = os.hostname()): LockOwner | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), hostname, at: '' };
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object') return undefined;
  const v = raw as Record<string, unknown>;
  if (typeof v.pid !== 'number') return undefined;
  const owner: LockOwner = {
    pid: v.pid,
    hostname: typeof v.hostname === 'string' ? v.hostname : hostname,
    at: typeof v.at === 'string' ? v.at : '',
    ...identityFields(v),
  };
  if (typeof v.nonce === 'string') owner.nonce = v.nonce;
  return owner;
}

function readLockFile(path: string, hostname: string): LockFile | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const st = fs.fstatSync(fd);
    const text = fs.readFileSync(fd, 'utf8');
    const key = createHash('sha256').update(`${st.dev}:${st.ino}:${text}`).digest('hex').slice(0, 16);
    return { owner: parseLockOwner(text, hostname), key };
  } finally {
    fs.closeSync(fd);
  }
}

/** Creates `path` only if it does not exist, already holding the content of `source`. */
function createExclusive(source: string, path: string, content: string): void {
  try {
    fs.linkSync(source, path);
  } catch (err) {
    if (!NO_HARD_LINKS.has(errnoCode(err) ?? '')) throw err;
    const fd = fs.openSync(path, 'wx', 0o644);
    try {
      fs.writeSync(fd, content);
    } finally {
      fs.closeSync(fd);
    }
  }
}

function removeQuietly(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // Already gone, or not ours to remove: nothing depends on it.
  }
}

/**
 * Takes `lockPath` exclusively (see the module comment) and returns the function that releases
 * it. Throws `opts.heldError(owner)` when a live process (or one on another host, whose pid
 * cannot be checked from here) holds it; file system errors are thrown as they are.
 */
export function acquireFileLock(lockPath: string, opts: AcquireLockOptions): () => void {
  const reader = opts.reader ?? systemProcessReader;
  const hostname = opts.hostname ?? os.hostname();
  const at = (opts.now ?? (() => new Date()))().toISOString();
  const me: LockOwner = { ...currentProcessIdentity(reader), hostname, at, nonce: randomBytes(8).toString('hex') };
  const content = `${JSON.stringify(me)}\n`;
  const tmp = `${lockPath}.${me.nonce}.tmp`;
  fs.writeFileSync(tmp, content, { flag: 'wx', mode: 0o644 });
  const isStale = (file: LockFile): boolean => file.owner !== undefined && file.owner.hostname === hostname && !isOwnerAlive(file.owner, reader);
  const release = (): void => {
    if (readLockFile(lockPath, hostname)?.owner?.nonce === me.nonce) removeQuietly(lockPath);
  };
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        createExclusive(tmp, lockPath, content);
        return release;
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
      }
      const current = readLockFile(lockPath, hostname);
      if (current === undefined) continue; // released in the meantime: try to create it again
      if (!isStale(current)) throw opts.heldError(current.owner);
      const claimant = takeOver(lockPath, current, tmp, content, { isStale, hostname, reader });
      if (claimant === 'won') return release;
      if (claimant !== 'retry') throw opts.heldError(claimant);
    }
    throw opts.heldError(undefined);
  } finally {
    removeQuietly(tmp);
  }
}

interface TakeoverContext {
  isStale(file: LockFile): boolean;
  hostname: string;
  reader: ProcessIdentityReader;
}

/**
 * Replaces the stale lock `stale` with ours if we win its claim: 'won'; 'retry' when the lock file
 * changed meanwhile; otherwise the live claimant (who is taking it over, so the lock is held).
 */
function takeOver(lockPath: string, stale: LockFile, tmp: string, content: string, ctx: TakeoverContext): 'won' | 'retry' | LockOwner | undefined {
  const claims: string[] = [];
  for (let g = 0; g < MAX_GENERATIONS; g++) {
    const claim = `${lockPath}.takeover-${stale.key}-${g}`;
    claims.push(claim);
    try {
      createExclusive(tmp, claim, content);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      const other = readLockFile(claim, ctx.hostname);
      // Gone: its claimant finished and cleaned up, so the lock file has changed.
      if (other === undefined) return 'retry';
      // A claimant that died before finishing: the next generation decides.
      if (other.owner !== undefined && other.owner.hostname === ctx.hostname && !isOwnerAlive(other.owner, ctx.reader)) continue;
      return other.owner;
    }
    // Ours. Is the lock still the exact stale file we judged (same inode and content, owner gone)?
    const now = readLockFile(lockPath, ctx.hostname);
    if (now === undefined || now.key !== stale.key || !ctx.isStale(now)) {
      removeQuietly(claim);
      return 'retry';
    }
    fs.renameSync(tmp, lockPath);
    for (const c of claims) removeQuietly(c);
    return 'won';
  }
  return undefined;
}
