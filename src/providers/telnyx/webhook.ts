// Telnyx webhook signatures and payloads.
// https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks
// https://developers.telnyx.com/docs/messaging/messages/receive-message
// Signature: Ed25519 over `telnyx-timestamp|raw body` with the account's public key, 300 s window,
// as telnyx-node src/lib/webhooks.ts does (reference §2.7). Not the Standard Webhooks HMAC that
// the SDK's generated `webhooks.unwrap()` expects (reference §5.7), which real events fail.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { InboundMedia, WebhookEvent } from '../../core/types.js';
import type { WebhookRequest } from '../types.js';
import { headerValue, parseJson } from '../shared.js';
import { mapTelnyxStatus, type TelnyxMessage } from './response.js';

/** Maximum |now − telnyx-timestamp|, seconds (the official helper's tolerance). */
export const TELNYX_SIGNATURE_TOLERANCE_S = 300;

// DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Turns the public key from Mission Control (base64 of 32 raw bytes) into a KeyObject. A PEM or a
 * base64 SPKI DER key is accepted too. Returns undefined when it is not an Ed25519 key.
 */
export function telnyxPublicKey(value: string): KeyObject | undefined {
  const text = value.trim();
  try {
    if (text.startsWith('-----BEGIN')) {
      const key = createPublicKey(text);
      return key.asymmetricKeyType === 'ed25519' ? key : undefined;
    }
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return undefined;
    const raw = Buffer.from(text, 'base64');
    const der = raw.length === 32 ? Buffer.concat([ED25519_SPKI_PREFIX, raw]) : raw;
    if (der.length !== 44 || !der.subarray(0, 12).equals(ED25519_SPKI_PREFIX)) return undefined;
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks a Telnyx signature. `nowMs` is injectable so tests can use the fixed vectors. The reason
 * is meant for the listener's stderr line when a callback is refused.
 */
export function checkTelnyxSignature(
  publicKey: string,
  timestamp: string | undefined,
  signature: string | undefined,
  rawBody: Buffer,
  nowMs = Date.now(),
): SignatureCheck {
  if (!publicKey) return { ok: false, reason: 'no Telnyx public key configured (TELNYX_PUBLIC_KEY)' };
  if (!timestamp || !signature) return { ok: false, reason: 'missing telnyx-signature-ed25519 or telnyx-timestamp header' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'telnyx-timestamp is not a Unix time in seconds' };
  const age = Math.abs(nowMs / 1000 - Number(timestamp));
  if (age > TELNYX_SIGNATURE_TOLERANCE_S)
    return { ok: false, reason: `timestamp is ${Math.round(age)} s away from now (limit ${TELNYX_SIGNATURE_TOLERANCE_S} s)` };
  const key = telnyxPublicKey(publicKey);
  if (!key) return { ok: false, reason: 'the Telnyx public key is not a base64 Ed25519 key' };
  const sig = Buffer.from(signature.trim(), 'base64');
  if (sig.length !== 64) return { ok: false, reason: 'signature is not 64 bytes of base64' };
  // The exact bytes received: re-serialised JSON would not verify.
  const signed = Buffer.concat([Buffer.from(`${timestamp}|`, 'utf8'), rawBody]);
  let valid = false;
  try {
    valid = verify(null, signed, key, sig);
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

/**
 * Verifies a webhook request as received by the listener (headers have lower-case keys). Within
 * the 300 s window a captured request would verify again: its timestamp and signature bytes are
 * its replay key.
 */
export function verifyTelnyxWebhook(req: WebhookRequest, publicKey: string, nowMs = Date.now()): boolean {
  const timestamp = headerValue(req.headers, 'telnyx-timestamp');
  const signature = headerValue(req.headers, 'telnyx-signature-ed25519');
  const ok = checkTelnyxSignature(publicKey, timestamp, signature, req.rawBody, nowMs).ok;
  // Canonical base64 of the decoded bytes: other spellings of the same signature are the same key.
  if (ok) req.verification?.replayKeys.push(`telnyx:sig:${timestamp}:${Buffer.from(signature!.trim(), 'base64').toString('base64')}`);
  return ok;
}

interface TelnyxEnvelope {
  data?: { event_type?: string; id?: string; occurred_at?: string; payload?: TelnyxMessage };
}

/**
 * Parses a Telnyx v2 webhook: `message.received` becomes a message event; `message.sent` and
 * `message.finalized` become one status event per recipient. Other events yield nothing.
 */
export function parseTelnyxWebhook(req: WebhookRequest, now = new Date()): WebhookEvent[] {
  const env = parseJson(req.rawBody.toString('utf8')) as TelnyxEnvelope | undefined;
  const data = env && typeof env === 'object' ? env.data : undefined;
  const payload = data?.payload;
  if (!data || !payload || typeof payload !== 'object') return [];
  const receivedAt = now.toISOString();
  const id = typeof payload.id === 'string' ? payload.id : '';
  const eventType = data.event_type ?? '';

  if (eventType === 'message.received') {
    const media: InboundMedia[] = [];
    for (const m of Array.isArray(payload.media) ? payload.media : []) {
      if (!m || typeof m.url !== 'string' || m.url === '') continue;
      const item: InboundMedia = { url: m.url };
      if (typeof m.content_type === 'string' && m.content_type) item.contentType = m.content_type;
      if (typeof m.size === 'number') item.size = m.size;
      media.push(item);
    }
    return [
      {
        type: 'message',
        provider: 'telnyx',
        id,
        from: payload.from?.phone_number ?? '',
        to: payload.to?.[0]?.phone_number ?? '',
        body: typeof payload.text === 'string' ? payload.text : '',
        media,
        receivedAt,
      },
    ];
  }

  if (eventType === 'message.sent' || eventType === 'message.finalized') {
    const err = payload.errors?.[0];
    const recipients = Array.isArray(payload.to) && payload.to.length > 0 ? payload.to : [{}];
    return recipients.map((r): WebhookEvent => {
      const word = (r as { status?: string }).status ?? '';
      const ev: WebhookEvent = { type: 'status', provider: 'telnyx', id, status: mapTelnyxStatus(word), providerStatus: word || 'unknown', receivedAt };
      const to = (r as { phone_number?: string }).phone_number;
      if (to) ev.to = to;
      if (payload.from?.phone_number) ev.from = payload.from.phone_number;
      if (err?.code !== undefined) ev.errorCode = String(err.code);
      return ev;
    });
  }
  return [];
}
