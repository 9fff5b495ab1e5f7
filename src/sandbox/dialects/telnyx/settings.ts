// The Telnyx account's settings kept across restarts (persist-settings.ts): its messaging profiles
// (webhook URLs and the rest, the default one included), which profile each number is on (and the
// numbers' ids), and the organization id the profiles show.
import type { DialectSettings } from '../../types.js';
import { booleanAt, listAt, nullableStringAt, objectAt, stringAt, stringsAt } from '../../settings-shape.js';
import { SettingsShapeError } from '../../settings-shape.js';
import type { NumberSettings, Profile, TelnyxContext } from './context.js';

function webhookAt(o: Record<string, unknown>, key: string, what: string): string | null {
  const v = nullableStringAt(o, key, what);
  if (v !== null && !/^https?:\/\/\S+$/i.test(v)) throw new SettingsShapeError(`${what}.${key} is not an http(s) URL`);
  return v;
}

function readProfile(v: unknown, i: number): Profile {
  const what = `profiles[${i}]`;
  const o = objectAt(v, what);
  const s = (k: string) => stringAt(o, k, what);
  return {
    id: s('id'),
    name: s('name'),
    enabled: booleanAt(o, 'enabled', what),
    webhook_url: webhookAt(o, 'webhook_url', what),
    webhook_failover_url: webhookAt(o, 'webhook_failover_url', what),
    webhook_api_version: s('webhook_api_version'),
    whitelisted_destinations: stringsAt(o, 'whitelisted_destinations', what),
    mms_transcoding: booleanAt(o, 'mms_transcoding', what),
    mms_fall_back_to_sms: booleanAt(o, 'mms_fall_back_to_sms', what),
    v1_secret: s('v1_secret'),
    created_at: s('created_at'),
    updated_at: s('updated_at'),
  };
}

function readNumber(v: unknown, i: number): NumberSettings {
  const what = `numbers[${i}]`;
  const o = objectAt(v, what);
  const s = (k: string) => stringAt(o, k, what);
  return {
    id: s('id'),
    phone_number: s('phone_number'),
    messaging_profile_id: nullableStringAt(o, 'messaging_profile_id', what),
    created_at: s('created_at'),
    updated_at: s('updated_at'),
  };
}

/** The profiles and number assignments of `ctx`'s account. */
export function telnyxSettings(ctx: TelnyxContext): DialectSettings {
  return {
    account: () => ctx.apiKey,
    save: () => ({ organizationId: ctx.organizationId, profiles: [...ctx.profiles.values()], numbers: [...ctx.numbers.values()] }),
    load(saved) {
      const o = objectAt(saved, 'settings');
      const organizationId = stringAt(o, 'organizationId', 'settings');
      const profiles = new Map(
        listAt(o.profiles, 'profiles')
          .map((v, i) => readProfile(v, i))
          .map((p) => [p.id, p]),
      );
      const numbers = listAt(o.numbers, 'numbers').map((v, i) => readNumber(v, i));
      ctx.organizationId = organizationId;
      ctx.profiles.clear();
      for (const [id, p] of profiles) ctx.profiles.set(id, p);
      // Only the sandbox's own numbers (keeping their saved ids), on a profile that exists (or none).
      const own = new Map([...ctx.numbers.values()].map((n) => [n.phone_number, n.id]));
      for (const n of numbers) {
        const oldId = own.get(n.phone_number);
        if (oldId === undefined) continue;
        ctx.numbers.delete(oldId);
        ctx.numbers.set(n.id, { ...n, messaging_profile_id: n.messaging_profile_id && profiles.has(n.messaging_profile_id) ? n.messaging_profile_id : null });
      }
    },
  };
}
