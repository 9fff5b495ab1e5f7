// An incremental CSV reader (RFC 4180): text goes in as chunks of any size, complete records come
// out, and memory stays bounded by the longest record, which is itself capped. Recipient lists can
// be hundreds of megabytes; reading one whole into a string once took a gigabyte of memory.

/** One CSV record as read, before any meaning is given to its cells. */
export interface CsvRecord {
  cells: string[];
  /** 1-based line where the record starts. */
  line: number;
  /** The record's source text (without its line end), for problem reports; cut short past the limit. */
  raw: string;
  error?: string;
}

/** Longest record accepted, in characters: far beyond any real row, small enough to keep memory flat. */
export const MAX_RECORD_CHARS = 64 * 1024;

type State = 'start' | 'blanks' | 'comment' | 'field' | 'quoted' | 'quote' | 'skip';

/**
 * Splits CSV text into records: quoted fields may hold delimiters, `""` and line breaks; CRLF, LF
 * and CR all end a record (a CRLF split across two chunks counts once). A line whose first
 * non-blank character is `#` (outside quotes) is a comment and yields no record. A record longer
 * than `maxChars` yields an error record for its first line and the rest of it is skipped.
 */
export class CsvRecordReader {
  private state: State = 'start';
  private line = 1;
  private startLine = 1;
  private cells: string[] = [];
  private cell = '';
  private raw = '';
  private blanks = '';
  private length = 0;
  private pendingCR = false;
  private out: CsvRecord[] = [];

  constructor(
    private readonly delimiter = ',',
    private readonly maxChars = MAX_RECORD_CHARS,
  ) {}

  /** Feeds text; returns the records completed by it. */
  push(text: string): CsvRecord[] {
    for (let i = 0; i < text.length; i++) this.step(text[i]!);
    return this.take();
  }

  /** Ends the input; returns the last record, if any. */
  end(): CsvRecord[] {
    this.pendingCR = false;
    if (this.state === 'quoted') {
      this.raw = this.raw.replace(/(\r\n|\n|\r)$/, '');
      this.finish('a quoted field is not closed (a missing ")');
    } else if (this.state === 'blanks') {
      this.cell = this.blanks;
      this.raw = this.blanks;
      this.finish();
    } else if (this.state === 'field' || this.state === 'quote') this.finish();
    else if (this.state === 'skip') this.finishTooLong();
    this.state = 'start';
    return this.take();
  }

  private take(): CsvRecord[] {
    const records = this.out;
    this.out = [];
    return records;
  }

  private step(ch: string): void {
    if (this.pendingCR) {
      this.pendingCR = false;
      // The LF of a CRLF: the record already ended at the CR (or, in a quoted field, the CR was kept).
      if (ch === '\n') {
        if (this.state === 'quoted') this.append('\n');
        return;
      }
    }
    const isEol = ch === '\n' || ch === '\r';
    if (ch === '\r') this.pendingCR = true;
    switch (this.state) {
      case 'start':
        this.startLine = this.line;
        if (isEol) {
          // A blank line is a blank record (skipped by the caller, but it keeps its line).
          this.out.push({ cells: [''], line: this.line, raw: '' });
          return this.newline();
        }
        if (ch === ' ' || ch === '\t') {
          this.blanks = ch;
          this.state = 'blanks';
          return;
        }
        if (ch === '#') {
          this.state = 'comment';
          return;
        }
        this.state = 'field';
        return this.fieldChar(ch, true);
      case 'blanks':
        if (ch === ' ' || ch === '\t') {
          this.blanks += ch;
          return;
        }
        if (ch === '#') {
          this.blanks = '';
          this.state = 'comment';
          return;
        }
        this.state = 'field';
        this.cell = this.blanks;
        this.raw = this.blanks;
        this.length = this.blanks.length;
        this.blanks = '';
        return this.fieldChar(ch, false);
      case 'comment':
        if (isEol) {
          this.newline();
          this.state = 'start';
        }
        return;
      case 'field':
        return this.fieldChar(ch, this.cell === '' && this.atCellStart);
      case 'quoted':
        if (ch === '"') {
          this.state = 'quote';
          this.rawChar(ch);
          return;
        }
        if (isEol) this.line++;
        this.append(ch);
        return;
      case 'quote':
        if (ch === '"') {
          this.state = 'quoted';
          this.append('"');
          return;
        }
        // The field closed; text after the closing quote (`"a"b`) is kept, as most readers do.
        this.state = 'field';
        this.atCellStart = false;
        return this.fieldChar(ch, false);
      case 'skip':
        return this.skipChar(ch, isEol);
    }
  }

  private atCellStart = true;

  private fieldChar(ch: string, atCellStart: boolean): void {
    if (ch === '"' && atCellStart) {
      this.state = 'quoted';
      this.atCellStart = false;
      this.rawChar(ch);
      return;
    }
    if (ch === this.delimiter) {
      this.cells.push(this.cell);
      this.cell = '';
      this.atCellStart = true;
      this.rawChar(ch);
      return;
    }
    if (ch === '\n' || ch === '\r') {
      this.finish();
      this.newline();
      return;
    }
    this.atCellStart = false;
    this.append(ch);
  }

  private append(ch: string): void {
    this.cell += ch;
    this.rawChar(ch);
  }

  private rawChar(ch: string): void {
    this.length++;
    if (this.length > this.maxChars) {
      this.skipQuoted = this.state === 'quoted';
      this.state = 'skip';
      this.cells = [];
      this.cell = '';
      return;
    }
    this.raw += ch;
  }

  /** Past the limit: wait for the end of the record (a line end outside quotes, as far as can be told). */
  private skipChar(ch: string, isEol: boolean): void {
    if (ch === '"') this.skipQuoted = !this.skipQuoted;
    if (isEol) {
      if (this.skipQuoted) this.line++;
      else {
        this.finishTooLong();
        this.newline();
      }
    }
  }

  private skipQuoted = false;

  private finishTooLong(): void {
    this.out.push({
      cells: [],
      line: this.startLine,
      raw: `${this.raw.slice(0, 80)}…`,
      error: `longer than ${Math.round(this.maxChars / 1024)} KiB (is this a recipient list?)`,
    });
    this.reset();
  }

  private finish(error?: string): void {
    this.cells.push(this.cell);
    const rec: CsvRecord = { cells: this.cells, line: this.startLine, raw: this.raw };
    if (error !== undefined) rec.error = error;
    this.out.push(rec);
    this.reset();
  }

  private reset(): void {
    this.cells = [];
    this.cell = '';
    this.raw = '';
    this.blanks = '';
    this.length = 0;
    this.atCellStart = true;
    this.skipQuoted = false;
    this.state = 'start';
  }

  private newline(): void {
    this.line++;
    this.state = 'start';
  }
}

/** Reads a whole CSV text at once (see {@link CsvRecordReader}). */
export function readCsvRecords(text: string, delimiter = ','): CsvRecord[] {
  const reader = new CsvRecordReader(delimiter);
  return [...reader.push(text), ...reader.end()];
}
