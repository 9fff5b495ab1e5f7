// TwiML replies (Twilio's "Messaging TwiML"): the answer of an app's SmsUrl to an inbound message
// may be `<Response><Message to=… from=… action=…>text<Media>url</Media></Message></Response>`
// (or `<Message><Body>text</Body><Media>url</Media></Message>`), and Twilio then sends each
// <Message>: from the number that received the inbound message to its sender unless `from`/`to`
// say otherwise, with `action` as its status callback, through the usual lifecycle. Only
// <Message> is acted on; <Redirect> and unknown verbs are ignored (logged).
import type { SandboxMessage } from '../../store.js';
import type { WebhookAnswer } from '../exchange.js';
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

/** Replies chained from one inbound message beyond this are dropped (two numbers answering each other). */
const MAX_REPLY_DEPTH = 5;
/** Reply depths remembered (the oldest are forgotten). */
const DEPTH_ENTRIES = 10_000;

function unescapeXml(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, c: string) => c.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'))
    .replace(/&#x([0-9a-f]{1,6});/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d{1,7});/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function attributes(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of raw.matchAll(/([A-Za-z]\w*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out[m[1]!] = unescapeXml(m[2] ?? m[3] ?? '');
  return out;
}

/** The texts of every <name> element inside `xml`. */
function elements(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}\\s*>`, 'g'))].map((m) => unescapeXml(m[1]!).trim());
}

/** The <Message> verbs of a TwiML document (none when it is not TwiML). */
export function parseTwimlMessages(doc: string): TwimlMessage[] {
  const xml = doc.replace(/<!--[\s\S]*?-->/g, '');
  if (!/<Response(?:\s[^>]*)?>/.test(xml)) return [];
  const out: TwimlMessage[] = [];
  for (const m of xml.matchAll(/<Message(\s[^>]*)?(?:\/>|>([\s\S]*?)<\/Message\s*>)/g)) {
    const attrs = attributes(m[1] ?? '');
    const inner = m[2] ?? '';
    const bodies = elements(inner, 'Body');
    const media = elements(inner, 'Media').filter((u) => u !== '');
    const text = bodies.length > 0 ? bodies.join('') : unescapeXml(inner.replace(/<Media(?:\s[^>]*)?>[\s\S]*?<\/Media\s*>/g, '')).trim();
    out.push({
      body: text,
      media,
      ...(attrs.to ? { to: attrs.to } : {}),
      ...(attrs.from ? { from: attrs.from } : {}),
      ...(attrs.action ? { action: attrs.action } : {}),
    });
  }
  return out;
}

/** How many replies led to `sid` (0 for a message sent through the API). */
function depthOf(ctx: TwilioContext, sid: string): number {
  return ctx.replyDepth.get(sid) ?? 0;
}

function remember(ctx: TwilioContext, sid: string, depth: number): void {
  ctx.replyDepth.set(sid, depth);
  if (ctx.replyDepth.size > DEPTH_ENTRIES) ctx.replyDepth.delete(ctx.replyDepth.keys().next().value!);
}

/** Marks the inbound copy of an outbound message with the outbound's reply depth. */
export function inheritDepth(ctx: TwilioContext, outboundSid: string, inboundSid: string): void {
  const d = depthOf(ctx, outboundSid);
  if (d > 0) remember(ctx, inboundSid, d);
}

/** Acts on the app's answer to inbound message `inbound`: each TwiML <Message> is sent as Twilio sends it. */
export function actOnReply(ctx: TwilioContext, inbound: SandboxMessage, answer: WebhookAnswer | undefined): void {
  if (!answer || answer.status < 200 || answer.status > 299) return;
  const verbs = parseTwimlMessages(answer.body);
  if (verbs.length === 0) return;
  const depth = depthOf(ctx, inbound.id) + 1;
  if (depth > MAX_REPLY_DEPTH) {
    ctx.svc.log(`twilio ${inbound.id}: TwiML reply not sent: ${MAX_REPLY_DEPTH} replies in a row (a reply loop between two numbers?)`);
    return;
  }
  for (const v of verbs) {
    const form = new URLSearchParams({ To: v.to ?? inbound.from, From: v.from ?? inbound.to, Body: v.body });
    for (const u of v.media) form.append('MediaUrl', u);
    if (v.action) form.set('StatusCallback', v.action);
    const r = sendFromForm(ctx, form);
    if ('id' in r) remember(ctx, r.id, depth);
    else ctx.svc.log(`twilio ${inbound.id}: TwiML <Message> refused: ${typeof r.body === 'string' ? r.body : r.status}`);
  }
}
