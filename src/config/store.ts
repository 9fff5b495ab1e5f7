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

/** Opens the config store for a directory. */
export function openStore(env: NodeJS.ProcessEnv = process.env): Store {
  const dir = configDir(env);
  return {
    dir,
    readConfig: () => normaliseConfig(readJson(join(dir, CONFIG_FILE)) ?? emptyConfig()),
    readCredentials: () => normaliseCredentials(readJson(join(dir, CREDENTIALS_FILE))),
    writeConfig: (cfg) => writeWithConf(dir, CONFIG_FILE, cfg),
    writeCredentials: (creds) => writeWithConf(dir, CREDENTIALS_FILE, creds),
  };
}
