// `mms config get|set` (pure apart from loading the profile's adapter): every value is checked when it
// is set, so a bad setting fails once, naming the key, and not on every later send.
import { ConfigError, ErrorCode, UsageError } from '../errors/errors.js';
import { getAdapter, isProviderName } from '../providers/registry.js';
import { normalisePhone, toCountryCode } from '../recipients/e164.js';
import { checkHttpUrl } from '../core/urls.js';
import {
  CONFIG_KEYS,
  FIT_VALUES,
  PROFILE_NAME,
  PROFILE_NAME_HINT,
  isConfigKey,
  isFitSetting,
  resolveFit,
  type ConfigFile,
  type ConfigKey,
  type ProfileRecord,
} from './schema.js';
import { didYouMean } from '../errors/did-you-mean.js';

/** Returns `key` when `mms config` knows it, else the CONFIG_KEY_UNKNOWN error with a did-you-mean. */
export function checkConfigKey(key: string): ConfigKey {
  if (isConfigKey(key)) return key;
  const keys = Object.keys(CONFIG_KEYS);
  throw new ConfigError(ErrorCode.CONFIG_KEY_UNKNOWN, `Unknown config key ${JSON.stringify(key.slice(0, 80))}`, {
    suggestion: `${didYouMean(key, keys)}Keys: ${keys.join(', ')}`,
  });
}

/** The value of a setting for the given profile (`fit` reads as its default when unset). */
export function getSetting(cfg: ConfigFile, key: ConfigKey, profile: string): string | undefined {
  const record = Object.hasOwn(cfg.profiles, profile) ? cfg.profiles[profile] : undefined;
  switch (key) {
    case 'default-profile':
      return cfg.defaultProfile;
    case 'default-country':
      return cfg.settings.defaultCountry;
    case 'from':
      return record?.from;
    case 'base-url':
      return record?.baseUrl;
    case 'fit':
      return resolveFit(cfg);
  }
}

/** The one-line error for a value a key does not take: key, value and the form it should have. */
function invalid(key: ConfigKey, value: string, expected: string, suggestion?: string): UsageError {
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return new UsageError(`Invalid ${key} ${shown}: expected ${expected}`, { code: ErrorCode.INVALID_ARGUMENT, ...(suggestion ? { suggestion } : {}) });
}

function requireProfile(cfg: ConfigFile, key: ConfigKey, profile: string): ProfileRecord {
  const record = Object.hasOwn(cfg.profiles, profile) ? cfg.profiles[profile] : undefined;
  if (!record)
    throw new ConfigError(ErrorCode.PROFILE_NOT_FOUND, `Profile "${profile}" does not exist, so "${key}" cannot be set on it`, {
      suggestion: 'Run `mms login` first',
    });
  return record;
}

async function checkSender(record: ProfileRecord, v: string): Promise<void> {
  const form = 'an E.164 number such as +15551234567, a short code, or an alphanumeric sender id';
  if (v.startsWith('+') && !normalisePhone(v).ok) throw invalid('from', v, form);
  if (!/^(\+[1-9]\d{1,14}|\d{3,8}|[A-Za-z0-9 ]{1,11}|MG[0-9a-fA-F]{32})$/.test(v)) throw invalid('from', v, form);
  if (!isProviderName(record.provider)) return;
  const adapter = await getAdapter(record.provider);
  const problem = adapter.checkSender?.(v);
  if (problem) throw invalid('from', v, `a ${adapter.displayName} sender (${problem.replace(/^must be /, '')})`);
}

/**
 * Checks `value` for `key` and stores it in `cfg` ("" clears the setting). Throws a one-line error
 * naming the key, the value and the form it should have, with a did-you-mean where one fits.
 */
export async function applySetting(cfg: ConfigFile, key: ConfigKey, value: string, profile: string): Promise<void> {
  const v = value.trim();
  switch (key) {
    case 'default-profile': {
      if (!v) delete cfg.defaultProfile;
      else if (!PROFILE_NAME.test(v)) throw invalid(key, v, 'a profile name', PROFILE_NAME_HINT);
      else if (!Object.hasOwn(cfg.profiles, v)) {
        const names = Object.keys(cfg.profiles);
        throw new ConfigError(ErrorCode.PROFILE_NOT_FOUND, `Profile "${v}" does not exist`, {
          suggestion: `${didYouMean(v, names)}${names.length ? `Profiles: ${names.join(', ')}` : 'Run `mms login` to create one'}`,
        });
      } else cfg.defaultProfile = v;
      return;
    }
    case 'default-country': {
      const code = toCountryCode(v);
      if (v && !code) throw invalid(key, v, 'a two-letter ISO 3166 country code such as US, GB or DE');
      if (code) cfg.settings.defaultCountry = code;
      else delete cfg.settings.defaultCountry;
      return;
    }
    case 'from': {
      const record = requireProfile(cfg, key, profile);
      if (v) await checkSender(record, v);
      if (v) record.from = v;
      else delete record.from;
      return;
    }
    case 'base-url': {
      const record = requireProfile(cfg, key, profile);
      const checked = v ? checkHttpUrl(v) : undefined;
      if (checked?.problem !== undefined) throw invalid(key, v, `an http(s) URL such as https://api.example.com (${checked.problem})`);
      if (v) record.baseUrl = v.replace(/\/+$/, '');
      else delete record.baseUrl;
      return;
    }
    case 'fit': {
      const lower = v.toLowerCase();
      if (v && !isFitSetting(lower)) throw invalid(key, v, FIT_VALUES.join(' or '), `${didYouMean(v, FIT_VALUES)}`.trim() || undefined);
      if (isFitSetting(lower)) cfg.settings.fit = lower;
      else delete cfg.settings.fit;
      return;
    }
  }
}
