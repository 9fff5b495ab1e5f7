// Carrier realism shared by the dialects: which US carrier a handset is on, what kind of number a
// message comes from, the carriers' MMS size limits, the unregistered 10DLC magic sender, and the
// STOP/START opt-out book. Pure functions plus one small stateful book per store; the dialects
// turn the verdicts into their own provider's codes and bodies (see PROVIDER_CARRIER_CODES).
import type { MessageStore, SandboxMessage } from './store.js';

/** How a message is sent: a 10-digit long code (10DLC), a toll-free number, or a short code. */
export type SenderType = 'long-code' | 'toll-free' | 'short-code';

/** The destination carriers the sandbox pretends handsets are on. */
export type Carrier = 'att' | 'tmobile' | 'verizon';

/** Names for messages and a future UI. */
export const CARRIER_NAMES: Readonly<Record<Carrier, string>> = { att: 'AT&T', tmobile: 'T-Mobile', verizon: 'Verizon' };

// Twilio's published per-carrier MMS attachment limits (long code / toll-free / short code):
// https://help.twilio.com/articles/360018832773 ("Supported File Types and Size Limits for MMS
// Media Messages"): AT&T 1.0/0.6/0.6 MB, T-Mobile 1.5/0.6/1.0 MB, Verizon 1.0/0.6/1.2 MB. Bandwidth
// publishes a coarser list (AT&T 1 MB, Verizon 1.5 MB, T-Mobile 1 MB; toll-free 525 KB in total):
// https://support.bandwidth.com/hc/en-us/articles/360014235473. The sandbox uses Twilio's table for
// every provider (one table, so a test means the same thing on each dialect). Neither page says
// whether "MB" is 10^6 or 2^20 bytes; decimal it is, as `mms send --fit` reads them (smaller, safer).
// Twilio applies the table to non-image types because it transcodes JPEG/PNG/GIF; the sandbox
// transcodes nothing, so it applies the table to all media.
export const CARRIER_LIMITS: Readonly<Record<Carrier, Readonly<Record<SenderType, number>>>> = {
  att: { 'long-code': 1_000_000, 'toll-free': 600_000, 'short-code': 600_000 },
  tmobile: { 'long-code': 1_500_000, 'toll-free': 600_000, 'short-code': 1_000_000 },
  verizon: { 'long-code': 1_000_000, 'toll-free': 600_000, 'short-code': 1_200_000 },
};

// NANP toll-free area codes: https://www.fcc.gov/consumers/guides/what-toll-free-number-and-how-does-it-work
const TOLL_FREE = /^\+?1?(800|833|844|855|866|877|888)\d{7}$/;

/** The kind of number `from` is: 5–6 digits is a short code, +1 8XX toll-free, anything else a long code. */
export function senderType(from: string): SenderType {
  const digits = from.replace(/[^\d]/g, '');
  if (/^\d{5,6}$/.test(digits)) return 'short-code';
  if (TOLL_FREE.test(`+${digits}`)) return 'toll-free';
  return 'long-code';
}

/**
 * The carrier a handset is on, from the last digit of its number (deterministic, so tests can pick
 * one): 0–3 AT&T, 4–6 T-Mobile, 7–9 Verizon.
 */
export function destinationCarrier(to: string): Carrier {
  const last = Number(to.replace(/[^\d]/g, '').slice(-1) || '0');
  if (last <= 3) return 'att';
  if (last <= 6) return 'tmobile';
  return 'verizon';
}

/** A message's media total refused by the destination carrier. */
export interface CarrierSizeRefusal {
  carrier: Carrier;
  senderType: SenderType;
  limitBytes: number;
  totalBytes: number;
  /** One line for logs and error details, e.g. "1500000 bytes of media is over AT&T's 1000000-byte limit for long code MMS". */
  detail: string;
}

/** The refusal when `totalBytes` of media sent `from` → `to` is over the carrier's limit; undefined when it fits. */
export function checkCarrierSize(from: string, to: string, totalBytes: number): CarrierSizeRefusal | undefined {
  const carrier = destinationCarrier(to);
  const type = senderType(from);
  const limitBytes = CARRIER_LIMITS[carrier][type];
  if (totalBytes <= limitBytes) return undefined;
  const detail = `${totalBytes} bytes of media is over ${CARRIER_NAMES[carrier]}'s ${limitBytes}-byte limit for ${type.replace('-', ' ')} MMS`;
  return { carrier, senderType: type, limitBytes, totalBytes, detail };
}

/** The sum of the fetched media sizes of a message. */
export function mediaBytes(m: Pick<SandboxMessage, 'media'>): number {
  return m.media.reduce((n, md) => n + (md.size ?? 0), 0);
}

/**
 * A sandbox-only sender that every dialect accepts as its own but whose messages are blocked
 * after acceptance as coming from an unregistered 10DLC number (Twilio 30034 and equivalents).
 */
export const UNREGISTERED_10DLC_SENDER = '+15557770034';

/** True for the unregistered 10DLC magic sender (in any of the providers' spellings: +1…, 1…). */
export function isUnregisteredSender(from: string): boolean {
  return from.replace(/[^\d]/g, '') === UNREGISTERED_10DLC_SENDER.slice(1);
}

