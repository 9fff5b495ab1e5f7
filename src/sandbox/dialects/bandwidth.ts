// Bandwidth's wire format, emulated (reference §2):
// - OAuth 2.0 client credentials: POST /api/v1/oauth2/token (Basic clientId:clientSecret, form
//   grant_type=client_credentials) → {access_token, token_type, expires_in}; API calls then carry
//   `Authorization: Bearer <token>` until it expires (the adapter uses `${baseUrl}/api/v1/oauth2/token`
//   for a non-bandwidth.com base URL, so this one server answers both hosts).
// - Messaging v2 (messaging.bandwidth.com): POST/GET /api/v2/users/{accountId}/messages, media
//   PUT/GET/DELETE /api/v2/users/{accountId}/media/{mediaId}; JSON errors {type, description,
//   fieldErrors}; 404 in Spring style.
// - The Dashboard API (api.bandwidth.com, XML): /api/accounts/{accountId}/applications,
//   sites/{siteId}/sippeers (locations) with products/messaging/{features,applicationSettings} and
//   movetns, and /api/tns/{tn}/{sites,sippeers} to find where a number lives.
//
// Round trip: a message sent to a sandbox number is stored as inbound and POSTed (a JSON array with
// one `message-received` event) to the InboundCallbackUrl of the application assigned to that
// number's location, with `Authorization: Basic` InboundCallbackCreds. Status callbacks
// (message-sending, then message-delivered or message-failed) go to the sending application's
// OutboundCallbackUrl with OutboundCallbackCreds. Inbound media is stored and served at
// /api/v2/users/{accountId}/media/{messageId}/{n}/{name}, which needs API auth (as on Bandwidth).
//
// Test numbers (To):
//   +15557770090  rejected at once: 400 request-validation, fieldErrors "to"   (RECIPIENT_INVALID)
//   +15557770091  accepted, then message-failed 4720 (invalid destination)
//   +15557770092  accepted, then message-failed 4775 (recipient opted out)
// Sandbox numbers: +15557770041, +15557770042 (on the sandbox location, sandbox application).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SandboxDialect, SandboxRequest, SandboxResponse, SandboxServices } from '../types.js';
import { json } from '../types.js';
import type { SandboxMessage } from '../store.js';
import { safeEqual } from '../../providers/shared.js';

const MAX_MEDIA = 10;
/** "3.5 MB per file" (support article 12823216; the spec's mmsMessageContentFile). */
const MAX_FILE = 3_500_000;
const MAX_TEXT = 2048;
const TOKEN_TTL_S = 3600;
const TEST_TO_INVALID = '+15557770090';
const FAIL_NUMBERS: Record<string, [number, string]> = {
  '+15557770091': [4720, 'invalid-destination-address'],
  '+15557770092': [4775, 'user-opted-out'],
};
const E164 = /^\+[1-9]\d{6,14}$/;

interface BwApp {
  id: string;
  name: string;
  inboundUrl?: string;
  outboundUrl?: string;
  inboundCreds?: { user: string; pass: string };
  outboundCreds?: { user: string; pass: string };
  callbackTypes: string[];
}

interface SipPeer {
  id: string;
  siteId: string;
  name: string;
  isDefault: boolean;
  appId?: string;
  sms: boolean;
  mms: boolean;
}

interface Stored {
  bytes: Buffer;
  contentType: string;
}

interface MessageMeta {
  applicationId: string;
  tag?: string;
  media: string[];
  to: string[];
}

function bwError(status: number, type: string, description: string, fieldErrors?: Array<{ fieldName: string; description: string }>): SandboxResponse {
  return json(status, { type, description, ...(fieldErrors ? { fieldErrors } : {}) });
}

function springNotFound(path: string): SandboxResponse {
  return json(404, { timestamp: new Date().toISOString(), status: 404, error: 'Not Found', message: 'No message available', path });
}

