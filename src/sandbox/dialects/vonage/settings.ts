// The Vonage account's settings kept across restarts (persist-settings.ts): its applications (the
// sandbox application's webhooks included: inbound_url, status_url) and each number's application.
import type { DialectSettings } from '../../types.js';
import { listAt, objectAt, optionalStringAt, stringAt } from '../../settings-shape.js';
import type { VonageApp, VonageContext } from './context.js';

function readApp(v: unknown, i: number): VonageApp {
  const what = `apps[${i}]`;
  const o = objectAt(v, what);
  const inboundUrl = optionalStringAt(o, 'inboundUrl', what);
  const statusUrl = optionalStringAt(o, 'statusUrl', what);
  return {
    id: stringAt(o, 'id', what),
    name: stringAt(o, 'name', what),
    publicKey: stringAt(o, 'publicKey', what),
    capabilities: objectAt(o.capabilities, `${what}.capabilities`),
    ...(inboundUrl ? { inboundUrl } : {}),
    ...(statusUrl ? { statusUrl } : {}),
  };
}

/** The applications and number links of `ctx`'s account. */
export function vonageSettings(ctx: VonageContext): DialectSettings {
  return {
    account: () => ctx.apiKey,
    save: () => ({ apps: [...ctx.apps.values()], links: Object.fromEntries([...ctx.links].map(([n, a]) => [n, a ?? null])) }),
    load(saved) {
      const o = objectAt(saved, 'settings');
      const apps = new Map(
        listAt(o.apps, 'apps')
          .map((v, i) => readApp(v, i))
          .map((a) => [a.id, a]),
      );
      const links = objectAt(o.links, 'links');
      // The sandbox application cannot be deleted: a file without it keeps today's.
      const defaultApp = ctx.apps.get(ctx.defaultAppId);
      ctx.apps.clear();
      if (defaultApp && !apps.has(ctx.defaultAppId)) ctx.apps.set(defaultApp.id, defaultApp);
      for (const [id, a] of apps) ctx.apps.set(id, a);
      // Only the sandbox's own numbers, linked to an application that exists (or to none).
      for (const n of ctx.links.keys()) {
        const app = links[n];
        ctx.links.set(n, typeof app === 'string' && ctx.apps.has(app) ? app : undefined);
      }
    },
  };
}
