#!/usr/bin/env node
// `npm run bench`: prints figures, never fails a build. Each figure is measured against a baseline
// taken in the same run on the same machine, so the ratios mean something on any hardware.
//   node scripts/bench.mjs [startup] [...]     (default: every section)
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'mms.js');
const sections = process.argv.slice(2);
const want = (name) => sections.length === 0 || sections.includes(name);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timeCommand(args, env, runs) {
  const times = [];
  for (let i = 0; i < runs + 2; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    if (i >= 2) times.push(ms); // two warm-up runs fill the page cache
  }
  return median(times);
}

export async function benchStartup() {
  const runs = Number(process.env.BENCH_RUNS ?? 15);
  const dir = mkdtempSync(join(tmpdir(), 'mms-bench-'));
  const image = join(dir, 'chart.png');
  writeFileSync(image, Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'));
  const env = { PATH: process.env.PATH, HOME: dir, MMS_CONFIG_DIR: join(dir, 'cfg'), CI: '1', NO_COLOR: '1', TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'x'.repeat(32) };
  const cases = [
    ['node -e 0', ['-e', '0'], null],
    ['mms --version', [bin, '--version'], 1.5],
    ['mms --help', [bin, '--help'], 2],
    ['mms send --dry-run', [bin, 'send', '--dry-run', '--to', '+15551234567,+15557654321', '--from', '+15005550006', '--media', image, '--media', 'https://example.com/a.jpg', '--body', 'Nightly chart'], 2.5],
  ];
  // Interleave the cases so that machine noise hits them alike.
  const samples = new Map(cases.map(([name]) => [name, []]));
  for (let round = 0; round < 3; round++) {
    for (const [name, args] of cases) samples.get(name).push(timeCommand(args, env, Math.ceil(runs / 3)));
  }
  rmSync(dir, { recursive: true, force: true });
  const base = median(samples.get('node -e 0'));
  console.log(`\nStart-up (median of ${runs} runs each, interleaved; lower is better)`);
  console.log('command                 median ms   × node -e 0   target');
  for (const [name, , target] of cases) {
    const m = median(samples.get(name));
    const ratio = m / base;
    const verdict = target === null ? '' : `${ratio <= target ? 'ok  ' : 'OVER'} ≤ ${target}×`;
    console.log(`${name.padEnd(22)} ${m.toFixed(1).padStart(9)}   ${ratio.toFixed(2).padStart(10)}×   ${verdict}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Sending: a real `mms sandbox` process and the real `mms send`, both on this machine.

function startSandbox(extra = []) {
  const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--json', '--memory', '--step-delay', '1', ...extra], {
    env: { PATH: process.env.PATH, HOME: tmpdir(), MMS_CONFIG_DIR: join(tmpdir(), 'mms-bench-sandbox') },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (line) => {
      const ready = JSON.parse(line);
      rl.on('line', () => undefined); // keep draining the event stream
      resolve({ ready, child, tw: ready.providers.twilio, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) });
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
  });
}

async function sandboxApi(sb, path, init) {
  const res = await fetch(`${sb.ready.origin}${path}`, init);
  return res.json();
}

function sendEnv(sb, dir) {
  return { PATH: process.env.PATH, HOME: dir, MMS_CONFIG_DIR: join(dir, 'cfg'), CI: '1', NO_COLOR: '1', TWILIO_ACCOUNT_SID: sb.tw.credentials.accountSid, TWILIO_AUTH_TOKEN: sb.tw.credentials.authToken, MMS_TWILIO_BASE_URL: sb.tw.baseUrl, MMS_FROM: sb.tw.defaultFrom };
}

/** Runs `mms` under /usr/bin/time -v: wall time, peak RSS, exit code. */
function runTimed(args, env, cwd) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-v', process.execPath, bin, ...args], { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? NaN) / 1024;
      resolve({ code, ms, rssMb: rss, stderr: err });
    });
  });
}

function numbersFile(dir, n, name) {
  const path = join(dir, name);
  writeFileSync(path, Array.from({ length: n }, (_, i) => `+1555${String(3000000 + i).padStart(7, '0')}`).join('\n'));
  return path;
}

function duplicates(messages) {
  const seen = new Map();
  for (const m of messages) if (m.direction !== 'inbound') seen.set(m.to, (seen.get(m.to) ?? 0) + 1);
  let dups = 0;
  for (const c of seen.values()) if (c > 1) dups += c - 1;
  return { distinct: seen.size, dups };
}

export async function benchSend() {
  const n = Number(process.env.BENCH_RECIPIENTS ?? 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'mms-bench-send-'));
  const list = numbersFile(dir, n, 'list.txt');
  console.log(`\nSending (${n} recipients, mms and the sandbox on this machine)`);

  // 1. Throughput, no limit.
  let sb = await startSandbox();
  let r = await runTimed(['send', '--to-file', list, '--body', 'Nightly chart', '--rate', 'unlimited', '--concurrency', '64', '--ndjson'], sendEnv(sb, dir), dir);
  let msgs = (await sandboxApi(sb, '/_sandbox/messages')).messages;
  const rate = (n / r.ms) * 1000;
  console.log(`  no limit: ${rate.toFixed(0)} msg/s (target ≥ 2000: ${rate >= 2000 ? 'ok' : 'UNDER'}), peak RSS ${r.rssMb.toFixed(0)} MB (target ≤ 150: ${r.rssMb <= 150 ? 'ok' : 'OVER'}), exit ${r.code}, ${msgs.length} in the sandbox record`);
  await sb.stop();

  // 2. Sandbox limited to 200/s, mms told the same rate.
  const limited = Math.min(n, 3000);
  const list2 = numbersFile(dir, limited, 'limited.txt');
  sb = await startSandbox(['--rate-limit', '200/s']);
  r = await runTimed(['send', '--to-file', list2, '--body', 'x', '--rate', '200/s', '--concurrency', '16', '--ndjson'], sendEnv(sb, dir), dir);
  msgs = (await sandboxApi(sb, '/_sandbox/messages')).messages;
  const achieved = (msgs.length / r.ms) * 1000;
  console.log(`  limited to 200/s: achieved ${achieved.toFixed(1)}/s = ${((achieved / 200) * 100).toFixed(1)}% of the limit (target ≥ 95%: ${achieved >= 190 ? 'ok' : 'UNDER'}), ${msgs.length}/${limited} accepted, exit ${r.code}`);
  await sb.stop();

  // 3. Faults: 5% 500s, 5% 429s, 1% resets → no duplicates, a final state for everyone.
  sb = await startSandbox(['--fail-rate', '5%', '--throttle-rate', '5%', '--reset-rate', '1%']);
  const journal = join(dir, 'faults.jsonl');
  r = await runTimed(['send', '--to-file', list, '--body', 'x', '--rate', 'unlimited', '--concurrency', '64', '--journal', journal, '--ndjson'], sendEnv(sb, dir), dir);
  msgs = (await sandboxApi(sb, '/_sandbox/messages')).messages;
  let d = duplicates(msgs);
  const finals = new Map();
  for (const line of readFileSync(journal, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line);
    if (rec.to && rec.status !== 'started') finals.set(rec.to, rec.status);
  }
  const byStatus = {};
  for (const s of finals.values()) byStatus[s] = (byStatus[s] ?? 0) + 1;
  console.log(`  faults (5% 500, 5% 429, 1% reset): ${d.dups} duplicates in the sandbox record (target 0: ${d.dups === 0 ? 'ok' : 'FAIL'}), ${finals.size}/${n} recipients with a final state in the journal (${JSON.stringify(byStatus)}), exit ${r.code}`);
  await sb.stop();

  // 4. kill -9 in the middle, then resume with the same journal.
  sb = await startSandbox(['--latency', '2-6']);
  const journal2 = join(dir, 'kill.jsonl');
  const env = sendEnv(sb, dir);
  const child = spawn(process.execPath, [bin, 'send', '--to-file', list, '--body', 'x', '--rate', 'unlimited', '--concurrency', '32', '--journal', journal2, '--ndjson'], { env, cwd: dir, stdio: 'ignore' });
  for (;;) {
    await new Promise((res) => setTimeout(res, 100));
    const count = (await sandboxApi(sb, '/_sandbox/messages')).messages.length;
    if (count >= n / 2) break;
  }
  child.kill('SIGKILL');
  await new Promise((res) => child.once('exit', res));
  const atKill = (await sandboxApi(sb, '/_sandbox/messages')).messages.length;
  r = await runTimed(['send', '--to-file', list, '--body', 'x', '--rate', 'unlimited', '--concurrency', '32', '--journal', journal2, '--ndjson'], env, dir);
  msgs = (await sandboxApi(sb, '/_sandbox/messages')).messages;
  d = duplicates(msgs);
  console.log(`  kill -9 at ${atKill}/${n}, then resume: ${d.dups} duplicates (target 0: ${d.dups === 0 ? 'ok' : 'FAIL'}), ${d.distinct}/${n} recipients accepted exactly once (${d.distinct === n ? 'ok' : 'MISSING ' + (n - d.distinct)}), resume exit ${r.code}`);
  await sb.stop();
  rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Receiving: signed inbound webhooks into `mms listen` (verification and NDJSON output on), load
// from this process with autocannon, against a bare node:http server answering 200.

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

async function autocannonRun(opts) {
  const { default: autocannon } = await import('autocannon');
  return new Promise((resolve, reject) => {
    autocannon({ connections: 32, pipelining: 1, ...opts }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export async function benchListen() {
  const { createHmac } = await import('node:crypto');
  const dir = mkdtempSync(join(tmpdir(), 'mms-bench-listen-'));
  const token = 'f'.repeat(32);
  const sid = `AC${'a'.repeat(32)}`;
  const env = { PATH: process.env.PATH, HOME: dir, MMS_CONFIG_DIR: join(dir, 'cfg'), CI: '1', NO_COLOR: '1', TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, MMS_TWILIO_BASE_URL: 'http://127.0.0.1:9/twilio' };
  // NDJSON goes to a file, not a pipe this process would have to drain (and spend CPU on).
  const events = join(dir, 'events.ndjson');
  const out = openSync(events, 'w');
  const listener = spawn(process.execPath, [bin, 'listen', '--json'], { env, stdio: ['ignore', out, 'ignore'] });
  closeSync(out);
  let ready;
  for (let i = 0; i < 200 && !ready; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const first = readFileSync(events, 'utf8').split('\n')[0];
    if (first) ready = JSON.parse(first);
  }
  if (!ready) throw new Error('mms listen did not start');
  const params = { AccountSid: sid, Body: 'Nightly chart', From: '+15557654321', MediaContentType0: 'image/png', MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/x/Messages/y/Media/z', MessageSid: `MM${'b'.repeat(32)}`, NumMedia: '1', To: '+15551234567' };
  const body = new URLSearchParams(params).toString();
  let data = ready.inboundUrl;
  for (const k of Object.keys(params).sort()) data += k + params[k];
  const signature = createHmac('sha1', token).update(data).digest('base64');
  const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature };
  const check = await fetch(ready.inboundUrl, { method: 'POST', headers, body });
  if (check.status !== 200) throw new Error(`the signed request was refused (${check.status})`);

  // The bare server: same machine, separate process, answers 200 to everything.
  const bare = spawn(process.execPath, ['-e', `require('http').createServer((q,s)=>{q.resume();q.on('end',()=>{s.writeHead(200,{'content-type':'text/xml'});s.end('<Response></Response>')})}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})`], { stdio: ['ignore', 'pipe', 'ignore'] });
  const barePort = await new Promise((resolve) => createInterface({ input: bare.stdout }).once('line', (l) => resolve(Number(l))));

  const duration = Number(process.env.BENCH_SECONDS ?? 10);
  // Debian's wrk (C, one thread) leaves the servers most of the second core; autocannon (Node)
  // competes with them for it, which flatters the cheaper server. Use wrk when it is installed.
  const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
  const measure = async (url) => {
    if (hasWrk) {
      const lua = join(dir, 'post.lua');
      writeFileSync(lua, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\n${Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join('\n')}\n`);
      const out = spawnSync('wrk', ['-t1', '-c32', `-d${duration}s`, '-s', lua, url], { encoding: 'utf8' }).stdout;
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
      return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN), non2xx, errors: /Socket errors/.test(out) ? 'some' : 0 };
    }
    const r = await autocannonRun({ url, method: 'POST', headers, body, duration });
    return { rps: r.requests.average, non2xx: r.non2xx, errors: r.errors };
  };
  const base = await measure(`http://127.0.0.1:${barePort}/`);
  const before = rssMb(listener.pid);
  const mms = await measure(ready.inboundUrl);
  const ratio = mms.rps / base.rps;
  console.log(`\nReceiving (signed Twilio webhooks, verification and NDJSON on, ${duration} s each, 32 connections, load from ${hasWrk ? 'wrk' : 'autocannon'})`);
  console.log(`  bare node:http: ${base.rps.toFixed(0)} req/s; mms listen: ${mms.rps.toFixed(0)} req/s = ${(ratio * 100).toFixed(0)}% (target ≥ 50%: ${ratio >= 0.5 ? 'ok' : 'UNDER'}); non-2xx ${mms.non2xx}, errors ${mms.errors}`);

  // Memory over 100,000 requests: RSS sampled every 20,000.
  const samples = [before];
  for (let i = 0; i < 5; i++) {
    const r = await autocannonRun({ url: ready.inboundUrl, method: 'POST', headers, body, amount: 20_000 });
    if (r.non2xx || r.errors) console.log(`  (batch ${i + 1}: non-2xx ${r.non2xx}, errors ${r.errors})`);
    samples.push(rssMb(listener.pid));
  }
  const growth = samples.at(-1) - samples[1];
  console.log(`  RSS over 100,000 more requests (MB, every 20,000): ${samples.map((x) => x.toFixed(0)).join(' → ')}; growth after the first 20,000: ${growth.toFixed(1)} MB (${Math.abs(growth) <= 15 ? 'flat' : 'GROWING'})`);
  listener.kill('SIGTERM');
  bare.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

if (want('startup')) await benchStartup();
if (want('send')) await benchSend();
if (want('listen')) await benchListen();
if (want('fit')) {
  const { benchFit, benchSendStartup } = await import('./bench-fit.mjs');
  console.log('\nMedia fitting (sharp, 2 cores)');
  const s = await benchSendStartup();
  console.log(`  mms send --dry-run (12 MP photo, no --fit): ${Math.round(s.ms)} ms median per process; sharp ${s.sharpLoaded ? 'LOADED (target: never)' : 'not loaded'}`);
  const r = await benchFit();
  const a = r.file.after;
  console.log(
    `  fit a 12 MP photo (${(r.inputBytes / 1e6).toFixed(1)} MB) to 600 KB → ${a.width}×${a.height} ${Math.round(a.bytes / 1000)} KB: ` +
      `${Math.round(r.ms)} ms median (target ≤ 1500 ms: ${r.ms <= 1500 ? 'ok' : 'OVER'})`,
  );
}
if (want('faults')) {
  const { benchFaults, benchMemory } = await import('./bench-faults.mjs');
  await benchFaults();
  await benchMemory();
}
