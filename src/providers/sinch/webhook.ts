// Sinch XMS callbacks: HMAC-SHA256 signature check and parsing (pure).
// https://developers.sinch.com/docs/sms/api-reference/sms/tag/Webhooks/  (MO, delivery reports, retries)
// Signature scheme (release note 2025-02-13; sinch-sdk-node authorization.helper.ts): base64 of
// HMAC-SHA256(secret, rawBody + "." + nonce + "." + timestamp), sent with the headers below.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundMedia, WebhookEvent } from '../../core/types.js';
import type { WebhookRequest } from '../types.js';
import { mapSinchStatus } from './response.js';

export const SIGNATURE_HEADER = 'x-sinch-webhook-signature';
export const ALGORITHM_HEADER = 'x-sinch-webhook-signature-algorithm';
export const NONCE_HEADER = 'x-sinch-webhook-signature-nonce';
export const TIMESTAMP_HEADER = 'x-sinch-webhook-signature-timestamp';

/** base64 HMAC-SHA256 over `<raw body>.<nonce>.<timestamp>`. */
export function computeSinchSignature(secret: string, rawBody: Buffer | string, nonce: string, timestamp: string): string {
  return createHmac('sha256', secret)
    .update(Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8'))
    .update(`.${nonce}.${timestamp}`, 'utf8')
    .digest('base64');
}

function header(req: WebhookRequest, name: string): string {
  let v = req.headers[name];
  if (v === undefined) {
    const key = Object.keys(req.headers).find((k) => k.toLowerCase() === name);
    v = key === undefined ? undefined : req.headers[key];
  }
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

export interface SinchVerifyOptions {
  /** Current time, unix ms (tests pass a fixed clock). */
  nowMs?: number;
  /** Accepted distance between the signature timestamp and now, seconds (default 300). */
  toleranceSec?: number;
}

/**
 * Verifies the signature headers of a callback. The SDK does not check the timestamp; we do, to
 * limit replays. Signing is optional on Sinch's side (set up per service plan): without a secret
 * or without the headers the request is refused.
 */
export function verifySinchWebhook(req: WebhookRequest, secret: string, opts: SinchVerifyOptions = {}): boolean {
  if (!secret) return false;
  const signature = header(req, SIGNATURE_HEADER);
  const nonce = header(req, NONCE_HEADER);
  const timestamp = header(req, TIMESTAMP_HEADER);
  const algorithm = header(req, ALGORITHM_HEADER);
  if (!signature || !nonce || !/^\d+$/.test(timestamp)) return false;
  if (algorithm && algorithm.toLowerCase() !== 'hmacsha256') return false;
  const nowSec = (opts.nowMs ?? Date.now()) / 1000;
  if (Math.abs(nowSec - Number(timestamp)) > (opts.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(computeSinchSignature(secret, req.rawBody, nonce, timestamp), 'utf8');
  const given = Buffer.from(signature.trim(), 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
  // Within the window a captured request would verify again: nonce, timestamp and signature identify it.
  req.verification?.replayKeys.push(`sinch:sig:${timestamp}:${nonce}:${signature.trim()}`);
  return true;
}

/** Sinch writes MSISDNs without `+`; events use E.164. Short codes stay as they are. */
export function fromSinchNumber(value: unknown): string {
  if (typeof value !== 'string') return '';
  return /^[1-9]\d{6,14}$/.test(value) ? `+${value}` : value;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

interface SinchCallback {
  type?: unknown;
  id?: unknown;
  from?: unknown;
  to?: unknown;
  received_at?: unknown;
  body?: unknown;
  batch_id?: unknown;
  recipient?: unknown;
  code?: unknown;
  status?: unknown;
  at?: unknown;
  statuses?: Array<{ code?: unknown; status?: unknown; recipients?: unknown }>;
}

const FAILED = new Set(['failed', 'undelivered', 'canceled']);

function statusEvent(id: string, statusWord: string, code: unknown, receivedAt: string, recipient?: string): WebhookEvent {
  const status = mapSinchStatus(statusWord);
  const ev: WebhookEvent = { type: 'status', provider: 'sinch', id, status, providerStatus: statusWord, receivedAt };
  if (recipient) ev.to = fromSinchNumber(recipient);
  if (FAILED.has(status) && typeof code === 'number') ev.errorCode = code;
  return ev;
}

/**
 * Parses one callback: `mo_media`/`mo_text` become inbound messages; per-recipient delivery
 * reports become one status event; batch summaries one event per recipient (or per bucket when
 * Sinch left recipients out). Status event ids are batch ids, as `send` returns them.
 */
export function parseSinchWebhook(req: WebhookRequest, now = new Date()): WebhookEvent[] {
  let cb: SinchCallback;
  try {
    const parsed: unknown = JSON.parse(req.rawBody.toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
    cb = parsed as SinchCallback;
  } catch {
    return [];
  }
  const type = str(cb.type);
  if (type === 'mo_media' || type === 'mo_text') {
    let text = '';
    const media: InboundMedia[] = [];
    if (typeof cb.body === 'string') text = cb.body;
    else if (cb.body && typeof cb.body === 'object') {
      const b = cb.body as { subject?: unknown; message?: unknown; media?: unknown };
      text = str(b.message) || str(b.subject);
      for (const m of Array.isArray(b.media) ? (b.media as Array<Record<string, unknown>>) : []) {
        // Items with status "Failed" (code 1–3) were not stored and have no usable URL.
        const url = str(m?.url);
        if (!url || str(m.status) === 'Failed') continue;
        const contentType = str(m.content_type);
        media.push(contentType ? { url, contentType } : { url });
      }
    }
    return [
      {
        type: 'message',
        provider: 'sinch',
        id: str(cb.id),
        from: fromSinchNumber(cb.from),
        to: fromSinchNumber(cb.to),
        body: text,
        media,
        receivedAt: str(cb.received_at) || now.toISOString(),
      },
    ];
  }
  if (type === 'recipient_delivery_report_mms' || type === 'recipient_delivery_report_sms') {
    return [statusEvent(str(cb.batch_id), str(cb.status), cb.code, str(cb.at) || now.toISOString(), str(cb.recipient))];
  }
  if (type === 'delivery_report_mms' || type === 'delivery_report_sms') {
    const events: WebhookEvent[] = [];
    const receivedAt = now.toISOString();
    for (const bucket of Array.isArray(cb.statuses) ? cb.statuses : []) {
      const word = str(bucket.status);
      const recipients = Array.isArray(bucket.recipients) ? bucket.recipients.filter((r): r is string => typeof r === 'string') : [];
      if (recipients.length === 0) events.push(statusEvent(str(cb.batch_id), word, bucket.code, receivedAt));
      for (const r of recipients) events.push(statusEvent(str(cb.batch_id), word, bucket.code, receivedAt, r));
    }
    return events;
  }
  return [];
}
