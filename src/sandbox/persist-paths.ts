// Where `mms sandbox` keeps its things under the config directory (all 0700 folders, 0600 files):
//   <config>/sandbox/credentials.json   the dialects' credentials (stable across restarts)
//   <config>/sandbox/data/              the default data directory (messages, webhook log, media)
//   <config>/sandbox/state.json         the running sandbox's origin and pid (how `mms sandbox wait`
//                                       and `mms sandbox inbound` find it without --url)
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir } from './persist-credentials.js';

export interface SandboxPaths {
  dir: string;
  credentialsFile: string;
  defaultDataDir: string;
  stateFile: string;
}

/** The sandbox's paths under `configDir`. */
export function sandboxPaths(configDir: string): SandboxPaths {
  const dir = join(configDir, 'sandbox');
  return { dir, credentialsFile: join(dir, 'credentials.json'), defaultDataDir: join(dir, 'data'), stateFile: join(dir, 'state.json') };
}

/** What a running sandbox publishes about itself. */
export interface SandboxState {
  origin: string;
  pid: number;
  startedAt: string;
  dataDir: string | null;
}

/** Writes the state file (atomically, 0600). */
export async function writeSandboxState(file: string, state: SandboxState): Promise<void> {
  await ensurePrivateDir(join(file, '..'));
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

/** The state of a sandbox that is still running, or undefined (no file, or its process is gone). */
export async function readSandboxState(file: string): Promise<SandboxState | undefined> {
  let state: SandboxState;
  try {
    state = JSON.parse(await readFile(file, 'utf8')) as SandboxState;
  } catch {
    return undefined;
  }
  if (typeof state.origin !== 'string' || typeof state.pid !== 'number') return undefined;
  try {
    process.kill(state.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return state;
}

/** Removes the state file if it still describes this process. */
export async function removeSandboxState(file: string): Promise<void> {
  const state = await readSandboxState(file);
  if (state?.pid === process.pid) await rm(file, { force: true });
}
