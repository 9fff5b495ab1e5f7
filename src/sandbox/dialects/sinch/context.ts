// The Sinch dialect's state and wire helpers, shared by its resource modules.
import { randomBytes } from 'node:crypto';
import type { SandboxResponse, SandboxServices } from '../../types.js';
import { json } from '../../types.js';
import { hasStrings, isRecord, KeptDetails } from '../kept.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Sinch's error body: {code, text}. */
export function sinchError(status: number, code: string, text: string): SandboxResponse {
  return json(status, { code, text });
}

/** A ULID (26 Crockford base32 characters), the shape of Sinch batch and inbound ids. */
export function ulid(): string {
  let t = Date.now();
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  return time + [...randomBytes(16)].map((b) => CROCKFORD[b % 32]).join('');
}

export interface Batch {
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
  statuses: Record<string, { status: string; code: number; at: string }>;
}

/** A batch read back from the data directory (a malformed one reads as absent). */
export function isBatch(v: unknown): v is Batch {
  if (!isRecord(v) || !hasStrings(v, ['id', 'from', 'createdAt', 'deliveryReport'], ['callbackUrl', 'clientReference'])) return false;
  if ((v.type !== 'mt_media' && v.type !== 'mt_text') || !Array.isArray(v.to) || !v.to.every((r) => typeof r === 'string')) return false;
  const statuses = v.statuses;
  return (
    isRecord(statuses) &&
    Object.values(statuses).every((s) => isRecord(s) && typeof s.status === 'string' && typeof s.code === 'number' && typeof s.at === 'string')
  );
}

/** An inbound's wire object (mo_media) as kept. */
export function isInbound(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && typeof v.id === 'string' && typeof v.type === 'string';
}

/** Media bytes re-hosted for inbound messages. */
export interface Hosted {
  bytes: Buffer;
  contentType: string;
}

export interface SinchContext {
  svc: SandboxServices;
  servicePlanId: string;
  apiToken: string;
  /** Signs the callbacks (HMAC-SHA256). */
  webhookSecret: string;
  ownNumbers: string[];
  /** The service plan's callback URL (set through the dashboard stand-in). */
  planCallbackUrl: string | undefined;
  /** Batches by id, kept with their messages (a restart keeps them). */
  batches: KeptDetails<Batch>;
  /** Inbound mo_media objects by id, kept with their messages. */
  inbounds: KeptDetails<Record<string, unknown>>;
  /** Re-hosted media by key (after a restart, found again through the kept inbound messages). */
  hosted: Map<string, Hosted>;
  /** `/xms/v1/<servicePlanId>`. */
  base: string;
}

/** Sinch writes numbers without the "+". */
export function digits(n: string): string {
  return n.replace(/^\+/, '');
}
