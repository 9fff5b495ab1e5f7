import type { MessageRequest, MessageStatusInfo, ProviderAcceptance, WebhookEvent } from '../core/types.js';
import type { HttpClient } from './http-client.js';
import type { CredentialField, ProviderCapabilities, ProviderDescriptor } from './descriptor.js';
import type { ProviderName } from './registry.js';

/** Provider names we support: the keys of the registry. */
export type { ProviderName } from './registry.js';
export type { CredentialField, ProviderCapabilities, ProviderDescriptor } from './descriptor.js';

/** Credential values by field key, e.g. {accountSid, authToken}. */
export type Credentials = Record<string, string>;

/** Everything an adapter needs for one API call. */
export interface ProviderCallContext {
  credentials: Credentials;
  /** API base URL without trailing slash (default or the profile's override, e.g. the sandbox). */
  baseUrl: string;
  http: HttpClient;
  signal?: AbortSignal;
}

/** A raw webhook request as the listener received it. */
export interface WebhookRequest {
  method: string;
  /** The public URL the provider was told to call (signatures are computed over it). */
  publicUrl: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  /**
   * Set by the webhook intake for the verifier to fill in; a verifier called without it only
   * answers valid or not. Verifiers keep returning a boolean, so every existing caller stays correct.
   */
  verification?: WebhookVerificationNotes;
}

/**
 * What a verifier learned beyond "valid or not", for the intake: how to answer a refused request,
 * and what identifies an accepted one for the replay cache.
 */
export interface WebhookVerificationNotes {
  /**
   * Keys identifying a valid request (a nonce, a JWT id, a signature with its timestamp), prefixed
   * with the provider's name. A later request with one of them is a replay: answered 2xx, not handed on.
   */
  replayKeys: string[];
  /**
   * For a scheme that is a challenge (Bandwidth: HTTP Basic sent only after a 401 with
   * `WWW-Authenticate`): the answer to a request that came without credentials, instead of 403.
   */
  challenge?: WebhookReply;
}

/** The HTTP answer a provider expects to a webhook it delivered. */
export interface WebhookReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** What `verifyCredentials` learned about the account. */
export interface AccountInfo {
  accountLabel?: string;
  status?: string;
}

/** A missing webhook secret: what is missing, and how to provide it (env var, login flag). */
export interface WebhookSecretProblem {
  message: string;
  suggestion: string;
}

/** What `mms listen --number` saved so the number's webhook can be put back (restore file). */
export interface InboundRestoreState {
  provider: ProviderName;
  number: string;
  /** Human description of what was changed, e.g. "SmsUrl of PN… (was https://old…)". */
  description: string;
  /**
   * Provider-specific data needed to restore (previous URLs, ids of temporary resources). Two keys
   * mean something to `mms listen`: `manual: true` (nothing was changed through the API; the
   * description says what to do by hand) and `webhookCredentials` (string values merged into the
   * credentials webhooks are verified with, e.g. callback credentials set on a temporary resource).
   */
  data: Record<string, unknown>;
}

/** A question to the provider's log of received messages (catch-up after the listener was away). */
export interface InboundLogQuery {
  /** The number of ours that received them, E.164. */
  to: string;
  /** Received at or after this (rounded down to the second: the logs' precision). */
  since: Date;
  /** Received at or before this (default: now). */
  until?: Date;
  /** Stop after this many messages (each may cost a request for its media): the caller's bound. */
  max: number;
}

/**
 * An inbound message read back from the provider's message log: the event its webhook would have
 * carried, with the same id (so it is deduplicated against the event log), and `receivedAt` the
 * provider's receive time. Some logs keep less than the webhook carried: `unavailable` names what
 * is missing (`body` '' and `media` [] then say nothing), `mediaCount` what the log counted.
 */
export type LoggedInboundMessage = Extract<WebhookEvent, { type: 'message' }> & {
  unavailable?: Array<'body' | 'media'>;
  mediaCount?: number;
};

/** Callbacks configureInbound calls while it works. */
export interface ConfigureInboundHooks {
  /**
   * Called with the complete restore state after the current settings were read and before
   * anything is changed, so the caller can persist it first (a kill -9 mid-change stays
   * recoverable). If it throws, configureInbound changes nothing and rethrows.
   */
  beforeChange?(state: InboundRestoreState): Promise<void>;
}

/**
 * A provider adapter: the only provider-specific code the commands talk to. Its static facts
 * (name … credentialFields, messageLogDelayMs) are its descriptor's, spread in by `adapterFacts`.
 */
