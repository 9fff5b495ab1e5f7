// The sandbox's own copy of every media file it saw (fetched for an outbound message, or attached to
// an injected inbound one), keyed by SHA-256: the web phone shows it from /_sandbox/media/<sha256>
// even when the sender's URL is gone. In memory by default; under <data>/media/ (0600 files in a
// 0700 folder) when the sandbox persists. Bounded: the oldest files go first beyond the byte limit,
// and files no message refers to any more are removed by prune().
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir } from './persist-credentials.js';

/** One stored file. */
export interface StoredMedia {
  sha256: string;
  contentType: string;
  size: number;
}

export interface MediaStore {
  /** Keeps `bytes` (once per content) and returns its key. */
  put(bytes: Buffer, contentType: string): Promise<StoredMedia>;
  /** The bytes and the type first recorded for them. */
  get(sha256: string): Promise<{ meta: StoredMedia; bytes: Buffer } | undefined>;
  /** Removes every file whose key is not in `keep`. */
  prune(keep: ReadonlySet<string>): Promise<void>;
  clear(): Promise<void>;
}

const SHA = /^[0-9a-f]{64}$/;
// Memory mode keeps at most this many bytes (a long-running sandbox stays bounded).
const MEMORY_LIMIT = 128 * 1024 * 1024;

/** SHA-256 of `bytes` as hex. */
export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Media kept in memory (the oldest dropped beyond `limit` bytes). */
export function createMemoryMediaStore(limit = MEMORY_LIMIT): MediaStore {
  const files = new Map<string, { meta: StoredMedia; bytes: Buffer }>();
  let total = 0;
  return {
    async put(bytes, contentType) {
      const sha256 = sha256Hex(bytes);
      const found = files.get(sha256);
      if (found) return found.meta;
      const meta = { sha256, contentType, size: bytes.length };
      files.set(sha256, { meta, bytes });
      total += bytes.length;
      for (const [k, v] of files) {
        if (total <= limit) break;
        files.delete(k);
        total -= v.meta.size;
      }
      return meta;
    },
    async get(sha256) {
      return files.get(sha256);
    },
    async prune(keep) {
      for (const [k, v] of files) {
        if (keep.has(k)) continue;
        files.delete(k);
        total -= v.meta.size;
      }
    },
    async clear() {
      files.clear();
      total = 0;
    },
  };
}

/** Media kept as files in `dir` (`<sha256>` holds the bytes, `<sha256>.json` the type). */
export async function createDiskMediaStore(dir: string): Promise<MediaStore> {
  await ensurePrivateDir(dir);
  const path = (sha: string) => join(dir, sha);
  const readMeta = async (sha: string): Promise<StoredMedia | undefined> => {
    try {
      return JSON.parse(await readFile(`${path(sha)}.json`, 'utf8')) as StoredMedia;
    } catch {
      return undefined;
    }
  };
  const store: MediaStore = {
    async put(bytes, contentType) {
      const sha256 = sha256Hex(bytes);
      const known = await readMeta(sha256);
      if (known) return known;
      const meta = { sha256, contentType, size: bytes.length };
      await writeFile(path(sha256), bytes, { mode: 0o600 });
      await writeFile(`${path(sha256)}.json`, JSON.stringify(meta), { mode: 0o600 });
      return meta;
    },
    async get(sha256) {
      if (!SHA.test(sha256)) return undefined;
      const meta = await readMeta(sha256);
      if (!meta) return undefined;
      try {
        return { meta, bytes: await readFile(path(sha256)) };
      } catch {
        return undefined;
      }
    },
    async prune(keep) {
      for (const name of await readdir(dir)) {
        const sha = name.slice(0, 64);
        if (SHA.test(sha) && !keep.has(sha)) await rm(join(dir, name), { force: true });
      }
    },
    async clear() {
      await store.prune(new Set());
    },
  };
  return store;
}
