import type { ErrorCodeValue } from '../errors/errors.js';

/** Normalised message status across providers. */
export type MessageStatus =
  'queued' | 'accepted' | 'scheduled' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'received' | 'canceled' | 'unknown';

/** Statuses after which a message's delivery state no longer changes. */
export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set(['delivered', 'undelivered', 'failed', 'canceled', 'received']);

/** One media item the user asked for, after resolution and validation. */
export interface MediaItem {
  /** What the user typed (a URL or a path). */
  input: string;
  kind: 'url' | 'file';
  /** For kind 'url': the URL to pass on. */
  url?: string;
  /** For kind 'file': the absolute path. */
  path?: string;
  /** For kind 'file': a safe display/file name (basename, sanitised). */
  fileName?: string;
  /** Best-known MIME type (from content, else extension; for URLs from the extension or HEAD). */
  contentType?: string;
  /** Size in bytes when known. */
  size?: number;
}

/** What one provider call sends to one recipient. Media is already public URLs or uploaded ids. */
export interface MessageRequest {
  /** Recipient in E.164 (adapters reformat for providers that want digits). */
  to: string;
  /** Sender: E.164 number, short code, alphanumeric id, or a provider pool id (Twilio `MG…`). */
  from: string;
  body?: string;
  mediaUrls: string[];
  /** Ids from a provider's media upload API (Plivo `media_ids`, Bandwidth media names). */
  mediaIds?: string[];
  statusCallbackUrl?: string;
}

/** The provider accepted a message. */
export interface ProviderAcceptance {
  id: string;
  status: MessageStatus;
  /** The provider's own status word, kept verbatim. */
  providerStatus: string;
}

/** Status of an existing message, from `mms status`. */
export interface MessageStatusInfo {
  id: string;
  status: MessageStatus;
  providerStatus: string;
  to?: string;
  from?: string;
  body?: string;
  numMedia?: number;
  errorCode?: string | number;
  errorMessage?: string;
  dateCreated?: string;
  dateUpdated?: string;
}

/** The error part of a per-recipient result (JSON contract: camelCase, additive only). */
export interface ResultError {
  code: ErrorCodeValue;
  message: string;
  providerCode?: string | number;
  httpStatus?: number;
  moreInfo?: string;
}

/** The outcome for one recipient of `mms send`. */
export interface RecipientResult {
  to: string;
  /** accepted: the provider took it; failed: it did not; unknown: the outcome is ambiguous (not resent). */
  status: 'accepted' | 'failed' | 'unknown' | 'skipped';
  id?: string;
  providerStatus?: string;
  error?: ResultError;
}

/** A media item attached to an inbound message. */
export interface InboundMedia {
  url: string;
  contentType?: string;
  size?: number;
}

/** An inbound message or a delivery receipt, parsed from any provider's webhook. */
export type WebhookEvent =
  | {
      type: 'message';
      provider: string;
      id: string;
      from: string;
      to: string;
      body: string;
      media: InboundMedia[];
      receivedAt: string;
    }
  | {
      type: 'status';
      provider: string;
      id: string;
      status: MessageStatus;
      providerStatus: string;
      to?: string;
      from?: string;
      errorCode?: string | number;
      receivedAt: string;
    };
