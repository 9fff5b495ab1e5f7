// Fits video (and audio, and animated GIFs that cannot stay GIFs) under a byte target with ffmpeg: H.264
// baseline + AAC in MP4 with faststart, the combination carriers and handsets play (Telnyx transcodes video to
// "H.264 MP4", https://developers.telnyx.com/docs/messaging/messages/mms-transcoding). ffmpeg is found on PATH or
// through FFMPEG_PATH, with ffprobe beside it; it runs with an argument array (never a shell), a time limit
// and the caller's AbortSignal. Container metadata (QuickTime location atoms included) is dropped.
import { spawn } from 'node:child_process';
import { accessSync, constants as fsc } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, extname, join } from 'node:path';
import { ErrorCode, MediaError } from '../../errors/errors.js';
import { formatBytes, formatBytesExact } from '../size.js';
import { FIT_MARGIN } from './image.js';
import type { FitAction, MediaFacts } from './types.js';

/** Paths of the ffmpeg and ffprobe executables. */
export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

const exe = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);

function isExecutable(p: string): boolean {
  try {
    accessSync(p, fsc.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds ffmpeg via FFMPEG_PATH (the ffmpeg binary; ffprobe beside it) or PATH; undefined when absent. */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegTools | undefined {
  const explicit = env.FFMPEG_PATH;
  if (explicit) {
    const ffprobe = join(dirname(explicit), exe('ffprobe'));
    return isExecutable(explicit) && isExecutable(ffprobe) ? { ffmpeg: explicit, ffprobe } : undefined;
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const ffmpeg = join(dir, exe('ffmpeg'));
    const ffprobe = join(dir, exe('ffprobe'));
    if (isExecutable(ffmpeg) && isExecutable(ffprobe)) return { ffmpeg, ffprobe };
  }
  return undefined;
}

/** The MediaError for a file that needs ffmpeg when it is missing, with its size against the budget. */
export function ffmpegMissingError(name: string, bytes: number, targetBytes: number, env: NodeJS.ProcessEnv = process.env): MediaError {
  const where = env.FFMPEG_PATH ? `FFMPEG_PATH=${env.FFMPEG_PATH} is not an executable with ffprobe beside it` : 'ffmpeg was not found on PATH';
  return new MediaError(
    ErrorCode.MEDIA_FIT_UNAVAILABLE,
    `--media ${name}: ${formatBytes(bytes)} is over its ${formatBytes(targetBytes)} budget and fitting it needs ffmpeg, but ${where}`,
    {
      suggestion: 'Install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg) or set FFMPEG_PATH',
    },
  );
}

/** Limits of one ffmpeg/ffprobe run. */
export interface RunLimits {
  signal?: AbortSignal;
  /** Milliseconds before the process is killed (default 120 s). */
  timeoutMs?: number;
}

/** Runs a tool without a shell; resolves with stdout, rejects with the tail of stderr, kills it on abort or timeout. */
export function runTool(file: string, args: string[], limits: RunLimits = {}): Promise<string> {
  const timeoutMs = limits.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    // spawn's own `timeout` and `signal` kill the child; SIGKILL because ffmpeg may ignore SIGTERM mid-encode.
    const child = spawn(file, args, {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      windowsHide: true,
      ...(limits.signal ? { signal: limits.signal } : {}),
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      err = (err + b.toString('utf8')).slice(-4000);
    });
    child.on('error', (e) => reject(limits.signal?.aborted ? (limits.signal.reason as Error) : e));
    child.on('close', (code, sig) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else if (limits.signal?.aborted) reject(limits.signal.reason as Error);
      else if (sig) reject(new Error(`${file} was stopped by ${sig} (time limit ${Math.round(timeoutMs / 1000)} s)`));
      else reject(new Error(`${file} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** What ffprobe says about a file. */
export interface VideoProbe {
  durationSec: number;
  /** Display dimensions (rotation applied). */
  width?: number;
  height?: number;
  hasVideo: boolean;
  hasAudio: boolean;
  /** A location tag in the container or a stream (QuickTime ©xyz / ISO 6709, as phones write). */
  hasLocation: boolean;
  /** Tags beyond the container's technical ones (creation time, device, location, title…). */
  hasMetadata: boolean;
}

interface ProbeJson {
  format?: { duration?: string; tags?: Record<string, string> };
  streams?: Array<{
    codec_type?: string;
    width?: number;
    height?: number;
    duration?: string;
    tags?: Record<string, string>;
    side_data_list?: Array<{ rotation?: number }>;
  }>;
}

// Tags muxers write about the file itself, not about who made it, when or where.
const TECHNICAL_TAGS = new Set(['major_brand', 'minor_version', 'compatible_brands', 'encoder', 'handler_name', 'vendor_id', 'language']);

/** Probes duration, display size and streams. */
export async function probeVideo(tools: FfmpegTools, path: string, limits: RunLimits = {}): Promise<VideoProbe> {
  const json = JSON.parse(await runTool(tools.ffprobe, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path], limits)) as ProbeJson;
  const streams = json.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video');
  const rotation = Math.abs(Number(video?.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? video?.tags?.rotate ?? 0)) % 180;
  const tagKeys = [json.format?.tags, ...streams.map((s) => s.tags)].flatMap((t) => Object.keys(t ?? {}));
  const durationSec = Number(json.format?.duration ?? video?.duration ?? NaN);
  return {
    durationSec: Number.isFinite(durationSec) ? durationSec : 0,
    ...(video?.width && video.height ? (rotation === 90 ? { width: video.height, height: video.width } : { width: video.width, height: video.height }) : {}),
    hasVideo: !!video,
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
    hasLocation: tagKeys.some((k) => /location|xyz/i.test(k)),
    hasMetadata: tagKeys.some((k) => !TECHNICAL_TAGS.has(k.toLowerCase())),
  };
}

/** One ffmpeg fitting job. */
export interface VideoFitRequest extends RunLimits {
  tools: FfmpegTools;
  inputPath: string;
  /** Display name for messages. */
  name: string;
  inputType: string;
  targetBytes: number;
  accepts: (type: string) => boolean;
}

/** The fitted clip. */
export interface VideoFitResult {
  data: Uint8Array;
  before: MediaFacts;
  after: MediaFacts;
  actions: FitAction[];
}

// Below this a clip is a slideshow of blocks; better to say "trim it" than send that.
const MIN_VIDEO_BPS = 48_000;
const MAX_ATTEMPTS = 3;

/** Long side for a bitrate: what H.264 baseline fills without smearing. Level 3.1 allows 1280×720 at 30 fps. */
function longSideFor(bps: number): number {
  if (bps >= 1_500_000) return 1280;
  if (bps >= 700_000) return 854;
  if (bps >= 350_000) return 640;
  if (bps >= 150_000) return 426;
  return 320;
}

/** Bitrates and frame size of one encode. */
interface Encoding {
  audioBps: number;
  videoBps: number;
  longSide: number;
}

/** Even output dimensions within longSide, never enlarged. */
function outputSize(probe: VideoProbe, longSide: number): { width: number; height: number } {
  const w = probe.width ?? 640;
  const h = probe.height ?? 480;
  const f = Math.min(1, longSide / Math.max(w, h));
  const even = (n: number) => Math.max(2, 2 * Math.round((n * f) / 2));
  return { width: even(w), height: even(h) };
}

function plan(req: VideoFitRequest, probe: VideoProbe): Encoding {
  const cap = req.targetBytes * (1 - FIT_MARGIN);
  // ~4% of an MP4 this small is container (moov index, sample tables); keep it out of the stream budget.
  const totalBps = (cap * 8 * 0.96) / Math.max(probe.durationSec, 0.1);
  const audioBps = !probe.hasAudio ? 0 : totalBps >= 400_000 ? 64_000 : 32_000;
  const videoBps = probe.hasVideo ? Math.min(2_500_000, totalBps - audioBps) : 0;
  if (probe.hasVideo && videoBps < MIN_VIDEO_BPS) {
    const maxSec = Math.floor((cap * 8 * 0.96) / (MIN_VIDEO_BPS + audioBps));
    throw new MediaError(
      ErrorCode.MEDIA_TOO_LARGE,
      `--media ${req.name}: a ${probe.durationSec.toFixed(1)} s clip cannot fit in ${formatBytes(req.targetBytes)} ` +
        `(that leaves ${Math.round(videoBps / 1000)} kbit/s for the picture)`,
      {
        suggestion: `Trim it to about ${maxSec} s, or raise --fit-budget`,
      },
    );
  }
  return { audioBps: probe.hasVideo ? audioBps : Math.max(16_000, Math.min(128_000, totalBps)), videoBps, longSide: longSideFor(videoBps) };
}

function ffmpegArgs(input: string, output: string, probe: VideoProbe, bps: Encoding): string[] {
  const args = ['-hide_banner', '-nostdin', '-y', '-i', input, '-map_metadata', '-1', '-map_chapters', '-1', '-sn', '-dn'];
  if (probe.hasVideo) {
    const { width, height } = outputSize(probe, bps.longSide);
    const v = String(Math.round(bps.videoBps));
    args.push('-map', '0:v:0', '-vf', `scale=${width}:${height},format=yuv420p`, '-fpsmax', '30', '-c:v', 'libx264', '-preset', 'veryfast');
    // Slice threads, not frame threads: frame-threaded rate control varies the size by a few percent from run to
    // run, so the same clip could fit once and miss its budget the next time. Slices keep the cores busy.
    args.push('-x264-params', 'sliced-threads=1');
    args.push('-profile:v', 'baseline', '-level', '3.1', '-b:v', v, '-maxrate', v, '-bufsize', String(Math.round(bps.videoBps * 2)));
  }
  if (probe.hasAudio) args.push('-map', '0:a:0', '-c:a', 'aac', '-b:a', String(Math.round(bps.audioBps)), '-ac', bps.audioBps < 64_000 ? '1' : '2');
  args.push('-movflags', '+faststart', '-f', 'mp4', output);
  return args;
}

/** Transcodes to H.264/AAC MP4 (or AAC .m4a for audio) under targetBytes, retrying with a lower bitrate on overshoot. */
export async function fitVideo(req: VideoFitRequest): Promise<VideoFitResult> {
  const probe = await probeVideo(req.tools, req.inputPath, req);
  const outType = probe.hasVideo ? 'video/mp4' : 'audio/mp4';
  if (!req.accepts(outType)) {
    throw new MediaError(
      ErrorCode.MEDIA_TYPE_UNSUPPORTED,
      `--media ${req.name}: cannot fit ${req.inputType} as ${outType}: the provider does not accept ${outType}`,
    );
  }
  let bps = plan(req, probe);
  const cap = Math.floor(req.targetBytes * (1 - FIT_MARGIN));
  const dir = await mkdtemp(join(tmpdir(), 'mms-fit-'));
  try {
    const output = join(dir, 'out.mp4');
    for (let attempt = 1; ; attempt++) {
      await runTool(req.tools.ffmpeg, ffmpegArgs(req.inputPath, output, probe, bps), req);
      const data = await readFile(output);
      if (data.length <= cap) return result(req, probe, outType, data, bps);
      if (attempt >= MAX_ATTEMPTS) {
        throw new MediaError(
          ErrorCode.MEDIA_TOO_LARGE,
          `--media ${req.name}: still ${formatBytesExact(data.length)} after ${attempt} encodes, over the ${formatBytesExact(cap)} ` +
            `that fits ${formatBytes(req.targetBytes)} with its safety margin`,
          {
            suggestion: 'Trim the clip, or raise --fit-budget',
          },
        );
      }
      // An overshoot at a low rate is mostly keyframes, which shrink with the frame area, not the bitrate.
      const shrink = (cap / data.length) * 0.92;
      const wantedBps = bps.videoBps * shrink;
      const videoBps = Math.max(MIN_VIDEO_BPS, wantedBps);
      // What the bitrate floor keeps from the shrink has to come out of the frame area as well: without
      // this, a short busy clip at the floor barely shrank between attempts and could miss its budget
      // by a few hundred bytes after the last one.
      const floorKept = probe.hasVideo ? videoBps / wantedBps : 1;
      bps = {
        audioBps: probe.hasVideo ? bps.audioBps : Math.max(16_000, bps.audioBps * shrink),
        videoBps,
        longSide: Math.max(160, Math.round(bps.longSide * Math.sqrt(shrink / floorKept))),
      };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function result(req: VideoFitRequest, probe: VideoProbe, outType: string, data: Buffer, bps: Encoding): VideoFitResult {
  const dims = probe.hasVideo ? outputSize(probe, bps.longSide) : undefined;
  const actions: FitAction[] = probe.hasMetadata ? ['stripped', 're-encoded'] : ['re-encoded'];
  if (dims && probe.width && dims.width < probe.width - 1) actions.push('resized');
  if (outType !== req.inputType) actions.push('converted');
  const size = (d?: { width?: number; height?: number }) => (d?.width && d.height ? { width: d.width, height: d.height } : {});
  return {
    data,
    before: { type: req.inputType, bytes: 0, durationSec: probe.durationSec, ...size(probe) },
    after: { type: outType, bytes: data.length, durationSec: probe.durationSec, ...size(dims) },
    actions,
  };
}

/**
 * Copies the audio and video streams into a new file of the same container without its metadata (tags,
 * chapters, timed-metadata tracks that carry location): lossless, for clips already within budget.
 * Undefined when the container cannot be told from the file name.
 */
export async function remuxWithoutMetadata(tools: FfmpegTools, inputPath: string, limits: RunLimits = {}): Promise<Buffer | undefined> {
  const ext = extname(inputPath).toLowerCase();
  if (!/^\.(mp4|m4v|mov|3gp|m4a)$/.test(ext)) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'mms-fit-'));
  try {
    const output = join(dir, `out${ext}`);
    const args = ['-hide_banner', '-nostdin', '-y', '-i', inputPath, '-map', '0:v?', '-map', '0:a?', '-c', 'copy'];
    await runTool(tools.ffmpeg, [...args, '-map_metadata', '-1', '-map_chapters', '-1', '-movflags', '+faststart', output], limits);
    return await readFile(output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
