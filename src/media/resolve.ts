// Turns --media inputs (paths or URLs) into MediaItems and checks them against a provider's limits.
// The only mime-types importer (loaded lazily: its database costs ~35 ms).
// Synchronous fs calls on purpose: a handful of files are checked once, before anything is sent,
// and five thread-pool round trips per file would be most of `--dry-run`'s time.
import { accessSync, closeSync, constants as fsc, openSync, readSync, statSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import type { MediaItem } from '../core/types.js';
import { ErrorCode, type ErrorCodeValue } from '../errors/errors.js';
import type { ProviderCapabilities } from '../providers/types.js';
import { sameMime, sniffMime } from './sniff.js';
import { checkHttpUrl } from '../core/urls.js';
import { formatBytes } from './size.js';

export interface MediaProblem {
  input: string;
  code: ErrorCodeValue;
  message: string;
}

export interface ResolvedMedia {
  items: MediaItem[];
  problems: MediaProblem[];
  warnings: string[];
}

/** The extensions MMS media almost always has; anything else asks mime-types (its database costs ~35 ms to load). */
const COMMON_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  mov: 'video/quicktime',
  '3gp': 'video/3gpp',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  amr: 'audio/amr',
  pdf: 'application/pdf',
  vcf: 'text/vcard',
  txt: 'text/plain',
};

let mimeLookup: ((p: string) => string | false) | undefined;
async function lookupByExtension(p: string): Promise<string | undefined> {
  const ext = /\.([A-Za-z0-9]+)$/.exec(p)?.[1]?.toLowerCase();
  if (!ext) return undefined;
  const common = COMMON_TYPES[ext];
  if (common) return common;
  if (!mimeLookup) mimeLookup = (await import('mime-types')).lookup;
  return mimeLookup(p) || undefined;
}

function urlWithoutCredentials(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** True for inputs that should be treated as URLs rather than paths. */
export function looksLikeUrl(input: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(input);
}

/** Whether a MIME type is in a capability list (supports 'image/*'). */
export function typeAllowed(type: string, allowed: readonly string[]): boolean {
  const t = type.toLowerCase().split(';')[0]!.trim();
  return allowed.some((a) => (a.endsWith('/*') ? t.startsWith(a.slice(0, -1)) : sameMime(a, t)));
}

async function resolveOne(input: string, cwd: string): Promise<{ item?: MediaItem; problem?: MediaProblem; warning?: string }> {
  if (looksLikeUrl(input)) {
    const checked = checkHttpUrl(input);
    if (checked.problem !== undefined) {
      // Never echo embedded credentials back.
      const shown = checked.problem.startsWith('URLs with embedded credentials') && URL.canParse(input) ? urlWithoutCredentials(new URL(input)) : input;
      return { problem: { input, code: ErrorCode.MEDIA_URL_INVALID, message: `--media ${shown}: ${checked.problem}` } };
    }
    const u = checked.url;
    const ct = await lookupByExtension(u.pathname);
    return { item: { input, kind: 'url', url: u.toString(), ...(ct ? { contentType: ct } : {}) } };
  }
  const path = resolvePath(cwd, input);
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problem: { input, code: ErrorCode.MEDIA_NOT_FOUND, message: `--media ${input}: file not found` } };
    return { problem: { input, code: ErrorCode.MEDIA_UNREADABLE, message: `--media ${input}: cannot read (${code ?? 'error'})` } };
  }
  if (st.isDirectory()) return { problem: { input, code: ErrorCode.MEDIA_NOT_A_FILE, message: `--media ${input}: is a directory, not a file` } };
  if (!st.isFile()) return { problem: { input, code: ErrorCode.MEDIA_NOT_A_FILE, message: `--media ${input}: not a regular file` } };
  try {
    accessSync(path, fsc.R_OK);
  } catch {
    return { problem: { input, code: ErrorCode.MEDIA_UNREADABLE, message: `--media ${input}: permission denied (not readable)` } };
  }
  if (st.size === 0) return { problem: { input, code: ErrorCode.MEDIA_EMPTY, message: `--media ${input}: the file is empty (0 bytes)` } };
  const head = new Uint8Array(64);
  try {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, head, 0, 64, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    return {
      problem: { input, code: ErrorCode.MEDIA_UNREADABLE, message: `--media ${input}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})` },
    };
  }
  const sniffed = sniffMime(head.subarray(0, Math.min(64, st.size)));
  const byExt = await lookupByExtension(path);
  let warning: string | undefined;
  if (sniffed && byExt && !sameMime(sniffed, byExt)) {
    warning = `--media ${input}: the extension says ${byExt} but the content is ${sniffed}; sending it as ${sniffed}`;
  }
  const contentType = sniffed ?? byExt;
  if (!contentType) {
    return {
      problem: { input, code: ErrorCode.MEDIA_TYPE_UNSUPPORTED, message: `--media ${input}: unknown file type (not an image, audio, video, PDF or vCard)` },
    };
  }
  return {
    item: { input, kind: 'file', path, fileName: basename(path), contentType, size: st.size },
    ...(warning ? { warning } : {}),
  };
}

