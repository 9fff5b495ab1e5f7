// Resolves the profile, provider, credentials, sender and base URL for one run.
// Precedence per value: flag (or stdin for this run) > provider-standard env var > stored profile.
import { AuthError, ConfigError, ErrorCode, UsageError } from '../errors/errors.js';
import type { Credentials, ProviderAdapter, ProviderName } from '../providers/types.js';
import { PROVIDER_NAMES, isProviderName } from '../providers/registry.js';
import { didYouMean } from '../errors/did-you-mean.js';
import { missingCredentialsHint } from '../providers/descriptor.js';
import { PROFILE_NAME, PROFILE_NAME_HINT, type ConfigFile, type CredentialsFile, type ProfileRecord } from './schema.js';
import { rememberSecrets } from './redact.js';

export type ValueSource = 'flag' | 'env' | 'file' | 'default';

export interface Sourced<T = string> {
  value: T;
  source: ValueSource;
  /** The env var or flag that supplied it, for `whoami`. */
  origin?: string;
}

export interface ProfileSelection {
  name: string;
  source: ValueSource;
  record?: ProfileRecord;
}

/**
 * Returns `name` when it is a name `mms login` accepts, else throws the UsageError (exit 2) that
 * names where it came from (`--profile`, `MMS_PROFILE`, …): a name like `../x` is refused everywhere.
 */
export function checkProfileName(name: string, origin: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(`${origin} ${JSON.stringify(name)} is not a valid profile name`, { code: ErrorCode.INVALID_ARGUMENT, suggestion: PROFILE_NAME_HINT });
  }
  return name;
}

/** The profile a command acts on: --profile > MMS_PROFILE > config's defaultProfile > "default", checked. */
export function activeProfileName(cfg: ConfigFile, flagProfile: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flagProfile !== undefined) return checkProfileName(flagProfile, '--profile');
  if (env.MMS_PROFILE) return checkProfileName(env.MMS_PROFILE, 'MMS_PROFILE');
  return cfg.defaultProfile ?? 'default';
}

/** Picks the profile: --profile > MMS_PROFILE > config's defaultProfile > "default". */
export function selectProfile(cfg: ConfigFile, flagProfile: string | undefined, env: NodeJS.ProcessEnv): ProfileSelection {
  let name: string;
  let source: ValueSource;
  if (flagProfile !== undefined) {
    name = checkProfileName(flagProfile, '--profile');
    source = 'flag';
  } else if (env.MMS_PROFILE) {
    name = checkProfileName(env.MMS_PROFILE, 'MMS_PROFILE');
    source = 'env';
  } else if (cfg.defaultProfile) {
    name = cfg.defaultProfile;
    source = 'file';
  } else {
    name = 'default';
    source = 'default';
  }
  const record = Object.hasOwn(cfg.profiles, name) ? cfg.profiles[name] : undefined;
  if (!record && source !== 'default') {
    const names = Object.keys(cfg.profiles);
    throw new ConfigError(
      ErrorCode.PROFILE_NOT_FOUND,
      `Profile "${name}" (from ${source === 'flag' ? '--profile' : source === 'env' ? 'MMS_PROFILE' : 'the config'}) does not exist`,
      {
        suggestion: names.length
          ? `${didYouMean(name, names)}Use one of: ${names.join(', ')} (or run \`mms login --profile ${name}\`)`
          : `Run \`mms login --profile ${name}\` to create it`,
      },
    );
  }
  return record ? { name, source, record } : { name, source };
}

/** Picks the provider: --provider > the profile's > twilio. */
export function selectProvider(flagProvider: string | undefined, profile: ProfileSelection): Sourced<ProviderName> {
  if (flagProvider) {
    if (!isProviderName(flagProvider)) {
      throw new ConfigError(ErrorCode.PROVIDER_UNKNOWN, `Unknown provider ${JSON.stringify(flagProvider.slice(0, 80))} (--provider)`, {
        suggestion: `${didYouMean(flagProvider, PROVIDER_NAMES)}Run \`mms providers\` to list them`,
      });
    }
    return { value: flagProvider, source: 'flag', origin: '--provider' };
  }
  if (profile.record) return { value: profile.record.provider, source: 'file' };
  return { value: 'twilio', source: 'default' };
}

