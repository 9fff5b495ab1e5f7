// Sinch batches (reference §3.1–3.5): create (mt_media with ONE body.url, or mt_text), list with
// filters, fetch one, and its delivery reports (summary/full, or one recipient's).
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route } from '../../router.js';
import { digits, sinchError, ulid, type Batch, type SinchContext } from './context.js';
import { lifecycle, summary } from './delivery.js';
import { isUnregisteredSender, optOutsFor } from '../../carrier.js';

/** mt_text body limit; the mt_media message limit is unpublished, 1600 matches the adapter guard. */
const MAX_TEXT = 2000;
const MAX_MEDIA_TEXT = 1600;
const MAX_RECIPIENTS = 1000;
const TEST_TO_INVALID = '15557770090';
const MSISDN = /^\+?[1-9]\d{6,14}$/;
const REPORT_KINDS = new Set(['none', 'summary', 'full', 'per_recipient', 'per_recipient_final']);

function batchJson(b: Batch): Record<string, unknown> {
  const expire = new Date(new Date(b.createdAt).getTime() + 3 * 24 * 3600 * 1000).toISOString();
  return {
    id: b.id,
    to: b.to,
    from: b.from,
    canceled: false,
    body: b.body,
    type: b.type,
    created_at: b.createdAt,
    modified_at: b.createdAt,
    delivery_report: b.deliveryReport,
    expire_at: expire,
    ...(b.callbackUrl ? { callback_url: b.callbackUrl } : {}),
    ...(b.clientReference ? { client_reference: b.clientReference } : {}),
  };
}

/** Type, recipients and sender; the refusal or undefined. */
function checkEnvelope(ctx: SinchContext, p: Record<string, unknown>): SandboxResponse | undefined {
  const type = p.type === undefined ? 'mt_text' : p.type;
  if (type !== 'mt_media' && type !== 'mt_text')
    return sinchError(400, 'syntax_constraint_violation', `type ${String(type)} is not supported by the sandbox (mt_text, mt_media)`);
  const to = p.to;
  if (!Array.isArray(to) || to.length === 0) return sinchError(400, 'syntax_constraint_violation', 'to: at least one recipient is required');
  if (to.length > MAX_RECIPIENTS) return sinchError(400, 'syntax_constraint_violation', `to: at most ${MAX_RECIPIENTS} recipients`);
  for (const n of to) {
    if (typeof n !== 'string' || !MSISDN.test(n) || digits(n) === TEST_TO_INVALID) {
      return sinchError(400, 'syntax_invalid_parameter_format', `Invalid MSISDN in to: ${String(n)}`);
    }
  }
  const from = typeof p.from === 'string' ? p.from : '';
  if (!from) return sinchError(400, 'syntax_constraint_violation', 'from: no default originator is configured for this service plan, so from is required');
  // The unregistered 10DLC magic sender is accepted here and rejected after the 201 (delivery.ts).
  if (!ctx.ownNumbers.some((n) => digits(n) === digits(from)) && !isUnregisteredSender(from)) {
    return sinchError(
      400,
      'syntax_invalid_parameter_format',
      `Invalid originator (from): ${from} is not a number of service plan ${ctx.servicePlanId}. Sandbox numbers: ${ctx.ownNumbers.join(', ')}`,
    );
  }
  return undefined;
}

/** The text and the media URL of the body; or the refusal. */
function content(p: Record<string, unknown>): { text: string; mediaUrl?: string } | SandboxResponse {
  if (p.type === 'mt_media') {
    const body = p.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return sinchError(400, 'syntax_constraint_violation', 'body: an object with url is required for mt_media');
    if (Array.isArray(body.url) || 'urls' in body || 'media' in body)
      return sinchError(400, 'syntax_constraint_violation', 'body.url: mt_media carries exactly one media URL');
    if (typeof body.url !== 'string' || !body.url)
      return sinchError(400, 'syntax_constraint_violation', 'Text only media messages will be rejected, please use SMS instead');
    if (!/^https?:\/\/\S+$/i.test(body.url)) return sinchError(400, 'syntax_invalid_parameter_format', `body.url: ${body.url} is not a valid URL`);
    const text = typeof body.message === 'string' ? body.message : '';
    if ([...text].length > MAX_MEDIA_TEXT) return sinchError(400, 'syntax_constraint_violation', `body.message: at most ${MAX_MEDIA_TEXT} characters`);
    if (typeof body.subject === 'string' && [...body.subject].length > 80)
      return sinchError(400, 'syntax_constraint_violation', 'body.subject: at most 80 characters');
    return { text, mediaUrl: body.url };
  }
  if (typeof p.body !== 'string' || p.body === '') return sinchError(400, 'syntax_constraint_violation', 'body: a text is required');
  if ([...p.body].length > MAX_TEXT) return sinchError(400, 'syntax_constraint_violation', `body: at most ${MAX_TEXT} characters`);
  return { text: p.body };
}

