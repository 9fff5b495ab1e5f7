// Vonage Messages webhooks: signed-JWT verification and parsing (pure).
// https://developer.vonage.com/en/getting-started/concepts/webhooks#signed-webhooks
// https://developer.vonage.com/en/messages/concepts/signed-webhooks
// https://developer.vonage.com/en/messages/concepts/messages-status-callbacks
// Every inbound and status webhook carries `Authorization: Bearer <JWT>`, HS256-signed with the
// account signature secret; its `payload_hash` claim is the hex SHA-256 of the body. Verified here
// with node:crypto only (reference §1.5–1.7).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundMedia, WebhookEvent } from '../../core/types.js';
import type { WebhookRequest } from '../types.js';
import { mapVonageStatus, vonageErrorCodeFromType } from './response.js';

/** Claims of a Vonage webhook JWT. */
export interface VonageWebhookClaims {
  iat?: number;
  exp?: number;
  jti?: string;
  iss?: string;
  payload_hash?: string;
  api_key?: string;
  application_id?: string;
  [claim: string]: unknown;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function decodeSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return undefined;
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Checks an HS256 JWT's signature against the secret and returns its claims, or undefined.
 * Only `alg: HS256` is accepted (so `none` or RS256-confusion tokens fail).
 */
export function verifyVonageJwt(token: string, secret: string): VonageWebhookClaims | undefined {
  if (!secret) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  const header = decodeSegment(h) as { alg?: unknown } | undefined;
  if (!header || header.alg !== 'HS256') return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(s)) return undefined;
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  if (!safeEqual(expected, Buffer.from(s, 'base64url'))) return undefined;
  const claims = decodeSegment(p);
  return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as VonageWebhookClaims) : undefined;
}

/**
 * True when `payload_hash` matches the body. Vonage hashes compact JSON; raw bytes are tried
 * first, then the re-serialised JSON (what Vonage's own snippet hashes) in case a proxy reformatted it.
 */
export function vonagePayloadHashMatches(rawBody: Buffer, payloadHash: string): boolean {
  const want = Buffer.from(payloadHash.toLowerCase(), 'utf8');
  const raw = createHash('sha256').update(rawBody).digest('hex');
  if (safeEqual(Buffer.from(raw), want)) return true;
  try {
    const compact = JSON.stringify(JSON.parse(rawBody.toString('utf8')));
    return safeEqual(Buffer.from(createHash('sha256').update(compact).digest('hex')), want);
  } catch {
    return false;
  }
}

export interface VonageVerifyOptions {
  /** Current time, unix ms (tests pass a fixed clock). */
  nowMs?: number;
  /** Accepted distance between `iat` and now, seconds (default 300). */
  toleranceSec?: number;
}

