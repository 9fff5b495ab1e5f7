// Webhook delivery shared by the dialects: each dialect builds and signs its provider's request,
// this module POSTs it and records the attempt in the store (which publishes it).
import { isLoopbackHost } from './media-fetch.js';
import type { MessageStore } from './store.js';
import type { OutgoingWebhook } from './types.js';

export type DeliverWebhook = (hook: OutgoingWebhook, kind: 'inbound' | 'status', messageId: string) => Promise<void>;

/**
 * Creates the delivery function: loopback URLs only unless `allowRemote` (--fetch-remote-media),
 * no redirects, a 15 s limit. It never throws: failures are recorded and logged.
 */
export function createWebhookDelivery(opts: { store: MessageStore; allowRemote: boolean; log: (line: string) => void }): DeliverWebhook {
  const { store, log } = opts;
  return async (hook, kind, messageId) => {
    const attempt = store.startWebhook({ kind, messageId, url: hook.url });
    try {
      const u = new URL(hook.url);
      if (!opts.allowRemote && !isLoopbackHost(u.hostname)) {
        const error = 'not delivered: the sandbox only calls loopback URLs unless started with --fetch-remote-media';
        store.finishWebhook(attempt, { error });
        log(`webhook ${kind} ${messageId}: ${error}`);
        return;
      }
      const body = typeof hook.body === 'string' ? hook.body : new Uint8Array(hook.body);
      const res = await fetch(u, { method: 'POST', headers: hook.headers, body, signal: AbortSignal.timeout(15_000), redirect: 'manual' });
      store.finishWebhook(attempt, { status: res.status });
      await res.body?.cancel().catch(() => undefined);
    } catch (err) {
      store.finishWebhook(attempt, { error: (err as Error).message });
    }
    log(`webhook ${kind} ${messageId} → ${hook.url}: ${attempt.status ?? attempt.error}`);
  };
}
