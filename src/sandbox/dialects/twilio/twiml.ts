// TwiML replies (Twilio's "Messaging TwiML"): the answer of an app's SmsUrl to an inbound message
// may be `<Response><Message to=… from=… action=…>text<Media>url</Media></Message></Response>`
// (or `<Message><Body>text</Body><Media>url</Media></Message>`), and Twilio then sends each
// <Message>: from the number that received the inbound message to its sender unless `from`/`to`
// say otherwise, with `action` as its status callback, through the usual lifecycle. Only
// <Message> is acted on; <Redirect> and other verbs are ignored.
import type { SandboxMessage } from '../../store.js';
import type { WebhookAnswer } from '../exchange.js';
import { MAX_REPLY_DEPTH, elementTexts, responseVerbs, unescapeXml } from '../xml-reply.js';
import type { TwilioContext } from './context.js';
import { sendFromForm } from './messages.js';

/** One <Message> verb of a TwiML document. */
export interface TwimlMessage {
  to?: string;
  from?: string;
  action?: string;
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
      ...(attrs.action ? { action: attrs.action } : {}),
    };
  });
}

/** Acts on the app's answer to inbound message `inbound`: each TwiML <Message> is sent as Twilio sends it. */
export function actOnReply(ctx: TwilioContext, inbound: SandboxMessage, answer: WebhookAnswer | undefined): void {
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
    for (const u of v.media) form.append('MediaUrl', u);
    if (v.action) form.set('StatusCallback', v.action);
    const r = sendFromForm(ctx, form);
    if ('id' in r) ctx.replyDepth.set(r.id, depth);
    else ctx.svc.log(`twilio ${inbound.id}: TwiML <Message> refused: ${typeof r.body === 'string' ? r.body : r.status}`);
  }
}
