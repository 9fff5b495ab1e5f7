// An inbound message from a handset (POST /_sandbox/inbound, the web phone), delivered the way the
// round trip delivers one: a signed message.received webhook to the number's messaging profile.
import type { SandboxMessage } from '../../store.js';
import { handsetMessage, injected, type InboundInjection } from '../../types.js';
import type { TelnyxContext } from './context.js';
import { receive } from './webhooks.js';

/** Stores and delivers one injected inbound message (media URLs point at the sandbox's copies). */
export function injectInbound(ctx: TelnyxContext, m: InboundInjection): Promise<SandboxMessage> {
  return injected(
    ctx.svc.store.capture(() => receive(ctx, handsetMessage('telnyx', m))),
    'telnyx',
  );
}