export interface ProviderAdapter {
  readonly descriptor: ProviderDescriptor;
  readonly name: ProviderName;
  readonly displayName: string;
  readonly defaultBaseUrl: string;
  readonly capabilities: ProviderCapabilities;
  readonly credentialFields: CredentialField[];
  /** Returns human messages for missing/invalid credential combinations (empty when usable). */
  checkCredentials(creds: Credentials): string[];
  /** A cheap authenticated API call proving the credentials work (throws AuthError when rejected). */
  verifyCredentials(ctx: ProviderCallContext): Promise<AccountInfo>;
  /** Formats/validates the sender for this provider; returns a problem message or undefined. */
  checkSender?(from: string): string | undefined;
  /** Sends one message. Never retries on its own: the caller decides (a duplicate MMS is billed). */
  send(req: MessageRequest, ctx: ProviderCallContext): Promise<ProviderAcceptance>;
  getStatus?(id: string, ctx: ProviderCallContext): Promise<MessageStatusInfo>;
  /**
   * Looks in the provider's message log for a message from `from` to `to` created at or after
   * `since`: settles outcomes left unknown by a lost answer or a killed run, without resending.
   */
  findSent?(
    q: {
      to: string;
      from: string;
      since: Date;
      /** The text sent, for adapters that match on it (Twilio Messaging Service senders). */ body?: string | undefined;
    },
    ctx: ProviderCallContext,
  ): Promise<{ id: string; providerStatus: string } | undefined>;
  /**
   * How long a new message can take to appear in that log. A "not found" for a request younger
   * than this proves nothing, so the recipient stays unknown (never resent) until a later run.
   */
  readonly messageLogDelayMs?: number;
  /**
   * The messages `q.to` received between `q.since` and `q.until`, read from the provider's message
   * log, newest first as the log pages them (at most `q.max`; abortable through `ctx.signal`).
   * Absent for providers whose API keeps no listable log of received messages.
   */
  listInbound?(q: InboundLogQuery, ctx: ProviderCallContext): AsyncIterable<LoggedInboundMessage>;
  /** Upload a local file; returns an id usable in MessageRequest.mediaIds. */
  uploadMedia?(file: { path: string; fileName: string; contentType: string; size: number }, ctx: ProviderCallContext): Promise<string>;
  /**
   * Authorization for downloading inbound media from the provider's own API host, for providers
   * whose header is not derived from static credentials (Bandwidth: an OAuth token).
   */
  mediaDownloadHeaders?(ctx: ProviderCallContext): Promise<Record<string, string>>;
  /**
   * Authorization for downloading inbound media from the provider's own API host when it follows
   * from the static credentials alone (Basic or Bearer). The caller checks the URL's origin first.
   */
  mediaAuthHeaders?(creds: Credentials): Record<string, string> | undefined;
  /** What to answer a verified webhook with (default: 200 with an empty body). */
  webhookReply?(kind: 'inbound' | 'status'): WebhookReply;
  /**
   * True when the webhook's signature is valid for these credentials. It may also fill in
   * `req.verification` (replay keys of a valid request, the challenge for one without credentials).
   */
  verifyWebhook?(req: WebhookRequest, creds: Credentials): boolean;
  /**
   * Why webhooks cannot be verified with these credentials (the secret is optional for sending but
   * needed to check signatures), or undefined when they can. `configuresNumber`: `mms listen
   * --number` will run configureInbound, which may supply the secret itself (Bandwidth).
   */
  webhookSecretProblem?(creds: Credentials, opts: { configuresNumber: boolean }): WebhookSecretProblem | undefined;
  /** Parses a (verified) webhook into events. */
  parseWebhook?(req: WebhookRequest): WebhookEvent[];
  /**
   * Points `number`'s inbound-message webhook at `url` in the least intrusive way (a temporary
   * profile/application where a shared one would redirect other numbers too) and returns what is
   * needed to undo it. Must not change anything when it throws before `hooks.beforeChange` ran.
   * Adapters that do not call `beforeChange` are persisted by the caller right after they return.
   */
  configureInbound?(number: string, url: string, ctx: ProviderCallContext, hooks?: ConfigureInboundHooks): Promise<InboundRestoreState>;
  /** Undoes configureInbound (idempotent: restoring twice is harmless). */
  restoreInbound?(state: InboundRestoreState, ctx: ProviderCallContext): Promise<void>;
}
