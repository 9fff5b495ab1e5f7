// An inbound message from a handset (POST /_sandbox/inbound, the web phone), delivered the way the
// round trip delivers one: stored with MM/SM SID and ME media, POSTed signed to the number's SmsUrl.
import type { SandboxMessage } from '../../store.js';
import { handsetMessage, injected, type InboundInjection } from '../../types.js';
import type { TwilioContext } from './context.js';
import { deliverInbound } from './webhooks.js';

/** Stores and delivers one injected inbound message. */
export function injectInbound(ctx: TwilioContext, m: InboundInjection): Promise<SandboxMessage> {
  const kept = m.media.map((x) => ({ contentType: x.contentType, bytes: x.bytes, sha256: x.sha256 }));
  return injected(
    ctx.svc.store.capture(() => deliverInbound(ctx, handsetMessage('twilio', m), kept)),
    'twilio',
  );
}
