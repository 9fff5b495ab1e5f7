// Bulk sending that cron jobs can trust: recipient files, templates, faults, retries without
// duplicates, the journal, streaming output. The CLI and the sandbox both run in this process; the
// cases where the process itself is the subject (kill -9, Ctrl+C, piped stdin) stay in test/e2e.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sendExitCode, sendMessages } from '../../../src/services/send/index.js';
import { instantSleep, sendPortsFor, sendRequest, useSendHarness } from './harness.js';
import { skipSendWaits } from '../../helpers/skip-waits.js';

const h = useSendHarness();

const numbers = (n: number, start = 0) => Array.from({ length: n }, (_, i) => `+1555200${String(start + i).padStart(4, '0')}`);

function countByTo(msgs: Array<{ to: string }>): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of msgs) m.set(x.to, (m.get(x.to) ?? 0) + 1);
  return m;
}

describe('recipient files', () => {
  it('reads a CSV (BOM, CRLF, quotes) and fills {{column}} placeholders per recipient', async () => {
    writeFileSync(join(h.dir, 'subs.csv'), '\uFEFFname,phone,city\r\n"Ada, Countess",+15552000001,London\r\nBob,(555) 200-0002,"New ""York"""\r\n');
    const r = await h.run(['send', '--to-file', 'subs.csv', '--default-country', 'US', '--body', 'Hi {{name}} in {{city}}', '--json']);
    expect(r.code).toBe(0);
    expect(
      h
        .messages()
        .map((m) => [m.to, m.body])
        .sort(),
    ).toEqual([
      ['+15552000001', 'Hi Ada, Countess in London'],
      ['+15552000002', 'Hi Bob in New "York"'],
    ]);
  });

  it('reports every invalid line with file and line number, and sends nothing', async () => {
    writeFileSync(join(h.dir, 'list.txt'), '# subscribers\n+15552000001\n\nnot-a-number\n+1555\n+15552000001\n');
    const r = await h.run(['send', '--to-file', 'list.txt', '--body', 'x', '--json']);
    expect(r.code).toBe(5);
    const problems = JSON.parse(r.stdout).error.details.problems.map((p: { message: string }) => p.message);
    expect(problems).toEqual([expect.stringMatching(/^list\.txt:4 "not-a-number": /), expect.stringMatching(/^list\.txt:5 "\+1555": /)]);
    expect(h.messages()).toHaveLength(0);
    const skip = await h.run(['send', '--to-file', 'list.txt', '--body', 'x', '--skip-invalid']);
    expect(skip.code).toBe(0);
    expect(skip.stderr).toMatch(/skipping 2 invalid recipients/);
    expect(h.messages().map((m) => m.to)).toEqual(['+15552000001']);
  });

  it('reads recipients from stdin and refuses a placeholder with no column', async () => {
    const r = await h.run(['send', '--to-file', '-', '--body', 'x'], { input: '+15552000003\n+15552000004\n' });
    expect(r.code).toBe(0);
    expect(h.messages()).toHaveLength(2);
    const bad = await h.run(['send', '--to', '+15552000003', '--body', 'Hi {{name}}', '--json']);
    expect(bad.code).toBe(5);
    expect(JSON.parse(bad.stdout).error.code).toBe('INPUT_INVALID');
  });

  it('refuses two inputs that both want stdin (exit 2)', async () => {
    const r = await h.run(['send', '--to-file', '-', '--body', '-'], { input: '+15552000003\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stdin can feed only one input, but --body - and --to-file - both ask for it');
  });

  it('--dry-run reports count, invalid lines, media and the estimated duration', async () => {
    writeFileSync(join(h.dir, 'many.txt'), numbers(50).join('\n'));
    const r = await h.run(['send', '--to-file', 'many.txt', '--body', 'x', '--rate', '10/s', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout).plan;
    expect(plan.recipients).toHaveLength(50);
    expect(plan.estimatedSeconds).toBe(5);
    expect(h.messages()).toHaveLength(0);
  });
});

describe('faults: retries without duplicates', () => {
  it('retries 429s and 500s and sends each recipient at most once', async () => {
    await h.setFaults({ rateLimit: 20, failRate: 0.1 });
    writeFileSync(join(h.dir, 'fault.txt'), numbers(40).join('\n'));
    // Backoff and Retry-After are honoured on mms's clock, which moves the sandbox's rate window with it (no real waits).
    const restore = skipSendWaits();
    const r = await h.run(['send', '--to-file', 'fault.txt', '--body', 'x', '--rate', 'unlimited', '--concurrency', '8', '--json']).finally(restore);
    const doc = JSON.parse(r.stdout);
    const counts = countByTo(h.messages());
    // Never a duplicate; every accepted result is exactly the sandbox's one message for that number.
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    const accepted = doc.results.filter((x: { status: string }) => x.status === 'accepted');
    expect(accepted.map((x: { to: string }) => x.to).sort()).toEqual([...counts.keys()].sort());
    // 429s have their own retry budget and 5xx get four attempts: (almost) everyone gets through,
    // and anyone who did not failed with a retryable code, never silently.
    expect(accepted.length).toBeGreaterThanOrEqual(38);
    for (const x of doc.results.filter((y: { status: string }) => y.status !== 'accepted')) {
      expect(['PROVIDER_UNAVAILABLE', 'RATE_LIMITED']).toContain(x.error.code);
    }
    expect(r.code).toBe(accepted.length === 40 ? 0 : 3);
  }, 60_000);

  it('never resends when the answer is lost: the provider log settles it, or it stays unknown', async () => {
    await h.setFaults({ resetRate: 1 });
    const r = await h.run(['send', '--to', '+15552000009', '--body', 'x', '--json']);
    // The sandbox created the message and then reset the connection: mms finds it in the log.
    const msgs = h.messages();
    expect(msgs).toHaveLength(1);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ status: 'accepted', id: msgs[0]!.id });
    expect(r.stderr).toMatch(/the answer was lost, but the provider's log shows the message/);
  });

  it('reports unknown (exit 7), not resent, when the provider has no log to ask; --retry-ambiguous resends', async () => {
    await h.setFaults({ resetRate: 1 });
    const r = await h.run(['send', '--provider', 'telnyx', '--to', '+15552000019', '--body', 'x', '--json'], { env: h.providerEnv('telnyx') });
    expect(r.code).toBe(7);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ status: 'unknown', error: { code: 'OUTCOME_UNKNOWN' } });
    expect(h.messages('telnyx')).toHaveLength(1);
    await fetch(`${h.sb.origin}/_sandbox/messages`, { method: 'DELETE' });
    // --retry-ambiguous: resent after each lost answer (the backoff takes no real time here).
    const ports = sendPortsFor(h);
    const again = await sendMessages(sendRequest({ to: ['+15552000009'], body: 'x', retryAmbiguous: true }), {
      ...ports,
      time: { ...ports.time, sleep: instantSleep() },
    });
    expect(sendExitCode(again)).toBe(0);
    expect(h.messages().length).toBeGreaterThan(1);
  });
});

