// Sinch's SMS REST API ("XMS") wire format, emulated (reference §3.1–3.8): MMS as batches of type
// `mt_media` with ONE `body.url`, `Authorization: Bearer <API token>` of the service plan whose id
// is in the path, JSON errors {code, text}, 201 batch objects with ULID-style ids, delivery reports
// (GET …/batches/{id}/delivery_report, callbacks to the batch's callback_url) and inbounds.
//
// Round trip: a batch sent to one of the sandbox numbers is also stored as an inbound `mo_media`
// and POSTed to the service plan's callback URL. Sinch has no public API for that URL (it is set in
// the dashboard, reference §3.8), so the sandbox offers a stand-in for the dashboard form, which is
// NOT part of Sinch's API and which the adapter never calls:
//   GET|PUT <base>/dashboard/service-plans/{servicePlanId}/callback-url   {"url": "http://…"}
// (Bearer API token). Delivery reports go to the batch's callback_url, else to that URL, when
// `delivery_report` asks for them. Every callback carries the HMAC-SHA256 headers
// x-sinch-webhook-signature{,-algorithm,-nonce,-timestamp} (signing enabled on the sandbox plan).
// Inbound media is re-hosted at <base>/mms-media/<id> (unauthenticated; Sinch's is [UNCONFIRMED]).
//
// Delivery codes are the XMS ones as far as known ([UNCONFIRMED] for MMS): 400 Queued,
// 401 Dispatched, 0 Delivered, 402 unroutable, 408 rejected, 413 blocked.
// Test numbers (to):
//   +15557770090  rejected at once: 400 syntax_invalid_parameter_format for "to" (RECIPIENT_INVALID)
//   +15557770091  accepted, then Failed with code 402 (unroutable)
//   +15557770092  accepted, then Rejected with code 413 (blocked)
// Sandbox numbers: +15557770051, +15557770052.
import { createHmac, randomBytes } from 'node:crypto';
import type { SandboxDialect, SandboxRequest, SandboxResponse, SandboxServices } from '../types.js';
import { json } from '../types.js';
import type { SandboxMessage } from '../store.js';
import { safeEqual } from '../../providers/shared.js';

/** Sinch recommends < 1 MB for MMS (carrier limits); the adapter uses the same guard. */
const MAX_MEDIA_BYTES = 1024 * 1024;
/** mt_text body limit; the mt_media message limit is unpublished, 1600 matches the adapter guard. */
const MAX_TEXT = 2000;
const MAX_MEDIA_TEXT = 1600;
const MAX_RECIPIENTS = 1000;
const TEST_TO_INVALID = '15557770090';
const FAIL_NUMBERS: Record<string, [string, number]> = {
  '15557770091': ['Failed', 402],
  '15557770092': ['Rejected', 413],
};
const MSISDN = /^\+?[1-9]\d{6,14}$/;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const REPORT_KINDS = new Set(['none', 'summary', 'full', 'per_recipient', 'per_recipient_final']);

function sinchError(status: number, code: string, text: string): SandboxResponse {
  return json(status, { code, text });
}

/** A ULID (26 Crockford base32 characters), the shape of Sinch batch and inbound ids. */
function ulid(): string {
  let t = Date.now();
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  return time + [...randomBytes(16)].map((b) => CROCKFORD[b % 32]).join('');
}

interface Batch {
  id: string;
  type: 'mt_media' | 'mt_text';
  to: string[];
  from: string;
  body: unknown;
  createdAt: string;
  deliveryReport: string;
  callbackUrl?: string;
  clientReference?: string;
  /** Status per recipient (digits), with its code and time. */
  statuses: Map<string, { status: string; code: number; at: string }>;
}

interface Hosted {
  bytes: Buffer;
  contentType: string;
}

