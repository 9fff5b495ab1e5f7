// How the Telnyx dialect renders its records (API responses and webhook payloads).
import type { SandboxMessage } from '../../store.js';
import type { TelnyxContext } from './context.js';

/** The Message record as Telnyx renders it (API responses and webhook payloads). */
export function messageJson(ctx: TelnyxContext, m: SandboxMessage): Record<string, unknown> {
  const x = ctx.extras.get(m.id);
  const inbound = m.direction === 'inbound';
  const created = new Date(m.createdAt);
  return {
    record_type: 'message',
    id: m.id,
    direction: m.direction,
    type: x?.type ?? (m.media.length ? 'MMS' : 'SMS'),
    messaging_profile_id: x?.profileId ?? null,
    // The organization the message was sent in (the sandbox makes a new one each start).
    organization_id: m.account || ctx.organizationId,
    from: { phone_number: m.from, carrier: 'Telnyx', line_type: 'Wireless' },
    to: [{ phone_number: m.to, status: m.status, carrier: 'Telnyx', line_type: 'Wireless' }],
    cc: [],
    text: m.body,
    subject: null,
    media: m.media.map((md) => ({
      url: md.url,
      content_type: md.contentType ?? null,
      // Outbound media objects say `sha256`, inbound ones `hash_sha256` (reference §2.5).
      [inbound ? 'hash_sha256' : 'sha256']: md.sha256 ?? null,
      size: md.size ?? null,
    })),
    webhook_url: x?.webhookUrl ?? null,
    webhook_failover_url: x?.webhookFailoverUrl ?? null,
    encoding: 'GSM-7',
    parts: 1,
    tags: [],
    cost: null,
    cost_breakdown: null,
    received_at: m.createdAt,
    sent_at: x?.sentAt ?? null,
    completed_at: x?.completedAt ?? null,
    valid_until: inbound ? null : new Date(created.getTime() + 4 * 3600_000).toISOString(),
    errors: x?.errors ?? [],
    tcr_campaign_id: null,
    tcr_campaign_billable: false,
    tcr_campaign_registered: null,
    // Outbound-only fields: the SDK's inbound payload type (MessagingInboundMessagePayload) has neither.
    ...(inbound ? {} : { wait_seconds: 0, smart_encoding_applied: false }),
  };
}
