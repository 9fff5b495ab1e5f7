// The send journal (`--journal <file>`): append-only JSON lines that let a re-run skip everyone
// already accepted, even after kill -9. Each recipient gets a "started" line *before* its request
// and one final line after it; a recipient whose last line is "started" crashed mid-request, so
// its outcome is unknown and it is not resent automatically. Lines are written with one
// synchronous write each on an O_APPEND descriptor: once `writeSync` returns, the line is in the
// kernel and survives the process being killed. `fsync: true` also survives power loss, at a cost
// of about one disk flush per line.
//
// Integrity (format version 2): the first line is a header ({"mms":"journal","version":2,
// "createdAt":…}) so that a CSV or any other file passed by mistake is refused before anything is
// sent, and every line ends with "sum", a short SHA-256 of the rest of the line, so that a line
// damaged in place (NUL blocks after a crash, stray bytes, an edit) is detected even when it still
// parses as JSON. A damaged line is never skipped silently: it may have been the only trace of a
// request that went out, so opening refuses until the user repairs the journal (`repairJournal`,
// `--journal-repair`), which keeps every intact line and marks the recipients the damage may hide
// as unknown. The one tolerated defect is a line cut short by kill -9 at the end of a run: the
// next run seals it with a newline and names it in its run line (`sealed`).
//
// Journals written by v0.1 have no header and no sums. They stay readable when every line is a
// valid record (their sealed torn lines included: v0.1 sealed them with a newline followed by a
// run line); new lines appended to them carry sums, and a repair rewrites them in format 2.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RecipientResult, ResultError } from './types.js';
import { acquireFileLock, type LockOwner } from './lock.js';
import { isPidAlive, type ProcessIdentityReader } from './process-identity.js';
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

/** The first line of a journal (format 2). Holds no secrets: what and when, nothing else. */
export interface JournalHeader {
  mms: 'journal';
  version: number;
  createdAt: string;
}

/** The journal format this version writes. Format 1 is v0.1's: no header, no line sums. */
export const JOURNAL_FORMAT_VERSION = 2;

/** What `loadJournal` found. */
export interface LoadedJournal {
  /** Last record per recipient (E.164), in file order. */
  records: Map<string, JournalRecord>;
  /** 1-based numbers of lines that are not valid records (a truncated write, a hand edit). */
  badLines: number[];
  /** The file ended in a partial line: the previous run was killed while writing it. */
  truncatedTail: boolean;
  /** The header, when the file has one (format 2). */
  header?: JournalHeader;
  /** The bad lines that are damage, not a sealed cut-short line: opening refuses while there are any. */
  damagedLines?: number[];
  /** Set when the file has content but not one journal line: a CSV, a text file, binary data. */
  isNotJournal?: true;
  /** The number of the cut-short last line (with `truncatedTail`). */
  tailLine?: number;
  /** Set when the file holds no journal line yet (empty, blank, or a header cut short): a new journal. */
  isFresh?: true;
  /** Recipients whose last record is "started" or "unknown" (an earlier run left them in doubt). */
  inDoubt?: number;
}

const STATUSES: ReadonlySet<string> = new Set<JournalStatus>(['started', 'accepted', 'failed', 'unknown']);
const HEADER_PREFIX = '{"mms":"journal"';
const SUM_LENGTH = 8;

function lineSum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, SUM_LENGTH);
}

/** One journal line for `value` (an object), with its sum as the last key, and the newline. */
export function formatJournalLine(value: object): string {
  const json = JSON.stringify(value);
  return `${json.slice(0, -1)}${json.length > 2 ? ',' : ''}"sum":"${lineSum(json)}"}\n`;
}

function toRecord(v: Record<string, unknown>): JournalRecord | undefined {
  if (typeof v.to !== 'string' || v.to === '' || typeof v.status !== 'string' || !STATUSES.has(v.status) || typeof v.at !== 'string') return undefined;
  if ((v.id !== undefined && typeof v.id !== 'string') || (v.providerStatus !== undefined && typeof v.providerStatus !== 'string')) return undefined;
  if (v.error !== undefined && (!v.error || typeof v.error !== 'object' || typeof (v.error as ResultError).code !== 'string')) return undefined;
  return v as unknown as JournalRecord;
}

function toHeader(v: Record<string, unknown>): JournalHeader | undefined {
  if (v.mms !== 'journal' || typeof v.version !== 'number' || !Number.isInteger(v.version)) return undefined;
  return { mms: 'journal', version: v.version, createdAt: typeof v.createdAt === 'string' ? v.createdAt : '' };
}

/** One line as the scanner classified it. */
type ScanEntry =
  | { kind: 'record'; line: number; record: JournalRecord; offset: number }
  | { kind: 'header'; line: number; header: JournalHeader }
  | { kind: 'run'; line: number; run: Record<string, unknown>; hasSum: boolean }
  | { kind: 'repair'; line: number; repair: Record<string, unknown> }
  | { kind: 'bad'; line: number; bytes: Buffer; reason: string }
  | { kind: 'tail'; line: number; bytes: Buffer };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Classifies one line (no newline). `requireSum`: format 2, where every line carries one. */
