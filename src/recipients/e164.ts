// Phone number normalisation (pure). libphonenumber-js "min" metadata validates number length and
// prefix per country, which is what we need before sending. We load its CommonJS "core" build with
// the metadata JSON through require(): it skips the ESM index (AsYouType and friends) and loads in
// about half the time. Numbers already written in E.164 are checked against the same metadata
// directly, and the library itself is only loaded when a number needs real parsing — a cron job
// with a clean list never pays its ~40 ms start-up (test/unit/recipients/e164-fast.test.ts keeps
// the two in agreement).
import { createRequire } from 'node:module';
import type { CountryCode, MetadataJson, PhoneNumber } from 'libphonenumber-js/core';

interface Core {
  parsePhoneNumberFromString(text: string, defaultCountry: CountryCode | undefined, metadata: MetadataJson): PhoneNumber | undefined;
  isSupportedCountry(country: string, metadata: MetadataJson): boolean;
}

/** The parts of the "min" metadata the fast path reads. */
interface MinMetadata {
  country_calling_codes: Record<string, string[]>;
  /** [calling code, international prefix, national number pattern, possible lengths, …]. */
  countries: Record<string, [string, string, string, number[], ...unknown[]]>;
}

const load = createRequire(import.meta.url);
const metadata = load('libphonenumber-js/metadata.min.json') as MetadataJson;
let core: Core | undefined;
const lib = (): Core => (core ??= load('libphonenumber-js/core') as Core);

function isSupportedCountry(country: string): boolean {
  return Object.hasOwn((metadata as unknown as MinMetadata).countries, country);
}

function parsePhoneNumberFromString(text: string, country: CountryCode | undefined): PhoneNumber | undefined {
  return lib().parsePhoneNumberFromString(text, country, metadata);
}

const STRICT_E164 = /^\+([1-9]\d{6,14})$/;
const lengthsByCode = new Map<string, ReadonlySet<number> | undefined>();

/**
 * National number lengths that every country sharing a calling code accepts (+1 is shared by the
 * US, Canada and the Caribbean), or undefined for an unknown code. A length in this set is
 * possible whichever of those countries the library would pick from the leading digits.
 */
function possibleLengths(code: string): ReadonlySet<number> | undefined {
  if (lengthsByCode.has(code)) return lengthsByCode.get(code);
  const m = metadata as unknown as MinMetadata;
  const countries = m.country_calling_codes[code];
  let result: ReadonlySet<number> | undefined;
  if (countries && countries.length > 0) {
    const sets = countries.map((c) => new Set(Array.isArray(m.countries[c]?.[3]) ? m.countries[c]![3] : []));
    result = new Set([...sets[0]!].filter((len) => sets.every((set) => set.has(len))));
  }
  lengthsByCode.set(code, result);
  return result;
}

/**
 * Fast check of a number already in E.164: true when the national number has a length every
 * country of its calling code accepts; undefined when the library must decide.
 */
export function isPossibleE164Fast(input: string): boolean | undefined {
  const digits = STRICT_E164.exec(input)?.[1];
  if (!digits) return undefined;
  for (let len = 1; len <= 3; len++) {
    const lengths = possibleLengths(digits.slice(0, len));
    if (lengths === undefined) continue;
    return lengths.has(digits.length - len) ? true : undefined;
  }
  return undefined;
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
  if (isPossibleE164Fast(raw) === true) return { ok: true, e164: raw };
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
      reason:
        isInternational || isDoubleZero || country ? 'not a valid phone number' : 'no country code: write it as +<country><number> or set --default-country',
    };
  }
  // isPossible() checks length for the country, not assigned ranges: test and fictional numbers
  // (Twilio's +1500555xxxx magic numbers, +1555…) must pass; the provider judges the rest.
  if (!parsed.isPossible()) return { ok: false, reason: `not a possible ${parsed.country ?? '+' + parsed.countryCallingCode} number (wrong length)` };
  return { ok: true, e164: parsed.number };
}
