// Restore files: what `mms listen --number` changed on the provider, written before the change so
// that even a kill -9 leaves a way back (`mms listen --restore`). One file per provider + number in
// <config dir>/listen-restore/, mode 0600 (it names the account's numbers and webhook URLs), created
// with O_EXCL so two listeners can never both claim the same number. The file records the
// listener's process identity (pid, start time, boot: ../core/process-identity.ts), so a file whose
// pid now belongs to another program (pid reuse) is recognised as left by a listener that is gone.
import { chmod, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { configDir } from '../config/store.js';
import { ConfigError, ErrorCode } from '../errors/errors.js';
import { currentProcessIdentity, identityFields, isOwnerAlive, isPidAlive, systemProcessReader, type ProcessIdentityReader } from '../core/process-identity.js';
import type { InboundRestoreState, ProviderName } from '../providers/types.js';
import { isProviderName } from '../providers/registry.js';

/** Sub-directory of the config dir that holds restore files. */
export const RESTORE_DIR_NAME = 'listen-restore';

/** The content of a restore file (JSON, version 1). */
export interface RestoreRecord {
  version: 1;
  provider: ProviderName;
  number: string;
  /** The profile that made the change, when it was a stored one (used again by --restore). */
  profile?: string;
  /** The API base URL the change was made through (the sandbox, a regional edge, …). */
  baseUrl: string;
  /** The listener's process id, to tell a running listener from one that was killed. */
  pid: number;
  /** The listener's process start time (Linux), so a reused pid is not mistaken for it. */
  startTime?: string;
  /** The boot the listener ran in (Linux). */
  bootId?: string;
  createdAt: string;
  state: InboundRestoreState;
}

/** A restore file found on disk: its record, or why it could not be read. */
export interface RestoreFileEntry {
  path: string;
  record?: RestoreRecord;
  error?: string;
}

/** The directory restore files live in. */
export function restoreDir(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), RESTORE_DIR_NAME);
}

/** The file name for a provider + number: only [a-z0-9-], so no number can escape the directory. */
export function restoreFileName(provider: string, number: string): string {
  const p = provider.toLowerCase().replace(/[^a-z0-9]/g, '');
  const digits = number.replace(/\D/g, '');
  return `${p || 'provider'}-${digits || 'number'}.json`;
}

/** The path of the restore file for a provider + number. */
export function restoreFilePath(env: NodeJS.ProcessEnv, provider: string, number: string): string {
  return join(restoreDir(env), restoreFileName(provider, number));
}

/** Validates parsed JSON as a RestoreRecord; returns the record or a reason. */
export function parseRestoreRecord(raw: unknown): RestoreRecord | string {
  if (!raw || typeof raw !== 'object') return 'not a JSON object';
  const r = raw as Record<string, unknown>;
  if (r.version !== 1) return `unsupported version ${JSON.stringify(r.version)}`;
  if (typeof r.provider !== 'string' || !isProviderName(r.provider)) return 'unknown provider';
  if (typeof r.number !== 'string' || r.number === '') return 'no number';
  if (typeof r.baseUrl !== 'string') return 'no base URL';
  if (typeof r.pid !== 'number' || !Number.isInteger(r.pid)) return 'no pid';
  if (typeof r.createdAt !== 'string') return 'no creation time';
  const s = r.state as Record<string, unknown> | undefined;
  if (
    !s ||
    typeof s !== 'object' ||
    s.provider !== r.provider ||
    s.number !== r.number ||
    typeof s.description !== 'string' ||
    !s.data ||
    typeof s.data !== 'object'
  ) {
    return 'no usable restore state';
  }
  const rec: RestoreRecord = {
    version: 1,
    provider: r.provider,
    number: r.number,
    baseUrl: r.baseUrl,
    pid: r.pid,
    createdAt: r.createdAt,
    state: { provider: r.provider, number: r.number, description: s.description, data: s.data as Record<string, unknown> },
  };
  if (typeof r.profile === 'string') rec.profile = r.profile;
  Object.assign(rec, identityFields(r));
  return rec;
}