function classifyLine(bytes: Buffer, line: number, requireSum: boolean, offset = 0): ScanEntry {
  const bad = (reason: string): ScanEntry => ({ kind: 'bad', line, bytes, reason });
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return bad('not UTF-8 text (binary data)');
  }
  if (text.includes('\u0000')) return bad('contains NUL bytes');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return bad('not a JSON line');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return bad('not a journal record');
  const { sum, ...rest } = parsed as Record<string, unknown>;
  const hasSum = sum !== undefined;
  if (hasSum && (typeof sum !== 'string' || lineSum(JSON.stringify(rest)) !== sum)) return bad('checksum mismatch (changed after it was written)');
  if (!hasSum && requireSum) return bad('no checksum');
  const header = toHeader(rest);
  if (header) return { kind: 'header', line, header };
  if (rest.run && typeof rest.run === 'object' && !('to' in rest)) return { kind: 'run', line, run: rest.run as Record<string, unknown>, hasSum };
  if (rest.repair && typeof rest.repair === 'object' && !('to' in rest)) return { kind: 'repair', line, repair: rest.repair as Record<string, unknown> };
  const record = toRecord(rest);
  return record ? { kind: 'record', line, record, offset } : bad('not a journal record');
}

/**
 * True when `bytes` can be the beginning of a journal line cut short by kill -9: the start of a
 * JSON object, incomplete, with nothing a complete line could not contain. Garbage written over
 * the end of a journal is not a prefix of any JSON text, so it is reported as damage instead.
 */
export function isCutShortLine(bytes: Uint8Array): boolean {
  let text: string | undefined;
  // The cut may split a multi-byte character: drop up to 3 trailing bytes to find valid UTF-8.
  for (let drop = 0; drop <= 3 && text === undefined && drop <= bytes.length; drop++) {
    try {
      text = utf8.decode(bytes.subarray(0, bytes.length - drop));
    } catch {
      // try with one byte fewer
    }
  }
  return text !== undefined && text.trimStart().startsWith('{') && jsonPrefixState(text) === 'incomplete';
}

type PrefixState = 'incomplete' | 'complete' | 'invalid';

/** Scans JSON text: 'incomplete' when it is a proper prefix of some JSON value (a small state machine, linear time). */
function jsonPrefixState(text: string): PrefixState {
  const stack: string[] = [];
  // What may come next: a value, a key, a colon, a comma or closing bracket, or nothing at all.
  let expect: 'value' | 'key' | 'colon' | 'next' | 'done' = 'value';
  const afterValue = (): 'next' | 'done' => (stack.length === 0 ? 'done' : 'next');
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (expect === 'done') return 'invalid';
    if (c === '"' && (expect === 'value' || expect === 'key')) {
      const end = scanString(text, i + 1);
      if (typeof end !== 'number') return end;
      i = end;
      expect = expect === 'key' ? 'colon' : afterValue();
      continue;
    }
    const top = stack[stack.length - 1];
    if (expect === 'colon') {
      if (c !== ':') return 'invalid';
      expect = 'value';
    } else if (expect === 'next') {
      if (c === ',') expect = top === '{' ? 'key' : 'value';
      else if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
        stack.pop();
        expect = afterValue();
      } else return 'invalid';
    } else if (expect === 'key') {
      // A key, or the end of an empty object.
      if (c !== '}' || top !== '{') return 'invalid';
      stack.pop();
      expect = afterValue();
    } else if (c === '{' || c === '[') {
      stack.push(c);
      expect = c === '{' ? 'key' : 'value';
    } else if (c === ']' && top === '[') {
      stack.pop();
      expect = afterValue();
    } else {
      const end = scanLiteral(text, i);
      if (typeof end !== 'number') return end;
      i = end;
      expect = afterValue();
      continue;
    }
    i++;
  }
  return expect === 'done' ? 'complete' : 'incomplete';
}

/** Scans a string body from `i` (after the quote): the index after the closing quote, or a state. */
function scanString(text: string, i: number): number | 'incomplete' | 'invalid' {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return 'invalid';
    if (c === 0x5c) {
      const e = text[i + 1];
      if (e === undefined) return 'incomplete';
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]*$/.test(hex)) return 'invalid';
        if (hex.length < 4) return 'incomplete';
        i += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(e)) return 'invalid';
      i += 2;
      continue;
    }
    i++;
  }
  return 'incomplete';
}

/** Scans a number or true/false/null from `i`: the index after it, or a state. */
function scanLiteral(text: string, i: number): number | 'incomplete' | 'invalid' {
  const rest = text.slice(i);
  for (const word of ['true', 'false', 'null']) {
    if (rest.startsWith(word)) return i + word.length;
    if (word.startsWith(rest)) return 'incomplete';
  }
  const m = /^-?\d[\d.eE+-]*|^-$/.exec(rest);
  if (!m) return 'invalid';
  const end = i + m[0].length;
  return end === text.length ? 'incomplete' : end;
}

/** Reads the journal's bytes from a position: an empty buffer at the end (a whole buffer, or a file read in chunks). */
type ReadAt = (position: number) => Buffer;

/** Calls `onLine` for each line of `read`'s bytes (without its newline) with where it starts; the last may lack its newline. */
function forEachLine(read: ReadAt, onLine: (bytes: Buffer, offset: number, hasNewline: boolean) => void): void {
  let carry: Buffer = Buffer.alloc(0);
  let carryAt = 0;
  for (let pos = 0; ;) {
    const chunk = read(pos);
    if (chunk.length === 0) break;
    pos += chunk.length;
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      onLine(buf.subarray(start, nl), carryAt + start, true);
      start = nl + 1;
    }
    carry = buf.subarray(start);
    carryAt += start;
  }
  if (carry.length > 0) onLine(carry, carryAt, false);
}