function header(req: WebhookRequest, name: string): string {
  const v = req.headers[name] ?? req.headers[name.toLowerCase()];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/**
 * Full check of a webhook: signature (HS256, signature secret), `iss` = "Vonage", `iat` freshness,
 * `api_key`/`application_id` when we know ours, and `payload_hash` against the raw body.
 * Vonage may send an unsigned callback after an internal error; that fails here, and a 5xx/403
 * answer makes Vonage retry it.
 */
export function verifyVonageWebhook(
  req: WebhookRequest,
  creds: { signatureSecret?: string; apiKey?: string; applicationId?: string; otherApplicationIds?: string[] },
  opts: VonageVerifyOptions = {},
): boolean {
  const auth = header(req, 'authorization');
  const m = /^Bearer\s+(\S+)$/i.exec(auth.trim());
  if (!m) return false;
  const claims = verifyVonageJwt(m[1]!, creds.signatureSecret ?? '');
  if (!claims) return false;
  if (claims.iss !== 'Vonage') return false;
  const nowSec = (opts.nowMs ?? Date.now()) / 1000;
  const tolerance = opts.toleranceSec ?? 300;
  if (typeof claims.iat !== 'number' || Math.abs(nowSec - claims.iat) > tolerance) return false;
  if (typeof claims.exp === 'number' && nowSec > claims.exp + tolerance) return false;
  if (creds.apiKey && typeof claims.api_key === 'string' && claims.api_key !== creds.apiKey) return false;
  if (creds.applicationId && typeof claims.application_id === 'string') {
    // Ours, or one set up for this run (the temporary application of `mms listen --number`).
    const ours = [creds.applicationId, ...(creds.otherApplicationIds ?? [])];
    if (!ours.includes(claims.application_id)) return false;
  }
  if (typeof claims.payload_hash !== 'string') return false;
  if (!vonagePayloadHashMatches(req.rawBody, claims.payload_hash)) return false;
  // One JWT per delivery: its `jti` (or, without one, the signature bytes) identifies a replay.
  req.verification?.replayKeys.push(typeof claims.jti === 'string' && claims.jti !== '' ? `vonage:jti:${claims.jti}` : `vonage:jwt:${jwtSignature(m[1]!)}`);
  return true;
}

/** The JWT's signature bytes in canonical base64url (several spellings decode to the same bytes). */
function jwtSignature(token: string): string {
  return Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url').toString('base64url');
}

/** Vonage numbers arrive as digits without `+`; events use E.164 like the other providers. */
export function fromVonageNumber(value: unknown): string {
  if (typeof value !== 'string') return '';
  // Short codes (≤ 6 digits) stay as they are.
  return /^[1-9]\d{6,14}$/.test(value) ? `+${value}` : value;
}

interface VonageMediaObject {
  url?: unknown;
  caption?: unknown;
}

interface VonageWebhookBody {
  message_uuid?: unknown;
  to?: unknown;
  from?: unknown;
  timestamp?: unknown;
  channel?: unknown;
  message_type?: unknown;
  status?: unknown;
  text?: unknown;
  image?: VonageMediaObject;
  audio?: VonageMediaObject;
  video?: VonageMediaObject;
  file?: VonageMediaObject;
  vcard?: VonageMediaObject;
  content?: Array<VonageMediaObject & { type?: unknown }>;
  error?: { type?: unknown; title?: unknown; detail?: unknown };
}

const MEDIA_KEYS = ['image', 'audio', 'video', 'file', 'vcard'] as const;

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Parses an inbound-message or message-status webhook (JSON object) into one event. */
export function parseVonageWebhook(req: WebhookRequest, now = new Date()): WebhookEvent[] {
  let body: VonageWebhookBody;
  try {
    const parsed: unknown = JSON.parse(req.rawBody.toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
    body = parsed as VonageWebhookBody;
  } catch {
    return [];
  }
  const receivedAt = str(body.timestamp) || now.toISOString();
  const id = str(body.message_uuid);
  if (typeof body.status === 'string') {
    const ev: WebhookEvent = {
      type: 'status',
      provider: 'vonage',
      id,
      status: mapVonageStatus(body.status),
      providerStatus: body.status,
      receivedAt,
    };
    if (body.to !== undefined) ev.to = fromVonageNumber(body.to);
    if (body.from !== undefined) ev.from = fromVonageNumber(body.from);
    // The code is in error.type (`…#1120`); some callbacks put it in error.title (e.g. 1000).
    const errCode = body.error ? (vonageErrorCodeFromType(str(body.error.type)) ?? (body.error.title as string | number | undefined)) : undefined;
    if (errCode !== undefined && errCode !== '') ev.errorCode = typeof errCode === 'string' && /^\d+$/.test(errCode) ? Number(errCode) : errCode;
    return [ev];
  }
  const media: InboundMedia[] = [];
  const seen = new Set<string>();
  let caption = '';
  const add = (url: unknown): void => {
    if (typeof url === 'string' && url && !seen.has(url)) {
      seen.add(url);
      media.push({ url });
    }
  };
  for (const key of MEDIA_KEYS) {
    const obj = body[key];
    if (obj && typeof obj === 'object') {
      add(obj.url);
      if (!caption) caption = str(obj.caption);
    }
  }
  // `content` is only present when the message has more than one attachment.
  for (const item of Array.isArray(body.content) ? body.content : []) {
    add(item.url);
    if (!caption) caption = str(item.caption);
  }
  return [
    {
      type: 'message',
      provider: 'vonage',
      id,
      from: fromVonageNumber(body.from),
      to: fromVonageNumber(body.to),
      body: str(body.text) || caption,
      media,
      receivedAt,
    },
  ];
}
