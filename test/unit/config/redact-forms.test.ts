// The forms a secret takes in text that reached us, beyond raw/URL/base64 (redact.test.ts).
import { describe, expect, it } from 'vitest';
import { REDACTED, createRedactor, rememberSecrets, scrubKnownSecrets } from '../../../src/config/redact.js';

const SECRET = 'sé/cr+et"<tok>\\en';

describe('createRedactor', () => {
  const redact = createRedactor([SECRET]);
  it('masks JSON inside JSON (a provider quoting the request, escaped again by --json)', () => {
    const once = JSON.stringify(SECRET).slice(1, -1);
    const twice = JSON.stringify(once).slice(1, -1);
    expect(redact(`x ${twice} y`)).toBe(`x ${REDACTED} y`);
  });
  it('masks ASCII-only JSON escapes (\\u00e9) and HTML entities', () => {
    const ascii = JSON.stringify(SECRET).slice(1, -1).replace('é', '\\u00e9');
    expect(redact(`x ${ascii} y`)).toBe(`x ${REDACTED} y`);
    const html = SECRET.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    expect(redact(`<pre>${html}</pre>`)).toBe(`<pre>${REDACTED}</pre>`);
  });
  it('masks a secret cut short (8 characters or more) and leaves shorter look-alikes', () => {
    const token = 'abcdef0123456789abcdef0123456789';
    const r = createRedactor([token]);
    expect(r(`body: ${token.slice(0, 15)}`)).toBe(`body: ${REDACTED}`);
    expect(r(`base64: ${Buffer.from(`AC1:${token}`).toString('base64').slice(0, 30)}`)).not.toContain('MDEyMzQ1Njc4');
    expect(r('abcdef0 is fine')).toBe('abcdef0 is fine');
  });
  it('stays linear on a hostile line full of almost-secrets', () => {
    const token = 'abcdef0123456789abcdef0123456789';
    const r = createRedactor([token]);
    const line = 'abcdef01'.repeat(200_000);
    expect(r(line)).toBe(REDACTED.repeat(200_000));
  });
});

describe('rememberSecrets', () => {
  it('makes scrubKnownSecrets mask what the process resolved', () => {
    expect(scrubKnownSecrets('before remember-me/42')).toBe('before remember-me/42');
    rememberSecrets(['remember-me/42']);
    expect(scrubKnownSecrets('after remember-me/42')).toBe(`after ${REDACTED}`);
  });
});