export interface ResolvedAccount {
  profile: ProfileSelection;
  provider: Sourced<ProviderName>;
  credentials: Credentials;
  sources: Record<string, Sourced>;
  from?: Sourced;
  baseUrl: Sourced;
}

export interface ResolveFlags {
  from?: string;
  baseUrl?: string;
  /** Credential values given on the command line or stdin for this run. */
  credentials?: Record<string, string>;
}

/** Resolves everything an adapter call needs; does not check completeness (see requireCredentials). */
export function resolveAccount(
  adapter: ProviderAdapter,
  profile: ProfileSelection,
  provider: Sourced<ProviderName>,
  credsFile: CredentialsFile,
  flags: ResolveFlags,
  env: NodeJS.ProcessEnv,
): ResolvedAccount {
  // Stored values only apply when the profile is for this provider.
  const stored = profile.record?.provider === adapter.name ? profile.record : undefined;
  const storedSecrets = stored ? (credsFile.profiles[profile.name] ?? {}) : {};
  const credentials: Credentials = {};
  const sources: Record<string, Sourced> = {};
  for (const field of adapter.credentialFields) {
    const fromFlag = flags.credentials?.[field.key];
    const envName = field.env.find((e) => env[e]);
    const fromFile = field.secret ? storedSecrets[field.key] : stored?.fields[field.key];
    let s: Sourced | undefined;
    if (fromFlag) s = { value: fromFlag, source: 'flag', origin: `--${field.flag}${field.secret ? '-stdin' : ''}` };
    else if (envName) s = { value: env[envName]!, source: 'env', origin: envName };
    else if (fromFile) s = { value: fromFile, source: 'file' };
    if (s) {
      credentials[field.key] = s.value;
      sources[field.key] = s;
    }
  }
  // Known from here on to every writer that masks secrets (the journal), whatever it was handed.
  rememberSecrets(secretValues(adapter, credentials));
  const envBase = env[`MMS_${adapter.name.toUpperCase()}_BASE_URL`];
  let baseUrl: Sourced;
  if (flags.baseUrl) baseUrl = { value: flags.baseUrl, source: 'flag', origin: '--base-url' };
  else if (envBase) baseUrl = { value: envBase, source: 'env', origin: `MMS_${adapter.name.toUpperCase()}_BASE_URL` };
  else if (stored?.baseUrl) baseUrl = { value: stored.baseUrl, source: 'file' };
  else baseUrl = { value: adapter.defaultBaseUrl, source: 'default' };
  baseUrl.value = baseUrl.value.replace(/\/+$/, '');
  let from: Sourced | undefined;
  if (flags.from) from = { value: flags.from, source: 'flag', origin: '--from' };
  else if (env.MMS_FROM) from = { value: env.MMS_FROM, source: 'env', origin: 'MMS_FROM' };
  else if (stored?.from) from = { value: stored.from, source: 'file' };
  return { profile, provider, credentials, sources, baseUrl, ...(from ? { from } : {}) };
}

/**
 * The AuthError (exit 4) for missing or incomplete credentials, naming what is missing and how to
 * supply it (from the provider's descriptor), or undefined when the credentials can be used.
 */
export function credentialsProblem(adapter: ProviderAdapter, account: ResolvedAccount): AuthError | undefined {
  const problems = adapter.checkCredentials(account.credentials);
  if (problems.length === 0) return undefined;
  const nothing = Object.keys(account.credentials).length === 0;
  return new AuthError(
    ErrorCode.AUTH_MISSING,
    nothing
      ? `No ${adapter.displayName} credentials found (profile "${account.profile.name}")`
      : `${adapter.displayName} credentials are incomplete (profile "${account.profile.name}"): ${problems.join('; ')}`,
    { suggestion: missingCredentialsHint(adapter.descriptor, account.profile.name) },
  );
}

/** Throws the AuthError (exit 4) of `credentialsProblem` when the credentials cannot be used. */
export function requireCredentials(adapter: ProviderAdapter, account: ResolvedAccount): void {
  const problem = credentialsProblem(adapter, account);
  if (problem) throw problem;
}

/** All secret values in play, so they can be scrubbed from any output. */
export function secretValues(adapter: ProviderAdapter, creds: Credentials): string[] {
  return adapter.credentialFields
    .filter((f) => f.secret)
    .map((f) => creds[f.key])
    .filter((v): v is string => Boolean(v));
}
