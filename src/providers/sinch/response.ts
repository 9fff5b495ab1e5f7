// Sinch XMS responses and errors → our results and error codes (pure).
// Status codes and error body {code, text}:
// https://developers.sinch.com/docs/sms/api-reference/status-codes
// Delivery report statuses: https://developers.sinch.com/docs/sms/api-reference/sms/tag/Delivery-reports/
import type { MessageStatus, MessageStatusInfo, ProviderAcceptance } from '../../core/types.js';
import { ErrorCode, ProviderError, exitCodeForErrorCode } from '../../errors/errors.js';
import type { HttpResponse } from '../http-client.js';
import { parseJson } from '../shared.js';
import { lookup, type ErrorRule } from '../descriptor.js';
import { providerHttpError } from '../provider-error.js';
import { sinchDescriptor } from './descriptor.js';

/** Normalises a Sinch delivery status. */
export function mapSinchStatus(s: string | undefined): MessageStatus {
  return lookup(sinchDescriptor.statusMap, s?.toLowerCase()) ?? 'unknown';
}

/** Which number a `syntax_invalid_parameter_format` text blames (Sinch names the parameter). */
function blamedNumber(text: string): ErrorRule | undefined {
  if (/\b(from|originator|sender)\b/i.test(text)) {
    return { code: ErrorCode.SENDER_INVALID, suggestion: 'Use a number or short code of this service plan as --from' };
  }
  if (/\b(to|recipients?|msisdn)\b/i.test(text)) return { code: ErrorCode.RECIPIENT_INVALID, suggestion: 'Write the recipient in E.164 (+15551234567)' };
  return undefined;
}

/** Turns a non-2xx Sinch response into a ProviderError with our code, keeping Sinch's. */
export function sinchError(res: HttpResponse): ProviderError {
  const parsed = parseJson(res.text);
  const body = parsed && typeof parsed === 'object' ? (parsed as { code?: unknown; text?: unknown }) : {};
  const sCode = typeof body.code === 'string' ? body.code : undefined;
  const sText = typeof body.text === 'string' ? body.text : undefined;

  const blamed = sCode === 'syntax_invalid_parameter_format' && sText ? blamedNumber(sText) : undefined;
  return providerHttpError(sinchDescriptor, res, {
    ...(sCode !== undefined ? { providerCode: sCode } : {}),
    ...(sText !== undefined ? { providerMessage: sText } : {}),
    ...(blamed ? { rule: blamed } : {}),
  });
}

/** Parses the 201 batch created response; the batch id is the message id. */
export function parseSinchSend(res: HttpResponse): ProviderAcceptance {
  if (res.status < 200 || res.status >= 300) throw sinchError(res);
  const batch = parseJson(res.text) as { id?: unknown; canceled?: unknown } | undefined;
  if (!batch || typeof batch.id !== 'string' || batch.id === '') {
    throw new ProviderError(
      ErrorCode.OUTCOME_UNKNOWN,
      exitCodeForErrorCode(ErrorCode.OUTCOME_UNKNOWN),
      `Sinch answered HTTP ${res.status} without a batch id`,
      {
        provider: 'sinch',
        httpStatus: res.status,
        suggestion: 'The message may have been sent: check the Sinch dashboard before resending',
      },
    );
  }
  // A batch has no status word of its own, only `canceled`; "created" names the 201.
  if (batch.canceled === true) return { id: batch.id, status: 'canceled', providerStatus: 'canceled' };
  return { id: batch.id, status: 'queued', providerStatus: 'created' };
}

interface SinchDeliveryReport {
  batch_id?: string;
  statuses?: Array<{ code?: number; count?: number; status?: string; recipients?: string[] }>;
}

/** Parses GET …/batches/{id}/delivery_report?type=full for a one-recipient batch. */
export function parseSinchDeliveryReport(res: HttpResponse, id: string): MessageStatusInfo {
  if (res.status !== 200) throw sinchError(res);
  const report = (parseJson(res.text) ?? {}) as SinchDeliveryReport;
  // `mms send` creates one batch per recipient, so there is normally a single status bucket.
  const bucket = report.statuses?.[0];
  if (!bucket || !bucket.status) {
    return { id: report.batch_id ?? id, status: 'queued', providerStatus: 'no delivery report yet' };
  }
  const status = mapSinchStatus(bucket.status);
  const info: MessageStatusInfo = { id: report.batch_id ?? id, status, providerStatus: bucket.status };
  const to = bucket.recipients?.[0];
  if (to) info.to = /^\d{7,15}$/.test(to) ? `+${to}` : to;
  if (typeof bucket.code === 'number' && (status === 'failed' || status === 'undelivered' || status === 'canceled')) info.errorCode = bucket.code;
  return info;
}

/** What one page of List Batches told findSent: the match, or whether more pages remain. */
export interface SinchSentSearch {
  found?: { id: string; providerStatus: string };
  more: boolean;
}

