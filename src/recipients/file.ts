// A recipient file read as a stream: one number per line (`#` comments, blank lines) or CSV whose
// header has a phone/to/number column. Text arrives in chunks, memory stays bounded by the longest
// line (capped at 64 KiB), and every problem is reported with its line — nothing throws per line.
import { CsvRecordReader, MAX_RECORD_CHARS, readCsvRecords, type CsvRecord } from './csv.js';
import { normalisePhone } from './e164.js';
import { NumberSet } from './number-set.js';
import type { InvalidRecipient, ParsedRecipients, Recipient } from './parse.js';

/** Header names (lower-cased, spaces/underscores/dashes removed) that hold the number, best first. */
const PHONE_HEADERS = ['phone', 'to', 'number', 'phonenumber', 'mobile', 'mobilenumber', 'msisdn', 'cell', 'tel'];

/** Index of the column holding the number, or -1. */
export function phoneColumnIndex(cells: readonly string[]): number {
  const keys = cells.map((c) =>
    c
      .trim()
      .toLowerCase()
      .replace(/[\s_-]+/g, ''),
  );
  for (const name of PHONE_HEADERS) {
    const i = keys.indexOf(name);
    if (i >= 0) return i;
  }
  return -1;
}

/** A blank record (comment lines never become records). */
function isSkippable(rec: CsvRecord): boolean {
  return rec.error === undefined && rec.cells.every((c) => c.trim() === '');
}

/** True when the first non-blank record of `prefix`, split on `delimiter`, cannot change with more text. */
function firstRecordComplete(prefix: string, delimiter: string): boolean {
  const records = readCsvRecords(prefix, delimiter);
  const i = records.findIndex((r) => !isSkippable(r));
  if (i < 0) return false;
  if (i < records.length - 1) return true;
  return records[i]!.error === undefined && /[\r\n]$/.test(prefix);
}

/** Turns records or lines into recipients, de-duplicating as it goes. */
interface Sink {
  push(text: string): void;
  end(): void;
}

/** Where a streaming parse sends what it finds instead of keeping it (huge lists: see ./list.ts). */
export interface ParserHooks {
  /** The numbers already taken (e.g. by --to): a number in it is a duplicate. */
  seen?: NumberSet;
  onValid?(recipient: Recipient): void;
  onInvalid?(invalid: InvalidRecipient): void;
}

/**
 * Parses a recipient file pushed in chunks of text. The format (plain lines, or CSV with `,`, `;`
 * or tab) is decided on the first non-blank line, as soon as it is complete. Without hooks it keeps
 * every recipient and problem in the result; with them it keeps only the counts and the columns.
 */
export class RecipientFileParser {
  private readonly out: ParsedRecipients = { valid: [], invalid: [], duplicates: 0 };
  private readonly seen: NumberSet;
  private prefix = '';
  private sink: Sink | undefined;
  private stopped = false;
  private started = false;

  constructor(
    private readonly source: string,
    private readonly defaultCountry?: string,
    private readonly hooks: ParserHooks = {},
  ) {
    this.seen = hooks.seen ?? new NumberSet();
  }

  /** True once the input proved not to be a text list (a NUL byte): read no further. */
  get done(): boolean {
    return this.stopped;
  }

  /** Feeds the next chunk of text. */
  push(text: string): void {
    if (this.stopped || text === '') return;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const nul = text.indexOf('\u0000');
    if (nul >= 0) return this.binary(text.slice(0, nul));
    if (this.sink) return this.sink.push(text);
    this.prefix += text;
    // Decide once the first record is complete however it is split (a quote opened under one
    // delimiter may close lines later), or the prefix is too long to be a header.
    if ([',', ';', '\t'].every((d) => firstRecordComplete(this.prefix, d)) || this.prefix.length > 2 * MAX_RECORD_CHARS) this.decide();
  }

