// The only conf importer. Reads go straight to the JSON files with node:fs (conf and its schema
// validator cost ~150 ms to load, which would blow the start-up budget of every command); writes go
// through conf with configFileMode 0o600 inside a 0700 directory.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ErrorCode } from '../errors/errors.js';
import { emptyConfig, normaliseConfig, normaliseCredentials, type ConfigFile, type CredentialsFile } from './schema.js';

export const CONFIG_FILE = 'config.json';
export const CREDENTIALS_FILE = 'credentials.json';

/** The config directory: MMS_CONFIG_DIR, else the OS convention for `mmscli`. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MMS_CONFIG_DIR) return env.MMS_CONFIG_DIR;
  const home = homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Preferences', 'mmscli');
  if (process.platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'mmscli', 'Config');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'mmscli');
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(ErrorCode.CONFIG_INVALID, `Cannot read ${path}: ${(err as Error).message}`, {
      suggestion: 'Check the file permissions (it should be owned by you, mode 0600)',
    });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(ErrorCode.CONFIG_INVALID, `${path} is not valid JSON`, {
      suggestion: `Fix or delete the file (then run \`mms login\` again)`,
    });
  }
}

export interface Store {
  dir: string;
  readConfig(): ConfigFile;
  readCredentials(): CredentialsFile;
  writeConfig(cfg: ConfigFile): Promise<void>;
  writeCredentials(creds: CredentialsFile): Promise<void>;
}

function ensureDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Our own directory: keep it private even if it was created by hand with a looser mode.
  if (process.platform !== 'win32' && (statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

async function writeWithConf(dir: string, name: string, data: object): Promise<void> {
  ensureDir(dir);
  const { default: Conf } = await import('conf');
  const conf = new Conf<Record<string, unknown>>({
    projectName: 'mmscli',
    cwd: dir,
    configName: name.replace(/\.json$/, ''),
    configFileMode: 0o600,
    accessPropertiesByDotNotation: false,
  });
  conf.store = data as Record<string, unknown>;
  // conf only applies the mode when it creates the file; enforce it on every write.
  if (process.platform !== 'win32') chmodSync(join(dir, name), 0o600);
}

/** The mode a path should have, and the mode it has when that is looser (undefined: fine or absent). */
function looseMode(path: string, wanted: number): number | undefined {
  try {
    const mode = statSync(path).mode & 0o777;
    return (mode & ~wanted & 0o777) !== 0 ? mode : undefined;
  } catch {
    return undefined;
  }
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;

/**
 * Makes the config directory 0700 and its files 0600 when they were found looser (created by
 * hand, copied, or by an old version), and returns the one warning line that says what changed,
 * or undefined when nothing was loose.
 */
export function fixPermissions(dir: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  const fixed: string[] = [];
  const failed: string[] = [];
  for (const [path, wanted] of [
    [dir, 0o700],
    [join(dir, CONFIG_FILE), 0o600],
    [join(dir, CREDENTIALS_FILE), 0o600],
  ] as const) {
    const mode = looseMode(path, wanted);
    if (mode === undefined) continue;
    try {
      chmodSync(path, wanted);
      fixed.push(`${path} ${octal(mode)} → ${octal(wanted)}`);
    } catch {
      failed.push(`${path} is ${octal(mode)} (run: chmod ${octal(wanted).slice(1)} ${path})`);
    }
  }
  if (fixed.length === 0 && failed.length === 0) return undefined;
  const parts = [fixed.length ? `made private: ${fixed.join(', ')}` : '', failed.length ? `could not fix: ${failed.join(', ')}` : ''].filter(Boolean);
  return `Warning: config files were readable by other users; ${parts.join('; ')}.`;
}

export interface StoreOptions {
  /** Receives the one warning line when loose file modes were fixed (default: stderr). */
  warn?: (line: string) => void;
}

/** Opens the config store for a directory. */
export function openStore(env: NodeJS.ProcessEnv = process.env, opts: StoreOptions = {}): Store {
  const dir = configDir(env);
  let checked = false;
  // Once per store, before the first read or write: secrets never sit in a world-readable file.
  const check = () => {
    if (checked) return;
    checked = true;
    const warning = fixPermissions(dir);
    if (warning) (opts.warn ?? ((line: string) => process.stderr.write(`${line}\n`)))(warning);
  };
  return {
    dir,
    readConfig: () => (check(), normaliseConfig(readJson(join(dir, CONFIG_FILE)) ?? emptyConfig())),
    readCredentials: () => (check(), normaliseCredentials(readJson(join(dir, CREDENTIALS_FILE)))),
    writeConfig: (cfg) => (check(), writeWithConf(dir, CONFIG_FILE, cfg)),
    writeCredentials: (creds) => (check(), writeWithConf(dir, CREDENTIALS_FILE, creds)),
  };
}