/**
 * Splits journal bytes into classified lines. The format is decided by the first non-blank line:
 * a header means format 2 (every line must carry a valid sum); otherwise v0.1's format, where
 * lines without sums are accepted. A last line without its newline is the cut-short tail.
 */
function scanJournal(read: ReadAt, onEntry: (entry: ScanEntry) => void): void {
  let requireSum: boolean | undefined;
  let line = 0;
  forEachLine(read, (raw, offset, hasNewline) => {
    line++;
    const bytes = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, -1) : raw;
    if (/^[ \t]*$/.test(bytes.toString('latin1'))) return;
    if (!hasNewline) {
      const entry = classifyLine(bytes, line, requireSum ?? false, offset);
      // A complete line that merely lacks its newline is still a valid line; a bad one is only the
      // tolerated cut-short line when it could be the beginning of a line we wrote.
      onEntry(entry.kind === 'bad' && isCutShortLine(bytes) ? { kind: 'tail', line, bytes } : entry);
      return;
    }
    if (requireSum === undefined) {
      const first = classifyLine(bytes, line, false, offset);
      requireSum = first.kind === 'header';
      onEntry(first);
      return;
    }
    onEntry(classifyLine(bytes, line, requireSum, offset));
  });
}

/** The whole of `buf` as a ReadAt. */
function readBuffer(buf: Buffer): ReadAt {
  return (position) => buf.subarray(position);
}

/** A file descriptor as a ReadAt, in chunks of 1 MiB (positioned reads: the descriptor's offset is not used). */
function readFd(fd: number, chunk = 1024 * 1024): ReadAt {
  return (position) => {
    const buf = Buffer.allocUnsafe(chunk);
    const n = fs.readSync(fd, buf, 0, chunk, position);
    return buf.subarray(0, n);
  };
}

const STATUS_CODES: readonly JournalStatus[] = ['started', 'accepted', 'failed', 'unknown'];
const E164_KEY = /^\+[1-9]\d{0,14}$/;

/**
 * The last record of each recipient, compact enough for journals of millions of recipients: per recipient, its number
 * as an 8-byte key and where its last line starts plus its status as an 8-byte value, in an open-addressing table
 * (16–32 bytes each); the record itself is read back from the journal when asked for (a resume asks once per
 * recipient). A Map to its callers: records set after loading (reconciled ones) and keys that are not E.164 numbers are
 * kept whole in the Map itself. Iteration follows the order of each recipient's last line.
 */
class JournalRecords extends Map<string, JournalRecord> {
  private keys64 = new Float64Array(1024);
  private values64 = new Float64Array(1024);
  private count = 0;

  constructor(private readonly readLine: (offset: number) => JournalRecord) {
    super();
  }

  /** Notes the last line of `to` seen so far (scanning in file order). */
  note(to: string, status: JournalStatus, offset: number): void {
    if (!E164_KEY.test(to)) {
      // Re-inserted so the order is that of each recipient's last line.
      super.delete(to);
      super.set(to, this.readLine(offset));
      return;
    }
    const key = Number(to.slice(1));
    const slot = this.slotOf(this.keys64, key);
    if (this.keys64[slot] !== key) {
      this.keys64[slot] = key;
      this.count++;
    }
    this.values64[slot] = offset * 4 + STATUS_CODES.indexOf(status);
    if (this.count * 2 > this.keys64.length) this.grow();
  }

  /** Recipients whose last record has `status` (read from the table, not from the journal). */
  countStatus(status: JournalStatus): number {
    const code = STATUS_CODES.indexOf(status);
    let n = 0;
    for (let i = 0; i < this.keys64.length; i++) if (this.keys64[i] !== 0 && this.values64[i]! % 4 === code) n++;
    for (const [to, rec] of super.entries()) if (this.packedOf(to) === undefined && rec.status === status) n++;
    return n;
  }

  /** The status of `to`'s last record without reading it (undefined: none). */
  statusOf(to: string): JournalStatus | undefined {
    const whole = super.get(to);
    if (whole) return whole.status;
    const v = this.packedOf(to);
    return v === undefined ? undefined : STATUS_CODES[v % 4];
  }

  override get(to: string): JournalRecord | undefined {
    const whole = super.get(to);
    if (whole) return whole;
    const v = this.packedOf(to);
    return v === undefined ? undefined : this.readLine(Math.floor(v / 4));
  }

  override has(to: string): boolean {
    return super.has(to) || this.packedOf(to) !== undefined;
  }

  override get size(): number {
    let n = this.count;
    for (const k of super.keys()) if (this.packedOf(k) === undefined) n++;
    return n;
  }

  override delete(to: string): boolean {
    const had = this.has(to);
    super.delete(to);
    if (E164_KEY.test(to)) this.remove(Number(to.slice(1)));
    return had;
  }

  override clear(): void {
    super.clear();
    this.keys64 = new Float64Array(1024);
    this.values64 = new Float64Array(1024);
    this.count = 0;
  }

  override *entries(): MapIterator<[string, JournalRecord]> {
    const order: Array<[number, string]> = [];
    for (let i = 0; i < this.keys64.length; i++) if (this.keys64[i] !== 0) order.push([Math.floor(this.values64[i]! / 4), `+${this.keys64[i]}`]);
    order.sort((a, b) => a[0] - b[0]);
    for (const [, to] of order) yield [to, this.get(to)!];
    for (const [to, rec] of super.entries()) if (this.packedOf(to) === undefined) yield [to, rec];
  }

