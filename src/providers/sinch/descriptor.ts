// Sinch's static facts (SMS REST API "XMS", MMS via `mt_media`, service-plan API token).
// MMS: https://developers.sinch.com/docs/sms/api-reference/mms-support
// Errors: https://developers.sinch.com/docs/sms/api-reference/status-codes  ({code, text})
// Wire facts: /work/shared/reference/providers-vonage-bandwidth-sinch-aws.md §3.1–3.9.
import { ErrorCode } from '../../errors/errors.js';
import { envName, envNames, loginCommand, type CredentialField, type ProviderDescriptor } from '../descriptor.js';

/** US region host. Others: eu, br, ca, au (sinch-sdk-node SMS_HOSTNAME). */
export const SINCH_DEFAULT_BASE_URL = 'https://us.sms.api.sinch.com';

/** Regions the service-plan (API token) endpoint exists in. */
export const SINCH_REGIONS = ['us', 'eu', 'br', 'ca', 'au'] as const;

const credentialFields: CredentialField[] = [
  {
    key: 'servicePlanId',
    label: 'Service plan ID',
    secret: false,
    required: true,
    env: ['SINCH_SERVICE_PLAN_ID'],
    flag: 'service-plan-id',
    pattern: /^[A-Za-z0-9]{8,64}$/,
    patternHint: 'letters and digits, from dashboard.sinch.com/sms/api/services',
  },
  { key: 'apiToken', label: 'API token', secret: true, required: true, env: ['SINCH_API_TOKEN'], flag: 'api-token' },
  {
    key: 'region',
    label: 'Region (us, eu, br, ca, au)',
    secret: false,
    required: false,
    env: ['SMS_REGION', 'SINCH_SMS_REGION'],
    flag: 'region',
    pattern: /^(us|eu|br|ca|au)$/,
    patternHint: 'one of us, eu, br, ca, au',
  },
  // Sinch defines no env name for the webhook secret; this one is ours.
  { key: 'webhookSecret', label: 'Webhook signing secret', secret: true, required: false, env: ['SINCH_WEBHOOK_SECRET'], flag: 'webhook-secret' },
];
const self = { name: 'sinch', credentialFields };

/** 403 codes that are about the request, not the credentials. */
const REQUEST_403 = { code: ErrorCode.PROVIDER_REJECTED, beatsStatus: true } as const;

/** Sinch: capabilities, credentials, status words, error codes. */
export const sinchDescriptor: ProviderDescriptor<'sinch'> = {
  name: 'sinch',
  displayName: 'Sinch',
  defaultBaseUrl: SINCH_DEFAULT_BASE_URL,
  capabilities: {
    // mt_media has a single `body.url`.
    maxMedia: 1,
    // Sinch publishes no hard XMS MMS size limit; it recommends under 1 MB (carrier limits).
    maxFileBytes: 1024 * 1024,
    maxTotalBytes: 1024 * 1024,
    mediaTypes: [
      'image/jpeg',
      'image/png',
      'image/gif',
      'audio/mpeg',
      'audio/mp4',
      'audio/amr',
      'video/mp4',
      'video/3gpp',
      'video/quicktime',
      'text/vcard',
      'text/x-vcard',
      'text/calendar',
      'application/pdf',
    ],
    mediaTransport: 'url',
    // Not published for mt_media text; a conservative guard.
    maxBodyChars: 1600,
    statusLookup: true,
    // callback_url per batch, with delivery_report "per_recipient".
    statusCallbacks: true,
    signature: 'x-sinch-webhook-signature: base64 HMAC-SHA256 of body.nonce.timestamp (optional, set up per service plan)',
    // Throughput is set per service plan by Sinch and not published; 1/s is a safe default.
    defaultRatePerSecond: 1,
    notes:
      'MMS through the SMS REST API (mt_media): ONE media item per message, given as a public URL ' +
      '(no upload API); the media server must send Content-Length (no chunked encoding) and a real ' +
      'Content-Type. US, Canada, Australia and Puerto Rico only, enabled by your account manager; Sinch has ' +
      'scheduled this MMS route for deprecation. Text-only messages go out as SMS. Size and type limits ' +
      'are not published (under 1 MB recommended). Inbound messages go to the service plan callback URL ' +
      'set in the dashboard. Webhook signing must be enabled for the service plan.',
  },
  credentialFields,
  // Delivery report status words (sinch-sdk-node enums.ts DeliveryReportStatusEnum), matched in lower case.
  statusMap: {
    queued: 'queued',
    dispatched: 'sent',
    aborted: 'failed',
    cancelled: 'canceled',
    rejected: 'failed',
    deleted: 'failed',
    delivered: 'delivered',
    failed: 'failed',
    expired: 'undelivered',
    unknown: 'unknown',
  },
  errors: {
    precedence: 'status',
    codes: {
      unknown_group: REQUEST_403,
      unknown_campaign: REQUEST_403,
      missing_callback_url: REQUEST_403,
    },
    statusHints: {
      AUTH_REJECTED:
        `Check ${envNames(self, ['servicePlanId', 'apiToken', 'region'])} (the token is valid in one region only), ` +
        `then run \`${loginCommand(self)}\` again`,
      AUTH_FORBIDDEN: 'This service plan may not send MMS: ask your Sinch account manager to enable it',
      RATE_LIMITED: 'Too many outstanding requests for this service plan: lower --rate or try again shortly',
      PROVIDER_UNAVAILABLE: 'Sinch had a server error; try again later',
    },
  },
  webhookSecret: { keys: ['webhookSecret'] },
  rateLimitHeaders: { retryAfter: 'retry-after' },
  // Sinch documents no figure for List Batches: trust "not in the log" only after a minute.
  messageLogDelayMs: 60_000,
};

/** The region variable hints name (SMS_REGION, as Sinch's SDKs read it). */
export const SINCH_REGION_ENV = envName(self, 'region');