/** `start_date` value: ISO 8601 UTC, rounded down to the second (slack for clock and precision). */
export function sinchTimeFilter(since: Date): string {
  return new Date(Math.floor(since.getTime() / 1000) * 1000).toISOString();
}

/**
 * Looks through one page of GET …/batches (`{count, page, page_size, batches}`) for a batch from
 * `from` whose recipients include `to`, created at or after `since` (rounded down to the second).
 * Batches are always outbound (inbound messages are listed under /inbounds). Numbers are
 * compared without their '+' (Sinch may echo MSISDNs either way).
 */
export function findSinchSent(res: HttpResponse, q: { to: string; from: string; since: Date }): SinchSentSearch {
  if (res.status !== 200) throw sinchError(res);
  const body = parseJson(res.text) as
    | {
        count?: number;
        page?: number;
        page_size?: number;
        batches?: Array<{ id?: unknown; to?: unknown; from?: unknown; canceled?: unknown; created_at?: unknown }>;
      }
    | undefined;
  if (!body || !Array.isArray(body.batches)) {
    throw new ProviderError(
      ErrorCode.PROVIDER_UNAVAILABLE,
      exitCodeForErrorCode(ErrorCode.PROVIDER_UNAVAILABLE),
      'Sinch answered List Batches without a batch list',
      { provider: 'sinch', httpStatus: res.status },
    );
  }
  const msisdn = (n: unknown): string => (typeof n === 'string' ? n.replace(/^\+/, '') : '');
  const floor = Math.floor(q.since.getTime() / 1000) * 1000;
  // The newest match on the page (lists are newest first, but a page is not trusted to be sorted).
  let best: { at: number; id: string; providerStatus: string } | undefined;
  for (const b of body.batches) {
    if (typeof b.id !== 'string' || b.id === '') continue;
    if (msisdn(b.from) !== msisdn(q.from) || !Array.isArray(b.to) || !b.to.some((t) => msisdn(t) === msisdn(q.to))) continue;
    const at = typeof b.created_at === 'string' ? Date.parse(b.created_at) : NaN;
    if (Number.isFinite(at) && at >= floor && (!best || at > best.at)) best = { at, id: b.id, providerStatus: b.canceled === true ? 'canceled' : 'created' };
  }
  if (best) return { found: { id: best.id, providerStatus: best.providerStatus }, more: false };
  const page = typeof body.page === 'number' ? body.page : 0;
  const size = typeof body.page_size === 'number' && body.page_size > 0 ? body.page_size : body.batches.length;
  const more = typeof body.count === 'number' ? (page + 1) * size < body.count : body.batches.length > 0 && body.batches.length >= size;
  return { more };
}

/**
 * Reads one page of GET …/inbounds (`{count, page, page_size, inbounds}`, newest first): the MO
 * objects sent to `to` and received inside the window (`since` rounded down to the second), as
 * the callback would have carried them, and whether more pages remain. Numbers are compared
 * without their '+'.
 * https://developers.sinch.com/docs/sms/api-reference/sms/tag/Inbounds/
 */
export function parseSinchInboundPage(res: HttpResponse, q: { to: string; since: Date; until?: Date | undefined }): { inbounds: object[]; more: boolean } {
  if (res.status !== 200) throw sinchError(res);
  const body = parseJson(res.text) as { count?: number; page?: number; page_size?: number; inbounds?: unknown[] } | undefined;
  if (!body || !Array.isArray(body.inbounds)) {
    throw new ProviderError(
      ErrorCode.PROVIDER_UNAVAILABLE,
      exitCodeForErrorCode(ErrorCode.PROVIDER_UNAVAILABLE),
      'Sinch answered List Inbounds without a list',
      {
        provider: 'sinch',
        httpStatus: res.status,
      },
    );
  }
  const msisdn = (n: unknown): string => (typeof n === 'string' ? n.replace(/^\+/, '') : '');
  const floor = Math.floor(q.since.getTime() / 1000) * 1000;
  const until = q.until?.getTime() ?? Infinity;
  const inbounds = body.inbounds.filter((i): i is { id: string; to: unknown; received_at: string } => {
    if (!i || typeof i !== 'object') return false;
    const r = i as { id?: unknown; to?: unknown; received_at?: unknown };
    const at = typeof r.received_at === 'string' ? Date.parse(r.received_at) : NaN;
    return typeof r.id === 'string' && r.id !== '' && msisdn(r.to) === msisdn(q.to) && Number.isFinite(at) && at >= floor && at <= until;
  });
  const page = typeof body.page === 'number' ? body.page : 0;
  const size = typeof body.page_size === 'number' && body.page_size > 0 ? body.page_size : body.inbounds.length;
  const more = typeof body.count === 'number' ? (page + 1) * size < body.count : body.inbounds.length > 0 && body.inbounds.length >= size;
  return { inbounds, more };
}
