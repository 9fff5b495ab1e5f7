// Telnyx responses and errors → our results and error codes.
// Error body: {errors: [{code (a string), title, detail, source: {pointer}, meta}]}.
// https://developers.telnyx.com/development/api-fundamentals/api-errors
// https://developers.telnyx.com/development/api-fundamentals/reliability/rate-limiting
// https://developers.telnyx.com/api/errors/40310
import type { MessageStatus, MessageStatusInfo, ProviderAcceptance } from '../../core/types.js';
import { ErrorCode, ProviderError, exitCodeForErrorCode } from '../../errors/errors.js';
import type { HttpResponse } from '../http-client.js';
import { parseJson } from '../shared.js';
import { lookup, type ErrorRule } from '../descriptor.js';
import { providerHttpError, retryAfterMs } from '../provider-error.js';
import { telnyxDescriptor } from './descriptor.js';

/** Normalises a Telnyx status word. */
export function mapTelnyxStatus(s: string | undefined): MessageStatus {
  return lookup(telnyxDescriptor.statusMap, s) ?? 'unknown';
}

interface TelnyxErrorItem {
  code?: string | number;
  title?: string;
  detail?: string;
  source?: { pointer?: string; parameter?: string };
}

/** What the request field a Telnyx error points at (its JSON pointer, e.g. "/to") means. */
function ruleForPointer(pointer: string | undefined): ErrorRule | undefined {
  if (!pointer) return undefined;
  if (pointer === '/to' || pointer.startsWith('/to/')) {
    return { code: ErrorCode.RECIPIENT_INVALID, suggestion: 'Check the recipient is a valid number in E.164 (+15551234567)' };
  }
  if (pointer === '/from' || pointer === '/messaging_profile_id') {
    return { code: ErrorCode.SENDER_INVALID, suggestion: 'Use an MMS-enabled Telnyx number (E.164) or a messaging profile id as --from' };
  }
  if (pointer.startsWith('/media_urls')) {
    return { code: ErrorCode.MEDIA_REJECTED, suggestion: 'Media URLs must be public http(s) URLs (at most 2000 characters)' };
  }
  return undefined;
}

/**
 * Milliseconds to wait before retrying: `Retry-After` when present, else (on 429) Telnyx's
 * `x-ratelimit-reset`, documented as seconds until the window resets.
 */
export function telnyxRetryAfterMs(res: HttpResponse, now = Date.now()): number | undefined {
  return retryAfterMs(res, telnyxDescriptor.rateLimitHeaders, now);
}

/** Turns a non-2xx Telnyx response into a ProviderError with our code, keeping Telnyx's. */
export function telnyxError(res: HttpResponse, now = Date.now()): ProviderError {
  const body = parseJson(res.text) as { errors?: unknown } | undefined;
  const items: TelnyxErrorItem[] = Array.isArray(body?.errors) ? (body.errors as TelnyxErrorItem[]) : [];
  const first = items[0];
  const providerCode = first?.code !== undefined && first.code !== null ? String(first.code) : undefined;
  const providerMessage = first ? [first.title, first.detail].filter((s): s is string => typeof s === 'string' && s !== '').join(': ') || undefined : undefined;

  // A field the error points at refines other 4xx answers, unless Telnyx's own code says more.
  const pointed =
    res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403 && res.status !== 429
      ? ruleForPointer(first?.source?.pointer)
      : undefined;
  const rule = lookup(telnyxDescriptor.errors.codes, providerCode) ? undefined : pointed;
  return providerHttpError(
    telnyxDescriptor,
    res,
    {
      ...(providerCode !== undefined ? { providerCode } : {}),
      ...(providerMessage !== undefined ? { providerMessage } : {}),
      ...(rule ? { rule } : {}),
      ...(items.length > 1 ? { messageSuffix: ` (+${items.length - 1} more)` } : {}),
    },
    now,
  );
}

/** The message object inside `{data: …}` (outbound or inbound), as far as we read it. */
export interface TelnyxMessage {
  id?: string;
  direction?: string;
  type?: string;
  from?: { phone_number?: string };
  to?: Array<{ phone_number?: string; status?: string }>;
  text?: string | null;
  media?: Array<{ url?: string; content_type?: string | null; size?: number | null }>;
  errors?: TelnyxErrorItem[];
  received_at?: string | null;
  sent_at?: string | null;
  completed_at?: string | null;
}

function dataOf(res: HttpResponse): TelnyxMessage | undefined {
  const body = parseJson(res.text) as { data?: unknown } | undefined;
  const data = body?.data;
  return data && typeof data === 'object' ? (data as TelnyxMessage) : undefined;
}

/** Parses a 200 Send Message response: the id plus the (single) recipient's status. */
export function parseTelnyxSend(res: HttpResponse): ProviderAcceptance {
  if (res.status < 200 || res.status >= 300) throw telnyxError(res);
  const msg = dataOf(res);
  if (!msg || typeof msg.id !== 'string' || msg.id === '') {
    throw new ProviderError(ErrorCode.PROVIDER_UNAVAILABLE, exitCodeForErrorCode(ErrorCode.PROVIDER_UNAVAILABLE), 'Telnyx answered without a message id', {
      provider: 'telnyx',
      httpStatus: res.status,
    });
  }
  const word = msg.to?.[0]?.status;
  return { id: msg.id, status: mapTelnyxStatus(word), providerStatus: word ?? 'unknown' };
}

/** Parses a GET /v2/messages/{id} response. */
export function parseTelnyxStatus(res: HttpResponse): MessageStatusInfo {
  if (res.status !== 200) throw telnyxError(res);
  const msg = dataOf(res) ?? {};
  const word = msg.to?.[0]?.status;
  const info: MessageStatusInfo = { id: msg.id ?? '', status: mapTelnyxStatus(word), providerStatus: word ?? 'unknown' };
  const to = msg.to?.[0]?.phone_number;
  if (to) info.to = to;
  if (msg.from?.phone_number) info.from = msg.from.phone_number;
  if (typeof msg.text === 'string') info.body = msg.text;
  if (Array.isArray(msg.media)) info.numMedia = msg.media.length;
  const err = msg.errors?.[0];
  if (err?.code !== undefined) info.errorCode = String(err.code);
  const errText = err ? [err.title, err.detail].filter((s) => typeof s === 'string' && s !== '').join(': ') : '';
  if (errText) info.errorMessage = errText;
  const created = msg.received_at ?? msg.sent_at;
  if (created) info.dateCreated = created;
  const updated = msg.completed_at ?? msg.sent_at;
  if (updated) info.dateUpdated = updated;
  return info;
}