/** True when a process with this id exists (it may be another program if the id was reused: see `isRestoreOwnerAlive`). */
export function isProcessAlive(pid: number): boolean {
  return isPidAlive(pid);
}

/**
 * True while the listener that wrote the record still runs: its pid exists and, where the record
 * has its start time (written on Linux), that pid still belongs to the same process. A record
 * without a start time (older files, systems without /proc) is judged by its pid alone.
 */
export function isRestoreOwnerAlive(rec: Pick<RestoreRecord, 'pid' | 'startTime' | 'bootId'>, reader: ProcessIdentityReader = systemProcessReader): boolean {
  return isOwnerAlive(rec, reader);
}

/** Reads one restore file. */
export async function readRestoreFile(path: string): Promise<RestoreFileEntry> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { path, error: `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { path, error: 'not valid JSON' };
  }
  const rec = parseRestoreRecord(raw);
  return typeof rec === 'string' ? { path, error: rec } : { path, record: rec };
}

/** Every restore file in the directory (none when it does not exist), sorted by name. */
export async function listRestoreFiles(env: NodeJS.ProcessEnv): Promise<RestoreFileEntry[]> {
  const dir = restoreDir(env);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: RestoreFileEntry[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) out.push(await readRestoreFile(join(dir, name)));
  return out;
}

/** The error for a number that already has a restore file (a running listener, or one that was killed). */
export async function restoreConflictError(path: string, number: string, reader: ProcessIdentityReader = systemProcessReader): Promise<ConfigError> {
  const existing = await readRestoreFile(path);
  const rec = existing.record;
  if (rec && rec.pid !== process.pid && isRestoreOwnerAlive(rec, reader)) {
    return new ConfigError(ErrorCode.CONFIG_INVALID, `Another mms listen (pid ${rec.pid}, since ${rec.createdAt}) has redirected ${number}`, {
      suggestion: `Stop that listener first; if it is gone, run \`mms listen --restore --number ${number}\``,
      details: { restoreFile: path },
    });
  }
  return new ConfigError(ErrorCode.CONFIG_INVALID, `A previous mms listen redirected ${number} and did not put its webhook back (restore file ${path})`, {
    suggestion: `Run \`mms listen --restore --number ${number}\` first, then try again`,
    details: { restoreFile: path },
  });
}

/**
 * Writes a new restore file (0600 in a 0700 directory) and syncs it to disk. Throws the conflict
 * error when one already exists for this provider + number: never overwrites another run's record.
 * A record written by this process gets its start time and boot id added (where readable).
 */
export async function createRestoreFile(env: NodeJS.ProcessEnv, record: RestoreRecord, reader: ProcessIdentityReader = systemProcessReader): Promise<string> {
  if (record.pid === process.pid && record.startTime === undefined) {
    const { startTime, bootId } = currentProcessIdentity(reader);
    record = { ...record, ...(startTime !== undefined ? { startTime } : {}), ...(bootId !== undefined ? { bootId } : {}) };
  }
  const dir = restoreDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await chmod(dir, 0o700).catch(() => undefined);
  const path = join(dir, restoreFileName(record.provider, record.number));
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw await restoreConflictError(path, record.number, reader);
    throw err;
  }
  try {
    await handle.writeFile(JSON.stringify(record, null, 2) + '\n', 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(path, { force: true });
    throw err;
  }
  await handle.close();
  return path;
}

/** Deletes a restore file (missing is fine). */
export async function removeRestoreFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

/**
 * Replaces this run's own restore file with a new record (a re-pointed number: the temporary
 * resources changed), atomically: a crash leaves the old record or the new one, never half of one.
 */
export async function replaceRestoreFile(path: string, record: RestoreRecord, reader: ProcessIdentityReader = systemProcessReader): Promise<void> {
  if (record.pid === process.pid && record.startTime === undefined) {
    const { startTime, bootId } = currentProcessIdentity(reader);
    record = { ...record, ...(startTime !== undefined ? { startTime } : {}), ...(bootId !== undefined ? { bootId } : {}) };
  }
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(JSON.stringify(record, null, 2) + '\n', 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
