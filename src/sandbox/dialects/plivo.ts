// Plivo's Messaging API v1 wire format, emulated (reference §3): Basic auth_id:auth_token, JSON
// requests (form bodies are accepted too), `{api_id, error}` error bodies with Plivo's sentences,
// a 202 with a `message_uuid` array on send, media fetched after the 202, the Media upload API
// (multipart field `file`, ≤2 MB each) whose media_ids can be sent, and callbacks signed with
// X-Plivo-Signature-V3 and -V2 (both sets are sent; reference §3.7).
// Endpoints (under /plivo):
//   GET  /v1/Account/{auth_id}/                       account (what verifyCredentials calls)
//   POST /v1/Account/{auth_id}/Message/               send; GET …/Message/ list; GET …/Message/{uuid}/
//   GET  /v1/Account/{auth_id}/Message/{uuid}/Media/  media of a message
//   POST /v1/Account/{auth_id}/Media/                 upload; GET …/Media/ list; GET …/Media/{id}/
//   GET|POST /v1/Account/{auth_id}/Application/       list / create; GET|POST|DELETE …/Application/{app_id}/
//   GET  /v1/Account/{auth_id}/Number/                list; GET|POST …/Number/{number}/ (POST {app_id} links)
//   GET  /media/{auth_id}/{media_id}                  uploaded files, unauthenticated (like media.plivo.com)
// Test numbers (Plivo has none, reference §3.9; these are the sandbox's own):
//   dst 15557770200  400 "15557770200 is not a valid phone number" (synchronous)
//   dst 15557770201  400 "15557770201 is not an MMS enabled phone number" (synchronous, MMS only)
//   dst 15557770202  accepted, then failed with ErrorCode 50 (invalid destination number)
//   dst 15557770203  accepted, then undelivered with ErrorCode 20 (network error)
//   dst 15557770204  accepted, stays `sent` (no delivery receipt, as US carriers often do)
//   Own numbers 15557770021 (default src) and 15557770022, linked to the default application; a
//   message to one of them comes back to the linked application's message_url, signed.
import { createHash, createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { SandboxDialect, SandboxRequest, SandboxResponse, SandboxServices } from '../types.js';
import { json } from '../types.js';
import type { SandboxMessage } from '../store.js';
import { safeEqual } from '../../providers/shared.js';

const OWN_NUMBERS = ['15557770021', '15557770022'];
const TEST_DST_SYNC: Record<string, (dst: string, type: string) => string | undefined> = {
  '15557770200': (d) => `${d} is not a valid phone number`,
  '15557770201': (d, type) => (type === 'mms' ? `${d} is not an MMS enabled phone number` : undefined),
};
/** Accepted, then: [final state, ErrorCode]. */
const TEST_DST_FINAL: Record<string, [string, string | undefined]> = {
  '15557770202': ['failed', '50'],
  '15557770203': ['undelivered', '20'],
  '15557770204': ['sent', undefined],
};
const ERROR_TEXT: Record<string, string> = {
  '10': 'Invalid Message',
  '20': 'Network Error',
  '50': 'Invalid Destination Number',
};
// "total < 5 MB" (reference §3.2); decimal, like the adapter.
const MAX_TOTAL = 5_000_000;
const MAX_UPLOAD = 2 * 1024 * 1024;
const MAX_MEDIA = 10;
// Plivo rejects text over 1600 characters [docs for SMS; the sandbox applies it to MMS too].
const MAX_TEXT = 1600;
// plivo-python's validation list (reference §3.2).
const ACCEPTED_TYPES = /^(image\/(jpeg|jpg|png|gif)|audio\/(mpeg|mp3|wav|x-wav|ogg)|video\/(mp4|mpeg|3gpp|3gpp2)|text\/(vcard|x-vcard|csv|plain)|application\/(pdf|vnd\.ms-excel|vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet)|image\/x-xcf)$/;

interface Application {
  app_id: string;
  app_name: string;
  answer_url: string;
  answer_method: string;
  message_url: string;
  message_method: string;
  default_app: boolean;
}

interface Upload {
  media_id: string;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  data: Buffer;
  upload_time: string;
}

interface Extra {
  type: 'sms' | 'mms';
  method: string;
  sequence: number;
  queuedAt: string;
  sentAt?: string;
  deliveredAt?: string;
}

function apiId(): string {
  return randomUUID();
}

function plivoError(status: number, error: string, headers: Record<string, string> = {}): SandboxResponse {
  return json(status, { api_id: apiId(), error }, headers);
}

/** Plivo writes times as `2024-05-01 10:00:00+00:00`. */
function plivoTime(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')}+00:00`;
}

/** Callback times: `YYYY-mm-dd HH:MM:SS.SSSSSS` (reference §3.6). */
function callbackTime(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')}.${iso.slice(20, 23)}000`;
}

/** Digits only, as Plivo writes numbers (it strips `+ - . / ( )` and spaces). */
function digits(n: string): string {
  return n.replace(/[\s+\-./()]/g, '');
}

/** The URL up to the query, unnormalised (Plivo signs the URL as configured). */
function baseAndQuery(url: string): { base: string; query: string } {
  const noHash = url.split('#')[0]!;
  const q = noHash.indexOf('?');
  return q < 0 ? { base: noHash, query: '' } : { base: noHash.slice(0, q), query: noHash.slice(q + 1) };
}

function sortedPairs(params: Array<[string, string]>): Array<[string, string]> {
  return [...params].sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
}

/** X-Plivo-Signature-V2: base64 HMAC-SHA256(token, URL without query + nonce). */
export function plivoV2Signature(authToken: string, url: string, nonce: string): string {
  return createHmac('sha256', authToken).update(baseAndQuery(url).base + nonce, 'utf8').digest('base64');
}

/**
 * X-Plivo-Signature-V3 for a POST: the URL's own query sorted as `k=v&…`, then (when there are
 * params) `?query.` + the params sorted as `keyvalue`, then `.nonce` (reference §3.7, plivo-go).
 */
export function plivoV3Signature(authToken: string, url: string, nonce: string, params: Array<[string, string]>): string {
  const { base, query } = baseAndQuery(url);
  const qs = sortedPairs([...new URLSearchParams(query)]).map(([k, v]) => `${k}=${v}`).join('&');
  let signed: string;
  if (params.length === 0) signed = qs ? `${base}?${qs}` : base;
  else signed = `${base}?${qs}${qs ? '.' : ''}${sortedPairs(params).map(([k, v]) => k + v).join('')}`;
  return createHmac('sha256', authToken).update(`${signed}.${nonce}`, 'utf8').digest('base64');
}

/** Form body plus both signature header sets for a Plivo callback to `url`. */
export function signPlivoCallback(authToken: string, url: string, params: Array<[string, string]>): { headers: Record<string, string>; body: string } {
  const nonce = () => Array.from({ length: 20 }, () => randomInt(10)).join('');
  const n3 = nonce();
  const n2 = nonce();
  const v3 = plivoV3Signature(authToken, url, n3, params);
  const v2 = plivoV2Signature(authToken, url, n2);
  return {
    body: new URLSearchParams(params).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'PlivoHTTP',
      // The sandbox has no subaccounts, so the main-account (-Ma-) signatures use the same token.
      'x-plivo-signature-v3': v3,
      'x-plivo-signature-ma-v3': v3,
      'x-plivo-signature-v3-nonce': n3,
      'x-plivo-signature-v2': v2,
      'x-plivo-signature-ma-v2': v2,
      'x-plivo-signature-v2-nonce': n2,
    },
  };
}

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Parses a multipart/form-data body (RFC 7578); undefined when it is malformed. */
function parseMultipart(body: Buffer, contentType: string): Part[] | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return undefined;
  const delim = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) return undefined;
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts;
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    const next = body.indexOf(delim, pos);
    if (next < 0) return undefined;
    let part = body.subarray(pos, next);
    if (part.subarray(-2).toString() === '\r\n') part = part.subarray(0, -2);
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) return undefined;
    const head = part.subarray(0, sep).toString('utf8');
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) return undefined;
    const filename = /content-disposition:[^\r\n]*\bfilename="([^"]*)"/i.exec(head)?.[1];
    const ct = /^content-type:\s*([^\r\n;]+)/im.exec(head)?.[1]?.trim().toLowerCase();
    parts.push({ name, ...(filename !== undefined ? { filename } : {}), ...(ct ? { contentType: ct } : {}), data: part.subarray(sep + 4) });
    pos = next;
  }
}

