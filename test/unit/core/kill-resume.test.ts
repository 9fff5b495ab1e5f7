// The headline guarantee, end to end with a real SIGKILL: a run killed at an arbitrary moment and
// then resumed with the same journal never sends to anyone twice, and everyone ends up either
// accepted or reported unknown (at most the requests that were in flight at the kill).
// The child runs the real runner and journal, transpiled on the fly (no build needed).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformWithOxc } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../../src/core/journal.js';
import { runDispatch } from '../../../src/core/send-runner.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SOURCES = [
  'core/journal.ts',
  'core/lock.ts',
  'core/process-identity.ts',
  'core/retry.ts',
  'core/send-runner.ts',
  'core/token-bucket.ts',
  'core/types.ts',
  'errors/errors.ts',
  'errors/exit-codes.ts',
];
const N = 400;
const CONCURRENCY = 8;

let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mms-kill-'));
  for (const rel of SOURCES) {
    // vite's oxc transform (what vitest runs on these files itself): the TypeScript compiler cost about a second of CPU here.
    const out = await transformWithOxc(fs.readFileSync(path.join(ROOT, 'src', rel), 'utf8'), rel);
    fs.mkdirSync(path.join(dir, 'lib', path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'lib', rel.replace(/\.ts$/, '.js')), out.code);
  }
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  // The child: sends to N recipients; the "provider" appends each number it receives to a record
  // file (like the sandbox's message store) and answers after a few ms.
  fs.writeFileSync(
    path.join(dir, 'child.js'),
    `
import * as fs from 'node:fs';
import { runDispatch } from './lib/core/send-runner.js';
import { Journal } from './lib/core/journal.js';
const [journalPath, recordPath] = process.argv.slice(2);
const recipients = Array.from({ length: ${N} }, (_, i) => ({ to: '+1202555' + String(i).padStart(4, '0') }));
const journal = Journal.open(journalPath);
const record = fs.openSync(recordPath, 'a');
await runDispatch({
  recipients,
  buildRequest: (r) => ({ to: r.to, from: '+1', mediaUrls: [] }),
  send: async (req) => {
    fs.writeSync(record, req.to + '\\n');
    // From half-way on the provider never answers, so the run cannot finish before the kill
    // even on a loaded machine.
    if (Number(req.to.slice(-4)) >= ${N / 2}) await new Promise(() => setInterval(() => {}, 1000));
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 4));
    return { id: 'SM' + req.to, status: 'queued', providerStatus: 'queued' };
  },
  concurrency: ${CONCURRENCY},
  journal,
});
`,
  );
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('kill -9 then resume', () => {
  it('never sends twice and leaves nobody without a final state', async () => {
    const journalPath = path.join(dir, 'run.jsonl');
    const recordPath = path.join(dir, 'provider-record.txt');
    const child = spawn(process.execPath, ['child.js', journalPath, recordPath], { cwd: dir, stdio: 'ignore' });
    // Kill it once it is well into the run.
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const sent = fs.existsSync(recordPath) ? fs.readFileSync(recordPath, 'utf8').split('\n').length - 1 : 0;
        if (sent >= N / 3) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        } else if (Date.now() - started > 15_000) {
          clearInterval(poll);
          child.kill('SIGKILL');
          reject(new Error('child made no progress'));
        }
      }, 2);
    });
    await new Promise((r) => child.once('exit', r));
    const sentBeforeKill = fs.readFileSync(recordPath, 'utf8').split('\n').filter(Boolean);
    const journalBeforeResume = fs.readFileSync(journalPath, 'utf8');
    expect(sentBeforeKill.length).toBeLessThan(N);
    // The dead child's lock is stale: the resume takes it over.
    expect(fs.existsSync(`${journalPath}.lock`)).toBe(true);

    const resumed: string[] = [];
    const journal = Journal.open(journalPath);
    let out;
    try {
      out = await runDispatch({
        recipients: Array.from({ length: N }, (_, i) => ({ to: `+1202555${String(i).padStart(4, '0')}` })),
        buildRequest: (r) => ({ to: r.to, from: '+1', mediaUrls: [] }),
        send: async (req) => {
          resumed.push(req.to);
          return { id: `SM${req.to}`, status: 'queued', providerStatus: 'queued' };
        },
        concurrency: CONCURRENCY,
        journal,
      });
    } finally {
      journal.close();
    }

    expect(resumed.length).toBeGreaterThan(0);
    const all = [...sentBeforeKill, ...resumed];
    expect(all.length - new Set(all).size).toBe(0);
    const unknown = out.results.filter((r) => r.status === 'unknown');
    expect(unknown.length).toBeLessThanOrEqual(CONCURRENCY);
    // Everyone is accounted for: accepted now, accepted before (skipped) or unknown.
    expect(out.summary.accepted + out.summary.skipped + out.summary.unknown).toBe(N);
    expect(out.summary.failed + out.summary.notAttempted).toBe(0);
    // Unknown ones are those the killed run had started (journalled before their request; the kill
    // can land between that line and the request, so the provider may or may not have them).
    const startedBeforeKill = journalBeforeResume
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { to?: string; status?: string })
      .filter((l) => l.status === 'started')
      .map((l) => l.to);
    for (const r of unknown) expect(startedBeforeKill).toContain(r.to);
  });
});
