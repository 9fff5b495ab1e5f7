// --wait: delivery receipts come back to a verified status route on the run's local server, and
// the run waits until every accepted message has a final status, the deadline, or Ctrl+C.
// The route is the shared webhook intake (src/webhook/intake.ts): verify → 403 → parse → reply.
import { FINAL_STATUSES, type MessageStatus } from '../../core/types.js';
import { sanitizeForTerminal } from '../../output/sanitize.js';
import type { Credentials, ProviderAdapter } from '../../providers/types.js';
import type { PublicEndpoint } from '../../webhook/endpoint.js';
import { createWebhookIntake } from '../../webhook/intake.js';
import type { SendClock } from './ports.js';
import type { DeliveryInfo, SendEvents } from './types.js';

/** The receipt route of one run. */
export interface ReceiptRoute {
  /** The status callback URL to send with each message. */
  statusUrl: string;
  /** Waits for final statuses of `ids`; returns every id's status ("pending" when none came). */
  waitFor(ids: string[], seconds: number, opts: { signal: AbortSignal; sleep: SendClock['sleep'] }): Promise<Map<string, DeliveryInfo>>;
}

/** Registers the status route: callbacks are verified (403 otherwise), parsed and recorded. */
export function openReceiptRoute(endpoint: PublicEndpoint, adapter: ProviderAdapter, credentials: Credentials, events: SendEvents): ReceiptRoute {
  const delivery = new Map<string, DeliveryInfo>();
  let onStatus: (() => void) | undefined;
  const path = endpoint.server.addWebhookRoute(
    'status',
    createWebhookIntake({
      adapter,
      kind: 'status',
      publicUrl: endpoint.publicUrl,
      credentials: () => credentials,
      onRejected: (r) => events.note?.(`Rejected a status callback with a missing or invalid signature (${sanitizeForTerminal(r.client)}).`),
      onEvents: (evs) => {
        for (const ev of evs) {
          if (ev.type !== 'status') continue;
          delivery.set(ev.id, { status: ev.status, providerStatus: ev.providerStatus, ...(ev.errorCode !== undefined ? { errorCode: ev.errorCode } : {}) });
        }
        onStatus?.();
      },
    }),
  );
  return {
    statusUrl: `${endpoint.publicUrl}${path}`,
    async waitFor(ids, seconds, opts) {
      const pendingIds = (): string[] => ids.filter((id) => !FINAL_STATUSES.has((delivery.get(id)?.status ?? 'queued') as MessageStatus));
      if (ids.length > 0) events.note?.(`Waiting up to ${seconds} s for delivery receipts…`);
      const stop = new AbortController();
      const onAbort = (): void => {
        stop.abort();
      };
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
      onStatus = () => {
        if (pendingIds().length === 0) stop.abort();
      };
      onStatus();
      // The deadline sleep ends early when every receipt is in or on Ctrl+C (both abort `stop`).
      await opts.sleep(seconds * 1000, stop.signal).catch(() => undefined);
      onStatus = undefined;
      stop.abort();
      opts.signal.removeEventListener('abort', onAbort);
      for (const id of pendingIds()) if (!delivery.has(id)) delivery.set(id, { status: 'pending' });
      return delivery;
    },
  };
}
