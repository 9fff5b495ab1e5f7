// Recipient lists of any length with flat memory. `mms send` must validate the whole list before the
// first message goes out (a bad row on line 900,000 stops the run with nothing sent), and then send
// to it: two passes. The first pass (scanRecipients) parses the input as it streams in, counts, keeps
// the first problems, de-duplicates through a compact NumberSet, and writes each valid recipient to a
// spill file; the second pass (and any later one) reads the spill. A spill rather than reading the
// input twice: stdin and FIFOs cannot be read twice, a file edited between the passes would send to
// a list nobody validated, and duplicates are already gone. The spill is a 0600 file in a fresh 0700
// directory under the OS temp dir, unlinked as soon as it is open (POSIX), so even kill -9 leaves
// nothing behind; it costs disk about the size of the list (numbers and CSV fields as JSON).
import { tmpdir } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { ScratchFile } from '../core/scratch-file.js';
import { normalisePhone } from './e164.js';
import { RecipientFileParser } from './file.js';
import { NumberSet } from './number-set.js';
import { listPlaceholders, renderTemplate, TO_FLAG_SOURCE, type InvalidRecipient, type Recipient } from './parse.js';

/** Problems listed at most (all are counted): enough to fix a file, small enough for any list. */
export const MAX_LISTED_INVALID = 100;
/** Numbers kept for the dry run's "To" line. */
const FIRST_SHOWN = 5;
const SPILL_FLUSH_CHARS = 256 * 1024;

/** The valid, de-duplicated recipients, in input order: iterable again and again, each time from the start. */
export interface RecipientList extends AsyncIterable<Recipient> {
  readonly count: number;
  /** The first few numbers (for the dry-run line). */
  readonly first: readonly string[];
  /** Frees the spill file (idempotent). */
  close(): void;
}

/** What the first pass found. */
export interface RecipientScan {
  list: RecipientList;
  /** The first MAX_LISTED_INVALID problems, in input order. */
  invalid: InvalidRecipient[];
  /** Every problem, counted. */
  invalidCount: number;
  /** Entries dropped because an earlier entry has the same number (first one wins). */
  duplicates: number;
  /** CSV header names in file order (absent for plain lists). */
  columns?: string[];
  /** With a templated body: recipients whose text is longer than the limit, and the first of them. */
  tooLong?: { count: number; example: string };
}

export interface ScanOptions {
  /** `--to` values (each may hold several numbers separated by commas): they come first. */
  to: readonly string[];
  /** The recipient file as a stream of bytes, and its name in problems ("stdin" or the path). */
  file?: { chunks: AsyncIterable<Buffer | string>; source: string };
  defaultCountry?: string;
  /** A body with {{column}} placeholders: each recipient's text is measured against `maxChars`. */
  template?: { body: string; maxChars: number };
  /** Where the spill directory is made (default: the OS temp dir). */
  tmpDir?: string;
}

/** Counts and keeps the first problems and numbers; measures templated texts. */
class ScanTally {
  readonly invalid: InvalidRecipient[] = [];
  invalidCount = 0;
  readonly first: string[] = [];
  count = 0;
  tooLong: { count: number; example: string } | undefined;
  private readonly template: ScanOptions['template'];

  constructor(template: ScanOptions['template']) {
    this.template = template && listPlaceholders(template.body).length > 0 ? template : undefined;
  }

  problem(i: InvalidRecipient): void {
    this.invalidCount++;
    if (this.invalid.length < MAX_LISTED_INVALID) this.invalid.push(i);
  }

  valid(r: Recipient): void {
    this.count++;
    if (this.first.length < FIRST_SHOWN) this.first.push(r.to);
    if (!this.template) return;
    const n = [...renderTemplate(this.template.body, r.fields)].length;
    if (n <= this.template.maxChars) return;
    this.tooLong ??= { count: 0, example: `${r.to} (${n} characters)` };
    this.tooLong.count++;
  }
}

