// Bandwidth Messaging v2 responses and errors → our results and error codes (pure).
// Errors: https://dev.bandwidth.com/docs/messaging/errors  ({type, description, fieldErrors?})
// List Messages (status lookup): https://dev.bandwidth.com/apis/messaging/#tag/Messages/operation/listMessages
import type { InboundMedia, MessageStatus, MessageStatusInfo, ProviderAcceptance } from '../../core/types.js';
import { ErrorCode, ProviderError, exitCodeForErrorCode } from '../../errors/errors.js';
import type { HttpResponse } from '../http-client.js';
import { parseJson } from '../shared.js';
import { envName, lookup, type ErrorRule } from '../descriptor.js';
import { providerHttpError } from '../provider-error.js';
import { bandwidthDescriptor } from './descriptor.js';

/** Normalises a List Messages `messageStatus`. */
export function mapBandwidthStatus(s: string | undefined): MessageStatus {
  return lookup(bandwidthDescriptor.statusMap, s?.toUpperCase()) ?? 'unknown';
}

/** Normalises a callback `type`. */
export function mapBandwidthCallbackType(t: string | undefined): MessageStatus {
  return lookup(bandwidthDescriptor.callbackStatusMap ?? {}, t) ?? 'unknown';
}

interface BandwidthErrorBody {
  type?: unknown;
  description?: unknown;
  fieldErrors?: Array<{ fieldName?: unknown; description?: unknown }>;
  // 404s use a Spring-style body instead.
  error?: unknown;
  message?: unknown;
}

/** What the first field Bandwidth blames means. */
function fieldRule(fields: Array<{ fieldName?: unknown }>): ErrorRule | undefined {
  for (const f of fields) {
    const name = typeof f.fieldName === 'string' ? f.fieldName : '';
    if (/^to(\[\d+\])?$/.test(name)) return { code: ErrorCode.RECIPIENT_INVALID, suggestion: 'Write the recipient in E.164 (+15551234567)' };
    if (name === 'from') {
      const app = envName(bandwidthDescriptor, 'applicationId');
      return { code: ErrorCode.SENDER_INVALID, suggestion: `Use a Bandwidth number in E.164 on the location linked to ${app} as --from` };
    }
    if (/^media/.test(name)) return { code: ErrorCode.MEDIA_REJECTED, suggestion: 'Media must be reachable URLs, at most 10, 3.5 MB each' };
  }
  return undefined;
}

/** Turns a non-2xx Bandwidth response into a ProviderError with our code, keeping Bandwidth's. */
export function bandwidthError(res: HttpResponse): ProviderError {
  const parsed = parseJson(res.text);
  const body: BandwidthErrorBody = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as BandwidthErrorBody) : {};
  const bwType = typeof body.type === 'string' ? body.type : typeof body.error === 'string' ? body.error : undefined;
  const fields = Array.isArray(body.fieldErrors) ? body.fieldErrors : [];
  const description = typeof body.description === 'string' ? body.description : typeof body.message === 'string' ? body.message : undefined;
  const fieldText = fields
    .map((f) => `${typeof f.fieldName === 'string' ? f.fieldName : '?'}: ${typeof f.description === 'string' ? f.description : 'invalid'}`)
    .join('; ');
  const providerMessage = [description, fieldText].filter(Boolean).join(' - ') || undefined;

  // The error type's meaning (a full queue) beats a blamed field.
  const rule = lookup(bandwidthDescriptor.errors.codes, bwType) ?? fieldRule(fields);
  return providerHttpError(bandwidthDescriptor, res, {
    ...(bwType !== undefined ? { providerCode: bwType } : {}),
    ...(providerMessage !== undefined ? { providerMessage } : {}),
    ...(rule ? { rule } : {}),
  });
}