  override [Symbol.iterator](): MapIterator<[string, JournalRecord]> {
    return this.entries();
  }

  override *keys(): MapIterator<string> {
    for (const [to] of this.entries()) yield to;
  }

  override *values(): MapIterator<JournalRecord> {
    for (const [, rec] of this.entries()) yield rec;
  }

  override forEach(fn: (value: JournalRecord, key: string, map: Map<string, JournalRecord>) => void, thisArg?: unknown): void {
    for (const [to, rec] of this.entries()) fn.call(thisArg, rec, to, this);
  }

  private packedOf(to: string): number | undefined {
    if (!E164_KEY.test(to)) return undefined;
    const key = Number(to.slice(1));
    const slot = this.slotOf(this.keys64, key);
    return this.keys64[slot] === key ? this.values64[slot] : undefined;
  }

  private slotOf(keys: Float64Array, key: number): number {
    const mask = keys.length - 1;
    const hi = Math.floor(key / 4294967296);
    let h = Math.imul((key >>> 0) ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    for (let i = h & mask; ; i = (i + 1) & mask) if (keys[i] === key || keys[i] === 0) return i;
  }

  /** Backward-shift deletion keeps every probe chain whole. */
  private remove(key: number): void {
    const keys = this.keys64;
    const mask = keys.length - 1;
    let i = this.slotOf(keys, key);
    if (keys[i] !== key) return;
    this.count--;
    keys[i] = 0;
    for (let j = (i + 1) & mask; keys[j] !== 0; j = (j + 1) & mask) {
      const k = keys[j]!;
      const v = this.values64[j]!;
      keys[j] = 0;
      const to = this.slotOf(keys, k);
      keys[to] = k;
      this.values64[to] = v;
      i = to;
    }
  }

  private grow(): void {
    const [oldKeys, oldValues] = [this.keys64, this.values64];
    this.keys64 = new Float64Array(oldKeys.length * 2);
    this.values64 = new Float64Array(oldKeys.length * 2);
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] === 0) continue;
      const slot = this.slotOf(this.keys64, oldKeys[i]!);
      this.keys64[slot] = oldKeys[i]!;
      this.values64[slot] = oldValues[i]!;
    }
  }
}

/** Reads back the record whose line starts at `offset` (it was checked when the journal was scanned). */
function recordAt(read: ReadAt): (offset: number) => JournalRecord {
  return (offset) => {
    let bytes = Buffer.alloc(0);
    for (let pos = offset; ;) {
      const chunk = read(pos);
      const nl = chunk.indexOf(0x0a);
      bytes = Buffer.concat([bytes, nl >= 0 ? chunk.subarray(0, nl) : chunk]);
      if (nl >= 0 || chunk.length === 0) break;
      pos += chunk.length;
    }
    const { sum: _sum, ...record } = JSON.parse(bytes.toString('utf8')) as JournalRecord & { sum?: string };
    return record;
  };
}

/** A short fingerprint of a line's bytes, so a sealed cut-short line is recognised by content, not just by number. */
function bytesFingerprint(bytes: Uint8Array): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  return createHash('sha256').update(bytes.subarray(0, end)).digest('hex').slice(0, SUM_LENGTH);
}

/**
 * Which bad lines are cut-short lines that a later run sealed (tolerated). A run line of this
 * version names the line and its fingerprint: garbage that merges another line into the sealed one,
 * or shifts line numbers onto it, no longer matches and is reported. v0.1 run lines name nothing:
 * in a journal without a header, a bad line directly followed by a run line without a sum is how
 * v0.1 sealed one.
 */
class SealedLines {
  private readonly named = new Map<number, string | undefined>();
  private readonly badSums = new Map<number, string>();

  note(entry: ScanEntry, previous: ScanEntry | undefined, isLegacy: boolean): void {
    if (entry.kind === 'bad') this.badSums.set(entry.line, bytesFingerprint(entry.bytes));
    if (entry.kind !== 'run') return;
    if (typeof entry.run.sealed === 'number') this.named.set(entry.run.sealed, typeof entry.run.sealedSum === 'string' ? entry.run.sealedSum : undefined);
    else if (!entry.hasSum && isLegacy && previous?.kind === 'bad') this.named.set(previous.line, undefined);
  }

  has(line: number): boolean {
    if (!this.named.has(line)) return false;
    const want = this.named.get(line);
    return want === undefined || want === this.badSums.get(line);
  }
}

/** Parses journal content (pure; see `loadJournal`). */
export function parseJournal(input: string | Uint8Array): LoadedJournal {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const { tailBytes: _tail, ...loaded } = scanLoaded(readBuffer(buf));
  return loaded;
}

