// Config data model (pure): what config.json and credentials.json hold, and the user-facing keys.
import type { ProviderName } from '../providers/types.js';

/** A named profile's non-secret part (config.json). */
export interface ProfileRecord {
  provider: ProviderName;
  /** Default sender. */
  from?: string;
  /** API base URL override (regional edge, proxy, or the local sandbox). */
  baseUrl?: string;
  /** Non-secret credential fields (Account SID, API key SID, …). */
  fields: Record<string, string>;
}

/** Values of the `fit` setting: `auto` shrinks media to the provider's limits before sending. */
export const FIT_VALUES = ['auto', 'off'] as const;
export type FitSetting = (typeof FIT_VALUES)[number];
/** `fit` when the config does not set it. */
export const DEFAULT_FIT: FitSetting = 'off';

export interface Settings {
  defaultCountry?: string;
  /** `mms config set fit auto|off` (absent: DEFAULT_FIT). */
  fit?: FitSetting;
}

export interface ConfigFile {
  defaultProfile?: string;
  settings: Settings;
  profiles: Record<string, ProfileRecord>;
}

export interface CredentialsFile {
  profiles: Record<string, Record<string, string>>;
}

export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

/** What a valid profile name looks like, for error messages. */
export const PROFILE_NAME_HINT = 'Use letters, digits, "-" and "_" (up to 40 characters, starting with a letter or digit)';

/**
 * An empty map keyed by names from outside (profile names, field keys): no prototype, so that
 * `constructor`, `toString` or `__proto__` are ordinary keys, absent until set.
 */
export function emptyMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Keys `mms config get|set` understand. */
export const CONFIG_KEYS = {
  'default-profile': 'Profile used when --profile and MMS_PROFILE are not given',
  'default-country': 'Country (ISO 3166 alpha-2, e.g. US) for numbers written without +country',
  from: "The active profile's default sender",
  'base-url': "The active profile's API base URL (empty to use the provider's)",
  fit: "Fit media to the provider's limits before sending: auto or off (default off)",
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** True when `key` is a key `mms config` understands. */
export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_KEYS, key);
}

/** True for a value the `fit` setting takes. */
export function isFitSetting(value: unknown): value is FitSetting {
  return typeof value === 'string' && (FIT_VALUES as readonly string[]).includes(value);
}

/** The `fit` setting in effect: the stored value, else DEFAULT_FIT ('off'). */
export function resolveFit(cfg: ConfigFile): FitSetting {
  return cfg.settings.fit ?? DEFAULT_FIT;
}

/** An empty config. */
export function emptyConfig(): ConfigFile {
  return { settings: {}, profiles: emptyMap() };
}

/** Coerces parsed JSON into a ConfigFile, dropping what does not fit. */
export function normaliseConfig(raw: unknown): ConfigFile {
  const out = emptyConfig();
  if (!raw || typeof raw !== 'object') return out;
  const r = raw as Record<string, unknown>;
  if (typeof r.defaultProfile === 'string') out.defaultProfile = r.defaultProfile;
  if (r.settings && typeof r.settings === 'object') {
    const s = r.settings as Record<string, unknown>;
    if (typeof s.defaultCountry === 'string') out.settings.defaultCountry = s.defaultCountry;
    if (isFitSetting(s.fit)) out.settings.fit = s.fit;
  }
  if (r.profiles && typeof r.profiles === 'object') {
    for (const [name, p] of Object.entries(r.profiles as Record<string, unknown>)) {
      if (!p || typeof p !== 'object') continue;
      const pr = p as Record<string, unknown>;
      if (typeof pr.provider !== 'string') continue;
      const rec: ProfileRecord = { provider: pr.provider as ProviderName, fields: emptyMap() };
      if (typeof pr.from === 'string') rec.from = pr.from;
      if (typeof pr.baseUrl === 'string') rec.baseUrl = pr.baseUrl;
      if (pr.fields && typeof pr.fields === 'object') {
        for (const [k, v] of Object.entries(pr.fields as Record<string, unknown>)) if (typeof v === 'string') rec.fields[k] = v;
      }
      out.profiles[name] = rec;
    }
  }
  return out;
}

/** Coerces parsed JSON into a CredentialsFile. */
export function normaliseCredentials(raw: unknown): CredentialsFile {
  const out: CredentialsFile = { profiles: emptyMap() };
  const profiles = (raw as { profiles?: unknown } | undefined)?.profiles;
  if (!profiles || typeof profiles !== 'object') return out;
  for (const [name, p] of Object.entries(profiles as Record<string, unknown>)) {
    if (!p || typeof p !== 'object') continue;
    const rec = emptyMap<string>();
    for (const [k, v] of Object.entries(p as Record<string, unknown>)) if (typeof v === 'string') rec[k] = v;
    out.profiles[name] = rec;
  }
  return out;
}
