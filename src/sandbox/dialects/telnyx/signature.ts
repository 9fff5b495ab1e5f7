// Telnyx webhook signing (reference §2.7): Ed25519 over `telnyx-timestamp|body` with the account's
// key; the public key is shown as base64 of its 32 raw bytes, as Mission Control shows it.
import { sign, type KeyObject } from 'node:crypto';

const ED25519_SPKI_PREFIX_LEN = 12;

/** Base64 of the 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): string {
  return (key.export({ format: 'der', type: 'spki' }) as Buffer).subarray(ED25519_SPKI_PREFIX_LEN).toString('base64');
}

/** Telnyx's webhook headers for a body: Ed25519 over `timestamp|body` (reference §2.7). */
export function signTelnyxWebhook(privateKey: KeyObject, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const signature = sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), privateKey).toString('base64');
  return { 'content-type': 'application/json', 'telnyx-signature-ed25519': signature, 'telnyx-timestamp': timestamp, 'user-agent': 'telnyx-webhooks' };
}