  /** Ends the input and returns everything found. */
  end(): ParsedRecipients {
    if (!this.stopped) {
      if (!this.sink) this.decide();
      this.sink!.end();
    }
    return this.out;
  }

  private binary(before: string): void {
    // The line is known while the first line is still being read (binary files show it at once).
    const line = this.sink ? undefined : (this.prefix + before).split(/\r\n|\n|\r/).length;
    this.report({
      input: '',
      source: this.source,
      ...(line !== undefined ? { line } : {}),
      reason: 'contains a NUL byte: this is not a text file of numbers',
    });
    this.stopped = true;
  }

  private decide(): void {
    const text = this.prefix;
    this.prefix = '';
    let delimiter = ',';
    let first = readCsvRecords(text).find((r) => !isSkippable(r));
    // Comma first; spreadsheets in many locales export ";" and some tools use tabs, so a header
    // that only makes sense split on one of those selects it.
    if (first && first.error === undefined && phoneColumnIndex(first.cells) < 0) {
      for (const alt of [';', '\t']) {
        const altFirst = readCsvRecords(text, alt).find((r) => !isSkippable(r));
        if (altFirst && altFirst.error === undefined && altFirst.cells.length > 1 && phoneColumnIndex(altFirst.cells) >= 0) {
          delimiter = alt;
          first = altFirst;
          break;
        }
      }
    }
    const looksLikeCsv = first !== undefined && first.error === undefined && (first.cells.length > 1 || phoneColumnIndex(first.cells) >= 0);
    this.sink = looksLikeCsv ? this.csvSink(delimiter) : this.lineSink();
    this.sink.push(text);
  }

  private accept(to: string, fields: Record<string, string>, line: number): void {
    if (!this.seen.add(to)) {
      this.out.duplicates++;
      return;
    }
    if (this.hooks.onValid) this.hooks.onValid({ to, fields, line });
    else this.out.valid.push({ to, fields, line });
  }

  private problem(input: string, line: number, reason: string): void {
    this.report({ input, source: this.source, line, reason });
  }

  private report(invalid: InvalidRecipient): void {
    if (this.hooks.onInvalid) this.hooks.onInvalid(invalid);
    else this.out.invalid.push(invalid);
  }

