// Building and signing Vonage Messages API webhooks (MMS channel), for `mms trigger`.
// https://developer.vonage.com/en/api/messages#inbound-message (inbound), #message-status (status)
// https://developer.vonage.com/en/getting-started/concepts/webhooks#decoding-signed-webhooks
// The HS256 JWT (signature secret) carries a payload_hash of the body, not the URL: a forwarded
// webhook stays valid as is.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { Credentials } from '../types.js';

/** Vonage writes numbers as digits without `+`. */
const digits = (n: string): string => n.replace(/^\+/, '');

/** The `Authorization: Bearer <jwt>` header Vonage sends: HS256 with the signature secret over iat, jti, iss, payload_hash, api_key, application_id. */
export function signVonageWebhook(built: { body: string }, creds: Credentials, now: Date): Record<string, string> {
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
  const iat = Math.floor(now.getTime() / 1000);
  const claims: Record<string, unknown> = {
    iat,
    jti: randomUUID(),
    iss: 'Vonage',
    payload_hash: createHash('sha256').update(built.body, 'utf8').digest('hex'),
    ...(creds.apiKey ? { api_key: creds.apiKey } : {}),
    ...(creds.applicationId ? { application_id: creds.applicationId } : {}),
  };
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  const signature = createHmac('sha256', creds.signatureSecret ?? '')
    .update(unsigned)
    .digest('base64url');
  return { authorization: `Bearer ${unsigned}.${signature}` };
}

/** A Vonage-style message UUID. */
export function vonageMessageId(): string {
  return randomUUID();
}

/** The inbound-message webhook of the MMS channel (JSON POST): one per media item type; the text as caption or `text`. */
export function buildVonageInbound(m: { id: string; from: string; to: string; body: string; media: Array<{ url: string; contentType: string }>; now: Date }): {
  contentType: string;
  body: string;
} {
  const base = { to: digits(m.to), from: digits(m.from), channel: 'mms', message_uuid: m.id, timestamp: m.now.toISOString() };
  const first = m.media[0];
  if (!first) return { contentType: 'application/json', body: JSON.stringify({ ...base, message_type: 'text', text: m.body }) };
  const kind = first.contentType.startsWith('video/')
    ? 'video'
    : first.contentType.startsWith('audio/')
      ? 'audio'
      : first.contentType.startsWith('image/')
        ? 'image'
        : 'file';
  const item = { url: first.url, ...(m.body ? { caption: m.body } : {}) };
  return { contentType: 'application/json', body: JSON.stringify({ ...base, message_type: kind, [kind]: item }) };
}

/** The message-status webhook (JSON POST). */
export function buildVonageStatus(s: { id: string; from: string; to: string; status: 'delivered' | 'undelivered' | 'failed'; errorCode?: string; now: Date }): {
  contentType: string;
  body: string;
} {
  const word = s.status === 'delivered' ? 'delivered' : s.status === 'failed' ? 'rejected' : 'undeliverable';
  const body: Record<string, unknown> = {
    message_uuid: s.id,
    to: digits(s.to),
    from: digits(s.from),
    timestamp: s.now.toISOString(),
    status: word,
    channel: 'mms',
  };
  if (s.errorCode !== undefined) {
    body.error = { type: `https://developer.vonage.com/api-errors/messages#${s.errorCode}`, title: s.errorCode, detail: 'Triggered by mms trigger' };
  }
  return { contentType: 'application/json', body: JSON.stringify(body) };
}
