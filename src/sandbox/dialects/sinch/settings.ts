// The Sinch service plan's settings kept across restarts (persist-settings.ts): its callback URL.
import type { DialectSettings } from '../../types.js';
import { nullableStringAt, objectAt, SettingsShapeError } from '../../settings-shape.js';
import type { SinchContext } from './context.js';

/** The callback URL of `ctx`'s service plan. */
export function sinchSettings(ctx: SinchContext): DialectSettings {
  return {
    account: () => ctx.servicePlanId,
    save: () => ({ callbackUrl: ctx.planCallbackUrl ?? null }),
    load(saved) {
      const url = nullableStringAt(objectAt(saved, 'settings'), 'callbackUrl', 'settings');
      if (url !== null && !/^https?:\/\/\S+$/i.test(url)) throw new SettingsShapeError('settings.callbackUrl is not an http(s) URL');
      ctx.planCallbackUrl = url ?? undefined;
    },
  };
}
