// Building and signing Plivo messaging callbacks, for `mms trigger` and `mms listen --forward-to`.
// https://docs.plivo.com/docs/messaging/api/message/handling-incoming (inbound fields)
// https://docs.plivo.com/docs/messaging/api/message/message-status-callbacks (status fields)
// https://docs.plivo.com/docs/voice/xml/request/validation (X-Plivo-Signature-V3), messaging
// signature-validation page (V2). Both cover the URL, so a forwarded request is re-signed for the
// app's URL with the account's Auth Token (same nonces): `plivo.validateV3Signature` passes.
import { createHmac, randomInt, randomUUID } from 'node:crypto';
import type { Credentials, WebhookRequest } from '../types.js';
import { headerValue, parseForm, type FormParams } from '../shared.js';

/** `scheme://host[:port]path` and the raw query, unnormalised, without fragment or userinfo. */
function splitUrl(url: string): { base: string; query: string } {
  const noHash = url.trim().split('#')[0]!;
  const q = noHash.indexOf('?');
  const base = (q >= 0 ? noHash.slice(0, q) : noHash).replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  return { base, query: q >= 0 ? noHash.slice(q + 1) : '' };
}

function sortedPairs(p: FormParams): Array<[string, string]> {
  return Object.keys(p)
    .sort()
    .flatMap((k) => {
      const v = p[k]!;
      return (Array.isArray(v) ? [...v].sort() : [v]).map((value): [string, string] => [k, value]);
    });
}

/** X-Plivo-Signature-V3 for a POST: base, `?` + sorted URL query, `.` + sorted `keyvalue` params, `.` + nonce; HMAC-SHA256. */
export function plivoV3SignatureFor(authToken: string, url: string, nonce: string, params: FormParams): string {
  const { base, query } = splitUrl(url);
  const qs = sortedPairs(parseForm(query))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const post = sortedPairs(params)
    .map(([k, v]) => k + v)
    .join('');
  const signed = post === '' ? (qs ? `${base}?${qs}` : base) : `${base}?${qs}${qs ? '.' : ''}${post}`;
  return createHmac('sha256', authToken).update(`${signed}.${nonce}`, 'utf8').digest('base64');
}

/** X-Plivo-Signature-V2: HMAC-SHA256 over the URL without its query, then the nonce. */
export function plivoV2SignatureFor(authToken: string, url: string, nonce: string): string {
  return createHmac('sha256', authToken)
    .update(splitUrl(url).base + nonce, 'utf8')
    .digest('base64');
}

/** A 20-digit nonce, as Plivo sends. */
function nonce(): string {
  return Array.from({ length: 20 }, () => randomInt(10)).join('');
}

/** A Plivo-style message UUID. */
export function plivoMessageId(): string {
  return randomUUID();
}

/** Both signature header sets (V3 and V2, plain and main-account) for a form callback to `url`. */
export function signPlivoWebhook(built: { body: string }, url: string, creds: Credentials): Record<string, string> {
  const token = creds.authToken ?? '';
  const n3 = nonce();
  const n2 = nonce();
  const v3 = plivoV3SignatureFor(token, url, n3, parseForm(built.body));
  const v2 = plivoV2SignatureFor(token, url, n2);
  // We hold one Auth Token: the main-account (-Ma-) headers carry the same signatures.
  return {
    'x-plivo-signature-v3': v3,
    'x-plivo-signature-ma-v3': v3,
    'x-plivo-signature-v3-nonce': n3,
    'x-plivo-signature-v2': v2,
    'x-plivo-signature-ma-v2': v2,
    'x-plivo-signature-v2-nonce': n2,
  };
}

/** The signature headers of a verified callback re-computed for `targetUrl` (only those it carried, with its nonces). */
export function resignPlivoWebhook(req: WebhookRequest, targetUrl: string, creds: Credentials): { url: string; headers: Record<string, string> } {
  const token = creds.authToken ?? '';
  const out: Record<string, string> = {};
  if (!token) return { url: targetUrl, headers: out };
  const n3 = headerValue(req.headers, 'x-plivo-signature-v3-nonce');
  if (n3 !== undefined) {
    const params = req.method.toUpperCase() === 'GET' ? {} : parseForm(req.rawBody.toString('utf8'));
    const v3 = plivoV3SignatureFor(token, targetUrl, n3, params);
    for (const h of ['x-plivo-signature-v3', 'x-plivo-signature-ma-v3']) if (req.headers[h] !== undefined) out[h] = v3;
  }
  const n2 = headerValue(req.headers, 'x-plivo-signature-v2-nonce');
  if (n2 !== undefined) {
    const v2 = plivoV2SignatureFor(token, targetUrl, n2);
    for (const h of ['x-plivo-signature-v2', 'x-plivo-signature-ma-v2']) if (req.headers[h] !== undefined) out[h] = v2;
  }
  return { url: targetUrl, headers: out };
}

/** Plivo writes numbers as digits without `+`. */
const digits = (n: string): string => n.replace(/^\+/, '');

/** Plivo's inbound-message callback (form-encoded POST; MMS text in Body, media as Media1…). */
export function buildPlivoInbound(m: { id: string; from: string; to: string; body: string; media: Array<{ url: string }> }): {
  contentType: string;
  body: string;
} {
  const type = m.media.length > 0 ? 'mms' : 'sms';
  const params: Array<[string, string]> = [
    ['From', digits(m.from)],
    ['To', digits(m.to)],
    ['Type', type],
    ['MessageUUID', m.id],
    ['Units', '1'],
    ['TotalRate', '0.00000'],
    ['TotalAmount', '0.00000'],
    ['MessageIntent', ''],
    ['PowerpackUUID', ''],
    [type === 'mms' ? 'Body' : 'Text', m.body],
  ];
  if (type === 'mms') {
    params.push(['MediaCount', String(m.media.length)]);
    m.media.forEach((item, i) => params.push([`Media${i + 1}`, item.url]));
  }
  return { contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(params).toString() };
}

/** Plivo's message status callback (form-encoded POST). */
export function buildPlivoStatus(s: { id: string; from: string; to: string; status: string; errorCode?: string; now: Date }): {
  contentType: string;
  body: string;
} {
  const time = `${s.now.toISOString().slice(0, 19).replace('T', ' ')}.000000`;
  const params: Array<[string, string]> = [
    ['MessageUUID', s.id],
    ['To', digits(s.to)],
    ['From', digits(s.from)],
    ['Type', 'mms'],
    ['Status', s.status],
    ['Units', '1'],
    ['TotalRate', '0.00000'],
    ['TotalAmount', '0.00000'],
    ['ParentMessageUUID', s.id],
    ['PartInfo', '1 of 1'],
    ['Sequence', '1'],
    ['MessageTime', time],
    ['DeliveryReportTime', time],
    ['PowerpackUUID', ''],
  ];
  if (s.errorCode !== undefined) params.push(['ErrorCode', s.errorCode]);
  return { contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(params).toString() };
}
