// Bandwidth messaging callbacks: Basic-auth check and parsing (pure).
// https://dev.bandwidth.com/docs/messaging/webhooks  (bodies are JSON arrays of events)
// https://dev.bandwidth.com/docs/account/applications  (InboundCallbackCreds/OutboundCallbackCreds)
// Messaging callbacks carry no HMAC: Bandwidth sends `Authorization: Basic base64(UserId:Password)`
// with the credentials set on the messaging application (reference §2.5–2.7).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { InboundMedia, WebhookEvent } from '../../core/types.js';
import type { WebhookReply, WebhookRequest } from '../types.js';
import { mapBandwidthCallbackType } from './response.js';

function header(req: WebhookRequest, name: string): string {
  const v = req.headers[name] ?? req.headers[name.toLowerCase()];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/** Constant-time string comparison (hashing first hides the lengths). */
function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/**
 * The answer to a callback without Basic credentials. Bandwidth's callback authentication is a
 * challenge: it POSTs without credentials first and sends them only after a 401 carrying
 * `WWW-Authenticate: Basic` (https://dev.bandwidth.com/docs/messaging/webhooks, Authentication).
 */
export const BANDWIDTH_CHALLENGE: WebhookReply = {
  status: 401,
  headers: { 'www-authenticate': 'Basic realm="mms", charset="UTF-8"' },
  body: 'authentication required',
};

/**
 * True when the request's Basic credentials equal the configured callback user and password. A
 * request without Basic credentials gets {@link BANDWIDTH_CHALLENGE} noted for the intake (401, not
 * 403), so Bandwidth retries with them; wrong credentials stay a plain refusal.
 */
export function verifyBandwidthWebhook(req: WebhookRequest, creds: { callbackUsername?: string; callbackPassword?: string }): boolean {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header(req, 'authorization').trim());
  if (!m) {
    if (req.verification) req.verification.challenge = BANDWIDTH_CHALLENGE;
    return false;
  }
  const user = creds.callbackUsername ?? '';
  const pass = creds.callbackPassword ?? '';
  // Without configured credentials there is nothing to check against: refuse rather than trust.
  if (!user || !pass) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Evaluate both comparisons so timing does not reveal which part was wrong.
  const userOk = safeEqual(decoded.slice(0, colon), user);
  const passOk = safeEqual(decoded.slice(colon + 1), pass);
  return userOk && passOk;
}

interface BandwidthCallback {
  type?: unknown;
  time?: unknown;
  to?: unknown;
  description?: unknown;
  errorCode?: unknown;
  message?: {
    id?: unknown;
    from?: unknown;
    to?: unknown;
    text?: unknown;
    media?: unknown;
    direction?: unknown;
  };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/**
 * Parses a callback body (an array of events) into events. `message-received` becomes an inbound
 * message; the other types are delivery status. Inbound media URLs need authenticated download
 * (Media GET with the account credentials) within 2 days.
 */
export function parseBandwidthWebhook(req: WebhookRequest, now = new Date()): WebhookEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    return [];
  }
  const list: unknown[] = Array.isArray(parsed) ? parsed : parsed && typeof parsed === 'object' ? [parsed] : [];
  const events: WebhookEvent[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const cb = item as BandwidthCallback;
    const type = str(cb.type);
    const msg = cb.message ?? {};
    const id = str(msg.id);
    const receivedAt = str(cb.time) || now.toISOString();
    if (type === 'message-received') {
      const media: InboundMedia[] = Array.isArray(msg.media)
        ? msg.media.filter((u): u is string => typeof u === 'string' && u !== '').map((url) => ({ url }))
        : [];
      events.push({
        type: 'message',
        provider: 'bandwidth',
        id,
        from: str(msg.from),
        // The event's `to` is the number of ours that got it (group messages list several in message.to).
        to: str(cb.to) || (Array.isArray(msg.to) ? str(msg.to[0]) : ''),
        body: str(msg.text),
        media,
        receivedAt,
      });
      continue;
    }
    if (!type) continue;
    const ev: WebhookEvent = {
      type: 'status',
      provider: 'bandwidth',
      id,
      status: mapBandwidthCallbackType(type),
      providerStatus: type,
      receivedAt,
    };
    const to = str(cb.to);
    const from = str(msg.from);
    if (to) ev.to = to;
    if (from) ev.from = from;
    if (typeof cb.errorCode === 'number' || (typeof cb.errorCode === 'string' && cb.errorCode !== '')) ev.errorCode = cb.errorCode;
    events.push(ev);
  }
  return events;
}
