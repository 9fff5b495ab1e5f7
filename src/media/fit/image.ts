// Fits still and animated images under a byte target with sharp (libvips), loaded only here and only when
// fitting, so `mms send` without --fit never pays for it. Output never carries metadata: sharp drops EXIF,
// XMP, IPTC and ICC on output unless asked to keep them, and orientation is applied to the pixels first.
// Formats: JPEG/PNG/GIF are what carriers and the providers' transcoders handle (Twilio transcodes only those,
// https://www.twilio.com/docs/messaging/guides/accepted-mime-types), so WebP/BMP/TIFF/AVIF/HEIC become JPEG.
import type { Sharp, SharpOptions } from 'sharp';
import { ErrorCode, MediaError } from '../../errors/errors.js';
import { formatBytes } from '../size.js';
import type { FitAction, MediaFacts } from './types.js';

type SharpFactory = (input?: Buffer | Uint8Array, options?: SharpOptions) => Sharp;

let sharpPromise: Promise<SharpFactory> | undefined;

/** Loads sharp on first use; a clear MediaError when the optional dependency is not installed. */
export async function loadSharp(): Promise<SharpFactory> {
  sharpPromise ??= import('sharp').then(
    (m) => m.default as unknown as SharpFactory,
    (err: unknown) => {
      sharpPromise = undefined;
      throw new MediaError(ErrorCode.MEDIA_FIT_UNAVAILABLE, '--fit needs the image library sharp, which is not installed (it is an optional dependency)', {
        suggestion: 'Reinstall without --omit=optional (npm install -g mmscli), or see https://sharp.pixelplumbing.com/install',
        cause: err,
      });
    },
  );
  return sharpPromise;
}

/** Fraction below the target the fitter aims for, so a rounding or container difference never tips a file over. */
export const FIT_MARGIN = 0.03;
const MAX_ENCODES = 10;
const MIN_SIDE = 96;
const Q_START = 82;
const Q_FLOOR = 55;

/** What fitImage needs besides the bytes. */
export interface ImageFitRequest {
  data: Uint8Array;
  /** Sniffed MIME type of data. */
  type: string;
  /** Display name for messages (the --media input). */
  name: string;
  targetBytes: number;
  /** Whether the provider accepts a MIME type. */
  accepts: (type: string) => boolean;
}

/** The fitted image. */
export interface ImageFitResult {
  data: Uint8Array;
  after: MediaFacts;
  actions: FitAction[];
  /** Set for an animated image that cannot fit as a GIF: the caller may turn it into MP4 instead. */
  needsVideo?: { reason: string };
}

const isHeif = (type: string) => /image\/(heic|heif|avif)/.test(type);

/** Reads type, dimensions (after orientation) and frame count. */
export async function probeImage(
  data: Uint8Array,
  type: string,
  name: string,
): Promise<MediaFacts & { orientation: number; hasAlpha: boolean; hasMetadata: boolean }> {
  const sharp = await loadSharp();
  try {
    const m = await sharp(data, { animated: true }).metadata();
    const frames = m.pages ?? 1;
    const pageHeight = m.pageHeight ?? m.height;
    const swap = (m.orientation ?? 1) >= 5;
    return {
      type,
      bytes: data.length,
      width: swap ? pageHeight : m.width,
      height: swap ? m.width : pageHeight,
      ...(frames > 1 ? { frames } : {}),
      orientation: m.orientation ?? 1,
      hasAlpha: m.hasAlpha,
      // What identifies the photo or its author; an ICC profile only describes colours.
      hasMetadata: !!(m.exif ?? m.xmp ?? m.iptc ?? m.comments?.length),
    };
  } catch (err) {
    if (isHeif(type)) {
      throw new MediaError(
        ErrorCode.MEDIA_TYPE_UNSUPPORTED,
        `--media ${name}: this ${type} photo cannot be decoded: sharp's prebuilt binaries read AVIF but not HEVC-coded HEIC/HEIF (patent-encumbered)`,
        {
          suggestion:
            'Export it as JPEG first (iPhone: Settings › Camera › Formats › Most Compatible; macOS: sips -s format jpeg in.heic --out out.jpg; ' +
            'Linux: heif-convert)',
          cause: err,
        },
      );
    }
    throw new MediaError(ErrorCode.MEDIA_UNREADABLE, `--media ${name}: not a readable ${type} image (${(err as Error).message})`, { cause: err });
  }
}

