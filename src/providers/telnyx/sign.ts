// Building and signing Telnyx messaging webhooks (API v2), for `mms trigger`.
// https://developers.telnyx.com/docs/messaging/messages/receive-message (message.received)
// https://developers.telnyx.com/docs/messaging/messages/message-statuses (message.finalized)
// https://developers.telnyx.com/docs/development/webhook-fundamentals (telnyx-signature-ed25519)
// The Ed25519 signature covers `timestamp|body`, not the URL: a forwarded webhook stays valid as is.
// Telnyx signs with its own private key and the app checks with Telnyx's public key, so a triggered
// webhook is signed with a key the user supplies (or a fresh pair whose public key we print).
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An Ed25519 private key from a PEM or base64 (32-byte seed or PKCS#8 DER) text; undefined when it is not one. */
export function telnyxPrivateKey(text: string): KeyObject | undefined {
  const t = text.trim();
  try {
    if (t.startsWith('-----BEGIN')) {
      const key = createPrivateKey(t);
      return key.asymmetricKeyType === 'ed25519' ? key : undefined;
    }
    const raw = Buffer.from(t, 'base64');
    const der = raw.length === 32 ? Buffer.concat([ED25519_PKCS8_PREFIX, raw]) : raw;
    const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** A fresh key pair: the private key signs, the public key (base64 of 32 raw bytes, as Mission Control shows it) goes to the app. */
export function newTelnyxSigningKey(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: spki.subarray(spki.length - 32).toString('base64') };
}

/** The telnyx-signature-ed25519 and telnyx-timestamp headers for `body`. */
export function signTelnyxWebhook(built: { body: string }, privateKey: KeyObject, now: Date): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signature = sign(null, Buffer.from(`${timestamp}|${built.body}`, 'utf8'), privateKey).toString('base64');
  return { 'telnyx-signature-ed25519': signature, 'telnyx-timestamp': timestamp };
}

/** A Telnyx-style message id. */
export function telnyxMessageId(): string {
  return randomUUID();
}

/** The `message.received` webhook (JSON POST). */
export function buildTelnyxInbound(
  m: { id: string; from: string; to: string; body: string; media: Array<{ url: string; contentType: string; size?: number }>; now: Date },
  url: string,
): { contentType: string; body: string } {
  const at = m.now.toISOString();
  const payload = {
    completed_at: null,
    cost: null,
    direction: 'inbound',
    encoding: 'GSM-7',
    errors: [],
    from: { carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless', phone_number: m.from },
    id: m.id,
    media: m.media.map((x) => ({ content_type: x.contentType, hash_sha256: null, size: x.size ?? null, url: x.url })),
    messaging_profile_id: randomUUID(),
    parts: 1,
    received_at: at,
    record_type: 'message',
    sent_at: null,
    subject: '',
    tags: [],
    text: m.body,
    to: [{ carrier: 'Telnyx', line_type: 'Wireless', phone_number: m.to, status: 'webhook_delivered' }],
    type: m.media.length > 0 ? 'MMS' : 'SMS',
    valid_until: null,
    webhook_failover_url: null,
    webhook_url: url,
  };
  const envelope = {
    data: { event_type: 'message.received', id: randomUUID(), occurred_at: at, payload, record_type: 'event' },
    meta: { attempt: 1, delivered_to: url },
  };
  return { contentType: 'application/json', body: JSON.stringify(envelope) };
}

/** The `message.finalized` webhook for an outbound message (JSON POST). */
export function buildTelnyxStatus(
  s: { id: string; from: string; to: string; status: 'delivered' | 'undelivered' | 'failed'; errorCode?: string; now: Date },
  url: string,
): { contentType: string; body: string } {
  const at = s.now.toISOString();
  const word = s.status === 'delivered' ? 'delivered' : s.status === 'failed' ? 'sending_failed' : 'delivery_failed';
  const errors = s.errorCode !== undefined ? [{ code: s.errorCode, title: 'Message delivery failed', detail: 'Triggered by mms trigger' }] : [];
  const payload = {
    completed_at: at,
    direction: 'outbound',
    errors,
    from: { carrier: 'Telnyx', line_type: 'Wireless', phone_number: s.from },
    id: s.id,
    media: [],
    parts: 1,
    record_type: 'message',
    sent_at: at,
    text: '',
    to: [{ carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless', phone_number: s.to, status: word }],
    type: 'MMS',
    webhook_url: url,
  };
  const envelope = {
    data: { event_type: 'message.finalized', id: randomUUID(), occurred_at: at, payload, record_type: 'event' },
    meta: { attempt: 1, delivered_to: url },
  };
  return { contentType: 'application/json', body: JSON.stringify(envelope) };
}
