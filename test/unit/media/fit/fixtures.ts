// Media fixtures generated at test time (nothing large is committed). Photo-like content: a small noise
// field scaled up, which compresses like a soft photo rather than like pure noise or a flat colour.
// Each is as small as the behaviour it feeds allows (CI starts with an empty cache and pays for making them),
// and is made once per machine and kept in a cache under the temporary directory, keyed by its recipe (the
// generator's source and its arguments): a changed recipe makes a new file, and every test file reads the same bytes.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { findFfmpeg } from '../../../../src/media/fit/video.js';

const CACHE_DIR = join(tmpdir(), 'mms-test-fixtures');

/**
 * Copies the cached output of `make(args…)` to `path`, making it first when the cache lacks it. The cache
 * entry is written under a temporary name and renamed, so parallel test files never read half a file.
 */
async function fromCache<A extends unknown[]>(path: string, make: (out: string, ...args: A) => Promise<void> | void, ...args: A): Promise<string> {
  const key = createHash('sha256').update(make.toString()).update(JSON.stringify(args)).digest('hex').slice(0, 24);
  const entry = join(CACHE_DIR, key);
  if (!existsSync(entry)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${entry}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await make(partial, ...args);
    renameSync(partial, entry);
  }
  copyFileSync(entry, path);
  return path;
}

/** EXIF GPS for the photo fixture (Paris), in libvips' "rational rational rational" string form. */
export const GPS_EXIF = {
  IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 300/100' },
};

/** A fresh temp dir for one test file. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mms-fit-test-'));
}

/**
 * A 2400×1800 (4.3 MP, about 2 MB) JPEG stored landscape with EXIF orientation 6 (display portrait) and GPS
 * coordinates: over every fit budget, and over the fitter's 2048 px decode cap, so it is rotated, stripped,
 * resized and re-encoded like a 12 MP phone photo, at a third of the pixels to make and decode.
 */
export function makePhoto(dir: string, name = 'photo.jpg', seedColour = 128): Promise<string> {
  return fromCache(join(dir, name), writePhoto, seedColour);
}

async function writePhoto(path: string, seedColour: number): Promise<void> {
  const field = await sharp({
    create: { width: 600, height: 450, channels: 3, background: { r: seedColour, g: 120, b: 110 }, noise: { type: 'gaussian', mean: seedColour, sigma: 60 } },
  })
    .png()
    .toBuffer();
  const jpg = await sharp(field)
    .resize(2400, 1800, { kernel: 'cubic' })
    .jpeg({ quality: 92 })
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Make: 'FixtureCam' }, ...GPS_EXIF })
    .toBuffer();
  writeFileSync(path, jpg);
}

/** A 900×900 RGBA PNG: noisy opaque disc on a fully transparent background (3.4 MB: too big for a lossless re-encode to fit). */
export function makeAlphaPng(dir: string): Promise<string> {
  return fromCache(join(dir, 'alpha.png'), writeAlphaPng);
}

async function writeAlphaPng(path: string): Promise<void> {
  const size = 900;
  const noise = await sharp({ create: { width: size, height: size, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 50 } } })
    .raw()
    .toBuffer();
  const rgba = Buffer.alloc(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const x = i % size;
    const y = Math.floor(i / size);
    const inside = (x - size / 2) ** 2 + (y - size / 2) ** 2 < (size * 0.4) ** 2;
    rgba[i * 4] = noise[i * 3]!;
    rgba[i * 4 + 1] = noise[i * 3 + 1]!;
    rgba[i * 4 + 2] = noise[i * 3 + 2]!;
    rgba[i * 4 + 3] = inside ? 255 : 0;
  }
  writeFileSync(
    path,
    await sharp(rgba, { raw: { width: size, height: size, channels: 4 } })
      .png({ compressionLevel: 1 })
      .toBuffer(),
  );
}

/**
 * An animated GIF of distinct frames, `delayMs` per frame: grainy noise (hard for GIF and video alike), or
 * `smooth` blurry colour fields like a clip of film (hard for a 256-colour palette, easy for H.264).
 */