/** The first pass (see the module comment): parses `--to` and the file, spilling valid recipients. */
export async function scanRecipients(opts: ScanOptions): Promise<RecipientScan> {
  const tally = new ScanTally(opts.template);
  const seen = new NumberSet();
  const fromFlag: Recipient[] = [];
  let duplicates = 0;
  for (const value of opts.to) {
    for (const part of value.split(',')) {
      const input = part.trim();
      if (input === '') continue;
      const n = normalisePhone(input, opts.defaultCountry);
      if (!n.ok) tally.problem({ input, source: TO_FLAG_SOURCE, reason: n.reason });
      else if (!seen.add(n.e164)) duplicates++;
      else {
        fromFlag.push({ to: n.e164, fields: {} });
        tally.valid(fromFlag.at(-1)!);
      }
    }
  }
  if (!opts.file) return { list: arrayList(fromFlag, tally.first), invalid: tally.invalid, invalidCount: tally.invalidCount, duplicates };
  const spill = new SpillFile(opts.tmpDir ?? tmpdir());
  try {
    const parser = new RecipientFileParser(opts.file.source, opts.defaultCountry, {
      seen,
      onValid: (r) => {
        tally.valid(r);
        spill.write(r);
      },
      onInvalid: (i) => tally.problem(i),
    });
    const decoder = new TextDecoder('utf-8');
    for await (const chunk of opts.file.chunks) {
      parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
      if (parser.done) break;
    }
    if (!parser.done) parser.push(decoder.decode());
    const parsed = parser.end();
    spill.finish();
    const list = spillList(fromFlag, spill, tally);
    return {
      list,
      invalid: tally.invalid,
      invalidCount: tally.invalidCount,
      duplicates: duplicates + parsed.duplicates,
      ...(parsed.columns ? { columns: parsed.columns } : {}),
      ...(tally.tooLong ? { tooLong: tally.tooLong } : {}),
    };
  } catch (err) {
    spill.close();
    throw err;
  }
}

/** A list held in memory (--to values, or a list already parsed whole). */
export function arrayList(recipients: readonly Recipient[], first = recipients.slice(0, FIRST_SHOWN).map((r) => r.to)): RecipientList {
  return {
    count: recipients.length,
    first,
    close: () => undefined,
    async *[Symbol.asyncIterator]() {
      yield* recipients;
    },
  };
}

function spillList(fromFlag: readonly Recipient[], spill: SpillFile, tally: ScanTally): RecipientList {
  return {
    count: tally.count,
    first: tally.first,
    close: () => spill.close(),
    async *[Symbol.asyncIterator]() {
      yield* fromFlag;
      yield* spill.read();
    },
  };
}

/** Thrown when the spill file cannot be written (a full temp disk): the input was fine. */
export class SpillError extends Error {
  constructor(
    readonly dir: string,
    override readonly cause: unknown,
  ) {
    super(`cannot keep a temporary copy of the list in ${dir} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`);
  }
}

/** The validated recipients on disk, one JSON array per line: [to, line, fields?]. */
class SpillFile {
  private readonly file: ScratchFile;
  private pending = '';

  constructor(private readonly dir: string) {
    try {
      this.file = new ScratchFile(dir, 'mms-recipients-', 'list.jsonl');
    } catch (err) {
      throw new SpillError(dir, err);
    }
  }

  write(r: Recipient): void {
    const hasFields = Object.keys(r.fields).length > 0;
    this.pending += `${JSON.stringify(hasFields ? [r.to, r.line ?? 0, r.fields] : [r.to, r.line ?? 0])}\n`;
    if (this.pending.length >= SPILL_FLUSH_CHARS) this.flush();
  }

  finish(): void {
    this.flush();
  }

  private flush(): void {
    if (this.pending === '') return;
    const buf = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    try {
      this.file.append(buf);
    } catch (err) {
      throw new SpillError(this.dir, err);
    }
  }

  /** Every spilled recipient, from the start (positioned reads: passes do not disturb each other). */
  async *read(): AsyncGenerator<Recipient> {
    const buf = Buffer.alloc(64 * 1024);
    const decoder = new StringDecoder('utf8');
    let partial = '';
    for (let pos = 0; ;) {
      const bytesRead = await this.file.readAt(buf, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const lines = (partial + decoder.write(buf.subarray(0, bytesRead))).split('\n');
      partial = lines.pop()!;
      for (const line of lines) yield parseSpillLine(line);
    }
    if (partial !== '') yield parseSpillLine(partial);
  }

  close(): void {
    this.file.close();
  }
}

function parseSpillLine(line: string): Recipient {
  const [to, n, fields] = JSON.parse(line) as [string, number, Record<string, string> | undefined];
  return { to, fields: fields ?? {}, ...(n > 0 ? { line: n } : {}) };
}
