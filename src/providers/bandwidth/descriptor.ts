// Bandwidth's static facts (Messaging API v2, OAuth 2.0 client credentials).
// Limits: support article 12823216; the spec's mmsMessageContentFile (bandwidth.yml in Bandwidth/node-sdk).
// Errors: https://dev.bandwidth.com/docs/messaging/errors  ({type, description, fieldErrors?})
// Wire facts: /work/shared/reference/providers-vonage-bandwidth-sinch-aws.md §2.
import { ErrorCode } from '../../errors/errors.js';
import { envName, envNames, loginCommand, type CredentialField, type ProviderDescriptor } from '../descriptor.js';

/** Messaging API host; paths start with /api/v2. */
export const BANDWIDTH_DEFAULT_BASE_URL = 'https://messaging.bandwidth.com';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const credentialFields: CredentialField[] = [
  {
    key: 'accountId',
    label: 'Account ID',
    secret: false,
    required: true,
    env: ['BW_ACCOUNT_ID'],
    flag: 'account-id',
    pattern: /^\d+$/,
    patternHint: 'digits, e.g. 9900000',
  },
  {
    key: 'applicationId',
    label: 'Messaging application ID',
    secret: false,
    required: true,
    env: ['BW_MESSAGING_APPLICATION_ID'],
    flag: 'application-id',
    pattern: UUID,
    patternHint: 'a UUID from the Bandwidth App → Applications',
  },
  { key: 'clientId', label: 'OAuth client ID', secret: false, required: true, env: ['BW_CLIENT_ID'], flag: 'client-id' },
  { key: 'clientSecret', label: 'OAuth client secret', secret: true, required: true, env: ['BW_CLIENT_SECRET'], flag: 'client-secret' },
  // Not a Bandwidth-standard variable: lets the sandbox or a proxy stand in for the token endpoint.
  {
    key: 'tokenUrl',
    label: 'OAuth token URL (override)',
    secret: false,
    required: false,
    env: ['MMS_BANDWIDTH_TOKEN_URL'],
    flag: 'token-url',
    pattern: /^https?:\/\/\S+$/,
    patternHint: 'an http(s) URL',
  },
  // The application's callback credentials (InboundCallbackCreds/OutboundCallbackCreds); Bandwidth
  // defines no env names for them, so these are ours.
  { key: 'callbackUsername', label: 'Callback user id', secret: false, required: false, env: ['BW_CALLBACK_USERNAME'], flag: 'callback-username' },
  { key: 'callbackPassword', label: 'Callback password', secret: true, required: false, env: ['BW_CALLBACK_PASSWORD'], flag: 'callback-password' },
];
const self = { name: 'bandwidth', credentialFields };

/** Bandwidth queues messages beyond the account rate; a full queue is a rate limit, whatever the status. */
const QUEUE_HINT = 'Bandwidth queues messages at your account rate (1 MPS by default): lower --rate or wait for the queue to drain';

/** Bandwidth: capabilities, credentials, status words, error types. */
export const bandwidthDescriptor: ProviderDescriptor<'bandwidth'> = {
  name: 'bandwidth',
  displayName: 'Bandwidth',
  defaultBaseUrl: BANDWIDTH_DEFAULT_BASE_URL,
  capabilities: {
    // "Maximum of 10 attachments", 3.5 MB per file, external or stored (support article 12823216;
    // the spec's mmsMessageContentFile). Older docs said 3.75 MB: the lower value is safe.
    maxMedia: 10,
    maxFileBytes: 3_500_000,
    maxTotalBytes: 35_000_000,
    // uploadMediaRequest content types in bandwidth.yml.
    mediaTypes: [
      'image/jpeg',
      'image/png',
      'image/gif',
      'image/bmp',
      'image/heic',
      'image/heif',
      'image/webp',
      'image/tiff',
      'image/svg+xml',
      'audio/mp4',
      'audio/mpeg',
      'audio/ogg',
      'audio/amr',
      'audio/3gpp',
      'audio/wav',
      'audio/webm',
      'audio/flac',
      'video/mp4',
      'video/mpeg',
      'video/quicktime',
      'video/ogg',
      'video/avi',
      'text/vcard',
      'text/x-vcard',
      'text/calendar',
      'text/plain',
      'application/pdf',
    ],
    mediaTransport: 'url-or-upload',
    // messageRequest.text maxLength; Bandwidth recommends ≤ 1000 characters for MMS.
    maxBodyChars: 2048,
    statusLookup: true,
    // v2 has no per-message callback URL: callbacks go to the application's OutboundCallbackUrl.
    statusCallbacks: false,
    signature: 'HTTP Basic auth with the callback credentials set on the messaging application (no HMAC)',
    // Default account rate is 1 message (segment) per second; excess is queued (900 max).
    defaultRatePerSecond: 1,
    notes:
      'OAuth 2.0 client credentials (API users retire 2026-12-02). Local files are uploaded to ' +
      'Bandwidth media storage (kept 48 h). Carriers deliver ~1 MB reliably (AT&T/T-Mobile 1 MB, ' +
      'Verizon 1.5 MB); toll-free MMS allows 525 KB in total (error 4411). Delivery receipts for MMS ' +
      'need the Feature_MMS_DLR account flag; status and inbound callbacks go to the application URLs. ' +
      'Inbound media downloads need the account credentials.',
  },
  credentialFields,
  // List Messages `messageStatus`, matched in upper case.
  statusMap: {
    RECEIVED: 'received',
    QUEUED: 'queued',
    SENDING: 'sending',
    SENT: 'sent',
    FAILED: 'failed',
    DELIVERED: 'delivered',
    ACCEPTED: 'accepted',
    UNDELIVERED: 'undelivered',
  },
  // Callback `type` values (statusCallbackTypeEnum + message-received).
  callbackStatusMap: {
    'message-sending': 'sending',
    'message-sent': 'sent',
    'message-delivered': 'delivered',
    'message-failed': 'failed',
    'message-read': 'delivered',
    'message-received': 'received',
  },
  errors: {
    precedence: 'status',
    // The error `type`.
    codes: {
      'max-message-queue-size-exceeded': { code: ErrorCode.RATE_LIMITED, suggestion: QUEUE_HINT },
    },
    statusHints: {
      AUTH_REJECTED:
        `Check ${envName(self, 'clientId')}/${envName(self, 'clientSecret')} and ${envName(self, 'accountId')}, ` + `then run \`${loginCommand(self)}\` again`,
      AUTH_FORBIDDEN: 'These OAuth credentials lack the Messaging role for this account, or the account id is wrong',
      RATE_LIMITED: QUEUE_HINT,
      PROVIDER_UNAVAILABLE: 'Bandwidth had a server error; try again later',
    },
  },
  // Callbacks carry the application's callback credentials as HTTP Basic auth: both are needed.
  webhookSecret: { keys: ['callbackUsername', 'callbackPassword'] },
  rateLimitHeaders: { retryAfter: 'retry-after' },
  // A new message can take a few seconds to show in List Messages.
  messageLogDelayMs: 60_000,
};

/** "BW_CLIENT_ID and BW_CLIENT_SECRET": the OAuth client's variables, for token errors. */
export const OAUTH_CLIENT_ENV = envNames(self, ['clientId', 'clientSecret']);
