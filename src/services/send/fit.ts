// Step 3b, fit media: between checking the media and hosting it. With --fit (or `fit auto` in the config)
// every local image, GIF, video or audio file over its share of the carrier-safe budget is converted to fit
// and metadata (GPS included) is stripped; --strip-metadata alone strips JPEG/PNG metadata losslessly. Without
// either, a local photo carrying GPS coordinates gets a warning. The engine (src/media/fit, with sharp) is
// imported only when fitting, so `mms send` without --fit never loads sharp.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaItem } from '../../core/types.js';
import { ErrorCode, MediaError } from '../../errors/errors.js';
import { inspectMetadata, stripMetadata } from '../../media/fit/exif.js';
import type { FitFileResult } from '../../media/fit/index.js';
import { checkMediaLimits } from '../../media/resolve.js';
import { formatBytes, formatBytesExact } from '../../media/size.js';
import { sanitizeForTerminal } from '../../output/sanitize.js';
import type { ProviderAdapter } from '../../providers/types.js';
import { problemsError } from './problems.js';
import type { SendEvents, SendPlan, SendRequest } from './types.js';

/** What the fit step needs besides the plan. */
export interface FitStepContext {
  adapter: Pick<ProviderAdapter, 'capabilities' | 'displayName'>;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  events: SendEvents;
}

/** Removes the temporary files the step wrote (call it when the run ends, also after errors). */
export type FitCleanup = () => Promise<void>;

type FitRequest = Pick<SendRequest, 'fit' | 'fitBudgetBytes' | 'stripMetadata' | 'dryRun'>;

const isLocal = (m: MediaItem): boolean => m.kind === 'file' && m.path !== undefined;
const isPhoto = (m: MediaItem): boolean => m.contentType === 'image/jpeg' || m.contentType === 'image/png';
const shown = (m: MediaItem): string => sanitizeForTerminal(m.input);

/** Fits, strips or checks the plan's local media (updating plan.media in place); returns the cleanup. */
export async function fitPlanMedia(request: FitRequest, plan: SendPlan, ctx: FitStepContext): Promise<FitCleanup> {
  const local = plan.media.filter(isLocal);
  if (local.length === 0) return async () => undefined;
  const temp = new TempFiles(request.dryRun);
  try {
    if (request.fit) await fitLocal(request, plan, local, ctx, temp);
    else if (request.stripMetadata) await stripLocal(local, ctx, temp);
    else plan.warnings.push(...(await gpsWarnings(local)));
  } catch (err) {
    await temp.cleanup();
    throw err;
  }
  return () => temp.cleanup();
}

// ISO base media files whose location can be read from their boxes alone (src/media/fit/location.ts).
const ISO_BMFF_IMAGES = new Set(['image/heic', 'image/heif', 'image/avif']);
const ISO_BMFF_CLIPS = new Set(['video/mp4', 'video/quicktime', 'video/3gpp', 'audio/mp4']);

/**
 * One warning line per local file that says where it was made: JPEG/PNG EXIF GPS, HEIC/HEIF/AVIF EXIF GPS, and
 * MP4/MOV/3GP location boxes. Pure parsing of a few boxes or the EXIF block: sharp and ffmpeg are not loaded.
 */
export async function gpsWarnings(items: readonly MediaItem[]): Promise<string[]> {
  const warnings: string[] = [];
  for (const m of items.filter(isLocal)) {
    const type = m.contentType ?? '';
    if (isPhoto(m)) {
      const data = await readFile(m.path!).catch(() => undefined);
      if (data && inspectMetadata(data).hasGps) warnings.push(`${gpsWarning(m, 'photo was taken')}; --strip-metadata or --fit removes them`);
    } else if (ISO_BMFF_IMAGES.has(type) || ISO_BMFF_CLIPS.has(type)) {
      const { hasIsoBmffLocation } = await import('../../media/fit/location.js');
      if (!(await hasIsoBmffLocation(m.path!))) continue;
      const fix = ISO_BMFF_IMAGES.has(type) ? '--fit removes them' : '--strip-metadata (with ffmpeg) or --fit removes them';
      warnings.push(`${gpsWarning(m, ISO_BMFF_IMAGES.has(type) ? 'photo was taken' : 'clip was recorded')}; ${fix}`);
    }
  }
  return warnings;
}

const gpsWarning = (m: MediaItem, where: string): string => `--media ${shown(m)} carries GPS coordinates (where the ${where})`;

