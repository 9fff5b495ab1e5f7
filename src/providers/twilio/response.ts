// Twilio responses and errors → our results and error codes.
// Error body: {code, message, more_info, status} (twilio-node RestException).
// https://www.twilio.com/docs/api/errors
import type { InboundMedia, MessageStatus, MessageStatusInfo, ProviderAcceptance } from '../../core/types.js';
import { ErrorCode, ProviderError, exitCodeForErrorCode } from '../../errors/errors.js';
import type { HttpResponse } from '../http-client.js';
import { parseJson } from '../shared.js';
import { providerHttpError } from '../provider-error.js';
import { lookup } from '../descriptor.js';
import { twilioDescriptor } from './descriptor.js';

/** Normalises a Twilio status word. */
export function mapTwilioStatus(s: string | undefined): MessageStatus {
  return lookup(twilioDescriptor.statusMap, s) ?? 'unknown';
}

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
  return providerHttpError(twilioDescriptor, res, {
    ...(twCode !== undefined ? { providerCode: twCode } : {}),
    ...(twMsg !== undefined ? { providerMessage: twMsg } : {}),
    ...(typeof body.more_info === 'string' ? { moreInfo: body.more_info } : {}),
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
  return list.filter(
    (n): n is TwilioIncomingNumber =>
      !!n && typeof n === 'object' && typeof (n as TwilioIncomingNumber).sid === 'string' && typeof (n as TwilioIncomingNumber).phone_number === 'string',
  );
}

/** The entry for exactly `number` (the PhoneNumber filter also matches partial numbers), or undefined. */
export function findIncomingNumber(list: TwilioIncomingNumber[], number: string): TwilioIncomingNumber | undefined {
  return list.find((n) => n.phone_number === number);
}

/** A number's current inbound settings, with nulls as ''. */
export function inboundSettingsOf(n: TwilioIncomingNumber): {
  sid: string;
  smsUrl: string;
  smsMethod: string;
  smsFallbackUrl: string;
  smsFallbackMethod: string;
  smsApplicationSid: string;
} {
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

/** An inbound message as one page of the Messages list shows it (media are listed separately). */
export interface TwilioInboundRecord {
  id: string;
  from: string;
  to: string;
  body: string;
  numMedia: number;
  /** date_created: when Twilio received it, ms since the epoch. */
  at: number;
}

/** One page of the received-messages search: the matches, and the next page's URI while the log may hold more. */
export interface TwilioInboundPage {
  messages: TwilioInboundRecord[];
  next?: string;
}

/**
 * Reads one page of GET …/Messages.json?To=… (newest first) for inbound messages created inside
 * the window (`since` rounded down to the second: date_created's precision). Once the page reaches
 * messages older than the window, later pages cannot match, so no next page is given.
 */
export function parseTwilioInboundPage(res: HttpResponse, window: { since: Date; until?: Date | undefined }): TwilioInboundPage {
  if (res.status !== 200) throw twilioError(res);
  const body = parseJson(res.text) as { messages?: Array<TwilioMessage & { direction?: string }>; next_page_uri?: string | null } | undefined;
  if (!body || !Array.isArray(body.messages)) {
    throw new ProviderError(ErrorCode.PROVIDER_UNAVAILABLE, exitCodeForErrorCode(ErrorCode.PROVIDER_UNAVAILABLE), 'Twilio answered without a message list', {
      provider: 'twilio',
      httpStatus: res.status,
    });
  }
  const floor = Math.floor(window.since.getTime() / 1000) * 1000;
  const until = window.until?.getTime() ?? Infinity;
  const messages: TwilioInboundRecord[] = [];
  let reachedOlder = false;
  for (const m of body.messages) {
    const at = m.date_created ? Date.parse(m.date_created) : NaN;
    if (Number.isFinite(at) && at < floor) reachedOlder = true;
    if (!m.sid || m.direction !== 'inbound' || !Number.isFinite(at) || at < floor || at > until) continue;
    messages.push({ id: m.sid, from: m.from ?? '', to: m.to ?? '', body: m.body ?? '', numMedia: Number(m.num_media ?? 0) || 0, at });
  }
  const next = !reachedOlder && typeof body.next_page_uri === 'string' && body.next_page_uri !== '' ? body.next_page_uri : undefined;
  return { messages, ...(next !== undefined ? { next } : {}) };
}

/**
 * A message's Media list (GET …/Messages/{sid}/Media.json) as the URLs its webhook carried:
 * each item's `uri` without `.json`, on the API host (downloads take the account's Basic auth).
 */
export function parseTwilioMediaList(res: HttpResponse, baseUrl: string): InboundMedia[] {
  if (res.status !== 200) throw twilioError(res);
  const body = parseJson(res.text) as { media_list?: Array<{ uri?: unknown; content_type?: unknown }> } | undefined;
  const out: InboundMedia[] = [];
  for (const m of Array.isArray(body?.media_list) ? body.media_list : []) {
    if (typeof m.uri !== 'string' || !m.uri.startsWith('/')) continue;
    const url = `${baseUrl}${m.uri.replace(/\.json$/, '')}`;
    out.push(typeof m.content_type === 'string' && m.content_type ? { url, contentType: m.content_type } : { url });
  }
  return out;
}
