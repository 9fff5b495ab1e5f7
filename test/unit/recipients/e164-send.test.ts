import { describe, expect, it } from 'vitest';
import { isCountryCode, normalisePhone, toCountryCode } from '../../../src/recipients/e164.js';

describe('normalisePhone (send paths)', () => {
  it.each([
    ['+15551234567', undefined, '+15551234567'],
    ['+1 (555) 123-4567', undefined, '+15551234567'],
    ['(555) 123-4567', 'US', '+15551234567'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['+15005550006', undefined, '+15005550006'],
    ['tel:+15551234567', undefined, '+15551234567'],
  ])('%s (default %s) → %s', (input, country, e164) => {
    expect(normalisePhone(input, country)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['', 'empty'],
    ['abc', 'contains characters'],
    ['+1555', 'too short'],
    ['+1234567890123456', 'too long'],
    ['5551234567', 'no country code'],
    ['+1 555 123 456', 'wrong length'],
  ])('rejects %j (%s)', (input, reason) => {
    const r = normalisePhone(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('knows country codes', () => {
    expect(isCountryCode('US')).toBe(true);
    expect(toCountryCode('gb')).toBe('GB');
    expect(isCountryCode('XX')).toBe(false);
  });
});
