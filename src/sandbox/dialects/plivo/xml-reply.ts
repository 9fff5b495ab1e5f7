// Plivo XML replies (Plivo docs, "Messaging XML → Message"): the message_url's answer to an inbound
// message may be `<Response><Message src=… dst=… type="sms" callbackUrl=… callbackMethod=…>text
// </Message></Response>` (Content-Type text/xml or application/xml), and Plivo sends each
// <Message> as if it were sent through the API. Plivo's XML allows SMS only (no media), and src
// and dst are attributes the app must give; a refused <Message> is logged, as Plivo's debug log would.
import type { SandboxMessage } from '../../store.js';
import type { WebhookAnswer } from '../exchange.js';
import { MAX_REPLY_DEPTH, responseVerbs, unescapeXml } from '../xml-reply.js';
import type { PlivoContext } from './context.js';
import { sendFromBody } from './messages.js';

/** Acts on the message_url's answer to inbound message `inbound`. */
export function actOnXmlReply(ctx: PlivoContext, inbound: SandboxMessage, answer: WebhookAnswer | undefined): void {
  if (!answer || answer.status < 200 || answer.status > 299) return;
  if (!/^(text|application)\/xml\b/i.test(answer.headers.get('content-type') ?? '')) return;
  const verbs = responseVerbs(answer.body, 'Message');
  if (verbs.length === 0) return;
  const depth = ctx.replyDepth.of(inbound.id) + 1;
  if (depth > MAX_REPLY_DEPTH) {
    ctx.svc.log(`plivo ${inbound.id}: XML reply not sent: ${MAX_REPLY_DEPTH} replies in a row (a reply loop between two numbers?)`);
    return;
  }
  for (const { attrs, inner } of verbs) {
    if (attrs.type && attrs.type !== 'sms') {
      ctx.svc.log(`plivo ${inbound.id}: XML <Message> refused: type ${attrs.type} is not allowed (Plivo's Message XML sends sms only)`);
      continue;
    }
    const body: Record<string, unknown> = { src: attrs.src ?? '', dst: attrs.dst ?? '', type: attrs.type ?? 'sms', text: unescapeXml(inner).trim() };
    if (attrs.callbackUrl) body.url = attrs.callbackUrl;
    if (attrs.callbackMethod) body.method = attrs.callbackMethod;
    const res = sendFromBody(ctx, body);
    const answerBody = JSON.parse(String(res.body)) as { message_uuid?: string[]; error?: string };
    if (res.status >= 400) ctx.svc.log(`plivo ${inbound.id}: XML <Message> refused: ${answerBody.error ?? res.status}`);
    for (const id of answerBody.message_uuid ?? []) ctx.replyDepth.set(id, depth);
  }
}