/** Scans a journal into what a run needs from it: the compact last records (read back through `read`), bad lines, the tail. */
function scanLoaded(read: ReadAt, readRecord = read): LoadedJournal & { tailBytes?: Buffer } {
  const records = new JournalRecords(recordAt(readRecord));
  const badLines: number[] = [];
  const sealed = new SealedLines();
  const out: LoadedJournal & { tailBytes?: Buffer } = { records, badLines, truncatedTail: false };
  let journalLines = 0;
  let tailText: string | undefined;
  let previous: ScanEntry | undefined;
  scanJournal(read, (entry) => {
    sealed.note(entry, previous, !out.header);
    if (entry.kind === 'bad') badLines.push(entry.line);
    else if (entry.kind === 'tail') {
      out.truncatedTail = true;
      out.tailLine = entry.line;
      out.tailBytes = Buffer.from(entry.bytes);
      tailText = entry.bytes.toString('latin1');
    } else {
      journalLines++;
      if (entry.kind === 'header' && journalLines === 1) out.header = entry.header;
      if (entry.kind === 'record') records.note(entry.record.to, entry.record.status, entry.offset);
    }
    previous = entry;
  });
  const damaged = badLines.filter((n) => !sealed.has(n));
  if (damaged.length > 0) out.damagedLines = damaged;
  // A file holding only the beginning of a header is a journal killed during its first write.
  const isTornHeader = tailText !== undefined && (tailText.startsWith(HEADER_PREFIX) || HEADER_PREFIX.startsWith(tailText));
  if (journalLines === 0 && (badLines.length > 0 || (tailText !== undefined && !isTornHeader))) out.isNotJournal = true;
  else if (journalLines === 0) out.isFresh = true;
  const inDoubt = records.countStatus('started') + records.countStatus('unknown');
  if (inDoubt > 0) out.inDoubt = inDoubt;
  return out;
}

/** Reads a journal file (no lock); a missing file is an empty journal. Tolerates a torn last line. */
export function loadJournal(file: string): LoadedJournal {
  // Never read a FIFO or a device: /dev/zero would never end.
  refuseSpecialFile(file);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: new Map(), badLines: [], truncatedTail: false };
    throw journalUsageError(file, err);
  }
  return parseJournal(buf);
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

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  return isPidAlive(pid);
}

/** Options for the journal lock (tests inject the process reader). */
export interface JournalLockOptions {
  reader?: ProcessIdentityReader;
}

/**
 * Takes `<journal>.lock` (./lock.ts: exclusive, with an atomic takeover of a lock whose owner is
 * gone, pid reuse included). A live owner, or one on another host, is a JOURNAL_LOCKED error.
 * Returns the function that releases it.
 */
export function acquireJournalLock(journalPath: string, opts: JournalLockOptions = {}): () => void {
  const lockPath = `${journalPath}.lock`;
  const heldError = (holder: LockOwner | undefined): UsageError => {
    const host = holder?.hostname ?? '';
    const where = host !== '' && host !== os.hostname() ? ` on ${host}` : '';
    const who = holder ? `process ${holder.pid}${where}${holder.at ? ` since ${holder.at}` : ''}` : 'another process';
    return new UsageError(`The journal ${journalPath} is in use by ${who}`, {
      code: ErrorCode.JOURNAL_LOCKED,
      suggestion: `Wait for that run to finish, or use another --journal. If no run is active, delete ${lockPath}`,
    });
  };
  try {
    return acquireFileLock(lockPath, { heldError, ...(opts.reader ? { reader: opts.reader } : {}) });
  } catch (err) {
    throw err instanceof CliError ? err : journalUsageError(lockPath, err);
  }
}

function journalUsageError(file: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new UsageError(`Cannot use the journal ${file} (${code})`, {
    code: ErrorCode.JOURNAL_UNUSABLE,
    cause: err,
    suggestion: 'Pass a writable file path to --journal',
  });
}

function fileKind(st: fs.Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegularFileError(file: string, st: fs.Stats): UsageError {
  return new UsageError(`The journal ${file} is ${fileKind(st)}, not a regular file: nothing was sent`, {
    code: ErrorCode.JOURNAL_UNUSABLE,
    suggestion: 'Pass the path of a regular file to --journal (it is created if missing)',
  });
}

function checkUsable(file: string, loaded: LoadedJournal): void {
  if (loaded.isNotJournal) {
    throw new UsageError(`${file} is not an mms journal (it holds no journal header or record): nothing was sent`, {
      code: ErrorCode.JOURNAL_UNUSABLE,
      suggestion: 'Pass a new file name to --journal (it is created), or the journal of the run to resume',
    });
  }
  if (loaded.header && loaded.header.version > JOURNAL_FORMAT_VERSION) {
    throw new UsageError(`The journal ${file} was written by a newer mms (format ${loaded.header.version}): nothing was sent`, {
      code: ErrorCode.JOURNAL_UNUSABLE,
      suggestion: 'Upgrade mms to resume this run, or pass a new file name to --journal',
    });
  }
}

function listLines(lines: number[]): string {
  const shown = lines.slice(0, 10).join(', ');
  return lines.length > 10 ? `${shown} and ${lines.length - 10} more` : shown;
}

/** The error for a journal with damaged lines: resuming could resend a message it recorded. */
export function journalDamagedError(file: string, lines: number[]): UsageError {
  const s = lines.length === 1 ? '' : 's';
  return new UsageError(`The journal ${file} has ${lines.length} damaged line${s} (line${s} ${listLines(lines)}): not resuming, nothing was sent`, {
    code: ErrorCode.JOURNAL_DAMAGED,
    details: { journal: file, damagedLines: lines },
    suggestion: 'Re-run with --journal-repair: it keeps every intact line, marks the recipients the damage may hide as unknown and keeps a backup',
  });
}

const WRITE_ERROR_HINTS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'the file is too large',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
};

function journalWriteError(file: string, err: unknown): CliError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  const hint = WRITE_ERROR_HINTS[code];
  const message = `Could not write to the journal ${file} (${code}${hint ? `: ${hint}` : ''}): the run stopped; every line written before is kept`;
  return new CliError(ErrorCode.JOURNAL_WRITE_FAILED, ExitCode.JOURNAL_FAILED, message, {
    cause: err,
    suggestion: 'Free disk space (or fix the quota or permissions), then re-run with the same --journal to resume',
  });
}

