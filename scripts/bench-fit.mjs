#!/usr/bin/env node
// Bench: time to fit a generated 12 MP phone photo (4000×3000, EXIF orientation 6 and GPS) under 600 KB with
// `mms send --fit`'s engine. Target (issue 14): ≤ 1.5 s on 2 cores. Needs `npm run build` first (imports dist/).
// The photo is a soft noise field scaled up: it compresses worse than most real photos, so this is pessimistic.
// Also: start-up of `mms send --dry-run` with that photo and without --fit, and proof that sharp is never loaded
// there (the GPS warning reads EXIF with a pure parser).
//   node scripts/bench-fit.mjs            (BENCH_RUNS=3 by default, after one warm-up that loads sharp)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function makePhoto(dir) {
  const { default: sharp } = await import('sharp');
  const field = await sharp({ create: { width: 500, height: 375, channels: 3, background: '#807060', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .png()
    .toBuffer();
  const gps = { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 300/100' };
  const jpg = await sharp(field)
    .resize(4000, 3000, { kernel: 'cubic' })
    .jpeg({ quality: 92 })
    .withMetadata({ orientation: 6 })
    .withExif({ IFD3: gps })
    .toBuffer();
  const path = join(dir, 'photo.jpg');
  writeFileSync(path, jpg);
  return { path, bytes: jpg.length };
}

/** Fits the photo BENCH_RUNS times (no cache) and returns the median milliseconds and the last result. */
export async function benchFit() {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const { computeFitBudget, fitMedia } = await import(pathToFileURL(join(root, 'dist', 'media', 'fit', 'index.js')).href);
  const dir = mkdtempSync(join(tmpdir(), 'mms-bench-fit-'));
  try {
    const photo = await makePhoto(dir);
    const budget = computeFitBudget({
      provider: { maxFileBytes: 5 * 1024 * 1024, maxTotalBytes: 5 * 1024 * 1024, mediaTypes: ['image/jpeg'] },
      overrideBytes: 600_000,
    });
    const fit = () => fitMedia([{ path: photo.path }], { budget, cache: false });
    await fit(); // warm-up: loads sharp and libvips
    const times = [];
    let last;
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint();
      last = (await fit()).files[0];
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return { ms: median(times), inputBytes: photo.bytes, file: last };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Runs `mms send --dry-run` in a fresh node, then reports whether any sharp file was loaded (sharp is CommonJS, so
// an import of it lands in the CommonJS module cache).
const SEND_PROBE = `
import { createRequire } from 'node:module';
const { run } = await import(process.env.MMS_CLI);
const t = performance.now();
const code = await run(JSON.parse(process.env.MMS_ARGS), { env: process.env, streams: process, signal: new AbortController().signal });
const ms = performance.now() - t;
const sharp = Object.keys(createRequire(import.meta.url).cache).some((k) => /[\\/]node_modules[\\/]sharp[\\/]/.test(k));
process.stderr.write(JSON.stringify({ code, ms, sharp }) + '\\n');
`;

/** Median wall time of `mms send --dry-run --media photo.jpg` without --fit (whole process), and whether sharp loaded. */
export async function benchSendStartup() {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'mms-bench-send-'));
  try {
    const photo = await makePhoto(dir);
    const args = ['send', '--dry-run', '--provider', 'twilio', '--to', '+15551234567', '--body', 'x', '--media', photo.path, '--json'];
    const env = { PATH: process.env.PATH ?? '', HOME: dir, MMS_CONFIG_DIR: dir, CI: '1', MMS_CLI: pathToFileURL(join(root, 'dist', 'cli.js')).href };
    const times = [];
    let sharpLoaded = false;
    for (let i = 0; i < runs + 1; i++) {
      const t = process.hrtime.bigint();
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', SEND_PROBE], {
        env: { ...env, MMS_ARGS: JSON.stringify(args) },
        encoding: 'utf8',
      });
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      const probe = JSON.parse(child.stderr.trim().split('\n').pop() ?? '{}');
      if (probe.code !== 0) throw new Error(`mms send --dry-run exited ${probe.code}: ${child.stderr}`);
      sharpLoaded ||= probe.sharp;
      if (i > 0) times.push(ms); // the first run warms the file cache
    }
    return { ms: median(times), sharpLoaded };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const s = await benchSendStartup();
  console.log(`mms send --dry-run (12 MP photo, no --fit): ${Math.round(s.ms)} ms median per process; sharp ${s.sharpLoaded ? 'LOADED' : 'not loaded'}`);
  const r = await benchFit();
  const a = r.file.after;
  const verdict = r.ms <= 1500 ? 'within' : 'OVER';
  console.log(
    `fit 12 MP photo (${(r.inputBytes / 1e6).toFixed(1)} MB) → ${a.width}×${a.height} ${Math.round(a.bytes / 1000)} KB: ` +
      `${Math.round(r.ms)} ms median (${verdict} the 1500 ms target)`,
  );
}
