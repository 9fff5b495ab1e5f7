// An inbound message from a handset (POST /_sandbox/inbound, the web phone) to a Vonage sandbox
// number: stored, its media re-hosted at /vonage/v3/media/<uuid>, and POSTed with the Bearer JWT to
// the inbound_url of the application linked to the number, shaped as the round trip shapes it
// (delivery.ts deliverInbound, which is not exported; keep the two in step).
import { randomUUID } from 'node:crypto';
import type { SandboxMessage } from '../../store.js';
import type { InboundInjection } from '../../types.js';
import { digits, type VonageContext } from './context.js';
import { post } from './webhooks.js';

/** Vonage's message_type for a content type. */
function kindOf(contentType: string): string {
  if (contentType === 'text/vcard' || contentType === 'text/x-vcard') return 'vcard';
  const top = contentType.split('/')[0]!;
  return ['image', 'audio', 'video'].includes(top) ? top : 'file';
}

/** Stores and delivers one injected inbound message. */
export async function injectInbound(ctx: VonageContext, m: InboundInjection): Promise<SandboxMessage> {
  const now = new Date().toISOString();
  const id = randomUUID();
  const urls = m.media.map((x) => {
    const mid = randomUUID();
    ctx.hosted.set(mid, { bytes: x.bytes, contentType: x.contentType });
    if (ctx.hosted.size > 500) ctx.hosted.delete(ctx.hosted.keys().next().value!);
    return `${ctx.svc.origin()}/vonage/v3/media/${mid}`;
  });
  const stored = ctx.svc.store.add({
    id,
    provider: 'vonage',
    account: ctx.apiKey,
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
  const payload: Record<string, unknown> = { channel: 'mms', message_uuid: id, to: digits(m.to), from: digits(m.from), timestamp: now };
  const kinds = m.media.map((x) => kindOf(x.contentType));
  if (urls.length === 0) Object.assign(payload, { message_type: 'text', text: m.body });
  else {
    const kind = kinds[0]!;
    payload.message_type = kind;
    payload[kind] = kind === 'vcard' || !m.body ? { url: urls[0] } : { url: urls[0], caption: m.body };
    if (urls.length > 1) payload.content = urls.map((url, i) => ({ type: kinds[i], url }));
  }
  payload.origin = { network_code: '310260' };
  const linked = ctx.links.get(digits(m.to));
  await post(ctx, linked ? ctx.apps.get(linked)?.inboundUrl : undefined, payload, linked, 'inbound', id);
  return stored;
}
