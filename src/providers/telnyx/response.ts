// Telnyx responses and errors → our results and error codes.
// Error body: {errors: [{code (a string), title, detail, source: {pointer}, meta}]}.
// https://developers.telnyx.com/development/api-fundamentals/api-errors
// https://developers.telnyx.com/development/api-fundamentals/reliability/rate-limiting
// https://developers.telnyx.com/api/errors/40310
import type { MessageStatus, MessageStatusInfo, ProviderAcceptance } from '../../core/types.js';
import { ErrorCode, ProviderError, exitCodeForErrorCode, type ErrorCodeValue } from '../../errors/errors.js';
import type { HttpResponse } from '../http-client.js';
import { errorCodeForHttpStatus, parseJson, parseRetryAfter } from '../shared.js';

// Per-recipient statuses from telnyx-node (reference §2.6). Telnyx reports status per `to[]` entry.
const STATUS_MAP: Record<string, MessageStatus> = {
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
};

/** Normalises a Telnyx status word. */
export function mapTelnyxStatus(s: string | undefined): MessageStatus {
  return (s && STATUS_MAP[s]) || 'unknown';
}

interface TelnyxErrorItem {
  code?: string | number;
  title?: string;
  detail?: string;
  source?: { pointer?: string; parameter?: string };
}

/** Telnyx codes with a more specific meaning than "rejected" (codes are strings on the wire). */
const CODE_MAP: Record<string, { code: ErrorCodeValue; suggestion?: string }> = {
  '10009': { code: ErrorCode.AUTH_REJECTED, suggestion: 'Check TELNYX_API_KEY (Mission Control → API Keys), then run `mms login telnyx` again' },
  '10010': { code: ErrorCode.AUTH_FORBIDDEN, suggestion: 'This API key may not use this resource: check the key and the account status' },
  '10005': { code: ErrorCode.NOT_FOUND },
  '10011': { code: ErrorCode.RATE_LIMITED, suggestion: 'Lower --concurrency/--rate (Telnyx MMS default: 15 messages/s), or try again shortly' },
  '40310': { code: ErrorCode.RECIPIENT_INVALID, suggestion: 'Use one recipient in E.164 (+15551234567) per message' },
  // 40305 "invalid from" is named in a third-party test fixture (reference §2.3).
  '40305': { code: ErrorCode.SENDER_INVALID, suggestion: 'Use an MMS-enabled Telnyx number (E.164) or a messaging profile id as --from' },
  // 40300 "blocked by STOP" is reported by third parties only (reference §2.3, unconfirmed).
  '40300': { code: ErrorCode.RECIPIENT_OPTED_OUT, suggestion: 'The recipient replied STOP; they must reply START to receive messages again' },
};

/** Which request field a Telnyx error points at, by its JSON pointer (e.g. "/to"). */
function codeForPointer(pointer: string | undefined): ErrorCodeValue | undefined {
  if (!pointer) return undefined;
  if (pointer === '/to' || pointer.startsWith('/to/')) return ErrorCode.RECIPIENT_INVALID;
  if (pointer === '/from' || pointer === '/messaging_profile_id') return ErrorCode.SENDER_INVALID;
  if (pointer.startsWith('/media_urls')) return ErrorCode.MEDIA_REJECTED;
  return undefined;
}

/**
 * Milliseconds to wait before retrying: `Retry-After` when present, else (on 429) Telnyx's
 * `x-ratelimit-reset`, documented as seconds until the window resets.
 */
export function telnyxRetryAfterMs(res: HttpResponse, now = Date.now()): number | undefined {
  const retryAfter = parseRetryAfter(res.headers['retry-after'], now);
  if (retryAfter !== undefined || res.status !== 429) return retryAfter;
  const reset = res.headers['x-ratelimit-reset']?.trim();
  if (!reset || !/^\d+(\.\d+)?$/.test(reset)) return undefined;
  const n = Number(reset);
  // Defensive: a value that looks like an epoch timestamp is treated as one rather than as a delay
  // of several decades.
  if (n > 1_000_000_000) return Math.max(0, Math.round(n * 1000 - now));
  return Math.round(n * 1000);
}

/** Turns a non-2xx Telnyx response into a ProviderError with our code, keeping Telnyx's. */
export function telnyxError(res: HttpResponse, now = Date.now()): ProviderError {
  const body = parseJson(res.text) as { errors?: unknown } | undefined;
  const items: TelnyxErrorItem[] = Array.isArray(body?.errors) ? (body.errors as TelnyxErrorItem[]) : [];
  const first = items[0];
  const providerCode = first?.code !== undefined && first.code !== null ? String(first.code) : undefined;
  const providerMessage = first ? [first.title, first.detail].filter((s): s is string => typeof s === 'string' && s !== '').join(': ') || undefined : undefined;

  let code: ErrorCodeValue;
  let suggestion: string | undefined;
  const mapped = providerCode !== undefined ? CODE_MAP[providerCode] : undefined;
  const pointed = res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403 && res.status !== 429
    ? codeForPointer(first?.source?.pointer)
    : undefined;
  if (mapped) {
    code = mapped.code;
    suggestion = mapped.suggestion;
  } else if (pointed) {
    code = pointed;
    if (pointed === ErrorCode.RECIPIENT_INVALID) suggestion = 'Check the recipient is a valid number in E.164 (+15551234567)';
    else if (pointed === ErrorCode.SENDER_INVALID) suggestion = 'Use an MMS-enabled Telnyx number (E.164) or a messaging profile id as --from';
    else suggestion = 'Media URLs must be public http(s) URLs (at most 2000 characters)';
  } else {
    code = errorCodeForHttpStatus(res.status);
    if (code === ErrorCode.AUTH_REJECTED) suggestion = 'Check TELNYX_API_KEY, then run `mms login telnyx` again';
    else if (code === ErrorCode.PROVIDER_UNAVAILABLE) suggestion = 'Telnyx had a server error; try again later';
  }
  const extra = items.length > 1 ? ` (+${items.length - 1} more)` : '';
  const message = `Telnyx ${providerCode ?? `HTTP ${res.status}`}: ${providerMessage ?? (res.text.slice(0, 200) || 'no message')}${extra}`;
  const retryAfterMs = telnyxRetryAfterMs(res, now);
  return new ProviderError(code, exitCodeForErrorCode(code), message, {
    provider: 'telnyx',
    httpStatus: res.status,
    ...(providerCode !== undefined ? { providerCode } : {}),
    ...(providerMessage !== undefined ? { providerMessage } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(suggestion !== undefined ? { suggestion } : {}),
  });
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
