// Property-based test of the redactor against encodings computed here (not with redact.ts): for any
// secret of 8+ characters embedded in any text, in any form a provider or our own output could give
// it (raw, URL/form-encoded, JSON-escaped once or twice, ASCII-only JSON, HTML, inside a Basic
// header, base64url, cut short), nothing of 8+ characters of that form survives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/config/redact.js';

const RUNS = Number(process.env.MMS_PROPERTY_RUNS ?? 300);

const forms: Array<[string, (s: string) => string]> = [
  ['raw', (s) => s],
  ['url', (s) => encodeURIComponent(s)],
  ['form', (s) => new URLSearchParams({ k: s }).toString().slice(2)],
  ['json', (s) => JSON.stringify(s).slice(1, -1)],
  ['json twice', (s) => JSON.stringify(JSON.stringify(s)).slice(3, -3)],
  [
    'ascii json',
    (s) =>
      JSON.stringify(s)
        .slice(1, -1)
        .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  ],
  ['html', (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')],
];

/** The characters of base64(user + ":" + secret) that depend only on the secret. */
function basicCore(user: string, secret: string): string {
  const head = Buffer.from(`${user}:`).length;
  const b64 = Buffer.from(`${user}:${secret}`).toString('base64');
  const start = Math.ceil((head * 8) / 6);
  const end = Math.floor(((head + Buffer.from(secret).length) * 8) / 6);
  return b64.slice(start, end);
}

// Printable secrets with the characters encodings change; no lone surrogates (not valid UTF-8).
const secretArb = fc.string({ unit: fc.constantFrom(...'abcXYZ019/+=%"\\<>&\' é€-_.~:'.split('')), minLength: 8, maxLength: 40 });
const textArb = fc.string({ unit: fc.constantFrom(...'abc xyz 123 {}":,\n'.split('')), maxLength: 30 });

/** True when `text` still holds 8 or more consecutive characters of `form` starting at its start. */
function holdsPrefix(text: string, form: string): boolean {
  for (let n = form.length; n >= 8; n--) if (text.includes(form.slice(0, n))) return true;
  return false;
}

describe('createRedactor (property)', () => {
  it('leaves no form of a secret, whole or cut short, in any text', () => {
    fc.assert(
      fc.property(secretArb, textArb, textArb, fc.constantFrom(...forms), fc.nat(60), (secret, before, after, [, encode], cut) => {
        const form = encode(secret);
        const shown = cut >= 8 && cut < form.length ? form.slice(0, cut) : form;
        const out = createRedactor([secret])(`${before}${shown}${after}`);
        expect(holdsPrefix(out.replace(before, '').replace(after, ''), form)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves nothing of a secret inside an echoed Basic header', () => {
    fc.assert(
      fc.property(secretArb, fc.string({ unit: fc.constantFrom(...'ACabc0123'.split('')), minLength: 1, maxLength: 20 }), (secret, user) => {
        const core = basicCore(user, secret);
        fc.pre(core.length >= 8);
        const out = createRedactor([secret])(`Authorization: Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`);
        expect(out).not.toContain(core);
        expect(out).not.toContain(core.replace(/\+/g, '-').replace(/\//g, '_'));
      }),
      { numRuns: RUNS },
    );
  });
});
