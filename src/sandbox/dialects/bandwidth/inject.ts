// An inbound message from a handset (POST /_sandbox/inbound, the web phone) to a Bandwidth sandbox
// number: the round trip's own receiveInbound (delivery.ts), with the injected files' bytes.
import type { SandboxMessage } from '../../store.js';
import type { InboundInjection } from '../../types.js';
import type { BandwidthContext } from './context.js';
import { receiveInbound } from './delivery.js';

/** Stores and delivers one injected inbound message. */
export async function injectInbound(ctx: BandwidthContext, m: InboundInjection): Promise<SandboxMessage> {
  return receiveInbound(ctx, m.to, m.from, m.body, m.media);
}
