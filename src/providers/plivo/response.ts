// Plivo responses and errors → our results and error codes.
// Error body: {api_id, error} where `error` is usually a sentence, e.g.
// "19332631167 is not a valid phone number" (400); there is no numeric error code.
// https://docs.plivo.com/docs/messaging/api/response
// https://plivo.com/docs/messaging/concepts/destination-number-validation
// https://plivo.com/docs/messaging/troubleshooting/error-codes (delivery codes in callbacks)
import type { InboundMedia, MessageStatus, MessageStatusInfo, ProviderAcceptance } from '../../core/types.js';
import { ErrorCode, ProviderError, exitCodeForErrorCode, type ErrorCodeValue } from '../../errors/errors.js';
import type { HttpResponse } from '../http-client.js';
import { isUuid, parseJson } from '../shared.js';
import { lookup } from '../descriptor.js';
import { providerHttpError } from '../provider-error.js';
import { plivoDescriptor } from './descriptor.js';
import { fromPlivoNumber } from './payload.js';

/** Normalises a Plivo `message_state` / callback `Status`. */
export function mapPlivoStatus(s: string | undefined): MessageStatus {
  return lookup(plivoDescriptor.statusMap, s?.toLowerCase()) ?? 'unknown';
}

/** The request numbers an error may be about, so "1555… is not a valid phone number" can be placed. */
export interface PlivoErrorContext {
  src?: string;
  dst?: string;
}

function errorText(body: unknown): { text?: string; code?: string } {
  if (!body || typeof body !== 'object') return {};
  const err = (body as { error?: unknown }).error;
  if (typeof err === 'string') return { text: err };
  if (err && typeof err === 'object') {
    // Some endpoints answer with an object (field → message); keep it readable and look for a code.
    const o = err as Record<string, unknown>;
    const code = typeof o.code === 'string' || typeof o.code === 'number' ? String(o.code) : undefined;
    const msg = typeof o.message === 'string' ? o.message : JSON.stringify(err);
    return code !== undefined ? { text: msg, code } : { text: msg };
  }
  const message = (body as { message?: unknown }).message;
  return typeof message === 'string' ? { text: message } : {};
}

/** Classifies a 400 by what its sentence says about src/dst. */
function classifyNumberError(text: string, ctx: PlivoErrorContext): ErrorCodeValue | undefined {
  const t = text.toLowerCase();
  const numbers: string[] = text.match(/\d{5,}/g) ?? [];
  const mentions = (n: string | undefined) => n !== undefined && n !== '' && numbers.includes(n.replace(/\D/g, ''));
  const isSrc = /\bsrc\b|\bsource\b|\bsender\b/.test(t) || mentions(ctx.src);
  const isDst = /\bdst\b|\bdestination\b/.test(t) || mentions(ctx.dst);
  if (/not an? mms[ -]enabled/.test(t)) return isSrc && !isDst ? ErrorCode.SENDER_REJECTED : ErrorCode.RECIPIENT_UNREACHABLE;
  if (isSrc && !isDst) return ErrorCode.SENDER_INVALID;
  if (isDst) return ErrorCode.RECIPIENT_INVALID;
  // Without context, Plivo's synchronous number validation is about the destination (reference §3.9).
  if (/not a valid (phone )?number/.test(t)) return ErrorCode.RECIPIENT_INVALID;
  return undefined;
}

/** Suggestions for what response.ts reads from Plivo's sentences (the status ladder's are in the descriptor). */
const SUGGESTIONS: Partial<Record<ErrorCodeValue, string>> = {
  [ErrorCode.RECIPIENT_INVALID]: 'Check the recipient is a valid number with its country code (E.164)',
  [ErrorCode.RECIPIENT_UNREACHABLE]: 'The recipient cannot receive MMS; try another number or send without media',
  [ErrorCode.SENDER_INVALID]: 'Use an MMS-enabled Plivo number you own as --from',
  [ErrorCode.SENDER_REJECTED]: 'Use an MMS-enabled Plivo number you own as --from',
};

