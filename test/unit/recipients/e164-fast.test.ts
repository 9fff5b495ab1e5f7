// The E.164 fast path must never accept a number libphonenumber would refuse, or normalise it
// differently: checked on every calling code with lengths around each country's possible ones.
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { isPossibleE164Fast, normalisePhone } from '../../../src/recipients/e164.js';

const load = createRequire(import.meta.url);
const core = load('libphonenumber-js/core') as {
  parsePhoneNumberFromString(t: string, c: undefined, m: unknown): { number: string; isPossible(): boolean } | undefined;
};
const metadata = load('libphonenumber-js/metadata.min.json') as { country_calling_codes: Record<string, string[]> };

function libraryVerdict(input: string): string | false {
  const p = core.parsePhoneNumberFromString(input, undefined, metadata);
  return p && p.isPossible() ? p.number : false;
}

describe('E.164 fast path agrees with libphonenumber', () => {
  it('on every calling code, every length from 4 to 14 and several leading digits', () => {
    let fast = 0;
    let checked = 0;
    for (const code of Object.keys(metadata.country_calling_codes)) {
      for (let nsn = 4; nsn <= 15 - code.length; nsn++) {
        for (const lead of ['1', '2', '3', '5', '7', '9']) {
          const digits = (lead + '8472951630472951').slice(0, nsn);
          const input = `+${code}${digits}`;
          const verdict = isPossibleE164Fast(input);
          checked++;
          if (verdict === true) {
            fast++;
            expect(libraryVerdict(input), input).toBe(input);
          }
        }
      }
    }
    // The fast path really is used for most of them (NANP, most single-country codes).
    expect(checked).toBeGreaterThan(5000);
    expect(fast).toBeGreaterThan(500);
    expect(isPossibleE164Fast('+15551234567')).toBe(true);
    expect(isPossibleE164Fast('+14165551234')).toBe(true);
  });

  it('gives the same answers through normalisePhone', () => {
    for (const n of ['+15551234567', '+442079460958', '+4915123456789', '+61412345678', '+8613812345678']) {
      expect(normalisePhone(n)).toEqual({ ok: true, e164: libraryVerdict(n) });
    }
    expect(normalisePhone('+1555123456').ok).toBe(false);
  });
});
