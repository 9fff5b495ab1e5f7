// Building and signing Twilio messaging webhooks, for `mms trigger` and `mms listen --forward-to`.
// https://www.twilio.com/docs/messaging/guides/webhook-request (inbound fields)
// https://www.twilio.com/docs/messaging/guides/track-outbound-message-status (status callback fields)
// https://www.twilio.com/docs/usage/security#validating-requests (X-Twilio-Signature)
// The signature covers the URL, so a forwarded request is re-signed for the app's URL with the
// account's Auth Token: the app's unmodified `twilio.validateRequest` check passes.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Credentials, WebhookRequest } from '../types.js';
import { headerValue, parseForm, type FormParams } from '../shared.js';

/** base64 HMAC-SHA1 over the URL followed by each param name and value, sorted by name. */
export function twilioSignatureFor(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const v = params[key]!;
    for (const value of Array.isArray(v) ? [...v].sort() : [v]) data += key + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** A Twilio-style message SID: MM (media) or SM plus 32 hex digits. */
export function twilioMessageId(hasMedia: boolean): string {
  return `${hasMedia ? 'MM' : 'SM'}${randomBytes(16).toString('hex')}`;
}

/** The X-Twilio-Signature header for `url` (the body's form params; a JSON body is covered by bodySHA256 in the URL). */
export function signTwilioWebhook(built: { contentType: string; body: string }, url: string, creds: Credentials): Record<string, string> {
  const token = creds.authToken ?? '';
  const params = built.contentType.startsWith('application/x-www-form-urlencoded') ? parseForm(built.body) : {};
  return { 'x-twilio-signature': twilioSignatureFor(token, url, params) };
}

/**
 * The headers and URL of a verified webhook re-signed for `targetUrl`. A JSON webhook carries the
 * body's hash in the URL it signs (`bodySHA256`), so that parameter moves to the target URL.
 */
export function resignTwilioWebhook(req: WebhookRequest, targetUrl: string, creds: Credentials): { url: string; headers: Record<string, string> } {
  if (!creds.authToken || headerValue(req.headers, 'x-twilio-signature') === undefined) return { url: targetUrl, headers: {} };
  let url = targetUrl;
  const hash = new URL(req.publicUrl).searchParams.get('bodySHA256');
  if (hash !== null) {
    const u = new URL(targetUrl);
    u.searchParams.set('bodySHA256', createHash('sha256').update(req.rawBody).digest('hex'));
    url = u.toString();
    return { url, headers: { 'x-twilio-signature': twilioSignatureFor(creds.authToken, url, {}) } };
  }
  const params = req.method.toUpperCase() === 'GET' ? {} : parseForm(req.rawBody.toString('utf8'));
  return { url, headers: { 'x-twilio-signature': twilioSignatureFor(creds.authToken, url, params) } };
}

/** Twilio's inbound-message webhook (form-encoded POST, the fields Twilio sends for an MMS). */
export function buildTwilioInbound(
  m: { id: string; from: string; to: string; body: string; media: Array<{ url: string; contentType: string }> },
  creds: Credentials,
): { contentType: string; body: string } {
  const params: Array<[string, string]> = [
    ['ToCountry', 'US'],
    ['SmsMessageSid', m.id],
    ['NumMedia', String(m.media.length)],
    ['SmsSid', m.id],
    ['SmsStatus', 'received'],
    ['Body', m.body],
    ['FromCountry', 'US'],
    ['To', m.to],
    ['NumSegments', '1'],
    ['MessageSid', m.id],
    ['AccountSid', creds.accountSid ?? ''],
    ['From', m.from],
    ['ApiVersion', '2010-04-01'],
  ];
  m.media.forEach((item, i) => params.push([`MediaContentType${i}`, item.contentType], [`MediaUrl${i}`, item.url]));
  return { contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(params).toString() };
}

/** Twilio's status callback (form-encoded POST) for a final status. */
export function buildTwilioStatus(
  s: { id: string; from: string; to: string; status: string; errorCode?: string },
  creds: Credentials,
): { contentType: string; body: string } {
  const params: Array<[string, string]> = [
    ['SmsSid', s.id],
    ['SmsStatus', s.status],
    ['MessageStatus', s.status],
    ['To', s.to],
    ['MessageSid', s.id],
    ['AccountSid', creds.accountSid ?? ''],
    ['From', s.from],
    ['ApiVersion', '2010-04-01'],
  ];
  if (s.errorCode !== undefined) params.push(['ErrorCode', s.errorCode]);
  return { contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(params).toString() };
}