/** Turns a non-2xx Plivo response into a ProviderError with our code, keeping Plivo's text. */
export function plivoError(res: HttpResponse, ctx: PlivoErrorContext = {}, now = Date.now()): ProviderError {
  const { text, code: providerCode } = errorText(parseJson(res.text));
  const classified = (res.status === 400 || res.status === 422) && text ? classifyNumberError(text, ctx) : undefined;
  const hint = classified ? SUGGESTIONS[classified] : undefined;
  return providerHttpError(
    plivoDescriptor,
    res,
    {
      ...(providerCode !== undefined ? { providerCode } : {}),
      ...(text !== undefined ? { providerMessage: text } : {}),
      ...(classified ? { rule: hint !== undefined ? { code: classified, suggestion: hint } : { code: classified } } : {}),
    },
    now,
  );
}

function unexpected(res: HttpResponse, what: string): ProviderError {
  return new ProviderError(ErrorCode.PROVIDER_UNAVAILABLE, exitCodeForErrorCode(ErrorCode.PROVIDER_UNAVAILABLE), `Plivo answered without ${what}`, {
    provider: 'plivo',
    httpStatus: res.status,
  });
}

interface PlivoSendBody {
  api_id?: string;
  message?: string;
  message_uuid?: unknown;
  invalid_number?: unknown;
}

/**
 * Parses a 202 Send Message response. `message_uuid` is an array (one per destination); we send
 * one destination per call, so the first is ours. A destination Plivo refuses up front is listed
 * in `invalid_number` instead.
 */
export function parsePlivoSend(res: HttpResponse, ctx: PlivoErrorContext = {}): ProviderAcceptance {
  if (res.status < 200 || res.status >= 300) throw plivoError(res, ctx);
  const body = parseJson(res.text) as PlivoSendBody | undefined;
  const uuids = Array.isArray(body?.message_uuid)
    ? body.message_uuid.filter((u): u is string => typeof u === 'string')
    : typeof body?.message_uuid === 'string'
      ? [body.message_uuid]
      : [];
  const first = uuids[0];
  if (first === undefined) {
    const invalid = body?.invalid_number;
    if (invalid !== undefined && invalid !== null && !(Array.isArray(invalid) && invalid.length === 0)) {
      const list = Array.isArray(invalid) ? invalid.join(', ') : String(invalid);
      throw new ProviderError(
        ErrorCode.RECIPIENT_INVALID,
        exitCodeForErrorCode(ErrorCode.RECIPIENT_INVALID),
        `Plivo rejected the destination as invalid: ${list}`,
        {
          provider: 'plivo',
          httpStatus: res.status,
          providerMessage: `invalid_number: ${list}`,
          suggestion: SUGGESTIONS[ErrorCode.RECIPIENT_INVALID]!,
        },
      );
    }
    throw unexpected(res, 'a message_uuid');
  }
  // "message(s) queued": there is no per-message status in the send response.
  return { id: first, status: 'queued', providerStatus: 'queued' };
}

interface PlivoMessageRecord {
  message_uuid?: string;
  message_state?: string;
  from_number?: string;
  to_number?: string;
  error_code?: string | number | null;
  error_message?: string | null;
  message_time?: string;
  message_updated_time?: string;
}

/** Parses a GET …/Message/{uuid}/ response. */
export function parsePlivoStatus(res: HttpResponse): MessageStatusInfo {
  if (res.status !== 200) throw plivoError(res);
  const msg = (parseJson(res.text) ?? {}) as PlivoMessageRecord;
  const word = msg.message_state;
  const info: MessageStatusInfo = { id: msg.message_uuid ?? '', status: mapPlivoStatus(word), providerStatus: word ?? 'unknown' };
  if (msg.to_number) info.to = fromPlivoNumber(msg.to_number);
  if (msg.from_number) info.from = fromPlivoNumber(msg.from_number);
  // "000" (or 0) means success, not an error.
  if (msg.error_code !== undefined && msg.error_code !== null && msg.error_code !== '' && Number(msg.error_code) !== 0) info.errorCode = String(msg.error_code);
  if (msg.error_message) info.errorMessage = msg.error_message;
  if (msg.message_time) info.dateCreated = msg.message_time;
  if (msg.message_updated_time) info.dateUpdated = msg.message_updated_time;
  return info;
}

