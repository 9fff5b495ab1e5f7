// Twilio responses and errors → our results and error codes.
// Error body: {code, message, more_info, status} (twilio-node RestException).
// https://www.twilio.com/docs/api/errors
import type { MessageStatus, MessageStatusInfo, ProviderAcceptance } from '../../core/types.js';
import { ErrorCode, ProviderError, exitCodeForErrorCode, type ErrorCodeValue } from '../../errors/errors.js';
import type { HttpResponse } from '../http-client.js';
import { parseJson, parseRetryAfter } from '../shared.js';

const STATUS_MAP: Record<string, MessageStatus> = {
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
};

/** Normalises a Twilio status word. */
export function mapTwilioStatus(s: string | undefined): MessageStatus {
  return (s && STATUS_MAP[s]) || 'unknown';
}

/** Twilio error codes with a more specific meaning than "rejected". */
const CODE_MAP: Record<number, { code: ErrorCodeValue; suggestion?: string }> = {
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
};

interface TwilioErrorBody {
  code?: number;
  message?: string;
  more_info?: string;
  status?: number;
}

/** Turns a non-2xx Twilio response into a ProviderError with our code, keeping Twilio's. */
export function twilioError(res: HttpResponse): ProviderError {
  const body = (parseJson(res.text) ?? {}) as TwilioErrorBody;
  const twCode = typeof body.code === 'number' ? body.code : undefined;
  const twMsg = typeof body.message === 'string' ? body.message : undefined;
  let code: ErrorCodeValue;
  let suggestion: string | undefined;
  const mapped = twCode !== undefined ? CODE_MAP[twCode] : undefined;
  if (mapped) {
    code = mapped.code;
    suggestion = mapped.suggestion;
  } else if (res.status === 401) {
    code = ErrorCode.AUTH_REJECTED;
    suggestion = 'Check the credentials, then run `mms login` again';
  } else if (res.status === 403) {
    code = ErrorCode.AUTH_FORBIDDEN;
    suggestion = 'These credentials may not use this resource (test credentials can only send)';
  } else if (res.status === 404) code = ErrorCode.NOT_FOUND;
  else if (res.status === 429) code = ErrorCode.RATE_LIMITED;
  else if (res.status >= 500) {
    code = ErrorCode.PROVIDER_UNAVAILABLE;
    suggestion = 'Twilio had a server error; try again later';
  } else code = ErrorCode.PROVIDER_REJECTED;
  const message = `Twilio ${twCode ?? `HTTP ${res.status}`}: ${twMsg ?? (res.text.slice(0, 200) || 'no message')}`;
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  return new ProviderError(code, exitCodeForErrorCode(code), message, {
    provider: 'twilio',
    httpStatus: res.status,
    ...(twCode !== undefined ? { providerCode: twCode } : {}),
    ...(twMsg !== undefined ? { providerMessage: twMsg } : {}),
    ...(typeof body.more_info === 'string' ? { moreInfo: body.more_info } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(suggestion !== undefined ? { suggestion } : {}),
  });
}

interface TwilioMessage {
  sid?: string;
  status?: string;
  to?: string;
  from?: string;
  body?: string;
  num_media?: string;
  error_code?: number | null;
  error_message?: string | null;
  date_created?: string;
  date_updated?: string;
}

/** Parses a 201 Create Message response. */
export function parseTwilioSend(res: HttpResponse): ProviderAcceptance {
  if (res.status < 200 || res.status >= 300) throw twilioError(res);
  const msg = parseJson(res.text) as TwilioMessage | undefined;
  if (!msg || typeof msg.sid !== 'string') {
    throw new ProviderError(ErrorCode.PROVIDER_UNAVAILABLE, exitCodeForErrorCode(ErrorCode.PROVIDER_UNAVAILABLE), 'Twilio answered without a message SID', {
      provider: 'twilio',
      httpStatus: res.status,
    });
  }
  return { id: msg.sid, status: mapTwilioStatus(msg.status), providerStatus: msg.status ?? 'unknown' };
}

/** Parses a Fetch Message response. */
export function parseTwilioStatus(res: HttpResponse): MessageStatusInfo {
  if (res.status !== 200) throw twilioError(res);
  const msg = (parseJson(res.text) ?? {}) as TwilioMessage;
  const info: MessageStatusInfo = {
    id: msg.sid ?? '',
    status: mapTwilioStatus(msg.status),
    providerStatus: msg.status ?? 'unknown',
  };
  if (msg.to) info.to = msg.to;
  if (msg.from) info.from = msg.from;
  if (typeof msg.body === 'string') info.body = msg.body;
  if (msg.num_media !== undefined) info.numMedia = Number(msg.num_media);
  if (msg.error_code != null) info.errorCode = msg.error_code;
  if (msg.error_message) info.errorMessage = msg.error_message;
  if (msg.date_created) info.dateCreated = msg.date_created;
  if (msg.date_updated) info.dateUpdated = msg.date_updated;
  return info;
}

/**
 * Picks the newest outbound message created at or after `since` from a Messages list response.
 * Twilio's date_created has one-second precision, so `since` is rounded down to the second.
 */
export function findRecentMessage(listJson: string, since: Date): { id: string; providerStatus: string } | undefined {
  const body = parseJson(listJson) as { messages?: Array<TwilioMessage & { direction?: string }> } | undefined;
  const floor = Math.floor(since.getTime() / 1000) * 1000;
  for (const m of body?.messages ?? []) {
    if (!m.sid || (m.direction && !m.direction.startsWith('outbound'))) continue;
    const created = m.date_created ? Date.parse(m.date_created) : NaN;
    if (Number.isFinite(created) && created >= floor) return { id: m.sid, providerStatus: m.status ?? 'unknown' };
  }
  return undefined;
}

/** The fields of an IncomingPhoneNumber we read (twilio-oai api_v2010 `incoming_phone_number`). */
export interface TwilioIncomingNumber {
  sid: string;
  phone_number: string;
  sms_url?: string | null;
  sms_method?: string | null;
  sms_fallback_url?: string | null;
  sms_fallback_method?: string | null;
  sms_application_sid?: string | null;
}

/** Parses the IncomingPhoneNumbers list (key `incoming_phone_numbers`). */
export function parseIncomingNumbers(res: HttpResponse): TwilioIncomingNumber[] {
  if (res.status !== 200) throw twilioError(res);
  const body = parseJson(res.text) as { incoming_phone_numbers?: unknown } | undefined;
  const list = Array.isArray(body?.incoming_phone_numbers) ? body.incoming_phone_numbers : [];
  return list.filter((n): n is TwilioIncomingNumber => !!n && typeof n === 'object' && typeof (n as TwilioIncomingNumber).sid === 'string' && typeof (n as TwilioIncomingNumber).phone_number === 'string');
}

/** The entry for exactly `number` (the PhoneNumber filter also matches partial numbers), or undefined. */
export function findIncomingNumber(list: TwilioIncomingNumber[], number: string): TwilioIncomingNumber | undefined {
  return list.find((n) => n.phone_number === number);
}

/** A number's current inbound settings, with nulls as ''. */
export function inboundSettingsOf(n: TwilioIncomingNumber): { sid: string; smsUrl: string; smsMethod: string; smsFallbackUrl: string; smsFallbackMethod: string; smsApplicationSid: string } {
  return {
    sid: n.sid,
    smsUrl: n.sms_url ?? '',
    smsMethod: n.sms_method ?? 'POST',
    smsFallbackUrl: n.sms_fallback_url ?? '',
    smsFallbackMethod: n.sms_fallback_method ?? 'POST',
    smsApplicationSid: n.sms_application_sid ?? '',
  };
}

/**
 * True when the number belongs to a Messaging Service: Twilio then routes its inbound messages to
 * the service's Inbound Request URL, not the number's sms_url (reference §1.8). The number's
 * sms_application_sid then holds the service's MG… SID (observed behaviour; the API docs only say
 * an application SID overrides the URLs).
 */
export function messagingServiceOf(n: TwilioIncomingNumber): string | undefined {
  const sid = n.sms_application_sid ?? '';
  return /^MG[0-9a-fA-F]{32}$/.test(sid) ? sid : undefined;
}
