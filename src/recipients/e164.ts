// Phone number normalisation (pure). libphonenumber-js "min" metadata keeps start-up fast; it
// validates number length/prefix per country, which is what we need before sending.
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';

export type NormaliseResult = { ok: true; e164: string } | { ok: false; reason: string };

/** True for a two-letter ISO country code libphonenumber knows (e.g. "US", "GB"). */
export function isCountryCode(value: string): value is CountryCode {
  return isSupportedCountry(value.toUpperCase());
}

/**
 * Normalises one phone number to E.164. Accepts "+15551234567", "(555) 123-4567" with a default
 * country, "001…"/"+…" international forms. Short codes and sender ids are not accepted here.
 */
export function normalisePhone(input: string, defaultCountry?: string): NormaliseResult {
  const raw = input.trim();
  if (raw === '') return { ok: false, reason: 'empty' };
  if (/[^\d\s+().\-/]/.test(raw.replace(/^tel:/i, ''))) return { ok: false, reason: 'contains characters that are not part of a phone number' };
  const digits = raw.replace(/\D/g, '');
  if (digits.length < 5) return { ok: false, reason: 'too short to be a phone number' };
  if (digits.length > 15) return { ok: false, reason: 'too long to be a phone number (E.164 allows 15 digits)' };
  const country = defaultCountry?.toUpperCase() as CountryCode | undefined;
  const parsed = parsePhoneNumberFromString(raw.replace(/^tel:/i, ''), raw.startsWith('+') ? undefined : country);
  if (!parsed) {
    return {
      ok: false,
      reason: raw.startsWith('+') || country ? 'not a valid phone number' : 'no country code: write it as +<country><number> or set --default-country',
    };
  }
  // isPossible() checks length for the country, not assigned ranges: test and fictional numbers
  // (Twilio's +1500555xxxx magic numbers, +1555…) must pass; the provider judges the rest.
  if (!parsed.isPossible()) return { ok: false, reason: `not a possible ${parsed.country ?? '+' + parsed.countryCallingCode} number (wrong length)` };
  return { ok: true, e164: parsed.number };
}