/** --strip-metadata: JPEG/PNG byte-level, video/audio by an ffmpeg stream copy; anything else is sent as it is (and said). */
async function stripLocal(local: MediaItem[], ctx: FitStepContext, temp: TempFiles): Promise<void> {
  for (const m of local) {
    if (isPhoto(m)) await stripPhoto(m, ctx, temp);
    else if (/^(video|audio)\//.test(m.contentType ?? '')) await stripClip(m, ctx, temp);
    // GIF has no EXIF/GPS convention; other images (WebP, HEIC, TIFF) would need re-encoding.
    else if (m.contentType?.startsWith('image/') && m.contentType !== 'image/gif') {
      ctx.events.note?.(`--strip-metadata: ${shown(m)} (${m.contentType}) is sent as it is: only --fit can remove its metadata (by converting it).`);
    }
  }
}

async function stripPhoto(m: MediaItem, ctx: FitStepContext, temp: TempFiles): Promise<void> {
  const data = await readFile(m.path!);
  const out = inspectMetadata(data).hasMetadata ? stripMetadata(data) : undefined;
  if (!out || out.removed.length === 0) return;
  replaceFile(m, await temp.write(m.fileName ?? 'media', out.data), m.contentType!, out.data.length, m.fileName);
  ctx.events.note?.(`Stripped ${out.removed.join(', ')} from ${shown(m)} (lossless): ${formatBytes(data.length)} → ${formatBytes(out.data.length)}.`);
}

/** A stream copy without tags, chapters or location tracks, when ffprobe finds metadata beyond the technical tags. */
async function stripClip(m: MediaItem, ctx: FitStepContext, temp: TempFiles): Promise<void> {
  const { findFfmpeg, probeVideo, remuxWithoutMetadata } = await import('../../media/fit/video.js');
  const tools = findFfmpeg(ctx.env);
  if (!tools) {
    ctx.events.note?.(`--strip-metadata: ${shown(m)} is sent as it is: removing metadata from video or audio needs ffmpeg (PATH or FFMPEG_PATH).`);
    return;
  }
  const limits = { signal: ctx.signal, timeoutMs: 60_000 };
  if (!(await probeVideo(tools, m.path!, limits)).hasMetadata) return;
  const out = await remuxWithoutMetadata(tools, m.path!, limits);
  if (!out) {
    ctx.events.note?.(`--strip-metadata: ${shown(m)} is sent as it is: its container cannot be copied without metadata.`);
    return;
  }
  const before = formatBytes(m.size ?? out.length);
  replaceFile(m, await temp.write(m.fileName ?? 'media', out), m.contentType!, out.length, m.fileName);
  ctx.events.note?.(`Stripped metadata from ${shown(m)} (stream copy, lossless): ${before} → ${formatBytes(out.length)}.`);
}

async function fitLocal(request: FitRequest, plan: SendPlan, local: MediaItem[], ctx: FitStepContext, temp: TempFiles): Promise<void> {
  const { computeFitBudget, fitMedia, formatFitLine, senderTypeOf } = await import('../../media/fit/index.js');
  const caps = ctx.adapter.capabilities;
  const budget = computeFitBudget({
    provider: caps,
    senderType: senderTypeOf(plan.from),
    ...(request.fitBudgetBytes !== undefined ? { overrideBytes: request.fitBudgetBytes } : {}),
  });
  // URL media count against the same message: what --check-media learned of their size comes off the total.
  const urlBytes = plan.media.filter((m) => m.kind === 'url').reduce((s, m) => s + (m.size ?? 0), 0);
  if (urlBytes >= budget.totalBytes) {
    throw new MediaError(
      ErrorCode.MEDIA_TOO_LARGE,
      `--media: the URL media add up to ${formatBytesExact(urlBytes)}, which leaves nothing for local files of the budget of ${budget.explain}`,
      { suggestion: 'Send fewer or smaller URL media with them, or raise --fit-budget' },
    );
  }
  const shared = { ...budget, totalBytes: budget.totalBytes - urlBytes };
  const report = await fitMedia(
    // The engine names files in its errors: the name is the user's input made safe for the terminal.
    local.map((m) => ({ path: m.path!, name: shown(m), ...(m.contentType ? { contentType: m.contentType } : {}) })),
    { budget: shared, env: ctx.env, signal: ctx.signal },
  );
  if (request.dryRun) ctx.events.note?.(`Fit budget ${budget.explain}.`);
  for (const [i, f] of report.files.entries()) {
    const m = local[i]!;
    if (request.dryRun || !f.unchanged) ctx.events.note?.(`Fit ${sanitizeForTerminal(formatFitLine(f))}`);
    if (!f.unchanged) replaceFile(m, f.path ?? (await temp.write(f.fileName, f.data)), f.after.type, f.after.bytes, f.fileName);
  }
  plan.fit = { budgetBytes: budget.totalBytes, explain: budget.explain, files: report.files.map((f, i) => summary(f, local[i]!.input)) };
  // What the fitter produced still has to be something the provider takes (a PDF beside a photo is not fitted).
  const problems = checkMediaLimits(plan.media, plan.media.length, caps, ctx.adapter.displayName);
  if (problems.length > 0) throw problemsError(problems.map((p) => ({ code: p.code, message: sanitizeForTerminal(p.message) })));
}

function summary(f: FitFileResult, input: string): NonNullable<SendPlan['fit']>['files'][number] {
  return { input, before: f.before, after: f.after, actions: [...f.actions], fromCache: f.fromCache };
}

function replaceFile(m: MediaItem, path: string, contentType: string, size: number, fileName: string | undefined): void {
  m.path = path;
  m.contentType = contentType;
  m.size = size;
  if (fileName !== undefined) m.fileName = fileName;
}

/**
 * Outputs that exist only in memory (a lossless strip, a fit with the cache off) go to a private temporary
 * directory (mkdtemp: 0700; files 0600) because hosting and uploads read media from a path. A dry run writes
 * nothing: it only reports.
 */
class TempFiles {
  private dir: string | undefined;
  private n = 0;

  constructor(private readonly isDryRun: boolean) {}

  async write(fileName: string, data: Uint8Array): Promise<string> {
    if (this.isDryRun) return '';
    this.dir ??= await mkdtemp(join(tmpdir(), 'mms-send-'));
    const path = join(this.dir, `${this.n++}-${fileName.replace(/[/\\]/g, '_')}`);
    await writeFile(path, data, { mode: 0o600 });
    return path;
  }

  async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