/** How one provider reports one carrier outcome in the sandbox. */
export interface CarrierOutcome {
  /** The provider's code, as it appears on the wire. */
  code: string;
  text: string;
  /** Where it shows: the create request's error answer, or a status callback after acceptance (with this status). */
  when: 'create' | { status: string };
  /** The provider page the code comes from, or "[sandbox choice]" where the provider documents none. */
  source: string;
}

/** One provider's outcomes for the three carrier cases. */
export interface ProviderCarrierCodes {
  tooLarge?: CarrierOutcome;
  optedOut: CarrierOutcome;
  unregistered: CarrierOutcome;
}

const CHOICE = '[sandbox choice]';

/**
 * What each dialect reports (for the README and a future UI; the dialects render their own wire
 * shapes, and their comments carry the reasoning). Telnyx has no `tooLarge`: its own 1 MB total is
 * never above a carrier's long-code limit, so Telnyx refuses first (40009, as before).
 */
export const PROVIDER_CARRIER_CODES: Readonly<Record<string, ProviderCarrierCodes>> = {
  twilio: {
    tooLarge: {
      code: '30019',
      text: 'Content size exceeds carrier limit',
      when: { status: 'undelivered' },
      source: 'https://www.twilio.com/docs/api/errors/30019',
    },
    optedOut: { code: '21610', text: 'Attempt to send to unsubscribed recipient', when: 'create', source: 'https://www.twilio.com/docs/api/errors/21610' },
    unregistered: {
      code: '30034',
      text: 'Message from an Unregistered Number',
      when: { status: 'failed' },
      source: 'https://www.twilio.com/docs/api/errors/30034',
    },
  },
  telnyx: {
    optedOut: {
      code: '40300',
      text: 'Blocked due to STOP message',
      when: 'create',
      source: 'https://developers.telnyx.com/docs/messaging/messages/advanced-opt-in-out',
    },
    unregistered: {
      code: '40010',
      text: 'Not 10DLC registered',
      when: { status: 'sending_failed' },
      source: 'https://developers.telnyx.com/docs/messaging/messages/error-codes',
    },
  },
  plivo: {
    tooLarge: {
      code: '120',
      text: 'MMS message payload too large',
      when: { status: 'failed' },
      source: 'https://support.plivo.com/hc/en-us/articles/360041855032',
    },
    optedOut: {
      code: '200',
      text: 'Destination number has opted out',
      when: { status: 'failed' },
      source: 'https://support.plivo.com/hc/en-us/articles/360041786171',
    },
    unregistered: { code: '40', text: 'Invalid Source Number', when: { status: 'failed' }, source: CHOICE },
  },
  vonage: {
    tooLarge: { code: '1020', text: 'Invalid params', when: { status: 'rejected' }, source: CHOICE },
    optedOut: { code: '1240', text: 'Illegal Number', when: { status: 'rejected' }, source: CHOICE },
    unregistered: { code: '1120', text: 'Illegal Sender Address', when: { status: 'rejected' }, source: CHOICE },
  },
  bandwidth: {
    tooLarge: {
      code: '4711',
      text: 'rejected-message-size-limit-exceeded',
      when: { status: 'FAILED' },
      source: 'https://dev.bandwidth.com/docs/messaging/errors/',
    },
    optedOut: { code: '4775', text: 'user-opted-out', when: { status: 'FAILED' }, source: 'https://dev.bandwidth.com/docs/messaging/errors/' },
    unregistered: { code: '4001', text: 'service-not-allowed', when: { status: 'FAILED' }, source: CHOICE },
  },
  sinch: {
    tooLarge: {
      code: '415',
      text: 'Exceeded MMS size',
      when: { status: 'Rejected' },
      source: 'https://developers.sinch.com/docs/mms/7-service/mms-status-codes',
    },
    optedOut: { code: '408', text: 'The recipient has opted out', when: { status: 'Deleted' }, source: CHOICE },
    unregistered: { code: '60', text: 'Originator blocked', when: { status: 'Rejected' }, source: 'https://developers.sinch.com/docs/sms/smpp/10dlc-errors' },
  },
};

