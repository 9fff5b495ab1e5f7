// Who owns a lock or restore file: a pid alone is not enough, because pids are reused. A file left
// by a process killed long ago can name a pid that now belongs to an unrelated program, and a pid
// check alone would call the file "in use" forever. So owners also record when their process
// started and which boot it belongs to; a file is stale when its pid is gone, when the pid now
// belongs to a process that started at another time, or when it was written before a reboot.
//
// Linux: the start time is field 22 of /proc/<pid>/stat (clock ticks since boot, so it is only
// comparable within one boot: hence the boot id from /proc/sys/kernel/random/boot_id).
// Elsewhere (macOS, Windows, a container without /proc) neither can be read: the check falls back
// to the pid alone, which is what it was before, and pid reuse there is not detected.
import * as fs from 'node:fs';

/** The identity a lock or restore file records about the process that wrote it. */
export interface ProcessIdentity {
  pid: number;
  /** Start time of the process in clock ticks since boot (Linux), when it could be read. */
  startTime?: string;
  /** The boot the process belongs to (Linux), when it could be read. */
  bootId?: string;
}

/** How the current state of processes is read (injected in tests). */
export interface ProcessIdentityReader {
  /** True when a process with this pid exists (EPERM counts: it exists, it is someone else's). */
  isAlive(pid: number): boolean;
  /** The process's start time, or undefined when it cannot be read (no /proc, no such process). */
  startTime(pid: number): string | undefined;
  /** This boot's id, or undefined when it cannot be read. */
  bootId(): string | undefined;
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 (starttime) of a /proc/<pid>/stat line; the command name in field 2 may hold spaces and parentheses. */
export function parseProcStatStartTime(stat: string): string | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields after the name start with field 3 (state); field 22 is the 20th of them.
  const value = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/)[19];
  return value !== undefined && /^\d+$/.test(value) ? value : undefined;
}

function readTrimmed(path: string): string | undefined {
  try {
    const text = fs.readFileSync(path, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/** The reader for this machine: /proc where it exists, the pid alone elsewhere. */
export const systemProcessReader: ProcessIdentityReader = {
  isAlive: isPidAlive,
  startTime(pid) {
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const stat = readTrimmed(`/proc/${pid}/stat`);
    return stat === undefined ? undefined : parseProcStatStartTime(stat);
  },
  bootId: () => readTrimmed('/proc/sys/kernel/random/boot_id'),
};

/** The identity of this process, to record in a file it owns. */
export function currentProcessIdentity(reader: ProcessIdentityReader = systemProcessReader): ProcessIdentity {
  const id: ProcessIdentity = { pid: process.pid };
  const startTime = reader.startTime(process.pid);
  const bootId = reader.bootId();
  if (startTime !== undefined) id.startTime = startTime;
  if (bootId !== undefined) id.bootId = bootId;
  return id;
}

/**
 * True while the process that recorded `owner` still runs. False when the pid is gone, when the
 * recorded boot is not this one, or when the pid's current start time differs from the recorded
 * one (the pid was reused). Without a recorded or readable start time, the pid decides alone.
 */
export function isOwnerAlive(owner: ProcessIdentity, reader: ProcessIdentityReader = systemProcessReader): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  if (!reader.isAlive(owner.pid)) return false;
  if (owner.bootId !== undefined) {
    const boot = reader.bootId();
    if (boot !== undefined && boot !== owner.bootId) return false;
  }
  if (owner.startTime !== undefined) {
    const now = reader.startTime(owner.pid);
    if (now !== undefined && now !== owner.startTime) return false;
  }
  return true;
}

/** Reads the optional identity fields of a parsed file (ignores values of the wrong type). */
export function identityFields(raw: Record<string, unknown>): Pick<ProcessIdentity, 'startTime' | 'bootId'> {
  const out: Pick<ProcessIdentity, 'startTime' | 'bootId'> = {};
  if (typeof raw.startTime === 'string') out.startTime = raw.startTime;
  if (typeof raw.bootId === 'string') out.bootId = raw.bootId;
  return out;
}
