// Fitted files, cached by content hash + target + options, so a cron job re-sending the same chart does not
// re-encode it. Lives under $XDG_CACHE_HOME/mms/fit (default ~/.cache/mms/fit): directories 0700 and files
// 0600 because the originals may be private photos; entries are written atomically (temp + rename) and the
// oldest are evicted once the total passes a bound. A damaged entry is a miss, never an error.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { FitAction, MediaFacts } from './types.js';

/** Default bound on the cache's total size. */
export const DEFAULT_CACHE_MAX_BYTES = 200 * 1024 * 1024;

/** A temp file older than this belongs to a run that died while writing it. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** What a cache entry remembers besides the output bytes. */
export interface CachedFit {
  before: MediaFacts;
  after: MediaFacts;
  actions: FitAction[];
}

/** The cache directory for an environment: $XDG_CACHE_HOME/mms/fit, else ~/.cache/mms/fit. */
export function fitCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  // XDG Base Directory spec: a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && xdg.startsWith('/') ? xdg : join(env.HOME || homedir(), '.cache');
  return join(base, 'mms', 'fit');
}

/** SHA-256 of a file, streamed (videos need not fit in memory). */
export async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The cache key: content hash, byte target, and every option that changes the output. */
export function fitCacheKey(contentHash: string, targetBytes: number, options: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.entries(options).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256')
    .update(JSON.stringify({ contentHash, targetBytes, options: sorted }))
    .digest('hex');
}

/** A directory of fitted files. */
export class FitCache {
  constructor(
    readonly dir: string,
    private readonly maxBytes = DEFAULT_CACHE_MAX_BYTES,
  ) {}

  private paths(key: string) {
    return { data: join(this.dir, `${key}.bin`), meta: join(this.dir, `${key}.json`) };
  }

  /** The cached output and its description, or undefined (a miss, including any damaged entry). */
  async get(key: string): Promise<{ entry: CachedFit; data: Buffer; path: string } | undefined> {
    const p = this.paths(key);
    try {
      const entry = JSON.parse(await readFile(p.meta, 'utf8')) as CachedFit;
      const data = await readFile(p.data);
      if (!entry.after || data.length !== entry.after.bytes) return undefined;
      const now = new Date();
      await utimes(p.data, now, now); // eviction goes by mtime: a hit keeps the entry young
      return { entry, data, path: p.data };
    } catch {
      return undefined;
    }
  }

  /** Stores an output; returns the path of the cached bytes. */
  async put(key: string, entry: CachedFit, data: Uint8Array): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700); // mkdir's mode is masked by umask and ignored for existing dirs
    const p = this.paths(key);
    const tmp = join(this.dir, `.${key}.${process.pid}.${Date.now()}.tmp`);
    try {
      await writeFile(tmp, data, { mode: 0o600 });
      await rename(tmp, p.data);
      // Only the description: callers may pass a richer object (the bytes themselves once made it 3× their size).
      const { before, after, actions } = entry;
      await writeFile(`${tmp}j`, JSON.stringify({ before, after, actions }), { mode: 0o600 });
      await rename(`${tmp}j`, p.meta);
    } catch (err) {
      // A full disk leaves a partial temp file: remove it, or every later run would find the disk still full.
      await Promise.all([tmp, `${tmp}j`, p.data].map((f) => rm(f, { force: true }).catch(() => undefined)));
      throw err;
    }
    await this.prune();
    return p.data;
  }

  /** Evicts the least recently used entries until the total is under the bound. */
  async prune(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const entries: Array<{ key: string; bytes: number; mtime: number }> = [];
    // Temp files of runs killed mid-write (kill -9, power loss) are never renamed: remove those over an hour old.
    for (const name of names.filter((n) => n.startsWith('.') && /\.tmpj?$/.test(n))) {
      const st = await stat(join(this.dir, name)).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > STALE_TEMP_MS) await rm(join(this.dir, name), { force: true });
    }
    for (const name of names.filter((n) => n.endsWith('.bin'))) {
      const st = await stat(join(this.dir, name)).catch(() => undefined);
      if (st) entries.push({ key: name.slice(0, -4), bytes: st.size, mtime: st.mtimeMs });
    }
    let total = entries.reduce((s, e) => s + e.bytes, 0);
    entries.sort((a, b) => a.mtime - b.mtime);
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      const p = this.paths(e.key);
      await rm(p.data, { force: true });
      await rm(p.meta, { force: true });
      total -= e.bytes;
    }
  }
}
