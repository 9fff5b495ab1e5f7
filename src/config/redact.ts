// Redaction of secrets from everything mms prints or writes. Every function here runs in time
// linear in its input: it sees provider error bodies and webhook payloads, which come from outside
// (a regex with nested quantifiers over a 1 MB line once ran for minutes).

/** Header names whose values are never logged. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);

/** What replaces a secret. */
export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not searched for: they would mask ordinary text. */
const MIN_SECRET_LENGTH = 4;

/** Returns a copy of headers with credentials masked. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (SECRET_HEADERS.has(k.toLowerCase())) {
      const scheme = /^(\w{1,32})\s/.exec(v)?.[1];
      out[k] = scheme ? `${scheme} ${REDACTED}` : REDACTED;
    } else out[k] = v;
  }
  return out;
}

const SCHEME_CHAR = /[A-Za-z0-9+.-]/;
const USERINFO_END = /[\s/@?#]/;

/**
 * Masks the userinfo of every URL (`https://user:pass@host` → `https://[REDACTED]@host`). A scan,
 * not a regex: each `://` is looked at once and its userinfo ends at the first `/`, `@`, `?`, `#`
 * or white space, so the cost is linear in the text.
 */
export function redactUrlUserinfo(text: string): string {
  let out = '';
  let from = 0;
  let at = text.indexOf('://');
  while (at !== -1) {
    let schemeStart = at;
    while (schemeStart > 0 && at - schemeStart < 32 && SCHEME_CHAR.test(text[schemeStart - 1]!)) schemeStart--;
    let end = at + 3;
    let colon = -1;
    while (end < text.length && !USERINFO_END.test(text[end]!)) {
      if (text[end] === ':' && colon === -1) colon = end;
      end++;
    }
    if (schemeStart < at && colon > at + 3 && text[end] === '@') {
      out += text.slice(from, at + 3) + REDACTED;
      from = end;
    }
    at = text.indexOf('://', Math.max(at + 3, end));
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * The forms a secret can take in text that reached us: as is, URL-encoded (query strings and form
 * bodies, `+` for spaces too), JSON-escaped, and inside base64 (an HTTP Basic header is
 * base64("user:secret"): the secret's own bytes there depend on its offset modulo 3, so the stable
 * middle of each of the three alignments is searched for).
 */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return [];
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = new Set<string>([
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    // application/x-www-form-urlencoded as URLSearchParams writes it (it also escapes ! ' ( ) ~).
    new URLSearchParams({ s: secret }).toString().slice(2),
    json,
    // JSON inside JSON (a provider quoting the request in its error text, which --json escapes again).
    JSON.stringify(json).slice(1, -1),
    // JSON writers that escape every non-ASCII character (Python's json.dumps default).
    asciiJson(json),
    // An HTML error page (a gateway quoting the request).
    htmlEscape(secret),
  ]);
  const bytes = Buffer.from(secret, 'utf8');
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Characters fully determined by the secret's bytes: skip those mixing in the padding bytes
    // before it, and the last group, which mixes in whatever follows the secret.
    const first = Math.ceil((shift * 8) / 6);
    const last = Math.floor(((shift + bytes.length) * 8) / 6);
    const stable = encoded.slice(first, last);
    if (stable.length >= 6) forms.add(stable);
    // base64url, as JWTs and some tokens use it.
    if (stable.length >= 6) forms.add(stable.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

function asciiJson(json: string): string {
  let out = '';
  for (const ch of json) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out += ch;
    else for (const unit of ch.length === 2 ? [ch.charCodeAt(0), ch.charCodeAt(1)] : [code]) out += `\\u${unit.toString(16).padStart(4, '0')}`;
  }
  return out;
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function htmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A compiled redactor for a fixed set of secrets: one pass over the text for all of them. */
export interface Redactor {
  (text: string): string;
  readonly active: boolean;
}

/**
 * Builds a function that masks every form of every secret ({@link secretForms}) and any URL
 * userinfo. The secrets become one alternation of literals, longest first, which the regex engine
 * matches without backtracking blow-up.
 */
export function createRedactor(secrets: readonly string[]): Redactor {
  const forms = [...new Set(secrets.flatMap((s) => secretForms(s)))].sort((a, b) => b.length - a.length);
  const pattern = forms.length > 0 ? new RegExp(forms.map(escapeRegExp).join('|'), 'g') : undefined;
  const cutShort = prefixMasker(forms);
  const redact = (text: string): string => {
    const out = redactUrlUserinfo(text);
    return pattern ? cutShort(out.replace(pattern, REDACTED)) : out;
  };
  return Object.assign(redact, { active: pattern !== undefined });
}

/** A secret cut short this far (or further) is still masked. */
const MIN_PREFIX = 8;

/**
 * Masks the start of a secret form cut short (an error body truncated to its first N characters
 * can end in the middle of a secret): any run of at least MIN_PREFIX characters that begins a form.
 * One look-up per position in a map of the forms' first characters, and a jump past every match,
 * so the cost stays linear in the text.
 */
function prefixMasker(forms: readonly string[]): (text: string) => string {
  const heads = new Map<string, string[]>();
  for (const f of forms) {
    if (f.length < MIN_PREFIX) continue;
    const head = f.slice(0, MIN_PREFIX);
    const list = heads.get(head);
    if (list) list.push(f);
    else heads.set(head, [f]);
  }
  if (heads.size === 0) return (text) => text;
  // The forms' first two UTF-16 units as numbers: most positions are ruled out without making a string.
  const pairs = new Set([...heads.keys()].map((h) => h.charCodeAt(0) * 0x10000 + h.charCodeAt(1)));
  return (text) => {
    let out = '';
    let from = 0;
    let i = 0;
    while (i + MIN_PREFIX <= text.length) {
      if (!pairs.has(text.charCodeAt(i) * 0x10000 + text.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      const candidates = heads.get(text.slice(i, i + MIN_PREFIX));
      if (!candidates) {
        i++;
        continue;
      }
      let longest = MIN_PREFIX;
      for (const f of candidates) {
        let n = MIN_PREFIX;
        while (n < f.length && i + n < text.length && text[i + n] === f[n]) n++;
        longest = Math.max(longest, n);
      }
      out += text.slice(from, i) + REDACTED;
      i += longest;
      from = i;
    }
    return from === 0 ? text : out + text.slice(from);
  };
}

/** Replaces every occurrence of the given secrets (in every form) and any URL userinfo with [REDACTED]. */
export function redactText(text: string, secrets: readonly string[]): string {
  return createRedactor(secrets)(text);
}

/** Every secret resolved in this process (see rememberSecrets). */
const knownSecrets = new Set<string>();
let knownRedactor: Redactor | undefined;

/**
 * Records secrets in play in this process (credentials resolved for a run, a secret read by
 * `login`), so that writers that never see the run's credentials, such as the send journal, can
 * still mask them ({@link scrubKnownSecrets}).
 */
export function rememberSecrets(values: readonly string[]): void {
  const before = knownSecrets.size;
  for (const v of values) if (v) knownSecrets.add(v);
  if (knownSecrets.size !== before) knownRedactor = undefined;
  // Found there by core code that must not import config (src/core/journal.ts).
  (globalThis as Record<symbol, unknown>)[Symbol.for('mms.scrubKnownSecrets')] = scrubKnownSecrets;
}

/** Masks every secret {@link rememberSecrets} was told about (and any URL userinfo). */
export function scrubKnownSecrets(text: string): string {
  knownRedactor ??= createRedactor([...knownSecrets]);
  return knownRedactor(text);
}

/** Masks an identifier for display: the first 4 and last 4 characters survive (`AC12…cdef`). */
export function maskId(value: string): string {
  if (value.length <= 10) return `${value.slice(0, 2)}…`;
  return `${value.slice(0, 4)}…${value.slice(-4)}`;
}