/** Creates the Sinch dialect with fresh sandbox credentials. */
export function createSinchDialect(svc: SandboxServices): SandboxDialect {
  const servicePlanId = randomBytes(16).toString('hex');
  const apiToken = randomBytes(16).toString('hex');
  const webhookSecret = randomBytes(24).toString('base64url');
  const ownNumbers = ['+15557770051', '+15557770052'];
  let planCallbackUrl: string | undefined;
  const batches = new Map<string, Batch>();
  const inbounds = new Map<string, Record<string, unknown>>();
  const hosted = new Map<string, Hosted>();
  const base = `/xms/v1/${servicePlanId}`;

  const digits = (n: string): string => n.replace(/^\+/, '');

  function authorised(req: SandboxRequest): boolean {
    const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    return Boolean(m && safeEqual(m[1]!, apiToken));
  }

  async function callback(url: string | undefined, payload: Record<string, unknown>, kind: 'inbound' | 'status', id: string): Promise<void> {
    if (!url) {
      svc.log(`sinch ${id}: no callback URL (batch callback_url or the service plan's), callback not sent`);
      return;
    }
    const body = JSON.stringify(payload);
    const nonce = ulid();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', webhookSecret).update(`${body}.${nonce}.${timestamp}`).digest('base64');
    await svc.deliverWebhook(
      {
        url,
        headers: {
          'content-type': 'application/json',
          'x-sinch-webhook-signature': signature,
          'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
          'x-sinch-webhook-signature-nonce': nonce,
          'x-sinch-webhook-signature-timestamp': timestamp,
        },
        body,
      },
      kind,
      id,
    );
  }

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

  function summary(b: Batch, full: boolean): Record<string, unknown> {
    const buckets = new Map<string, { code: number; count: number; status: string; recipients: string[] }>();
    for (const [r, s] of b.statuses) {
      const key = `${s.status}/${s.code}`;
      const bucket = buckets.get(key) ?? { code: s.code, count: 0, status: s.status, recipients: [] };
      bucket.count++;
      bucket.recipients.push(r);
      buckets.set(key, bucket);
    }
    return {
      type: b.type === 'mt_media' ? 'delivery_report_mms' : 'delivery_report_sms',
      batch_id: b.id,
      total_message_count: b.to.length,
      statuses: [...buckets.values()].map((x) => (full ? x : { code: x.code, count: x.count, status: x.status })),
      ...(b.clientReference ? { client_reference: b.clientReference } : {}),
    };
  }

  async function setStatus(b: Batch, m: SandboxMessage, status: string, code: number, detail?: string): Promise<void> {
    const at = new Date().toISOString();
    for (const r of b.to) b.statuses.set(digits(r), { status, code, at });
    svc.store.setStatus(m.id, status, detail !== undefined ? { errorCode: code, errorMessage: detail } : {});
    const url = b.callbackUrl ?? planCallbackUrl;
    const final = !['Queued', 'Dispatched'].includes(status);
    if (b.deliveryReport === 'per_recipient' || (b.deliveryReport === 'per_recipient_final' && final)) {
      for (const r of b.to) {
        const payload: Record<string, unknown> = {
          type: b.type === 'mt_media' ? 'recipient_delivery_report_mms' : 'recipient_delivery_report_sms',
          batch_id: b.id,
          recipient: digits(r),
          code,
          status,
          at,
          operator_status_at: at,
          applied_originator: b.from,
          ...(b.clientReference ? { client_reference: b.clientReference } : {}),
        };
        await callback(url, payload, 'status', m.id);
      }
    } else if ((b.deliveryReport === 'summary' || b.deliveryReport === 'full') && final) {
      await callback(url, summary(b, b.deliveryReport === 'full'), 'status', m.id);
    }
  }

  async function lifecycle(b: Batch, m: SandboxMessage): Promise<void> {
    const wait = () => svc.step();
    const copies: Hosted[] = [];
    const item = m.media[0];
    if (item) {
      const r = await svc.fetcher.fetch(item.url, { maxBytes: MAX_MEDIA_BYTES });
      if (!r.ok) {
        item.status = 'failed';
        item.error = r.detail;
        if (r.contentType) item.contentType = r.contentType;
        await wait();
        await setStatus(b, m, 'Rejected', 408, `Media could not be used: ${r.detail}`);
        return;
      }
      Object.assign(item, { status: 'fetched', contentType: r.contentType, size: r.size, sha256: r.sha256 });
      if (ownNumbers.includes(m.to)) {
        try {
          const res = await fetch(item.url, { signal: AbortSignal.timeout(10_000) });
          copies.push({ bytes: Buffer.from(await res.arrayBuffer()), contentType: r.contentType });
        } catch {
          // The copy is only for the inbound side; the outbound message is unaffected.
        }
      }
    }
    await wait();
    await setStatus(b, m, 'Dispatched', 401);
    await wait();
    const fail = FAIL_NUMBERS[digits(m.to)];
    if (fail) {
      await setStatus(b, m, fail[0], fail[1], fail[1] === 402 ? 'Message unroutable' : 'Blocked by the operator');
      return;
    }
    await setStatus(b, m, 'Delivered', 0);
    if (ownNumbers.includes(m.to)) await deliverInbound(b, m, copies);
  }

  async function deliverInbound(b: Batch, out: SandboxMessage, copies: Hosted[]): Promise<void> {
    const id = ulid();
    const now = new Date().toISOString();
    const urls = copies.map((c) => {
      const key = ulid().toLowerCase();
      hosted.set(key, c);
      if (hosted.size > 500) hosted.delete(hosted.keys().next().value!);
      return `${svc.origin()}/sinch/mms-media/${key}`;
    });
    const body = b.body && typeof b.body === 'object' ? (b.body as { message?: unknown; subject?: unknown }) : {};
    const payload: Record<string, unknown> = {
      type: 'mo_media',
      id,
      from: digits(out.from),
      to: digits(out.to),
      received_at: now,
      sent_at: now,
      operator_id: '310260',
      body: {
        ...(typeof body.subject === 'string' ? { subject: body.subject } : {}),
        ...(out.body ? { message: out.body } : {}),
        media: urls.map((url, i) => ({ url, content_type: copies[i]!.contentType, status: 'Uploaded', code: 0 })),
      },
    };
    inbounds.set(id, payload);
    svc.store.add({
      id,
      provider: 'sinch',
      account: servicePlanId,
      direction: 'inbound',
      to: out.to,
      from: out.from,
      body: out.body,
      media: urls.map((url, i) => ({ url, status: 'fetched', contentType: copies[i]!.contentType, size: copies[i]!.bytes.length })),
      status: 'received',
      createdAt: now,
      updatedAt: now,
      history: [{ status: 'received', at: now }],
    });
    await callback(planCallbackUrl, payload, 'inbound', id);
  }

  function createBatch(req: SandboxRequest): SandboxResponse {
    const ct = String(req.headers['content-type'] ?? '');
    if (!ct.startsWith('application/json')) return sinchError(415, 'unsupported_media_type', `Content-Type ${ct || '(none)'} is not supported; use application/json`);
    let p: Record<string, unknown>;
    try {
      const v: unknown = JSON.parse(req.rawBody.toString('utf8'));
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      p = v as Record<string, unknown>;
    } catch {
      return sinchError(400, 'syntax_invalid_json', 'The JSON structure of the request is invalid');
    }
    const type = p.type === undefined ? 'mt_text' : p.type;
    if (type !== 'mt_media' && type !== 'mt_text') return sinchError(400, 'syntax_constraint_violation', `type ${String(type)} is not supported by the sandbox (mt_text, mt_media)`);
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
    if (!ownNumbers.some((n) => digits(n) === digits(from))) {
      return sinchError(400, 'syntax_invalid_parameter_format', `Invalid originator (from): ${from} is not a number of service plan ${servicePlanId}. Sandbox numbers: ${ownNumbers.join(', ')}`);
    }
    let text = '';
    let mediaUrl: string | undefined;
    if (type === 'mt_media') {
      const body = p.body as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object' || Array.isArray(body)) return sinchError(400, 'syntax_constraint_violation', 'body: an object with url is required for mt_media');
      if (Array.isArray(body.url) || 'urls' in body || 'media' in body) return sinchError(400, 'syntax_constraint_violation', 'body.url: mt_media carries exactly one media URL');
      if (typeof body.url !== 'string' || !body.url) return sinchError(400, 'syntax_constraint_violation', 'Text only media messages will be rejected, please use SMS instead');
      if (!/^https?:\/\/\S+$/i.test(body.url)) return sinchError(400, 'syntax_invalid_parameter_format', `body.url: ${body.url} is not a valid URL`);
      mediaUrl = body.url;
      text = typeof body.message === 'string' ? body.message : '';
      if ([...text].length > MAX_MEDIA_TEXT) return sinchError(400, 'syntax_constraint_violation', `body.message: at most ${MAX_MEDIA_TEXT} characters`);
      if (typeof body.subject === 'string' && [...body.subject].length > 80) return sinchError(400, 'syntax_constraint_violation', 'body.subject: at most 80 characters');
    } else {
      if (typeof p.body !== 'string' || p.body === '') return sinchError(400, 'syntax_constraint_violation', 'body: a text is required');
      text = p.body;
      if ([...text].length > MAX_TEXT) return sinchError(400, 'syntax_constraint_violation', `body: at most ${MAX_TEXT} characters`);
    }
    const deliveryReport = typeof p.delivery_report === 'string' ? p.delivery_report : 'none';
    if (!REPORT_KINDS.has(deliveryReport)) return sinchError(400, 'syntax_constraint_violation', `delivery_report: ${deliveryReport} is not one of ${[...REPORT_KINDS].join(', ')}`);
    const callbackUrl = typeof p.callback_url === 'string' && p.callback_url ? p.callback_url : undefined;
    if (callbackUrl && !/^https?:\/\/\S+$/i.test(callbackUrl)) return sinchError(400, 'syntax_invalid_parameter_format', `callback_url: ${callbackUrl} is not a valid URL`);
    if (deliveryReport !== 'none' && !callbackUrl && !planCallbackUrl) return sinchError(403, 'missing_callback_url', 'A delivery report was requested but no callback URL is set on the batch or the service plan');
    const clientReference = typeof p.client_reference === 'string' ? p.client_reference : undefined;
    const now = new Date().toISOString();
    const b: Batch = {
      id: ulid(),
      type,
      to: to as string[],
      from,
      body: p.body,
      createdAt: now,
      deliveryReport,
      statuses: new Map((to as string[]).map((r) => [digits(r), { status: 'Queued', code: 400, at: now }])),
      ...(callbackUrl ? { callbackUrl } : {}),
      ...(clientReference ? { clientReference } : {}),
    };
    batches.set(b.id, b);
    if (batches.size > 200_000) batches.delete(batches.keys().next().value!);
    const first = to[0] as string;
    const m = svc.store.add({
      id: b.id,
      provider: 'sinch',
      account: servicePlanId,
      direction: 'outbound',
      to: first.startsWith('+') ? first : `+${first}`,
      from: from.startsWith('+') || !/^\d{7,}$/.test(from) ? from : `+${from}`,
      body: text,
      media: mediaUrl ? [{ url: mediaUrl, status: 'pending' }] : [],
      status: 'Queued',
      ...(callbackUrl ? { statusCallback: callbackUrl } : {}),
      createdAt: now,
      updatedAt: now,
      history: [{ status: 'Queued', at: now }],
    });
    svc.log(`sinch ${b.id} ${from} → ${(to as string[]).join(',')}${mediaUrl ? ' (1 media)' : ''}`);
    void lifecycle(b, m).catch((err) => svc.log(`sinch ${b.id}: lifecycle error ${(err as Error).message}`));
    return json(201, batchJson(b));
  }

  function listBatches(req: SandboxRequest): SandboxResponse {
    const size = Math.max(1, Math.min(100, Number(req.query.get('page_size') ?? 30) || 30));
    const page = Math.max(0, Number(req.query.get('page') ?? 0) || 0);
    // Filters (Sinch List Batches): from (comma-separated senders), start_date (default now − 24 h),
    // end_date (ISO 8601), client_reference. Newest first.
    const q = req.query;
    const senders = (q.get('from') ?? '').split(',').map((f) => digits(f.trim())).filter(Boolean);
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
    const all = [...batches.values()]
      .filter((b) => senders.length === 0 || senders.includes(digits(b.from)))
      .filter((b) => start === undefined || Date.parse(b.createdAt) >= start)
      .filter((b) => end === undefined || Date.parse(b.createdAt) < end)
      .filter((b) => !ref || b.clientReference === ref)
      .reverse();
    return json(200, { count: all.length, page, page_size: size, batches: all.slice(page * size, (page + 1) * size).map(batchJson) });
  }

  function dashboard(req: SandboxRequest): SandboxResponse {
    if (req.method === 'GET') return json(200, { url: planCallbackUrl ?? null });
    if (req.method !== 'PUT') return sinchError(405, 'method_not_allowed', 'Use GET or PUT');
    try {
      const v = JSON.parse(req.rawBody.toString('utf8')) as { url?: unknown };
      if (v.url === null || v.url === '') planCallbackUrl = undefined;
      else if (typeof v.url === 'string' && /^https?:\/\/\S+$/i.test(v.url)) planCallbackUrl = v.url;
      else return sinchError(400, 'syntax_invalid_parameter_format', 'url must be an http(s) URL or null');
      return json(200, { url: planCallbackUrl ?? null });
    } catch {
      return sinchError(400, 'syntax_invalid_json', 'The JSON structure of the request is invalid');
    }
  }

  return {
    provider: 'sinch',
    describe: () => ({ credentials: { servicePlanId, apiToken, region: 'us', webhookSecret }, numbers: ownNumbers, defaultFrom: ownNumbers[0]! }),
    isMessageCreate: (req) => req.method === 'POST' && req.path === `${base}/batches`,
    rateLimited: (retryAfter) => ({
      ...sinchError(429, 'too_many_requests', 'The user or path has too many outstanding requests'),
      // Retry-After is [UNCONFIRMED] for Sinch; the sandbox sends one so clients can pace.
      headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) },
    }),
    serverError: () => sinchError(500, 'internal_error', 'An internal error occurred; try again later'),
    async handle(req) {
      const path = req.path;
      const media = /^\/mms-media\/([0-9a-z]{26})$/.exec(path);
      if (media && req.method === 'GET') {
        const h = hosted.get(media[1]!);
        return h ? { status: 200, headers: { 'content-type': h.contentType, 'content-length': String(h.bytes.length) }, body: h.bytes } : sinchError(404, 'not_found', 'No such media');
      }
      const dash = /^\/dashboard\/service-plans\/([^/]+)\/callback-url$/.exec(path);
      if (!path.startsWith('/xms/v1/') && !dash) return sinchError(404, 'not_found', `The resource ${path} was not found`);
      const plan = dash ? dash[1]! : path.split('/')[3] ?? '';
      if (!authorised(req) || plan !== servicePlanId) {
        return { ...sinchError(401, 'unauthorized', `The API token is not valid for service plan ${plan}`), headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' } };
      }
      if (dash) return dashboard(req);
      const rest = path.slice(base.length);
      if (rest === '/batches') {
        if (req.method === 'POST') return createBatch(req);
        if (req.method === 'GET') return listBatches(req);
        return sinchError(405, 'method_not_allowed', `${req.method} is not allowed on batches`);
      }
      const one = /^\/batches\/([0-9A-Z]{26})(\/delivery_report(?:\/([^/]+))?)?$/.exec(rest);
      if (one && req.method === 'GET') {
        const b = batches.get(one[1]!);
        if (!b) return sinchError(404, 'not_found', `Batch ${one[1]} not found`);
        if (!one[2]) return json(200, batchJson(b));
        if (one[3]) {
          const r = b.statuses.get(digits(decodeURIComponent(one[3])));
          if (!r) return sinchError(404, 'not_found', `No delivery report for ${one[3]} in batch ${b.id}`);
          return json(200, { type: b.type === 'mt_media' ? 'recipient_delivery_report_mms' : 'recipient_delivery_report_sms', batch_id: b.id, recipient: digits(decodeURIComponent(one[3])), code: r.code, status: r.status, at: r.at });
        }
        const kind = req.query.get('type') ?? 'summary';
        return json(200, summary(b, kind === 'full'));
      }
      if (rest === '/inbounds' && req.method === 'GET') {
        const all = [...inbounds.values()].reverse();
        return json(200, { count: all.length, page: 0, page_size: all.length, inbounds: all.slice(0, 100) });
      }
      const inbound = /^\/inbounds\/([0-9A-Z]{26})$/.exec(rest);
      if (inbound && req.method === 'GET') {
        const i = inbounds.get(inbound[1]!);
        return i ? json(200, i) : sinchError(404, 'not_found', `Inbound ${inbound[1]} not found`);
      }
      return sinchError(404, 'not_found', `The resource ${path} was not found`);
    },
  };
}
