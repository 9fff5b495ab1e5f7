// Recipient lists (pure): `--to` values and `--to-file` text → E.164 recipients plus every
// problem at once. Reading the file or stdin happens in the command; nothing here throws per line,
// so a 5,000-line list with three typos reports all three before anything is sent.
import { normalisePhone } from './e164.js';

/** One recipient to send to. */
export interface Recipient {
  /** E.164, e.g. +15551234567. */
  to: string;
  /** The other CSV columns of this row, by header name (empty for `--to` and plain lists). */
  fields: Record<string, string>;
  /** 1-based line in the file where the entry starts (absent for `--to`). */
  line?: number;
}

/** An entry that could not be used, with where it came from and why. */
export interface InvalidRecipient {
  /** What the user wrote (the raw value or CSV cell; the whole record for structural problems). */
  input: string;
  /** The file name as the user gave it, 'stdin', or '--to'. */
  source: string;
  /** 1-based line in the file (absent for `--to`). */
  line?: number;
  reason: string;
}

/** What parsing all recipient inputs produced. */
export interface ParsedRecipients {
  valid: Recipient[];
  invalid: InvalidRecipient[];
  /** Entries dropped because an earlier entry has the same E.164 number (first one wins). */
  duplicates: number;
  /** CSV header names in file order (absent for plain lists). */
  columns?: string[];
}

/** The recipient file's text and how to name it in messages. */
export interface RecipientFileInput {
  text: string;
  /** Shown in problems: the path as typed, or 'stdin' for `--to-file -`. */
  source: string;
}

export interface ParseRecipientsOptions {
  /** `--to` values: each may hold several numbers separated by commas. */
  to?: readonly string[];
  file?: RecipientFileInput;
  /** ISO country for numbers written without a country code. */
  defaultCountry?: string;
}

/** The source name used for problems found in `--to` values. */
export const TO_FLAG_SOURCE = '--to';

/** Header names (lower-cased, spaces/underscores/dashes removed) that hold the number, best first. */
const PHONE_HEADERS = ['phone', 'to', 'number', 'phonenumber', 'mobile', 'mobilenumber', 'msisdn', 'cell', 'tel'];

/** Parses `--to` values and a `--to-file` text, normalising to E.164 and de-duplicating. */
export function parseRecipients(opts: ParseRecipientsOptions): ParsedRecipients {
  const out: ParsedRecipients = { valid: [], invalid: [], duplicates: 0 };
  const seen = new Set<string>();
  const accept = (r: Recipient): void => {
    if (seen.has(r.to)) {
      out.duplicates++;
      return;
    }
    seen.add(r.to);
    out.valid.push(r);
  };
  for (const value of opts.to ?? []) {
    for (const part of value.split(',')) {
      const input = part.trim();
      if (input === '') continue;
      const n = normalisePhone(input, opts.defaultCountry);
      if (n.ok) accept({ to: n.e164, fields: {} });
      else out.invalid.push({ input, source: TO_FLAG_SOURCE, reason: n.reason });
    }
  }
  if (opts.file) {
    const parsed = parseRecipientFile(opts.file, opts.defaultCountry);
    out.invalid.push(...parsed.invalid);
    for (const r of parsed.valid) accept(r);
    out.duplicates += parsed.duplicates;
    if (parsed.columns) out.columns = parsed.columns;
  }
  return out;
}

/**
 * Parses a recipient file: one number per line (`#` comments, blank lines), or CSV whose header
 * has a phone/to/number column. A BOM and CRLF line ends are accepted.
 */
export function parseRecipientFile(file: RecipientFileInput, defaultCountry?: string): ParsedRecipients {
  const text = file.text.charCodeAt(0) === 0xfeff ? file.text.slice(1) : file.text;
  // Comma first; spreadsheets in many locales export ";" and some tools use tabs, so a header
  // that only makes sense split on one of those selects it.
  let records = readCsvRecords(text);
  let first = records.find((r) => !isSkippable(r));
  if (!first) return { valid: [], invalid: [], duplicates: 0 };
  if (first.error === undefined && phoneColumnIndex(first.cells) < 0) {
    for (const delimiter of [';', '\t']) {
      const alt = readCsvRecords(text, delimiter);
      const altFirst = alt.find((r) => !isSkippable(r));
      if (altFirst && altFirst.error === undefined && altFirst.cells.length > 1 && phoneColumnIndex(altFirst.cells) >= 0) {
        records = alt;
        first = altFirst;
        break;
      }
    }
  }
  const looksLikeCsv = first.error === undefined && (first.cells.length > 1 || phoneColumnIndex(first.cells) >= 0);
  return looksLikeCsv ? fromCsv(records, first, file.source, defaultCountry) : fromPlainLines(text, file.source, defaultCountry);
}

function fromPlainLines(text: string, source: string, defaultCountry: string | undefined): ParsedRecipients {
  const out: ParsedRecipients = { valid: [], invalid: [], duplicates: 0 };
  const seen = new Set<string>();
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    // A trailing "# note" after the number is a comment too; "#" is never part of a number.
    const input = (lines[i] ?? '').replace(/(^|\s)#.*$/, '').trim();
    if (input === '') continue;
    const line = i + 1;
    const n = normalisePhone(input, defaultCountry);
    if (!n.ok) out.invalid.push({ input, source, line, reason: n.reason });
    else if (seen.has(n.e164)) out.duplicates++;
    else {
      seen.add(n.e164);
      out.valid.push({ to: n.e164, fields: {}, line });
    }
  }
  return out;
}

