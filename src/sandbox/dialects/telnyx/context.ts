// The Telnyx dialect's state and wire helpers, shared by its resource modules.
import type { KeyObject } from 'node:crypto';
import type { SandboxRequest, SandboxResponse, SandboxServices } from '../../types.js';
import { json } from '../../types.js';
import { hasStrings, isRecord, type KeptDetails } from '../kept.js';

export const OWN_NUMBERS = ['+15557770011', '+15557770012'];
export const E164 = /^\+[1-9]\d{6,14}$/;

export interface TelnyxError {
  code: string;
  title: string;
  detail?: string;
  source?: { pointer: string };
}

export interface Profile {
  id: string;
  name: string;
  enabled: boolean;
  webhook_url: string | null;
  webhook_failover_url: string | null;
  webhook_api_version: string;
  whitelisted_destinations: string[];
  mms_transcoding: boolean;
  mms_fall_back_to_sms: boolean;
  /** "Secret used to authenticate with v1 endpoints": a string on every profile. */
  v1_secret: string;
  created_at: string;
  updated_at: string;
}

export interface NumberSettings {
  id: string;
  phone_number: string;
  messaging_profile_id: string | null;
  created_at: string;
  updated_at: string;
}

/** Per-message data the store does not keep. */
export interface Extra {
  type: 'SMS' | 'MMS';
  profileId: string | null;
  webhookUrl: string | null;
  webhookFailoverUrl: string | null;
  useProfileWebhooks: boolean;
  errors: TelnyxError[];
  sentAt?: string;
  completedAt?: string;
}

/** An Extra read back from the data directory (a malformed one reads as absent). */
export function isExtra(v: unknown): v is Extra {
  if (!isRecord(v) || (v.type !== 'SMS' && v.type !== 'MMS') || typeof v.useProfileWebhooks !== 'boolean' || !Array.isArray(v.errors)) return false;
  const nullable = ['profileId', 'webhookUrl', 'webhookFailoverUrl'].every((k) => v[k] === null || typeof v[k] === 'string');
  return nullable && hasStrings(v, [], ['sentAt', 'completedAt']) && v.errors.every((e) => isRecord(e) && hasStrings(e, ['code', 'title']));
}

export interface TelnyxContext {
  svc: SandboxServices;
  apiKey: string;
  /** Signs webhooks (Ed25519); its public half is printed as `publicKey`. */
  privateKey: KeyObject;
  organizationId: string;
  /** Per-message data, kept with the messages (a restart keeps it). */
  extras: KeptDetails<Extra>;
  profiles: Map<string, Profile>;
  /** Phone numbers' messaging settings by Telnyx number id. */
  numbers: Map<string, NumberSettings>;
}

/** A Telnyx `{errors: […]}` body. */
export function errorsBody(status: number, errors: TelnyxError[], headers: Record<string, string> = {}): SandboxResponse {
  return json(status, { errors: errors.map((e) => ({ ...e, meta: { url: `https://developers.telnyx.com/api/errors/${e.code}` } })) }, headers);
}

/** One Telnyx error. */
export function err(status: number, code: string, title: string, detail?: string, pointer?: string): SandboxResponse {
  return errorsBody(status, [{ code, title, ...(detail ? { detail } : {}), ...(pointer ? { source: { pointer } } : {}) }]);
}

/** Telnyx's 405. */
export function methodNotAllowed(): SandboxResponse {
  return err(405, '10015', 'Method not allowed');
}

/** The messaging settings of one of the account's numbers. */
export function numberByPhone(ctx: TelnyxContext, phone: string): NumberSettings | undefined {
  return [...ctx.numbers.values()].find((n) => n.phone_number === phone);
}

/** The JSON object body of a request, or the 400 to answer. */
export function parseBody(req: SandboxRequest): { ok: true; body: Record<string, unknown> } | { ok: false; res: SandboxResponse } {
  const ct = String(req.headers['content-type'] ?? '');
  if (!ct.toLowerCase().startsWith('application/json'))
    return { ok: false, res: err(400, '10015', 'Bad Request', 'The request body must be JSON (Content-Type: application/json).') };
  try {
    const v = JSON.parse(req.rawBody.toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return { ok: true, body: v as Record<string, unknown> };
  } catch {
    // fall through
  }
  return { ok: false, res: err(400, '10015', 'Bad Request', 'The request body is not a JSON object.') };
}

/** Telnyx's page[number]/page[size] paging with its `meta` block. */
export function page<T>(items: T[], req: SandboxRequest): Record<string, unknown> {
  const size = Math.min(Math.max(Number(req.query.get('page[size]') ?? 20) || 20, 1), 250);
  const number = Math.max(Number(req.query.get('page[number]') ?? 1) || 1, 1);
  return {
    data: items.slice((number - 1) * size, number * size),
    meta: { page_number: number, page_size: size, total_pages: Math.max(1, Math.ceil(items.length / size)), total_results: items.length },
  };
}