interface PlivoUploadBody {
  objects?: Array<{ media_id?: string; status?: string; status_code?: number; file_name?: string; error?: string }>;
}

/** Parses a POST …/Media/ response into the uploaded file's media_id. */
export function parsePlivoUpload(res: HttpResponse, fileName: string): string {
  if (res.status < 200 || res.status >= 300) {
    const err = plivoError(res);
    if (err.code !== ErrorCode.PROVIDER_REJECTED) throw err;
    throw new ProviderError(
      ErrorCode.MEDIA_REJECTED,
      exitCodeForErrorCode(ErrorCode.MEDIA_REJECTED),
      `Plivo refused the upload of ${fileName}: ${err.providerMessage ?? err.message}`,
      {
        provider: 'plivo',
        httpStatus: res.status,
        ...(err.providerMessage !== undefined ? { providerMessage: err.providerMessage } : {}),
        suggestion: 'Upload files of at most 2 MB in a supported type (JPEG, PNG, GIF, MP4, PDF, …)',
      },
    );
  }
  const body = parseJson(res.text) as PlivoUploadBody | undefined;
  const obj = body?.objects?.[0];
  if (!obj) throw unexpected(res, 'an upload result');
  if ((obj.status && obj.status !== 'success') || typeof obj.media_id !== 'string' || obj.media_id === '') {
    const why = obj.error ?? obj.status ?? 'no media_id';
    throw new ProviderError(ErrorCode.MEDIA_REJECTED, exitCodeForErrorCode(ErrorCode.MEDIA_REJECTED), `Plivo did not accept ${fileName}: ${why}`, {
      provider: 'plivo',
      httpStatus: res.status,
      providerMessage: why,
      ...(obj.status_code !== undefined ? { providerCode: obj.status_code } : {}),
    });
  }
  return obj.media_id;
}

/** What a findSent page search learned: the match, or whether more pages remain. */
export interface PlivoSentSearch {
  found?: { id: string; providerStatus: string };
  /** meta.next was set: later pages may hold it. */
  more: boolean;
}

/**
 * Plivo times: `YYYY-MM-DD HH:MM:SS[.ffffff]+HH:MM` (the offset may be missing: UTC). Returns ms
 * since the epoch, or NaN.
 */
export function parsePlivoTime(value: string): number {
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d(?::\d\d)?)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(value.trim());
  if (!m) return NaN;
  const frac = m[3] ? m[3].slice(0, 4) : '';
  const zone = !m[4] || m[4] === 'Z' ? 'Z' : m[4].includes(':') ? m[4] : `${m[4].slice(0, 3)}:${m[4].slice(3)}`;
  return Date.parse(`${m[1]}T${m[2]}${frac}${zone}`);
}

