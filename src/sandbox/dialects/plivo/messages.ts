// Plivo Messages (reference §3.1–3.4): send (one message per destination, `<`-separated), list
// with filters and paging, fetch one, and a message's media.
import { randomUUID } from 'node:crypto';
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import type { SandboxMessage } from '../../store.js';
import { route, type Route } from '../../router.js';
import {
  OWN_NUMBERS,
  apiId,
  digits,
  list,
  mediaUrl,
  methodNotAllowed,
  plivoError,
  plivoTime,
  readBody,
  type PlivoContext,
  type Upload,
  UPLOADS_DETAIL,
} from './context.js';
import { lifecycle } from './delivery.js';
import { isUnregisteredSender, optOutsFor } from '../../carrier.js';

const TEST_DST_SYNC: Record<string, (dst: string, type: string) => string | undefined> = {
  '15557770200': (d) => `${d} is not a valid phone number`,
  '15557770201': (d, type) => (type === 'mms' ? `${d} is not an MMS enabled phone number` : undefined),
};
const MAX_MEDIA = 10;
// Plivo rejects text over 1600 characters [docs for SMS; the sandbox applies it to MMS too].
const MAX_TEXT = 1600;

function messageJson(ctx: PlivoContext, m: SandboxMessage): Record<string, unknown> {
  const x = ctx.extras.get(m.id);
  return {
    api_id: apiId(),
    message_uuid: m.id,
    message_direction: m.direction,
    message_state: m.status,
    message_type: x?.type ?? (m.media.length ? 'mms' : 'sms'),
    from_number: m.from,
    to_number: m.to,
    error_code: m.errorCode !== undefined ? String(m.errorCode) : '000',
    ...(m.errorMessage ? { error_message: m.errorMessage } : {}),
    message_time: plivoTime(m.createdAt),
    message_sent_time: x?.sentAt ? plivoTime(x.sentAt) : null,
    message_updated_time: plivoTime(m.updatedAt),
    total_amount: '0.00000',
    total_rate: '0.00000',
    units: 1,
    powerpack_id: null,
    requester_ip: '127.0.0.1',
    is_domestic: true,
    replaced_sender: '',
    destination_country_iso2: 'US',
    log: true,
    resource_uri: `${ctx.accountPath}/Message/${m.id}/`,
  };
}

function stringList(v: unknown): string[] | undefined {
  if (v === undefined || v === null || v === '') return [];
  // The docs describe a comma-separated string, the SDKs send an array (reference §5.4): accept both.
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v;
  return undefined;
}

/**
 * The Message list's filters (reference §3.4): message_direction, message_state, message_type,
 * message_time and message_time__gt/__gte/__lt/__lte (`YYYY-MM-DD HH:MM[:SS[.ffffff]]`, UTC).
 * Returns the matching messages, or a problem to answer with 400.
 */
function filterMessages(ctx: PlivoContext, rows: SandboxMessage[], q: URLSearchParams): SandboxMessage[] | string {
  const dir = q.get('message_direction')?.toLowerCase();
  if (dir && dir !== 'inbound' && dir !== 'outbound') return 'message_direction must be inbound or outbound';
  const state = q.get('message_state')?.toLowerCase();
  const type = q.get('message_type')?.toLowerCase();
  const bounds: Array<[string, (t: number, b: number) => boolean]> = [
    ['message_time', (t, b) => Math.floor(t / 1000) * 1000 === b],
    ['message_time__gt', (t, b) => t > b],
    ['message_time__gte', (t, b) => t >= b],
    ['message_time__lt', (t, b) => t < b],
    ['message_time__lte', (t, b) => t <= b],
  ];
  const tests: Array<(t: number) => boolean> = [];
  for (const [key, cmp] of bounds) {
    const v = q.get(key);
    if (v === null) continue;
    const b = /^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d(\.\d{1,6})?)?$/.test(v) ? Date.parse(`${v.replace(' ', 'T').slice(0, 23)}Z`) : NaN;
    if (!Number.isFinite(b)) return `${key} must be YYYY-MM-DD HH:MM[:SS[.ffffff]]`;
    tests.push((t) => cmp(t, b));
  }
  return rows.filter((m) => {
    if (dir && m.direction !== dir) return false;
    if (state && m.status.toLowerCase() !== state) return false;
    if (type && (ctx.extras.get(m.id)?.type ?? (m.media.length ? 'mms' : 'sms')) !== type) return false;
    const t = Date.parse(m.createdAt);
    return tests.every((f) => f(t));
  });
}

