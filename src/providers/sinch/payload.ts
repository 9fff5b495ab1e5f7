// Sinch SMS REST API (XMS) batches: MMS as `type: "mt_media"` (pure).
// https://developers.sinch.com/docs/sms/api-reference/sms/tag/Batches/#tag/Batches/operation/SendSMS
// https://developers.sinch.com/docs/sms/api-reference/mms-support  (mt_media; "scheduled for deprecation")
// Body shape: sinch-sdk-node packages/sms/src/models/v1/media-request (reference §3.1–3.2).
import type { MessageRequest } from '../../core/types.js';
import { ErrorCode, InputError } from '../../errors/errors.js';
import { SINCH_DEFAULT_BASE_URL } from './descriptor.js';

/**
 * The API host for a call. An explicit base URL override (sandbox, fake server) always wins;
 * with the default host, the credential `region` (SMS_REGION) picks `{region}.sms.api.sinch.com`.
 */
export function sinchBaseUrl(baseUrl: string, region: string | undefined): string {
  const r = region?.trim().toLowerCase();
  if (baseUrl.replace(/\/+$/, '') !== SINCH_DEFAULT_BASE_URL || !r || r === 'us') return baseUrl;
  return `https://${r}.sms.api.sinch.com`;
}

/** Path of the batches collection of a service plan. */
export function batchesPath(servicePlanId: string): string {
  return `/xms/v1/${encodeURIComponent(servicePlanId)}/batches`;
}

/** An MMS batch (`MediaRequest`). */
export interface SinchMediaBatch {
  type: 'mt_media';
  to: string[];
  from: string;
  /** Exactly one media URL; `message` is the text shown with it. */
  body: { url: string; message?: string };
  callback_url?: string;
  delivery_report?: 'per_recipient';
}

/** A text batch (`mt_text` is the default type, so it is not sent). */
export interface SinchTextBatch {
  to: string[];
  from: string;
  body: string;
  callback_url?: string;
  delivery_report?: 'per_recipient';
}

/**
 * Builds the batch body. One media item → `mt_media` with the text as `body.message`. No media →
 * a plain text batch: Sinch rejects "text only media messages" and says to use SMS instead. More
 * than one item cannot be sent through XMS (validation against capabilities should catch it first).
 * A status callback URL asks for one delivery report per recipient at that URL.
 */
export function buildSinchPayload(req: MessageRequest): SinchMediaBatch | SinchTextBatch {
  const text = req.body !== undefined && req.body !== '' ? req.body : undefined;
  const callback = req.statusCallbackUrl ? { callback_url: req.statusCallbackUrl, delivery_report: 'per_recipient' as const } : {};
  if (req.mediaUrls.length > 1) {
    throw new InputError(ErrorCode.MEDIA_TOO_MANY, `Sinch MMS (mt_media) carries one media item; got ${req.mediaUrls.length}`, {
      suggestion: 'Send one --media per message with Sinch, or use a provider that allows several',
    });
  }
  const url = req.mediaUrls[0];
  if (url === undefined) {
    return { to: [req.to], from: req.from, body: text ?? '', ...callback };
  }
  return { type: 'mt_media', to: [req.to], from: req.from, body: text !== undefined ? { url, message: text } : { url }, ...callback };
}

/** `Authorization: Bearer <API token>` of the service plan. */
export function sinchAuthHeader(apiToken: string): string {
  return `Bearer ${apiToken}`;
}
