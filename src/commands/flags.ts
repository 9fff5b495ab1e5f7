// Flag value parsers shared by the commands: whole numbers, seconds, ports, rates, fractions,
// latencies and tunnel choices. Each throws a UsageError (exit 2) naming the flag and the value.
import type { Option } from 'commander';
import { ErrorCode, UsageError } from '../errors/errors.js';

function invalid(message: string): UsageError {
  return new UsageError(message, { code: ErrorCode.INVALID_ARGUMENT });
}

/** A whole number from 1 to `max` (e.g. --concurrency). */
export function parsePositiveInt(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalid(`${flag} "${value}" must be a whole number from 1 to ${max}`);
  return n;
}

/** A number of seconds greater than zero, at most a day (e.g. --media-timeout, --wait). */
export function parseSeconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400) throw invalid(`${flag} "${value}" must be a number of seconds (up to 86400)`);
  return n;
}

/** --count: a positive whole number of messages, or undefined when not given. */
export function parseCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw invalid(`--count "${value}" must be a whole number of messages, 1 or more`);
  return n;
}

/** --timeout: seconds (fractions allowed) greater than zero, at most 31 days, or undefined. */
export function parseTimeoutSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 31 * 24 * 3600) throw invalid(`--timeout "${value}" must be a number of seconds greater than 0`);
  return n;
}

/** --port for listeners: 0 (the default) asks the OS for a free port. */
export function parsePort(value: string | undefined, flag = '--port'): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw invalid(`${flag} "${value}" must be a number from 0 to 65535`);
  return n;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hr: 3600, hour: 3600 };

/**
 * Parses `--rate`: "200/s", "10/m", "3600/h" or a bare number meaning per second; "0" or
 * "unlimited" means no limit (Infinity). Returns messages per second.
 */
export function parseRate(value: string, flag = '--rate'): number {
  const text = value.trim().toLowerCase();
  if (text === 'unlimited' || text === 'none') return Infinity;
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:\/\s*([a-z]+))?$/.exec(text);
  const unit = m?.[2] ?? 's';
  const seconds = UNIT_SECONDS[unit];
  if (!m || seconds === undefined) throw invalid(`${flag} must look like 200/s, 10/m or 3600/h, not "${value}"`);
  const n = Number(m[1]);
  return n === 0 ? Infinity : n / seconds;
}

/** A fault rate such as "5%" or "0.05", as a fraction. */
export function parseFraction(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const n = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(n >= 0 && n <= 1)) throw invalid(`${flag} "${value}" must be a fraction (0.05) or a percentage (5%) between 0 and 100%`);
  return n;
}

/** "200/s", "12000/m" or "200", as requests per second (greater than zero). */
export function parsePerSecond(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min))?$/.exec(value.trim());
  if (!m) throw invalid(`${flag} "${value}" must look like 200/s or 600/m`);
  const n = Number(m[1]) / (m[2]?.startsWith('m') ? 60 : 1);
  if (!(n > 0)) throw invalid(`${flag} "${value}" must be greater than zero`);
  return n;
}

/** "50" or "20-200", as a latency range in milliseconds. */
export function parseLatency(value: string, flag: string): [number, number] {
  const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(value.trim());
  if (!m) throw invalid(`${flag} "${value}" must be milliseconds, e.g. 50 or 20-200`);
  const a = Number(m[1]);
  const b = m[2] !== undefined ? Number(m[2]) : a;
  if (b < a) throw invalid(`${flag} "${value}": the maximum is below the minimum`);
  return [a, b];
}

/** The tunnel backends `--tunnel` accepts (`--tunnel` alone means auto). */
export const TUNNEL_FLAG_CHOICES = ['auto', 'ngrok', 'cloudflared', 'localtunnel', 'public-url'] as const;
export type TunnelFlagChoice = (typeof TUNNEL_FLAG_CHOICES)[number];

/** The tunnel a `--tunnel [backend]` value asks for, or undefined when the flag was not given. */
export function tunnelChoice(value: string | boolean | undefined): TunnelFlagChoice | undefined {
  if (value === undefined || value === false) return undefined;
  return (value === true ? 'auto' : value) as TunnelFlagChoice;
}

/** A default as people read it: 4, 127.0.0.1, "two words"; nothing for false, '' and empty lists. */
export function formatDefault(value: unknown): string | undefined {
  if (value === undefined || value === null || value === false || value === '' || (Array.isArray(value) && value.length === 0)) return undefined;
  if (Array.isArray(value)) return value.map((v) => formatDefault(v) ?? '""').join(', ');
  // Quotes only where the value would be misread without them (spaces, empty-looking text).
  if (typeof value === 'string') return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
  return String(value);
}

/**
 * An option's help text (replaces commander's, which prints `(default: [])` and `(default: "4")`):
 * the description, then the choices, the default when there is a meaningful one, and the env var.
 */
export function describeOption(option: Option): string {
  const extra: string[] = [];
  if (option.argChoices) extra.push(`choices: ${option.argChoices.join(', ')}`);
  // A boolean flag is off unless given: its default says nothing.
  const def = option.isBoolean() ? undefined : (option.defaultValueDescription ?? formatDefault(option.defaultValue));
  if (def !== undefined) extra.push(`default: ${def}`);
  if (option.envVar !== undefined) extra.push(`env: ${option.envVar}`);
  if (extra.length === 0) return option.description;
  return option.description ? `${option.description} (${extra.join('; ')})` : `(${extra.join('; ')})`;
}
