// Twilio webhook signatures and payloads.
// https://www.twilio.com/docs/usage/security#validating-requests ; algorithm as in twilio-node
// src/webhooks/webhooks.ts (reference §1.7), written in our own words.
import { createHash, createHmac } from 'node:crypto';
import { stringify as legacyStringify, parse as legacyParse } from 'node:querystring';
import type { WebhookEvent, InboundMedia } from '../../core/types.js';
import type { WebhookRequest } from '../types.js';
import { parseForm, safeEqual, type FormParams } from '../shared.js';

export { parseForm, type FormParams };
import { mapTwilioStatus } from './response.js';

/** base64 HMAC-SHA1 over the URL followed by each sorted param's name and value. */
export function computeTwilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const v = params[key]!;
    const values = Array.isArray(v) ? [...new Set(v)].sort() : [v];
    for (const value of values) data += key + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * The URL variants Twilio may have signed: its handling of ports is inconsistent, so (like
 * twilio-node) accept the URL without a port, with the scheme's default port, and both again with
 * the query re-serialised by Node's legacy querystring.
 */
export function twilioUrlVariants(url: string): string[] {
  const cached = variantCache.get(url);
  if (cached) return cached;
  const variants = computeUrlVariants(url);
  // A listener sees the same few URLs over and over: keep the last ones.
  if (variantCache.size >= 32) variantCache.delete(variantCache.keys().next().value!);
  variantCache.set(url, variants);
  return variants;
}

const variantCache = new Map<string, string[]>();

function computeUrlVariants(url: string): string[] {
  const out = new Set<string>([url]);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : '';
  const withoutPort = new URL(url);
  withoutPort.port = '';
  // WHATWG URL drops a default port when assigned, so build the with-port form by hand.
  const userinfo = parsed.username ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@` : '';
  const portPart = parsed.port || defaultPort;
  const withPort = `${parsed.protocol}//${userinfo}${parsed.hostname}${portPart ? `:${portPart}` : ''}${parsed.pathname}${parsed.search}${parsed.hash}`;
  const noPortStr =
    url.includes(`:${parsed.port || defaultPort}`) && parsed.port !== '' && parsed.port !== defaultPort
      ? url
      : `${parsed.protocol}//${userinfo}${parsed.hostname}${parsed.pathname}${parsed.search}${parsed.hash}`;
  for (const base of [noPortStr, withPort, withoutPort.toString()]) {
    out.add(base);
    const q = base.indexOf('?');
    if (q >= 0) {
      const hashAt = base.indexOf('#', q);
      const query = base.slice(q + 1, hashAt >= 0 ? hashAt : undefined);
      const legacy = legacyStringify(legacyParse(query));
      out.add(base.slice(0, q + 1) + legacy + (hashAt >= 0 ? base.slice(hashAt) : ''));
    }
  }
  return [...out];
}

/** Validates X-Twilio-Signature for a form or JSON (bodySHA256) webhook. */
export function validateTwilioSignature(authToken: string, signature: string, url: string, rawBody: string, params?: FormParams): boolean {
  if (!authToken || !signature) return false;
  let bodyHash: string | null = null;
  if (url.includes('bodySHA256=')) {
    try {
      bodyHash = new URL(url).searchParams.get('bodySHA256');
    } catch {
      return false;
    }
  }
  if (bodyHash) {
    const actual = createHash('sha256').update(rawBody).digest('hex');
    if (!safeEqual(actual, bodyHash)) return false;
    return twilioUrlVariants(url).some((u) => safeEqual(computeTwilioSignature(authToken, u, {}), signature));
  }
  const p = params ?? parseForm(rawBody);
  return twilioUrlVariants(url).some((u) => safeEqual(computeTwilioSignature(authToken, u, p), signature));
}

function header(req: WebhookRequest, name: string): string {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/** The parsed form of a request body, parsed once for verification and parsing alike. */
const formCache = new WeakMap<Buffer, FormParams>();
function formOf(req: WebhookRequest): FormParams {
  let p = formCache.get(req.rawBody);
  if (!p) {
    p = parseForm(req.rawBody.toString('utf8'));
    formCache.set(req.rawBody, p);
  }
  return p;
}

/** Verifies a webhook request as received by the listener. */
export function verifyTwilioWebhook(req: WebhookRequest, authToken: string): boolean {
  if (req.method === 'GET') return validateTwilioSignature(authToken, header(req, 'x-twilio-signature'), req.publicUrl, '', {});
  const raw = req.rawBody.toString('utf8');
  return validateTwilioSignature(
    authToken,
    header(req, 'x-twilio-signature'),
    req.publicUrl,
    raw,
    req.publicUrl.includes('bodySHA256=') ? undefined : formOf(req),
  );
}

/** A JSON content type, or a body that opens like a JSON document (no Twilio form key starts with `{` or `[`). */
function isJsonBody(req: WebhookRequest): boolean {
  if (/\bjson\b/i.test(header(req, 'content-type'))) return true;
  const first = req.rawBody.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
  return first === 0x7b || first === 0x5b;
}

function one(p: FormParams, key: string): string {
  const v = p[key];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/**
 * Parses an inbound-message or status-callback webhook into events. Messaging webhooks are
 * form-encoded; a JSON body (which a bodySHA256 URL could sign) is refused rather than read as an
 * empty form, which would make a message with no id, sender or text.
 */
export function parseTwilioWebhook(req: WebhookRequest, now = new Date()): WebhookEvent[] {
  if (isJsonBody(req)) throw new Error('Twilio messaging webhooks are form-encoded (application/x-www-form-urlencoded); this one has a JSON body');
  const p = formOf(req);
  const receivedAt = now.toISOString();
  const id = one(p, 'MessageSid') || one(p, 'SmsSid');
  const statusWord = one(p, 'MessageStatus') || (p.NumMedia === undefined && p.Body === undefined ? one(p, 'SmsStatus') : '');
  if (statusWord) {
    const ev: WebhookEvent = { type: 'status', provider: 'twilio', id, status: mapTwilioStatus(statusWord), providerStatus: statusWord, receivedAt };
    const to = one(p, 'To');
    const from = one(p, 'From');
    const err = one(p, 'ErrorCode');
    if (to) ev.to = to;
    if (from) ev.from = from;
    if (err) ev.errorCode = /^\d+$/.test(err) ? Number(err) : err;
    return [ev];
  }
  const n = Math.min(Number(one(p, 'NumMedia')) || 0, 100);
  const media: InboundMedia[] = [];
  for (let i = 0; i < n; i++) {
    const url = one(p, `MediaUrl${i}`);
    if (!url) continue;
    const ct = one(p, `MediaContentType${i}`);
    media.push(ct ? { url, contentType: ct } : { url });
  }
  return [{ type: 'message', provider: 'twilio', id, from: one(p, 'From'), to: one(p, 'To'), body: one(p, 'Body'), media, receivedAt }];
}
