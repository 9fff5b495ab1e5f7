// The sandbox's own API under /_sandbox/: the message record, the webhook log, fault settings and
// the facts a client needs (base URLs, credentials, numbers). JSON only; no provider shapes here.
import { createRouter, route, type Router } from './router.js';
import type { Faults, FaultInjector } from './faults.js';
import type { MessageStore } from './store.js';
import { json } from './types.js';

/** Everything the admin API reads or changes. */
export interface AdminDeps {
  store: MessageStore;
  faults: FaultInjector;
  /** GET /_sandbox/info. */
  info: () => unknown;
}

/** Mount point of the admin API. */
export const ADMIN_PREFIX = '/_sandbox';

/** The admin routes; request paths are below ADMIN_PREFIX (e.g. `/messages`). */
export function createAdminRouter({ store, faults, info }: AdminDeps): Router {
  return createRouter([
    route('GET', '/info', () => json(200, info())),
    route('GET', '/messages', (req) => {
      const provider = req.query.get('provider') ?? undefined;
      const to = req.query.get('to') ?? undefined;
      return json(200, { messages: store.list({ ...(provider ? { provider } : {}), ...(to ? { to } : {}) }) });
    }),
    route('GET', '/webhooks', () => json(200, { webhooks: store.webhooks() })),
    route('DELETE', '/messages', () => {
      store.clear();
      store.clearWebhooks();
      return json(200, { cleared: true });
    }),
    route('GET', '/messages/:id', (_req, p) => {
      const m = store.get(decodeURIComponent(p.id!));
      return m ? json(200, m) : json(404, { error: 'no such message' });
    }),
    route(['PUT', 'POST'], '/faults', (req) => {
      try {
        faults.replace(JSON.parse(req.rawBody.toString('utf8')) as Faults);
        return json(200, faults.faults);
      } catch {
        return json(400, { error: 'body must be JSON' });
      }
    }),
  ]);
}