export function makeGif(dir: string, opts: GifRecipe & { name?: string }): Promise<string> {
  const { name, ...recipe } = opts;
  return fromCache(join(dir, name ?? 'anim.gif'), writeGif, recipe);
}

interface GifRecipe {
  width: number;
  height: number;
  frames: number;
  delayMs: number;
  smooth?: boolean;
}

async function writeGif(path: string, opts: GifRecipe): Promise<void> {
  const frames: Buffer[] = [];
  for (let i = 0; i < opts.frames; i++) {
    const [w, h] = opts.smooth ? [Math.ceil(opts.width / 16), Math.ceil(opts.height / 16)] : [opts.width, opts.height];
    const field = sharp(gaussianNoise(w * h * 4, i + 1), { raw: { width: w, height: h, channels: 4 } });
    const sized = opts.smooth ? sharp(await field.png().toBuffer()).resize(opts.width, opts.height, { kernel: 'cubic' }) : field;
    frames.push(await sized.ensureAlpha().raw().toBuffer());
  }
  const gif = await sharp(Buffer.concat(frames), { raw: { width: opts.width, height: opts.height * opts.frames, channels: 4, pageHeight: opts.height } })
    .gif({ delay: Array.from({ length: opts.frames }, () => opts.delayMs), loop: 0, effort: 1 })
    .toBuffer();
  writeFileSync(path, gif);
}

/**
 * `n` bytes of gaussian noise (mean 128, sigma 40), the same for the same seed: libvips' noise is unseeded, so a
 * GIF made from it differed from machine to machine, and so did how hard it was to fit.
 */
function gaussianNoise(n: number, seed: number): Buffer {
  let state = seed >>> 0;
  // mulberry32: a small, well-mixed 32-bit generator.
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()); // Box–Muller
    out[i] = Math.max(0, Math.min(255, Math.round(128 + 40 * g)));
  }
  return out;
}

let ffmpegFound: boolean | undefined;

/** True when ffmpeg and ffprobe are on PATH (looked up once, without running them: each run of ffmpeg costs 0.1 s of CPU). */
export function hasFfmpeg(): boolean {
  return (ffmpegFound ??= findFfmpeg() !== undefined);
}

/**
 * An H.264 (High 4:4:4, so a fit must re-encode it as baseline) MP4 from lavfi testsrc + a sine tone, with a
 * location tag. The default, 1 s at 320×240, is about 110 KB: video, audio and a location, in one short encode.
 */
export function makeVideo(dir: string, seconds = 1, size = '320x240'): Promise<string> {
  return fromCache(join(dir, 'clip.mp4'), writeVideo, seconds, size);
}

/** Runs ffmpeg with `args` (quiet, overwriting); throws with its stderr when it fails. */
function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString()}`);
}

/** A mono WAV of a sine tone (about 88 KB a second). */
export function makeWav(dir: string, name: string, seconds: number): Promise<string> {
  return fromCache(join(dir, name), writeWav, seconds);
}

function writeWav(path: string, seconds: number): void {
  ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=300:duration=${seconds}`, '-f', 'wav', path]);
}

/** A one-frame 64×48 H.264 clip in `format`, with or without a location tag (all a location check needs). */
export function makeTinyClip(dir: string, name: string, format: 'mp4' | 'mov', location: boolean): Promise<string> {
  return fromCache(join(dir, name), writeTinyClip, format, location);
}

function writeTinyClip(path: string, format: 'mp4' | 'mov', location: boolean): void {
  const meta = location ? ['-metadata', 'location=+48.8566+002.3522/'] : [];
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-frames:v', '1', '-c:v', 'libx264', ...meta, '-f', format, path]);
}

function writeVideo(path: string, seconds: number, size: string): void {
  const inputs = ['-f', 'lavfi', '-i', `testsrc=duration=${seconds}:size=${size}:rate=30`, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`];
  const codecs = ['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '4M', '-c:a', 'aac', '-b:a', '128k'];
  ffmpeg([...inputs, ...codecs, '-metadata', 'location=+48.8566+002.3522/', '-shortest', '-f', 'mp4', path]);
}
