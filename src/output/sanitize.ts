// Makes untrusted text (message bodies, phone numbers, file names, request paths from webhooks)
// safe to show in a terminal or to use as a file name. Webhook payloads come from the internet:
// an SMS body containing "\x1b]52;c;…\x07" must never reach the terminal as an escape sequence.

/** Short escapes for the common C0 controls; everything else uses \uXXXX. */
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Characters that are never printed raw:
 * - C0 controls U+0000–U+001F (including ESC, BEL, BS, CR, LF, TAB) and DEL U+007F;
 * - C1 controls U+0080–U+009F (U+009B is a one-byte CSI on some terminals);
 * - bidi controls: ALM U+061C, LRM/RLM U+200E/U+200F, embeddings/overrides U+202A–U+202E,
 *   isolates U+2066–U+2069 (the "Trojan Source" characters, CVE-2021-42574);
 * - line/paragraph separators U+2028/U+2029 and BOM U+FEFF (some terminals break lines or hide text);
 * - lone UTF-16 surrogates (would be written as U+FFFD and hide what was received);
 * - invisible zero-width characters that can hide or split text: ZWSP U+200B, ZWNJ U+200C, word
 *   joiner and invisible operators U+2060–U+2064, Mongolian vowel separator U+180E, and ZWJ U+200D
 *   unless it joins two emoji (family and profession emoji are ZWJ sequences).
 * Variation selectors are kept: emoji need them.
 */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b\u200c\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|(?<!\p{Extended_Pictographic}\ufe0f?)\u200d|\u200d(?!\p{Extended_Pictographic})|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu;

/**
 * The same characters as they can appear in JSON text produced by JSON.stringify, which escapes
 * C0 controls and lone surrogates itself but leaves the rest raw. Outside JSON strings none of them
 * can occur, so replacing them with \uXXXX anywhere in the text keeps it valid and equal.
 */
const UNSAFE_IN_JSON =
  /[\u007f-\u009f\u061c\u180e\u200b\u200c\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|(?<!\p{Extended_Pictographic}\ufe0f?)\u200d|\u200d(?!\p{Extended_Pictographic})/gu;

/** Escapes, as \uXXXX, the characters of JSON text that a terminal would act on or hide. */
export function escapeJsonText(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function escapeChar(ch: string): string {
  return SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Returns text that is safe to write to a terminal: every control, bidi and separator character is
 * replaced by its visible escape (`\n`, `\t`, `\u001b`, `\u202e`…). Escape sequences (CSI, OSC,
 * DCS, …) are therefore shown, never interpreted: their ESC/C1 introducer becomes visible text and
 * the rest is plain printable characters. Backslashes are left alone, so the result is for display,
 * not a reversible encoding (use JSON for that).
 */
export function sanitizeForTerminal(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** Options for {@link safeFileName}. */
export interface SafeFileNameOptions {
  /** Maximum length in UTF-8 bytes (most file systems allow 255; default 200 leaves room for suffixes). */
  maxBytes?: number;
  /** Used when nothing usable is left (default "file"). */
  fallback?: string;
}

// Windows reserves these device names with or without an extension ("con.txt"), in any case,
// and also with superscript digits (COM¹). https://learn.microsoft.com/windows/win32/fileio/naming-a-file
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\.|$)/i;

// Path separators, characters Windows forbids, and everything sanitizeForTerminal escapes.
const FORBIDDEN_IN_NAME =
  /[/\\<>:"|?*\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Cuts s to at most maxBytes of UTF-8 without splitting a code point. */
function truncateUtf8(s: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const cp of s) {
    const n = utf8Length(cp);
    if (bytes + n > maxBytes) break;
    out += cp;
    bytes += n;
  }
  return out;
}

/**
 * Turns an untrusted name (from a webhook, a URL or a provider) into a single, harmless file-name
 * component: no path separators (so no traversal), no control/bidi characters, no characters
 * Windows forbids, no leading dots or dashes (no hidden files, no "..", no option look-alikes), no
 * trailing dots or spaces, not a reserved device name, and at most `maxBytes` UTF-8 bytes with the
 * extension kept when possible. Never returns an empty string.
 */
export function safeFileName(name: string, opts: SafeFileNameOptions = {}): string {
  const maxBytes = Math.max(16, opts.maxBytes ?? 200);
  const fallback = opts.fallback ?? 'file';
  let s = name.normalize('NFC').replace(FORBIDDEN_IN_NAME, '_');
  s = s.replace(/^[\s.-]+/u, '').replace(/[\s.]+$/u, '');
  if (s === '' || /^_+$/.test(s)) s = fallback;
  if (RESERVED.test(s)) s = `_${s}`;
  if (utf8Length(s) > maxBytes) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 16 ? s.slice(dot) : '';
    const stem = truncateUtf8(s.slice(0, s.length - ext.length), maxBytes - utf8Length(ext)).replace(/[\s.]+$/u, '');
    s = (stem || fallback) + ext;
  }
  return s;
}
