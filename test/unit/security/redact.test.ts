import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRedactor, redactText, redactUrlUserinfo, secretForms, REDACTED } from '../../../src/config/redact.js';

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('redactText', () => {
  const token = 'f00dfacecafe1234deadbeef5678abcd';
  const sid = 'AC0123456789abcdef0123456789abcdef';

  it('masks a secret as is, URL-encoded, JSON-escaped and inside an HTTP Basic header', () => {
    const odd = 'p@ss w/rd"+\\ok';
    const body = [
      `token=${token}`,
      `q=${encodeURIComponent(odd)}`,
      `form=${encodeURIComponent(odd).replace(/%20/g, '+')}`,
      `json=${JSON.stringify({ secret: odd })}`,
      `auth: ${basic(sid, token)}`,
    ].join('\n');
    const out = redactText(body, [token, odd]);
    expect(out).not.toContain(token);
    expect(out).not.toContain(encodeURIComponent(odd));
    expect(out).not.toContain(JSON.stringify(odd).slice(1, -1));
    // The Basic credentials cannot be decoded back to the token any more.
    const b64 = /Basic (\S+)/.exec(out)?.[1] ?? '';
    expect(Buffer.from(b64.replace(/\[REDACTED\]/g, ''), 'base64').toString('latin1')).not.toContain(token);
    expect(out).toContain(REDACTED);
  });

  it('finds the secret inside base64 at every alignment (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 0, maxLength: 12 }),
        fc.string({ minLength: 8, maxLength: 40 }),
        fc.string({ maxLength: 12 }),
        (before, secret, after) => {
          const encoded = Buffer.from(before + secret + after).toString('base64');
          const out = redactText(`x ${encoded} y`, [secret]);
          const decoded = Buffer.from(out.split(' ')[1]!.replace(/\[REDACTED\]/g, ''), 'base64').toString('utf8');
          return !decoded.includes(secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('masks URL userinfo but keeps the rest of the URL', () => {
    expect(redactUrlUserinfo('see https://AC1:tok@api.example.com/x?y=1 now')).toBe(`see https://${REDACTED}@api.example.com/x?y=1 now`);
    expect(redactUrlUserinfo('ftp://user@host/ and http://host/a:b@c')).toBe('ftp://user@host/ and http://host/a:b@c');
    expect(redactUrlUserinfo('no urls here')).toBe('no urls here');
  });

  it('ignores secrets too short to be told apart from ordinary text', () => {
    expect(secretForms('abc')).toEqual([]);
    expect(redactText('abc abc', ['abc'])).toBe('abc abc');
  });

  it('handles hostile 1 MB lines in one pass (a super-linear scan would time the test out)', () => {
    const hostile = [
      'a'.repeat(1_000_000),
      'a:'.repeat(500_000),
      'x://'.repeat(250_000),
      `${'a'.repeat(500_000)}://${'b:'.repeat(250_000)}`,
      `h://${'u:'.repeat(400_000)}@`,
    ];
    const redact = createRedactor(['s3cr3t-token-value', 'AC0123456789abcdef']);
    for (const line of hostile) {
      const out = redact(line);
      expect(out.length).toBeGreaterThan(0);
      expect(out.length).toBeLessThanOrEqual(line.length);
    }
    expect(redact(`h://${'u:'.repeat(10)}@host`)).toBe(`h://${REDACTED}@host`);
  });
});
