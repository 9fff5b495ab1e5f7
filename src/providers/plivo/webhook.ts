// Plivo webhook signatures and payloads.
// https://docs.plivo.com/docs/messaging/concepts/signature-validation (V2)
// https://docs.plivo.com/docs/voice/xml/request/validation (V3; lists message callbacks among the URLs it covers)
// https://docs.plivo.com/docs/messaging/api/message/handling-incoming
// https://docs.plivo.com/docs/messaging/api/message/message-status-callbacks
// Algorithms as plivo-go utils.go / plivo-node lib/utils/v3Security.js do them (reference §3.7),
// written in our own words.
//
// Disagreement (reference §5.1): the messaging docs describe V2 (URL + nonce only), the voice docs
// and SDKs describe V3 (URL + params + nonce). We pick by header: V3 when its header is present,
// otherwise V2. A failed V3 check does NOT fall back to V2: V3 covers the params and V2 does not,
// so falling back would accept a request whose params were altered after signing.
import { createHmac } from 'node:crypto';
import type { InboundMedia, WebhookEvent } from '../../core/types.js';
import type { WebhookRequest } from '../types.js';
import { formValue, headerValue, parseForm, safeEqual, type FormParams } from '../shared.js';
import { fromPlivoNumber } from './payload.js';
import { mapPlivoStatus } from './response.js';

/**
 * Splits a URL string into `scheme://host[:port]path` and its raw query, without normalising it:
 * Plivo signs the URL as configured (e.g. `https://answer.url` with an empty path, which WHATWG
 * `URL` would turn into `https://answer.url/`). The fragment and any userinfo are dropped.
 */
export function splitPlivoUrl(url: string): { base: string; query: string } {
  let u = url.trim();
  const hash = u.indexOf('#');
  if (hash >= 0) u = u.slice(0, hash);
  const q = u.indexOf('?');
  let base = q >= 0 ? u.slice(0, q) : u;
  const query = q >= 0 ? u.slice(q + 1) : '';
  base = base.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  return { base, query };
}

type MultiParams = Map<string, string[]>;

function toMulti(p: FormParams): MultiParams {
  const m: MultiParams = new Map();
  for (const [k, v] of Object.entries(p)) m.set(k, Array.isArray(v) ? [...v] : [v]);
  return m;
}

function mergeMulti(a: MultiParams, b: MultiParams): MultiParams {
  const m: MultiParams = new Map();
  for (const [k, v] of a) m.set(k, [...v]);
  for (const [k, v] of b) m.set(k, [...(m.get(k) ?? []), ...v]);
  return m;
}

function sortedEntries(p: MultiParams): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const key of [...p.keys()].sort()) {
    for (const value of [...(p.get(key) ?? [])].sort()) out.push([key, value]);
  }
  return out;
}

