// Plivo callback signing (reference §3.7): X-Plivo-Signature-V3 (URL, sorted params and a nonce)
// and X-Plivo-Signature-V2 (URL without query plus a nonce), both HMAC-SHA256 with the Auth Token.
import { createHmac, randomInt } from 'node:crypto';

/** The URL up to the query, unnormalised (Plivo signs the URL as configured). */
function baseAndQuery(url: string): { base: string; query: string } {
  const noHash = url.split('#')[0]!;
  const q = noHash.indexOf('?');
  return q < 0 ? { base: noHash, query: '' } : { base: noHash.slice(0, q), query: noHash.slice(q + 1) };
}

function sortedPairs(params: Array<[string, string]>): Array<[string, string]> {
  return [...params].sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
}

/** X-Plivo-Signature-V2: base64 HMAC-SHA256(token, URL without query + nonce). */
export function plivoV2Signature(authToken: string, url: string, nonce: string): string {
  return createHmac('sha256', authToken)
    .update(baseAndQuery(url).base + nonce, 'utf8')
    .digest('base64');
}

/**
 * X-Plivo-Signature-V3 for a POST: the URL's own query sorted as `k=v&…`, then (when there are
 * params) `?query.` + the params sorted as `keyvalue`, then `.nonce` (reference §3.7, plivo-go).
 */
export function plivoV3Signature(authToken: string, url: string, nonce: string, params: Array<[string, string]>): string {
  const { base, query } = baseAndQuery(url);
  const qs = sortedPairs([...new URLSearchParams(query)])
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  let signed: string;
  if (params.length === 0) signed = qs ? `${base}?${qs}` : base;
  else
    signed = `${base}?${qs}${qs ? '.' : ''}${sortedPairs(params)
      .map(([k, v]) => k + v)
      .join('')}`;
  return createHmac('sha256', authToken).update(`${signed}.${nonce}`, 'utf8').digest('base64');
}

/** Form body plus both signature header sets for a Plivo callback to `url`. */
export function signPlivoCallback(authToken: string, url: string, params: Array<[string, string]>): { headers: Record<string, string>; body: string } {
  const nonce = () => Array.from({ length: 20 }, () => randomInt(10)).join('');
  const n3 = nonce();
  const n2 = nonce();
  const v3 = plivoV3Signature(authToken, url, n3, params);
  const v2 = plivoV2Signature(authToken, url, n2);
  return {
    body: new URLSearchParams(params).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'PlivoHTTP',
      // The sandbox has no subaccounts, so the main-account (-Ma-) signatures use the same token.
      'x-plivo-signature-v3': v3,
      'x-plivo-signature-ma-v3': v3,
      'x-plivo-signature-v3-nonce': n3,
      'x-plivo-signature-v2': v2,
      'x-plivo-signature-ma-v2': v2,
      'x-plivo-signature-v2-nonce': n2,
    },
  };
}
