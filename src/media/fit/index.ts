// The fitting engine's entry point: shares a message's byte budget across its local attachments and makes
// each one fit (images with sharp, video/audio/oversized animations with ffmpeg), caching results by content.
// It never prints: it returns before → after facts and the actions taken, for the command to render.
import { open, readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { ErrorCode, MediaError } from '../../errors/errors.js';
import { mediaFileError } from '../file-errors.js';
import { formatBytes } from '../size.js';
import { sniffMime } from '../sniff.js';
import { accepts, allocateBudget, type FitBudget } from './budget.js';
import { FitCache, fitCacheDir, fitCacheKey, hashFile } from './cache.js';
import { inspectMetadata, stripMetadata } from './exif.js';
import { fitImage, probeImage } from './image.js';
import { orderActions, type FitAction, type MediaFacts } from './types.js';
import { ffmpegMissingError, findFfmpeg, fitVideo, probeVideo, remuxWithoutMetadata, type FfmpegTools, type RunLimits } from './video.js';

export { FIT_ACTIONS, type FitAction, type MediaFacts } from './types.js';
export { computeFitBudget, parseFitBudget, senderTypeOf, type FitBudget, type SenderType } from './budget.js';
export { inspectMetadata, stripMetadata } from './exif.js';

/** Bump when the engine's output for the same input and options changes, so old cache entries are not reused. */
const ENGINE_VERSION = 1;
// What carriers and the providers' transcoders handle; other image types are converted even when small.
const CARRIER_IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif']);

/** One local attachment. */
export interface FitInput {
  path: string;
  /** What the user typed, for messages (default: the path). */
  name?: string;
  /** Sniffed MIME type if already known (resolveMedia's contentType); sniffed here otherwise. */
  contentType?: string;
}

export interface FitOptions {
  budget: FitBudget;
  /** Remove metadata (GPS included) even from files already within budget (default true). */
  stripMetadata?: boolean;
  /** false disables the cache; `dir`/`maxBytes` override its location and bound. */
  cache?: false | { dir?: string; maxBytes?: number };
  /** For XDG_CACHE_HOME, HOME, FFMPEG_PATH and PATH (default process.env). */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Limit for each ffmpeg run in ms (default 120 s). */
  timeoutMs?: number;
  /** Called before each file is worked on (for a spinner line). */
  onStart?: (name: string, index: number) => void;
}

/** The outcome for one attachment. */
export interface FitFileResult {
  input: string;
  name: string;
  before: MediaFacts;
  after: MediaFacts;
  /** Empty when the file is sent as it is. */
  actions: FitAction[];
  unchanged: boolean;
  fromCache: boolean;
  /** This file's share of the message budget. */
  targetBytes: number;
  /** The bytes to send. */
  data: Uint8Array;
  /** A file holding `data`: the input when unchanged, the cache entry when cached; absent with the cache off. */
  path?: string;
  /** The input's base name with the output's extension, e.g. IMG_0001.jpg for IMG_0001.HEIC. */
  fileName: string;
}

/** The outcome for a message. */
export interface FitReport {
  files: FitFileResult[];
  totalBytes: number;
  budget: FitBudget;
}

interface Ctx {
  opts: FitOptions;
  env: NodeJS.ProcessEnv;
  cache: FitCache | undefined;
  strip: boolean;
  ffmpeg: () => FfmpegTools | undefined;
}

const EXT: Record<string, string> = { 'image/jpeg': '.jpg', 'image/png': '.png', 'image/gif': '.gif', 'video/mp4': '.mp4', 'audio/mp4': '.m4a' };

function outName(path: string, type: string): string {
  const base = basename(path);
  const ext = EXT[type];
  if (!ext || ext === extname(base).toLowerCase() || (ext === '.jpg' && /\.jpe?g$/i.test(base))) return base;
  return `${base.slice(0, base.length - extname(base).length) || base}${ext}`;
}

const canShrink = (type: string) => /^(image|video|audio)\//.test(type);

/** Makes every local attachment fit its share of the budget; throws MediaError for any that cannot. */
export async function fitMedia(inputs: readonly FitInput[], opts: FitOptions): Promise<FitReport> {
  const env = opts.env ?? process.env;
  let tools: FfmpegTools | undefined | null = null;
  const ctx: Ctx = {
    opts,
    env,
    strip: opts.stripMetadata ?? true,
    cache: opts.cache === false ? undefined : new FitCache(opts.cache?.dir ?? fitCacheDir(env), opts.cache?.maxBytes),
    ffmpeg: () => (tools === null ? (tools = findFfmpeg(env)) : tools),
  };
  // Sizes and types only: a long video is never read into memory, ffmpeg reads it from its path.
  const files = await Promise.all(
    inputs.map((i) => guardFile(i, async () => ({ input: i, size: (await stat(i.path)).size, type: i.contentType ?? (await sniffFile(i.path)) }))),
  );
  const targets = allocateBudget(
    files.map((f) => ({ bytes: f.size, contentType: f.type, canShrink: canShrink(f.type) })),
    opts.budget,
  );
  const results: FitFileResult[] = [];
  for (const [i, f] of files.entries()) {
    opts.signal?.throwIfAborted();
    const name = f.input.name ?? f.input.path;
    opts.onStart?.(name, i);
    const file: WorkFile = { path: f.input.path, name, size: f.size, type: f.type, target: targets[i]! };
    results.push(await guardFile(f.input, () => fitOne(ctx, file)));
  }
  return { files: results, totalBytes: results.reduce((s, r) => s + r.after.bytes, 0), budget: opts.budget };
}

/** Runs `work` on one input, turning a filesystem error on its path (deleted or changed meanwhile) into a MediaError. */
async function guardFile<T>(input: FitInput, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw mediaFileError(err, input.name ?? input.path, input.path) ?? err;
  }
}

