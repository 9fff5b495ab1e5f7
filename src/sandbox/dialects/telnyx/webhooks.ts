// Telnyx webhooks (reference §2.6–2.7): event envelopes signed with Ed25519, status events to the
// message's webhook_url or its profile's, and message.received to the receiving number's profile.
import { randomUUID } from 'node:crypto';
import type { SandboxMessage } from '../../store.js';
import { numberByPhone, type TelnyxContext, type TelnyxError } from './context.js';
import { messageJson } from './render.js';
import { signTelnyxWebhook } from './signature.js';

/** POSTs one signed event envelope. */
async function deliver(ctx: TelnyxContext, url: string, eventType: string, m: SandboxMessage, kind: 'inbound' | 'status'): Promise<void> {
  const body = JSON.stringify({
    data: { event_type: eventType, id: randomUUID(), occurred_at: new Date().toISOString(), record_type: 'event', payload: messageJson(ctx, m) },
    meta: { attempt: 1, delivered_to: url },
  });
  await ctx.svc.deliverWebhook({ url, headers: signTelnyxWebhook(ctx.privateKey, body), body }, kind, m.id);
}

/** Message webhook_url first; the profile's when use_profile_webhooks (default true). */
function statusTarget(ctx: TelnyxContext, m: SandboxMessage): string | undefined {
  const x = ctx.extras.get(m.id);
  if (x?.webhookUrl) return x.webhookUrl;
  if (x?.useProfileWebhooks === false || !x?.profileId) return undefined;
  return ctx.profiles.get(x.profileId)?.webhook_url ?? undefined;
}

/** Records a status and, for a message.sent/message.finalized step, sends the event. */
export async function setStatus(
  ctx: TelnyxContext,
  m: SandboxMessage,
  status: string,
  event?: 'message.sent' | 'message.finalized',
  error?: TelnyxError,
): Promise<void> {
  const x = ctx.extras.get(m.id);
  const now = new Date().toISOString();
  if (x && status === 'sent') x.sentAt = now;
  if (x && event === 'message.finalized') x.completedAt = now;
  if (x && error) x.errors = [error];
  ctx.svc.store.setStatus(m.id, status, error ? { errorCode: error.code, errorMessage: error.title } : {});
  const target = event ? statusTarget(ctx, m) : undefined;
  if (event && target) await deliver(ctx, target, event, m, 'status');
}

/** A message to one of our numbers arrives as inbound on the number's profile webhook. */
export async function receive(ctx: TelnyxContext, out: SandboxMessage): Promise<void> {
  const num = numberByPhone(ctx, out.to);
  const profile = num?.messaging_profile_id ? ctx.profiles.get(num.messaging_profile_id) : undefined;
  const now = new Date().toISOString();
  const inbound = ctx.svc.store.add({
    id: randomUUID(),
    provider: 'telnyx',
    account: ctx.organizationId,
    direction: 'inbound',
    to: out.to,
    from: out.from,
    body: out.body,
    // Real Telnyx re-hosts inbound media on short-lived URLs; the sandbox passes the fetched
    // originals along (they are loopback URLs it has just read).
    media: out.media.map((md) => ({ ...md })),
    status: 'webhook_delivered',
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'webhook_delivered', at: now }],
  });
  ctx.extras.set(inbound.id, {
    type: out.media.length ? 'MMS' : 'SMS',
    profileId: profile?.id ?? null,
    webhookUrl: null,
    webhookFailoverUrl: null,
    useProfileWebhooks: true,
    errors: [],
  });
  if (!profile?.webhook_url) {
    ctx.svc.log(`telnyx inbound ${inbound.id} → ${out.to}: the number's messaging profile has no webhook_url; not delivered`);
    return;
  }
  // Telnyx acts on nothing in the answer (no reply markup for messaging): replies go through the API.
  await deliver(ctx, profile.webhook_url, 'message.received', inbound, 'inbound');
}
