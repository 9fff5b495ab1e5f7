import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRecipientFile } from '../../../src/recipients/parse.js';
import { parseRecipientStream } from '../../../src/recipients/file.js';
import { MAX_RECORD_CHARS } from '../../../src/recipients/csv.js';

const A = '+12025550143';
const B = '+12025550144';

function chunked(text: string, sizes: number[]): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  let i = 0;
  let k = 0;
  while (i < bytes.length) {
    const n = Math.max(1, sizes[k++ % sizes.length] ?? 1);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe('parseRecipientStream', () => {
  it('gives the same result however the bytes are split (UTF-8 and CRLF across chunks included) — property', async () => {
    const piece = fc.constantFrom(
      A,
      B,
      '+442071838750',
      'not a number',
      ',',
      ';',
      '\t',
      '"',
      '\r\n',
      '\n',
      '\r',
      '#',
      ' ',
      'phone',
      'name',
      'Zoë',
      '日本',
      '😀',
      '{{x}}',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }), async (parts, sizes) => {
        const text = parts.join('');
        const whole = parseRecipientFile({ text, source: 'f.csv' });
        const streamed = await parseRecipientStream(Readable.from(chunked(text, sizes)), 'f.csv');
        expect(streamed).toEqual(whole);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on arbitrary bytes (fuzz), and reports rather than accepts what it cannot read', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const r = await parseRecipientStream(Readable.from([Buffer.from(bytes)]), 'blob');
        for (const v of r.valid) expect(v.to).toMatch(/^\+[1-9]\d{1,14}$/);
      }),
      { numRuns: 500 },
    );
  });

  it('reports a line longer than 64 KiB at its line and keeps reading the rest', async () => {
    const huge = 'x'.repeat(MAX_RECORD_CHARS + 10);
    const plain = await parseRecipientStream(Readable.from([`${A}\n${huge}\n${B}\n`]), 'list.txt');
    expect(plain.valid.map((v) => v.to)).toEqual([A, B]);
    expect(plain.invalid).toEqual([
      { input: expect.stringMatching(/^x{80}…$/), source: 'list.txt', line: 2, reason: 'longer than 64 KiB (is this a recipient list?)' },
    ]);
    const csv = await parseRecipientStream(Readable.from([`phone,name\n${A},"${huge}"\n${B},Bo\n`]), 'list.csv');
    expect(csv.valid.map((v) => v.to)).toEqual([B]);
    expect(csv.invalid).toEqual([
      { input: expect.stringMatching(/…$/), source: 'list.csv', line: 2, reason: 'longer than 64 KiB (is this a recipient list?)' },
    ]);
  });

  it('keeps memory bounded for a 30 MB field: the field is never held whole', async () => {
    // 30 MB in 64 KiB chunks, like a file stream; today's reader held it all (and more) at once.
    const chunk = 'y'.repeat(64 * 1024);
    async function* source() {
      yield `phone,name\n${A},"`;
      for (let i = 0; i < 480; i++) yield chunk;
      yield `"\n${B},Bo\n`;
    }
    const before = process.memoryUsage().heapUsed;
    const r = await parseRecipientStream(source(), 'big.csv');
    const grown = process.memoryUsage().heapUsed - before;
    expect(r.valid.map((v) => v.to)).toEqual([B]);
    expect(r.invalid[0]).toMatchObject({ line: 2, reason: 'longer than 64 KiB (is this a recipient list?)' });
    expect(grown).toBeLessThan(20 * 1024 * 1024);
  });

  it('stops at a NUL byte (/dev/zero, an image) with one clear problem', async () => {
    async function* zeros() {
      for (;;) yield Buffer.alloc(65536);
    }
    const r = await parseRecipientStream(zeros(), '/dev/zero');
    expect(r).toEqual({
      valid: [],
      invalid: [{ input: '', source: '/dev/zero', line: 1, reason: 'contains a NUL byte: this is not a text file of numbers' }],
      duplicates: 0,
    });
  });
});

describe('CSV headers', () => {
  it('refuses a header that names a column twice, at its line', () => {
    const r = parseRecipientFile({ text: `# list\nphone,name,Name\n${A},Al,Al\n`, source: 'list.csv' });
    expect(r.valid).toEqual([]);
    expect(r.invalid).toEqual([
      { input: 'phone,name,Name', source: 'list.csv', line: 2, reason: 'the CSV header has the column "name" twice (as "Name"): rename one of them' },
    ]);
  });
});
