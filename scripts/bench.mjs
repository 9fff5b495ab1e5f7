#!/usr/bin/env node
// `npm run bench`: prints figures, never fails a build. Each figure is measured against a baseline
// taken in the same run on the same machine, so the ratios mean something on any hardware.
//   node scripts/bench.mjs [startup] [...]     (default: every section)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

if (want('startup')) await benchStartup();
