// The Twilio account's settings kept across restarts (persist-settings.ts): every IncomingPhoneNumber
// as configured through the API (SID, SmsUrl, SmsMethod, fallbacks, SmsApplicationSid, dates).
import type { DialectSettings } from '../../types.js';
import { listAt, objectAt, stringAt, urlAt } from '../../settings-shape.js';
import type { NumberConfig, TwilioContext } from './context.js';

function readNumber(v: unknown, i: number): NumberConfig {
  const what = `numbers[${i}]`;
  const o = objectAt(v, what);
  const s = (k: string) => stringAt(o, k, what);
  return {
    sid: s('sid'),
    phoneNumber: s('phoneNumber'),
    smsUrl: urlAt(o, 'smsUrl', what),
    smsMethod: s('smsMethod'),
    smsFallbackUrl: urlAt(o, 'smsFallbackUrl', what),
    smsFallbackMethod: s('smsFallbackMethod'),
    smsApplicationSid: s('smsApplicationSid'),
    dateCreated: s('dateCreated'),
    dateUpdated: s('dateUpdated'),
  };
}

/** The numbers' settings of `ctx`'s account. */
export function twilioSettings(ctx: TwilioContext): DialectSettings {
  return {
    account: () => ctx.accountSid,
    save: () => ({ numbers: [...ctx.numbers.values()] }),
    load(saved) {
      const numbers = listAt(objectAt(saved, 'settings').numbers, 'numbers').map(readNumber);
      // Only the sandbox's own numbers: a number this version no longer has is left out.
      for (const n of numbers) if (ctx.numbers.has(n.phoneNumber)) ctx.numbers.set(n.phoneNumber, n);
    },
  };
}