function validation(fieldName: string, description: string): SandboxResponse {
  return bwError(400, 'request-validation', 'Your request could not be accepted.', [{ fieldName, description }]);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unesc(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** The text of the first <name> element (or undefined); enough for the flat bodies used here. */
function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? unesc(m[1]!.trim()) : undefined;
}

function hasTag(xml: string, name: string): boolean {
  return new RegExp(`<${name}(\\s[^>]*)?/?>`).test(xml);
}

function xml(status: number, body: string, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': 'application/xml; charset=utf-8', ...headers }, body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${body}` };
}

function xmlError(status: number, root: string, code: number, description: string): SandboxResponse {
  return xml(status, `<${root}><ResponseStatus><ErrorCode>${code}</ErrorCode><Description>${esc(description)}</Description></ResponseStatus></${root}>`);
}

/** Bandwidth message ids: epoch ms + 16 lower-case alphanumerics, e.g. 1589228074636lm4k2je7j7jklbn2. */
function messageId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const rnd = [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
  return `${Date.now()}${rnd}`;
}

function credsXml(tagName: string, c: { user: string; pass: string } | undefined): string {
  // GET never returns the password (reference §2.7).
  return c ? `<${tagName}><UserId>${esc(c.user)}</UserId></${tagName}>` : '';
}

/** Creates the Bandwidth dialect with fresh sandbox credentials. */
export function createBandwidthDialect(svc: SandboxServices): SandboxDialect {
  const accountId = String(9_000_000 + Math.floor(Math.random() * 999_999));
  const clientId = randomBytes(16).toString('hex');
  const clientSecret = randomBytes(24).toString('base64url');
  const callbackUsername = `mms-sandbox-${randomBytes(3).toString('hex')}`;
  const callbackPassword = randomBytes(18).toString('base64url');
  const ownNumbers = ['+15557770041', '+15557770042'];
  const tokens = new Map<string, number>();
  const apps = new Map<string, BwApp>();
  const defaultApp: BwApp = {
    id: randomUUID(),
    name: 'mms sandbox',
    inboundCreds: { user: callbackUsername, pass: callbackPassword },
    outboundCreds: { user: callbackUsername, pass: callbackPassword },
    callbackTypes: ['message-delivered', 'message-failed', 'message-sending'],
  };
  apps.set(defaultApp.id, defaultApp);
  const siteId = String(10_000 + Math.floor(Math.random() * 89_999));
  let nextPeer = 500_000 + Math.floor(Math.random() * 99_999);
  const peers = new Map<string, SipPeer>();
  const defaultPeer: SipPeer = { id: String(nextPeer++), siteId, name: 'mms sandbox location', isDefault: true, appId: defaultApp.id, sms: true, mms: true };
  peers.set(defaultPeer.id, defaultPeer);
  /** 10-digit TN → sip peer id. */
  const tns = new Map<string, string>(ownNumbers.map((n) => [n.slice(2), defaultPeer.id]));
  const media = new Map<string, Stored>();
  const meta = new Map<string, MessageMeta>();
  const mediaPrefix = `/api/v2/users/${accountId}/media/`;

  const tenDigits = (e164: string): string => e164.replace(/^\+1/, '');
  const peerOfNumber = (e164: string): SipPeer | undefined => {
    const p = /^\+1\d{10}$/.test(e164) ? tns.get(tenDigits(e164)) : undefined;
    return p ? peers.get(p) : undefined;
  };

  function bearerOk(req: SandboxRequest): boolean {
    const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    if (!m) return false;
    const exp = tokens.get(m[1]!);
    if (exp === undefined) return false;
    if (Date.now() >= exp) {
      tokens.delete(m[1]!);
      return false;
    }
    return true;
  }

  function token(req: SandboxRequest): SandboxResponse {
    if (req.method !== 'POST') return json(405, { error: 'invalid_request', error_description: 'Use POST' });
    const m = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    const i = decoded.indexOf(':');
    if (i < 0 || !safeEqual(decoded.slice(0, i), clientId) || !safeEqual(decoded.slice(i + 1), clientSecret)) {
      return json(401, { error: 'invalid_client', error_description: 'Client authentication failed' }, { 'www-authenticate': 'Basic realm="bandwidth"' });
    }
    const form = new URLSearchParams(req.rawBody.toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials') {
      return json(400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    }
    const access = randomBytes(32).toString('base64url');
    tokens.set(access, Date.now() + TOKEN_TTL_S * 1000);
    if (tokens.size > 10_000) tokens.delete(tokens.keys().next().value!);
    return json(200, { access_token: access, token_type: 'Bearer', expires_in: TOKEN_TTL_S, scope: 'messaging' });
  }

  async function callback(app: BwApp | undefined, kind: 'inbound' | 'status', event: Record<string, unknown>, id: string): Promise<void> {
    const url = kind === 'inbound' ? app?.inboundUrl : app?.outboundUrl;
    if (!app || !url) {
      svc.log(`bandwidth ${id}: no ${kind === 'inbound' ? 'InboundCallbackUrl' : 'OutboundCallbackUrl'} on the application, callback not sent`);
      return;
    }
    if (kind === 'status' && !app.callbackTypes.includes(String(event.type))) return;
    const creds = kind === 'inbound' ? app.inboundCreds : app.outboundCreds;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'BandwidthAPI/v2' };
    if (creds) headers.authorization = `Basic ${Buffer.from(`${creds.user}:${creds.pass}`).toString('base64')}`;
    // "All Message callbacks are sent as a list/array".
    await svc.deliverWebhook({ url, headers, body: JSON.stringify([event]) }, kind, id);
  }

  function messageObject(m: SandboxMessage, mm: MessageMeta, direction: 'in' | 'out'): Record<string, unknown> {
    return {
      id: m.id,
      owner: direction === 'out' ? m.from : m.to,
      applicationId: mm.applicationId,
      time: m.createdAt,
      segmentCount: 1,
      direction,
      to: mm.to,
      from: m.from,
      // Bandwidth does not keep outbound text: status callbacks carry "".
      text: direction === 'out' ? '' : m.body,
      media: mm.media,
      ...(mm.tag !== undefined ? { tag: mm.tag } : {}),
    };
  }

  /** Fetches or looks up one media URL; returns an error code on failure. */
  async function loadMedia(url: string): Promise<{ ok: true; stored: Stored } | { ok: false; code: number; type: string; detail: string; contentType?: string }> {
    const own = `${svc.origin()}/bandwidth${mediaPrefix}`;
    if (url.startsWith(own)) {
      const s = media.get(decodeURIComponent(url.slice(own.length)));
      if (!s) return { ok: false, code: 4410, type: 'media-unavailable', detail: `no stored media at ${url}` };
      if (s.bytes.length > MAX_FILE) return { ok: false, code: 4411, type: 'rejected-message-size-limit-exceeded', detail: `${s.bytes.length} bytes is over 3.5 MB` };
      return { ok: true, stored: s };
    }
    const r = await svc.fetcher.fetch(url, { maxBytes: MAX_FILE });
    if (!r.ok) {
      const [code, type] = r.reason === 'too-large' ? [4411, 'rejected-message-size-limit-exceeded'] : r.reason === 'no-content-type' ? [4412, 'media-content-invalid'] : [4410, 'media-unavailable'];
      return { ok: false, code, type, detail: r.detail, ...(r.contentType ? { contentType: r.contentType } : {}) };
    }
    // The fetcher checked the policy and limits; keep a copy of the bytes for re-hosting.
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const bytes = Buffer.from(await res.arrayBuffer());
      return { ok: true, stored: { bytes, contentType: r.contentType } };
    } catch (err) {
      return { ok: false, code: 4410, type: 'media-unavailable', detail: (err as Error).message };
    }
  }

  async function lifecycle(m: SandboxMessage, mm: MessageMeta): Promise<void> {
    const wait = () => svc.step();
    const app = apps.get(mm.applicationId);
    const status = async (type: string, word: string, description: string, error?: number): Promise<void> => {
      svc.store.setStatus(m.id, word, error !== undefined ? { errorCode: error, errorMessage: description } : {});
      const event: Record<string, unknown> = { type, time: new Date().toISOString(), description, to: m.to, message: messageObject(m, mm, 'out') };
      if (error !== undefined) event.errorCode = error;
      await callback(app, 'status', event, m.id);
    };
    const copies: Stored[] = [];
    for (const item of m.media) {
      const r = await loadMedia(item.url);
      if (!r.ok) {
        item.status = 'failed';
        item.error = r.detail;
        if (r.contentType) item.contentType = r.contentType;
        await wait();
        await status('message-failed', 'FAILED', r.type, r.code);
        return;
      }
      Object.assign(item, { status: 'fetched', contentType: r.stored.contentType, size: r.stored.bytes.length });
      item.sha256 = createHash('sha256').update(r.stored.bytes).digest('hex');
      copies.push(r.stored);
    }
    await wait();
    await status('message-sending', 'SENDING', 'Message is sending to carrier');
    await wait();
    svc.store.setStatus(m.id, 'SENT');
    const fail = FAIL_NUMBERS[m.to];
    await wait();
    if (fail) {
      await status('message-failed', 'FAILED', fail[1], fail[0]);
      return;
    }
    await status('message-delivered', 'DELIVERED', 'Message delivered to carrier.');
    if (ownNumbers.includes(m.to)) await deliverInbound(m, copies);
  }

  async function deliverInbound(out: SandboxMessage, copies: Stored[]): Promise<void> {
    const id = messageId();
    const now = new Date().toISOString();
    const urls = copies.map((c, i) => {
      const ext = c.contentType.split('/')[1]?.replace(/[^a-z0-9]/g, '') || 'bin';
      const mediaId = `${id}/${i}/file.${ext}`;
      media.set(mediaId, c);
      return `${svc.origin()}/bandwidth${mediaPrefix}${mediaId}`;
    });
    const peer = peerOfNumber(out.to);
    const app = peer?.appId ? apps.get(peer.appId) : undefined;
    const mm: MessageMeta = { applicationId: app?.id ?? '', media: urls, to: [out.to] };
    meta.set(id, mm);
    const m = svc.store.add({
      id,
      provider: 'bandwidth',
      account: accountId,
      direction: 'inbound',
      to: out.to,
      from: out.from,
      body: out.body,
      media: urls.map((url, i) => ({ url, status: 'fetched', contentType: copies[i]!.contentType, size: copies[i]!.bytes.length })),
      status: 'RECEIVED',
      createdAt: now,
      updatedAt: now,
      history: [{ status: 'RECEIVED', at: now }],
    });
    const event = { type: 'message-received', time: now, description: 'Incoming message received', to: out.to, carrierName: 'Sandbox Wireless', message: messageObject(m, mm, 'in') };
    await callback(app, 'inbound', event, id);
  }

  function parseJsonBody(req: SandboxRequest): Record<string, unknown> | undefined {
    try {
      const v: unknown = JSON.parse(req.rawBody.toString('utf8'));
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  function createMessage(req: SandboxRequest): SandboxResponse {
    const ct = String(req.headers['content-type'] ?? '');
    if (!ct.startsWith('application/json')) return bwError(415, 'unsupported-media-type', `Content type '${ct || 'none'}' not supported; use application/json`);
    const p = parseJsonBody(req);
    if (!p) return bwError(400, 'request-validation', 'Your request could not be accepted: the body is not a JSON object.');
    const applicationId = typeof p.applicationId === 'string' ? p.applicationId : '';
    if (!applicationId) return validation('applicationId', 'applicationId is required');
    if (!apps.has(applicationId)) return validation('applicationId', `'${applicationId}' is not a valid messaging application for account ${accountId}`);
    const to = p.to;
    if (!Array.isArray(to) || to.length === 0) return validation('to', 'to is required and must be a non-empty array');
    if (to.length > 10) return bwError(400, 'forbidden-too-many-recipients', 'A group message may have at most 10 recipients');
    if (new Set(to).size !== to.length) return validation('to', 'to must not repeat a number');
    for (const [i, n] of to.entries()) {
      if (typeof n !== 'string' || !E164.test(n) || n === TEST_TO_INVALID) return validation(`to[${i}]`, `'${String(n)}' must be replaced with a valid E164 formatted telephone number`);
    }
    const from = typeof p.from === 'string' ? p.from : '';
    if (!from) return validation('from', 'from is required');
    if (!E164.test(from)) return validation('from', `'${from}' must be replaced with a valid E164 formatted telephone number`);
    const peer = peerOfNumber(from);
    if (!peer) return validation('from', `'${from}' is not a number of account ${accountId}. Sandbox numbers: ${ownNumbers.join(', ')}`);
    if (peer.appId !== applicationId) return bwError(400, 'request-validation', `Application ${applicationId} is not assigned to the location of ${from} (error 4452)`, [{ fieldName: 'applicationId', description: 'wrong applicationId for this from number' }]);
    const text = typeof p.text === 'string' ? p.text : '';
    const mediaUrls = p.media === undefined ? [] : p.media;
    if (!Array.isArray(mediaUrls) || mediaUrls.some((u) => typeof u !== 'string')) return validation('media', 'media must be an array of URLs');
    if (mediaUrls.length > MAX_MEDIA) return validation('media', `at most ${MAX_MEDIA} media URLs are allowed`);
    for (const [i, u] of (mediaUrls as string[]).entries()) {
      if (u.length > 4096 || !/^https?:\/\/\S+$/i.test(u)) return validation(`media[${i}]`, `'${u.slice(0, 100)}' is not a valid URL`);
    }
    if (!text && mediaUrls.length === 0) return validation('text', 'text or media is required');
    if ([...text].length > MAX_TEXT) return validation('text', `text must be at most ${MAX_TEXT} characters`);
    const tagValue = typeof p.tag === 'string' ? p.tag : undefined;
    if (tagValue !== undefined && tagValue.length > 1024) return validation('tag', 'tag must be at most 1024 characters');
    const id = messageId();
    const now = new Date().toISOString();
    const mm: MessageMeta = { applicationId, media: mediaUrls as string[], to: to as string[], ...(tagValue !== undefined ? { tag: tagValue } : {}) };
    meta.set(id, mm);
    if (meta.size > 200_000) meta.delete(meta.keys().next().value!);
    // The sandbox keeps one record per message: a group message is recorded for its first recipient.
    const m = svc.store.add({
      id,
      provider: 'bandwidth',
      account: accountId,
      direction: 'outbound',
      to: to[0] as string,
      from,
      body: text,
      media: (mediaUrls as string[]).map((url) => ({ url, status: 'pending' })),
      status: 'QUEUED',
      createdAt: now,
      updatedAt: now,
      history: [{ status: 'QUEUED', at: now }],
    });
    svc.log(`bandwidth ${id} ${from} → ${to.join(',')}${mediaUrls.length ? ` (${mediaUrls.length} media)` : ''}`);
    void lifecycle(m, mm).catch((err) => svc.log(`bandwidth ${id}: lifecycle error ${(err as Error).message}`));
    const body = messageObject(m, mm, 'out');
    body.text = text;
    if (p.priority !== undefined) body.priority = p.priority;
    if (p.expiration !== undefined) body.expiration = p.expiration;
    return json(202, body);
  }

  function listMessages(req: SandboxRequest): SandboxResponse {
    const q = req.query;
    if ([...q.keys()].length === 0) return bwError(400, 'request-validation', 'At least one query parameter is required');
    const limit = Math.max(1, Math.min(1000, Number(q.get('limit') ?? 100) || 100));
    const id = q.get('messageId');
    const dir = q.get('messageDirection')?.toUpperCase();
    const st = q.get('messageStatus')?.toUpperCase();
    const src = q.get('sourceTn');
    const dst = q.get('destinationTn');
    const time = (key: string): number | undefined | null => {
      const v = q.get(key);
      if (v === null) return undefined;
      const t = Date.parse(v);
      return Number.isFinite(t) ? t : null;
    };
    const fromT = time('fromDateTime');
    const toT = time('toDateTime');
    if (fromT === null || toT === null) return bwError(400, 'request-validation', 'fromDateTime and toDateTime must be ISO 8601 date-times');
    // Numbers may be given with or without the '+'.
    const tn = (n: string): string => n.replace(/^\+/, '');
    const rows = svc.store
      .list({ provider: 'bandwidth' })
      .filter((m) => m.account === accountId)
      .filter((m) => !id || m.id === id)
      .filter((m) => !dir || (dir === 'INBOUND') === (m.direction === 'inbound'))
      .filter((m) => !st || m.status === st)
      .filter((m) => !src || tn(m.from) === tn(src))
      .filter((m) => !dst || tn(m.to) === tn(dst))
      .filter((m) => fromT === undefined || Date.parse(m.createdAt) >= fromT)
      .filter((m) => toT === undefined || Date.parse(m.createdAt) <= toT)
      .reverse();
    const page = rows.slice(0, limit).map((m) => ({
      messageId: m.id,
      accountId,
      sourceTn: m.from,
      destinationTn: m.to,
      messageStatus: m.status,
      messageDirection: m.direction === 'inbound' ? 'INBOUND' : 'OUTBOUND',
      messageType: m.media.length > 0 ? 'mms' : 'sms',
      segmentCount: 1,
      errorCode: typeof m.errorCode === 'number' ? m.errorCode : 0,
      receiveTime: m.createdAt,
      carrierName: 'Sandbox Wireless',
      messageSize: m.media.reduce((n, x) => n + (x.size ?? 0), 0) || null,
      messageLength: [...m.body].length,
      attachmentCount: m.media.length,
      recipientCount: meta.get(m.id)?.to.length ?? 1,
      campaignClass: null,
      campaignId: null,
    }));
    return json(200, { totalCount: rows.length, pageInfo: {}, messages: page });
  }

  function mediaEndpoint(req: SandboxRequest, rawId: string): SandboxResponse {
    const id = decodeURIComponent(rawId);
    if (req.method === 'PUT') {
      if (!id) return validation('mediaId', 'mediaId is required');
      const ct = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (!ct) return bwError(415, 'unsupported-media-type', 'Content-Type is required for media uploads');
      media.set(id, { bytes: req.rawBody, contentType: ct });
      if (media.size > 2000) media.delete(media.keys().next().value!);
      return { status: 204 };
    }
    const s = media.get(id);
    if (!s) return springNotFound(`/api/v2/users/${accountId}/media/${rawId}`);
    if (req.method === 'GET') return { status: 200, headers: { 'content-type': s.contentType, 'content-length': String(s.bytes.length) }, body: s.bytes };
    if (req.method === 'DELETE') {
      media.delete(id);
      return { status: 204 };
    }
    return bwError(405, 'method-not-allowed', `${req.method} is not allowed on media`);
  }

  // ---- Dashboard API (XML) ----

  function appXml(a: BwApp): string {
    return (
      `<Application><ApplicationId>${a.id}</ApplicationId><ServiceType>Messaging-V2</ServiceType><AppName>${esc(a.name)}</AppName>` +
      (a.inboundUrl ? `<InboundCallbackUrl>${esc(a.inboundUrl)}</InboundCallbackUrl>` : '') +
      (a.outboundUrl ? `<OutboundCallbackUrl>${esc(a.outboundUrl)}</OutboundCallbackUrl>` : '') +
      credsXml('InboundCallbackCreds', a.inboundCreds) +
      credsXml('OutboundCallbackCreds', a.outboundCreds) +
      `<RequestedCallbackTypes>${a.callbackTypes.map((t) => `<CallbackType>${t}</CallbackType>`).join('')}</RequestedCallbackTypes></Application>`
    );
  }

  /** Applies the fields present in an <Application> body (PATCH semantics; PUT/POST start empty). */
  function applyApp(a: BwApp, body: string): void {
    const name = tag(body, 'AppName');
    if (name !== undefined) a.name = name;
    for (const [el, key] of [['InboundCallbackUrl', 'inboundUrl'], ['OutboundCallbackUrl', 'outboundUrl']] as const) {
      const v = tag(body, el);
      if (v !== undefined) {
        if (v) a[key] = v;
        else delete a[key];
      }
    }
    // The old single CallbackUrl sets both.
    const both = tag(body, 'CallbackUrl');
    if (both) a.inboundUrl = a.outboundUrl = both;
    for (const [el, key] of [['InboundCallbackCreds', 'inboundCreds'], ['OutboundCallbackCreds', 'outboundCreds']] as const) {
      if (!hasTag(body, el)) continue;
      const inner = tag(body, el) ?? '';
      const user = tag(inner, 'UserId');
      const pass = tag(inner, 'Password');
      if (user && pass) a[key] = { user, pass };
      else delete a[key];
    }
    const types = tag(body, 'RequestedCallbackTypes');
    if (types !== undefined) a.callbackTypes = [...types.matchAll(/<CallbackType>([^<]*)<\/CallbackType>/g)].map((m) => m[1]!);
  }

  function dashboard(req: SandboxRequest, rest: string): SandboxResponse {
    const body = req.rawBody.toString('utf8');
    if (rest === '/applications' && req.method === 'GET') {
      return xml(200, `<ApplicationProvisioningResponse><ApplicationList>${[...apps.values()].map(appXml).join('')}</ApplicationList></ApplicationProvisioningResponse>`);
    }
    if (rest === '/applications' && req.method === 'POST') {
      const name = tag(body, 'AppName');
      if (!name) return xmlError(400, 'ApplicationProvisioningResponse', 12000, 'AppName is required');
      if (tag(body, 'ServiceType') && tag(body, 'ServiceType') !== 'Messaging-V2') return xmlError(400, 'ApplicationProvisioningResponse', 12001, 'The sandbox emulates Messaging-V2 applications only');
      const app: BwApp = { id: randomUUID(), name, callbackTypes: ['message-delivered', 'message-failed', 'message-sending'] };
      applyApp(app, body);
      apps.set(app.id, app);
      return xml(201, `<ApplicationProvisioningResponse>${appXml(app)}</ApplicationProvisioningResponse>`, { location: `${svc.origin()}/bandwidth/api/accounts/${accountId}/applications/${app.id}` });
    }
    const appM = /^\/applications\/([^/]+)(\/associatedsippeers)?$/.exec(rest);
    if (appM) {
      const app = apps.get(decodeURIComponent(appM[1]!));
      if (!app) return xmlError(404, 'ApplicationProvisioningResponse', 12655, `Application ${appM[1]} not found`);
      if (appM[2]) {
        const list = [...peers.values()].filter((p) => p.appId === app.id);
        return xml(200, `<AssociatedSipPeersResponse><AssociatedSipPeers>${list.map((p) => `<AssociatedSipPeer><SiteId>${p.siteId}</SiteId><PeerId>${p.id}</PeerId><PeerName>${esc(p.name)}</PeerName></AssociatedSipPeer>`).join('')}</AssociatedSipPeers></AssociatedSipPeersResponse>`);
      }
      if (req.method === 'GET') return xml(200, `<ApplicationProvisioningResponse>${appXml(app)}</ApplicationProvisioningResponse>`);
      if (req.method === 'PATCH' || req.method === 'PUT') {
        if (req.method === 'PUT') {
          delete app.inboundUrl;
          delete app.outboundUrl;
          delete app.inboundCreds;
          delete app.outboundCreds;
        }
        applyApp(app, body);
        return xml(200, `<ApplicationProvisioningResponse>${appXml(app)}</ApplicationProvisioningResponse>`);
      }
      if (req.method === 'DELETE') {
        if ([...peers.values()].some((p) => p.appId === app.id)) return xmlError(409, 'ApplicationProvisioningResponse', 12653, `Application ${app.id} is still assigned to a location`);
        apps.delete(app.id);
        return { status: 200 };
      }
    }
    const peersM = /^\/sites\/([^/]+)\/sippeers(?:\/([^/]+)(\/.*)?)?$/.exec(rest);
    if (peersM) {
      const [, site, peerId, sub] = peersM;
      if (site !== siteId) return xmlError(404, 'SipPeerResponse', 13500, `Site ${site} not found`);
      if (!peerId) {
        if (req.method !== 'POST') {
          return xml(200, `<TNSipPeersResponse><SipPeers>${[...peers.values()].map((p) => `<SipPeer><PeerId>${p.id}</PeerId><PeerName>${esc(p.name)}</PeerName><IsDefaultPeer>${p.isDefault}</IsDefaultPeer></SipPeer>`).join('')}</SipPeers></TNSipPeersResponse>`);
        }
        const name = tag(body, 'PeerName');
        if (!name) return xmlError(400, 'SipPeerResponse', 13501, 'PeerName is required');
        const isDefault = tag(body, 'IsDefaultPeer') === 'true';
        if (isDefault) for (const p of peers.values()) p.isDefault = false;
        const peer: SipPeer = { id: String(nextPeer++), siteId, name, isDefault, sms: false, mms: false };
        peers.set(peer.id, peer);
        const loc = `${svc.origin()}/bandwidth/api/accounts/${accountId}/sites/${siteId}/sippeers/${peer.id}`;
        return xml(201, `<SipPeerResponse><SipPeer><PeerId>${peer.id}</PeerId><PeerName>${esc(name)}</PeerName><IsDefaultPeer>${isDefault}</IsDefaultPeer></SipPeer></SipPeerResponse>`, { location: loc });
      }
      const peer = peers.get(peerId);
      if (!peer) return xmlError(404, 'SipPeerResponse', 13502, `Location ${peerId} not found`);
      if (!sub) {
        if (req.method === 'GET') return xml(200, `<SipPeerResponse><SipPeer><PeerId>${peer.id}</PeerId><PeerName>${esc(peer.name)}</PeerName><IsDefaultPeer>${peer.isDefault}</IsDefaultPeer></SipPeer></SipPeerResponse>`);
        if (req.method === 'DELETE') {
          if ([...tns.values()].includes(peer.id)) return xmlError(409, 'SipPeerResponse', 13503, `Location ${peer.id} still has telephone numbers`);
          if (peer.isDefault) return xmlError(409, 'SipPeerResponse', 13504, 'The default location cannot be deleted');
          peers.delete(peer.id);
          return { status: 200 };
        }
      }
      if (sub === '/tns' && req.method === 'GET') {
        const list = [...tns.entries()].filter(([, p]) => p === peer.id).map(([n]) => `<SipPeerTelephoneNumber><FullNumber>${n}</FullNumber></SipPeerTelephoneNumber>`);
        return xml(200, `<SipPeerTelephoneNumbersResponse><SipPeerTelephoneNumbers>${list.join('')}</SipPeerTelephoneNumbers></SipPeerTelephoneNumbersResponse>`);
      }
      if (sub === '/movetns' && req.method === 'POST') {
        const numbers = [...body.matchAll(/<FullNumber>\s*(\d+)\s*<\/FullNumber>/g)].map((m) => m[1]!);
        if (numbers.length === 0) return xmlError(400, 'SipPeerTelephoneNumbersResponse', 13510, 'FullNumber is required');
        for (const n of numbers) if (!tns.has(n)) return xmlError(400, 'SipPeerTelephoneNumbersResponse', 13511, `Telephone number ${n} is not on account ${accountId}`);
        for (const n of numbers) tns.set(n, peer.id);
        return xml(200, `<SipPeerTelephoneNumbersResponse><SipPeerTelephoneNumbers>${numbers.map((n) => `<FullNumber>${n}</FullNumber>`).join('')}</SipPeerTelephoneNumbers></SipPeerTelephoneNumbersResponse>`);
      }
      if (sub === '/products/messaging/features/sms' && req.method === 'POST') {
        peer.sms = true;
        return xml(201, `<SipPeerSmsFeatureResponse><SipPeerSmsFeature>${tag(body, 'SipPeerSmsFeature') ?? ''}</SipPeerSmsFeature></SipPeerSmsFeatureResponse>`);
      }
      if (sub === '/products/messaging/features/mms' && req.method === 'POST') {
        peer.mms = true;
        return xml(201, `<MmsFeatureResponse><MmsFeature>${tag(body, 'MmsFeature') ?? ''}</MmsFeature></MmsFeatureResponse>`);
      }
      if (sub === '/products/messaging/applicationSettings') {
        if (req.method === 'GET') {
          return xml(200, `<ApplicationsSettingsResponse><ApplicationsSettings>${peer.appId ? `<HttpMessagingV2AppId>${peer.appId}</HttpMessagingV2AppId>` : ''}</ApplicationsSettings></ApplicationsSettingsResponse>`);
        }
        if (req.method === 'PUT') {
          const appId = tag(body, 'HttpMessagingV2AppId');
          if (appId && !apps.has(appId)) return xmlError(400, 'ApplicationsSettingsResponse', 12655, `Application ${appId} not found`);
          if (appId && !(peer.sms && peer.mms)) return xmlError(400, 'ApplicationsSettingsResponse', 12656, 'Enable SMS and MMS on the location before assigning a messaging application');
          if (appId) peer.appId = appId;
          else delete peer.appId;
          return xml(200, `<ApplicationsSettingsResponse><ApplicationsSettings>${appId ? `<HttpMessagingV2AppId>${appId}</HttpMessagingV2AppId>` : ''}</ApplicationsSettings></ApplicationsSettingsResponse>`);
        }
      }
    }
    return xmlError(404, 'ErrorResponse', 404, `The resource ${rest} was not found`);
  }

  /** /api/tns/{tn}/sites and /sippeers: where an account number lives. */
  function tnLookup(tn: string, what: string): SandboxResponse {
    const peerId = tns.get(tn.replace(/^\+?1(?=\d{10}$)/, ''));
    const peer = peerId ? peers.get(peerId) : undefined;
    if (!peer) return xmlError(404, 'TelephoneNumberResponse', 13598, `Telephone number ${tn} was not found`);
    if (what === 'sites') return xml(200, `<Site><Id>${peer.siteId}</Id><Name>mms sandbox site</Name></Site>`);
    return xml(200, `<SipPeer><Id>${peer.id}</Id><Name>${esc(peer.name)}</Name></SipPeer>`);
  }

  const v2 = `/api/v2/users/${accountId}`;
  const dash = `/api/accounts/${accountId}`;

  return {
    provider: 'bandwidth',
    describe: () => ({
      credentials: { accountId, applicationId: defaultApp.id, clientId, clientSecret, callbackUsername, callbackPassword },
      numbers: ownNumbers,
      defaultFrom: ownNumbers[0]!,
    }),
    isMessageCreate: (req) => req.method === 'POST' && req.path === `${v2}/messages`,
    rateLimited: (retryAfter) => ({
      ...bwError(429, 'max-message-queue-size-exceeded', 'The SMS queue for your account is full and cannot accept more messages right now. Your allowed rate is 60 messages per minute. The capacity of this queue is 900 messages (15 minutes). Reduce your message sending rate, or contact support to increase your allowed rate.'),
      headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) },
    }),
    serverError: () => bwError(500, 'internal-server-error', 'An internal server error occurred; the message was not sent.'),
    async handle(req) {
      const path = req.path;
      if (path === '/api/v1/oauth2/token') return token(req);
      if (!bearerOk(req)) {
        if (path.startsWith('/api/v2/')) return bwError(401, 'unauthorized', 'Authentication Failed');
        return xmlError(401, 'ErrorResponse', 401, 'Authentication Failed');
      }
      if (path.startsWith('/api/v2/users/')) {
        if (!path.startsWith(`${v2}/`)) return bwError(403, 'forbidden', 'Access Denied');
        if (path === `${v2}/messages`) {
          if (req.method === 'POST') return createMessage(req);
          if (req.method === 'GET') return listMessages(req);
          return bwError(405, 'method-not-allowed', `${req.method} is not allowed on messages`);
        }
        if (path === `${v2}/media` && req.method === 'GET') {
          return json(200, [...media.entries()].map(([mediaName, s]) => ({ content: `${svc.origin()}/bandwidth${mediaPrefix}${mediaName}`, contentLength: s.bytes.length, mediaName })));
        }
        if (path.startsWith(`${v2}/media/`)) return mediaEndpoint(req, path.slice(`${v2}/media/`.length));
        return springNotFound(path);
      }
      if (path.startsWith('/api/accounts/')) {
        if (!path.startsWith(`${dash}/`)) return xmlError(403, 'ErrorResponse', 403, 'Access Denied');
        return dashboard(req, path.slice(dash.length));
      }
      const tn = /^\/api\/tns\/([^/]+)\/(sites|sippeers)$/.exec(path);
      if (tn && req.method === 'GET') return tnLookup(decodeURIComponent(tn[1]!), tn[2]!);
      return springNotFound(path);
    },
  };
}
