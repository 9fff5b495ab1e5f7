#!/usr/bin/env node
// Fault scenarios (issue 8's table) against the independent Twilio mock of test/mocks/twilio (not
// `mms sandbox`): each runs the built `mms send` with a journal, kills or resumes it as the row
// says, and prints what the provider actually got — duplicates (messages beyond the first per
// recipient) and lost (recipients with no message whom mms did not report as failed or unknown) —
// plus the recipients honestly left unknown. Then the peak memory of `--dry-run` over 10,000, 100,000 and
// 1,000,000 recipients (flat: the list streams through a spill file; what grows is the compact de-duplication
// set, 16–32 bytes per number), and of a real send against the mock, with human output and with --json (its results
// wait in a temporary file for the one document). Prints figures, never fails a build.
//   node scripts/bench-faults.mjs [faults] [memory]        (default: both; needs `npm run build`)
// scripts/bench.mjs can import { benchFaults, benchMemory } from here for its `faults` section.
//   BENCH_FAULT_N=500 (recipients per scenario)  BENCH_DRY_RUN_N=1000000 (largest dry run)
//   BENCH_SEND_N=50000 (largest real send, after one of 10,000; 0 skips it)
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'mms.js');
const sections = process.argv.slice(2);
const want = (name) => sections.length === 0 || sections.includes(name);
const N = Number(process.env.BENCH_FAULT_N ?? 500);
const DRY_RUN_N = Number(process.env.BENCH_DRY_RUN_N ?? 1_000_000);
const SEND_N = Number(process.env.BENCH_SEND_N ?? 50_000);
const FROM = '+15550009999';
const SERVICE = `MG${'5'.repeat(32)}`;
const BODY = 'Nightly chart';

