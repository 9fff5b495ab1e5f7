// Bulk sending that cron jobs can trust: recipient files, templates, faults, retries without
// duplicates, the journal, resume after kill -9, Ctrl+C. The built binary against the sandbox.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, baseEnv, runCli, tempConfigDir } from '../helpers/run-cli.js';
import { startSandboxProcess, sandboxEnv, type SandboxHandle } from '../helpers/sandbox.js';

let cfg: ReturnType<typeof tempConfigDir>;
let sb: SandboxHandle;
let env: Record<string, string>;
let dir: string;

const numbers = (n: number, start = 0) => Array.from({ length: n }, (_, i) => `+1555200${String(start + i).padStart(4, '0')}`);

beforeAll(async () => {
  cfg = tempConfigDir();
  sb = await startSandboxProcess(cfg.dir);
  env = sandboxEnv(sb);
  dir = join(cfg.dir, '..', 'work');
  mkdirSync(dir, { recursive: true });
});
afterAll(async () => {
  await sb?.stop();
  cfg?.cleanup();
});
beforeEach(async () => {
  await sb.setFaults({});
  await sb.clear();
});

function countByTo(msgs: Array<{ to: string }>): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of msgs) m.set(x.to, (m.get(x.to) ?? 0) + 1);
  return m;
}

describe('recipient files', () => {
  it('reads a CSV (BOM, CRLF, quotes) and fills {{column}} placeholders per recipient', async () => {
    writeFileSync(join(dir, 'subs.csv'), '\uFEFFname,phone,city\r\n"Ada, Countess",+15552000001,London\r\nBob,(555) 200-0002,"New ""York"""\r\n');
    const r = await runCli(['send', '--to-file', 'subs.csv', '--default-country', 'US', '--body', 'Hi {{name}} in {{city}}', '--json'], { configDir: cfg.dir, env, cwd: dir });
    expect(r.code).toBe(0);
    const msgs = await sb.messages();
    expect(msgs.map((m) => [m.to, m.body]).sort()).toEqual([
      ['+15552000001', 'Hi Ada, Countess in London'],
      ['+15552000002', 'Hi Bob in New "York"'],
    ]);
  });

  it('reports every invalid line with file and line number, and sends nothing', async () => {
    writeFileSync(join(dir, 'list.txt'), '# subscribers\n+15552000001\n\nnot-a-number\n+1555\n+15552000001\n');
    const r = await runCli(['send', '--to-file', 'list.txt', '--body', 'x', '--json'], { configDir: cfg.dir, env, cwd: dir });
    expect(r.code).toBe(5);
    const problems = JSON.parse(r.stdout).error.details.problems.map((p: { message: string }) => p.message);
    expect(problems).toEqual([expect.stringMatching(/^list\.txt:4 "not-a-number": /), expect.stringMatching(/^list\.txt:5 "\+1555": /)]);
    expect(await sb.messages()).toHaveLength(0);
    const skip = await runCli(['send', '--to-file', 'list.txt', '--body', 'x', '--skip-invalid'], { configDir: cfg.dir, env, cwd: dir });
    expect(skip.code).toBe(0);
    expect(skip.stderr).toMatch(/skipping 2 invalid recipients/);
    expect((await sb.messages()).map((m) => m.to)).toEqual(['+15552000001']);
  });

  it('reads recipients from stdin and refuses a placeholder with no column', async () => {
    const r = await runCli(['send', '--to-file', '-', '--body', 'x'], { configDir: cfg.dir, env, input: '+15552000003\n+15552000004\n' });
    expect(r.code).toBe(0);
    expect(await sb.messages()).toHaveLength(2);
    const bad = await runCli(['send', '--to', '+15552000003', '--body', 'Hi {{name}}', '--json'], { configDir: cfg.dir, env });
    expect(bad.code).toBe(5);
    expect(JSON.parse(bad.stdout).error.code).toBe('INPUT_INVALID');
  });

  it('--dry-run reports count, invalid lines, media and the estimated duration', async () => {
    writeFileSync(join(dir, 'many.txt'), numbers(50).join('\n'));
    const r = await runCli(['send', '--to-file', 'many.txt', '--body', 'x', '--rate', '10/s', '--dry-run', '--json'], { configDir: cfg.dir, env, cwd: dir });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout).plan;
    expect(plan.recipients).toHaveLength(50);
    expect(plan.estimatedSeconds).toBe(5);
    expect(await sb.messages()).toHaveLength(0);
  });
});

