// Twilio's static facts. Limits: https://www.twilio.com/docs/messaging/guides/accepted-mime-types
// (5 MB total, 10 items, 500 KB for types Twilio does not transcode). Errors:
// https://www.twilio.com/docs/api/errors . Wire facts: ../shared/reference §1.
import { ErrorCode } from '../../errors/errors.js';
import type { CredentialField, ProviderDescriptor } from '../descriptor.js';

/** Account SIDs: AC followed by 32 hex characters. */
export const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
/** API key SIDs: SK followed by 32 hex characters. */
export const API_KEY_SID = /^SK[0-9a-fA-F]{32}$/;

const credentialFields: CredentialField[] = [
  {
    key: 'accountSid',
    label: 'Account SID',
    secret: false,
    required: true,
    env: ['TWILIO_ACCOUNT_SID'],
    flag: 'account-sid',
    pattern: ACCOUNT_SID,
    patternHint: 'AC followed by 32 hex characters',
  },
  { key: 'authToken', label: 'Auth Token', secret: true, required: false, env: ['TWILIO_AUTH_TOKEN'], flag: 'auth-token' },
  {
    key: 'apiKey',
    label: 'API Key SID',
    secret: false,
    required: false,
    env: ['TWILIO_API_KEY'],
    flag: 'api-key',
    pattern: API_KEY_SID,
    patternHint: 'SK followed by 32 hex characters',
  },
  { key: 'apiSecret', label: 'API Key Secret', secret: true, required: false, env: ['TWILIO_API_SECRET'], flag: 'api-secret' },
];

/** Twilio: capabilities, credentials, status words, error codes. */
export const twilioDescriptor: ProviderDescriptor<'twilio'> = {
  name: 'twilio',
  displayName: 'Twilio',
  defaultBaseUrl: 'https://api.twilio.com',
  capabilities: {
    maxMedia: 10,
    maxTotalBytes: 5 * 1024 * 1024,
    maxFileBytes: 5 * 1024 * 1024,
    maxNonImageBytes: 500 * 1024,
    mediaTypes: [
      'image/jpeg',
      'image/gif',
      'image/png',
      'image/bmp',
      // image/heic and image/heif: MMS "Yes" in Twilio's current table; image/webp is listed for
      // WhatsApp stickers only (MMS "No"), https://www.twilio.com/docs/messaging/guides/accepted-mime-types
      'image/heic',
      'image/heif',
      'image/tiff',
      'audio/mpeg',
      'audio/mp4',
      'audio/ogg',
      'audio/amr',
      'audio/3gpp',
      'audio/wav',
      'audio/aac',
      'video/mp4',
      'video/mpeg',
      'video/3gpp',
      'video/quicktime',
      'video/webm',
      'text/vcard',
      'text/x-vcard',
      'text/calendar',
      'text/plain',
      'application/pdf',
    ],
    mediaTransport: 'url',
    maxBodyChars: 1600,
    statusLookup: true,
    statusCallbacks: true,
    signature: 'X-Twilio-Signature: HMAC-SHA1 of URL + sorted params (Auth Token)',
    // MMS: 25 messages/s per account (Twilio changelog 2019-08-26); long codes are slower per sender.
    defaultRatePerSecond: 25,
    notes: 'Media must be public URLs; local files are served through the listener/tunnel.',
  },
  credentialFields,
  // API keys authenticate API calls, but the Account SID still names the account in every path.
  credentialSets: [
    ['accountSid', 'authToken'],
    ['accountSid', 'apiKey', 'apiSecret'],
  ],
  statusMap: {
    queued: 'queued',
    accepted: 'accepted',
    scheduled: 'scheduled',
    sending: 'sending',
    sent: 'sent',
    delivered: 'delivered',
    read: 'delivered',
    undelivered: 'undelivered',
    failed: 'failed',
    receiving: 'received',
    received: 'received',
    canceled: 'canceled',
    partially_delivered: 'sent',
  },
  errors: {
    precedence: 'code',
    codes: {
      20003: { code: ErrorCode.AUTH_REJECTED, suggestion: 'Check the Account SID and Auth Token, then run `mms login` again' },
      20005: { code: ErrorCode.AUTH_FORBIDDEN, suggestion: 'The account is suspended or closed: check the Twilio Console' },
      20404: { code: ErrorCode.NOT_FOUND },
      20429: { code: ErrorCode.RATE_LIMITED, suggestion: 'Lower --concurrency/--rate, or try again shortly' },
      21211: { code: ErrorCode.RECIPIENT_INVALID, suggestion: 'Check the number is a valid mobile number in E.164 (+15551234567)' },
      21212: { code: ErrorCode.SENDER_INVALID, suggestion: 'Use a number from your Twilio account as --from' },
      21606: { code: ErrorCode.SENDER_REJECTED, suggestion: 'Use an MMS-capable number you own as --from (`mms whoami` shows the default)' },
      21608: { code: ErrorCode.RECIPIENT_REJECTED, suggestion: 'Trial accounts can only send to verified numbers: verify it in the Twilio Console' },
      21610: { code: ErrorCode.RECIPIENT_OPTED_OUT, suggestion: 'The recipient replied STOP; they must reply START to receive messages again' },
      21611: { code: ErrorCode.RATE_LIMITED, suggestion: 'The sender queue is full: slow down (--rate) or add senders' },
      21612: { code: ErrorCode.RECIPIENT_UNREACHABLE },
      21614: { code: ErrorCode.RECIPIENT_UNREACHABLE, suggestion: 'The number cannot receive messages (landline?)' },
      21408: { code: ErrorCode.RECIPIENT_UNREACHABLE, suggestion: 'Enable the destination country in Messaging Geographic Permissions' },
      21620: { code: ErrorCode.MEDIA_REJECTED, suggestion: 'Media URLs must be absolute http(s) URLs' },
      21623: { code: ErrorCode.MEDIA_REJECTED, suggestion: 'Send at most 10 media items per message' },
      11751: { code: ErrorCode.MEDIA_REJECTED, suggestion: 'Reduce the media size (5 MB total, 500 KB for non-images)' },
      12300: { code: ErrorCode.MEDIA_REJECTED, suggestion: 'Serve the media with a supported Content-Type' },
      11200: { code: ErrorCode.MEDIA_FETCH_FAILED, suggestion: 'Make sure every media URL is publicly reachable' },
    },
    statusHints: {
      AUTH_REJECTED: 'Check the credentials, then run `mms login` again',
      AUTH_FORBIDDEN: 'These credentials may not use this resource (test credentials can only send)',
      PROVIDER_UNAVAILABLE: 'Twilio had a server error; try again later',
    },
  },
  // Twilio signs with the Auth Token only; an API key secret cannot verify X-Twilio-Signature.
  webhookSecret: { keys: ['authToken'] },
  rateLimitHeaders: { retryAfter: 'retry-after' },
  // Twilio documents no figure for its Messages list: 10 s is our margin, not a documented bound.
  messageLogDelayMs: 10_000,
};
