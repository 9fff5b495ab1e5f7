// `mms listen --save-media <dir>`: downloads inbound media into a directory under generated names.
// The URLs come from a verified webhook, but names never come from outside: a file is called
// <message id>-<n>.<ext> (made file-name safe), is created with O_EXCL ('wx') so nothing is ever
// overwritten, and is deleted again if the download fails or passes the size limit. Saved media are
// private: files 0600, and a directory we create is 0700. Downloads go through HTTPS_PROXY /
// HTTP_PROXY / NO_PROXY the way provider calls do (src/providers/http-client.ts).
import { chmod, mkdir, open, rm, stat } from 'node:fs/promises';
import type { Dispatcher } from 'undici';
import { join, resolve } from 'node:path';
import { safeFileName } from '../output/sanitize.js';
import type { ProviderAdapter } from '../providers/types.js';

/** Default per-item limit: above every provider's MMS limit (Twilio 5 MB total) with room to spare. */
export const DEFAULT_MEDIA_LIMIT = 25 * 1024 * 1024;

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/jpg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'image/bmp': '.bmp',
  'image/tiff': '.tiff',
  'image/heic': '.heic',
  'audio/mpeg': '.mp3',
  'audio/mp4': '.m4a',
  'audio/ogg': '.ogg',
  'audio/amr': '.amr',
  'audio/3gpp': '.3gp',
  'audio/wav': '.wav',
  'audio/aac': '.aac',
  'video/mp4': '.mp4',
  'video/mpeg': '.mpeg',
  'video/3gpp': '.3gp',
  'video/quicktime': '.mov',
  'video/webm': '.webm',
  'text/vcard': '.vcf',
  'text/x-vcard': '.vcf',
  'text/calendar': '.ics',
  'text/plain': '.txt',
  'application/pdf': '.pdf',
};

/** A file extension for a MIME type ('.bin' when unknown): never derived from the URL. */
export function extensionFor(contentType: string | undefined): string {
  const t = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return EXTENSIONS[t] ?? '.bin';
}

/** The generated name for media item `index` (0-based) of a message. */
export function mediaFileName(messageId: string, index: number, contentType: string | undefined): string {
  const stem = safeFileName(messageId || 'message', { maxBytes: 80, fallback: 'message' }).replace(/[^A-Za-z0-9._-]/g, '_');
  return `${stem}-${index + 1}${extensionFor(contentType)}`;
}

/** The name with "-2", "-3", … before the extension, for when the first choice exists. */
export function numberedName(name: string, n: number): string {
  if (n <= 1) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}-${n}${name.slice(dot)}` : `${name}-${n}`;
}

export interface SaveMediaOptions {
  dir: string;
  /** Per-item byte limit (default DEFAULT_MEDIA_LIMIT). */
  maxBytes?: number;
  /** Request headers for this URL (provider auth), or undefined for none. */
  headersFor?: (url: string) => Record<string, string> | undefined | Promise<Record<string, string> | undefined>;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Where the proxy settings come from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/** The dispatcher for one download: the proxy agent when a proxy variable is set, as for provider calls. */
async function downloadDispatcher(env: NodeJS.ProcessEnv): Promise<Dispatcher> {
  const undici = await import('undici');
  const connect = { timeout: 10_000 };
  if (!PROXY_VARS.some((k) => env[k])) return new undici.Agent({ connect });
  // undici reads the variables from process.env by default; pass this run's explicitly.
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const httpProxy = pick('http_proxy', 'HTTP_PROXY');
  const httpsProxy = pick('https_proxy', 'HTTPS_PROXY') ?? httpProxy;
  const noProxy = pick('no_proxy', 'NO_PROXY');
  return new undici.EnvHttpProxyAgent({
    connect,
    ...(httpProxy !== undefined ? { httpProxy } : {}),
    ...(httpsProxy !== undefined ? { httpsProxy } : {}),
    ...(noProxy !== undefined ? { noProxy } : {}),
  });
}

/** Creates `dir` (0700 for what we create) and returns its absolute path. */
async function privateDir(dir: string): Promise<string> {
  const abs = resolve(dir);
  let existed = true;
  try {
    await stat(abs);
  } catch {
    existed = false;
  }
  await mkdir(abs, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask; a directory we made is ours to make private. A directory
  // the user already had keeps its mode: the files in it are 0600 either way.
  if (!existed && process.platform !== 'win32') await chmod(abs, 0o700);
  return abs;
}

/** A saved media item. */
export interface SavedMedia {
  path: string;
  size: number;
  contentType?: string;
}

/** Downloads one media URL into `dir` under the generated name. Throws Error with a short reason. */
export async function saveMediaItem(url: string, messageId: string, index: number, knownType: string | undefined, opts: SaveMediaOptions): Promise<SavedMedia> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MEDIA_LIMIT;
  const u = new URL(url);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`not an http(s) URL`);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  // Twilio answers with a redirect to short-lived storage; fetch drops Authorization on a
  // cross-origin redirect, so the credentials only ever go to the provider's own host.
  const headers = (await opts.headersFor?.(url)) ?? {};
  const dispatcher = await downloadDispatcher(opts.env ?? process.env);
  try {
    return await download(u, messageId, index, knownType, { ...opts, maxBytes, signal, dispatcher, headers });
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
}

async function download(
  u: URL,
  messageId: string,
  index: number,
  knownType: string | undefined,
  opts: SaveMediaOptions & { maxBytes: number; signal: AbortSignal; dispatcher: Dispatcher; headers: Record<string, string> },
): Promise<SavedMedia> {
  const { maxBytes, signal, dispatcher, headers } = opts;
  const { fetch } = await import('undici');
  const res = await fetch(u, { headers, redirect: 'follow', signal, dispatcher });
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`download answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`${declared} bytes is over the ${maxBytes}-byte limit`);
  }
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim() || knownType;
  const dir = await privateDir(opts.dir);
  const base = mediaFileName(messageId, index, contentType);
  let path = '';
  let handle;
  for (let n = 1; n <= 1000 && !handle; n++) {
    path = join(dir, numberedName(base, n));
    try {
      handle = await open(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  if (!handle) throw new Error(`no free file name for ${base} in ${dir}`);
  let size = 0;
  try {
    if (res.body) {
      for await (const chunk of res.body) {
        size += chunk.byteLength;
        if (size > maxBytes) throw new Error(`larger than the ${maxBytes}-byte limit`);
        await handle.write(chunk);
      }
    }
    await handle.close();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(path, { force: true });
    await res.body?.cancel().catch(() => undefined);
    throw err;
  }
  return contentType ? { path, size, contentType } : { path, size };
}

/** True when `url` is on the provider's API host (the configured base URL or the default one). */
export function isProviderOrigin(adapter: Pick<ProviderAdapter, 'defaultBaseUrl'>, baseUrl: string, url: string): boolean {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return false;
  }
  return [baseUrl, adapter.defaultBaseUrl].some((b) => {
    try {
      return new URL(b).origin === origin;
    } catch {
      return false;
    }
  });
}

/**
 * Request headers for downloading a media URL: the provider's credentials, but only for the
 * provider's own API host (never to a third-party host named in a payload).
 */
export function mediaAuthHeaders(
  adapter: Pick<ProviderAdapter, 'defaultBaseUrl' | 'mediaAuthHeaders'>,
  baseUrl: string,
  creds: Record<string, string>,
  url: string,
): Record<string, string> | undefined {
  if (!isProviderOrigin(adapter, baseUrl, url)) return undefined;
  return adapter.mediaAuthHeaders?.(creds);
}
