import { describe, expect, it } from 'vitest';
import { isCountryCode, normalisePhone, toCountryCode } from '../../../src/recipients/e164.js';

describe('isCountryCode / toCountryCode', () => {
  it('accepts only upper-case codes libphonenumber knows', () => {
    expect(isCountryCode('US')).toBe(true);
    expect(isCountryCode('GB')).toBe(true);
    expect(isCountryCode('XX')).toBe(false);
    expect(isCountryCode('us')).toBe(false);
    expect(isCountryCode('USA')).toBe(false);
  });

  it('upper-cases what the user typed', () => {
    expect(toCountryCode(' us ')).toBe('US');
    expect(toCountryCode('zz')).toBeUndefined();
    expect(toCountryCode(undefined)).toBeUndefined();
  });
});

describe('normalisePhone', () => {
  it.each([
    ['+1 202-555-0143', undefined, '+12025550143'],
    ['(202) 555-0143', 'US', '+12025550143'],
    ['202.555.0143', 'us', '+12025550143'],
    ['tel:+442079460958', undefined, '+442079460958'],
    ['+44 (0) 20 7946 0958', undefined, '+442079460958'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['0044 20 7946 0958', undefined, '+442079460958'],
    ['0044 20 7946 0958', 'US', '+442079460958'],
    ['011 44 20 7946 0958', 'US', '+442079460958'],
  ])('%j with %j → %s', (input, country, e164) => {
    expect(normalisePhone(input, country)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['', undefined, 'empty'],
    ['call me', undefined, 'not part of a phone number'],
    ['123', undefined, 'too short'],
    ['+1 202 555 0143 0143 0143 01', undefined, 'too long'],
    ['2025550143', undefined, '--default-country'],
    ['2025550143', 'XX', 'unknown default country'],
    ['+1202555014', undefined, 'not a possible +1 number'],
  ])('%j with %j fails: %s', (input, country, reason) => {
    const r = normalisePhone(input, country);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});
