// The send journal (`--journal <file>`): append-only JSON lines that let a re-run skip everyone
// already accepted, even after kill -9. Each recipient gets a "started" line *before* its request
// and one final line after it; a recipient whose last line is "started" crashed mid-request, so
// its outcome is unknown and it is not resent automatically. Lines are written with one
// synchronous write each on an O_APPEND descriptor: once `writeSync` returns, the line is in the
// kernel and survives the process being killed. `fsync: true` also survives power loss, at a cost
// of about one disk flush per line.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { RecipientResult, ResultError } from './types.js';
import { CliError, ErrorCode, UsageError } from '../errors/errors.js';
import { ExitCode } from '../errors/exit-codes.js';

/** A recipient's state as one journal line records it. */
export type JournalStatus = 'started' | 'accepted' | 'failed' | 'unknown';

/** One journal line about one recipient. */
export interface JournalRecord {
  to: string;
  status: JournalStatus;
  /** The provider's message id (accepted only). */
  id?: string;
  providerStatus?: string;
  error?: ResultError;
  /** ISO-8601 time the line was written. */
  at: string;
}

/** What `loadJournal` found. */
export interface LoadedJournal {
  /** Last record per recipient (E.164), in file order. */
  records: Map<string, JournalRecord>;
  /** 1-based numbers of lines that are not valid records (a truncated write, a hand edit). */
  badLines: number[];
  /** The file ended in a partial line: the previous run was killed while writing it. */
  truncatedTail: boolean;
}

const STATUSES: ReadonlySet<string> = new Set<JournalStatus>(['started', 'accepted', 'failed', 'unknown']);

function toRecord(value: unknown): JournalRecord | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Partial<JournalRecord>;
  if (typeof v.to !== 'string' || typeof v.status !== 'string' || !STATUSES.has(v.status)) return undefined;
  return v as JournalRecord;
}

/** Parses journal text (pure; see `loadJournal`). Run header lines (no `to`) are skipped. */
export function parseJournal(text: string): LoadedJournal {
  const records = new Map<string, JournalRecord>();
  const badLines: number[] = [];
  const lines = text.split('\n');
  const endsClean = text === '' || text.endsWith('\n');
  let truncatedTail = false;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const isLast = i === lines.length - 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (isLast && !endsClean) truncatedTail = true;
      else badLines.push(i + 1);
      continue;
    }
    if (parsed && typeof parsed === 'object' && !('to' in parsed)) continue;
    const rec = toRecord(parsed);
    if (!rec) {
      badLines.push(i + 1);
      continue;
    }
    // Re-insert so the Map's order is the order of each recipient's latest line.
    records.delete(rec.to);
    records.set(rec.to, rec);
  }
  return { records, badLines, truncatedTail };
}

/** Reads a journal file; a missing file is an empty journal. Tolerates a torn last line. */
export function loadJournal(path: string): LoadedJournal {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: new Map(), badLines: [], truncatedTail: false };
    throw journalUsageError(path, err);
  }
  return parseJournal(text);
}

/** What a re-run does with one recipient, given its last journal record. */
export type ResumeAction = { action: 'send' } | { action: 'skip'; result: RecipientResult };

/**
 * Resume rules: accepted → skip (reported `skipped` with its id); failed or never seen → send;
 * started or unknown → the message may exist, so report `unknown` and skip, unless
 * `retryAmbiguous`.
 */
export function resumeAction(prior: JournalRecord | undefined, retryAmbiguous = false): ResumeAction {
  if (!prior || prior.status === 'failed') return { action: 'send' };
  if (prior.status === 'accepted') {
    const result: RecipientResult = { to: prior.to, status: 'skipped' };
    if (prior.id !== undefined) result.id = prior.id;
    if (prior.providerStatus !== undefined) result.providerStatus = prior.providerStatus;
    return { action: 'skip', result };
  }
  if (retryAmbiguous) return { action: 'send' };
  const why =
    prior.status === 'started'
      ? `An earlier run stopped while sending to ${prior.to} (${prior.at}), before its outcome was recorded`
      : `An earlier run could not tell whether the message to ${prior.to} was created (${prior.at})`;
  return {
    action: 'skip',
    result: {
      to: prior.to,
      status: 'unknown',
      error: {
        code: ErrorCode.OUTCOME_UNKNOWN,
        message: `${why}: not resent. Check the provider's message log; --retry-ambiguous resends it.`,
      },
    },
  };
}

