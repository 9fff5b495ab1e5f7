// The compact de-duplication set (src/recipients/number-set.ts) against a plain Set of strings: random lists of
// E.164 numbers with many repeats (and a few strings that are not E.164, which take the fallback path) must give
// the same answers for add, has and size, through every growth of the table.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NumberSet } from '../../src/recipients/number-set.js';

const e164 = fc.oneof(
  // Few distinct numbers: many duplicates.
  fc.integer({ min: 0, max: 50 }).map((n) => `+1555${String(n).padStart(7, '0')}`),
  // Any length E.164 allows, including the 15-digit maximum (still exact in a float64).
  fc.stringMatching(/^\+[1-9]\d{0,14}$/),
  // Not E.164 (never produced by normalisePhone): the set must still be exact.
  fc.constantFrom('+0123', '15551234567', '+1 555', '+12345678901234567', ''),
);

describe('NumberSet — property', () => {
  it('agrees with a Set<string> on add (new or duplicate), has and size', () => {
    fc.assert(
      fc.property(fc.array(e164, { maxLength: 3000 }), fc.array(e164, { maxLength: 50 }), (list, probes) => {
        const compact = new NumberSet();
        const plain = new Set<string>();
        for (const n of list) {
          expect(compact.add(n)).toBe(!plain.has(n));
          plain.add(n);
        }
        expect(compact.size).toBe(plain.size);
        for (const n of [...list, ...probes]) expect(compact.has(n)).toBe(plain.has(n));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps 100,000 numbers in a table of 16 or 32 bytes per number', () => {
    const set = new NumberSet();
    for (let i = 0; i < 100_000; i++) set.add(`+4479${String(i * 7919).padStart(8, '0')}`);
    expect(set.size).toBe(100_000);
    expect(set.bytes / set.size).toBeGreaterThanOrEqual(16);
    expect(set.bytes / set.size).toBeLessThanOrEqual(32);
    expect(set.has('+447900000000')).toBe(true);
    expect(set.has('+447900000001')).toBe(false);
  });
});