function fromCsv(records: CsvRecord[], header: CsvRecord, source: string, defaultCountry: string | undefined): ParsedRecipients {
  const columns = header.cells.map((c) => c.trim());
  const out: ParsedRecipients = { valid: [], invalid: [], duplicates: 0, columns };
  const phoneIndex = phoneColumnIndex(columns);
  if (phoneIndex < 0) {
    out.invalid.push({
      input: header.raw,
      source,
      line: header.line,
      reason: `the CSV header has no phone, to or number column (columns: ${columns.join(', ')})`,
    });
    return out;
  }
  const seen = new Set<string>();
  for (const rec of records) {
    if (rec.line <= header.line || isSkippable(rec)) continue;
    if (rec.error !== undefined) {
      out.invalid.push({ input: rec.raw, source, line: rec.line, reason: rec.error });
      continue;
    }
    if (rec.cells.length > columns.length) {
      // Usually an unquoted comma inside a value: the columns after it would be shifted.
      out.invalid.push({
        input: rec.raw,
        source,
        line: rec.line,
        reason: `has ${rec.cells.length} fields but the header has ${columns.length} (quote values that contain commas)`,
      });
      continue;
    }
    const input = (rec.cells[phoneIndex] ?? '').trim();
    const n = normalisePhone(input, defaultCountry);
    if (!n.ok) {
      out.invalid.push({ input: input === '' ? rec.raw : input, source, line: rec.line, reason: input === '' ? `the ${columns[phoneIndex]} column is empty` : n.reason });
      continue;
    }
    if (seen.has(n.e164)) {
      out.duplicates++;
      continue;
    }
    seen.add(n.e164);
    const fields: Record<string, string> = {};
    columns.forEach((name, i) => {
      if (i !== phoneIndex && name !== '') fields[name] = rec.cells[i] ?? '';
    });
    out.valid.push({ to: n.e164, fields, line: rec.line });
  }
  return out;
}

/** Index of the column holding the number, or -1. */
function phoneColumnIndex(cells: readonly string[]): number {
  const keys = cells.map((c) => c.trim().toLowerCase().replace(/[\s_-]+/g, ''));
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

/** A `#` comment: optional blanks then `#` at the start of a line (sticky: tested at an index). */
const COMMENT_START = /[ \t]*#/y;

/** One CSV record as read, before any meaning is given to its cells. */
export interface CsvRecord {
  cells: string[];
  /** 1-based line where the record starts. */
  line: number;
  /** The record's source text (without its line end), for problem reports. */
  raw: string;
  error?: string;
}

/**
 * Splits CSV text into records (RFC 4180): quoted fields may hold delimiters, `""` and line breaks;
 * CRLF, LF and CR all end a record. Records keep the line they start on. A line whose first
 * non-blank character is `#` (outside quotes) is a comment and yields no record.
 */
export function readCsvRecords(text: string, delimiter = ','): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    COMMENT_START.lastIndex = i;
    if (COMMENT_START.test(text)) {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
      i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    const start = i;
    const startLine = line;
    const cells: string[] = [];
    let cell = '';
    let error: string | undefined;
    let atCellStart = true;
    let done = false;
    while (i < n && !done) {
      const ch = text[i] as string;
      if (atCellStart && ch === '"') {
        atCellStart = false;
        i++;
        let closed = false;
        while (i < n) {
          const q = text[i] as string;
          if (q === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (q === '\r' || q === '\n') {
            if (q === '\r' && text[i + 1] === '\n') {
              cell += '\r\n';
              i += 2;
            } else {
              cell += q;
              i++;
            }
            line++;
            continue;
          }
          cell += q;
          i++;
        }
        if (!closed) {
          error = 'a quoted field is not closed (a missing ")';
          break;
        }
        // Text after the closing quote (`"a"b`) is kept, as most CSV readers do; only the
        // structure matters for us.
        continue;
      }
      if (ch === delimiter) {
        cells.push(cell);
        cell = '';
        atCellStart = true;
        i++;
        continue;
      }
      if (ch === '\r' || ch === '\n') {
        i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        done = true;
        break;
      }
      atCellStart = false;
      cell += ch;
      i++;
    }
    cells.push(cell);
    const raw = text.slice(start, i).replace(/(\r\n|\n|\r)$/, '');
    const rec: CsvRecord = { cells, line: startLine, raw };
    if (error !== undefined) rec.error = error;
    records.push(rec);
  }
  return records;
}


const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Names used as `{{name}}` placeholders in a message body, in order of first use. */
export function listPlaceholders(body: string): string[] {
  const names = new Set<string>();
  for (const m of body.matchAll(PLACEHOLDER)) names.add(m[1] ?? '');
  return [...names];
}

/**
 * Placeholders in `body` that no column provides (exact name first, then ignoring case), so the
 * command can refuse before sending: a message reading "Hi {{name}}" is worse than none.
 */
export function findMissingPlaceholders(body: string, columns: readonly string[]): string[] {
  return listPlaceholders(body).filter((name) => lookupField(name, columns) === undefined);
}

/** Fills `{{column}}` placeholders from one recipient's fields; unknown ones are left as written. */
export function renderTemplate(body: string, fields: Readonly<Record<string, string>>): string {
  const names = Object.keys(fields);
  return body.replace(PLACEHOLDER, (whole, name: string) => {
    const key = lookupField(name, names);
    return key === undefined ? whole : (fields[key] ?? '');
  });
}

function lookupField(name: string, columns: readonly string[]): string | undefined {
  if (columns.includes(name)) return name;
  const lower = name.toLowerCase();
  return columns.find((c) => c.toLowerCase() === lower);
}
