// Bandwidth callbacks (reference §2.6): a JSON array with one event, POSTed to the application's
// InboundCallbackUrl or OutboundCallbackUrl with that URL's Basic credentials.
import type { SandboxMessage } from '../../store.js';
import type { BandwidthContext, BwApp, MessageMeta } from './context.js';

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
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'BandwidthAPI/v2' };
  if (creds) headers.authorization = `Basic ${Buffer.from(`${creds.user}:${creds.pass}`).toString('base64')}`;
  // "All Message callbacks are sent as a list/array".
  await ctx.svc.deliverWebhook({ url, headers, body: JSON.stringify([event]) }, kind, id);
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
