// Phone number normalisation (pure). libphonenumber-js "min" metadata validates number length and
// prefix per country, which is what we need before sending. We load its CommonJS "core" build with
// the metadata JSON through require(): it skips the ESM index (AsYouType and friends) and loads in
// about half the time, which matters for the start-up budget of `mms send --dry-run`.
import { createRequire } from 'node:module';
import type { CountryCode, MetadataJson, PhoneNumber } from 'libphonenumber-js/core';

interface Core {
  parsePhoneNumberFromString(text: string, defaultCountry: CountryCode | undefined, metadata: MetadataJson): PhoneNumber | undefined;
  isSupportedCountry(country: string, metadata: MetadataJson): boolean;
}

const load = createRequire(import.meta.url);
const core = load('libphonenumber-js/core') as Core;
const metadata = load('libphonenumber-js/metadata.min.json') as MetadataJson;

function isSupportedCountry(country: string): boolean {
  return core.isSupportedCountry(country, metadata);
}

function parsePhoneNumberFromString(text: string, country: CountryCode | undefined): PhoneNumber | undefined {
  return core.parsePhoneNumberFromString(text, country, metadata);
}

export type NormaliseResult = { ok: true; e164: string } | { ok: false; reason: string };

/** True for a two-letter ISO country code libphonenumber has metadata for (e.g. "US", "GB"). */
export function isCountryCode(value: string): value is CountryCode {
  return /^[A-Z]{2}$/.test(value) && isSupportedCountry(value);
}

/** Upper-cases a user-typed country ("us") and returns it when libphonenumber knows it. */
export function toCountryCode(value: string | undefined): CountryCode | undefined {
  const upper = value?.trim().toUpperCase();
  return upper !== undefined && isCountryCode(upper) ? upper : undefined;
}

/**
 * Normalises one phone number to E.164. Accepts "+15551234567", "(555) 123-4567" with a default
 * country, "00…"/"+…" international forms and `tel:` URIs. Short codes and sender ids are not
 * accepted here.
 */
export function normalisePhone(input: string, defaultCountry?: string): NormaliseResult {
  const raw = input.trim().replace(/^tel:/i, '').trim();
  if (raw === '') return { ok: false, reason: 'empty' };
  if (/[^\d\s+().\-/]/.test(raw)) return { ok: false, reason: 'contains characters that are not part of a phone number' };
  const digits = raw.replace(/\D/g, '');
  if (digits.length < 5) return { ok: false, reason: 'too short to be a phone number' };
  if (digits.length > 17) return { ok: false, reason: 'too long to be a phone number (E.164 allows 15 digits)' };
  let country: CountryCode | undefined;
  if (defaultCountry !== undefined && defaultCountry.trim() !== '') {
    country = toCountryCode(defaultCountry);
    if (!country) return { ok: false, reason: `unknown default country "${defaultCountry}" (use a two-letter code such as US or GB)` };
  }
  const isInternational = raw.startsWith('+');
  if (isInternational && digits.length > 15) return { ok: false, reason: 'too long to be a phone number (E.164 allows 15 digits)' };
  // "00" is the ITU-recommended international prefix; libphonenumber only honours it when the
  // default country uses it, but no national number starts with "00", so read it as "+".
  const isDoubleZero = !isInternational && /^00[1-9]/.test(digits);
  const text = isDoubleZero ? `+${digits.slice(2)}` : raw;
  const parsed = parsePhoneNumberFromString(text, isInternational || isDoubleZero ? undefined : country);
  if (!parsed) {
    return {
      ok: false,
      reason: isInternational || isDoubleZero || country ? 'not a valid phone number' : 'no country code: write it as +<country><number> or set --default-country',
    };
  }
  // isPossible() checks length for the country, not assigned ranges: test and fictional numbers
  // (Twilio's +1500555xxxx magic numbers, +1555…) must pass; the provider judges the rest.
  if (!parsed.isPossible()) return { ok: false, reason: `not a possible ${parsed.country ?? '+' + parsed.countryCallingCode} number (wrong length)` };
  return { ok: true, e164: parsed.number };
}
