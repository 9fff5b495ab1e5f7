// Recipient lists (pure): `--to` values and `--to-file` text → E.164 recipients plus every
// problem at once. Reading the file or stdin happens in the command; nothing here throws per line,
// so a 5,000-line list with three typos reports all three before anything is sent.
import { normalisePhone } from './e164.js';
import { RecipientFileParser } from './file.js';

export { readCsvRecords, type CsvRecord } from './csv.js';

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
  /** A recipient file already parsed as it streamed in (parseRecipientStream), merged like `file`. */
  parsedFile?: ParsedRecipients;
  /** ISO country for numbers written without a country code. */
  defaultCountry?: string;
}

/** The source name used for problems found in `--to` values. */
export const TO_FLAG_SOURCE = '--to';

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
  const files = [...(opts.file ? [parseRecipientFile(opts.file, opts.defaultCountry)] : []), ...(opts.parsedFile ? [opts.parsedFile] : [])];
  for (const parsed of files) {
    // A loop, not push(...): spreading a million-entry list would overflow the call stack.
    for (const i of parsed.invalid) out.invalid.push(i);
    for (const r of parsed.valid) accept(r);
    out.duplicates += parsed.duplicates;
    if (parsed.columns) out.columns = parsed.columns;
  }
  return out;
}

/**
 * Parses a recipient file's whole text: one number per line (`#` comments, blank lines), or CSV whose
 * header has a phone/to/number column. A BOM and CRLF line ends are accepted. (Large files: use
 * parseRecipientStream from file.ts, which reads them in chunks.)
 */
export function parseRecipientFile(file: RecipientFileInput, defaultCountry?: string): ParsedRecipients {
  const parser = new RecipientFileParser(file.source, defaultCountry);
  parser.push(file.text);
  return parser.end();
}

// `{{ name }}`: the name is trimmed in code (a `\s*` on both sides of a lazy group backtracks).
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** Names used as `{{name}}` placeholders in a message body, in order of first use. */
export function listPlaceholders(body: string): string[] {
  const names = new Set<string>();
  for (const m of body.matchAll(PLACEHOLDER)) names.add((m[1] ?? '').trim());
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
  return body.replace(PLACEHOLDER, (whole, raw: string) => {
    const key = lookupField(raw.trim(), names);
    return key === undefined ? whole : (fields[key] ?? '');
  });
}

function lookupField(name: string, columns: readonly string[]): string | undefined {
  if (columns.includes(name)) return name;
  const lower = name.toLowerCase();
  return columns.find((c) => c.toLowerCase() === lower);
}
