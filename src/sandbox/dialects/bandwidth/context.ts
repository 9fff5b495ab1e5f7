// The Bandwidth dialect's state and wire helpers (JSON for Messaging v2, XML for the Dashboard
// API), shared by its resource modules.
import type { SandboxRequest, SandboxResponse, SandboxServices } from '../../types.js';
import { json } from '../../types.js';
import { hasStrings, isRecord, type KeptDetails } from '../kept.js';

export const E164 = /^\+[1-9]\d{6,14}$/;

export interface BwApp {
  id: string;
  name: string;
  inboundUrl?: string;
  outboundUrl?: string;
  inboundCreds?: { user: string; pass: string };
  outboundCreds?: { user: string; pass: string };
  callbackTypes: string[];
}

export interface SipPeer {
  id: string;
  siteId: string;
  name: string;
  isDefault: boolean;
  appId?: string;
  sms: boolean;
  mms: boolean;
}

export interface Stored {
  bytes: Buffer;
  contentType: string;
}

export interface MessageMeta {
  applicationId: string;
  tag?: string;
  media: string[];
  to: string[];
}

/** A MessageMeta read back from the data directory (a malformed one reads as absent). */
export function isMessageMeta(v: unknown): v is MessageMeta {
  const strings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');
  return isRecord(v) && hasStrings(v, ['applicationId'], ['tag']) && strings(v.media) && strings(v.to);
}

/** A Messaging v2 error body: {type, description, fieldErrors?}. */
export function bwError(status: number, type: string, description: string, fieldErrors?: Array<{ fieldName: string; description: string }>): SandboxResponse {
  return json(status, { type, description, ...(fieldErrors ? { fieldErrors } : {}) });
}

/** The Spring-style 404 Messaging v2 answers for unknown paths. */
export function springNotFound(path: string): SandboxResponse {
  return json(404, { timestamp: new Date().toISOString(), status: 404, error: 'Not Found', message: 'No message available', path });
}

/** A 400 request-validation error for one field. */
export function validation(fieldName: string, description: string): SandboxResponse {
  return bwError(400, 'request-validation', 'Your request could not be accepted.', [{ fieldName, description }]);
}

/** Escapes text for XML. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unesc(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The text of the first <name> element (or undefined); enough for the flat bodies used here. */
export function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? unesc(m[1]!.trim()) : undefined;
}

/** True when the body has a <name> element (empty or not). */
export function hasTag(xml: string, name: string): boolean {
  return new RegExp(`<${name}(\\s[^>]*)?/?>`).test(xml);
}

/** A Dashboard API XML response. */
export function xml(status: number, body: string, headers: Record<string, string> = {}): SandboxResponse {
  return {
    status,
    headers: { 'content-type': 'application/xml; charset=utf-8', ...headers },
    body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${body}`,
  };
}

/** A Dashboard API XML error with its ResponseStatus. */
export function xmlError(status: number, root: string, code: number, description: string): SandboxResponse {
  return xml(status, `<${root}><ResponseStatus><ErrorCode>${code}</ErrorCode><Description>${esc(description)}</Description></ResponseStatus></${root}>`);
}

export interface BandwidthContext {
  svc: SandboxServices;
  accountId: string;
  clientId: string;
  clientSecret: string;
  ownNumbers: string[];
  /** OAuth access tokens → expiry (epoch ms). */
  tokens: Map<string, number>;
  apps: Map<string, BwApp>;
  siteId: string;
  /** The next location (sip peer) id. */
  nextPeer: number;
  peers: Map<string, SipPeer>;
  /** 10-digit TN → sip peer id. */
  tns: Map<string, string>;
  /** Media by name (uploads and re-hosted inbound media). */
  media: Map<string, Stored>;
  /** Per-message data, kept with the messages (a restart keeps it). */
  meta: KeptDetails<MessageMeta>;
  /** `/api/v2/users/<accountId>`. */
  v2: string;
  /** `/api/accounts/<accountId>`. */
  dash: string;
  /** `/api/v2/users/<accountId>/media/`. */
  mediaPrefix: string;
}

/** The location a number of the account lives on. */
export function peerOfNumber(ctx: BandwidthContext, e164: string): SipPeer | undefined {
  const p = /^\+1\d{10}$/.test(e164) ? ctx.tns.get(e164.replace(/^\+1/, '')) : undefined;
  return p ? ctx.peers.get(p) : undefined;
}

/** The JSON object body, or undefined. */
export function parseJsonBody(req: SandboxRequest): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(req.rawBody.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
