// TwiML replies (Twilio's "Messaging TwiML"): the answer of an app's SmsUrl to an inbound message
// may be `<Response><Message to=… from=… statusCallback=… action=… method=…>text<Media>url</Media>
// </Message></Response>` (or `<Message><Body>text</Body><Media>url</Media></Message>`), and Twilio
// then sends each <Message>: from the number that received the inbound message to its sender
// unless `from`/`to` say otherwise, with `statusCallback` as its status callback, through the usual
// lifecycle. With `action`, Twilio requests that URL (with `method`) once the message is queued,
// with MessageSid/MessageStatus, and acts on the TwiML of that answer in turn; relative URLs are
// resolved against the SmsUrl. Only <Message> is acted on; <Redirect> and other verbs are ignored.
import type { SandboxMessage } from '../../store.js';
import type { WebhookAnswer } from '../exchange.js';
import { MAX_REPLY_DEPTH, elementTexts, responseVerbs, unescapeXml } from '../xml-reply.js';
import type { TwilioContext } from './context.js';
import { sendFromForm } from './messages.js';
import { postSigned } from './webhooks.js';

/** One <Message> verb of a TwiML document. */
export interface TwimlMessage {
  to?: string;
  from?: string;
  statusCallback?: string;
  action?: string;
  /** The method for `action` (GET or POST). */
  method?: string;
  body: string;
  media: string[];
}

/** The <Message> verbs of a TwiML document (none when it is not TwiML). */
export function parseTwimlMessages(doc: string): TwimlMessage[] {
  return responseVerbs(doc, 'Message').map(({ attrs, inner }) => {
    const bodies = elementTexts(inner, 'Body');
    const media = elementTexts(inner, 'Media').filter((u) => u !== '');
    const text = bodies.length > 0 ? bodies.join('') : unescapeXml(inner.replace(/<Media(?:\s[^>]*)?>[\s\S]*?<\/Media\s*>/g, '')).trim();
    return {
      body: text,
      media,
      ...(attrs.to ? { to: attrs.to } : {}),
      ...(attrs.from ? { from: attrs.from } : {}),
      ...(attrs.statusCallback ? { statusCallback: attrs.statusCallback } : {}),
      ...(attrs.action ? { action: attrs.action } : {}),
      ...(attrs.method ? { method: attrs.method.toUpperCase() } : {}),
    };
  });
}

/** `url` resolved against `base` (TwiML URLs may be relative); undefined when it is not a URL. */
function resolve(url: string, base: string): string | undefined {
  try {
    return new URL(url, base).toString();
  } catch {
    return undefined;
  }
}

/** Requests a <Message>'s action URL once the message is queued, and acts on the TwiML it answers. */
async function followAction(ctx: TwilioContext, inbound: SandboxMessage, url: string, method: string, sent: SandboxMessage): Promise<void> {
  const params: Record<string, string> = {
    AccountSid: ctx.accountSid,
    ApiVersion: '2010-04-01',
    From: sent.from,
    MessageSid: sent.id,
    MessageStatus: sent.status,
    SmsSid: sent.id,
    SmsStatus: sent.status,
    To: sent.to,
  };
  await actOnReply(ctx, inbound, url, await postSigned(ctx, url, method === 'GET' ? 'GET' : 'POST', params, 'inbound', inbound.id));
}

/**
 * Acts on the app's answer to inbound message `inbound` (from `base`, the SmsUrl or an action URL):
 * each TwiML <Message> is sent as Twilio sends it.
 */
export async function actOnReply(ctx: TwilioContext, inbound: SandboxMessage, base: string, answer: WebhookAnswer | undefined): Promise<void> {
  if (!answer || answer.status < 200 || answer.status > 299) return;
  const verbs = parseTwimlMessages(answer.body);
  if (verbs.length === 0) return;
  const depth = ctx.replyDepth.of(inbound.id) + 1;
  if (depth > MAX_REPLY_DEPTH) {
    ctx.svc.log(`twilio ${inbound.id}: TwiML reply not sent: ${MAX_REPLY_DEPTH} replies in a row (a reply loop between two numbers?)`);
    return;
  }
  for (const v of verbs) {
    const form = new URLSearchParams({ To: v.to ?? inbound.from, From: v.from ?? inbound.to, Body: v.body });
    for (const u of v.media) form.append('MediaUrl', resolve(u, base) ?? u);
    const statusCallback = v.statusCallback && resolve(v.statusCallback, base);
    if (statusCallback) form.set('StatusCallback', statusCallback);
    const r = sendFromForm(ctx, form);
    if (!('id' in r)) {
      ctx.svc.log(`twilio ${inbound.id}: TwiML <Message> refused: ${typeof r.body === 'string' ? r.body : r.status}`);
      continue;
    }
    ctx.replyDepth.set(r.id, depth);
    const action = v.action && resolve(v.action, base);
    // The action's TwiML continues the exchange: it is one more step of the same reply chain.
    if (action) {
      ctx.replyDepth.set(inbound.id, depth);
      await followAction(ctx, inbound, action, v.method ?? 'POST', r);
    }
  }
}