/** Parses the 202 Create Message response (a `message` object; its id is `id`). */
export function parseBandwidthSend(res: HttpResponse): ProviderAcceptance {
  if (res.status < 200 || res.status >= 300) throw bandwidthError(res);
  const msg = parseJson(res.text) as { id?: unknown } | undefined;
  if (!msg || typeof msg.id !== 'string' || msg.id === '') {
    throw new ProviderError(
      ErrorCode.OUTCOME_UNKNOWN,
      exitCodeForErrorCode(ErrorCode.OUTCOME_UNKNOWN),
      `Bandwidth answered HTTP ${res.status} without a message id`,
      {
        provider: 'bandwidth',
        httpStatus: res.status,
        suggestion: 'The message may have been sent: check the Bandwidth App before resending',
      },
    );
  }
  // The message object has no status field; 202 means "accepted and queued".
  return { id: msg.id, status: 'accepted', providerStatus: 'accepted' };
}

interface BandwidthListedMessage {
  messageId?: string;
  sourceTn?: string;
  destinationTn?: string;
  messageStatus?: string;
  errorCode?: number | null;
  receiveTime?: string;
  attachmentCount?: number;
}

/** Parses GET /messages?messageId=… into the status of that message. */
export function parseBandwidthStatus(res: HttpResponse, id: string): MessageStatusInfo {
  if (res.status !== 200) throw bandwidthError(res);
  const body = (parseJson(res.text) ?? {}) as { messages?: BandwidthListedMessage[] };
  const msg = (body.messages ?? []).find((m) => m.messageId === id) ?? body.messages?.[0];
  if (!msg) {
    throw new ProviderError(ErrorCode.NOT_FOUND, exitCodeForErrorCode(ErrorCode.NOT_FOUND), `Bandwidth has no message ${id}`, {
      provider: 'bandwidth',
      httpStatus: res.status,
      suggestion: 'Check the id; List Messages can take a few seconds to show a new message',
    });
  }
  const info: MessageStatusInfo = {
    id: msg.messageId ?? id,
    status: mapBandwidthStatus(msg.messageStatus),
    providerStatus: msg.messageStatus ?? 'unknown',
  };
  if (msg.destinationTn) info.to = msg.destinationTn;
  if (msg.sourceTn) info.from = msg.sourceTn;
  if (typeof msg.attachmentCount === 'number') info.numMedia = msg.attachmentCount;
  // 0 means "no error" in List Messages.
  if (typeof msg.errorCode === 'number' && msg.errorCode !== 0) info.errorCode = msg.errorCode;
  if (msg.receiveTime) info.dateCreated = msg.receiveTime;
  return info;
}

/** What one List Messages page told findSent: the match, or the token of the next page. */
export interface BandwidthSentSearch {
  found?: { id: string; providerStatus: string };
  nextPageToken?: string;
}

/** `fromDateTime` value: ISO 8601 UTC with milliseconds, rounded down to the second (slack for clock and precision). */
export function bandwidthTimeFilter(since: Date): string {
  return new Date(Math.floor(since.getTime() / 1000) * 1000).toISOString();
}

/** One List Messages page (`{pageInfo, messages}`): Bandwidth's error for a non-200, a clear one for a body without a list. */
function listMessagesBody(res: HttpResponse): {
  pageInfo?: { nextPageToken?: string | null };
  messages: Array<BandwidthListedMessage & { messageDirection?: string }>;
} {
  if (res.status !== 200) throw bandwidthError(res);
  const body = parseJson(res.text) as
    { pageInfo?: { nextPageToken?: string | null }; messages?: Array<BandwidthListedMessage & { messageDirection?: string }> } | undefined;
  if (!body || !Array.isArray(body.messages)) {
    throw new ProviderError(
      ErrorCode.PROVIDER_UNAVAILABLE,
      exitCodeForErrorCode(ErrorCode.PROVIDER_UNAVAILABLE),
      'Bandwidth answered List Messages without a message list',
      { provider: 'bandwidth', httpStatus: res.status },
    );
  }
  return { ...body, messages: body.messages };
}

/**
 * Looks through one List Messages page (`{pageInfo, messages}`) for an OUTBOUND message from
 * `from` to `to` received by Bandwidth at or after `since` (rounded down to the second).
 */
