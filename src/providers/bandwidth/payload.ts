// Bandwidth Messaging API v2: request bodies and paths (pure).
// https://dev.bandwidth.com/apis/messaging/#tag/Messages/operation/createMessage
// https://dev.bandwidth.com/apis/messaging/#tag/Media/operation/uploadMedia
// Wire facts: /work/shared/reference/providers-vonage-bandwidth-sinch-aws.md §2.1–2.2
// (OpenAPI bandwidth.yml shipped in Bandwidth/node-sdk).
import type { MessageRequest } from '../../core/types.js';

/** Path of the Messages collection for an account. */
export function messagesPath(accountId: string): string {
  return `/api/v2/users/${encodeURIComponent(accountId)}/messages`;
}

/** Path of one stored media file. */
export function mediaPath(accountId: string, mediaId: string): string {
  return `/api/v2/users/${encodeURIComponent(accountId)}/media/${encodeURIComponent(mediaId)}`;
}

/**
 * The URL to put in `media[]` for an uploaded file: the media resource itself. It is built from the
 * same base URL as the API, so a local sandbox serves both.
 */
export function bandwidthMediaUrl(baseUrl: string, accountId: string, mediaId: string): string {
  return `${baseUrl}${mediaPath(accountId, mediaId)}`;
}

/**
 * A media name for an upload: unique (a re-PUT with the same name overwrites) and safe in a URL
 * path. Stored media lives "up to 48 hours".
 */
export function bandwidthMediaId(fileName: string, unique: string): string {
  const safe =
    fileName
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(-80) || 'media';
  return `${unique}-${safe}`;
}

/** JSON body of POST /users/{accountId}/messages (`messageRequest`). */
export interface BandwidthMessagePayload {
  applicationId: string;
  /** An array: more than one entry would make a group message, we always send one. */
  to: string[];
  from: string;
  text?: string;
  media?: string[];
}

export interface BandwidthPayloadContext {
  applicationId: string;
  accountId: string;
  baseUrl: string;
}

/**
 * Builds the message body: E.164 numbers keep their `+`; uploaded media ids become media
 * resource URLs. v2 has no per-message callback URL: status goes to the application's
 * OutboundCallbackUrl, so `statusCallbackUrl` is not sent.
 */
export function buildBandwidthPayload(req: MessageRequest, ctx: BandwidthPayloadContext): BandwidthMessagePayload {
  const payload: BandwidthMessagePayload = { applicationId: ctx.applicationId, to: [req.to], from: req.from };
  if (req.body !== undefined && req.body !== '') payload.text = req.body;
  const media = [...req.mediaUrls, ...(req.mediaIds ?? []).map((id) => bandwidthMediaUrl(ctx.baseUrl, ctx.accountId, id))];
  if (media.length > 0) payload.media = media;
  return payload;
}
