// The streamed send path under random faults and random kill points: a list with repeats is scanned into its spill
// (src/recipients/list.ts), sent through the runner with the real journal (whose resume state is the compact table of
// src/core/journal.ts), "killed" mid-request a random number of times (the request hangs forever and the journal is
// closed under it, as kill -9 leaves it), then resumed until a run finishes. Judged against what the fake provider
// created: no recipient gets two messages, and every recipient ends accepted, failed (never created) or honestly
// unknown (its outcome was lost), exactly once in the last run's results.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Journal } from '../../src/core/journal.js';
import { runDispatch } from '../../src/core/send-runner.js';
import type { MessageRequest, ProviderAcceptance } from '../../src/core/types.js';
import { ErrorCode, ProviderError } from '../../src/errors/errors.js';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { scanRecipients } from '../../src/recipients/list.js';

type Fault = 'ok' | 'lost-answer' | 'rejected';

/** A provider that records what it created; `fault` decides each call. */
function fakeProvider() {
  const created: string[] = [];
  let calls = 0;
  return {
    created,
    send(req: MessageRequest, fault: Fault, hang: boolean): Promise<ProviderAcceptance> {
      calls++;
      // kill -9 while the request is out: the message exists unless the provider was about to refuse it, and the run
      // never learns which (the process is gone: nothing after this point runs).
      if (hang) {
        if (fault !== 'rejected') created.push(req.to);
        return new Promise(() => undefined);
      }
      if (fault === 'rejected')
        return Promise.reject(new ProviderError(ErrorCode.RECIPIENT_REJECTED, ExitCode.PROVIDER_REJECTED, 'rejected', { provider: 'fake', httpStatus: 400 }));
      created.push(req.to);
      if (fault === 'lost-answer') return Promise.reject(new Error('socket hang up'));
      return Promise.resolve({ id: `SM${calls}`, status: 'queued', providerStatus: 'queued' });
    },
  };
}

describe('streamed send + compact journal + resume — property', () => {
  it('random lists with repeats, random faults and kill points: nobody sent twice, nobody lost', async () => {
    const number = fc.integer({ min: 0, max: 29 }).map((n) => `+1555200${String(n).padStart(4, '0')}`);
    await fc.assert(
      fc.asyncProperty(
        fc.array(number, { minLength: 1, maxLength: 60 }),
        fc.array(fc.constantFrom<Fault>('ok', 'ok', 'ok', 'lost-answer', 'rejected'), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 3 }),
        fc.integer({ min: 1, max: 4 }),
        async (list, faults, kills, concurrency) => {
          const dir = mkdtempSync(join(tmpdir(), 'mms-stream-resume-'));
          try {
            const file = join(dir, 'to.txt');
            writeFileSync(file, `${list.join('\n')}\n`);
            const journalPath = join(dir, 'run.jsonl');
            const provider = fakeProvider();
            const unique = [...new Set(list)];
            let call = 0;
            for (const killAt of kills) {
              // A killed run: concurrency 1, so the kill point is one request and nothing after it starts.
              const scan = await scanRecipients({ to: [], file: { chunks: createReadStream(file), source: file }, tmpDir: dir });
              const journal = Journal.open(journalPath);
              let sent = 0;
              let killed!: () => void;
              const dead = new Promise<void>((resolve) => (killed = resolve));
              void runDispatch({
                recipients: scan.list,
                buildRequest: (r) => ({ to: r.to, from: '+15550009999', mediaUrls: [] }),
                send: (req) => {
                  const hang = ++sent === killAt;
                  if (hang) killed();
                  return provider.send(req, faults[call++ % faults.length]!, hang);
                },
                concurrency: 1,
                journal,
                collectResults: false,
              }).then(() => killed());
              await dead;
              journal.close();
              scan.list.close();
            }
            const scan = await scanRecipients({ to: [], file: { chunks: createReadStream(file), source: file }, tmpDir: dir });
            const journal = Journal.open(journalPath);
            const last = await runDispatch({
              recipients: scan.list,
              buildRequest: (r) => ({ to: r.to, from: '+15550009999', mediaUrls: [] }),
              send: (req) => provider.send(req, 'ok', false),
              concurrency,
              journal,
            });
            journal.close();
            scan.list.close();

            const times = new Map<string, number>();
            for (const to of provider.created) times.set(to, (times.get(to) ?? 0) + 1);
            for (const [to, n] of times) expect(n, `${to} got ${n} messages`).toBe(1);
            expect(last.results.map((r) => r.to)).toEqual(unique);
            for (const r of last.results) {
              const made = times.get(r.to) ?? 0;
              if (r.status === 'accepted' || r.status === 'skipped') expect(made, `${r.to} reported ${r.status}`).toBe(1);
              else if (r.status === 'failed') expect(made, `${r.to} reported failed`).toBe(0);
              else expect(r.status).toBe('unknown');
            }
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