/** delivery_report and callback_url; the refusal or undefined. */
function checkReports(ctx: SinchContext, p: Record<string, unknown>): SandboxResponse | undefined {
  const deliveryReport = typeof p.delivery_report === 'string' ? p.delivery_report : 'none';
  if (!REPORT_KINDS.has(deliveryReport))
    return sinchError(400, 'syntax_constraint_violation', `delivery_report: ${deliveryReport} is not one of ${[...REPORT_KINDS].join(', ')}`);
  const callbackUrl = typeof p.callback_url === 'string' && p.callback_url ? p.callback_url : undefined;
  if (callbackUrl && !/^https?:\/\/\S+$/i.test(callbackUrl))
    return sinchError(400, 'syntax_invalid_parameter_format', `callback_url: ${callbackUrl} is not a valid URL`);
  if (deliveryReport !== 'none' && !callbackUrl && !ctx.planCallbackUrl)
    return sinchError(403, 'missing_callback_url', 'A delivery report was requested but no callback URL is set on the batch or the service plan');
  return undefined;
}

/** The body as a JSON object, or the 415/400 to answer. */
function parse(req: SandboxRequest): { payload: Record<string, unknown> } | SandboxResponse {
  const ct = String(req.headers['content-type'] ?? '');
  if (!ct.startsWith('application/json'))
    return sinchError(415, 'unsupported_media_type', `Content-Type ${ct || '(none)'} is not supported; use application/json`);
  try {
    const v: unknown = JSON.parse(req.rawBody.toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return { payload: v as Record<string, unknown> };
  } catch {
    return sinchError(400, 'syntax_invalid_json', 'The JSON structure of the request is invalid');
  }
}

function createBatch(ctx: SinchContext, req: SandboxRequest): SandboxResponse {
  const parsed = parse(req);
  if (!('payload' in parsed)) return parsed;
  const p = parsed.payload;
  const refused = checkEnvelope(ctx, p);
  if (refused) return refused;
  const c = content(p);
  if (!('text' in c)) return c;
  const reportRefused = checkReports(ctx, p);
  if (reportRefused) return reportRefused;
  const to = p.to as string[];
  const from = p.from as string;
  const callbackUrl = typeof p.callback_url === 'string' && p.callback_url ? p.callback_url : undefined;
  const clientReference = typeof p.client_reference === 'string' ? p.client_reference : undefined;
  const now = new Date().toISOString();
  const b: Batch = {
    id: ulid(),
    type: p.type === 'mt_media' ? 'mt_media' : 'mt_text',
    to,
    from,
    body: p.body,
    createdAt: now,
    deliveryReport: typeof p.delivery_report === 'string' ? p.delivery_report : 'none',
    statuses: Object.fromEntries(to.map((r) => [digits(r), { status: 'Queued', code: 400, at: now }])),
    ...(callbackUrl ? { callbackUrl } : {}),
    ...(clientReference ? { clientReference } : {}),
  };
  ctx.batches.set(b.id, b);
  const first = to[0]!;
  const m = ctx.svc.store.add({
    id: b.id,
    provider: 'sinch',
    account: ctx.servicePlanId,
    direction: 'outbound',
    to: first.startsWith('+') ? first : `+${first}`,
    from: from.startsWith('+') || !/^\d{7,}$/.test(from) ? from : `+${from}`,
    body: c.text,
    media: c.mediaUrl ? [{ url: c.mediaUrl, status: 'pending' }] : [],
    status: 'Queued',
    ...(callbackUrl ? { statusCallback: callbackUrl } : {}),
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'Queued', at: now }],
  });
  ctx.svc.log(`sinch ${b.id} ${from} → ${to.join(',')}${c.mediaUrl ? ' (1 media)' : ''}`);
  void lifecycle(ctx, b, m).catch((err) => ctx.svc.log(`sinch ${b.id}: lifecycle error ${(err as Error).message}`));
  return json(201, batchJson(b));
}

