// Vonage Messages API v1, channel "mms": request bodies and auth headers (pure).
// https://developer.vonage.com/en/api/messages  (POST /v1/messages)
// https://developer.vonage.com/en/messages/concepts/mms  (message types, public-URL media)
// https://developer.vonage.com/en/getting-started/concepts/authentication  (Basic or JWT)
// Wire facts: /work/shared/reference/providers-vonage-bandwidth-sinch-aws.md §1.1–1.2.
import { createSign, randomUUID } from 'node:crypto';
import type { MessageRequest } from '../../core/types.js';

/** The typed MMS message kinds that carry exactly one attachment. */
export type VonageMediaKind = 'image' | 'audio' | 'video' | 'vcard' | 'file';

/**
 * Vonage wants E.164 digits without the leading `+` (or `00`): "447700900000". The Java SDK strips
 * the `+` itself; we do the same for numbers and leave alphanumeric senders alone.
 */
export function toVonageNumber(value: string): string {
  const v = value.trim();
  if (/^\+\d+$/.test(v)) return v.slice(1);
  if (/^00\d+$/.test(v)) return v.slice(2);
  return v;
}

const EXTENSION_KINDS: Record<string, VonageMediaKind> = {
  jpg: 'image',
  jpeg: 'image',
  png: 'image',
  gif: 'image',
  bmp: 'image',
  webp: 'image',
  heic: 'image',
  mp3: 'audio',
  m4a: 'audio',
  aac: 'audio',
  amr: 'audio',
  ogg: 'audio',
  wav: 'audio',
  mp4: 'video',
  m4v: 'video',
  mov: 'video',
  '3gp': 'video',
  webm: 'video',
  mpeg: 'video',
  mpg: 'video',
  vcf: 'vcard',
  vcard: 'vcard',
};

/**
 * Picks the Vonage message type for a media URL. MessageRequest carries only URLs, so the type
 * comes from the path's extension; anything unknown goes out as a generic `file`.
 */
export function vonageMediaKind(url: string): VonageMediaKind {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not an absolute URL: use the raw string; the provider will reject it with a clear error.
  }
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return (ext && EXTENSION_KINDS[ext]) || 'file';
}

/** JSON body of POST /v1/messages. */
export interface VonageMmsPayload {
  channel: 'mms';
  message_type: 'text' | VonageMediaKind | 'content';
  to: string;
  from: string;
  text?: string;
  image?: { url: string; caption?: string };
  audio?: { url: string; caption?: string };
  video?: { url: string; caption?: string };
  file?: { url: string; caption?: string };
  vcard?: { url: string };
  content?: Array<{ type: VonageMediaKind; url: string; caption?: string }>;
  webhook_url?: string;
  webhook_version?: 'v1';
}

/**
 * Builds the MMS body: no media → `text`; one media → the typed message with the body as its
 * caption (vCards take no caption, so their text is dropped); several → `content` with the body
 * as the first item's caption (Java SDK and the node docstring name the field `caption`).
 */
export function buildVonagePayload(req: MessageRequest): VonageMmsPayload {
  const base = { channel: 'mms' as const, to: toVonageNumber(req.to), from: toVonageNumber(req.from) };
  const text = req.body !== undefined && req.body !== '' ? req.body : undefined;
  const callback = req.statusCallbackUrl ? { webhook_url: req.statusCallbackUrl, webhook_version: 'v1' as const } : {};
  const urls = req.mediaUrls;
  if (urls.length === 0) {
    return { ...base, message_type: 'text', text: text ?? '', ...callback };
  }
  if (urls.length === 1) {
    const url = urls[0]!;
    const kind = vonageMediaKind(url);
    const payload: VonageMmsPayload = { ...base, message_type: kind, ...callback };
    if (kind === 'vcard') payload.vcard = { url };
    else payload[kind] = text !== undefined ? { url, caption: text } : { url };
    return payload;
  }
  const content = urls.map((url, i) => {
    const type = vonageMediaKind(url);
    return i === 0 && text !== undefined && type !== 'vcard' ? { type, url, caption: text } : { type, url };
  });
  return { ...base, message_type: 'content', content, ...callback };
}

/** `Authorization: Basic base64(api_key:api_secret)`. */
export function vonageBasicAuth(apiKey: string, apiSecret: string): string {
  return `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString('base64')}`;
}

/** Options of an application JWT (claims as in vonage-node-sdk packages/jwt tokenGenerate.ts). */
export interface VonageAppJwtOptions {
  applicationId: string;
  /** PEM private key of the Vonage application. */
  privateKey: string;
  /** Issue time, unix seconds. */
  nowSec: number;
  /** Lifetime in seconds (the SDK default is 900). */
  ttlSec?: number;
  jti?: string;
}

/** Signs an RS256 application JWT: {application_id, iat, jti, exp}. */
export function createVonageAppJwt(opts: VonageAppJwtOptions): string {
  const header = { alg: 'RS256', typ: 'JWT' };
  const claims = {
    application_id: opts.applicationId,
    iat: opts.nowSec,
    jti: opts.jti ?? randomUUID(),
    exp: opts.nowSec + (opts.ttlSec ?? 900),
  };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(opts.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

/** True when the credentials carry what an application JWT needs. */
export function hasVonageAppKey(creds: Record<string, string>): boolean {
  return Boolean(creds.applicationId && creds.privateKey);
}

/**
 * The Authorization header for /v1/messages. The Messages API takes either auth, never both. Like
 * the node SDK we sign a JWT when an application id + private key are configured, and otherwise
 * use Basic with the account API key/secret (always present: the Applications API needs it).
 */
export function vonageAuthHeader(creds: Record<string, string>, privateKeyPem: string | undefined, nowSec: number): string {
  if (creds.applicationId && privateKeyPem) {
    return `Bearer ${createVonageAppJwt({ applicationId: creds.applicationId, privateKey: privateKeyPem, nowSec })}`;
  }
  return vonageBasicAuth(creds.apiKey ?? '', creds.apiSecret ?? '');
}
