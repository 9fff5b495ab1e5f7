// Property: whatever error text a provider returns, with the run's secret inside it in any form, the
// journal line on disk holds no form of the secret, and the line still verifies (its sum covers the
// scrubbed text), so resuming reads exactly what was written.
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, loadJournal } from '../../src/core/journal.js';
import { createRedactor } from '../../src/config/redact.js';

const RUNS = Number(process.env.MMS_PROPERTY_RUNS ?? 100);
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mms-journal-scrub-prop-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const encodings = (s: string) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1), Buffer.from(`AC1:${s}`).toString('base64')];
const secretArb = fc.string({ unit: fc.constantFrom(...'abcXYZ019/+=%"\\é'.split('')), minLength: 12, maxLength: 32 });
const textArb = fc.string({ unit: fc.constantFrom(...'ab {}":,\n\u2028'.split('')), maxLength: 20 });

describe('journal scrubbing (property)', () => {
  it('never writes a secret and keeps every line verifiable', () => {
    let n = 0;
    fc.assert(
      fc.property(secretArb, fc.array(fc.tuple(textArb, fc.nat(3), textArb), { minLength: 1, maxLength: 5 }), (secret, errors) => {
        const file = path.join(dir, `run-${n++}.jsonl`);
        const journal = Journal.open(file, { scrub: createRedactor([secret]) });
        errors.forEach(([before, form, after], i) => {
          const to = `+1555000${String(i).padStart(4, '0')}`;
          journal.started(to);
          journal.finished({ to, status: 'failed', error: { code: 'PROVIDER_REJECTED', message: `${before}${encodings(secret)[form]!}${after}` } });
        });
        journal.close();
        const text = fs.readFileSync(file, 'utf8');
        for (const form of encodings(secret)) expect(text).not.toContain(form.slice(0, 12));
        const loaded = loadJournal(file);
        expect(loaded.damagedLines ?? []).toEqual([]);
        expect(loaded.records.size).toBe(errors.length);
      }),
      { numRuns: RUNS },
    );
  });
});
