// The sandbox's moving parts: one wire dialect per provider (src/sandbox/dialects/<provider>/)
// behind a shared server, store, media fetcher, webhook delivery and fault injection. A dialect is
// mounted under /<provider>/ so dialects never collide; the admin API lives under /_sandbox/.
import type { IncomingHttpHeaders } from 'node:http';
import type { MessageStore } from './store.js';
import type { MediaFetcher } from './media-fetch.js';

export interface SandboxRequest {
  method: string;
  /** Path below the dialect's mount point, e.g. /2010-04-01/Accounts/AC…/Messages.json. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A webhook the sandbox will POST (signed the provider's way). */
export interface OutgoingWebhook {
  url: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Shared services handed to every dialect. */
export interface SandboxServices {
  /**
   * POSTs a signed webhook (inbound message or status callback) and records the attempt; only to
   * loopback URLs unless the sandbox was started with --fetch-remote-media. Never throws.
   */
  deliverWebhook(hook: OutgoingWebhook, kind: 'inbound' | 'status', messageId: string): Promise<void>;
  store: MessageStore;
  fetcher: MediaFetcher;
  /** The sandbox's own base URL, e.g. http://127.0.0.1:4780. */
  origin(): string;
  log(line: string): void;
  /** Milliseconds between simulated status steps (queued → sending → sent → delivered). */
  stepDelayMs: number;
  /** Waits one status step (an unref'd timer: a stopping sandbox does not wait for deliveries). */
  step(): Promise<void>;
}

export interface SandboxDialect {
  readonly provider: string;
  /**
   * The dialect a bare saved-profile name points at (`--save-profile sandbox` → Twilio); the
   * others are saved as `<name>-<provider>`.
   */
  readonly primary?: boolean;
  /** Credentials and facts printed at start and written by --save-profile. */
  describe(): { credentials: Record<string, string>; numbers: string[]; defaultFrom: string };
  handle(req: SandboxRequest): Promise<SandboxResponse>;
  /** Provider-shaped 429 and 5xx bodies for fault injection. */
  rateLimited(retryAfterSeconds: number): SandboxResponse;
  serverError(): SandboxResponse;
  /** True for requests that create a message (the ones faults and rate limits apply to). */
  isMessageCreate(req: SandboxRequest): boolean;
}

/**
 * How a dialect makes the round trip work (implemented inside each dialect):
 * - a message sent to one of the dialect's own numbers is stored as an inbound message (direction
 *   'inbound', a new id) and POSTed, signed, to the inbound URL configured on that number through
 *   the provider's own number/application API (Twilio IncomingPhoneNumbers SmsUrl, …);
 * - status changes of an outbound message are POSTed, signed, to its status callback URL;
 * - both through services.deliverWebhook().
 */

/** JSON response helper. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}