function listBatches(ctx: SinchContext, req: SandboxRequest): SandboxResponse {
  const size = Math.max(1, Math.min(100, Number(req.query.get('page_size') ?? 30) || 30));
  const page = Math.max(0, Number(req.query.get('page') ?? 0) || 0);
  // Filters (Sinch List Batches): from (comma-separated senders), start_date (default now − 24 h),
  // end_date (ISO 8601), client_reference. Newest first.
  const q = req.query;
  const senders = (q.get('from') ?? '')
    .split(',')
    .map((f) => digits(f.trim()))
    .filter(Boolean);
  const date = (key: string, fallback: number | undefined): number | undefined | null => {
    const v = q.get(key);
    if (v === null || v === '') return fallback;
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : null;
  };
  const start = date('start_date', Date.now() - 24 * 3600 * 1000);
  const end = date('end_date', undefined);
  if (start === null || end === null) return sinchError(400, 'syntax_invalid_parameter_format', 'start_date and end_date must be ISO-8601 dates');
  const ref = q.get('client_reference');
  const all = ctx.svc.store
    .list({ provider: 'sinch' })
    .flatMap((m) => (m.account === ctx.servicePlanId && m.direction === 'outbound' ? [ctx.batches.get(m.id)].filter((b) => b !== undefined) : []))
    .filter((b) => senders.length === 0 || senders.includes(digits(b.from)))
    .filter((b) => start === undefined || Date.parse(b.createdAt) >= start)
    .filter((b) => end === undefined || Date.parse(b.createdAt) < end)
    .filter((b) => !ref || b.clientReference === ref)
    .reverse();
  return json(200, { count: all.length, page, page_size: size, batches: all.slice(page * size, (page + 1) * size).map(batchJson) });
}

/** One recipient's delivery report. */
function recipientReport(b: Batch, raw: string): SandboxResponse {
  const key = digits(decodeURIComponent(raw));
  const r = Object.hasOwn(b.statuses, key) ? b.statuses[key] : undefined;
  if (!r) return sinchError(404, 'not_found', `No delivery report for ${raw} in batch ${b.id}`);
  return json(200, {
    type: b.type === 'mt_media' ? 'recipient_delivery_report_mms' : 'recipient_delivery_report_sms',
    batch_id: b.id,
    recipient: digits(decodeURIComponent(raw)),
    code: r.code,
    status: r.status,
    at: r.at,
  });
}

/** Routes below /xms/v1/{servicePlanId}. */
export function batchRoutes(ctx: SinchContext): Route[] {
  // Start following the record now, so STOPs that arrive before the first send count.
  optOutsFor(ctx.svc.store);
  const path = `${ctx.base}/batches`;
  const one = `${path}/:id([0-9A-Z]{26})`;
  const withBatch = (f: (b: Batch, req: SandboxRequest, p: Record<string, string>) => SandboxResponse) => (req: SandboxRequest, p: Record<string, string>) => {
    const b = ctx.svc.store.get(p.id!)?.account === ctx.servicePlanId ? ctx.batches.get(p.id!) : undefined;
    return b ? f(b, req, p) : sinchError(404, 'not_found', `Batch ${p.id} not found`);
  };
  return [
    route('POST', path, (req) => createBatch(ctx, req)),
    route('GET', path, (req) => listBatches(ctx, req)),
    route('*', path, (req) => sinchError(405, 'method_not_allowed', `${req.method} is not allowed on batches`)),
    route(
      'GET',
      one,
      withBatch((b) => json(200, batchJson(b))),
    ),
    route(
      'GET',
      `${one}/delivery_report`,
      withBatch((b, req) => json(200, summary(b, (req.query.get('type') ?? 'summary') === 'full'))),
    ),
    route(
      'GET',
      `${one}/delivery_report/:recipient`,
      withBatch((b, _req, p) => recipientReport(b, p.recipient!)),
    ),
  ];
}