/** The mock is TypeScript: transpile it (it imports nothing outside its folder) and import it. */
async function loadMock(dir) {
  const src = join(root, 'test', 'mocks', 'twilio');
  mkdirSync(join(dir, 'mock'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  for (const f of readdirSync(src).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
    const out = ts.transpileModule(readFileSync(join(src, f), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    });
    writeFileSync(join(dir, 'mock', f.replace(/\.ts$/, '.js')), out.outputText);
  }
  return import(pathToFileURL(join(dir, 'mock', 'server.js')).href);
}

function numbers(n) {
  return Array.from({ length: n }, (_, i) => `+1555${String(2_000_000 + i).padStart(7, '0')}`);
}

function workspace(dir, name, recipients) {
  const ws = join(dir, name);
  mkdirSync(join(ws, 'config'), { recursive: true });
  writeFileSync(join(ws, 'to.txt'), `${recipients.join('\n')}\n`);
  return { recipients, listFile: join(ws, 'to.txt'), journal: join(ws, 'run.jsonl'), configDir: join(ws, 'config') };
}

function spawnSend(mock, ws, { from = FROM, concurrency = 16 } = {}) {
  const args = [bin, 'send', '--provider', 'twilio', '--to-file', ws.listFile, '--from', from, '--body', BODY];
  args.push('--journal', ws.journal, '--rate', 'unlimited', '--concurrency', String(concurrency), '--json');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: ws.configDir,
    CI: '1',
    NO_COLOR: '1',
    MMS_CONFIG_DIR: ws.configDir,
    TWILIO_ACCOUNT_SID: mock.accountSid,
    TWILIO_AUTH_TOKEN: mock.authToken,
    MMS_TWILIO_BASE_URL: mock.url,
  };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', () => undefined);
  const exited = new Promise((resolve) =>
    child.on('close', (code, signal) => {
      let results = [];
      try {
        results = JSON.parse(stdout).results ?? [];
      } catch {
        // Killed, or a refusal before any output: no results.
      }
      resolve({ code, signal, results });
    }),
  );
  return { child, exited };
}

const send = (mock, ws, opts) => spawnSend(mock, ws, opts).exited;

async function until(check, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for the mock');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts a send, waits until `held` creates hang at the mock, then kill -9. */
async function killWhileHeld(mock, ws, held, opts = {}) {
  const run = spawnSend(mock, ws, { concurrency: held, ...opts });
  await until(() => mock.heldCount() === held);
  run.child.kill('SIGKILL');
  await run.exited;
  await until(() => mock.heldCount() === 0);
}

/** Duplicates and lost, judged by what the mock created, against the last run's report. */
function verdict(mock, recipients, last) {
  const got = new Map();
  for (const m of mock.messages()) got.set(m.to, (got.get(m.to) ?? 0) + 1);
  const reported = new Map(last.results.map((r) => [r.to, r.status]));
  let duplicates = 0;
  let lost = 0;
  let unknown = 0;
  for (const to of recipients) {
    const n = got.get(to) ?? 0;
    if (n > 1) duplicates += n - 1;
    const status = reported.get(to);
    if (status === 'unknown') unknown++;
    else if (n === 0 && status !== 'failed') lost++;
  }
  return { duplicates, lost, unknown, exit: last.code };
}

async function deadPid() {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid;
}

/** The rows of issue 8's table (N recipients instead of 5,000). */
function scenarios(dir) {
  const stalled = (ws) => ws.recipients.slice(40, 48);
  let k = 0;
  const fresh = async (startTwilioMock, opts = {}) => {
    const mock = await startTwilioMock({ services: { [SERVICE]: ['+15550100001', '+15550100002', '+15550100003'] }, ...opts });
    return { mock, ws: workspace(dir, `s${k++}`, numbers(N)) };
  };
  return [
    [
      '2% of creates answered 502 after the provider recorded them',
      async (start) => {
        const { mock, ws } = await fresh(start, { seed: 7, faults: { gatewayAfterRecord: { rate: 0.02, status: 502 } } });
        return { mock, ws, last: await send(mock, ws) };
      },
    ],
    [
      '--from MG…, 5% of answers reset after record, then resume',
      async (start) => {
        const { mock, ws } = await fresh(start, { seed: 3, faults: { resetAfterRecord: { rate: 0.05 } } });
        await send(mock, ws, { from: SERVICE });
        mock.setFaults({});
        return { mock, ws, last: await send(mock, ws, { from: SERVICE }) };
      },
    ],
    [
      'provider clock 5 s behind, kill -9 with 8 in flight, resume',
      async (start) => {
        const { mock, ws } = await fresh(start);
        mock.setFaults({ stallAfterRecord: { to: stalled(ws) }, clockOffsetMs: -5000 });
        await killWhileHeld(mock, ws, 8);
        mock.setFaults({ clockOffsetMs: -5000 });
        return { mock, ws, last: await send(mock, ws) };
      },
    ],
    [
      'message list lags creates by 3 s, kill -9, resume',
      async (start) => {
        const { mock, ws } = await fresh(start);
        mock.setFaults({ stallAfterRecord: { to: stalled(ws) }, listLagMs: 3000 });
        await killWhileHeld(mock, ws, 8);
        mock.setFaults({ listLagMs: 3000 });
        return { mock, ws, last: await send(mock, ws) };
      },
    ],
    [
      'a create committed 10 s after the client died, resume',
      async (start) => {
        const { mock, ws } = await fresh(start);
        mock.setFaults({ lateCommit: { to: stalled(ws), commitDelayMs: 10_000 } });
        await killWhileHeld(mock, ws, 8);
        mock.setFaults({});
        const last = await send(mock, ws);
        mock.clock.advance(10_000);
        return { mock, ws, last };
      },
    ],
    [
      'stale lock (dead pid), 3 resumers at once (5 trials)',
      async (start) => {
        const { mock, ws } = await fresh(start);
        let worst = { duplicates: 0, lost: 0, unknown: 0, exit: 0 };
        for (let trial = 0; trial < 5; trial++) {
          writeFileSync(`${ws.journal}.lock`, JSON.stringify({ pid: await deadPid(), hostname: hostname(), at: new Date().toISOString() }));
          const runs = await Promise.all([0, 1, 2].map(() => send(mock, ws, { concurrency: 4 })));
          // The run that got the lock reports everyone; the others were refused.
          const last = runs.find((r) => r.results.length > 0) ?? runs[0];
          const v = verdict(mock, ws.recipients, last);
          if (v.duplicates + v.lost >= worst.duplicates + worst.lost) worst = v;
          writeFileSync(ws.journal, '');
          mock.clear();
        }
        return { mock, ws, fixed: worst };
      },
    ],
    [
      '1 KiB of NUL bytes in the middle of a journal, resume',
      async (start) => {
        const { mock, ws } = await fresh(start);
        await send(mock, ws, { concurrency: 1 });
        const size = statSync(ws.journal).size;
        const fd = openSync(ws.journal, 'r+');
        writeSync(fd, Buffer.alloc(1024), 0, 1024, Math.floor(size / 2) - 512);
        closeSync(fd);
        // The resume must refuse (naming the lines) and send nothing: judge what it sent.
        const last = await send(mock, ws, { concurrency: 1 });
        return { mock, ws, last: { ...last, results: ws.recipients.map((to) => ({ to, status: 'accepted' })) } };
      },
    ],
  ];
}

export async function benchFaults() {
  const dir = mkdtempSync(join(tmpdir(), 'mms-bench-faults-'));
  try {
    const { startTwilioMock } = await loadMock(dir);
    console.log(`\nFaults (issue 8's table against the independent Twilio mock, ${N} recipients each; 0 and 0 is the promise)`);
    console.log(`${'scenario'.padEnd(64)} duplicates   lost   unknown   exit`);
    for (const [name, run] of scenarios(dir)) {
      let line;
      try {
        const { mock, ws, last, fixed } = await run(startTwilioMock);
        const v = fixed ?? verdict(mock, ws.recipients, last);
        await mock.close();
        line = `${String(v.duplicates).padStart(10)} ${String(v.lost).padStart(6)} ${String(v.unknown).padStart(9)} ${String(v.exit).padStart(6)}`;
      } catch (err) {
        line = `   failed: ${err.message}`;
      }
      console.log(`${name.padEnd(64)}${line}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A list of `n` distinct numbers, one per line, written in pieces. */
function writeList(dir, n) {
  const list = join(dir, `to-${n}.txt`);
  const fd = openSync(list, 'w');
  const chunk = 10_000;
  for (let i = 0; i < n; i += chunk) {
    const lines = [];
    for (let j = i; j < Math.min(n, i + chunk); j++) lines.push(`+1555${String(j % 10_000_000).padStart(7, '0')}`);
    writeSync(fd, `${lines.join('\n')}\n`);
  }
  closeSync(fd);
  return list;
}

/** Runs `mms` with `args` and returns its peak RSS (MB, from the process's own resource usage) and exit code. */
async function peakMb(dir, args, extraEnv = {}) {
  const preload = join(dir, 'peak.cjs');
  writeFileSync(preload, "process.on('exit', () => require('fs').writeSync(2, `\\nPEAK_RSS_KB ${process.resourceUsage().maxRSS}\\n`));\n");
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    CI: '1',
    NO_COLOR: '1',
    MMS_CONFIG_DIR: join(dir, 'cfg'),
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'x'.repeat(32),
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['-r', preload, bin, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((r) => child.on('close', r));
  const kb = Number(/PEAK_RSS_KB (\d+)/.exec(stderr)?.[1] ?? NaN);
  return { mb: kb / 1024, code, stderr };
}

/** Peak RSS (MB) of `mms send --dry-run` over `n` recipients read from a file. */
function dryRunPeakMb(dir, n) {
  const list = writeList(dir, n);
  return peakMb(dir, ['send', '--dry-run', '--provider', 'twilio', '--to-file', list, '--from', FROM, '--body', BODY, '--skip-invalid']);
}

/** Peak RSS (MB) of a real `mms send` (human output, or `extra` such as --json; a journal) of `n` recipients to the independent Twilio mock. */
async function sendPeakMb(dir, mock, n, extra = []) {
  const list = writeList(dir, n);
  const args = ['send', '--provider', 'twilio', '--to-file', list, '--from', FROM, '--body', BODY, '--rate', 'unlimited', '--concurrency', '16'];
  // A fresh journal per run: a second run on the same one would skip everyone.
  args.push('--journal', join(dir, `run-${n}-${extra.join('') || 'human'}.jsonl`), ...extra);
  const r = await peakMb(dir, args, { TWILIO_ACCOUNT_SID: mock.accountSid, TWILIO_AUTH_TOKEN: mock.authToken, MMS_TWILIO_BASE_URL: mock.url });
  mock.clear();
  return r;
}

function printSeries(rows) {
  for (const { n, r } of rows) {
    const note = r.code === 0 ? '' : `  (exit ${r.code}: ${r.stderr.trim().split('\n')[0]})`;
    console.log(`  ${n.toLocaleString('en-US').padStart(9)} recipients: ${r.mb.toFixed(0).padStart(5)} MB${note}`);
  }
  const [a, b] = [rows[0], rows.at(-1)];
  if (rows.length > 1 && b.n > a.n) {
    const perRecipient = ((b.r.mb - a.r.mb) * 1024 * 1024) / (b.n - a.n);
    console.log(`  growth ${a.n.toLocaleString('en-US')} → ${b.n.toLocaleString('en-US')}: ${perRecipient.toFixed(0)} bytes per recipient`);
  }
}

export async function benchMemory() {
  const dir = mkdtempSync(join(tmpdir(), 'mms-bench-dry-'));
  try {
    console.log(`\nMemory of \`mms send --dry-run\` (peak RSS; flat means it does not grow with the list)`);
    const sizes = [10_000, 100_000, DRY_RUN_N].filter((n, i, all) => n > 0 && all.indexOf(n) === i).sort((a, b) => a - b);
    const rows = [];
    for (const n of sizes) rows.push({ n, r: await dryRunPeakMb(dir, n) });
    printSeries(rows);
    if (SEND_N > 0) {
      const { startTwilioMock } = await loadMock(dir);
      const mock = await startTwilioMock({});
      try {
        console.log(`\nMemory of a real \`mms send\` with a journal to the independent Twilio mock (peak RSS)`);
        const sendRows = [];
        // From 10,000 up: below that the heap is still growing to its working size (GC headroom, not recipients).
        const sendSizes = [Math.min(10_000, SEND_N), SEND_N].filter((n, i, all) => all.indexOf(n) === i);
        for (const n of sendSizes) sendRows.push({ n, r: await sendPeakMb(dir, mock, n) });
        printSeries(sendRows);
        // --json prints one document with every result at the end: they are kept in a temporary file, not in memory.
        console.log(`\nMemory of a real \`mms send --json\` with a journal to the independent Twilio mock (peak RSS)`);
        const jsonRows = [];
        for (const n of sendSizes) jsonRows.push({ n, r: await sendPeakMb(dir, mock, n, ['--json']) });
        printSeries(jsonRows);
      } finally {
        await mock.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run directly: the sections asked for. Imported (scripts/bench.mjs): nothing until called.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (want('faults')) await benchFaults();
  if (want('memory')) await benchMemory();
}