  private lineSink(): Sink {
    let partial = '';
    let line = 1;
    let tooLong = false;
    let pendingCR = false;
    const onLine = (text: string): void => {
      // A trailing "# note" after the number is a comment too; "#" is never part of a number.
      const input = text.replace(/(^|\s)#.*$/, '').trim();
      if (input !== '') {
        const n = normalisePhone(input, this.defaultCountry);
        if (n.ok) this.accept(n.e164, {}, line);
        else this.problem(input, line, n.reason);
      }
    };
    const endLine = (): void => {
      if (tooLong) this.problem(`${partial.slice(0, 80)}…`, line, `longer than ${MAX_RECORD_CHARS / 1024} KiB (is this a recipient list?)`);
      else onLine(partial);
      partial = '';
      tooLong = false;
      line++;
    };
    return {
      push: (text) => {
        let from = 0;
        for (let i = 0; i < text.length; i++) {
          const ch = text[i];
          if (ch !== '\n' && ch !== '\r') continue;
          if (ch === '\n' && pendingCR && i === from) {
            // The LF of a CRLF split across chunks (or just after the CR).
            pendingCR = false;
            from = i + 1;
            continue;
          }
          this.appendLine(
            text.slice(from, i),
            (s) => (partial += s),
            () => partial.length,
            () => (tooLong = true),
          );
          endLine();
          pendingCR = ch === '\r';
          if (pendingCR && text[i + 1] === '\n') {
            i++;
            pendingCR = false;
          }
          from = i + 1;
        }
        if (from < text.length) {
          pendingCR = false;
          this.appendLine(
            text.slice(from),
            (s) => (partial += s),
            () => partial.length,
            () => (tooLong = true),
          );
        }
      },
      end: () => {
        if (partial !== '' || tooLong) endLine();
      },
    };
  }

  private appendLine(piece: string, add: (s: string) => void, length: () => number, overflow: () => void): void {
    if (length() + piece.length > MAX_RECORD_CHARS) {
      overflow();
      add(piece.slice(0, Math.max(0, 80 - length())));
    } else add(piece);
  }

  private csvSink(delimiter: string): Sink {
    const reader = new CsvRecordReader(delimiter);
    let header: { columns: string[]; phoneIndex: number; line: number } | undefined;
    let broken = false;
    const onRecord = (rec: CsvRecord): void => {
      if (broken || isSkippable(rec)) return;
      if (!header) {
        header = this.readHeader(rec);
        if (!header) broken = true;
        return;
      }
      this.onRow(rec, header);
    };
    return {
      push: (text) => reader.push(text).forEach(onRecord),
      end: () => reader.end().forEach(onRecord),
    };
  }

  /** Checks the header; reports and returns undefined when no row can be read with it. */
  private readHeader(rec: CsvRecord): { columns: string[]; phoneIndex: number; line: number } | undefined {
    const columns = rec.cells.map((c) => c.trim());
    this.out.columns = columns;
    if (rec.error !== undefined) {
      this.problem(rec.raw, rec.line, rec.error);
      return undefined;
    }
    const phoneIndex = phoneColumnIndex(columns);
    if (phoneIndex < 0) {
      this.problem(rec.raw, rec.line, `the CSV header has no phone, to or number column (columns: ${columns.join(', ')})`);
      return undefined;
    }
    const seen = new Map<string, string>();
    for (const name of columns) {
      if (name === '') continue;
      const key = name.toLowerCase();
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        // {{name}} would be ambiguous, and so would the number column.
        this.problem(rec.raw, rec.line, `the CSV header has the column "${earlier}" twice${earlier === name ? '' : ` (as "${name}")`}: rename one of them`);
        return undefined;
      }
      seen.set(key, name);
    }
    return { columns, phoneIndex, line: rec.line };
  }

  private onRow(rec: CsvRecord, header: { columns: string[]; phoneIndex: number }): void {
    const { columns, phoneIndex } = header;
    if (rec.error !== undefined) return this.problem(rec.raw, rec.line, rec.error);
    if (rec.cells.length !== columns.length) {
      // More: usually an unquoted comma inside a value (the columns after it would be shifted).
      // Fewer: a cut-short row, whose missing values would fill templates with nothing.
      const hint = rec.cells.length > columns.length ? 'quote values that contain commas' : 'add the missing values, even if empty';
      return this.problem(
        rec.raw,
        rec.line,
        `has ${rec.cells.length} field${rec.cells.length === 1 ? '' : 's'} but the header has ${columns.length} (${hint})`,
      );
    }
    const input = (rec.cells[phoneIndex] ?? '').trim();
    const n = normalisePhone(input, this.defaultCountry);
    if (!n.ok) return this.problem(input === '' ? rec.raw : input, rec.line, input === '' ? `the ${columns[phoneIndex]} column is empty` : n.reason);
    const fields: Record<string, string> = {};
    columns.forEach((name, i) => {
      if (i !== phoneIndex && name !== '') fields[name] = rec.cells[i] ?? '';
    });
    this.accept(n.e164, fields, rec.line);
  }
}

/**
 * Parses a recipient file from a stream of bytes (a file or stdin), decoding UTF-8 across chunk
 * boundaries. Stops reading at the first sign that it is not text (a NUL byte: /dev/zero, an image).
 */
export async function parseRecipientStream(chunks: AsyncIterable<Buffer | string>, source: string, defaultCountry?: string): Promise<ParsedRecipients> {
  const parser = new RecipientFileParser(source, defaultCountry);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (parser.done) break;
  }
  if (!parser.done) parser.push(decoder.decode());
  return parser.end();
}
