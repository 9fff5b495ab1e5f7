// The sandbox's moving parts: one wire dialect per provider (src/sandbox/dialects/<provider>/)
// behind a shared server, store, media fetcher, webhook delivery and fault injection. A dialect is
// mounted under /<provider>/ so dialects never collide; the admin API lives under /_sandbox/.
import type { IncomingHttpHeaders } from 'node:http';
import type { MessageStore, SandboxMessage } from './store.js';
import type { MediaFetcher } from './media-fetch.js';
import type { CredentialVault } from './persist-credentials.js';

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

/** What a webhook receiver answered (the body cut at 64 KiB): dialects act on it (Bandwidth's challenge, TwiML replies). */
export interface WebhookAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** Shared services handed to every dialect. */
export interface SandboxServices {
  /**
   * POSTs a signed webhook (inbound message or status callback) and records the attempt; only to
   * loopback URLs unless the sandbox was started with --fetch-remote-media. Never throws.
   */
  deliverWebhook(hook: OutgoingWebhook, kind: 'inbound' | 'status', messageId: string): Promise<WebhookAnswer | undefined>;
  store: MessageStore;
  fetcher: MediaFetcher;
  /** The sandbox's own base URL, e.g. http://127.0.0.1:4780. */
  origin(): string;
  log(line: string): void;
  /** Milliseconds between simulated status steps (queued → sending → sent → delivered). */
  stepDelayMs: number;
  /** Waits one status step (an unref'd timer: a stopping sandbox does not wait for deliveries). */
  step(): Promise<void>;
  /** Saved credentials per provider (absent: every start makes fresh ones); see stableCredentials(). */
  credentials?: CredentialVault;
}

/** A message from a handset to one of the sandbox's numbers (POST /_sandbox/inbound, the web phone). */
export interface InboundInjection {
  from: string;
  to: string;
  body: string;
  /** Files already kept by the sandbox, each served unauthenticated at `url` (/_sandbox/media/<sha256>). */
  media: Array<{ url: string; contentType: string; size: number; sha256: string; bytes: Buffer }>;
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
  /**
   * Stores an inbound message to one of this dialect's numbers and delivers it as the provider's
   * signed inbound webhook, exactly as the round trip does (dialects/<provider>/inject.ts).
   * Resolves with the stored message once the delivery was attempted.
   */
  inject?(m: InboundInjection): Promise<SandboxMessage>;
  /**
   * What the account's owner configured through the provider's own API (numbers' webhook URLs and
   * methods, applications, messaging profiles, callback URLs), kept in the data directory so a
   * restart keeps it (persist-settings.ts).
   */
  settings?: DialectSettings;
}

/** A dialect's API-made settings as JSON, and their restoration on a later start of the same account. */
export interface DialectSettings {
  /** The account they belong to (saved settings of another account, e.g. after --reset-credentials, are not restored). */
  account(): string;
  /** The settings as a JSON-able value. */
  save(): unknown;
  /** Restores what save() returned on an earlier run; throws (changing nothing) when the value is malformed. */
  load(saved: unknown): void;
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

/** The handset's side of an injected message, shaped like an outbound record for the round-trip code (never stored). */
export function handsetMessage(provider: string, m: InboundInjection, numbers: (n: string) => string = (n) => n): SandboxMessage {
  const now = new Date().toISOString();
  return {
    id: `handset-${Date.now()}`,
    provider,
    account: '',
    direction: 'outbound',
    to: numbers(m.to),
    from: numbers(m.from),
    body: m.body,
    media: m.media.map((x) => ({ url: x.url, status: 'fetched' as const, contentType: x.contentType, size: x.size, sha256: x.sha256 })),
    status: 'delivered',
    createdAt: now,
    updatedAt: now,
    history: [],
  };
}

/** A file of an inbound message: its bytes and type, and the key the sandbox keeps it under when it has one (an injection). */
export interface InboundFile {
  bytes: Buffer;
  contentType: string;
  sha256?: string;
}

/** A new inbound message record as the dialects store one: received at `now`, file i served at `urls[i]`. */
export function inboundRecord(
  m: Pick<SandboxMessage, 'id' | 'provider' | 'account' | 'to' | 'from' | 'body' | 'status'> & { now: string },
  files: readonly InboundFile[],
  urls: readonly string[],
): SandboxMessage {
  const { now } = m;
  // The fields in the order every dialect has always stored them (the JSON API shows them so).
  return {
    id: m.id,
    provider: m.provider,
    account: m.account,
    direction: 'inbound',
    to: m.to,
    from: m.from,
    body: m.body,
    media: files.map((f, i) => ({
      url: urls[i]!,
      status: 'fetched' as const,
      contentType: f.contentType,
      size: f.bytes.length,
      ...(f.sha256 !== undefined ? { sha256: f.sha256 } : {}),
    })),
    status: m.status,
    createdAt: now,
    updatedAt: now,
    history: [{ status: m.status, at: now }],
  };
}

/** Awaits a captured injection and returns its stored message (see MessageStore.capture). */
export async function injected(c: { message: SandboxMessage | undefined; done: Promise<unknown> }, provider: string): Promise<SandboxMessage> {
  await c.done;
  if (!c.message) throw new Error(`the ${provider} dialect stored no inbound message`);
  return c.message;
}
