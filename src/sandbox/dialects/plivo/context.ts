// The Plivo dialect's state and wire helpers, shared by its resource modules.
import { randomInt, randomUUID } from 'node:crypto';
import type { SandboxRequest, SandboxResponse, SandboxServices } from '../../types.js';
import { json } from '../../types.js';
import type { ReplyDepth } from '../xml-reply.js';
import { hasStrings, isRecord, type KeptDetails } from '../kept.js';

export const OWN_NUMBERS = ['15557770021', '15557770022'];
// plivo-python's validation list (reference §3.2).
export const ACCEPTED_TYPES =
  /^(image\/(jpeg|jpg|png|gif)|audio\/(mpeg|mp3|wav|x-wav|ogg)|video\/(mp4|mpeg|3gpp|3gpp2)|text\/(vcard|x-vcard|csv|plain)|application\/(pdf|vnd\.ms-excel|vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet)|image\/x-xcf)$/;

export interface Application {
  app_id: string;
  app_name: string;
  answer_url: string;
  answer_method: string;
  message_url: string;
  message_method: string;
  default_app: boolean;
}

export interface Upload {
  media_id: string;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  /** Absent for an upload restored after a restart: its bytes are the file kept with the record (by sha256). */
  data?: Buffer;
  upload_time: string;
}

/** The detail key under which a message keeps the uploads it carried (without their bytes). */
export const UPLOADS_DETAIL = 'plivo.uploads';

/** An Extra read back from the data directory (a malformed one reads as absent). */
export function isExtra(v: unknown): v is Extra {
  if (!isRecord(v) || (v.type !== 'sms' && v.type !== 'mms') || typeof v.sequence !== 'number') return false;
  return hasStrings(v, ['method', 'queuedAt'], ['sentAt', 'deliveredAt']);
}

/** An upload's description read back from the data directory. */
export function isUploadMeta(v: unknown): v is Omit<Upload, 'data'> {
  return isRecord(v) && hasStrings(v, ['media_id', 'file_name', 'content_type', 'sha256', 'upload_time']) && typeof v.size === 'number';
}

/**
 * Puts back the uploads that kept messages carried (a restart loses the in-memory ones): their
 * media_ids resolve again, for a new send and at their media_url. Uploads no message used are not kept.
 */
export function restoreUploads(ctx: PlivoContext): void {
  for (const m of ctx.svc.store.list({ provider: 'plivo' })) {
    const list = m.account === ctx.authId ? ctx.svc.store.detail(m.id, UPLOADS_DETAIL) : undefined;
    if (!Array.isArray(list)) continue;
    for (const u of list) if (isUploadMeta(u) && !ctx.uploads.has(u.media_id)) ctx.uploads.set(u.media_id, { ...u });
  }
}

/** Per-message data the store does not keep. */
export interface Extra {
  type: 'sms' | 'mms';
  method: string;
  sequence: number;
  queuedAt: string;
  sentAt?: string;
  deliveredAt?: string;
}

export interface PlivoContext {
  svc: SandboxServices;
  authId: string;
  authToken: string;
  /** `/v1/Account/<auth_id>`. */
  accountPath: string;
  /** Per-message data, kept with the messages (a restart keeps it). */
  extras: KeptDetails<Extra>;
  uploads: Map<string, Upload>;
  apps: Map<string, Application>;
  /** Number (digits) → linked app_id, or null. */
  links: Map<string, string | null>;
  /** When the sandbox started (numbers' added_on). */
  started: string;
  /** How many XML replies led to a message, to stop two numbers answering each other forever. */
  replyDepth: ReplyDepth;
}

/** A fresh api_id, as every Plivo response carries. */
export function apiId(): string {
  return randomUUID();
}

/** Plivo's error body: `{api_id, error}`. */
export function plivoError(status: number, error: string, headers: Record<string, string> = {}): SandboxResponse {
  return json(status, { api_id: apiId(), error }, headers);
}

/** Plivo's 405. */
export function methodNotAllowed(): SandboxResponse {
  return plivoError(405, 'method not allowed');
}

/** Plivo writes times as `2024-05-01 10:00:00+00:00`. */
export function plivoTime(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')}+00:00`;
}

/** Digits only, as Plivo writes numbers (it strips `+ - . / ( )` and spaces). */
export function digits(n: string): string {
  return n.replace(/[\s+\-./()]/g, '');
}

/** Plivo app ids are 17-digit decimal strings. */
export function appId(): string {
  return `${randomInt(10_000_000, 100_000_000)}${randomInt(100_000_000, 1_000_000_000)}`;
}

/** Where an uploaded file is served (unauthenticated, like media.plivo.com). */
export function mediaUrl(ctx: PlivoContext, id: string): string {
  return `${ctx.svc.origin()}/plivo/media/${ctx.authId}/${id}`;
}

/** A request body as an object: form-encoded or JSON (empty is {}); or the 400 to answer. */
export function readBody(req: SandboxRequest): { ok: true; body: Record<string, unknown> } | { ok: false; res: SandboxResponse } {
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

/** Plivo's list envelope with limit/offset paging; the page links keep the request's filters. */
export function list<T>(ctx: PlivoContext, items: T[], req: SandboxRequest): Record<string, unknown> {
  // Plivo's `limit` is at most 20 (reference §3.4).
  const limit = Math.min(Math.max(Number(req.query.get('limit') ?? 20) || 20, 1), 20);
  const offset = Math.max(Number(req.query.get('offset') ?? 0) || 0, 0);
  const link = (o: number): string => {
    const q = new URLSearchParams(req.query);
    q.set('limit', String(limit));
    q.set('offset', String(o));
    return `${ctx.accountPath}/${req.path.split('/')[4]}/?${q.toString()}`;
  };
  const next = offset + limit < items.length ? link(offset + limit) : null;
  const previous = offset > 0 ? link(Math.max(0, offset - limit)) : null;
  return { api_id: apiId(), meta: { limit, offset, next, previous, total_count: items.length }, objects: items.slice(offset, offset + limit) };
}
