// Bandwidth callbacks (reference §2.6): a JSON array with one event, POSTed to the application's
// InboundCallbackUrl or OutboundCallbackUrl. Authentication is a challenge (Bandwidth docs,
// "Webhooks → Authentication"): the first POST carries no credentials; only when the receiver
// answers 401 with `WWW-Authenticate: Basic realm=…` is it sent again with the URL's Basic
// credentials. A receiver that does not challenge gets the callback without credentials.
import type { SandboxMessage } from '../../store.js';
import { exchangeWebhook } from '../exchange.js';
import type { BandwidthContext, BwApp, MessageMeta } from './context.js';

/** POSTs a callback the way Bandwidth does: unauthenticated, then with Basic credentials after a Basic challenge. */
async function challenged(
  ctx: BandwidthContext,
  url: string,
  body: string,
  creds: { user: string; pass: string } | undefined,
  kind: 'inbound' | 'status',
  id: string,
): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'BandwidthAPI/v2' };
  const authorization = creds ? `Basic ${Buffer.from(`${creds.user}:${creds.pass}`).toString('base64')}` : undefined;
  const first = await exchangeWebhook(ctx.svc, { url, headers, body }, kind, id);
  const challenge = first?.status === 401 ? (first.headers.get('www-authenticate') ?? '') : '';
  if (!authorization || !/(?:^|,)\s*Basic\b/i.test(challenge)) return;
  await exchangeWebhook(ctx.svc, { url, headers: { ...headers, authorization }, body }, kind, id);
}

/** Sends a callback to the application's URL for `kind` (status events only of requested types). */
export async function callback(
  ctx: BandwidthContext,
  app: BwApp | undefined,
  kind: 'inbound' | 'status',
  event: Record<string, unknown>,
  id: string,
): Promise<void> {
  const url = kind === 'inbound' ? app?.inboundUrl : app?.outboundUrl;
  if (!app || !url) {
    ctx.svc.log(`bandwidth ${id}: no ${kind === 'inbound' ? 'InboundCallbackUrl' : 'OutboundCallbackUrl'} on the application, callback not sent`);
    return;
  }
  if (kind === 'status' && !app.callbackTypes.includes(String(event.type))) return;
  const creds = kind === 'inbound' ? app.inboundCreds : app.outboundCreds;
  // "All Message callbacks are sent as a list/array".
  await challenged(ctx, url, JSON.stringify([event]), creds, kind, id);
}

/** The message object of API responses and callbacks. */
export function messageObject(m: SandboxMessage, mm: MessageMeta, direction: 'in' | 'out'): Record<string, unknown> {
  return {
    id: m.id,
    owner: direction === 'out' ? m.from : m.to,
    applicationId: mm.applicationId,
    time: m.createdAt,
    segmentCount: 1,
    direction,
    to: mm.to,
    from: m.from,
    // Bandwidth does not keep outbound text: status callbacks carry "".
    text: direction === 'out' ? '' : m.body,
    media: mm.media,
    ...(mm.tag !== undefined ? { tag: mm.tag } : {}),
  };
}
