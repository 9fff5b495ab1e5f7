// Credential checks shared by the dialects. The sandbox is an independent emulator, so it has its
// own constant-time compare rather than borrowing the adapters' (a shared bug would hide itself).
import { timingSafeEqual } from 'node:crypto';
import type { SandboxRequest } from './types.js';

/** Constant-time string comparison (false for different lengths without comparing contents). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The user and password of an `Authorization: Basic` header, split at the first colon.
 * `spaced` also takes a token with inner spaces (the Twilio and Plivo dialects always have).
 */
export function basicCredentials(req: SandboxRequest, spaced = false): { user: string; pass: string } | undefined {
  const m = (spaced ? /^Basic\s+(\S.*)$/i : /^Basic\s+(\S+)$/i).exec(String(req.headers.authorization ?? ''));
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
}

/** The token of an `Authorization: Bearer` header. */
export function bearerToken(req: SandboxRequest): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
}
