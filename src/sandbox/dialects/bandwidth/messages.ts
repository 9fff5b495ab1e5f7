// Bandwidth Messaging v2 messages (reference §2.1–2.5): POST to send (202 with the message
// object), GET to list with filters.
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import type { SandboxMessage } from '../../store.js';
import { route, type Route } from '../../router.js';
import { isUnregisteredSender, optOutsFor } from '../../carrier.js';
import { E164, bwError, parseJsonBody, peerOfNumber, validation, type BandwidthContext, type MessageMeta } from './context.js';
import { lifecycle, messageId } from './delivery.js';
import { messageObject } from './webhooks.js';

const MAX_MEDIA = 10;
const MAX_TEXT = 2048;
const TEST_TO_INVALID = '+15557770090';

/** Recipients, sender and application; the refusal or undefined. */
function checkParties(ctx: BandwidthContext, p: Record<string, unknown>): SandboxResponse | undefined {
  const applicationId = typeof p.applicationId === 'string' ? p.applicationId : '';
  if (!applicationId) return validation('applicationId', 'applicationId is required');
  if (!ctx.apps.has(applicationId)) return validation('applicationId', `'${applicationId}' is not a valid messaging application for account ${ctx.accountId}`);
  const to = p.to;
  if (!Array.isArray(to) || to.length === 0) return validation('to', 'to is required and must be a non-empty array');
  if (to.length > 10) return bwError(400, 'forbidden-too-many-recipients', 'A group message may have at most 10 recipients');
  if (new Set(to).size !== to.length) return validation('to', 'to must not repeat a number');
  for (const [i, n] of to.entries()) {
    if (typeof n !== 'string' || !E164.test(n) || n === TEST_TO_INVALID)
      return validation(`to[${i}]`, `'${String(n)}' must be replaced with a valid E164 formatted telephone number`);
  }
  const from = typeof p.from === 'string' ? p.from : '';
  if (!from) return validation('from', 'from is required');
  if (!E164.test(from)) return validation('from', `'${from}' must be replaced with a valid E164 formatted telephone number`);
  // The unregistered 10DLC magic sender rides on the first sandbox number's location; delivery.ts fails it.
  const peer = peerOfNumber(ctx, isUnregisteredSender(from) ? ctx.ownNumbers[0]! : from);
  if (!peer) return validation('from', `'${from}' is not a number of account ${ctx.accountId}. Sandbox numbers: ${ctx.ownNumbers.join(', ')}`);
  if (peer.appId !== applicationId)
    return bwError(400, 'request-validation', `Application ${applicationId} is not assigned to the location of ${from} (error 4452)`, [
      { fieldName: 'applicationId', description: 'wrong applicationId for this from number' },
    ]);
  return undefined;
}

/** Text, media and tag; the refusal or undefined. */
function checkContent(p: Record<string, unknown>): SandboxResponse | undefined {
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
  return undefined;
}

function createMessage(ctx: BandwidthContext, req: SandboxRequest): SandboxResponse {
  const ct = String(req.headers['content-type'] ?? '');
  if (!ct.startsWith('application/json')) return bwError(415, 'unsupported-media-type', `Content type '${ct || 'none'}' not supported; use application/json`);
  const p = parseJsonBody(req);
  if (!p) return bwError(400, 'request-validation', 'Your request could not be accepted: the body is not a JSON object.');
  const refused = checkParties(ctx, p) ?? checkContent(p);
  if (refused) return refused;
  const to = p.to as string[];
  const from = p.from as string;
  const text = typeof p.text === 'string' ? p.text : '';
  const mediaUrls = (p.media === undefined ? [] : p.media) as string[];
  const tagValue = typeof p.tag === 'string' ? p.tag : undefined;
  const id = messageId();
  const now = new Date().toISOString();
  const mm: MessageMeta = { applicationId: p.applicationId as string, media: mediaUrls, to, ...(tagValue !== undefined ? { tag: tagValue } : {}) };
  ctx.meta.set(id, mm);
  // The sandbox keeps one record per message: a group message is recorded for its first recipient.
  const m = ctx.svc.store.add({
    id,
    provider: 'bandwidth',
    account: ctx.accountId,
    direction: 'outbound',
    to: to[0]!,
    from,
    body: text,
    media: mediaUrls.map((url) => ({ url, status: 'pending' })),
    status: 'QUEUED',
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'QUEUED', at: now }],
  });
  ctx.svc.log(`bandwidth ${id} ${from} → ${to.join(',')}${mediaUrls.length ? ` (${mediaUrls.length} media)` : ''}`);
  void lifecycle(ctx, m, mm).catch((err) => ctx.svc.log(`bandwidth ${id}: lifecycle error ${(err as Error).message}`));
  const body = messageObject(m, mm, 'out');
  body.text = text;
  if (p.priority !== undefined) body.priority = p.priority;
  if (p.expiration !== undefined) body.expiration = p.expiration;
  return json(202, body);
}

