// The Sinch dialect's state and wire helpers, shared by its resource modules.
import { randomBytes } from 'node:crypto';
import type { SandboxResponse, SandboxServices } from '../../types.js';
import { json } from '../../types.js';

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
  statuses: Map<string, { status: string; code: number; at: string }>;
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
  batches: Map<string, Batch>;
  inbounds: Map<string, Record<string, unknown>>;
  hosted: Map<string, Hosted>;
  /** `/xms/v1/<servicePlanId>`. */
  base: string;
}

/** Sinch writes numbers without the "+". */
export function digits(n: string): string {
  return n.replace(/^\+/, '');
}
