// The fitting engine's entry point: shares a message's byte budget across its local attachments and makes
// each one fit (images with sharp, video/audio/oversized animations with ffmpeg), caching results by content.
// It never prints: it returns before → after facts and the actions taken, for the command to render.
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { ErrorCode, MediaError } from '../../errors/errors.js';
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
  const files = await Promise.all(inputs.map(async (i) => ({ input: i, data: await readFile(i.path) })));
  const types = files.map(({ input, data }) => input.contentType ?? sniffMime(data.subarray(0, 64)) ?? 'application/octet-stream');
  const targets = allocateBudget(
    files.map((f, i) => ({ bytes: f.data.length, contentType: types[i]!, canShrink: canShrink(types[i]!) })),
    opts.budget,
  );
  const results: FitFileResult[] = [];
  for (const [i, f] of files.entries()) {
    opts.signal?.throwIfAborted();
    const name = f.input.name ?? f.input.path;
    opts.onStart?.(name, i);
    results.push(await fitOne(ctx, f.input.path, name, f.data, types[i]!, targets[i]!));
  }
  return { files: results, totalBytes: results.reduce((s, r) => s + r.after.bytes, 0), budget: opts.budget };
}

function unchanged(path: string, name: string, data: Uint8Array, facts: MediaFacts, target: number): FitFileResult {
  return {
    input: path,
    name,
    before: facts,
    after: facts,
    actions: [],
    unchanged: true,
    fromCache: false,
    targetBytes: target,
    data,
    path,
    fileName: basename(path),
  };
}

async function fitOne(ctx: Ctx, path: string, name: string, data: Buffer, type: string, target: number): Promise<FitFileResult> {
  if (!canShrink(type)) return unchanged(path, name, data, { type, bytes: data.length }, target);
  if (type.startsWith('image/')) {
    // GIF has no EXIF/GPS convention (only rare XMP/comment extensions), so an in-budget GIF counts as clean.
    const meta = inspectMetadata(data);
    const fine = data.length <= target && CARRIER_IMAGE_TYPES.has(type) && accepts(ctx.opts.budget, type) && (meta.orientation ?? 1) <= 1;
    if (fine && !(ctx.strip && meta.hasMetadata)) {
      const info = await probeImage(data, type, name);
      return unchanged(path, name, data, factsOf(info), target);
    }
    const lossless = fine ? stripMetadata(data) : undefined;
    if (lossless) {
      // Lossless: same pixels, same type, only the metadata gone (and no file on disk holds these bytes yet).
      const before = factsOf(await probeImage(data, type, name));
      const after = { ...before, bytes: lossless.data.length };
      return {
        input: path,
        name,
        before,
        after,
        actions: ['stripped'],
        unchanged: false,
        fromCache: false,
        targetBytes: target,
        data: lossless.data,
        fileName: basename(path),
      };
    }
  } else if (data.length <= target && accepts(ctx.opts.budget, type)) {
    const { facts, hasLocation } = await avFacts(ctx, path, type, data.length);
    const tools = ctx.ffmpeg();
    const clean = ctx.strip && hasLocation && tools ? await remuxWithoutMetadata(tools, path, limitsOf(ctx)) : undefined;
    if (!clean) return unchanged(path, name, data, facts, target);
    const after = { ...facts, bytes: clean.length };
    return {
      input: path,
      name,
      before: facts,
      after,
      actions: ['stripped'],
      unchanged: false,
      fromCache: false,
      targetBytes: target,
      data: clean,
      fileName: basename(path),
    };
  }
  return cached(ctx, path, name, data, type, target);
}

function factsOf(info: MediaFacts): MediaFacts {
  const { type, bytes, width, height, frames } = info;
  return { type, bytes, ...(width ? { width } : {}), ...(height ? { height } : {}), ...(frames ? { frames } : {}) };
}

async function avFacts(ctx: Ctx, path: string, type: string, bytes: number): Promise<{ facts: MediaFacts; hasLocation: boolean }> {
  const tools = ctx.ffmpeg();
  if (!tools) return { facts: { type, bytes }, hasLocation: false };
  const p = await probeVideo(tools, path, { ...limitsOf(ctx), timeoutMs: 30_000 });
  const dims = p.width && p.height ? { width: p.width, height: p.height } : {};
  return { facts: { type, bytes, durationSec: p.durationSec, ...dims }, hasLocation: p.hasLocation };
}

function limitsOf(ctx: Ctx): RunLimits {
  return { ...(ctx.opts.signal ? { signal: ctx.opts.signal } : {}), ...(ctx.opts.timeoutMs ? { timeoutMs: ctx.opts.timeoutMs } : {}) };
}

/** Looks the fit up in the cache, else computes and stores it. */
async function cached(ctx: Ctx, path: string, name: string, data: Buffer, type: string, target: number): Promise<FitFileResult> {
  const key = ctx.cache
    ? fitCacheKey(await hashFile(path), target, {
        v: ENGINE_VERSION,
        strip: ctx.strip,
        type,
        accepts: [...ctx.opts.budget.accepts].sort(),
        ffmpeg: !!ctx.ffmpeg(),
      })
    : '';
  const hit = ctx.cache ? await ctx.cache.get(key) : undefined;
  if (hit) {
    const { before, after, actions } = hit.entry;
    return {
      input: path,
      name,
      before,
      after,
      actions,
      unchanged: false,
      fromCache: true,
      targetBytes: target,
      data: hit.data,
      path: hit.path,
      fileName: outName(path, after.type),
    };
  }
  const out = await compute(ctx, path, name, data, type, target);
  const stored = ctx.cache ? await ctx.cache.put(key, out, out.data) : undefined;
  const result: FitFileResult = { input: path, name, ...out, unchanged: false, fromCache: false, targetBytes: target, fileName: outName(path, out.after.type) };
  if (stored) result.path = stored;
  return result;
}

async function compute(
  ctx: Ctx,
  path: string,
  name: string,
  data: Buffer,
  type: string,
  target: number,
): Promise<{ before: MediaFacts; after: MediaFacts; actions: FitAction[]; data: Uint8Array }> {
  const accept = (t: string) => accepts(ctx.opts.budget, t);
  const limits = limitsOf(ctx);
  if (type.startsWith('image/')) {
    const before = factsOf(await probeImage(data, type, name));
    const img = await fitImage({ data, type, name, targetBytes: target, accepts: accept });
    if (!img.needsVideo) return { before, after: img.after, actions: orderActions(img.actions), data: img.data };
    // Flattening to one frame would silently change what the sender meant; MP4 keeps the motion.
    const tools = ctx.ffmpeg();
    if (!accept('video/mp4') || !tools) {
      const why = !accept('video/mp4') ? 'the provider does not accept video/mp4' : 'turning it into MP4 needs ffmpeg, which was not found';
      throw new MediaError(ErrorCode.MEDIA_TOO_LARGE, `--media ${name}: ${img.needsVideo.reason}, and ${why}`, {
        suggestion: 'Raise --fit-budget, shorten the animation, or send a still image instead',
      });
    }
    const v = await fitVideo({ tools, inputPath: path, name, inputType: type, targetBytes: target, accepts: accept, ...limits });
    return { before, after: v.after, actions: orderActions([...v.actions, 'converted']), data: v.data };
  }
  const tools = ctx.ffmpeg();
  if (!tools) throw ffmpegMissingError(name, data.length, target, ctx.env);
  const v = await fitVideo({ tools, inputPath: path, name, inputType: type, targetBytes: target, accepts: accept, ...limits });
  return { before: { ...v.before, bytes: data.length }, after: v.after, actions: orderActions(v.actions), data: v.data };
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
