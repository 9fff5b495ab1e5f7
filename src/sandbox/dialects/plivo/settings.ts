// The Plivo account's settings kept across restarts (persist-settings.ts): its applications (the
// default one included: message_url, methods) and which application each number is linked to.
import type { DialectSettings } from '../../types.js';
import { booleanAt, listAt, objectAt, stringAt, urlAt } from '../../settings-shape.js';
import type { Application, PlivoContext } from './context.js';

function readApp(v: unknown, i: number): Application {
  const what = `apps[${i}]`;
  const o = objectAt(v, what);
  return {
    app_id: stringAt(o, 'app_id', what),
    app_name: stringAt(o, 'app_name', what),
    answer_url: urlAt(o, 'answer_url', what),
    answer_method: stringAt(o, 'answer_method', what),
    message_url: urlAt(o, 'message_url', what),
    message_method: stringAt(o, 'message_method', what),
    default_app: booleanAt(o, 'default_app', what),
  };
}

/** The applications and number links of `ctx`'s account. */
export function plivoSettings(ctx: PlivoContext): DialectSettings {
  return {
    account: () => ctx.authId,
    save: () => ({ started: ctx.started, apps: [...ctx.apps.values()], links: Object.fromEntries(ctx.links) }),
    load(saved) {
      const o = objectAt(saved, 'settings');
      const apps = new Map(
        listAt(o.apps, 'apps')
          .map((v, i) => readApp(v, i))
          .map((a) => [a.app_id, a]),
      );
      const links = objectAt(o.links, 'links');
      const started = stringAt(o, 'started', 'settings');
      ctx.apps.clear();
      for (const [id, a] of apps) ctx.apps.set(id, a);
      // Only the sandbox's own numbers, linked to an application that exists (or to none).
      for (const n of ctx.links.keys()) {
        const app = links[n];
        ctx.links.set(n, typeof app === 'string' && apps.has(app) ? app : null);
      }
      ctx.started = started;
    },
  };
}
