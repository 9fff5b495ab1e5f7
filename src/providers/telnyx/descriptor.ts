// Telnyx's static facts (Messaging API v2).
// MMS limits: https://developers.telnyx.com/docs/messaging/messages/send-receive-mms ,
// https://support.telnyx.com/en/articles/4450150-faqs-about-mms-at-telnyx
// Throughput: https://developers.telnyx.com/docs/messaging/messages/rate-limiting
// Errors: https://developers.telnyx.com/development/api-fundamentals/api-errors
// Wire facts: /work/shared/reference/providers-twilio-telnyx-plivo.md §2.
import { ErrorCode } from '../../errors/errors.js';
import { envName, loginCommand, type CredentialField, type ProviderDescriptor } from '../descriptor.js';

const credentialFields: CredentialField[] = [
  { key: 'apiKey', label: 'API Key', secret: true, required: true, env: ['TELNYX_API_KEY'], flag: 'api-key' },
  {
    key: 'publicKey',
    label: 'Public Key (webhook verification)',
    // The account's Ed25519 public key is not a secret; it only verifies webhooks.
    secret: false,
    required: false,
    env: ['TELNYX_PUBLIC_KEY'],
    flag: 'public-key',
    pattern: /^[A-Za-z0-9+/]{43}=$/,
    patternHint: 'base64 of 32 bytes (Mission Control → Keys & Credentials → Public Key)',
  },
];
const self = { name: 'telnyx', credentialFields };
const API_KEY = envName(self, 'apiKey');
const LOGIN = loginCommand(self);

/** Telnyx: capabilities, credentials, status words, error codes. */
export const telnyxDescriptor: ProviderDescriptor<'telnyx'> = {
  name: 'telnyx',
  displayName: 'Telnyx',
  defaultBaseUrl: 'https://api.telnyx.com',
  capabilities: {
    maxMedia: 10,
    // The spec says total media "must be less than 1 MB"; decimal MB is the conservative reading.
    // Carriers cap lower on some routes (600 KB toll-free/short code), see reference §2.2.
    maxTotalBytes: 1_000_000,
    maxFileBytes: 1_000_000,
    // Sources disagree (reference §5.6); this is the support FAQ's narrow list, the reliable one.
    mediaTypes: ['image/jpeg', 'image/png', 'image/gif', 'video/mp4', 'video/3gpp', 'text/plain', 'text/vcard'],
    mediaTransport: 'url',
    // No MMS text limit in the stored spec; 1600 matches the other providers [unconfirmed].
    maxBodyChars: 1600,
    statusLookup: true,
    statusCallbacks: true,
    signature: 'telnyx-signature-ed25519: Ed25519 over timestamp|body (account public key), 300 s window',
    defaultRatePerSecond: 15,
    notes: 'Media must be public URLs (Telnyx fetches and caches them for 1 h). No auto-resize unless the messaging profile enables mms_transcoding.',
  },
  credentialFields,
  // Per-recipient statuses from telnyx-node (reference §2.6). Telnyx reports status per `to[]` entry.
  statusMap: {
    queued: 'queued',
    scheduled: 'scheduled',
    sending: 'sending',
    sent: 'sent',
    delivered: 'delivered',
    // Never handed to a carrier.
    sending_failed: 'failed',
    // Expired in Telnyx's queue (valid_until passed) before it could be sent.
    expired: 'failed',
    // The carrier accepted it but reported non-delivery.
    delivery_failed: 'undelivered',
    // Terminal at Telnyx (message.finalized), but the carrier sent no receipt: the best we know is
    // that it was sent. Callers waiting for a final status should treat a finalized event as final.
    delivery_unconfirmed: 'sent',
    cancelled: 'canceled',
    canceled: 'canceled',
    // Inbound messages.
    received: 'received',
    webhook_delivered: 'received',
  },
  errors: {
    precedence: 'code',
    // Codes are strings on the wire.
    codes: {
      '10009': { code: ErrorCode.AUTH_REJECTED, suggestion: `Check ${API_KEY} (Mission Control → API Keys), then run \`${LOGIN}\` again` },
      '10010': { code: ErrorCode.AUTH_FORBIDDEN, suggestion: 'This API key may not use this resource: check the key and the account status' },
      '10005': { code: ErrorCode.NOT_FOUND },
      '10011': { code: ErrorCode.RATE_LIMITED, suggestion: 'Lower --concurrency/--rate (Telnyx MMS default: 15 messages/s), or try again shortly' },
      '40310': { code: ErrorCode.RECIPIENT_INVALID, suggestion: 'Use one recipient in E.164 (+15551234567) per message' },
      // 40305 "invalid from" is named in a third-party test fixture (reference §2.3).
      '40305': { code: ErrorCode.SENDER_INVALID, suggestion: 'Use an MMS-enabled Telnyx number (E.164) or a messaging profile id as --from' },
      // 40300 "blocked by STOP" is reported by third parties only (reference §2.3, unconfirmed).
      '40300': { code: ErrorCode.RECIPIENT_OPTED_OUT, suggestion: 'The recipient replied STOP; they must reply START to receive messages again' },
    },
    statusHints: {
      AUTH_REJECTED: `Check ${API_KEY}, then run \`${LOGIN}\` again`,
      PROVIDER_UNAVAILABLE: 'Telnyx had a server error; try again later',
    },
  },
  webhookSecret: { keys: ['publicKey'], where: 'Mission Control → Keys & Credentials → Public Key' },
  // https://developers.telnyx.com/development/api-fundamentals/reliability/rate-limiting
  rateLimitHeaders: { retryAfter: 'retry-after', reset: 'x-ratelimit-reset' },
};