/** `message_time__gte` value: UTC, whole seconds (Plivo's precision), rounded down. */
export function plivoTimeFilter(since: Date): string {
  return new Date(Math.floor(since.getTime() / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Looks through one page of GET …/Message/ (`{meta, objects}`) for an outbound message from
 * `from` to `to` created at or after `since` (rounded down to the second: message_time has
 * one-second precision). Numbers are compared by their digits: Plivo drops the '+'.
 */
export function findPlivoSent(res: HttpResponse, q: { to: string; from: string; since: Date }): PlivoSentSearch {
  if (res.status !== 200) throw plivoError(res);
  const body = parseJson(res.text) as
    { meta?: { next?: string | null }; objects?: Array<PlivoMessageRecord & { message_direction?: string; powerpack_id?: string | null }> } | undefined;
  if (!body || !Array.isArray(body.objects)) throw unexpected(res, 'a message list');
  const digits = (n: string) => n.replace(/\D/g, '');
  const to = digits(q.to);
  // A Powerpack UUID as sender shows up as powerpack_id; an alphanumeric sender id as it is.
  const sentBy = (m: { from_number?: string; powerpack_id?: string | null }): boolean =>
    isUuid(q.from)
      ? m.powerpack_id === q.from
      : /\d/.test(q.from) && !/[A-Za-z]/.test(q.from)
        ? digits(m.from_number ?? '') === digits(q.from)
        : (m.from_number ?? '').toLowerCase() === q.from.toLowerCase();
  const floor = Math.floor(q.since.getTime() / 1000) * 1000;
  // The newest match on the page (lists are newest first, but a page is not trusted to be sorted).
  let best: { at: number; id: string; providerStatus: string } | undefined;
  for (const m of body.objects) {
    if (!m.message_uuid || (m.message_direction && m.message_direction.toLowerCase() !== 'outbound')) continue;
    if (digits(m.to_number ?? '') !== to || !sentBy(m)) continue;
    const created = m.message_time ? parsePlivoTime(m.message_time) : NaN;
    if (Number.isFinite(created) && created >= floor && (!best || created > best.at))
      best = { at: created, id: m.message_uuid, providerStatus: m.message_state ?? 'unknown' };
  }
  if (best) return { found: { id: best.id, providerStatus: best.providerStatus }, more: false };
  return { more: typeof body.meta?.next === 'string' && body.meta.next !== '' };
}

/** An inbound message as one page of the Message list shows it: Plivo's records keep no text. */
export interface PlivoInboundRecord {
  id: string;
  from: string;
  to: string;
  type: string;
  /** message_time: when Plivo received it, ms since the epoch. */
  at: number;
}

/**
 * Reads one page of GET …/Message/?message_direction=inbound (`{meta, objects}`) for messages to
 * `to` received inside the window (`since` rounded down to the second: message_time's precision);
 * numbers are compared by their digits, as Plivo writes them. `more`: meta.next was set.
 */
export function parsePlivoInboundPage(
  res: HttpResponse,
  q: { to: string; since: Date; until?: Date | undefined },
): { messages: PlivoInboundRecord[]; more: boolean } {
  if (res.status !== 200) throw plivoError(res);
  const body = parseJson(res.text) as
    { meta?: { next?: string | null }; objects?: Array<PlivoMessageRecord & { message_direction?: string; message_type?: string }> } | undefined;
  if (!body || !Array.isArray(body.objects)) throw unexpected(res, 'a message list');
  const digits = (n: string) => n.replace(/\D/g, '');
  const floor = Math.floor(q.since.getTime() / 1000) * 1000;
  const until = q.until?.getTime() ?? Infinity;
  const messages: PlivoInboundRecord[] = [];
  for (const m of body.objects) {
    if (!m.message_uuid || (m.message_direction ?? '').toLowerCase() !== 'inbound' || digits(m.to_number ?? '') !== digits(q.to)) continue;
    const at = m.message_time ? parsePlivoTime(m.message_time) : NaN;
    if (!Number.isFinite(at) || at < floor || at > until) continue;
    const from = m.from_number ?? '';
    messages.push({
      id: m.message_uuid,
      from: fromPlivoNumber(from),
      to: fromPlivoNumber(m.to_number ?? ''),
      type: (m.message_type ?? 'sms').toLowerCase(),
      at,
    });
  }
  return { messages, more: typeof body.meta?.next === 'string' && body.meta.next !== '' };
}

/** A message's media (GET …/Message/{uuid}/Media/: `{objects: [{media_url, content_type, size}]}`) as inbound media. */
export function parsePlivoMediaList(res: HttpResponse): InboundMedia[] {
  if (res.status !== 200) throw plivoError(res);
  const body = parseJson(res.text) as { objects?: Array<{ media_url?: unknown; content_type?: unknown; size?: unknown }> } | undefined;
  const out: InboundMedia[] = [];
  for (const m of Array.isArray(body?.objects) ? body.objects : []) {
    if (typeof m.media_url !== 'string' || m.media_url === '') continue;
    out.push({
      url: m.media_url,
      ...(typeof m.content_type === 'string' && m.content_type ? { contentType: m.content_type } : {}),
      ...(typeof m.size === 'number' ? { size: m.size } : {}),
    });
  }
  return out;
}
