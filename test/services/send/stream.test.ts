// Memory stays flat as the list grows (issue 8): the list is validated in a first pass and read back from its spill
// while sending, the runner holds no more recipients than it has workers, and a run keeps counts, not results. No
// timing is asserted: a probe around the list counts the recipients handed out and not yet reported.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSendRequest, type SendOptions } from '../../../src/commands/send.js';
import { runDispatch } from '../../../src/core/send-runner.js';
import { scanRecipients } from '../../../src/recipients/list.js';
import type { Recipient } from '../../../src/recipients/parse.js';
import { useSendHarness } from './harness.js';

const h = useSendHarness();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mms-stream-test-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function* lines(n: number, bad?: number): Generator<string> {
  for (let i = 0; i < n; i += 10_000) {
    const part: string[] = [];
    for (let j = i; j < Math.min(n, i + 10_000); j++) part.push(j + 1 === bad ? 'not-a-number' : `+1555${String(j).padStart(7, '0')}`);
    yield `${part.join('\n')}\n`;
  }
}

describe('a list of 100,000 recipients streams through the runner', () => {
  it('holds at most --concurrency recipients at once and keeps no results, only counts', async () => {
    const n = 100_000;
    const scan = await scanRecipients({ to: [], file: { chunks: Readable.from(lines(n)), source: 'big.txt' }, tmpDir: dir });
    let handedOut = 0;
    let reported = 0;
    let peak = 0;
    async function* probe(): AsyncGenerator<Recipient> {
      for await (const r of scan.list) {
        handedOut++;
        peak = Math.max(peak, handedOut - reported);
        yield r;
      }
    }
    try {
      const outcome = await runDispatch({
        recipients: probe(),
        total: scan.list.count,
        buildRequest: (r) => ({ to: r.to, from: '+15550009999', mediaUrls: [] }),
        send: async (req) => ({ id: `SM${req.to}`, status: 'queued', providerStatus: 'queued' }),
        concurrency: 8,
        collectResults: false,
        onResult: () => {
          reported++;
        },
      });
      expect(outcome.summary).toMatchObject({ total: n, accepted: n, failed: 0 });
      expect(outcome.results).toEqual([]);
      expect(reported).toBe(n);
      expect(peak).toBeLessThanOrEqual(8);
    } finally {
      scan.list.close();
    }
  });

  it('a list that cannot be read further (an I/O error on its spill) stops the run with the reason, after what was sent', async () => {
    async function* failing(): AsyncGenerator<Recipient> {
      for (let i = 0; i < 5; i++) yield { to: `+1555200000${i}`, fields: {} };
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    const outcome = await runDispatch({
      recipients: failing(),
      buildRequest: (r) => ({ to: r.to, from: '+15550009999', mediaUrls: [] }),
      send: async (req) => ({ id: `SM${req.to}`, status: 'queued', providerStatus: 'queued' }),
      concurrency: 2,
    });
    // Every recipient read has its result: sent, or (a worker that had not sent yet when the run stopped) not attempted.
    expect(outcome.summary.total).toBe(5);
    expect(outcome.summary.accepted + outcome.summary.notAttempted).toBe(5);
    expect(outcome.summary.accepted).toBeGreaterThanOrEqual(4);
    expect((outcome.stopError as Error).message).toMatch(/EIO/);
  });

  it('keeps every result only for --json (one document) and --wait (delivery lines)', () => {
    const base = { to: ['+15551234567'], media: [], dryRun: false, concurrency: '4', mediaTimeout: '120' } as unknown as SendOptions;
    expect(toSendRequest(base).collectResults).toBe(false);
    expect(toSendRequest({ ...base, ndjson: true }).collectResults).toBe(false);
    expect(toSendRequest({ ...base, json: true }).collectResults).toBe(true);
    expect(toSendRequest({ ...base, json: true, ndjson: true }).collectResults).toBe(false);
    expect(toSendRequest({ ...base, wait: '5' }).collectResults).toBe(true);
  });
});

describe('validation of a long list before anything is sent', () => {
  it('a bad row on the last of 50,000 lines stops the run: exit 5, file:line named, nothing sent', async () => {
    writeFileSync(join(h.dir, 'long.txt'), [...lines(50_000, 50_000)].join(''));
    const r = await h.run(['send', '--to-file', 'long.txt', '--body', 'x']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('long.txt:50000 "not-a-number"');
    expect(h.messages()).toHaveLength(0);
  });

  it('lists the first 100 of 150 problems and counts them all (human and --json)', async () => {
    const text = Array.from({ length: 160 }, (_, i) => (i < 10 ? `+1555200${String(i).padStart(4, '0')}` : `bad-${i + 1}`)).join('\n');
    writeFileSync(join(h.dir, 'bad.txt'), text);
    const human = await h.run(['send', '--to-file', 'bad.txt', '--body', 'x']);
    expect(human.code).toBe(5);
    expect(human.stderr).toContain('150 problems found, nothing was sent:');
    expect(human.stderr).toContain('  - bad.txt:11 "bad-11": ');
    expect(human.stderr).toContain('  … and 130 more (the first 100 are in --json output)');
    const json = await h.run(['send', '--to-file', 'bad.txt', '--body', 'x', '--json']);
    const details = JSON.parse(json.stdout).error.details;
    expect(details.problems).toHaveLength(100);
    expect(details.problems[99].message).toMatch(/^bad\.txt:110 "bad-110": /);
    expect(details.problemCount).toBe(150);
    expect(h.messages()).toHaveLength(0);
  });

  it('a dry run lists every recipient in --json, read back from the spill (stdin too)', async () => {
    const input = [...lines(3000)].join('') + '+15550000001\n';
    const r = await h.run(['send', '--to-file', '-', '--body', 'x', '--dry-run', '--json'], { input });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary).toMatchObject({ recipients: 3000, duplicates: 1, invalid: 0 });
    expect(doc.plan.recipients).toHaveLength(3000);
    expect(doc.plan.recipients[2999]).toBe('+15550002999');
  });
});