/** A create request that passed the checks. */
interface SendRequest {
  src: string;
  dstRaw: string;
  type: string;
  text: string;
  urls: string[];
  uploads: Upload[];
  callback?: string;
  method: string;
}

/** The checks on the request as a whole, in Plivo's order; the refusal or the parsed request. */
function validate(ctx: PlivoContext, b: Record<string, unknown>): SendRequest | SandboxResponse {
  const src = typeof b.src === 'string' ? b.src : '';
  const powerpack = typeof b.powerpack_uuid === 'string' ? b.powerpack_uuid : '';
  if (src && powerpack) return plivoError(400, 'Both src and powerpack_uuid cannot be specified. Specify either src or powerpack_uuid.');
  if (!src && !powerpack) return plivoError(400, 'Either src or powerpack_uuid should be specified.');
  if (powerpack) return plivoError(400, `powerpack_uuid ${powerpack} is not a valid Powerpack (the sandbox has none; use src)`);
  const dstRaw = typeof b.dst === 'string' ? b.dst : '';
  if (!dstRaw) return plivoError(400, 'dst parameter is required');
  const type = b.type === undefined ? 'sms' : String(b.type);
  if (!['sms', 'mms', 'whatsapp'].includes(type)) return plivoError(400, `type ${type} is not valid: use sms or mms`);
  if (type === 'whatsapp') return plivoError(400, 'WhatsApp messages are not supported by the sandbox');
  const text = b.text === undefined || b.text === null ? '' : String(b.text);
  const urls = stringList(b.media_urls);
  const ids = stringList(b.media_ids);
  if (!urls || !ids) return plivoError(400, 'media_urls and media_ids must be lists of strings');
  if (type === 'sms' && (urls.length || ids.length)) return plivoError(400, 'media_urls and media_ids can only be used with type mms');
  if (type === 'sms' && !text) return plivoError(400, 'text parameter is required for type sms');
  if (type === 'mms' && !text && urls.length + ids.length === 0) return plivoError(400, 'an MMS needs text, media_urls or media_ids');
  if ([...text].length > MAX_TEXT) return plivoError(400, `text is longer than the maximum of ${MAX_TEXT} characters`);
  if (urls.length + ids.length > MAX_MEDIA) return plivoError(400, `a message can carry at most ${MAX_MEDIA} media (media_urls and media_ids together)`);
  for (const u of urls) if (!/^https?:\/\/[^\s/]+/i.test(u)) return plivoError(400, `${u} is not a valid media URL`);
  const uploads: Upload[] = [];
  for (const id of ids) {
    const u = ctx.uploads.get(id);
    if (!u) return plivoError(400, `media_id ${id} is not valid: upload the file first (POST ${ctx.accountPath}/Media/)`);
    uploads.push(u);
  }
  const srcDigits = digits(src);
  // The unregistered 10DLC magic sender is accepted here and failed after the 202 (delivery.ts).
  if (!OWN_NUMBERS.includes(srcDigits) && !isUnregisteredSender(srcDigits)) {
    return plivoError(
      400,
      `${srcDigits} is not a valid source number for this account (src must be a Plivo number you own; sandbox numbers: ${OWN_NUMBERS.join(', ')})`,
    );
  }
  const callback = typeof b.url === 'string' && b.url ? b.url : undefined;
  if (callback && !/^https?:\/\/[^\s/]+/i.test(callback)) return plivoError(400, `url ${callback} is not a valid URL`);
  const method = typeof b.method === 'string' ? b.method.toUpperCase() : 'POST';
  if (method !== 'GET' && method !== 'POST') return plivoError(400, 'method must be GET or POST');
  return { src: srcDigits, dstRaw, type, text, urls, uploads, ...(callback ? { callback } : {}), method };
}

/** Keeps the uploads a message carries with it (their bytes with the record's media), so a restart resolves their media_ids. */
function keepUploads(ctx: PlivoContext, id: string, uploads: readonly Upload[]): void {
  ctx.svc.store.setDetail(
    id,
    UPLOADS_DETAIL,
    uploads.map(({ data: _data, ...meta }) => meta),
  );
  const files = ctx.svc.store.mediaFiles;
  for (const u of uploads) if (files && u.data) void files.put(u.data, u.content_type).catch(() => undefined);
}