export function findBandwidthSent(res: HttpResponse, q: { to: string; from: string; since: Date }): BandwidthSentSearch {
  const body = listMessagesBody(res);
  const floor = Math.floor(q.since.getTime() / 1000) * 1000;
  // The newest match on the page (lists are newest first, but a page is not trusted to be sorted).
  let best: { at: number; id: string; providerStatus: string } | undefined;
  const tn = (n: string | undefined): string => (n ?? '').replace(/^\+/, '');
  for (const m of body.messages) {
    if (!m.messageId || (m.messageDirection && m.messageDirection.toUpperCase() !== 'OUTBOUND')) continue;
    if (tn(m.destinationTn) !== tn(q.to) || tn(m.sourceTn) !== tn(q.from)) continue;
    const at = m.receiveTime ? Date.parse(m.receiveTime) : NaN;
    if (Number.isFinite(at) && at >= floor && (!best || at > best.at)) best = { at, id: m.messageId, providerStatus: m.messageStatus ?? 'unknown' };
  }
  if (best) return { found: { id: best.id, providerStatus: best.providerStatus } };
  const next = body.pageInfo?.nextPageToken;
  return typeof next === 'string' && next !== '' ? { nextPageToken: next } : {};
}

/** An inbound message as List Messages shows it: metadata only (Bandwidth stores no text and lists no media). */
export interface BandwidthInboundRecord {
  id: string;
  from: string;
  to: string;
  attachmentCount: number;
  /** receiveTime, ms since the epoch. */
  at: number;
}

/**
 * Reads one List Messages page (`{pageInfo, messages}`) of messageDirection=INBOUND for messages to
 * `to` received inside the window (`since` rounded down to the second), and the next page's token.
 * https://dev.bandwidth.com/docs/messaging/getMessage ("Bandwidth does not store text message content")
 */
export function parseBandwidthInboundPage(
  res: HttpResponse,
  q: { to: string; since: Date; until?: Date | undefined },
): { messages: BandwidthInboundRecord[]; nextPageToken?: string } {
  const body = listMessagesBody(res);
  const tn = (n: string | undefined): string => (n ?? '').replace(/^\+/, '');
  const floor = Math.floor(q.since.getTime() / 1000) * 1000;
  const until = q.until?.getTime() ?? Infinity;
  const messages: BandwidthInboundRecord[] = [];
  for (const m of body.messages) {
    if (!m.messageId || (m.messageDirection ?? '').toUpperCase() !== 'INBOUND' || tn(m.destinationTn) !== tn(q.to)) continue;
    const at = m.receiveTime ? Date.parse(m.receiveTime) : NaN;
    if (!Number.isFinite(at) || at < floor || at > until) continue;
    const attachmentCount = typeof m.attachmentCount === 'number' && m.attachmentCount > 0 ? m.attachmentCount : 0;
    messages.push({ id: m.messageId, from: m.sourceTn ?? '', to: m.destinationTn ?? '', attachmentCount, at });
  }
  const next = body.pageInfo?.nextPageToken;
  return { messages, ...(typeof next === 'string' && next !== '' ? { nextPageToken: next } : {}) };
}

/**
 * One page of List Media (`[{mediaName, content, contentLength}]`, at most 1000, then a
 * Continuation-Token header) as the inbound media of each message: received media are named
 * `<messageId>/<n>/<file>` (`n` kept for ordering), and `content` is the URL the callback would have carried.
 * https://dev.bandwidth.com/docs/messaging/media
 */
export function parseBandwidthMediaPage(res: HttpResponse): { byMessage: Map<string, Array<InboundMedia & { n: number }>>; continuation?: string } {
  if (res.status !== 200) throw bandwidthError(res);
  const list = parseJson(res.text);
  const byMessage = new Map<string, Array<InboundMedia & { n: number }>>();
  for (const item of Array.isArray(list) ? (list as Array<{ mediaName?: unknown; content?: unknown; contentLength?: unknown }>) : []) {
    const name = typeof item?.mediaName === 'string' ? /^([^/]+)\/(\d+)\/[^/]+$/.exec(item.mediaName) : null;
    if (!name || typeof item.content !== 'string' || !/^https?:\/\//.test(item.content)) continue;
    const entry = { url: item.content, n: Number(name[2]), ...(typeof item.contentLength === 'number' ? { size: item.contentLength } : {}) };
    byMessage.set(name[1]!, [...(byMessage.get(name[1]!) ?? []), entry]);
  }
  const token = res.headers['continuation-token'];
  return { byMessage, ...(token ? { continuation: token } : {}) };
}