/** The lock file's contents. */
interface LockInfo {
  pid: number;
  hostname: string;
  at: string;
}

function readLock(lockPath: string): LockInfo | undefined {
  try {
    const text = fs.readFileSync(lockPath, 'utf8').trim();
    if (/^\d+$/.test(text)) return { pid: Number(text), hostname: os.hostname(), at: '' };
    const v = JSON.parse(text) as Partial<LockInfo>;
    return typeof v.pid === 'number' ? { pid: v.pid, hostname: typeof v.hostname === 'string' ? v.hostname : os.hostname(), at: v.at ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates `<journal>.lock` exclusively (O_EXCL) holding our pid. A lock left by a dead process on
 * this host (kill -9, power loss) is taken over; a live one, or one from another host, is an
 * error. Returns the function that releases it.
 */
export function acquireJournalLock(journalPath: string): () => void {
  const lockPath = `${journalPath}.lock`;
  const mine: LockInfo = { pid: process.pid, hostname: os.hostname(), at: new Date().toISOString() };
  const content = JSON.stringify(mine);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx', 0o644);
      try {
        fs.writeSync(fd, content);
      } finally {
        fs.closeSync(fd);
      }
      return () => {
        // Only remove the lock if it is still ours.
        if (fs.existsSync(lockPath) && readLock(lockPath)?.pid === mine.pid) fs.rmSync(lockPath, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw journalUsageError(lockPath, err);
    }
    const holder = readLock(lockPath);
    const isStale = holder !== undefined && holder.hostname === os.hostname() && !isProcessAlive(holder.pid);
    if (!isStale) {
      const who = holder ? `process ${holder.pid}${holder.hostname !== os.hostname() ? ` on ${holder.hostname}` : ''}${holder.at ? ` since ${holder.at}` : ''}` : 'another process';
      throw new UsageError(`The journal ${journalPath} is in use by ${who}`, {
        code: ErrorCode.JOURNAL_LOCKED,
        suggestion: `Wait for that run to finish, or use another --journal. If no run is active, delete ${lockPath}`,
      });
    }
    // Stale: re-read just before removing so we do not delete a lock another resumer has just
    // taken over (a narrow race that O_EXCL on the next attempt settles).
    if (readLock(lockPath)?.pid === holder.pid) fs.rmSync(lockPath, { force: true });
  }
  throw new UsageError(`Could not lock the journal ${journalPath}: another run keeps taking it`, { code: ErrorCode.JOURNAL_LOCKED });
}

function journalUsageError(path: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new UsageError(`Cannot use the journal ${path} (${code})`, {
    code: ErrorCode.JOURNAL_UNUSABLE,
    cause: err,
    suggestion: 'Pass a writable file path to --journal',
  });
}

export interface OpenJournalOptions {
  /** Flush each line to disk too (survives power loss, not just kill -9). */
  fsync?: boolean;
  /** Clock for the `at` fields (tests). */
  now?: () => Date;
}

/** What the send runner needs from a journal (the `Journal` class, or a fake in tests). */
export interface DispatchJournal {
  /** The recipient's last record from earlier runs. */
  prior(to: string): JournalRecord | undefined;
  /** Records that a request to `to` is about to be sent; it must be durable before sending. */
  started(to: string): void | Promise<void>;
  /** Records a recipient's final outcome. */
  finished(result: RecipientResult): void | Promise<void>;
}

/** An open, locked journal file. Call `close()` when the run ends, also after errors. */
export class Journal implements DispatchJournal {
  readonly path: string;
  /** What earlier runs recorded (loaded once, at open). */
  readonly loaded: LoadedJournal;
  private fd: number | undefined;
  private readonly release: () => void;
  private readonly isFsync: boolean;
  private readonly now: () => Date;

  private constructor(path: string, fd: number, loaded: LoadedJournal, release: () => void, opts: OpenJournalOptions) {
    this.path = path;
    this.fd = fd;
    this.loaded = loaded;
    this.release = release;
    this.isFsync = opts.fsync ?? false;
    this.now = opts.now ?? (() => new Date());
  }

  /** Locks, loads and opens a journal for appending (creating it if needed). */
  static open(path: string, opts: OpenJournalOptions = {}): Journal {
    const release = acquireJournalLock(path);
    try {
      const loaded = loadJournal(path);
      const fd = fs.openSync(path, 'a', 0o600);
      const journal = new Journal(path, fd, loaded, release, opts);
      // Seal a line torn by kill -9 so our first line does not glue onto it.
      const size = fs.fstatSync(fd).size;
      if (size > 0 && !endsWithNewline(path, size)) journal.append('\n');
      journal.writeLine({ run: { pid: process.pid, at: journal.now().toISOString() } });
      return journal;
    } catch (err) {
      release();
      throw err instanceof CliError ? err : journalUsageError(path, err);
    }
  }

  /** The last record of `to` from earlier runs. */
  prior(to: string): JournalRecord | undefined {
    return this.loaded.records.get(to);
  }

  /** Writes the "started" line (call before every recipient's first request). */
  started(to: string): void {
    this.writeLine({ to, status: 'started', at: this.now().toISOString() } satisfies JournalRecord);
  }

  /** Writes a final outcome. Skipped results are not written: the journal already has them. */
  finished(result: RecipientResult): void {
    if (result.status === 'skipped') return;
    const rec: JournalRecord = { to: result.to, status: result.status, at: this.now().toISOString() };
    if (result.id !== undefined) rec.id = result.id;
    if (result.providerStatus !== undefined) rec.providerStatus = result.providerStatus;
    if (result.error !== undefined) rec.error = result.error;
    this.writeLine(rec);
  }

  /**
   * Records what the provider's message log says about a recipient an earlier run left unknown:
   * found → accepted (skipped on this run); not found → failed, so this run sends it.
   */
  reconciled(to: string, found: { id: string; providerStatus: string } | undefined): void {
    const rec: JournalRecord = found
      ? { to, status: 'accepted', id: found.id, providerStatus: found.providerStatus, at: this.now().toISOString() }
      : {
          to,
          status: 'failed',
          error: { code: ErrorCode.OUTCOME_UNKNOWN, message: "not in the provider's message log after an interrupted run: sending it again" },
          at: this.now().toISOString(),
        };
    this.writeLine(rec);
    this.loaded.records.set(to, rec);
  }

  /** Closes the file and releases the lock (idempotent). */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fs.closeSync(fd);
    } finally {
      this.release();
    }
  }

  private writeLine(value: unknown): void {
    this.append(`${JSON.stringify(value)}\n`);
  }

  private append(text: string): void {
    if (this.fd === undefined) throw new CliError(ErrorCode.INTERNAL, ExitCode.INTERNAL, `The journal ${this.path} is closed`);
    const buf = Buffer.from(text, 'utf8');
    try {
      let off = 0;
      while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
      if (this.isFsync) fs.fdatasyncSync(this.fd);
    } catch (err) {
      throw new CliError(ErrorCode.JOURNAL_WRITE_FAILED, ExitCode.INTERNAL, `Could not write to the journal ${this.path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
        cause: err,
        suggestion: 'Free disk space or fix the permissions, then re-run with the same --journal to resume',
      });
    }
  }
}

function endsWithNewline(path: string, size: number): boolean {
  const fd = fs.openSync(path, 'r');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, size - 1);
    return b[0] === 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}