describe('journal and resume', () => {
  it('skips recipients already accepted when re-run with the same journal', async () => {
    writeFileSync(join(h.dir, 'j1.txt'), numbers(5, 100).join('\n'));
    const journal = join(h.dir, 'j1.jsonl');
    expect((await h.run(['send', '--to-file', 'j1.txt', '--body', 'x', '--journal', journal])).code).toBe(0);
    const lines = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.status === 'accepted')).toHaveLength(5);
    const again = await h.run(['send', '--to-file', 'j1.txt', '--body', 'x', '--journal', journal, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).summary).toMatchObject({ total: 5, accepted: 0, skipped: 5 });
    expect(h.messages()).toHaveLength(5);
  });

  it('refuses a journal another run holds (exit 2)', async () => {
    const journal = join(h.dir, 'locked.jsonl');
    writeFileSync(`${journal}.lock`, JSON.stringify({ pid: process.pid, hostname: hostname(), at: new Date().toISOString() }));
    const r = await h.run(['send', '--to', '+15552000010', '--body', 'x', '--journal', journal, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('JOURNAL_LOCKED');
    expect(h.messages()).toHaveLength(0);
  });

  it('Ctrl+C (the run signal) stops dispatching, finishes what is in flight, prints the summary, exits 130', async () => {
    await h.setFaults({ latencyMs: [20, 20] });
    writeFileSync(join(h.dir, 'int.txt'), numbers(100, 400).join('\n'));
    const journal = join(h.dir, 'int.jsonl');
    const ctl = new AbortController();
    const unsubscribe = h.sb.store.subscribe((e) => {
      if (e.type === 'message.created' && h.sb.store.size >= 5) ctl.abort();
    });
    try {
      const r = await h.run(['send', '--to-file', 'int.txt', '--body', 'x', '--journal', journal, '--concurrency', '2', '--rate', 'unlimited', '--json'], {
        signal: ctl.signal,
      });
      expect(r.code).toBe(130);
      const doc = JSON.parse(r.stdout);
      expect(doc.summary.interrupted).toBe(true);
      expect(doc.summary.accepted).toBeGreaterThan(0);
      expect(doc.summary.accepted).toBeLessThan(100);
      expect(r.stderr).toMatch(/Interrupted/);
      // Everything the sandbox accepted is in the journal as accepted: nothing in flight was lost.
      const accepted = readFileSync(journal, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((l) => l.status === 'accepted');
      expect(accepted).toHaveLength(h.messages().length);
    } finally {
      unsubscribe();
    }
  });
});

describe('streaming output', () => {
  it('--ndjson prints one result per line and a summary line', async () => {
    const r = await h.run(['send', '--to', '+15552000011,+15005550001', '--body', 'x', '--ndjson']);
    expect(r.code).toBe(3);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'result')).toHaveLength(2);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', total: 2, accepted: 1, failed: 1 });
  });

  it('--progress prints plain progress lines when stderr is not a terminal', async () => {
    writeFileSync(join(h.dir, 'prog.txt'), numbers(30, 600).join('\n'));
    const r = await h.run(['send', '--to-file', 'prog.txt', '--body', 'x', '--concurrency', '1', '--rate', 'unlimited', '--progress']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^progress: sent \d+ {2}failed 0 {2}remaining \d+ {2}[\d.]+\/s {2}ETA /m);
  });
});
