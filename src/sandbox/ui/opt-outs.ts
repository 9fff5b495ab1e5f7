// The opt-out book as the web phone and GET /_sandbox/opt-outs show it: each pair (a handset that
// sent STOP to a sandbox number, per provider) with the code that provider answers a send with, so
// a refusal at create time (Twilio 21610, Telnyx 40300), which leaves nothing in the thread, shows too.
import { optOutsFor, PROVIDER_CARRIER_CODES, type OptOut } from '../carrier.js';
import type { MessageStore } from '../store.js';

/** The Server-Sent Events type that carries the whole list after a STOP, a START or a clear. */
export const OPT_OUTS_EVENT = 'opt-outs';

/** One opted-out pair with what a send to it gets. */
export interface OptOutEntry extends OptOut {
  /** The provider's code and text for a send to an opted-out handset. */
  code?: string;
  text?: string;
}

// Plivo writes numbers without "+"; the list uses E.164, as the web phone does.
const e164 = (n: string): string => (/^\d+$/.test(n) ? `+${n}` : n);

/** The store's opt-outs, oldest first. */
export function optOutView(store: MessageStore): OptOutEntry[] {
  return optOutsFor(store)
    .list()
    .map((o) => {
      const outcome = PROVIDER_CARRIER_CODES[o.provider]?.optedOut;
      return { ...o, handset: e164(o.handset), sender: e164(o.sender), ...(outcome ? { code: outcome.code, text: outcome.text } : {}) };
    });
}