/** Fits an image under req.targetBytes; throws MediaError when it cannot be done without losing what it is. */
export async function fitImage(req: ImageFitRequest): Promise<ImageFitResult> {
  const info = await probeImage(req.data, req.type, req.name);
  if ((info.frames ?? 1) > 1 && /image\/(gif|webp)/.test(req.type)) return fitAnimated(req, info);
  return fitStill(req, info);
}

interface Raw {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

async function encodeJpeg(raw: Raw, width: number, height: number, quality: number): Promise<Buffer> {
  const sharp = await loadSharp();
  const img = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
  if (width !== raw.width) img.resize(width, height, { kernel: 'lanczos3' });
  return img.jpeg({ quality, chromaSubsampling: '4:2:0', optimiseCoding: true }).toBuffer();
}

async function fitStill(req: ImageFitRequest, info: Awaited<ReturnType<typeof probeImage>>): Promise<ImageFitResult> {
  const sharp = await loadSharp();
  const cap = Math.floor(req.targetBytes * (1 - FIT_MARGIN));
  const actions = new Set<FitAction>(['re-encoded']);
  if (info.hasMetadata) actions.add('stripped');
  if (info.orientation > 1) actions.add('rotated');
  const keepType = req.type === 'image/png' || req.type === 'image/gif';
  // A lossless re-encode keeps a screenshot or chart sharp; only worth a try when it might fit.
  if (keepType && req.accepts(req.type) && req.data.length <= cap * 3) {
    const img = sharp(req.data).autoOrient();
    const out = await (req.type === 'image/png' ? img.png({ compressionLevel: 9, adaptiveFiltering: true }) : img.gif()).toBuffer();
    if (out.length <= cap) return { data: out, after: { ...facts(info, req.type, out.length) }, actions: [...actions] };
  }
  if (!req.accepts('image/jpeg')) {
    throw new MediaError(ErrorCode.MEDIA_TYPE_UNSUPPORTED, `--media ${req.name}: cannot fit ${req.type} as JPEG: the provider does not accept image/jpeg`);
  }
  // One decode (auto-orient, alpha flattened onto white, capped size), then every attempt encodes from raw pixels.
  const maxSide = req.targetBytes >= 1_500_000 ? 4096 : 2048;
  const base = sharp(req.data).autoOrient().flatten({ background: '#ffffff' }).resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true });
  const { data, info: ri } = await base.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const raw: Raw = { data, width: ri.width, height: ri.height, channels: ri.channels === 4 ? 4 : 3 };
  const best = await searchJpeg(raw, cap);
  if (!best) {
    throw new MediaError(ErrorCode.MEDIA_TOO_LARGE, `--media ${req.name}: cannot fit under ${formatBytes(req.targetBytes)} even at ${MIN_SIDE} px`, {
      suggestion: 'Raise --fit-budget, or send fewer attachments in one message',
    });
  }
  if (req.type !== 'image/jpeg') actions.add('converted');
  if (best.width < (info.width ?? best.width)) actions.add('resized');
  return { data: best.data, after: { type: 'image/jpeg', bytes: best.data.length, width: best.width, height: best.height }, actions: [...actions] };
}

