// Shape checks for settings read back from the data directory (persist-settings.ts): a file edited by
// hand or written by another version must not put a non-string where a dialect expects a URL.
// Each check returns the value or throws SettingsShapeError naming the field.

/** A saved value that does not have the expected shape. */
export class SettingsShapeError extends Error {}

/** `v` as an object, or a SettingsShapeError naming `what`. */
export function objectAt(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SettingsShapeError(`${what} is not an object`);
  return v as Record<string, unknown>;
}

/** `v` as an array, or a SettingsShapeError naming `what`. */
export function listAt(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new SettingsShapeError(`${what} is not a list`);
  return v;
}

/** `o[key]` as a string. */
export function stringAt(o: Record<string, unknown>, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new SettingsShapeError(`${what}.${key} is not a string`);
  return v;
}

/** `o[key]` as a string, or undefined when absent. */
export function optionalStringAt(o: Record<string, unknown>, key: string, what: string): string | undefined {
  return o[key] === undefined ? undefined : stringAt(o, key, what);
}

/** `o[key]` as a string or null. */
export function nullableStringAt(o: Record<string, unknown>, key: string, what: string): string | null {
  return o[key] === null ? null : stringAt(o, key, what);
}

/** `o[key]` as a boolean. */
export function booleanAt(o: Record<string, unknown>, key: string, what: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new SettingsShapeError(`${what}.${key} is not true or false`);
  return v;
}

/** `o[key]` as a list of strings. */
export function stringsAt(o: Record<string, unknown>, key: string, what: string): string[] {
  const v = listAt(o[key], `${what}.${key}`);
  if (v.some((x) => typeof x !== 'string')) throw new SettingsShapeError(`${what}.${key} has a non-string entry`);
  return v as string[];
}

/** An http(s) URL or '' (what the dialects accept through their APIs), else a SettingsShapeError. */
export function urlAt(o: Record<string, unknown>, key: string, what: string): string {
  const v = stringAt(o, key, what);
  if (v !== '' && !/^https?:\/\/\S+$/i.test(v)) throw new SettingsShapeError(`${what}.${key} is not an http(s) URL`);
  return v;
}
