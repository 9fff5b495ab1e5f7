// An inbound message from a handset (POST /_sandbox/inbound, the web phone), delivered the way the
// round trip delivers one: POSTed signed to the linked application's message_url.
import type { SandboxMessage } from '../../store.js';
import { handsetMessage, injected, type InboundInjection } from '../../types.js';
import type { PlivoContext } from './context.js';
import { receive } from './webhooks.js';

/** Stores and delivers one injected inbound message (Plivo writes numbers without "+"). */
export function injectInbound(ctx: PlivoContext, m: InboundInjection): Promise<SandboxMessage> {
  const out = handsetMessage('plivo', m, (n) => n.replace(/^\+/, ''));
  const now = out.createdAt;
  // receive() reads the message type (sms/mms) from the sender's extras.
  ctx.extras.set(out.id, { type: m.media.length > 0 ? 'mms' : 'sms', method: 'POST', sequence: 0, queuedAt: now });
  try {
    return injected(
      ctx.svc.store.capture(() => receive(ctx, out)),
      'plivo',
    );
  } finally {
    ctx.extras.delete(out.id);
  }
}
