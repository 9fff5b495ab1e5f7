// An inbound message from a handset (POST /_sandbox/inbound, the web phone) to a Bandwidth sandbox
// number: stored, its media kept under the account's media path, and sent as a `message-received`
// callback to the InboundCallbackUrl of the number's application, shaped as the round trip shapes
// it (delivery.ts deliverInbound, which is not exported; keep the two in step).
import type { SandboxMessage } from '../../store.js';
import type { InboundInjection } from '../../types.js';
import { peerOfNumber, type BandwidthContext, type MessageMeta } from './context.js';
import { messageId } from './delivery.js';
import { callback, messageObject } from './webhooks.js';

/** Stores and delivers one injected inbound message. */
export async function injectInbound(ctx: BandwidthContext, m: InboundInjection): Promise<SandboxMessage> {
  const id = messageId();
  const now = new Date().toISOString();
  const urls = m.media.map((x, i) => {
    const ext = x.contentType.split('/')[1]?.replace(/[^a-z0-9]/g, '') || 'bin';
    const mediaId = `${id}/${i}/file.${ext}`;
    ctx.media.set(mediaId, { bytes: x.bytes, contentType: x.contentType });
    return `${ctx.svc.origin()}/bandwidth${ctx.mediaPrefix}${mediaId}`;
  });
  const peer = peerOfNumber(ctx, m.to);
  const app = peer?.appId ? ctx.apps.get(peer.appId) : undefined;
  const mm: MessageMeta = { applicationId: app?.id ?? '', media: urls, to: [m.to] };
  ctx.meta.set(id, mm);
  const stored = ctx.svc.store.add({
    id,
    provider: 'bandwidth',
    account: ctx.accountId,
    direction: 'inbound',
    to: m.to,
    from: m.from,
    body: m.body,
    media: m.media.map((x, i) => ({ url: urls[i]!, status: 'fetched', contentType: x.contentType, size: x.size, sha256: x.sha256 })),
    status: 'RECEIVED',
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'RECEIVED', at: now }],
  });
  const event = {
    type: 'message-received',
    time: now,
    description: 'Incoming message received',
    to: m.to,
    carrierName: 'Sandbox Wireless',
    message: messageObject(stored, mm, 'in'),
  };
  await callback(ctx, app, 'inbound', event, id);
  return stored;
}