/** Options for resolving media. */
export interface ResolveOptions {
  /**
   * --fit will convert local images, video and audio: their size and type are checked after fitting
   * (the send flow calls checkMediaLimits again), not here.
   */
  fitting?: boolean;
}

/** Resolves every media input and reports every problem at once. */
export async function resolveMedia(
  inputs: string[],
  caps: ProviderCapabilities,
  providerName: string,
  cwd = process.cwd(),
  opts: ResolveOptions = {},
): Promise<ResolvedMedia> {
  const out: ResolvedMedia = { items: [], problems: [], warnings: [] };
  const resolved = await Promise.all(inputs.map((i) => resolveOne(i, cwd)));
  for (const r of resolved) {
    if (r.problem) out.problems.push(r.problem);
    if (r.warning) out.warnings.push(r.warning);
    if (r.item) out.items.push(r.item);
  }
  const checked = opts.fitting ? out.items.filter((m) => !(m.kind === 'file' && isFittable(m.contentType))) : out.items;
  out.problems.push(...checkMediaLimits(checked, inputs.length, caps, providerName));
  return out;
}

/** Types the --fit engine can convert (images through sharp, video and audio through ffmpeg). */
export function isFittable(contentType: string | undefined): boolean {
  return /^(image|video|audio)\//.test(contentType ?? '');
}

/** Checks count, types and sizes against a provider's capabilities (pure). */
export function checkMediaLimits(items: MediaItem[], count: number, caps: ProviderCapabilities, providerName: string): MediaProblem[] {
  const problems: MediaProblem[] = [];
  if (count > caps.maxMedia) {
    problems.push({
      input: '--media',
      code: ErrorCode.MEDIA_TOO_MANY,
      message: `--media: ${count} items given, ${providerName} accepts at most ${caps.maxMedia} per message`,
    });
  }
  let total = 0;
  for (const item of items) {
    if (item.kind !== 'file' || item.size === undefined) continue;
    total += item.size;
    const type = item.contentType ?? 'application/octet-stream';
    if (!typeAllowed(type, caps.mediaTypes)) {
      problems.push({
        input: item.input,
        code: ErrorCode.MEDIA_TYPE_UNSUPPORTED,
        message: `--media ${item.input}: ${type} is not a type ${providerName} accepts for MMS (use JPEG, PNG or GIF images, or see \`mms providers\`)`,
      });
      continue;
    }
    const isImage = type.startsWith('image/');
    const limit = !isImage && caps.maxNonImageBytes !== undefined ? caps.maxNonImageBytes : caps.maxFileBytes;
    if (item.size > limit) {
      problems.push({
        input: item.input,
        code: ErrorCode.MEDIA_TOO_LARGE,
        message: `--media ${item.input}: ${formatBytes(item.size)} is over ${providerName}'s ${formatBytes(limit)} limit for ${isImage ? 'a file' : 'non-image files'}`,
      });
    }
  }
  if (total > caps.maxTotalBytes) {
    problems.push({
      input: '--media',
      code: ErrorCode.MEDIA_TOO_LARGE,
      message: `--media: the files add up to ${formatBytes(total)}, over ${providerName}'s ${formatBytes(caps.maxTotalBytes)} total per message`,
    });
  }
  return problems;
}