/** Creates the Plivo dialect with a fresh Auth ID and Auth Token. */
export function createPlivoDialect(svc: SandboxServices): SandboxDialect {
  const alnum = (n: number) => Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[randomInt(36)]).join('');
  // Main accounts are MA + 18 upper-case letters or digits (the adapter's pattern).
  const authId = `MA${alnum(18)}`;
  const authToken = randomBytes(30).toString('base64').replace(/[+/=]/g, '').slice(0, 40);
  const accountPath = `/v1/Account/${authId}`;
  const extras = new Map<string, Extra>();
  const uploads = new Map<string, Upload>();
  const apps = new Map<string, Application>();
  // Plivo app ids are 17-digit decimal strings.
  const appId = () => `${randomInt(10_000_000, 100_000_000)}${randomInt(100_000_000, 1_000_000_000)}`;
  const defaultApp: Application = { app_id: appId(), app_name: 'mms sandbox default', answer_url: '', answer_method: 'POST', message_url: '', message_method: 'POST', default_app: true };
  apps.set(defaultApp.app_id, defaultApp);
  /** Number (digits) → linked app_id, or null. */
  const links = new Map<string, string | null>(OWN_NUMBERS.map((n) => [n, defaultApp.app_id]));
  const started = new Date().toISOString();

  const mediaUrl = (id: string) => `${svc.origin()}/plivo/media/${authId}/${id}`;

  function appJson(a: Application): Record<string, unknown> {
    return {
      ...a,
      application_type: 'XML',
      enabled: true,
      fallback_answer_url: '',
      fallback_method: 'POST',
      hangup_method: 'POST',
      hangup_url: a.answer_url,
      log_incoming_messages: true,
      public_uri: false,
      default_endpoint_app: false,
      resource_uri: `${accountPath}/Application/${a.app_id}/`,
      sip_uri: `sip:${a.app_id}@app.plivo.com`,
      sub_account: null,
    };
  }

  function numberJson(n: string): Record<string, unknown> {
    const app = links.get(n);
    return {
      added_on: started.slice(0, 10),
      alias: null,
      application: app ? `${accountPath}/Application/${app}/` : null,
      carrier: 'Plivo',
      city: 'SANDBOX',
      country: 'UNITED STATES',
      mms_enabled: true,
      mms_rate: '0.01800',
      monthly_rental_rate: '0.50000',
      number: n,
      number_type: 'local',
      region: 'United States',
      resource_uri: `${accountPath}/Number/${n}/`,
      sms_enabled: true,
      sms_rate: '0.00000',
      sub_account: null,
      voice_enabled: true,
      voice_rate: '0.00850',
    };
  }

  function uploadJson(u: Upload): Record<string, unknown> {
    return { content_type: u.content_type, file_name: u.file_name, media_id: u.media_id, media_url: mediaUrl(u.media_id), size: u.size, upload_time: plivoTime(u.upload_time) };
  }

  function messageJson(m: SandboxMessage): Record<string, unknown> {
    const x = extras.get(m.id);
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
      resource_uri: `${accountPath}/Message/${m.id}/`,
    };
  }

  function authorised(req: SandboxRequest): boolean {
    const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i >= 0 && safeEqual(decoded.slice(0, i), authId) && safeEqual(decoded.slice(i + 1), authToken);
  }

  async function post(url: string, method: string, params: Array<[string, string]>, kind: 'inbound' | 'status', id: string): Promise<void> {
    if (method.toUpperCase() === 'GET') svc.log(`plivo ${id}: ${kind} callback method is GET; the sandbox delivers callbacks as POST`);
    const signed = signPlivoCallback(authToken, url, params);
    await svc.deliverWebhook({ url, headers: signed.headers, body: signed.body }, kind, id);
  }

  async function setStatus(m: SandboxMessage, status: string, errorCode?: string, errorMessage?: string): Promise<void> {
    const x = extras.get(m.id);
    const now = new Date().toISOString();
    if (x && status === 'sent') x.sentAt = now;
    if (x && (status === 'delivered' || status === 'undelivered')) x.deliveredAt = now;
    svc.store.setStatus(m.id, status, errorCode ? { errorCode, errorMessage: errorMessage ?? ERROR_TEXT[errorCode] ?? 'Error' } : {});
    await callback(m, status, errorCode);
  }

  /** The status callback to the send request's `url`, if it had one. */
  async function callback(m: SandboxMessage, status: string, errorCode?: string): Promise<void> {
    const x = extras.get(m.id);
    if (!m.statusCallback || !x) return;
    x.sequence += 1;
    const params: Array<[string, string]> = [
      ['MessageUUID', m.id],
      ['To', m.to],
      ['From', m.from],
      ['Type', x.type],
      ['Status', status],
      ['Units', '1'],
      ['TotalRate', '0.00000'],
      ['TotalAmount', '0.00000'],
      ['MCC', '310'],
      ['MNC', '260'],
      ['ParentMessageUUID', m.id],
      ['PartInfo', '1 of 1'],
      ['Sequence', String(x.sequence)],
      ['MessageTime', callbackTime(m.createdAt)],
      ['QueuedTime', callbackTime(x.queuedAt)],
      ['SentTime', x.sentAt ? callbackTime(x.sentAt) : ''],
      ['DeliveryReportTime', x.deliveredAt ? callbackTime(x.deliveredAt) : ''],
      ['PowerpackUUID', ''],
    ];
    // ErrorCode only on failed/undelivered (reference §3.6).
    if (errorCode) params.push(['ErrorCode', errorCode]);
    await post(m.statusCallback, x.method, params, 'status', m.id);
  }

  /** A message to one of our numbers arrives at the linked application's message_url. */
  async function receive(out: SandboxMessage): Promise<void> {
    const app = apps.get(links.get(out.to) ?? '');
    const now = new Date().toISOString();
    const type = extras.get(out.id)?.type ?? 'sms';
    const inbound = svc.store.add({
      id: randomUUID(),
      provider: 'plivo',
      account: authId,
      direction: 'inbound',
      to: out.to,
      from: out.from,
      body: out.body,
      media: out.media.map((md) => ({ ...md })),
      status: 'received',
      createdAt: now,
      updatedAt: now,
      history: [{ status: 'received', at: now }],
    });
    extras.set(inbound.id, { type, method: 'POST', sequence: 0, queuedAt: now });
    if (!app?.message_url) {
      // Without a message_url Plivo keeps the message as received and forwards nothing (reference §3.8).
      svc.log(`plivo inbound ${inbound.id} → ${out.to}: no application message_url; not forwarded`);
      return;
    }
    const params: Array<[string, string]> = [
      ['From', out.from],
      ['To', out.to],
      ['Type', type],
      ['MessageUUID', inbound.id],
      ['Units', '1'],
      ['TotalRate', '0.00000'],
      ['TotalAmount', '0.00000'],
      ['MessageIntent', ''],
      ['PowerpackUUID', ''],
    ];
    // MMS text arrives as Body, SMS text as Text (reference §3.5).
    params.push([type === 'mms' ? 'Body' : 'Text', out.body]);
    if (type === 'mms') {
      params.push(['MediaCount', String(out.media.length)]);
      // The API docs number media from 1; a support article says 0 (reference §5.2). We follow the API docs.
      out.media.forEach((md, i) => params.push([`Media${i + 1}`, md.url]));
    }
    await post(app.message_url, app.message_method, params, 'inbound', inbound.id);
  }

  async function lifecycle(m: SandboxMessage): Promise<void> {
    const wait = () => svc.step();
    // The message was stored as queued when the send was accepted; only the callback is left to send.
    await callback(m, 'queued');
    let budget = MAX_TOTAL - m.media.reduce((n, md) => n + (md.status === 'fetched' ? (md.size ?? 0) : 0), 0);
    for (const media of m.media) {
      if (media.status === 'fetched') continue;
      const r = await svc.fetcher.fetch(media.url, { maxBytes: budget });
      let problem: string | undefined;
      if (!r.ok) {
        // Plivo rejects URLs with no Content-Type (reference §3.2) and messages over 5 MB in total.
        problem = r.reason === 'too-large' ? `media exceeds the 5 MB total: ${r.detail}` : `media could not be retrieved: ${r.detail}`;
        if (r.contentType) media.contentType = r.contentType;
      } else {
        media.contentType = r.contentType;
        media.size = r.size;
        media.sha256 = r.sha256;
        if (!ACCEPTED_TYPES.test(r.contentType)) problem = `unsupported media type ${r.contentType}`;
      }
      if (problem) {
        media.status = 'failed';
        media.error = problem;
        await wait();
        // Error 10 ("invalid message") is the closest documented code [sandbox choice].
        await setStatus(m, 'failed', '10', `Invalid Message: ${problem}`);
        svc.log(`plivo ${m.id} → ${m.to}: ${problem}`);
        return;
      }
      media.status = 'fetched';
      budget -= media.size ?? 0;
    }
    const final = TEST_DST_FINAL[m.to];
    await wait();
    if (final?.[0] === 'failed') {
      await setStatus(m, 'failed', final[1]);
      return;
    }
    await setStatus(m, 'sent');
    if (final?.[0] === 'sent') return;
    await wait();
    if (final) {
      await setStatus(m, final[0], final[1]);
      return;
    }
    await setStatus(m, 'delivered');
    if (OWN_NUMBERS.includes(m.to)) await receive(m);
  }

  function readBody(req: SandboxRequest): { ok: true; body: Record<string, unknown> } | { ok: false; res: SandboxResponse } {
    const ct = String(req.headers['content-type'] ?? '').toLowerCase();
    const text = req.rawBody.toString('utf8');
    if (ct.startsWith('application/x-www-form-urlencoded')) {
      const o: Record<string, unknown> = {};
      for (const [k, v] of new URLSearchParams(text)) o[k] = v;
      return { ok: true, body: o };
    }
    if (text.trim() === '') return { ok: true, body: {} };
    try {
      const v = JSON.parse(text) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return { ok: true, body: v as Record<string, unknown> };
    } catch {
      // fall through
    }
    return { ok: false, res: plivoError(400, 'invalid JSON in the request body') };
  }

  function stringList(v: unknown): string[] | undefined {
    if (v === undefined || v === null || v === '') return [];
    // The docs describe a comma-separated string, the SDKs send an array (reference §5.4): accept both.
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
    return undefined;
  }

  async function createMessage(req: SandboxRequest): Promise<SandboxResponse> {
    const r = readBody(req);
    if (!r.ok) return r.res;
    const b = r.body;
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
    const uploadsUsed: Upload[] = [];
    for (const id of ids) {
      const u = uploads.get(id);
      if (!u) return plivoError(400, `media_id ${id} is not valid: upload the file first (POST ${accountPath}/Media/)`);
      uploadsUsed.push(u);
    }
    const srcDigits = digits(src);
    if (!OWN_NUMBERS.includes(srcDigits)) {
      return plivoError(400, `${srcDigits} is not a valid source number for this account (src must be a Plivo number you own; sandbox numbers: ${OWN_NUMBERS.join(', ')})`);
    }
    const callback = typeof b.url === 'string' && b.url ? b.url : undefined;
    if (callback && !/^https?:\/\/[^\s/]+/i.test(callback)) return plivoError(400, `url ${callback} is not a valid URL`);
    const method = typeof b.method === 'string' ? b.method.toUpperCase() : 'POST';
    if (method !== 'GET' && method !== 'POST') return plivoError(400, 'method must be GET or POST');
    const dsts = dstRaw.split('<').map(digits).filter(Boolean);
    if (dsts.includes(srcDigits)) return plivoError(400, 'src and dst cannot be the same number');
    const valid: string[] = [];
    const invalid: string[] = [];
    let firstSync: string | undefined;
    for (const d of dsts) {
      const sync = TEST_DST_SYNC[d]?.(d, type) ?? (/^[1-9]\d{7,14}$/.test(d) ? undefined : `${d} is not a valid phone number`);
      if (sync) {
        invalid.push(d);
        firstSync ??= sync;
      } else valid.push(d);
    }
    // One refused destination: a synchronous 400 with Plivo's sentence; several: 202 with invalid_number.
    if (valid.length === 0) return plivoError(400, firstSync ?? `${dstRaw} is not a valid phone number`);
    const uuids: string[] = [];
    for (const d of valid) {
      const now = new Date().toISOString();
      const id = randomUUID();
      extras.set(id, { type: type as 'sms' | 'mms', method, sequence: 0, queuedAt: now });
      const msg = svc.store.add({
        id,
        provider: 'plivo',
        account: authId,
        direction: 'outbound',
        to: d,
        from: srcDigits,
        body: text,
        media: [
          ...urls.map((url) => ({ url, status: 'pending' as const })),
          ...uploadsUsed.map((u) => ({ url: mediaUrl(u.media_id), status: 'fetched' as const, contentType: u.content_type, size: u.size, sha256: u.sha256 })),
        ],
        status: 'queued',
        ...(callback ? { statusCallback: callback } : {}),
        createdAt: now,
        updatedAt: now,
        history: [{ status: 'queued', at: now }],
      });
      uuids.push(id);
      svc.log(`plivo ${id} ${srcDigits} → ${d}${msg.media.length ? ` (${msg.media.length} media)` : ''}`);
      void lifecycle(msg).catch((e: unknown) => svc.log(`plivo ${id}: lifecycle error ${(e as Error).message}`));
    }
    return json(202, { api_id: apiId(), message: 'message(s) queued', message_uuid: uuids, ...(invalid.length ? { invalid_number: invalid } : {}) });
  }

  /**
   * The Message list's filters (reference §3.4): message_direction, message_state, message_type,
   * message_time and message_time__gt/__gte/__lt/__lte (`YYYY-MM-DD HH:MM[:SS[.ffffff]]`, UTC).
   * Returns the matching messages, or a problem to answer with 400.
   */
  function filterMessages(rows: SandboxMessage[], q: URLSearchParams): SandboxMessage[] | string {
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
      if (type && (extras.get(m.id)?.type ?? (m.media.length ? 'mms' : 'sms')) !== type) return false;
      const t = Date.parse(m.createdAt);
      return tests.every((f) => f(t));
    });
  }

  function list<T>(items: T[], req: SandboxRequest): Record<string, unknown> {
    // Plivo's `limit` is at most 20 (reference §3.4).
    const limit = Math.min(Math.max(Number(req.query.get('limit') ?? 20) || 20, 1), 20);
    const offset = Math.max(Number(req.query.get('offset') ?? 0) || 0, 0);
    // The page links keep the request's filters.
    const link = (o: number): string => {
      const q = new URLSearchParams(req.query);
      q.set('limit', String(limit));
      q.set('offset', String(o));
      return `${accountPath}/${req.path.split('/')[4]}/?${q.toString()}`;
    };
    const next = offset + limit < items.length ? link(offset + limit) : null;
    const previous = offset > 0 ? link(Math.max(0, offset - limit)) : null;
    return { api_id: apiId(), meta: { limit, offset, next, previous, total_count: items.length }, objects: items.slice(offset, offset + limit) };
  }

  function upload(req: SandboxRequest): SandboxResponse {
    const ct = String(req.headers['content-type'] ?? '');
    if (!ct.toLowerCase().startsWith('multipart/form-data')) return plivoError(400, 'the upload must be multipart/form-data with the file(s) in field "file"');
    const parts = parseMultipart(req.rawBody, ct);
    if (!parts) return plivoError(400, 'malformed multipart/form-data body');
    const files = parts.filter((p) => p.name === 'file');
    if (files.length === 0) return plivoError(400, 'no file found in field "file"');
    if (files.length > 10) return plivoError(400, 'at most 10 files can be uploaded per request');
    const objects = files.map((f) => {
      const fileName = f.filename ?? 'file';
      const contentType = f.contentType ?? 'application/octet-stream';
      if (f.data.length > MAX_UPLOAD) return { file_name: fileName, status: 'error', status_code: 400, error: `file size ${f.data.length} bytes exceeds the 2 MB limit` };
      if (!ACCEPTED_TYPES.test(contentType)) return { file_name: fileName, status: 'error', status_code: 400, error: `unsupported content type ${contentType}` };
      const u: Upload = { media_id: randomUUID(), file_name: fileName, content_type: contentType, size: f.data.length, sha256: createHash('sha256').update(f.data).digest('hex'), data: Buffer.from(f.data), upload_time: new Date().toISOString() };
      uploads.set(u.media_id, u);
      svc.log(`plivo media ${u.media_id} uploaded (${fileName}, ${u.size} bytes)`);
      return { ...uploadJson(u), status: 'success', status_code: 201 };
    });
    return json(202, { api_id: apiId(), objects });
  }

  function applications(req: SandboxRequest, id: string | undefined): SandboxResponse {
    if (id === undefined) {
      if (req.method === 'GET') return json(200, list([...apps.values()].map(appJson), req));
      if (req.method !== 'POST') return plivoError(405, 'method not allowed');
      const r = readBody(req);
      if (!r.ok) return r.res;
      const b = r.body;
      if (typeof b.app_name !== 'string' || !b.app_name) return plivoError(400, 'app_name parameter is required');
      const a: Application = { app_id: appId(), app_name: b.app_name, answer_url: '', answer_method: 'POST', message_url: '', message_method: 'POST', default_app: false };
      const bad = applyAppFields(a, b);
      if (bad) return bad;
      apps.set(a.app_id, a);
      svc.log(`plivo application ${a.app_id} created (message_url ${a.message_url || 'none'})`);
      return json(201, { api_id: apiId(), app_id: a.app_id, message: 'created' });
    }
    const a = apps.get(id);
    if (!a) return plivoError(404, 'not found');
    if (req.method === 'GET') return json(200, { api_id: apiId(), ...appJson(a) });
    if (req.method === 'POST') {
      const r = readBody(req);
      if (!r.ok) return r.res;
      const copy = { ...a };
      const bad = applyAppFields(copy, r.body);
      if (bad) return bad;
      Object.assign(a, copy);
      return json(202, { api_id: apiId(), message: 'changed' });
    }
    if (req.method === 'DELETE') {
      // Numbers linked to a deleted application are left without one.
      for (const [n, app] of links) if (app === id) links.set(n, null);
      apps.delete(id);
      return { status: 204 };
    }
    return plivoError(405, 'method not allowed');
  }

  function applyAppFields(a: Application, b: Record<string, unknown>): SandboxResponse | undefined {
    for (const f of ['message_url', 'answer_url'] as const) {
      if (!(f in b)) continue;
      const v = b[f] ?? '';
      if (typeof v !== 'string' || (v !== '' && !/^https?:\/\/[^\s/]+/i.test(v))) return plivoError(400, `${f} must be a valid URL`);
      a[f] = v;
    }
    for (const f of ['message_method', 'answer_method'] as const) {
      if (!(f in b)) continue;
      const v = String(b[f]).toUpperCase();
      if (v !== 'GET' && v !== 'POST') return plivoError(400, `${f} must be GET or POST`);
      a[f] = v;
    }
    if (typeof b.app_name === 'string' && b.app_name) a.app_name = b.app_name;
    return undefined;
  }

  function numbers(req: SandboxRequest, raw: string | undefined): SandboxResponse {
    if (raw === undefined) {
      if (req.method !== 'GET') return plivoError(405, 'method not allowed');
      return json(200, list([...links.keys()].map(numberJson), req));
    }
    const n = digits(decodeURIComponent(raw));
    if (!links.has(n)) return plivoError(404, 'not found');
    if (req.method === 'GET') return json(200, { api_id: apiId(), ...numberJson(n) });
    if (req.method === 'POST') {
      const r = readBody(req);
      if (!r.ok) return r.res;
      if ('app_id' in r.body) {
        const v = r.body.app_id;
        // An empty app_id unlinks the number.
        if (v === '' || v === null) links.set(n, null);
        else if (typeof v === 'string' && apps.has(v)) links.set(n, v);
        else return plivoError(400, `app_id ${String(v)} is not a valid application`);
      }
      return json(202, { api_id: apiId(), message: 'changed' });
    }
    return plivoError(405, 'method not allowed');
  }

  return {
    provider: 'plivo',
    describe: () => ({ credentials: { authId, authToken }, numbers: OWN_NUMBERS.map((n) => `+${n}`), defaultFrom: `+${OWN_NUMBERS[0]!}` }),
    isMessageCreate: (req) => req.method === 'POST' && req.path === `${accountPath}/Message/`,
    // Plivo documents no Retry-After (reference §3.3); the sandbox sends one so clients can back off.
    rateLimited: (retryAfter) => plivoError(429, 'too many requests', { 'retry-after': String(retryAfter) }),
    serverError: () => plivoError(500, 'internal server error'),
    async handle(req) {
      const media = /^\/media\/([^/]+)\/([^/]+)$/.exec(req.path);
      if (media && (req.method === 'GET' || req.method === 'HEAD')) {
        const u = media[1] === authId ? uploads.get(media[2]!) : undefined;
        if (!u) return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' };
        return { status: 200, headers: { 'content-type': u.content_type }, body: req.method === 'HEAD' ? '' : u.data };
      }
      if (!req.path.startsWith('/v1/Account/')) return plivoError(404, 'not found');
      if (!authorised(req)) {
        return { ...plivoError(401, 'authentication failed'), headers: { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="Authentication Required"' } };
      }
      // The Auth ID in the path must be the one authenticated.
      if (req.path !== accountPath && !req.path.startsWith(`${accountPath}/`)) return plivoError(401, 'authentication failed');
      const rest = req.path.slice(accountPath.length);
      if (rest === '/' || rest === '') {
        if (req.method !== 'GET') return plivoError(405, 'method not allowed');
        return json(200, {
          account_type: 'standard',
          address: '127.0.0.1',
          api_id: apiId(),
          auth_id: authId,
          auto_recharge: false,
          billing_mode: 'prepaid',
          cash_credits: '100.00000',
          city: 'Loopback',
          name: 'mms sandbox',
          resource_uri: `${accountPath}/`,
          state: '',
          timezone: 'UTC',
        });
      }
      if (rest === '/Message/') {
        if (req.method === 'POST') return createMessage(req);
        if (req.method === 'GET') {
          const rows = filterMessages(svc.store.list({ provider: 'plivo' }).filter((m) => m.account === authId), req.query);
          if (typeof rows === 'string') return plivoError(400, rows);
          return json(200, list(rows.reverse().map(messageJson), req));
        }
        return plivoError(405, 'method not allowed');
      }
      const msg = /^\/Message\/([0-9a-f-]{36})\/(Media\/)?$/i.exec(rest);
      if (msg && req.method === 'GET') {
        const m = svc.store.get(msg[1]!);
        if (!m || m.provider !== 'plivo') return plivoError(404, 'not found');
        if (!msg[2]) return json(200, messageJson(m));
        const objects = m.media.map((md) => ({ content_type: md.contentType ?? null, media_id: md.url.split('/').pop() ?? '', media_url: md.url, message_uuid: m.id, size: md.size ?? null }));
        return json(200, { api_id: apiId(), meta: { limit: 20, offset: 0, next: null, previous: null, total_count: objects.length }, objects });
      }
      if (rest === '/Media/') {
        if (req.method === 'POST') return upload(req);
        if (req.method === 'GET') return json(200, list([...uploads.values()].map(uploadJson), req));
        return plivoError(405, 'method not allowed');
      }
      const med = /^\/Media\/([^/]+)\/$/.exec(rest);
      if (med && req.method === 'GET') {
        const u = uploads.get(med[1]!);
        return u ? json(200, { api_id: apiId(), ...uploadJson(u) }) : plivoError(404, 'not found');
      }
      const app = /^\/Application\/(?:([^/]+)\/)?$/.exec(rest);
      if (app) return applications(req, app[1]);
      const num = /^\/Number\/(?:([^/]+)\/)?$/.exec(rest);
      if (num) return numbers(req, num[1]);
      return plivoError(404, 'not found');
    },
  };
}
