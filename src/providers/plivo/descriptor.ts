// Plivo's static facts (Messaging API v1).
// Limits and rates: https://plivo.com/docs/faq/messaging/messaging-api , support.plivo.com 360042248611
// Errors: https://docs.plivo.com/docs/messaging/api/response (a sentence, no numeric code)
// Wire facts: /work/shared/reference/providers-twilio-telnyx-plivo.md §3.
import { envNames, loginCommand, type CredentialField, type ProviderDescriptor } from '../descriptor.js';

/** Main accounts are MA…, subaccounts SA…, 20 characters in all. */
export const AUTH_ID = /^(MA|SA)[A-Z0-9]{18}$/;

/** Plivo's per-file limit for the Media upload API. */
export const PLIVO_MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

const credentialFields: CredentialField[] = [
  {
    key: 'authId',
    label: 'Auth ID',
    secret: false,
    required: true,
    env: ['PLIVO_AUTH_ID'],
    flag: 'auth-id',
    pattern: AUTH_ID,
    patternHint: 'MA or SA followed by 18 upper-case letters or digits',
  },
  { key: 'authToken', label: 'Auth Token', secret: true, required: true, env: ['PLIVO_AUTH_TOKEN'], flag: 'auth-token' },
];
const self = { name: 'plivo', credentialFields };

/** Plivo: capabilities, credentials, status words, error hints. */
export const plivoDescriptor: ProviderDescriptor<'plivo'> = {
  name: 'plivo',
  displayName: 'Plivo',
  defaultBaseUrl: 'https://api.plivo.com',
  capabilities: {
    maxMedia: 10,
    // "total < 5 MB"; decimal MB is the conservative reading.
    maxTotalBytes: 5_000_000,
    // Local files go through the upload API, which takes at most 2 MB per file. URL media has no
    // documented per-file limit beyond the total, but one number has to serve both here.
    maxFileBytes: PLIVO_MAX_UPLOAD_BYTES,
    // plivo-python's validation list (the docs list a subset: JPG, PNG, MP4, GIF, PDF, text).
    mediaTypes: [
      'image/jpeg',
      'image/png',
      'image/gif',
      'audio/mpeg',
      'audio/wav',
      'audio/ogg',
      'video/mp4',
      'video/mpeg',
      'video/3gpp',
      'video/3gpp2',
      'text/vcard',
      'text/x-vcard',
      'text/csv',
      'text/plain',
      'application/pdf',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ],
    mediaTransport: 'url-or-upload',
    maxBodyChars: 1600,
    statusLookup: true,
    statusCallbacks: true,
    signature: 'X-Plivo-Signature-V3 (HMAC-SHA256 of URL + params + nonce) or -V2 (URL + nonce), Auth Token',
    // Default account MMS rate; excess is queued, not rejected.
    defaultRatePerSecond: 0.25,
    notes: 'Local files are uploaded first (≤2 MB each) and sent as media_ids; uploads unused for 6 h are deleted.',
  },
  credentialFields,
  // `message_state` and callback `Status` words, matched in lower case.
  statusMap: {
    queued: 'queued',
    // US/Canada carriers often send no receipt, so Plivo's support says to treat `sent` as delivered
    // there; we keep it as `sent` (the honest answer) and let callers decide (reference §3.6).
    sent: 'sent',
    delivered: 'delivered',
    // WhatsApp only, but harmless.
    read: 'delivered',
    undelivered: 'undelivered',
    failed: 'failed',
    // Older docs list `rejected`.
    rejected: 'failed',
    received: 'received',
  },
  errors: {
    precedence: 'status',
    // Plivo answers with sentences, not codes: response.ts reads them (src/dst, MMS-enabled).
    codes: {},
    statusHints: {
      AUTH_REJECTED: `Check ${envNames(self, ['authId', 'authToken'])} (Plivo console overview page), then run \`${loginCommand(self)}\` again`,
      // plivo-node maps a 403 on POST /Message/ to GeoPermissionError: the destination country is off.
      AUTH_FORBIDDEN: 'Plivo refused this request; for sends this usually means the destination country is not enabled in Messaging → Geo Permissions',
      RATE_LIMITED: 'Too many concurrent API requests: lower --concurrency, or try again shortly',
      PROVIDER_UNAVAILABLE: 'Plivo had a server error; try again later',
    },
  },
  // Plivo signs webhooks with the Auth Token, which sending needs anyway.
  webhookSecret: { keys: ['authToken'] },
  rateLimitHeaders: { retryAfter: 'retry-after' },
  // Plivo documents no figure for its message list (MDRs): trust "not in the log" only after a minute.
  messageLogDelayMs: 60_000,
};
