// Persistence of what users configure through the providers' own APIs, in <data>/settings.json:
// each dialect's settings (numbers' webhook URLs and methods, applications, messaging profiles,
// callback URLs; see DialectSettings) keyed by its account, and the STOP/START opt-outs (kept even
// when retention drops the STOP message that made them). Written atomically (0600, in the 0700 data
// directory) a moment after a provider API request that may have changed something, after a
// message that may opt a handset out or in, and on close; only when the content changed. Bounded:
// a state larger than MAX_SETTINGS_BYTES is not written (a warning says so). A damaged file is set
// aside with a warning and the dialects keep their defaults.
import type { MessageStore } from './store.js';
import type { DialectSettings, SandboxDialect } from './types.js';
import type { OptOut, OptOutBook } from './carrier.js';
import { damagedWarning, isObject, readJsonFile, writeFileAtomic } from './persist-json.js';

/** The most the settings file may hold (thousands of applications; far more than a sandbox needs). */
export const MAX_SETTINGS_BYTES = 4 * 1024 * 1024;

const DEBOUNCE_MS = 250;

export interface SettingsPersistence {
  /** Something may have changed: write a moment from now (if the content differs). */
  changed(): void;
  /** Writes now if the content differs from the file. */
  flush(): Promise<void>;
  /** Flushes and stops following the store. */
  close(): Promise<void>;
}

interface SavedProvider {
  account: string;
  settings: unknown;
}

/** The saved opt-outs that have the shape of one (others are dropped). */
function savedOptOuts(v: unknown): OptOut[] {
  if (!Array.isArray(v)) return [];
  return v.filter(
    (o): o is OptOut => isObject(o) && ['provider', 'handset', 'sender', 'at'].every((k) => typeof (o as Record<string, unknown>)[k] === 'string'),
  );
}

/** Restores each dialect's saved settings when they belong to its current account. */
function restoreDialects(file: string, providers: Record<string, unknown>, dialects: Iterable<SandboxDialect>, warn: (line: string) => void): void {
  for (const d of dialects) {
    const saved = providers[d.provider];
    if (!d.settings || !isObject(saved) || saved.account !== d.settings.account()) continue;
    try {
      d.settings.load(saved.settings);
    } catch (err) {
      warn(`Warning: the ${d.provider} settings saved in ${file} are damaged (${(err as Error).message}); that provider starts with its defaults`);
    }
  }
}

/**
 * Restores the saved settings into `dialects` and the opt-outs into `optOuts`, then keeps `file`
 * up to date. Settings saved for another account (new credentials since) are not restored: that
 * provider starts with its defaults, as a new account would.
 */
export async function persistSettings(
  file: string,
  dialects: ReadonlyMap<string, SandboxDialect>,
  store: MessageStore,
  optOuts: OptOutBook,
  warn: (line: string) => void,
  maxBytes = MAX_SETTINGS_BYTES,
): Promise<SettingsPersistence> {
  const read = await readJsonFile<{ providers: Record<string, unknown>; optOuts?: unknown; optOutClears?: unknown }>(
    file,
    (v) => (isObject(v) && isObject(v.providers) ? undefined : 'no "providers" object'),
    maxBytes,
  );
  if (read.kind === 'damaged') warn(damagedWarning(file, read, "numbers' webhook settings, applications and opt-outs start from the defaults"));
  const saved = read.kind === 'ok' ? read.value : undefined;
  if (saved) {
    restoreDialects(file, saved.providers, dialects.values(), warn);
    optOuts.restore(savedOptOuts(saved.optOuts), store.list(), savedOptOuts(saved.optOutClears));
  }
  const snapshot = (): string => {
    const providers: Record<string, SavedProvider> = {};
    for (const d of dialects.values()) {
      const s: DialectSettings | undefined = d.settings;
      if (s) providers[d.provider] = { account: s.account(), settings: s.save() };
    }
    return JSON.stringify({ version: 1, providers, optOuts: optOuts.list(), optOutClears: optOuts.clearList() });
  };
  let written = saved ? snapshot() : '';
  let warnedTooLarge = false;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const write = async () => {
    const text = snapshot();
    if (text === written) return;
    if (Buffer.byteLength(text) > maxBytes) {
      if (!warnedTooLarge) warn(`Warning: the sandbox settings are over ${maxBytes} bytes; later changes are not saved to ${file}`);
      warnedTooLarge = true;
      return;
    }
    await writeFileAtomic(file, text);
    written = text;
  };
  const flush = async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing = writing.then(write, write);
    await writing;
  };
  const changed = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      writing = writing.then(write).catch((err: unknown) => warn(`Warning: could not save the sandbox settings to ${file}: ${(err as Error).message}`));
    }, DEBOUNCE_MS);
    timer.unref();
  };
  // A message can opt a handset out (STOP) or back in (START).
  const unsubscribe = store.subscribe((e) => {
    if (e.type === 'message.created' && e.message.direction === 'inbound') changed();
  });
  return {
    changed,
    flush,
    async close() {
      unsubscribe();
      await flush();
    },
  };
}
