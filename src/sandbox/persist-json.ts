// Reading and writing the sandbox's JSON files (credentials, record, settings): written atomically
// with mode 0600; read with a size bound, and a damaged file is set aside as `<file>.damaged` with a
// warning rather than silently overwritten or allowed to stop the start.
import { chmod, readFile, rename, stat, writeFile } from 'node:fs/promises';

/** How a read went: no file, a value, or a damaged file (set aside, the reason given). */
export type JsonRead<T> = { kind: 'missing' } | { kind: 'ok'; value: T } | { kind: 'damaged'; reason: string; keptAs: string | undefined };

/** Larger files are not read (a sandbox's own files stay far below this). */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/**
 * Reads `file` as JSON; `check` says why a parsed value is unusable (undefined: usable). A damaged
 * file (unparsable, too large, or refused by `check`) is renamed to `<file>.damaged` so the next
 * write does not destroy what a person may still want to recover.
 */
export async function readJsonFile<T>(
  file: string,
  check: (v: unknown) => string | undefined = () => undefined,
  maxBytes = MAX_JSON_BYTES,
): Promise<JsonRead<T>> {
  let reason: string;
  try {
    const size = (await stat(file)).size;
    if (size > maxBytes) reason = `${size} bytes, over the ${maxBytes}-byte limit`;
    else {
      const value = JSON.parse(await readFile(file, 'utf8')) as unknown;
      const bad = check(value);
      if (bad === undefined) return { kind: 'ok', value: value as T };
      reason = bad;
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    reason = err instanceof SyntaxError ? `not valid JSON: ${err.message}` : (err as Error).message;
  }
  const keptAs = `${file}.damaged`;
  try {
    await rename(file, keptAs);
    return { kind: 'damaged', reason, keptAs };
  } catch {
    return { kind: 'damaged', reason, keptAs: undefined };
  }
}

/** The warning for a damaged file: what was wrong, what the sandbox does instead, where the old file went. */
export function damagedWarning(file: string, r: { reason: string; keptAs: string | undefined }, instead: string): string {
  return `Warning: the sandbox file ${file} is damaged (${r.reason}); ${instead}${r.keptAs ? ` (the damaged file is kept as ${r.keptAs})` : ''}`;
}

/** True when `v` is a plain object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Writes `text` to `file` atomically (a temporary file renamed over it), mode 0600. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, file);
  // writeFile's mode applies only when it creates the file: a stale temporary file keeps its own.
  await chmod(file, 0o600);
}
