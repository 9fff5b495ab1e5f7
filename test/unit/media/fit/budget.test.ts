import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../src/errors/errors.js';
import { allocateBudget, carrierSafeBytes, computeFitBudget, parseFitBudget, senderTypeOf, type FitBudget } from '../../../../src/media/fit/budget.js';
import { telnyxAdapter } from '../../../../src/providers/telnyx/adapter.js';
import { twilioAdapter } from '../../../../src/providers/twilio/adapter.js';

describe('parseFitBudget', () => {
  it.each([
    ['600KB', 600_000],
    ['600 kb', 600_000],
    ['1MB', 1_000_000],
    ['1.2MB', 1_200_000],
    ['500KiB', 512_000],
    ['1MiB', 1_048_576],
    ['750000', 750_000],
    ['600k', 600_000],
  ])('%s → %d bytes (KB/MB decimal, KiB/MiB binary)', (text, bytes) => {
    expect(parseFitBudget(text)).toBe(bytes);
  });

  it.each(['', 'big', '600XB', '-5KB', '1e6', '5KB', '200MB'])('rejects %j with a usage error naming the flag', (text) => {
    expect(() => parseFitBudget(text)).toThrow(UsageError);
    expect(() => parseFitBudget(text)).toThrow(/--fit-budget/);
  });
});

describe('senderTypeOf', () => {
  it.each([
    ['+14155550100', 'long-code'],
    ['+18885550100', 'toll-free'],
    ['+1 (833) 555-0100', 'toll-free'],
    ['18005550100', 'toll-free'],
    ['12345', 'short-code'],
    ['123456', 'short-code'],
    [undefined, 'long-code'],
  ] as const)('%s is a %s', (from, type) => {
    expect(senderTypeOf(from)).toBe(type);
  });
});

describe('computeFitBudget', () => {
  it('takes the minimum over carriers and keeps 5% for the MMS envelope', () => {
    expect(carrierSafeBytes('long-code')).toBe(570_000); // AT&T long code: 600 KB recommended
    expect(carrierSafeBytes('toll-free')).toBe(498_750); // Bandwidth's 525 KB, safer than 600 KB
    expect(carrierSafeBytes('short-code')).toBe(570_000);
    expect(carrierSafeBytes('short-code', 'verizon')).toBe(1_140_000);
  });

  it('is capped by the provider and explains why', () => {
    const b = computeFitBudget({ provider: telnyxAdapter.capabilities, overrideBytes: 3_000_000 });
    expect(b.totalBytes).toBe(1_000_000);
    expect(b.source).toBe('flag');
    expect(b.explain).toMatch(/capped at the provider's 977 KB \(1,000,000 bytes\) total/);
  });

  it('applies the non-image limit separately (Twilio 500 KB)', () => {
    const b = computeFitBudget({ provider: twilioAdapter.capabilities, overrideBytes: 2_000_000 });
    expect(b.maxFileBytes).toBe(2_000_000);
    expect(b.maxNonImageBytes).toBe(500 * 1024);
  });

  it('uses the carrier-safe target by default', () => {
    const b = computeFitBudget({ provider: twilioAdapter.capabilities, senderType: 'toll-free' });
    expect(b).toMatchObject({ totalBytes: 498_750, source: 'carrier' });
    expect(b.explain).toBe('487 KB (498,750 bytes): carrier-safe for toll free (all carriers)');
  });
});

describe('allocateBudget', () => {
  const budget = (total: number, cap = total): FitBudget => ({
    totalBytes: total,
    maxFileBytes: cap,
    maxNonImageBytes: cap,
    accepts: ['image/*'],
    source: 'flag',
    explain: '',
  });

  it('leaves fixed and small files alone and shares the rest by size', () => {
    const got = allocateBudget(
      [
        { bytes: 50_000, contentType: 'text/vcard', canShrink: false },
        { bytes: 40_000, contentType: 'image/png', canShrink: true },
        { bytes: 3_000_000, contentType: 'image/jpeg', canShrink: true },
        { bytes: 1_000_000, contentType: 'image/jpeg', canShrink: true },
      ],
      budget(600_000),
    );
    expect(got[0]).toBe(50_000);
    expect(got[1]).toBe(40_000);
    expect(got[2]! + got[3]!).toBeLessThanOrEqual(510_000);
    expect(got[2]! / got[3]!).toBeCloseTo(3, 1);
  });

  it('never hands out more than the total, nor more than a file cap (property)', () => {
    const item = fc.record({
      bytes: fc.integer({ min: 0, max: 10_000_000 }),
      contentType: fc.constantFrom('image/jpeg', 'video/mp4'),
      canShrink: fc.constant(true),
    });
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 10 }),
        fc.integer({ min: 10_000, max: 5_000_000 }),
        fc.integer({ min: 10_000, max: 5_000_000 }),
        (items, total, cap) => {
          const b = { ...budget(total, Math.min(cap, total)), maxNonImageBytes: Math.min(cap, total) };
          const got = allocateBudget(items, b);
          expect(got).toHaveLength(items.length);
          expect(got.reduce((s, x) => s + x, 0)).toBeLessThanOrEqual(total);
          got.forEach((x, i) => {
            expect(x).toBeGreaterThanOrEqual(0);
            expect(x).toBeLessThanOrEqual(Math.max(items[i]!.bytes <= b.maxFileBytes ? items[i]!.bytes : 0, b.maxFileBytes));
          });
        },
      ),
    );
  });
});
