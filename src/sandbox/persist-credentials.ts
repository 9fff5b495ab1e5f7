// Sandbox credentials that survive a restart: a profile saved with `mms sandbox --save-profile` (or
// `mms login` against the sandbox) keeps working. Each dialect asks for its credentials through
// stableCredentials() with a generator of fresh ones; the vault answers with the saved set when it
// has one for that provider, and remembers the fresh set otherwise. The file is written 0600 in a
// 0700 directory (it holds the sandbox's secrets, though they open nothing but this emulator).
import { chmod, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SandboxServices } from './types.js';
import { damagedWarning, isObject, readJsonFile, writeFileAtomic } from './persist-json.js';

/** Credentials per provider, as strings (keys, tokens, PEM text). */
export type CredentialSets = Record<string, Record<string, string>>;

/** Where dialects get their credentials from (SandboxServices.credentials). */
export interface CredentialVault {
  /**
   * The saved set for `provider` if it has every key `fresh()` makes, else the fresh set (remembered).
   * `keys` names those keys when fresh() is costly (an RSA key pair): then fresh() runs only when needed.
   */
  get<T extends Record<string, string>>(provider: string, fresh: () => T, keys?: ReadonlyArray<keyof T & string>): T;
  /** Every set handed out so far. */
  readonly sets: CredentialSets;
  /** True when a set was generated (the file needs writing). */
  readonly changed: boolean;
  /** True when the saved sets are being replaced (--reset-credentials): nothing from before may be reused. */
  readonly renewing: boolean;
}

/** Creates a vault over previously saved sets (empty: every dialect gets fresh credentials; `renewing` for a reset). */
export function createCredentialVault(saved: CredentialSets = {}, renewing = false): CredentialVault {
  const sets: CredentialSets = {};
  let changed = false;
  return {
    get<T extends Record<string, string>>(provider: string, fresh: () => T, keys?: ReadonlyArray<keyof T & string>): T {
      const made = keys ? undefined : fresh();
      const old = saved[provider];
      // A saved set missing a key (written by an older version) is replaced as a whole.
      const usable = old && (keys ?? Object.keys(made!)).every((k) => typeof old[k] === 'string');
      const chosen = (usable ? { ...made, ...old } : (made ?? fresh())) as T;
      if (!usable) changed = true;
      sets[provider] = chosen;
      return chosen;
    },
    sets,
    renewing,
    get changed() {
      return changed;
    },
  };
}

/** A dialect's credentials: the saved ones when the sandbox keeps them, else `fresh()` (see CredentialVault.get for `keys`). */
export function stableCredentials<T extends Record<string, string>>(
  svc: SandboxServices,
  provider: string,
  fresh: () => T,
  keys?: ReadonlyArray<keyof T & string>,
): T {
  return svc.credentials ? svc.credentials.get(provider, fresh, keys) : fresh();
}

/** Reads the credentials file; a missing one means none saved, a damaged one too (with a warning, and set aside). */
export async function readCredentialSets(file: string, warn: (line: string) => void = () => undefined): Promise<CredentialSets> {
  const r = await readJsonFile<{ providers: Record<string, unknown> }>(file, (v) =>
    isObject(v) && isObject(v.providers) ? undefined : 'no "providers" object',
  );
  if (r.kind === 'damaged') warn(damagedWarning(file, r, 'new credentials are made (saved profiles pointing at the sandbox need saving again)'));
  if (r.kind !== 'ok') return {};
  const sets: CredentialSets = {};
  // A set with a non-string value is dropped (that dialect makes a fresh one), not passed on.
  for (const [provider, set] of Object.entries(r.value.providers))
    if (isObject(set) && Object.values(set).every((x) => typeof x === 'string')) sets[provider] = set as Record<string, string>;
  return sets;
}

/** Writes the credentials file atomically, 0600 in a 0700 directory. */
export async function writeCredentialSets(file: string, sets: CredentialSets): Promise<void> {
  await ensurePrivateDir(dirname(file));
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, providers: sets }, null, 2)}\n`);
}

/** Creates `dir` (and parents) and makes it 0700. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}