/** The list's filters over the record; a problem string for a bad date. */
function filterMessages(ctx: BandwidthContext, q: URLSearchParams): SandboxMessage[] | string {
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
  if (fromT === null || toT === null) return 'fromDateTime and toDateTime must be ISO 8601 date-times';
  // Numbers may be given with or without the '+'.
  const tn = (n: string): string => n.replace(/^\+/, '');
  return ctx.svc.store
    .list({ provider: 'bandwidth' })
    .filter((m) => m.account === ctx.accountId)
    .filter((m) => !id || m.id === id)
    .filter((m) => !dir || (dir === 'INBOUND') === (m.direction === 'inbound'))
    .filter((m) => !st || m.status === st)
    .filter((m) => !src || tn(m.from) === tn(src))
    .filter((m) => !dst || tn(m.to) === tn(dst))
    .filter((m) => fromT === undefined || Date.parse(m.createdAt) >= fromT)
    .filter((m) => toT === undefined || Date.parse(m.createdAt) <= toT)
    .reverse();
}

/** One row of the list as Bandwidth renders it. */
function listItem(ctx: BandwidthContext, m: SandboxMessage): Record<string, unknown> {
  return {
    messageId: m.id,
    accountId: ctx.accountId,
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
    recipientCount: ctx.meta.get(m.id)?.to.length ?? 1,
    campaignClass: null,
    campaignId: null,
  };
}

/** An opaque page token: the message id the page starts after ("a") or ends before ("b"). */
function pageToken(kind: 'a' | 'b', id: string): string {
  return Buffer.from(`${kind}:${id}`, 'utf8').toString('base64url');
}

/** Where the page of `limit` rows starts for `token` (0 without one); undefined for a token it did not issue. */
function pageStart(rows: SandboxMessage[], token: string | null, limit: number): number | undefined {
  if (token === null) return 0;
  const m = /^([ab]):(.+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  const at = m ? rows.findIndex((r) => r.id === m[2]) : -1;
  if (!m || at < 0) return undefined;
  return m[1] === 'a' ? at + 1 : Math.max(0, at - limit);
}

/**
 * Bandwidth's pageInfo: the isolated tokens (prevPageToken, nextPageToken) and the links carrying
 * them as `pageToken` (prevPage, nextPage); a key is absent when there is no such page.
 */
function pageInfo(ctx: BandwidthContext, q: URLSearchParams, rows: SandboxMessage[], start: number, end: number): Record<string, string> {
  const link = (token: string): string => {
    const next = new URLSearchParams(q);
    next.set('pageToken', token);
    return `${ctx.svc.origin()}/bandwidth${ctx.v2}/messages?${next.toString()}`;
  };
  const info: Record<string, string> = {};
  if (start > 0 && rows[start]) {
    info.prevPageToken = pageToken('b', rows[start]!.id);
    info.prevPage = link(info.prevPageToken);
  }
  if (end < rows.length && end > start) {
    info.nextPageToken = pageToken('a', rows[end - 1]!.id);
    info.nextPage = link(info.nextPageToken);
  }
  return info;
}

function listMessages(ctx: BandwidthContext, req: SandboxRequest): SandboxResponse {
  const q = req.query;
  if ([...q.keys()].length === 0) return bwError(400, 'request-validation', 'At least one query parameter is required');
  const limit = Math.max(1, Math.min(1000, Number(q.get('limit') ?? 100) || 100));
  const rows = filterMessages(ctx, q);
  if (typeof rows === 'string') return bwError(400, 'request-validation', rows);
  const start = pageStart(rows, q.get('pageToken'), limit);
  if (start === undefined) return bwError(400, 'request-validation', 'pageToken is not valid for this query');
  const end = Math.min(rows.length, start + limit);
  const page = rows.slice(start, end).map((m) => listItem(ctx, m));
  return json(200, { totalCount: rows.length, pageInfo: pageInfo(ctx, q, rows, start, end), messages: page });
}

/** Routes below /api/v2/users/{accountId}. */
export function messageRoutes(ctx: BandwidthContext): Route[] {
  // Start following the record now, so STOPs that arrive before the first send count.
  optOutsFor(ctx.svc.store);
  const path = `${ctx.v2}/messages`;
  return [
    route('POST', path, (req) => createMessage(ctx, req)),
    route('GET', path, (req) => listMessages(ctx, req)),
    route('*', path, (req) => bwError(405, 'method-not-allowed', `${req.method} is not allowed on messages`)),
  ];
}
