// Plivo Messaging API: Send a message, upload media.
// https://docs.plivo.com/docs/messaging/api/message/send-a-message
// https://www.plivo.com/docs/messaging/api/media/upload-media/
// Wire facts: /work/shared/reference/providers-twilio-telnyx-plivo.md §3.1–3.2 (plivo-node/-python/-go).
import type { MessageRequest } from '../../core/types.js';
import { isUuid } from '../shared.js';

/** The account-scoped path prefix; Plivo wants the trailing slash on every resource. */
export function plivoAccountPath(authId: string): string {
  return `/v1/Account/${encodeURIComponent(authId)}`;
}

/** POST here to send, GET `<path><uuid>/` for one message. */
export function plivoMessagePath(authId: string): string {
  return `${plivoAccountPath(authId)}/Message/`;
}

/** POST multipart here to upload media. */
export function plivoMediaPath(authId: string): string {
  return `${plivoAccountPath(authId)}/Media/`;
}

/**
 * Formats a phone number the way Plivo writes them: digits only, country code first, no '+'
 * (Plivo strips `+ - . / ( )` and spaces itself, but its responses and callbacks use bare digits).
 * Alphanumeric sender ids are returned unchanged.
 */
export function toPlivoNumber(value: string): string {
  const v = value.trim();
  return /^\+?[\d\s().\-/]+$/.test(v) ? v.replace(/\D/g, '') : v;
}

/** Turns a Plivo number (bare digits) back into E.164; short codes and sender ids stay as they are. */
export function fromPlivoNumber(value: string): string {
  return /^\d{8,15}$/.test(value) ? `+${value}` : value;
}

/** JSON body of POST …/Message/ (snake_case, as on the wire). */
export interface PlivoMessagePayload {
  src?: string;
  powerpack_uuid?: string;
  dst: string;
  text?: string;
  type: 'sms' | 'mms';
  media_urls?: string[];
  media_ids?: string[];
  url?: string;
  method?: 'POST';
}

/**
 * Builds the JSON body for POST …/Message/. A UUID in `from` is a Powerpack (Plivo's number pool);
 * `src` and `powerpack_uuid` are mutually exclusive.
 */
export function buildPlivoPayload(req: MessageRequest): PlivoMessagePayload {
  const body: PlivoMessagePayload = { dst: toPlivoNumber(req.to), type: 'sms' };
  if (isUuid(req.from)) body.powerpack_uuid = req.from;
  else body.src = toPlivoNumber(req.from);
  if (req.body !== undefined && req.body !== '') body.text = req.body;
  const ids = req.mediaIds ?? [];
  if (req.mediaUrls.length > 0 || ids.length > 0) {
    // Lower-case enum on Plivo (unlike Telnyx's "MMS").
    body.type = 'mms';
    // The docs describe media_urls as a comma-separated list, but all three SDKs send a JSON array
    // (reference §5.4); we follow the SDKs, which is what Plivo's own clients exercise.
    if (req.mediaUrls.length > 0) body.media_urls = [...req.mediaUrls];
    if (ids.length > 0) body.media_ids = [...ids];
  }
  if (req.statusCallbackUrl) {
    body.url = req.statusCallbackUrl;
    body.method = 'POST';
  }
  return body;
}

/** HTTP Basic auth header for auth_id:auth_token. */
export function plivoAuthHeader(creds: Record<string, string>): string {
  return `Basic ${Buffer.from(`${creds.authId ?? ''}:${creds.authToken ?? ''}`).toString('base64')}`;
}

/** One file part of a multipart/form-data body. */
export interface MultipartFile {
  /** Form field name (Plivo: `file`). */
  field: string;
  fileName: string;
  contentType: string;
  data: Buffer;
}

/** Content-Disposition parameter values may not contain quotes, backslashes or line breaks. */
function quoteSafe(value: string): string {
  return value.replace(/["\\\r\n\u0000-\u001f\u007f]/g, '_');
}

/**
 * Builds a multipart/form-data body (RFC 7578) from file parts. Throws if the boundary occurs in a
 * file's bytes, so the caller can pick another one.
 */
export function buildMultipartBody(files: MultipartFile[], boundary: string): { body: Buffer; contentType: string } {
  if (!/^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/.test(boundary)) throw new Error(`Invalid multipart boundary "${boundary}"`);
  const chunks: Buffer[] = [];
  for (const f of files) {
    if (f.data.includes(`--${boundary}`)) throw new Error('Multipart boundary occurs in the file data');
    const head =
      `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="${quoteSafe(f.field)}"; filename="${quoteSafe(f.fileName)}"\r\n` +
      `Content-Type: ${quoteSafe(f.contentType)}\r\n\r\n`;
    chunks.push(Buffer.from(head, 'utf8'), f.data, Buffer.from('\r\n', 'utf8'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