interface Attempt {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * Searches quality and scale for the largest JPEG under cap in at most MAX_ENCODES encodes: bytes grow roughly
 * with pixel count, so each miss rescales by sqrt(cap / size); below 1280 px the quality drops first instead.
 */
async function searchJpeg(raw: Raw, cap: number): Promise<Attempt | undefined> {
  let scale = 1;
  let q = Q_START;
  let best: Attempt | undefined;
  const longSide = Math.max(raw.width, raw.height);
  for (let n = 0; n < MAX_ENCODES; n++) {
    const width = Math.max(1, Math.round(raw.width * scale));
    const height = Math.max(1, Math.round(raw.height * scale));
    const data = await encodeJpeg(raw, width, height, q);
    if (data.length <= cap) {
      if (!best || width * height > best.width * best.height || (width === best.width && data.length > best.data.length)) best = { data, width, height };
      if (data.length >= 0.8 * cap || (scale >= 1 && q >= 90)) break;
      if (scale < 1) scale = Math.min(1, scale * Math.sqrt(cap / data.length) * 0.97);
      else q = Math.min(90, q + 8);
      continue;
    }
    if (best) break; // a step up overshot: keep the last fit
    if (longSide * scale > 1280 || q <= Q_FLOOR) scale *= Math.sqrt(cap / data.length) * 0.95;
    else q = Math.max(Q_FLOOR, q - 12);
    if (longSide * scale < MIN_SIDE) return undefined;
  }
  // Ten misses means wildly unpredictable content (noise): halve until it fits or is too small to matter.
  while (!best && longSide * scale >= MIN_SIDE) {
    const width = Math.max(1, Math.round(raw.width * scale));
    const height = Math.max(1, Math.round(raw.height * scale));
    const data = await encodeJpeg(raw, width, height, Q_FLOOR);
    if (data.length <= cap) best = { data, width, height };
    scale /= 2;
  }
  return best;
}

function facts(info: MediaFacts, type: string, bytes: number): MediaFacts {
  return {
    type,
    bytes,
    ...(info.width ? { width: info.width } : {}),
    ...(info.height ? { height: info.height } : {}),
    ...(info.frames ? { frames: info.frames } : {}),
  };
}

interface GifPlan {
  scale: number;
  colours: number;
  /** Floyd–Steinberg error diffusion: prettier gradients, but noise that LZW cannot compress (≈30% larger). */
  dither: number;
  /** Keep every step-th frame. */
  step: number;
}

const MIN_GIF_SIDE = 120;
const MAX_GIF_SIDE = 800;
const MAX_GIF_ENCODES = 7;
// Keeping one frame in four still reads as the same animation; fewer is a slideshow, and that is for MP4.
const MAX_GIF_STEP = 4;

interface GifSource {
  data: Uint8Array;
  width: number;
  pageHeight: number;
  frames: number;
  delay: number[];
  loop: number;
}

async function gifSource(data: Uint8Array): Promise<GifSource> {
  const sharp = await loadSharp();
  const meta = await sharp(data, { animated: true }).metadata();
  const frames = meta.pages ?? 1;
  const pageHeight = meta.pageHeight ?? meta.height;
  // Beyond 800 px an MMS GIF only costs bytes: phones show it a few hundred pixels wide.
  const factor = Math.min(1, MAX_GIF_SIDE / Math.max(meta.width, pageHeight));
  const delay = meta.delay ?? [];
  return {
    data,
    width: Math.max(1, Math.round(meta.width * factor)),
    pageHeight: Math.max(1, Math.round(pageHeight * factor)),
    frames,
    delay: Array.from({ length: frames }, (_, i) => delay[i] ?? 100),
    loop: meta.loop ?? 0,
  };
}

/** Encodes one plan: every frame decoded coalesced at the plan's size (sharp resizes an animated input per frame), every step-th kept. */
async function encodeGif(src: GifSource, plan: GifPlan): Promise<Attempt & { frames: number }> {
  const sharp = await loadSharp();
  const width = Math.max(1, Math.round(src.width * plan.scale));
  const height = Math.max(1, Math.round(src.pageHeight * plan.scale));
  const raw = await sharp(src.data, { animated: true }).resize(width, height, { fit: 'fill' }).ensureAlpha().raw().toBuffer();
  const frameBytes = width * height * 4;
  const kept: Buffer[] = [];
  const delay: number[] = [];
  for (let i = 0; i < src.frames; i += plan.step) {
    kept.push(raw.subarray(i * frameBytes, (i + 1) * frameBytes));
    // A kept frame shows for as long as the frames it replaces did, so the animation keeps its speed.
    delay.push(
      Math.min(
        65535,
        src.delay.slice(i, i + plan.step).reduce((s, d) => s + d, 0),
      ),
    );
  }
  const data = await sharp(Buffer.concat(kept), { raw: { width, height: height * kept.length, channels: 4, pageHeight: height } })
    .gif({ colours: plan.colours, dither: plan.dither, effort: 1, delay, loop: src.loop })
    .toBuffer();
  return { data, width, height, frames: kept.length };
}

/** Next plan after a miss by ratio (cap / size): no dithering first, then fewer pixels and frames, then 32 colours. */
function nextGifPlan(p: GifPlan, ratio: number, side: number, frames: number): GifPlan | undefined {
  const f = ratio * 0.9;
  if (p.dither > 0 && f > 0.6) return { ...p, dither: 0 };
  const minScale = Math.min(1, MIN_GIF_SIDE / side);
  const scale = Math.max(minScale, p.scale * Math.sqrt(Math.max(f, 0.25)));
  const reached = (scale * scale) / (p.scale * p.scale);
  if (reached > f * 1.05 && p.step * 2 <= MAX_GIF_STEP && Math.ceil(frames / (p.step * 2)) >= 2) return { ...p, dither: 0, scale, step: p.step * 2 };
  if (scale < p.scale) return { ...p, dither: 0, scale };
  if (p.colours > 32) return { ...p, dither: 0, colours: 32 };
  return undefined;
}

async function fitAnimated(req: ImageFitRequest, info: Awaited<ReturnType<typeof probeImage>>): Promise<ImageFitResult> {
  const cap = Math.floor(req.targetBytes * (1 - FIT_MARGIN));
  const src = await gifSource(req.data);
  // The original is already over: start from the plan its size calls for rather than re-encoding it as it is.
  let plan: GifPlan | undefined = nextGifPlan(
    { scale: 1, colours: 256, step: 1, dither: 1 },
    cap / req.data.length,
    Math.max(src.width, src.pageHeight),
    src.frames,
  );
  let last: (Attempt & { frames: number }) | undefined;
  for (let n = 0; n < MAX_GIF_ENCODES && plan; n++) {
    last = await encodeGif(src, plan);
    if (last.data.length <= cap) {
      const actions = new Set<FitAction>(['re-encoded']);
      if (info.hasMetadata) actions.add('stripped');
      if (req.type !== 'image/gif') actions.add('converted');
      if (last.width < (info.width ?? last.width)) actions.add('resized');
      if (plan.colours < 256) actions.add('colours-reduced');
      if (last.frames < src.frames) actions.add('frames-dropped');
      const after: MediaFacts = { type: 'image/gif', bytes: last.data.length, width: last.width, height: last.height, frames: last.frames };
      return { data: last.data, after, actions: [...actions] };
    }
    // Bytes scale with area and frame count; when even the smallest plan cannot get there, stop encoding.
    const side = Math.max(src.width, src.pageHeight);
    const minScale = Math.min(1, MIN_GIF_SIDE / side);
    const minFrames = Math.max(2, Math.ceil(src.frames / MAX_GIF_STEP));
    if (last.data.length * (minScale / plan.scale) ** 2 * (Math.min(minFrames, last.frames) / last.frames) * 0.8 > cap) break;
    plan = nextGifPlan(plan, cap / last.data.length, side, src.frames);
  }
  const tried = last ? `${last.width}×${last.height}, ${last.frames} of ${src.frames} frames, ${formatBytes(last.data.length)}` : 'nothing';
  return {
    data: req.data,
    after: facts(info, req.type, req.data.length),
    actions: [],
    needsVideo: {
      reason: `an animated image of ${src.frames} frames cannot fit under ${formatBytes(req.targetBytes)} and stay animated (smallest GIF tried: ${tried})`,
    },
  };
}