/** What a repair did (`repairJournal`, `Journal.open(…, { repair: true })`). */
export interface JournalRepairResult {
  /** The untouched original, kept next to the journal; undefined when nothing needed repairing. */
  backupPath?: string;
  /** The damaged lines of the original (1-based), now left out. */
  damagedLines: number[];
  /** Recipients now recorded `unknown` because a damaged line may have been about them. */
  markedUnknown: string[];
  /**
   * Damaged lines in which no recipient could be recognised. If such a line was a recipient's only
   * line, nothing left in the journal names that recipient: check the provider's message log.
   */
  unattributedLines: number[];
  /** Intact run and record lines kept (a new header replaces the old one). */
  keptLines: number;
}

const PRINTABLE_ONLY = /[^\x20-\x7e]+/g;
const TO_FIELD = /"to"\s*:\s*"(\+[1-9]\d{6,14})"/g;
const PHONE = /\+[1-9]\d{6,14}/g;

/** Phone numbers a damaged line still shows, once bytes that cannot be part of one are dropped. */
function recipientsIn(bytes: Buffer): string[] {
  const text = bytes.toString('latin1').replace(PRINTABLE_ONLY, '');
  const found = new Set<string>();
  for (const m of text.matchAll(TO_FIELD)) if (m[1] !== undefined) found.add(m[1]);
  for (const m of text.matchAll(PHONE)) found.add(m[0]);
  return [...found];
}

interface RepairPlan {
  text: string;
  result: JournalRepairResult;
}

/**
 * Plans a repair of journal bytes (pure): every intact line is kept (re-written in format 2),
 * damaged and cut-short lines are left out, and the recipients a damaged line may hide are marked
 * unknown at the end: those it still names, and every recipient whose last record before it is
 * "failed" (the damaged line may have been its next "started"). Accepted, started and unknown
 * records are never changed: a repair never turns anything into accepted or into "not sent".
 */
export function planJournalRepair(input: Uint8Array, now: Date): RepairPlan {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const read = readBuffer(buf);
  const kept: string[] = [];
  const last = new Map<string, { line: number; status: JournalStatus }>();
  const bad: Array<{ line: number; bytes: Buffer }> = [];
  const sealed = new SealedLines();
  let createdAt: string | undefined;
  let previous: ScanEntry | undefined;
  scanJournal(read, (entry) => {
    sealed.note(entry, previous, createdAt === undefined);
    if (entry.kind === 'header') createdAt ??= entry.header.createdAt;
    else if (entry.kind === 'record') {
      kept.push(formatJournalLine(entry.record));
      last.set(entry.record.to, { line: entry.line, status: entry.record.status });
    } else if (entry.kind === 'run') {
      // The sealed line is left out, so the note about it goes too.
      const { sealed: _line, sealedSum: _sum, ...run } = entry.run;
      kept.push(formatJournalLine({ run }));
    } else if (entry.kind === 'repair') kept.push(formatJournalLine({ repair: entry.repair }));
    else if (entry.kind === 'bad') bad.push({ line: entry.line, bytes: entry.bytes });
    previous = entry;
  });
  const damaged = bad.filter((b) => !sealed.has(b.line));
  const marked = new Set<string>();
  const unattributed: number[] = [];
  for (const d of damaged) {
    const named = recipientsIn(d.bytes);
    if (named.length === 0) unattributed.push(d.line);
    for (const to of named) {
      const l = last.get(to);
      if (!l || (l.line < d.line && l.status === 'failed')) marked.add(to);
    }
  }
  const lastDamage = damaged.reduce((m, d) => Math.max(m, d.line), 0);
  for (const [to, l] of last) if (l.status === 'failed' && l.line < lastDamage) marked.add(to);

  const at = now.toISOString();
  const damagedLines = damaged.map((d) => d.line);
  const lines = [formatJournalLine({ mms: 'journal', version: JOURNAL_FORMAT_VERSION, createdAt: createdAt ?? at } satisfies JournalHeader), ...kept];
  if (damagedLines.length > 0) lines.push(formatJournalLine({ repair: { at, damagedLines, unattributedLines: unattributed } }));
  const which = damagedLines.length === 1 ? `line ${damagedLines[0]}` : 'damaged lines';
  for (const to of marked) {
    const error: ResultError = { code: ErrorCode.OUTCOME_UNKNOWN, message: `The journal was repaired: ${which} may have recorded a request to this recipient` };
    lines.push(formatJournalLine({ to, status: 'unknown', error, at } satisfies JournalRecord));
  }
  return { text: lines.join(''), result: { damagedLines, markedUnknown: [...marked], unattributedLines: unattributed, keptLines: kept.length } };
}

function freeBackupPath(file: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  for (let i = 0; ; i++) {
    const candidate = `${file}.damaged-${stamp}${i === 0 ? '' : `-${i}`}.bak`;
    if (!fs.existsSync(candidate)) return candidate;
  }
}

/**
 * Writes the repaired journal in place of `file` atomically: the new content goes to a temporary
 * file that is synced and renamed over the journal (rename(2) replaces it in one step, so a crash
 * leaves either the old or the new journal), after the original was kept as a backup (a hard link,
 * or a copy where links are not supported). Call with the journal's lock held.
 */