/** STOP-family keywords (Twilio's and Telnyx's default opt-out list; matched on the whole trimmed body, any case). */
export const OPT_OUT_KEYWORDS: readonly string[] = ['STOP', 'STOPALL', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'];
/** Keywords that opt a handset back in (Twilio: START, UNSTOP, YES). */
export const OPT_IN_KEYWORDS: readonly string[] = ['START', 'UNSTOP', 'YES'];

/** What an inbound body does to the sender's subscription, if anything. */
export function classifyKeyword(body: string): 'opt-out' | 'opt-in' | undefined {
  // Carriers match the keyword alone (punctuation and case aside), not a word inside a sentence.
  const word = body
    .trim()
    .replace(/[.!]+$/, '')
    .replace(/\s+/g, ' ')
    .toUpperCase();
  if (OPT_OUT_KEYWORDS.includes(word)) return 'opt-out';
  if (OPT_IN_KEYWORDS.includes(word)) return 'opt-in';
  return undefined;
}

/** One opted-out pair: the handset that sent STOP and the sandbox number it sent it to. */
export interface OptOut {
  provider: string;
  handset: string;
  sender: string;
  /** When the STOP arrived (ISO 8601 UTC). */
  at: string;
}

const digitsOf = (n: string): string => n.replace(/[^\d]/g, '');
const pairKey = (provider: string, handset: string, sender: string): string => `${provider} ${digitsOf(handset)} ${digitsOf(sender)}`;

/**
 * The opt-out state after `messages` (oldest first): a pure fold over the inbound messages, so a UI
 * or a persistence layer can rebuild it from the record. An inbound STOP from H to sandbox number S
 * opts H out of S's messages; START/UNSTOP/YES opts it back in.
 */
export function foldOptOuts(messages: Iterable<Pick<SandboxMessage, 'direction' | 'provider' | 'from' | 'to' | 'body' | 'createdAt'>>): OptOut[] {
  const state = new Map<string, OptOut>();
  for (const m of messages) {
    if (m.direction !== 'inbound') continue;
    const kind = classifyKeyword(m.body);
    if (!kind) continue;
    const key = pairKey(m.provider, m.from, m.to);
    if (kind === 'opt-in') state.delete(key);
    else state.set(key, { provider: m.provider, handset: m.from, sender: m.to, at: m.createdAt });
  }
  return [...state.values()];
}

/** The most opt-out clears kept (an operator's clears from the web phone; the oldest go first). */
const MAX_CLEARS = 1_000;

/** The live opt-out state of one store, kept current through store.subscribe(). */
export class OptOutBook {
  private readonly pairs = new Map<string, OptOut>();
  // Pairs cleared by the operator (DELETE /_sandbox/opt-outs/…), with when: a STOP kept in the record
  // from before the clear must not opt the pair out again when the record is replayed at start-up.
  private readonly clears = new Map<string, OptOut>();

  constructor(store: MessageStore) {
    for (const o of foldOptOuts(store.list())) this.pairs.set(pairKey(o.provider, o.handset, o.sender), o);
    store.subscribe((e) => {
      if (e.type === 'message.created') this.apply(e.message);
    });
  }

  /** Applies one message (only inbound keyword messages change anything). */
  apply(m: SandboxMessage): void {
    for (const o of foldOptOuts([m])) {
      const key = pairKey(o.provider, o.handset, o.sender);
      const cleared = this.clears.get(key);
      if (cleared && o.at <= cleared.at) continue;
      this.pairs.set(key, o);
    }
    if (m.direction === 'inbound' && classifyKeyword(m.body) === 'opt-in') this.pairs.delete(pairKey(m.provider, m.from, m.to));
  }

  /** True when `handset` sent STOP to `sender` (on `provider`'s dialect) and has not sent START since. */
  isOptedOut(provider: string, sender: string, handset: string): boolean {
    return this.pairs.has(pairKey(provider, handset, sender));
  }

  /**
   * Restores opt-outs saved on an earlier run (they outlive the STOP message when retention drops
   * it), then replays `record` (oldest first) over them so a later START still wins.
   */
  restore(saved: readonly OptOut[], record: Iterable<SandboxMessage>, clears: readonly OptOut[] = []): void {
    this.pairs.clear();
    this.clears.clear();
    for (const c of clears.slice(-MAX_CLEARS)) this.clears.set(pairKey(c.provider, c.handset, c.sender), { ...c });
    for (const o of saved) this.pairs.set(pairKey(o.provider, o.handset, o.sender), { ...o });
    for (const m of record) this.apply(m);
  }

  /**
   * The operator's clear of one pair at `at` (ISO 8601 UTC), as if the handset had sent START then,
   * without a message: kept in clearList() so a restart does not bring the pair back from an older STOP.
   */
  remove(provider: string, handset: string, sender: string, at: string): void {
    const key = pairKey(provider, handset, sender);
    this.pairs.delete(key);
    this.clears.delete(key);
    this.clears.set(key, { provider, handset, sender, at });
    if (this.clears.size > MAX_CLEARS) this.clears.delete(this.clears.keys().next().value!);
  }

  /** The operator's clears still remembered (copies, oldest first), for persistence. */
  clearList(): OptOut[] {
    return [...this.clears.values()].map((c) => ({ ...c }));
  }

  /** Forgets every opt-out (for a "clear all" of the record: store.clear() publishes no event). */
  clear(): void {
    this.pairs.clear();
    this.clears.clear();
  }

  /** Every opted-out pair, in the order they opted out (copies). */
  list(): OptOut[] {
    return [...this.pairs.values()].map((o) => ({ ...o }));
  }
}

const books = new WeakMap<MessageStore, OptOutBook>();

/** The opt-out book of `store` (created, and subscribed, on first use; one per store). */
export function optOutsFor(store: MessageStore): OptOutBook {
  let book = books.get(store);
  if (!book) {
    book = new OptOutBook(store);
    books.set(store, book);
  }
  return book;
}
