// The first pass over a recipient list (src/recipients/list.ts): counts, the first 100 problems, de-duplication across
// --to and the file, and a spill file the send reads back, as often as needed, leaving nothing on disk.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_LISTED_INVALID, scanRecipients, type RecipientList } from '../../../src/recipients/list.js';
import { parseRecipients, type Recipient } from '../../../src/recipients/parse.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mms-list-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function all(list: RecipientList): Promise<Recipient[]> {
  const out: Recipient[] = [];
  for await (const r of list) out.push(r);
  return out;
}

const scan = (text: string, to: string[] = [], extra: Partial<Parameters<typeof scanRecipients>[0]> = {}) =>
  scanRecipients({ to, file: { chunks: Readable.from([Buffer.from(text)]), source: 'list.csv' }, tmpDir: dir, ...extra });

describe('scanRecipients', () => {
  it('gives what parsing the whole text gives (the first 100 problems listed, all counted) — property', async () => {
    const line = fc.oneof(
      fc.integer({ min: 0, max: 30 }).map((n) => `+1555${String(2000000 + n)}`),
      fc.constantFrom('not a number', '+1555', '', '# comment', '+44 20 7183 8750'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 400 }), fc.array(line, { maxLength: 3 }), async (lines, to) => {
        const text = lines.join('\n');
        const whole = parseRecipients({ to, file: { text, source: 'list.csv' } });
        const s = await scan(text, to);
        try {
          expect(await all(s.list)).toEqual(whole.valid);
          expect(s.list.count).toBe(whole.valid.length);
          expect(s.list.first).toEqual(whole.valid.slice(0, 5).map((r) => r.to));
          expect(s.invalid).toEqual(whole.invalid.slice(0, MAX_LISTED_INVALID));
          expect(s.invalidCount).toBe(whole.invalid.length);
          expect(s.duplicates).toBe(whole.duplicates);
        } finally {
          s.list.close();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keeps CSV fields, can be read again, and leaves no file behind (the spill is unlinked as soon as it is open)', async () => {
    const s = await scan('phone,name\n+15552000001,"Zoë, Jr."\n+15552000002,Bo\n+15552000001,again\n', ['+15552000002']);
    expect(readdirSync(dir)).toEqual([]);
    expect(s.duplicates).toBe(2);
    const once = await all(s.list);
    expect(once).toEqual([
      { to: '+15552000002', fields: {} },
      { to: '+15552000001', fields: { name: 'Zoë, Jr.' }, line: 2 },
    ]);
    expect(await all(s.list)).toEqual(once);
    s.list.close();
    s.list.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('lists the first 100 invalid lines with their line numbers and counts the rest', async () => {
    const lines = Array.from({ length: 250 }, (_, i) => (i % 2 === 0 ? `+1555200${String(i).padStart(4, '0')}` : `bad-${i}`));
    const s = await scan(lines.join('\n'));
    expect(s.invalidCount).toBe(125);
    expect(s.invalid).toHaveLength(100);
    expect(s.invalid[0]).toMatchObject({ input: 'bad-1', source: 'list.csv', line: 2 });
    expect(s.invalid[99]).toMatchObject({ input: 'bad-199', line: 200 });
    expect(s.list.count).toBe(125);
    s.list.close();
  });

  it('measures each templated text against the limit', async () => {
    const s = await scan(`phone,name\n+15552000001,${'x'.repeat(30)}\n+15552000002,Bo\n+15552000003,${'y'.repeat(40)}\n`, [], {
      template: { body: 'Hi {{name}}', maxChars: 20 },
    });
    expect(s.tooLong).toEqual({ count: 2, example: '+15552000001 (33 characters)' });
    s.list.close();
  });
});