/** One attachment being worked on. */
interface WorkFile {
  path: string;
  name: string;
  size: number;
  type: string;
  /** Its share of the budget. */
  target: number;
}

async function sniffFile(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(64);
    const { bytesRead } = await fh.read(head, 0, 64, 0);
    return sniffMime(head.subarray(0, bytesRead)) ?? 'application/octet-stream';
  } finally {
    await fh.close();
  }
}

function unchanged(f: WorkFile, data: Uint8Array, facts: MediaFacts): FitFileResult {
  const base = { input: f.path, name: f.name, before: facts, after: facts, actions: [], unchanged: true, fromCache: false };
  return { ...base, targetBytes: f.target, data, path: f.path, fileName: basename(f.path) };
}

/** A lossless metadata strip: same pixels or streams, same type; no file on disk holds these bytes yet. */
function stripped(f: WorkFile, before: MediaFacts, data: Uint8Array): FitFileResult {
  const base = { input: f.path, name: f.name, before, after: { ...before, bytes: data.length }, actions: ['stripped' as const] };
  return { ...base, unchanged: false, fromCache: false, targetBytes: f.target, data, fileName: basename(f.path) };
}

async function fitOne(ctx: Ctx, f: WorkFile): Promise<FitFileResult> {
  if (!canShrink(f.type)) return unchanged(f, await readFile(f.path), { type: f.type, bytes: f.size });
  if (f.type.startsWith('image/')) {
    const data = await readFile(f.path);
    // GIF has no EXIF/GPS convention (only rare XMP/comment extensions), so an in-budget GIF counts as clean.
    const meta = inspectMetadata(data);
    const fine = f.size <= f.target && CARRIER_IMAGE_TYPES.has(f.type) && accepts(ctx.opts.budget, f.type) && (meta.orientation ?? 1) <= 1;
    if (!fine) return cached(ctx, f, data);
    const before = factsOf(await probeImage(data, f.type, f.name));
    if (!(ctx.strip && meta.hasMetadata)) return unchanged(f, data, before);
    const lossless = stripMetadata(data);
    return lossless ? stripped(f, before, lossless.data) : cached(ctx, f, data);
  }
  if (f.size > f.target || !accepts(ctx.opts.budget, f.type)) return cached(ctx, f);
  const { facts, hasLocation } = await avFacts(ctx, f);
  const tools = ctx.ffmpeg();
  const clean = ctx.strip && hasLocation && tools ? await remuxWithoutMetadata(tools, f.path, limitsOf(ctx)) : undefined;
  return clean ? stripped(f, facts, clean) : unchanged(f, await readFile(f.path), facts);
}

function factsOf(info: MediaFacts): MediaFacts {
  const { type, bytes, width, height, frames } = info;
  return { type, bytes, ...(width ? { width } : {}), ...(height ? { height } : {}), ...(frames ? { frames } : {}) };
}

async function avFacts(ctx: Ctx, f: WorkFile): Promise<{ facts: MediaFacts; hasLocation: boolean }> {
  const tools = ctx.ffmpeg();
  if (!tools) return { facts: { type: f.type, bytes: f.size }, hasLocation: false };
  const p = await probeVideo(tools, f.path, { ...limitsOf(ctx), timeoutMs: 30_000 });
  const dims = p.width && p.height ? { width: p.width, height: p.height } : {};
  return { facts: { type: f.type, bytes: f.size, durationSec: p.durationSec, ...dims }, hasLocation: p.hasLocation };
}

