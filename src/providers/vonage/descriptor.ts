// Vonage's static facts (Messages API v1, channel "mms").
// MMS: https://developer.vonage.com/en/messages/concepts/mms  (US/CA only, public-URL media)
// Errors: https://developer.vonage.com/en/api-errors/messages  (codes used as `#NNNN` in `type`)
// Wire facts: /work/shared/reference/providers-vonage-bandwidth-sinch-aws.md §1.
import { ErrorCode } from '../../errors/errors.js';
import { envNames, loginCommand, type CredentialField, type ProviderDescriptor } from '../descriptor.js';

/** Vonage application ids are UUIDs. */
export const VONAGE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Default Messages API host (regional hosts api-{eu,us,ap}.vonage.com also accept sends). */
export const VONAGE_DEFAULT_BASE_URL = 'https://api.nexmo.com';

/** Caption/text limit: python-sdk allows 1–2000; the Java SDK's 3000 conflicts, so keep 2000. */
export const VONAGE_MAX_TEXT = 2000;

const credentialFields: CredentialField[] = [
  {
    key: 'apiKey',
    label: 'API key',
    secret: false,
    required: true,
    env: ['VONAGE_API_KEY'],
    flag: 'api-key',
    pattern: /^[0-9a-zA-Z]{6,16}$/,
    patternHint: 'the short API key shown in the Vonage dashboard',
  },
  { key: 'apiSecret', label: 'API secret', secret: true, required: true, env: ['VONAGE_API_SECRET'], flag: 'api-secret' },
  {
    key: 'applicationId',
    label: 'Application ID',
    secret: false,
    required: false,
    env: ['VONAGE_APPLICATION_ID'],
    flag: 'application-id',
    pattern: VONAGE_UUID,
    patternHint: 'a UUID such as aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
  },
  // PEM text, or a path: VONAGE_APPLICATION_PRIVATE_KEY_PATH is the name Vonage's code snippets use.
  {
    key: 'privateKey',
    label: 'Application private key (PEM or file path)',
    secret: true,
    required: false,
    env: ['VONAGE_PRIVATE_KEY', 'VONAGE_APPLICATION_PRIVATE_KEY_PATH'],
    flag: 'private-key',
  },
  // VONAGE_SIGNATURE_SECRET is the name the README and hints use (Vonage's Laravel and Go clients
  // read it); VONAGE_API_SIGNATURE_SECRET, the name in Vonage's code snippets, is accepted too.
  {
    key: 'signatureSecret',
    label: 'Signature secret (signed webhooks)',
    secret: true,
    required: false,
    env: ['VONAGE_SIGNATURE_SECRET', 'VONAGE_API_SIGNATURE_SECRET'],
    flag: 'signature-secret',
  },
];
const self = { name: 'vonage', credentialFields };
const LOGIN = loginCommand(self);

/** Vonage: capabilities, credentials, status words, error codes. */
export const vonageDescriptor: ProviderDescriptor<'vonage'> = {
  name: 'vonage',
  displayName: 'Vonage',
  defaultBaseUrl: VONAGE_DEFAULT_BASE_URL,
  capabilities: {
    // One attachment per typed message; `content` carries several, but Vonage documents no maximum:
    // 10 is our guard, matching the other US MMS providers.
    maxMedia: 10,
    // Vonage publishes no MMS size limit. 5 MB is a guard only; US carriers deliver ~1 MB reliably.
    maxTotalBytes: 5 * 1024 * 1024,
    maxFileBytes: 5 * 1024 * 1024,
    // Types from Vonage's MMS guide (image jpg/png/gif, audio mp3, video mp4, vCard); other files go
    // out as message_type "file", which Vonage lists without naming formats.
    mediaTypes: ['image/jpeg', 'image/png', 'image/gif', 'audio/mpeg', 'video/mp4', 'text/vcard', 'text/x-vcard', 'application/pdf'],
    mediaTransport: 'url',
    maxBodyChars: VONAGE_MAX_TEXT,
    statusLookup: false,
    statusCallbacks: true,
    signature: 'Authorization: Bearer JWT (HS256 with the signature secret) whose payload_hash is the SHA-256 of the body',
    // "All API keys are set with 30 API requests per second throughput restriction by default".
    defaultRatePerSecond: 30,
    notes:
      'MMS only from US short codes, 10DLC and toll-free numbers to US/Canada. Media must be public URLs ' +
      '(no upload API). No message lookup API: `mms status` is unavailable, status comes by webhook ' +
      '(per-message webhook_url). Sends use Basic api key/secret, or an application JWT (RS256) when an ' +
      'application id and private key are configured.',
  },
  credentialFields,
  // Status words of Messages v1 status webhooks (Java SDK MessageStatus), matched in lower case.
  statusMap: {
    submitted: 'sent',
    delivered: 'delivered',
    // `read` exists for OTT/RCS channels only; it implies delivery.
    read: 'delivered',
    rejected: 'failed',
    undeliverable: 'undelivered',
  },
  errors: {
    precedence: 'status',
    // The `#NNNN` of `type`.
    codes: {
      '1000': { code: ErrorCode.RATE_LIMITED, suggestion: 'Vonage throttled the request: lower --rate or try again shortly' },
      '1050': { code: ErrorCode.RECIPIENT_REJECTED, suggestion: 'The destination number is barred' },
      '1060': { code: ErrorCode.AUTH_FORBIDDEN, suggestion: 'The Vonage account is barred: contact Vonage support' },
      '1070': { code: ErrorCode.PROVIDER_REJECTED, suggestion: 'Top up the Vonage account balance' },
      '1080': { code: ErrorCode.AUTH_FORBIDDEN, suggestion: 'The account is not enabled for the Messages REST API' },
      '1090': { code: ErrorCode.BODY_TOO_LONG, suggestion: 'Shorten the message text (2000 characters at most)' },
      '1100': { code: ErrorCode.PROVIDER_UNAVAILABLE, suggestion: 'Vonage could not reach the carrier; try again later' },
      '1120': { code: ErrorCode.SENDER_INVALID, suggestion: 'Use an MMS-capable US/CA number, 10DLC or toll-free number from your account as --from' },
    },
    statusHints: {
      AUTH_REJECTED:
        `Check ${envNames(self, ['apiKey'])}/${envNames(self, ['apiSecret'])} (or the application id and private key), ` + `then run \`${LOGIN}\` again`,
      AUTH_FORBIDDEN: 'These credentials may not send MMS: check the account and application settings in the Vonage dashboard',
      RATE_LIMITED: 'Vonage allows 30 API requests/s per key by default: lower --rate or try again shortly',
      PROVIDER_UNAVAILABLE: 'Vonage had a server error; try again later',
    },
  },
  webhookSecret: { keys: ['signatureSecret'], where: 'Dashboard → API Settings → Signature secret' },
  rateLimitHeaders: { retryAfter: 'retry-after' },
};
