// Persistence of the sandbox's record in a data directory: messages.json (the messages, oldest
// first, and the dialects' details of them, see MessageStore.detail) and webhooks.json (the delivery log plus what a resend needs), plain JSON written
// atomically (0600 files, 0700 folder) a moment after each change and once more on close. Retention
// is the store's (--max-messages); media no kept message refers to is removed from <data>/media.
// A lock file keeps two sandboxes from writing the same directory.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir } from './persist-credentials.js';
import { damagedWarning, isObject, readJsonFile, writeFileAtomic } from './persist-json.js';
import type { MediaStore } from './persist-media.js';
import type { MessageStore, SandboxMessage, WebhookAttempt } from './store.js';
import type { OutgoingWebhook } from './types.js';

/** The full requests behind the webhook log, by attempt id (what a resend repeats). */
export type ReplayBook = Map<string, OutgoingWebhook>;

export interface RecordPersistence {
  /** Writes now if anything changed since the last write. */
  flush(): Promise<void>;
  /** Flushes, stops following the store and releases the lock. */
  close(): Promise<void>;
}

/** Thrown when another running sandbox holds the data directory. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`the sandbox data directory ${dir} is in use by another sandbox (pid ${pid})`);
  }
}

const DEBOUNCE_MS = 250;

async function readLock(file: string): Promise<{ pid: number } | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as { pid: number };
  } catch {
    return undefined;
  }
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value));
}

/** A saved list under `key`, or [] with a warning when the file is damaged (it is set aside, not overwritten). */
async function readSavedList<T>(file: string, key: string, warn: (line: string) => void): Promise<{ list: T[]; value?: Record<string, unknown> }> {
  const r = await readJsonFile<Record<string, unknown>>(file, (v) => (isObject(v) && Array.isArray(v[key]) ? undefined : `no "${key}" list`));
  if (r.kind === 'damaged') warn(damagedWarning(file, r, `starting without its ${key}`));
  return r.kind === 'ok' ? { list: r.value[key] as T[], value: r.value } : { list: [] };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory's lock, or throws DataDirInUseError. A stale lock (dead pid) is taken over. */
async function lock(dir: string): Promise<string> {
  const file = join(dir, 'lock');
  const held = await readLock(file);
  if (held && held.pid !== process.pid && isAlive(held.pid)) throw new DataDirInUseError(dir, held.pid);
  await writeFile(file, JSON.stringify({ pid: process.pid }), { mode: 0o600 });
  return file;
}

/** Enough of a message's shape that the store, the UI and the filters can use it (a hand-edited entry may not be). */
function isMessage(v: unknown): v is SandboxMessage {
  if (!isObject(v)) return false;
  const strings = ['id', 'provider', 'to', 'from', 'body', 'status', 'createdAt'].every((k) => typeof v[k] === 'string');
  return strings && (v.direction === 'inbound' || v.direction === 'outbound') && Array.isArray(v.media) && Array.isArray(v.history);
}

function isReplay(v: unknown): v is SavedWebhooks['replays'][number] {
  return isObject(v) && typeof v.id === 'string' && typeof v.url === 'string' && typeof v.body === 'string' && isObject(v.headers);
}

interface SavedWebhooks {
  webhooks: WebhookAttempt[];
  replays: Array<{ id: string; url: string; headers: Record<string, string>; body: string; base64?: boolean }>;
}

/**
 * Loads the saved record into `store` and `replays`, then writes every later change back to `dir`.
 * A damaged file is reported through `warn` and set aside; the sandbox starts without its contents.
 */
export async function persistRecord(
  dir: string,
  store: MessageStore,
  media: MediaStore,
  replays: ReplayBook,
  warn: (line: string) => void = () => undefined,
): Promise<RecordPersistence> {
  await ensurePrivateDir(dir);
  const lockFile = await lock(dir);
  const messagesFile = join(dir, 'messages.json');
  const webhooksFile = join(dir, 'webhooks.json');
  const savedMessages = await readSavedList<SandboxMessage>(messagesFile, 'messages', warn);
  const savedHooks = await readSavedList<WebhookAttempt>(webhooksFile, 'webhooks', warn);
  const savedDetails = isObject(savedMessages.value?.details) ? (savedMessages.value.details as Record<string, Record<string, unknown>>) : {};
  store.load(savedMessages.list.filter(isMessage), savedHooks.list.filter(isObject), savedDetails);
  store.mediaFiles = media;
  const savedReplays = Array.isArray(savedHooks.value?.replays) ? (savedHooks.value.replays as SavedWebhooks['replays']) : [];
  for (const r of savedReplays.filter(isReplay)) replays.set(r.id, { url: r.url, headers: r.headers, body: r.base64 ? Buffer.from(r.body, 'base64') : r.body });
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let prunedAtLastWrite = -1;
  const write = async () => {
    dirty = false;
    const messages = store.list();
    const webhooks = [...store.webhooks()];
    const ids = new Set(webhooks.map((w) => w.id));
    for (const id of replays.keys()) if (!ids.has(id)) replays.delete(id);
    const replayList = [...replays].map(([id, h]) =>
      typeof h.body === 'string'
        ? { id, url: h.url, headers: h.headers, body: h.body }
        : { id, url: h.url, headers: h.headers, body: h.body.toString('base64'), base64: true },
    );
    await writeJsonAtomic(messagesFile, { version: 1, messages, details: store.details() });
    await writeJsonAtomic(webhooksFile, { version: 1, webhooks, replays: replayList });
    if (store.pruned !== prunedAtLastWrite) {
      // Retention dropped messages (or this is the first write): their media can go too.
      prunedAtLastWrite = store.pruned;
      await media.prune(new Set(messages.flatMap((m) => m.media.flatMap((x) => (x.sha256 ? [x.sha256] : [])))));
    }
  };
  const schedule = () => {
    dirty = true;
    timer ??= setTimeout(() => {
      timer = undefined;
      writing = writing.then(write).catch(() => undefined);
    }, DEBOUNCE_MS);
    timer.unref();
  };
  const unsubscribe = store.subscribe(schedule);
  const unsubscribeDetails = store.onDetail(schedule);
  const flush = async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    await writing;
    if (dirty) await write();
  };
  // The first write applies retention to what was loaded (a lower --max-messages than last time).
  dirty = true;
  await flush();
  return {
    /** Also called after changes that publish no event (clear all). */
    flush: async () => {
      dirty = true;
      await flush();
    },
    async close() {
      unsubscribe();
      unsubscribeDetails();
      await flush();
      await rm(lockFile, { force: true });
    },
  };
}
