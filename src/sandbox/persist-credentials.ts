// Sandbox credentials that survive a restart: a profile saved with `mms sandbox --save-profile` (or
// `mms login` against the sandbox) keeps working. Each dialect asks for its credentials through
// stableCredentials() with a generator of fresh ones; the vault answers with the saved set when it
// has one for that provider, and remembers the fresh set otherwise. The file is written 0600 in a
// 0700 directory (it holds the sandbox's secrets, though they open nothing but this emulator).
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SandboxServices } from './types.js';

/** Credentials per provider, as strings (keys, tokens, PEM text). */
export type CredentialSets = Record<string, Record<string, string>>;

/** Where dialects get their credentials from (SandboxServices.credentials). */
export interface CredentialVault {
  /** The saved set for `provider` if it has every key `fresh()` makes, else the fresh set (remembered). */
  get<T extends Record<string, string>>(provider: string, fresh: () => T): T;
  /** Every set handed out so far. */
  readonly sets: CredentialSets;
  /** True when a set was generated (the file needs writing). */
  readonly changed: boolean;
}

/** Creates a vault over previously saved sets (empty: every dialect gets fresh credentials). */
export function createCredentialVault(saved: CredentialSets = {}): CredentialVault {
  const sets: CredentialSets = {};
  let changed = false;
  return {
    get<T extends Record<string, string>>(provider: string, fresh: () => T): T {
      const made = fresh();
      const old = saved[provider];
      // A saved set missing a key (written by an older version) is replaced as a whole.
      const usable = old && Object.keys(made).every((k) => typeof old[k] === 'string');
      const chosen = (usable ? { ...made, ...old } : made) as T;
      if (!usable) changed = true;
      sets[provider] = chosen;
      return chosen;
    },
    sets,
    get changed() {
      return changed;
    },
  };
}

/** A dialect's credentials: the saved ones when the sandbox keeps them, else `fresh()`. */
export function stableCredentials<T extends Record<string, string>>(svc: SandboxServices, provider: string, fresh: () => T): T {
  return svc.credentials ? svc.credentials.get(provider, fresh) : fresh();
}

/** Reads the credentials file; a missing or unreadable file means none saved. */
export async function readCredentialSets(file: string): Promise<CredentialSets> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { providers?: CredentialSets };
    return parsed.providers && typeof parsed.providers === 'object' ? parsed.providers : {};
  } catch {
    return {};
  }
}

/** Writes the credentials file atomically, 0600 in a 0700 directory. */
export async function writeCredentialSets(file: string, sets: CredentialSets): Promise<void> {
  await ensurePrivateDir(dirname(file));
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ version: 1, providers: sets }, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
  await chmod(file, 0o600);
}

/** Creates `dir` (and parents) and makes it 0700. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}