describe('faults: retries without duplicates', () => {
  it('retries 429s and 500s and sends each recipient at most once', async () => {
    await sb.setFaults({ rateLimit: 20, failRate: 0.1 });
    writeFileSync(join(dir, 'fault.txt'), numbers(40).join('\n'));
    const r = await runCli(['send', '--to-file', 'fault.txt', '--body', 'x', '--rate', 'unlimited', '--concurrency', '8', '--json'], { configDir: cfg.dir, env, cwd: dir, timeoutMs: 60_000 });
    const doc = JSON.parse(r.stdout);
    const counts = countByTo(await sb.messages());
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
    await sb.setFaults({ resetRate: 1 });
    const r = await runCli(['send', '--to', '+15552000009', '--body', 'x', '--json'], { configDir: cfg.dir, env });
    // The sandbox created the message and then reset the connection: mms finds it in the log.
    const msgs = await sb.messages();
    expect(msgs).toHaveLength(1);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ status: 'accepted', id: msgs[0]!.id });
    expect(r.stderr).toMatch(/the answer was lost, but the provider's log shows the message/);
  }, 60_000);

  it('reports unknown (exit 7), not resent, when the provider has no log to ask; --retry-ambiguous resends', async () => {
    await sb.setFaults({ resetRate: 1 });
    const tx = sb.providers.telnyx!;
    const telnyxEnv = { TELNYX_API_KEY: tx.credentials.apiKey!, MMS_TELNYX_BASE_URL: tx.baseUrl, MMS_FROM: tx.defaultFrom };
    const r = await runCli(['send', '--provider', 'telnyx', '--to', '+15552000019', '--body', 'x', '--json'], { configDir: cfg.dir, env: telnyxEnv });
    expect(r.code).toBe(7);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ status: 'unknown', error: { code: 'OUTCOME_UNKNOWN' } });
    expect(await sb.messages('?provider=telnyx')).toHaveLength(1);
    await sb.clear();
    const again = await runCli(['send', '--to', '+15552000009', '--body', 'x', '--retry-ambiguous', '--json'], { configDir: cfg.dir, env });
    expect(again.code).toBe(0);
    expect((await sb.messages()).length).toBeGreaterThan(1);
  }, 60_000);
});