/** Stores one accepted message to `dst` and starts its lifecycle. */
function accept(ctx: PlivoContext, s: SendRequest, dst: string): string {
  const now = new Date().toISOString();
  const id = randomUUID();
  ctx.extras.set(id, { type: s.type as 'sms' | 'mms', method: s.method, sequence: 0, queuedAt: now });
  const msg = ctx.svc.store.add({
    id,
    provider: 'plivo',
    account: ctx.authId,
    direction: 'outbound',
    to: dst,
    from: s.src,
    body: s.text,
    media: [
      ...s.urls.map((url) => ({ url, status: 'pending' as const })),
      ...s.uploads.map((u) => ({ url: mediaUrl(ctx, u.media_id), status: 'fetched' as const, contentType: u.content_type, size: u.size, sha256: u.sha256 })),
    ],
    status: 'queued',
    ...(s.callback ? { statusCallback: s.callback } : {}),
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'queued', at: now }],
  });
  if (s.uploads.length > 0) keepUploads(ctx, id, s.uploads);
  ctx.svc.log(`plivo ${id} ${s.src} → ${dst}${msg.media.length ? ` (${msg.media.length} media)` : ''}`);
  void lifecycle(ctx, msg).catch((e: unknown) => ctx.svc.log(`plivo ${id}: lifecycle error ${(e as Error).message}`));
  return id;
}

function createMessage(ctx: PlivoContext, req: SandboxRequest): SandboxResponse {
  const r = readBody(req);
  return r.ok ? sendFromBody(ctx, r.body) : r.res;
}

/** A send request's fields (the API's, or a Plivo XML <Message>'s) checked and accepted: Plivo's answer. */
export function sendFromBody(ctx: PlivoContext, body: Record<string, unknown>): SandboxResponse {
  const s = validate(ctx, body);
  if (!('dstRaw' in s)) return s;
  const dsts = s.dstRaw.split('<').map(digits).filter(Boolean);
  if (dsts.includes(s.src)) return plivoError(400, 'src and dst cannot be the same number');
  const valid: string[] = [];
  const invalid: string[] = [];
  let firstSync: string | undefined;
  for (const d of dsts) {
    const sync = TEST_DST_SYNC[d]?.(d, s.type) ?? (/^[1-9]\d{7,14}$/.test(d) ? undefined : `${d} is not a valid phone number`);
    if (sync) {
      invalid.push(d);
      firstSync ??= sync;
    } else valid.push(d);
  }
  // One refused destination: a synchronous 400 with Plivo's sentence; several: 202 with invalid_number.
  if (valid.length === 0) return plivoError(400, firstSync ?? `${s.dstRaw} is not a valid phone number`);
  const uuids = valid.map((d) => accept(ctx, s, d));
  return json(202, { api_id: apiId(), message: 'message(s) queued', message_uuid: uuids, ...(invalid.length ? { invalid_number: invalid } : {}) });
}

function messageOrMedia(ctx: PlivoContext, id: string, media: boolean): SandboxResponse {
  const m = ctx.svc.store.get(id);
  if (!m || m.provider !== 'plivo') return plivoError(404, 'not found');
  if (!media) return json(200, messageJson(ctx, m));
  const objects = m.media.map((md) => ({
    content_type: md.contentType ?? null,
    media_id: md.url.split('/').pop() ?? '',
    media_url: md.url,
    message_uuid: m.id,
    size: md.size ?? null,
  }));
  return json(200, { api_id: apiId(), meta: { limit: 20, offset: 0, next: null, previous: null, total_count: objects.length }, objects });
}

/** Routes below the account path. */
export function messageRoutes(ctx: PlivoContext): Route[] {
  // Start following the record now, so STOPs that arrive before the first send count.
  optOutsFor(ctx.svc.store);
  const base = `${ctx.accountPath}/Message/`;
  return [
    route('POST', base, (req) => createMessage(ctx, req)),
    route('GET', base, (req) => {
      const rows = filterMessages(
        ctx,
        ctx.svc.store.list({ provider: 'plivo' }).filter((m) => m.account === ctx.authId),
        req.query,
      );
      if (typeof rows === 'string') return plivoError(400, rows);
      return json(
        200,
        list(
          ctx,
          rows.reverse().map((m) => messageJson(ctx, m)),
          req,
        ),
      );
    }),
    route('*', base, () => methodNotAllowed()),
    // Matched in any case, as before the router (the account prefix is checked exactly first).
    route('GET', `${base}:id([0-9a-f-]{36})/:media((?:Media/)?)`, (_req, p) => messageOrMedia(ctx, p.id!, p.media !== ''), { ignoreCase: true }),
  ];
}