function rewriteRepaired(file: string, original: Buffer, now: Date): JournalRepairResult {
  const plan = planJournalRepair(original, now);
  if (plan.result.damagedLines.length === 0) return plan.result;
  const backupPath = freeBackupPath(file, now);
  const tmp = `${file}.repair-${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, plan.text);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw journalWriteError(tmp, err);
  }
  fs.closeSync(fd);
  try {
    try {
      fs.linkSync(file, backupPath);
    } catch {
      fs.copyFileSync(file, backupPath, fs.constants.COPYFILE_EXCL);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw journalWriteError(file, err);
  }
  syncDirectory(path.dirname(file));
  return { ...plan.result, backupPath };
}

function syncDirectory(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Not supported everywhere (Windows): the rename is still atomic, only its durability waits.
  }
}

/** Refuses what is not a regular file before anything else touches it (`/dev/zero`, a FIFO, a directory). */
function refuseSpecialFile(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw journalUsageError(file, err);
  }
  if (!st.isFile()) throw notRegularFileError(file, st);
}

/**
 * Opens the journal for reading and appending. O_NONBLOCK keeps a FIFO swapped in after the first
 * check from blocking the open; fstat on the descriptor then checks the file actually opened.
 */
function openJournalFd(file: string): number {
  const c = fs.constants;
  const fd = fs.openSync(file, c.O_RDWR | c.O_CREAT | c.O_APPEND | (c.O_NONBLOCK ?? 0), 0o600);
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw notRegularFileError(file, st);
  }
  return fd;
}

/** Repairs a damaged journal under its lock (see `planJournalRepair`); a sound journal is left alone. */
export function repairJournal(file: string, opts: { now?: () => Date } & JournalLockOptions = {}): JournalRepairResult {
  refuseSpecialFile(file);
  const release = acquireJournalLock(file, opts);
  try {
    let original: Buffer;
    try {
      original = fs.readFileSync(file);
    } catch (err) {
      throw journalUsageError(file, err);
    }
    checkUsable(file, parseJournal(original));
    return rewriteRepaired(file, original, (opts.now ?? (() => new Date()))());
  } finally {
    release();
  }
}

/** An open journal file as scanned: its records (read back through the descriptor), its size and how it ends. */
interface ScannedFile {
  loaded: LoadedJournal;
  size: number;
  endsWithNewline: boolean;
  tailBytes?: Buffer;
}

/**
 * Scans an open journal in chunks: memory holds one chunk and the compact records, never the file (a journal of a
 * million recipients is a few hundred megabytes). The descriptor must stay open while the records are used.
 */
function scanFile(fd: number): ScannedFile {
  const size = fs.fstatSync(fd).size;
  // Records are read back one line at a time: small reads.
  const { tailBytes, ...loaded } = scanLoaded(readFd(fd), readFd(fd, 1024));
  const last = Buffer.alloc(1);
  const endsWithNewline = size > 0 && fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a;
  return { loaded, size, endsWithNewline, ...(tailBytes ? { tailBytes } : {}) };
}

/** The file operations the journal writes with (injected in tests: ENOSPC, EIO). */
export interface JournalFileOps {
  write(fd: number, buffer: Buffer, offset: number, length: number): number;
  sync(fd: number): void;
  truncate(fd: number, length: number): void;
}

const NODE_FILE_OPS: JournalFileOps = {
  write: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  sync: (fd) => fs.fdatasyncSync(fd),
  truncate: (fd, length) => fs.ftruncateSync(fd, length),
};

export interface OpenJournalOptions {
  /** Flush each line to disk too (survives power loss, not just kill -9). */
  fsync?: boolean;
  /** Clock for the `at` fields (tests). */
  now?: () => Date;
  /** Repair a damaged journal before loading it (`--journal-repair`); the result is `journal.repaired`. */
  repair?: boolean;
  /** File operations used for writing (tests simulate a full disk with them). */
  fileOps?: Partial<JournalFileOps>;
  /** Reads process identities for the lock (tests simulate pid reuse with it). */
  reader?: ProcessIdentityReader;
  /**
   * Masks secrets in every string written (provider error bodies can echo credentials back). The
   * caller's redactor for the run's credentials; by default every secret this process resolved.
   */
  scrub?: (text: string) => string;
}

/**
 * The scrubber for every secret this process resolved, registered under a well-known symbol by
 * src/config/redact.ts (rememberSecrets): the journal is core code and does not import config.
 * Identity until a secret is known.
 */
function scrubProcessSecrets(text: string): string {
  const fn: unknown = (globalThis as Record<symbol, unknown>)[Symbol.for('mms.scrubKnownSecrets')];
  return typeof fn === 'function' ? (fn as (t: string) => string)(text) : text;
}

/** A copy of `value` with `scrub` applied to every string in it. */
function scrubStrings(value: unknown, scrub: (text: string) => string): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((v) => scrubStrings(v, scrub));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubStrings(v, scrub);
    return out;
  }
  return value;
}

/** What the send runner needs from a journal (the `Journal` class, or a fake in tests). */
export interface DispatchJournal {
  /** The recipient's last record from earlier runs. */
  prior(to: string): JournalRecord | undefined;
  /** Its status alone (cheaper: the record is not read back); absent: `prior(to)?.status` is used. */
  priorStatus?(to: string): JournalStatus | undefined;
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
  /** What `repair: true` did, when the journal needed it. */
  repaired?: JournalRepairResult;
  private fd: number | undefined;
  private readonly release: () => void;
  private readonly isFsync: boolean;
  private readonly now: () => Date;
  private readonly ops: JournalFileOps;
  private readonly scrub: (text: string) => string;
  /** Bytes in the file: we are its only writer (the lock), so a failed write can be cut back to here. */
  private size: number;
  /** The first write failure: after it nothing new is started. */
  private failure: CliError | undefined;
  /** False when a failed write could not be cut back: writing more would glue onto a partial line. */
  private isConsistent = true;

  private constructor(file: string, fd: number, loaded: LoadedJournal, release: () => void, opts: OpenJournalOptions, size: number) {
    this.path = file;
    this.fd = fd;
    this.loaded = loaded;
    this.release = release;
    this.isFsync = opts.fsync ?? false;
    this.now = opts.now ?? (() => new Date());
    this.ops = { ...NODE_FILE_OPS, ...opts.fileOps };
    this.scrub = opts.scrub ?? scrubProcessSecrets;
    this.size = size;
  }

  /**
   * Locks, loads and opens a journal for appending (creating it with a header if needed). Refuses,
   * before anything is sent: a path that is not a regular file, a file that is not a journal, a
   * journal from a newer format, and a journal with damaged lines unless `repair` is set.
   */
  static open(file: string, opts: OpenJournalOptions = {}): Journal {
    refuseSpecialFile(file);
    const release = acquireJournalLock(file, opts.reader ? { reader: opts.reader } : {});
    let fd: number | undefined;
    try {
      fd = openJournalFd(file);
      let scanned = scanFile(fd);
      checkUsable(file, scanned.loaded);
      let repaired: JournalRepairResult | undefined;
      if (scanned.loaded.damagedLines) {
        if (!opts.repair) throw journalDamagedError(file, scanned.loaded.damagedLines);
        repaired = rewriteRepaired(file, fs.readFileSync(fd), (opts.now ?? (() => new Date()))());
        fs.closeSync(fd);
        fd = undefined;
        fd = openJournalFd(file);
        scanned = scanFile(fd);
        if (scanned.loaded.damagedLines) throw journalDamagedError(file, scanned.loaded.damagedLines);
      }
      const journal = new Journal(file, fd, scanned.loaded, release, opts, scanned.size);
      if (repaired) journal.repaired = repaired;
      journal.begin(scanned);
      return journal;
    } catch (err) {
      if (fd !== undefined) fs.closeSync(fd);
      release();
      throw err instanceof CliError ? err : journalUsageError(file, err);
    }
  }

  /** Writes the header (new journal) or this run's line (sealing a line cut short by kill -9). */
  private begin(scanned: ScannedFile): void {
    const at = this.now().toISOString();
    if (this.loaded.isFresh) {
      // Empty, blank, or the start of a header cut short: nothing to keep, the header goes first.
      if (this.size > 0) {
        this.ops.truncate(this.fd!, 0);
        this.size = 0;
      }
      this.writeLine({ mms: 'journal', version: JOURNAL_FORMAT_VERSION, createdAt: at } satisfies JournalHeader);
    }
    const run: Record<string, unknown> = { pid: process.pid, at };
    if (this.size > 0 && scanned.size > 0 && !scanned.endsWithNewline) {
      // Seal the torn line so our first line does not glue onto it, and name it as tolerated.
      this.append('\n');
      if (this.loaded.truncatedTail && this.loaded.tailLine !== undefined && scanned.tailBytes) {
        run.sealed = this.loaded.tailLine;
        run.sealedSum = bytesFingerprint(scanned.tailBytes);
      }
    }
    this.writeLine({ run });
  }

  /** The last record of `to` from earlier runs. */
  prior(to: string): JournalRecord | undefined {
    return this.loaded.records.get(to);
  }

  /** The status of `to`'s last record from earlier runs, without reading the record back. */
  priorStatus(to: string): JournalStatus | undefined {
    const records = this.loaded.records;
    return records instanceof JournalRecords ? records.statusOf(to) : records.get(to)?.status;
  }

  /** Writes the "started" line (call before every recipient's first request); refused once a write failed. */
  started(to: string): void {
    if (this.failure) throw this.failure;
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

  /** The write failure that stopped this journal, if any (JOURNAL_WRITE_FAILED). */
  get writeFailure(): CliError | undefined {
    return this.failure;
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

  /** Writes one line; its strings are scrubbed first, so the line's sum covers what is on disk. */
  private writeLine(value: object): void {
    this.append(formatJournalLine(scrubStrings(value, this.scrub) as object));
  }

  /**
   * Appends with one write per line. On failure (a full disk: ENOSPC, EDQUOT) the file is cut back
   * to its last complete line, so everything recorded before stays readable and nothing is glued
   * onto a partial line; the journal then refuses new "started" lines, which stops dispatching.
   */
  private append(text: string): void {
    if (this.fd === undefined) throw new CliError(ErrorCode.INTERNAL, ExitCode.INTERNAL, `The journal ${this.path} is closed`);
    if (this.failure && !this.isConsistent) throw this.failure;
    const fd = this.fd;
    const buf = Buffer.from(text, 'utf8');
    const before = this.size;
    try {
      let off = 0;
      while (off < buf.length) off += this.ops.write(fd, buf, off, buf.length - off);
      if (this.isFsync) this.ops.sync(fd);
    } catch (err) {
      try {
        this.ops.truncate(fd, before);
        this.isConsistent = true;
      } catch {
        this.isConsistent = false;
      }
      this.failure ??= journalWriteError(this.path, err);
      throw this.failure;
    }
    this.size = before + buf.length;
  }
}