describe('journal and resume', () => {
  it('skips recipients already accepted when re-run with the same journal', async () => {
    writeFileSync(join(dir, 'j1.txt'), numbers(5, 100).join('\n'));
    const journal = join(dir, 'j1.jsonl');
    expect((await runCli(['send', '--to-file', 'j1.txt', '--body', 'x', '--journal', journal], { configDir: cfg.dir, env, cwd: dir })).code).toBe(0);
    const lines = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.status === 'accepted')).toHaveLength(5);
    const again = await runCli(['send', '--to-file', 'j1.txt', '--body', 'x', '--journal', journal, '--json'], { configDir: cfg.dir, env, cwd: dir });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).summary).toMatchObject({ total: 5, accepted: 0, skipped: 5 });
    expect(await sb.messages()).toHaveLength(5);
  });

  it('after kill -9 mid-run, resuming sends everyone exactly once', async () => {
    await sb.setFaults({ latencyMs: [30, 30] });
    const list = numbers(60, 200);
    writeFileSync(join(dir, 'kill.txt'), list.join('\n'));
    const journal = join(dir, 'kill.jsonl');
    const child = spawn(process.execPath, [BIN, 'send', '--to-file', 'kill.txt', '--body', 'x', '--journal', journal, '--concurrency', '4', '--rate', 'unlimited'], {
      env: { ...baseEnv(cfg.dir), ...env },
      cwd: dir,
      stdio: 'ignore',
    });
    // Kill once some, but not all, have been accepted.
    for (let i = 0; i < 200 && (await sb.messages()).length < 15; i++) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = (await sb.messages()).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(list.length);
    await sb.setFaults({});
    const resume = await runCli(['send', '--to-file', 'kill.txt', '--body', 'x', '--journal', journal, '--rate', 'unlimited', '--json'], { configDir: cfg.dir, env, cwd: dir, timeoutMs: 30_000 });
    const doc = JSON.parse(resume.stdout);
    // At most the in-flight requests at the kill are "unknown" (never resent); everyone else is sent once.
    expect(doc.summary.unknown).toBeLessThanOrEqual(4);
    expect(doc.summary.accepted + doc.summary.skipped + doc.summary.unknown).toBe(list.length);
    const counts = countByTo(await sb.messages());
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(counts.size).toBeGreaterThanOrEqual(list.length - doc.summary.unknown);
    expect(resume.code).toBe(doc.summary.unknown > 0 ? 3 : 0);
  }, 60_000);

  it('refuses a journal another run holds (exit 2)', async () => {
    const journal = join(dir, 'locked.jsonl');
    writeFileSync(`${journal}.lock`, JSON.stringify({ pid: process.pid, hostname: (await import('node:os')).hostname(), at: new Date().toISOString() }));
    const r = await runCli(['send', '--to', '+15552000010', '--body', 'x', '--journal', journal, '--json'], { configDir: cfg.dir, env });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('JOURNAL_LOCKED');
    expect(await sb.messages()).toHaveLength(0);
  });
});

describe('interruption and streaming output', () => {
  it('Ctrl+C stops dispatching, finishes what is in flight, prints the summary, exits 130', async () => {
    await sb.setFaults({ latencyMs: [50, 50] });
    writeFileSync(join(dir, 'int.txt'), numbers(100, 400).join('\n'));
    const journal = join(dir, 'int.jsonl');
    const child = spawn(process.execPath, [BIN, 'send', '--to-file', 'int.txt', '--body', 'x', '--journal', journal, '--concurrency', '2', '--rate', 'unlimited', '--json'], {
      env: { ...baseEnv(cfg.dir), ...env },
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    for (let i = 0; i < 200 && (await sb.messages()).length < 5; i++) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(130);
    const doc = JSON.parse(stdout);
    expect(doc.summary.interrupted).toBe(true);
    expect(doc.summary.accepted).toBeGreaterThan(0);
    expect(doc.summary.accepted).toBeLessThan(100);
    expect(stderr).toMatch(/Interrupted/);
    // Everything the sandbox accepted is in the journal as accepted: nothing in flight was lost.
    const accepted = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.status === 'accepted');
    expect(accepted).toHaveLength((await sb.messages()).length);
  }, 30_000);

  it('--ndjson prints one result per line and a summary line', async () => {
    const r = await runCli(['send', '--to', '+15552000011,+15005550001', '--body', 'x', '--ndjson'], { configDir: cfg.dir, env });
    expect(r.code).toBe(3);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'result')).toHaveLength(2);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', total: 2, accepted: 1, failed: 1 });
  });

  it('--progress prints plain progress lines when stderr is not a terminal', async () => {
    await sb.setFaults({ latencyMs: [100, 100] });
    writeFileSync(join(dir, 'prog.txt'), numbers(30, 600).join('\n'));
    const r = await runCli(['send', '--to-file', 'prog.txt', '--body', 'x', '--concurrency', '1', '--rate', 'unlimited', '--progress'], { configDir: cfg.dir, env, cwd: dir, timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^progress: sent \d+ {2}failed 0 {2}remaining \d+ {2}[\d.]+\/s {2}ETA /m);
  }, 30_000);
});