/** `k=v&k=v` sorted by key, then value (decoded values, no re-encoding). */
function sortedQuery(p: MultiParams): string {
  return sortedEntries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** `kvkv` sorted by key, then value, no separators. */
function sortedConcat(p: MultiParams): string {
  return sortedEntries(p)
    .map(([k, v]) => k + v)
    .join('');
}

/**
 * The string Plivo V3 signs (before HMAC): the base URL, then for GET every query and request
 * param as a sorted query string; for POST the URL's own sorted query, a '.' when there is one and
 * there are POST params, then the sorted POST params as `keyvalue`. Then '.' + nonce.
 */
export function plivoV3SignedString(method: string, url: string, nonce: string, params: FormParams): string {
  const { base, query } = splitPlivoUrl(url);
  // Decoded like plivo-node (querystring.parse). plivo-go uses the raw query text: the two only
  // differ for percent-encoded query values, which a CLI-chosen webhook URL does not need.
  const urlParams = toMulti(parseForm(query));
  const post = toMulti(params);
  let signed: string;
  if (method.toUpperCase() === 'GET') {
    const qs = sortedQuery(mergeMulti(urlParams, post));
    signed = qs ? `${base}?${qs}` : base;
  } else {
    const qs = sortedQuery(urlParams);
    if (post.size === 0) signed = qs ? `${base}?${qs}` : base;
    else signed = `${base}?${qs}${qs ? '.' : ''}${sortedConcat(post)}`;
  }
  return `${signed}.${nonce}`;
}

/** base64 HMAC-SHA256 for Plivo V3. */
export function computePlivoV3Signature(authToken: string, method: string, url: string, nonce: string, params: FormParams): string {
  return createHmac('sha256', authToken)
    .update(plivoV3SignedString(method, url, nonce, params), 'utf8')
    .digest('base64');
}

/** base64 HMAC-SHA256 for Plivo V2: the URL without query, immediately followed by the nonce. */
export function computePlivoV2Signature(authToken: string, url: string, nonce: string): string {
  return createHmac('sha256', authToken)
    .update(splitPlivoUrl(url).base + nonce, 'utf8')
    .digest('base64');
}

/** Header values may carry several comma-separated signatures; any one may match. */
function candidates(...values: Array<string | undefined>): string[] {
  return values.flatMap((v) =>
    v
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  );
}

export type SignatureCheck = { ok: true; scheme: 'v3' | 'v2' } | { ok: false; reason: string };

/**
 * Checks a Plivo webhook against the Auth Token. The `-Ma-` headers are signed with the main
 * account's token and the plain ones with the owning (sub)account's: whichever token we hold,
 * one of them matches.
 */
export function checkPlivoSignature(req: WebhookRequest, authToken: string): SignatureCheck {
  if (!authToken) return { ok: false, reason: 'no Plivo Auth Token configured' };
  const h = req.headers;
  const v3 = candidates(headerValue(h, 'x-plivo-signature-v3'), headerValue(h, 'x-plivo-signature-ma-v3'));
  if (v3.length > 0) {
    const nonce = headerValue(h, 'x-plivo-signature-v3-nonce');
    if (!nonce) return { ok: false, reason: 'missing X-Plivo-Signature-V3-Nonce header' };
    const params = req.method.toUpperCase() === 'GET' ? {} : parseForm(req.rawBody.toString('utf8'));
    const expected = computePlivoV3Signature(authToken, req.method, req.publicUrl, nonce, params);
    return v3.some((s) => safeEqual(s, expected)) ? { ok: true, scheme: 'v3' } : { ok: false, reason: 'X-Plivo-Signature-V3 does not match' };
  }
  const v2 = candidates(headerValue(h, 'x-plivo-signature-v2'), headerValue(h, 'x-plivo-signature-ma-v2'));
  if (v2.length > 0) {
    const nonce = headerValue(h, 'x-plivo-signature-v2-nonce');
    if (!nonce) return { ok: false, reason: 'missing X-Plivo-Signature-V2-Nonce header' };
    // V2 covers only the URL and nonce, not the body: it proves origin, not integrity of the params.
    const expected = computePlivoV2Signature(authToken, req.publicUrl, nonce);
    return v2.some((s) => safeEqual(s, expected)) ? { ok: true, scheme: 'v2' } : { ok: false, reason: 'X-Plivo-Signature-V2 does not match' };
  }
  return { ok: false, reason: 'no X-Plivo-Signature-V3 or X-Plivo-Signature-V2 header' };
}

/**
 * Verifies a webhook request as received by the listener (headers have lower-case keys). A valid
 * request's nonces become its replay keys: V2 signs only the URL and the nonce, so without them one
 * captured V2 header pair would carry any number of forged bodies. The V2 nonce of a request
 * verified by V3 is kept too, so that pair cannot be lifted off it and reused either.
 */
export function verifyPlivoWebhook(req: WebhookRequest, authToken: string): boolean {
  const check = checkPlivoSignature(req, authToken);
  if (check.ok && req.verification) {
    const nonces = new Set([headerValue(req.headers, 'x-plivo-signature-v2-nonce')]);
    if (check.scheme === 'v3') nonces.add(headerValue(req.headers, 'x-plivo-signature-v3-nonce'));
    for (const nonce of nonces) if (nonce) req.verification.replayKeys.push(`plivo:nonce:${nonce}`);
  }
  return check.ok;
}

/** The params of a Plivo callback: the form body for POST, the URL query for GET. */
function callbackParams(req: WebhookRequest): FormParams {
  if (req.method.toUpperCase() === 'GET') return parseForm(splitPlivoUrl(req.publicUrl).query);
  return parseForm(req.rawBody.toString('utf8'));
}

/**
 * Parses an inbound-message or delivery-status callback. Status callbacks carry `Status`;
 * inbound messages carry `MediaCount` and `Media{N}` (numbers arrive as bare digits).
 */
export function parsePlivoWebhook(req: WebhookRequest, now = new Date()): WebhookEvent[] {
  const p = callbackParams(req);
  const id = formValue(p, 'MessageUUID');
  if (!id) return [];
  const receivedAt = now.toISOString();
  const from = formValue(p, 'From');
  const to = formValue(p, 'To');
  const statusWord = formValue(p, 'Status');
  if (statusWord) {
    const ev: WebhookEvent = { type: 'status', provider: 'plivo', id, status: mapPlivoStatus(statusWord), providerStatus: statusWord, receivedAt };
    if (to) ev.to = fromPlivoNumber(to);
    if (from) ev.from = fromPlivoNumber(from);
    const err = formValue(p, 'ErrorCode');
    // "000" means no error.
    if (err && !/^0+$/.test(err)) ev.errorCode = err;
    return [ev];
  }
  // The API docs number media from 1 (Media1…), a support article from 0 (reference §5.2): take
  // every Media<digits> key in numeric order, whatever the base.
  const media: InboundMedia[] = Object.keys(p)
    .map((k) => /^Media(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => formValue(p, m[0]))
    .filter((url) => url !== '')
    .map((url) => ({ url }));
  // MMS text arrives as `Body`, SMS text as `Text`.
  const body = formValue(p, 'Body') || formValue(p, 'Text');
  return [{ type: 'message', provider: 'plivo', id, from: fromPlivoNumber(from), to: fromPlivoNumber(to), body, media, receivedAt }];
}