function limitsOf(ctx: Ctx): RunLimits {
  return { ...(ctx.opts.signal ? { signal: ctx.opts.signal } : {}), ...(ctx.opts.timeoutMs ? { timeoutMs: ctx.opts.timeoutMs } : {}) };
}

/** Looks the fit up in the cache, else computes and stores it. `data` is the file's bytes for images. */
async function cached(ctx: Ctx, f: WorkFile, data?: Buffer): Promise<FitFileResult> {
  // ffmpeg's presence changes an image's result (an animation that cannot stay a GIF becomes MP4 only with it); a
  // clip is only ever made with it, so a clip fitted before is reused even where ffmpeg is gone now.
  const ffmpeg = data ? !!ctx.ffmpeg() : true;
  const options = { v: ENGINE_VERSION, strip: ctx.strip, type: f.type, accepts: [...ctx.opts.budget.accepts].sort(), ffmpeg };
  const key = ctx.cache ? fitCacheKey(await hashFile(f.path), f.target, options) : '';
  const hit = ctx.cache ? await ctx.cache.get(key) : undefined;
  const common = { input: f.path, name: f.name, unchanged: false, targetBytes: f.target };
  if (hit) {
    const { before, after, actions } = hit.entry;
    return { ...common, before, after, actions, fromCache: true, data: hit.data, path: hit.path, fileName: outName(f.path, after.type) };
  }
  const out = data ? await computeImage(ctx, f, data) : await computeAv(ctx, f);
  // A cache that cannot be written (read-only or full home) costs the next run an encode, never this send.
  const stored = ctx.cache ? await ctx.cache.put(key, out, out.data).catch(() => undefined) : undefined;
  return { ...common, ...out, fromCache: false, fileName: outName(f.path, out.after.type), ...(stored ? { path: stored } : {}) };
}

interface Computed {
  before: MediaFacts;
  after: MediaFacts;
  actions: FitAction[];
  data: Uint8Array;
}

async function computeImage(ctx: Ctx, f: WorkFile, data: Buffer): Promise<Computed> {
  const accept = (t: string) => accepts(ctx.opts.budget, t);
  const before = factsOf(await probeImage(data, f.type, f.name));
  const img = await fitImage({ data, type: f.type, name: f.name, targetBytes: f.target, accepts: accept });
  if (!img.needsVideo) return { before, after: img.after, actions: orderActions(img.actions), data: img.data };
  // Flattening to one frame would silently change what the sender meant; MP4 keeps the motion.
  const tools = ctx.ffmpeg();
  if (!accept('video/mp4') || !tools) {
    const why = !accept('video/mp4') ? 'the provider does not accept video/mp4' : 'turning it into MP4 needs ffmpeg, which was not found';
    throw new MediaError(ErrorCode.MEDIA_TOO_LARGE, `--media ${f.name}: ${img.needsVideo.reason}, and ${why}`, {
      suggestion: 'Raise --fit-budget, shorten the animation, or send a still image instead',
    });
  }
  const v = await fitVideo({ tools, inputPath: f.path, name: f.name, inputType: f.type, targetBytes: f.target, accepts: accept, ...limitsOf(ctx) });
  return { before, after: v.after, actions: orderActions([...v.actions, 'converted']), data: v.data };
}

async function computeAv(ctx: Ctx, f: WorkFile): Promise<Computed> {
  const tools = ctx.ffmpeg();
  if (!tools) throw ffmpegMissingError(f.name, f.size, f.target, ctx.env);
  const accept = (t: string) => accepts(ctx.opts.budget, t);
  const v = await fitVideo({ tools, inputPath: f.path, name: f.name, inputType: f.type, targetBytes: f.target, accepts: accept, ...limitsOf(ctx) });
  return { before: { ...v.before, bytes: f.size }, after: v.after, actions: orderActions(v.actions), data: v.data };
}

function describe(f: MediaFacts): string {
  const dims = f.width && f.height ? ` ${f.width}×${f.height}` : '';
  const frames = f.frames ? ` ${f.frames} frames` : '';
  const secs = f.durationSec ? ` ${f.durationSec.toFixed(1)} s` : '';
  return `${f.type}${dims}${frames}${secs} ${formatBytes(f.bytes)}`;
}

/** One human line per file for `--dry-run --fit`, e.g. "photo.jpg: image/jpeg 3024×4032 4.4 MB → image/jpeg 1536×2048 548 KB (rotated, …)". */
export function formatFitLine(f: FitFileResult): string {
  if (f.unchanged) return `${f.name}: ${describe(f.before)} (fits, sent as is)`;
  const cache = f.fromCache ? ', cached' : '';
  return `${f.name}: ${describe(f.before)} → ${describe(f.after)} (${f.actions.join(', ')}${cache})`;
}
