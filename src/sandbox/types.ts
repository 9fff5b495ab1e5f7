// The sandbox's moving parts: one wire dialect per provider behind a shared server, store and
// media fetcher. A dialect is mounted under /<provider>/ so dialects never collide.
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

/** Shared services handed to every dialect. */
export interface SandboxServices {
  store: MessageStore;
  fetcher: MediaFetcher;
  /** The sandbox's own base URL, e.g. http://127.0.0.1:4780. */
  origin(): string;
  log(line: string): void;
  /** Milliseconds between simulated status steps (queued → sending → sent → delivered). */
  stepDelayMs: number;
}

export interface SandboxDialect {
  readonly provider: string;
  /** Credentials and facts printed at start and written by --save-profile. */
  describe(): { credentials: Record<string, string>; numbers: string[]; defaultFrom: string };
  handle(req: SandboxRequest): Promise<SandboxResponse>;
  /** Provider-shaped 429 and 5xx bodies for fault injection. */
  rateLimited(retryAfterSeconds: number): SandboxResponse;
  serverError(): SandboxResponse;
  /** True for requests that create a message (the ones faults and rate limits apply to). */
  isMessageCreate(req: SandboxRequest): boolean;
}

/** JSON response helper. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}
