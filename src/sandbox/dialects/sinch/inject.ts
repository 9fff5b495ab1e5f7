// An inbound message from a handset (POST /_sandbox/inbound, the web phone) to a Sinch sandbox
// number: stored as an `mo_media` inbound (media re-hosted at /sinch/mms-media/<id>) and POSTed,
// signed, to the service plan's callback URL, shaped as the round trip shapes it (delivery.ts
// deliverInbound, which is not exported; keep the two in step).
import type { SandboxMessage } from '../../store.js';
import type { InboundInjection } from '../../types.js';
import { digits, ulid, type SinchContext } from './context.js';
import { callback } from './webhooks.js';

/** Stores and delivers one injected inbound message. */
export async function injectInbound(ctx: SinchContext, m: InboundInjection): Promise<SandboxMessage> {
  const id = ulid();
  const now = new Date().toISOString();
  const urls = m.media.map((x) => {
    const key = ulid().toLowerCase();
    ctx.hosted.set(key, { bytes: x.bytes, contentType: x.contentType });
    if (ctx.hosted.size > 500) ctx.hosted.delete(ctx.hosted.keys().next().value!);
    return `${ctx.svc.origin()}/sinch/mms-media/${key}`;
  });
  const payload: Record<string, unknown> = {
    type: 'mo_media',
    id,
    from: digits(m.from),
    to: digits(m.to),
    received_at: now,
    sent_at: now,
    operator_id: '310260',
    body: {
      ...(m.body ? { message: m.body } : {}),
      media: urls.map((url, i) => ({ url, content_type: m.media[i]!.contentType, status: 'Uploaded', code: 0 })),
    },
  };
  ctx.inbounds.set(id, payload);
  const stored = ctx.svc.store.add({
    id,
    provider: 'sinch',
    account: ctx.servicePlanId,
    direction: 'inbound',
    to: m.to,
    from: m.from,
    body: m.body,
    media: m.media.map((x, i) => ({ url: urls[i]!, status: 'fetched', contentType: x.contentType, size: x.size, sha256: x.sha256 })),
    status: 'received',
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'received', at: now }],
  });
  await callback(ctx, ctx.planCallbackUrl, payload, 'inbound', id);
  return stored;
}
