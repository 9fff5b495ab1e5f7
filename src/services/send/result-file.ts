// `--json`'s one document lists every recipient's result, in list order, at the end of the run. Kept in memory that
// is about 2.6 KB per recipient (265 MB at 100,000); kept here it is 8 bytes: each final result is written as one JSON
// line to a private temporary file as it happens, with its byte offset in a Float64Array indexed by the recipient's
// place in the list, and read back in list order when the document is written. Unknown outcomes stay in memory
// instead (settling may still rewrite them: ./settle.ts changes the very objects). The file is a 0600 file in a fresh
// 0700 directory under the OS temp dir, unlinked as soon as it is open (../../core/scratch-file.ts, as for the list),
// so even kill -9 leaves nothing behind.
import type { writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ScratchFile } from '../../core/scratch-file.js';
import type { RecipientResult } from '../../core/types.js';

const FLUSH_BYTES = 256 * 1024;
const READ_BYTES = 64 * 1024;
/** In `offsets`: the result is held in memory (`held`), not in the file. */
const HELD = -1;

/** Thrown when the results cannot be written to the temporary file (a full temp disk). */
export class ResultFileError extends Error {
  constructor(
    readonly dir: string,
    override readonly cause: unknown,
  ) {
    super(`cannot keep a temporary copy of the results in ${dir} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`);
  }
}

/** Every final result of a run, by its place in the recipient list, read back in that order. */
export interface StoredResults {
  /** Results put so far (the recipients of the run, once it is over). */
  readonly count: number;
  /** Every result in list order (0 … count − 1), read back from the file. */
  inOrder(): AsyncGenerator<RecipientResult>;
  /** Frees the file (idempotent). */
  close(): void;
}

/** Where and how the file is kept (tests inject a failing write to play a full disk). */
export interface ResultFileOptions {
  /** Where the private directory is made (default: the OS temp dir). */
  dir?: string;
  /** Recipients expected (the offsets grow past it when needed). */
  expected?: number;
  /** Bytes gathered before a write (default 256 KiB). */
  flushBytes?: number;
  write?: typeof writeSync;
}

/** The results of one run on disk (see the module comment). */
export class ResultFile implements StoredResults {
  private readonly file: ScratchFile;
  private offsets: Float64Array;
  private readonly held = new Map<number, RecipientResult>();
  private pending: string[] = [];
  private pendingBytes = 0;
  /** Bytes of the file, pending ones included: where the next line starts. */
  private size = 0;
  private failure: ResultFileError | undefined;
  private readonly dir: string;
  private readonly flushBytes: number;
  private readonly write: typeof writeSync | undefined;
  count = 0;

  /** Opens the file in a fresh private directory under the temp dir; a ResultFileError when it cannot. */
  constructor({ dir = tmpdir(), expected = 0, flushBytes = FLUSH_BYTES, write }: ResultFileOptions = {}) {
    this.dir = dir;
    this.flushBytes = flushBytes;
    this.write = write;
    this.offsets = new Float64Array(Math.max(16, expected)).fill(Number.NaN);
    try {
      this.file = new ScratchFile(dir, 'mms-results-', 'results.jsonl');
    } catch (err) {
      throw new ResultFileError(dir, err);
    }
  }

  /** Why writing failed, once it has (every later `put` throws it too). */
  get error(): ResultFileError | undefined {
    return this.failure;
  }

  /** Keeps the final result of the recipient at `index`; throws a ResultFileError when the file cannot be written. */
  put(index: number, result: RecipientResult): void {
    if (this.failure) throw this.failure;
    if (index >= this.offsets.length) this.grow(index + 1);
    this.count = Math.max(this.count, index + 1);
    if (result.status === 'unknown') {
      // Settling may still change it in place: keep the object itself.
      this.held.set(index, result);
      this.offsets[index] = HELD;
      return;
    }
    const line = `${JSON.stringify(result)}\n`;
    this.offsets[index] = this.size;
    const bytes = Buffer.byteLength(line);
    this.size += bytes;
    this.pending.push(line);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= this.flushBytes) this.flush();
  }

  /** Writes what is pending; throws a ResultFileError when it cannot. */
  flush(): void {
    if (this.failure) throw this.failure;
    if (this.pending.length === 0 || !this.file.isOpen) return;
    const buf = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingBytes = 0;
    try {
      this.file.append(buf, this.write);
    } catch (err) {
      this.failure = new ResultFileError(this.dir, err);
      throw this.failure;
    }
  }

  async *inOrder(): AsyncGenerator<RecipientResult> {
    this.flush();
    const reader = new LineReader(this.file);
    for (let i = 0; i < this.count; i++) {
      const at = this.offsets[i]!;
      if (at === HELD) yield this.held.get(i)!;
      else if (Number.isNaN(at)) throw new Error(`no result was kept for recipient #${i + 1}`);
      else yield JSON.parse(await reader.lineAt(at)) as RecipientResult;
    }
  }

  close(): void {
    this.file.close();
  }

  private grow(min: number): void {
    const next = new Float64Array(Math.max(min, this.offsets.length * 2)).fill(Number.NaN);
    next.set(this.offsets);
    this.offsets = next;
  }
}

/** Lines of the file by offset, through a window: results mostly end in list order, so most lines come from one read. */
class LineReader {
  private window = Buffer.alloc(READ_BYTES);
  private start = 0;
  private length = 0;

  constructor(private readonly file: ScratchFile) {}

  async lineAt(at: number): Promise<string> {
    for (;;) {
      if (at >= this.start && at < this.start + this.length) {
        const from = at - this.start;
        const end = this.window.subarray(0, this.length).indexOf(0x0a, from);
        if (end >= 0) return this.window.toString('utf8', from, end);
        if (this.length < this.window.length) throw new Error(`the results file ends inside the line at offset ${at}`);
        // The line is longer than the window: a bigger one.
        if (from === 0) this.window = Buffer.alloc(this.window.length * 2);
      }
      const bytesRead = await this.file.readAt(this.window, at);
      if (bytesRead === 0) throw new Error(`the results file ends before offset ${at}`);
      this.start = at;
      this.length = bytesRead;
    }
  }
}
