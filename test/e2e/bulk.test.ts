// Bulk sending where the process itself is the subject: kill -9 mid-run (then an in-process
// resume), Ctrl+C (SIGINT), and recipients piped on stdin. The built binary against a sandbox in
// this process; the rest of bulk sending runs in-process in test/services/send/bulk.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, baseEnv, runCli } from '../helpers/run-cli.js';
import { useSendHarness } from '../services/send/harness.js';

const h = useSendHarness();

const numbers = (n: number, start = 0) => Array.from({ length: n }, (_, i) => `+1555200${String(start + i).padStart(4, '0')}`);

function countByTo(msgs: Array<{ to: string }>): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of msgs) m.set(x.to, (m.get(x.to) ?? 0) + 1);
  return m;
}

/** Waits until the sandbox holds at least `n` messages. */
async function untilMessages(n: number): Promise<void> {
  await vi.waitFor(
    () => {
      if (h.messages().length < n) throw new Error(`only ${h.messages().length} messages so far`);
    },
    { timeout: 10_000, interval: 10 },
  );
}

describe('the process as the subject', () => {
  it('reads recipients piped on stdin (--to-file -)', async () => {
    const r = await runCli(['send', '--to-file', '-', '--body', 'x'], { configDir: h.cfg.dir, env: h.env, input: '+15552000003\n+15552000004\n' });
    expect(r.code).toBe(0);
    expect(h.messages()).toHaveLength(2);
  });

  it('after kill -9 mid-run, resuming sends everyone exactly once', async () => {
    await h.setFaults({ latencyMs: [30, 30] });
    const list = numbers(60, 200);
    writeFileSync(join(h.dir, 'kill.txt'), list.join('\n'));
    const journal = join(h.dir, 'kill.jsonl');
    const child = spawn(
      process.execPath,
      [BIN, 'send', '--to-file', 'kill.txt', '--body', 'x', '--journal', journal, '--concurrency', '4', '--rate', 'unlimited'],
      {
        env: { ...baseEnv(h.cfg.dir), ...h.env },
        cwd: h.dir,
        stdio: 'ignore',
      },
    );
    // Kill once some, but not all, have been accepted.
    await untilMessages(15);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = h.messages().length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(list.length);
    await h.setFaults({});
    // The resume is an ordinary run: in-process (the kill is what needs a real process).
    const resume = await h.run(['send', '--to-file', 'kill.txt', '--body', 'x', '--journal', journal, '--rate', 'unlimited', '--json']);
    const doc = JSON.parse(resume.stdout);
    // At most the in-flight requests at the kill are "unknown" (never resent); everyone else is sent once.
    expect(doc.summary.unknown).toBeLessThanOrEqual(4);
    expect(doc.summary.accepted + doc.summary.skipped + doc.summary.unknown).toBe(list.length);
    const counts = countByTo(h.messages());
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(counts.size).toBeGreaterThanOrEqual(list.length - doc.summary.unknown);
    expect(resume.code).toBe(doc.summary.unknown > 0 ? 3 : 0);
  }, 60_000);

  it('Ctrl+C stops dispatching, finishes what is in flight, prints the summary, exits 130', async () => {
    await h.setFaults({ latencyMs: [50, 50] });
    writeFileSync(join(h.dir, 'int.txt'), numbers(100, 400).join('\n'));
    const journal = join(h.dir, 'int.jsonl');
    const child = spawn(
      process.execPath,
      [BIN, 'send', '--to-file', 'int.txt', '--body', 'x', '--journal', journal, '--concurrency', '2', '--rate', 'unlimited', '--json'],
      {
        env: { ...baseEnv(h.cfg.dir), ...h.env },
        cwd: h.dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await untilMessages(5);
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(130);
    const doc = JSON.parse(stdout);
    expect(doc.summary.interrupted).toBe(true);
    expect(doc.summary.accepted).toBeGreaterThan(0);
    expect(doc.summary.accepted).toBeLessThan(100);
    expect(stderr).toMatch(/Interrupted/);
    // Everything the sandbox accepted is in the journal as accepted: nothing in flight was lost.
    const accepted = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.status === 'accepted');
    expect(accepted).toHaveLength(h.messages().length);
  }, 30_000);
});
