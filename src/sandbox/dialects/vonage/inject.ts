// An inbound message from a handset (POST /_sandbox/inbound, the web phone) to a Vonage sandbox
// number: the round trip's own receiveInbound (delivery.ts), with the injected files' bytes and
// message types read from their content types.
import type { SandboxMessage } from '../../store.js';
import type { InboundInjection } from '../../types.js';
import type { VonageContext } from './context.js';
import { receiveInbound } from './delivery.js';

/** Vonage's message_type for a content type. */
function kindOf(contentType: string): string {
  if (contentType === 'text/vcard' || contentType === 'text/x-vcard') return 'vcard';
  const top = contentType.split('/')[0]!;
  return ['image', 'audio', 'video'].includes(top) ? top : 'file';
}

/** Stores and delivers one injected inbound message. */
export async function injectInbound(ctx: VonageContext, m: InboundInjection): Promise<SandboxMessage> {
  return receiveInbound(
    ctx,
    m.to,
    m.from,
    m.body,
    m.media,
    m.media.map((x) => kindOf(x.contentType)),
  );
}
