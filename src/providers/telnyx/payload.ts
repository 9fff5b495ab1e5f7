// Telnyx Messaging API v2: Send a message.
// https://developers.telnyx.com/docs/messaging/messages/send-message/index
// https://developers.telnyx.com/docs/messaging/messages/send-receive-mms
// Wire facts: /work/shared/reference/providers-twilio-telnyx-plivo.md §2.1–2.2 (team-telnyx/openapi spec3.json).
import type { MessageRequest } from '../../core/types.js';
import { ErrorCode, MediaError } from '../../errors/errors.js';
import { isUuid } from '../shared.js';

/** Path of the message resource under the API base URL. */
export const TELNYX_MESSAGES_PATH = '/v2/messages';

/** JSON body of POST /v2/messages (snake_case, as on the wire). */
export interface TelnyxMessagePayload {
  to: string;
  from?: string;
  messaging_profile_id?: string;
  text?: string;
  media_urls?: string[];
  type?: 'SMS' | 'MMS';
  webhook_url?: string;
}

/**
 * Builds the JSON body for POST /v2/messages. A UUID in `from` is taken as a messaging profile id,
 * which sends from the profile's number pool (Telnyx's counterpart of a Twilio Messaging Service).
 */
export function buildTelnyxPayload(req: MessageRequest): TelnyxMessagePayload {
  if (req.mediaIds && req.mediaIds.length > 0) {
    // Telnyx's Media Storage API is documented for fax/voice only; /v2/messages takes URLs (§2.2).
    throw new MediaError(ErrorCode.MEDIA_NEEDS_PUBLIC_URL, 'Telnyx needs media as public URLs; uploaded media ids are not supported', {
      suggestion: 'Pass --media as an https URL, or serve local files through `mms listen --tunnel`',
    });
  }
  const body: TelnyxMessagePayload = { to: req.to };
  if (isUuid(req.from)) body.messaging_profile_id = req.from;
  else body.from = req.from;
  if (req.body !== undefined && req.body !== '') body.text = req.body;
  if (req.mediaUrls.length > 0) {
    body.media_urls = [...req.mediaUrls];
    // The enum is upper case; with media Telnyx would infer MMS anyway, but being explicit keeps a
    // text-plus-media message from being split into SMS segments on odd routes.
    body.type = 'MMS';
  }
  if (req.statusCallbackUrl) body.webhook_url = req.statusCallbackUrl;
  return body;
}

/** Request headers for every Telnyx API call: Bearer API key and JSON. */
export function telnyxHeaders(apiKey: string, withBody = false): Record<string, string> {
  const h: Record<string, string> = { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' };
  if (withBody) h['Content-Type'] = 'application/json';
  return h;
}
