// Building and signing Sinch SMS API callbacks (MMS over the SMS API), for `mms trigger`.
// https://developers.sinch.com/docs/sms/api-reference/sms/tag/Inbounds (mo_media)
// https://developers.sinch.com/docs/sms/api-reference/sms/tag/Delivery-reports (recipient_delivery_report_mms)
// https://developers.sinch.com/docs/sms/api-reference/sms/tag/Webhooks (callback signing: HMAC-SHA256
// over `body.nonce.timestamp`). The signature does not cover the URL: a forwarded callback stays valid.
import { createHmac, randomBytes } from 'node:crypto';
import type { Credentials } from '../types.js';

/** Sinch writes MSISDNs without `+`. */
const digits = (n: string): string => n.replace(/^\+/, '');

/** The x-sinch-webhook-signature headers for `body`, with a fresh nonce. */
export function signSinchWebhook(built: { body: string }, creds: Credentials, now: Date): Record<string, string> {
  const nonce = randomBytes(16).toString('base64url');
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signature = createHmac('sha256', creds.webhookSecret ?? '')
    .update(`${built.body}.${nonce}.${timestamp}`, 'utf8')
    .digest('base64');
  return {
    'x-sinch-webhook-signature': signature,
    'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
    'x-sinch-webhook-signature-nonce': nonce,
    'x-sinch-webhook-signature-timestamp': timestamp,
  };
}

/** A Sinch-style id (26 characters, upper case). */
export function sinchMessageId(): string {
  return randomBytes(16).toString('hex').toUpperCase().slice(0, 26);
}

/** The `mo_media` inbound callback (JSON POST). */
export function buildSinchInbound(m: { id: string; from: string; to: string; body: string; media: Array<{ url: string; contentType: string }>; now: Date }): {
  contentType: string;
  body: string;
} {
  const at = m.now.toISOString();
  const cb = {
    type: 'mo_media',
    id: m.id,
    from: digits(m.from),
    to: digits(m.to),
    received_at: at,
    body: { message: m.body, media: m.media.map((x) => ({ url: x.url, content_type: x.contentType, status: 'Uploaded', code: 0 })) },
  };
  return { contentType: 'application/json', body: JSON.stringify(cb) };
}

/** A per-recipient MMS delivery report (JSON POST). */
export function buildSinchStatus(s: { id: string; to: string; status: 'delivered' | 'undelivered' | 'failed'; errorCode?: string; now: Date }): {
  contentType: string;
  body: string;
} {
  const word = s.status === 'delivered' ? 'Delivered' : s.status === 'failed' ? 'Failed' : 'Expired';
  const code = s.errorCode !== undefined && /^\d+$/.test(s.errorCode) ? Number(s.errorCode) : s.status === 'delivered' ? 0 : 402;
  const cb = {
    type: 'recipient_delivery_report_mms',
    batch_id: s.id,
    recipient: digits(s.to),
    code,
    status: word,
    at: s.now.toISOString(),
    operator_status_at: s.now.toISOString(),
  };
  return { contentType: 'application/json', body: JSON.stringify(cb) };
}
