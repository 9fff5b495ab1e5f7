// The Twilio dialect's state and wire helpers, shared by its resource modules.
import { randomBytes } from 'node:crypto';
import type { SandboxRequest, SandboxResponse, SandboxServices } from '../../types.js';
import { json } from '../../types.js';
import type { ReplyDepth } from '../xml-reply.js';
import { hasStrings, isRecord, type KeptDetails } from '../kept.js';

export const API = '/2010-04-01';
export const MAGIC_FROM_OK = '+15005550006';
/** A sandbox number that belongs to a Messaging Service (its sms_application_sid is an MG… SID). */
export const TWILIO_SANDBOX_SERVICE_NUMBER = '+15557770009';

/** IncomingPhoneNumber resource of one of the sandbox's numbers. */
export interface NumberConfig {
  sid: string;
  phoneNumber: string;
  smsUrl: string;
  smsMethod: string;
  smsFallbackUrl: string;
  smsFallbackMethod: string;
  smsApplicationSid: string;
  dateCreated: string;
  dateUpdated: string;
}

/** A Media resource (ME… SID) of a message: the bytes behind an inbound MediaUrl{N} or an outbound media fetch. */
export interface KeptMedia {
  messageSid: string;
  contentType: string;
  /** Absent for a Media resource restored after a restart: its bytes are the file kept with the record (by sha256). */
  bytes?: Buffer;
  sha256: string;
  /** RFC 2822, as Twilio renders it. */
  dateCreated: string;
}

/** What a message keeps of each of its Media resources (the bytes are kept with the record's media files). */
export interface MediaMeta {
  sid: string;
  contentType: string;
  sha256: string;
  dateCreated: string;
}

/** A message's list of Media resources read back from the data directory. */
export function isMediaMetaList(v: unknown): v is MediaMeta[] {
  return (
    Array.isArray(v) &&
    v.every((x) => isRecord(x) && hasStrings(x, ['sid', 'contentType', 'sha256', 'dateCreated']) && /^ME[0-9a-f]{32}$/.test(x.sid as string))
  );
}

export interface TwilioContext {
  svc: SandboxServices;
  accountSid: string;
  authToken: string;
  /** `/2010-04-01/Accounts/<AccountSid>`. */
  accountPath: string;
  /** Numbers messages may be sent from (and that answer the round trip). */
  ownNumbers: string[];
  /** IncomingPhoneNumbers by phone number. */
  numbers: Map<string, NumberConfig>;
  /** Media resources by ME… SID, in creation order (bounded by bytes, oldest first out). */
  media: Map<string, KeptMedia>;
  mediaKeptBytes: number;
  /** Each message's Media resources, kept with the message (a restart rebuilds `media` from them). */
  mediaMeta: KeptDetails<MediaMeta[]>;
  /** How many TwiML replies led to a message, to stop two numbers answering each other forever. */
  replyDepth: ReplyDepth;
}

/** A Twilio error body (`code`, `message`, `more_info`, `status`). */
export function twilioError(status: number, code: number, message: string): SandboxResponse {
  return json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

/** Twilio's 404 for a path it does not know. */
export function notFound(path: string): SandboxResponse {
  return twilioError(404, 20404, `The requested resource ${path} was not found`);
}

/** The answer when no route matches below the account: 404 for GET and POST, else 405. */
export function unmatched(req: SandboxRequest): SandboxResponse {
  const known = req.method === 'GET' || req.method === 'POST';
  return known ? notFound(req.path) : twilioError(405, 20004, 'Method not allowed');
}

/** Twilio's dates: RFC 2822 with a numeric zone. */
export function rfc2822(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

/** `n` random bytes as hex (SID bodies, tokens). */
export function hex(n: number): string {
  return randomBytes(n).toString('hex');
}

/**
 * One page of a Twilio list resource (`key` holds the records), with Twilio's paging fields: Page
 * counts from 0, PageSize is 50 by default and at most 1000, and next_page_uri carries a PageToken
 * (PA + the last SID of the page) so that paging stays stable while new records arrive.
 * `keep` names the filters repeated in every page URI.
 */
export function twilioPage<T extends { sid: string }>(req: SandboxRequest, path: string, key: string, items: T[], keep: string[] = []): SandboxResponse {
  const size = Math.min(1000, Math.max(1, Number(req.query.get('PageSize') ?? 50) || 50));
  const page = Math.max(0, Number(req.query.get('Page') ?? 0) || 0);
  const token = req.query.get('PageToken');
  let start = page * size;
  if (token !== null) {
    const at = items.findIndex((m) => `PA${m.sid}` === token);
    start = at >= 0 ? at + 1 : items.length;
  }
  const slice = items.slice(start, start + size);
  const uriFor = (p: number, pageToken?: string): string => {
    const q = new URLSearchParams();
    for (const k of keep) {
      const v = req.query.get(k);
      if (v !== null) q.set(k, v);
    }
    q.set('PageSize', String(size));
    q.set('Page', String(p));
    if (pageToken) q.set('PageToken', pageToken);
    return `${path}?${q.toString()}`;
  };
  const more = start + slice.length < items.length;
  return json(200, {
    [key]: slice,
    page,
    page_size: size,
    start,
    end: start + Math.max(0, slice.length - 1),
    uri: uriFor(page, token ?? undefined),
    first_page_uri: uriFor(0),
    next_page_uri: more ? uriFor(page + 1, `PA${slice[slice.length - 1]!.sid}`) : null,
    previous_page_uri: page > 0 ? uriFor(page - 1) : null,
  });
}
