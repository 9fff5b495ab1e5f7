// Twilio's webhooks (reference §1.6–1.8): status callbacks to a message's StatusCallback and
// inbound messages to a number's SmsUrl, form-encoded and signed with X-Twilio-Signature.
import type { SandboxMessage } from '../../store.js';
import { API, hex, rfc2822, type TwilioContext } from './context.js';
import { keepMedia } from './media.js';
import { twilioSignature } from './signature.js';
import { actOnReply } from './twiml.js';
import { exchangeWebhook, type WebhookAnswer } from '../exchange.js';

/** Fetched media kept for the inbound side of a round trip. */
export interface KeptBytes {
  contentType: string;
  bytes: Buffer;
  sha256: string;
}

/** Signs and POSTs (or GETs, for SmsMethod=GET) Twilio form params to a webhook URL; the answer when it can be seen. */
export async function postSigned(
  ctx: TwilioContext,
  url: string,
  method: string,
  params: Record<string, string>,
  kind: 'inbound' | 'status',
  messageId: string,
): Promise<WebhookAnswer | undefined> {
  const headers: Record<string, string> = { 'user-agent': 'TwilioProxy/1.1 (mms sandbox)', accept: '*/*' };
  if (method === 'GET') {
    // GET webhooks carry the params in the query and are signed over the full URL alone.
    const u = new URL(url);
    for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
    headers['x-twilio-signature'] = twilioSignature(ctx.authToken, u.toString(), {});
    // deliverWebhook POSTs; a GET-configured number is rare enough that the sandbox posts the same
    // signed URL with an empty body rather than emulate GET delivery.
    return exchangeWebhook(
      ctx.svc,
      { url: u.toString(), headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: '' },
      kind,
      messageId,
    );
  }
  headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
  headers['x-twilio-signature'] = twilioSignature(ctx.authToken, url, params);
  return exchangeWebhook(ctx.svc, { url, headers, body: new URLSearchParams(params).toString() }, kind, messageId);
}

function rawDlrDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

/** Sets a status and, for a message with a StatusCallback, POSTs it signed (reference §1.6). */
export async function setStatus(
  ctx: TwilioContext,
  m: SandboxMessage,
  status: string,
  extra: { errorCode?: number; errorMessage?: string } = {},
): Promise<void> {
  ctx.svc.store.setStatus(m.id, status, extra);
  await postStatus(ctx, m);
}

/** POSTs the message's current status to its StatusCallback, if it has one. */
export async function postStatus(ctx: TwilioContext, m: SandboxMessage): Promise<void> {
  if (!m.statusCallback) return;
  const params: Record<string, string> = {
    AccountSid: m.account,
    ApiVersion: '2010-04-01',
    From: m.from,
    MessageSid: m.id,
    MessageStatus: m.status,
    SmsSid: m.id,
    SmsStatus: m.status,
    To: m.to,
  };
  if ((m.status === 'failed' || m.status === 'undelivered') && m.errorCode !== undefined) params.ErrorCode = String(m.errorCode);
  if (m.status === 'delivered' || m.status === 'undelivered') params.RawDlrDoneDate = rawDlrDate(new Date());
  await postSigned(ctx, m.statusCallback, 'POST', params, 'status', m.id);
}

function storeInbound(ctx: TwilioContext, out: SandboxMessage, kept: KeptBytes[]): SandboxMessage {
  const now = new Date().toISOString();
  const id = `${kept.length > 0 ? 'MM' : 'SM'}${hex(16)}`;
  const media = kept.map((k) => {
    const sid = `ME${hex(16)}`;
    keepMedia(ctx, sid, { messageSid: id, contentType: k.contentType, bytes: k.bytes, sha256: k.sha256, dateCreated: rfc2822(new Date(now)) });
    return {
      url: `${ctx.svc.origin()}/twilio${API}/Accounts/${ctx.accountSid}/Messages/${id}/Media/${sid}`,
      status: 'fetched' as const,
      contentType: k.contentType,
      size: k.bytes.length,
      sha256: k.sha256,
    };
  });
  return ctx.svc.store.add({
    id,
    provider: 'twilio',
    account: ctx.accountSid,
    direction: 'inbound',
    to: out.to,
    from: out.from,
    body: out.body,
    media,
    status: 'received',
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'received', at: now }],
  });
}

/**
 * Stores the inbound copy of a message sent to one of our numbers, delivers it to its SmsUrl, and
 * acts on a TwiML reply in the answer (twiml.ts).
 */
export async function deliverInbound(ctx: TwilioContext, out: SandboxMessage, kept: KeptBytes[]): Promise<void> {
  const cfg = ctx.numbers.get(out.to);
  if (!cfg) return;
  const msg = storeInbound(ctx, out, kept);
  // The inbound copy carries the reply depth of the message it copies.
  ctx.replyDepth.set(msg.id, ctx.replyDepth.of(out.id));
  const id = msg.id;
  if (cfg.smsApplicationSid !== '') {
    ctx.svc.log(`twilio ${id}: ${out.to} is handled by ${cfg.smsApplicationSid}; the sandbox does not deliver to applications or Messaging Services`);
    return;
  }
  if (cfg.smsUrl === '') {
    ctx.svc.log(`twilio ${id}: ${out.to} has no SmsUrl; inbound message stored only`);
    return;
  }
  const params: Record<string, string> = {
    AccountSid: ctx.accountSid,
    ApiVersion: '2010-04-01',
    Body: msg.body,
    From: msg.from,
    FromCountry: 'US',
    MessageSid: id,
    NumMedia: String(msg.media.length),
    NumSegments: '1',
    SmsMessageSid: id,
    SmsSid: id,
    SmsStatus: 'received',
    To: msg.to,
    ToCountry: 'US',
  };
  msg.media.forEach((m, i) => {
    params[`MediaContentType${i}`] = m.contentType!;
    params[`MediaUrl${i}`] = m.url;
  });
  await actOnReply(ctx, msg, cfg.smsUrl, await postSigned(ctx, cfg.smsUrl, cfg.smsMethod, params, 'inbound', id));
}
