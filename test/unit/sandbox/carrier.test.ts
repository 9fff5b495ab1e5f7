// The sandbox's carrier model (src/sandbox/carrier.ts): the carrier and sender-type rules, the size
// table, the keyword rules and the opt-out fold, as pure functions; then the book following a store.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CARRIER_LIMITS,
  OptOutBook,
  checkCarrierSize,
  classifyKeyword,
  destinationCarrier,
  foldOptOuts,
  isUnregisteredSender,
  optOutsFor,
  senderType,
} from '../../../src/sandbox/carrier.js';
import { MessageStore, type SandboxMessage } from '../../../src/sandbox/store.js';
import { inboundRecord } from '../../../src/sandbox/types.js';

function inbound(from: string, to: string, body: string, provider = 'twilio'): SandboxMessage {
  const at = new Date(0).toISOString();
  return inboundRecord({ id: `IN${Math.random()}`, provider, account: 'a', to, from, body, status: 'received', now: at }, [], []);
}

describe('carrier rules', () => {
  it('maps the last digit of To: 0–3 AT&T, 4–6 T-Mobile, 7–9 Verizon', () => {
    const got = Array.from({ length: 10 }, (_, d) => destinationCarrier(`+1555123000${d}`));
    expect(got).toEqual(['att', 'att', 'att', 'att', 'tmobile', 'tmobile', 'tmobile', 'verizon', 'verizon', 'verizon']);
  });

  it('tells short codes, toll-free and long codes apart', () => {
    expect(senderType('12345')).toBe('short-code');
    expect(senderType('123456')).toBe('short-code');
    for (const p of ['800', '833', '844', '855', '866', '877', '888']) expect(senderType(`+1${p}5550100`)).toBe('toll-free');
    expect(senderType('18885550100')).toBe('toll-free');
    expect(senderType('+18995550100')).toBe('long-code');
    expect(senderType('+15005550006')).toBe('long-code');
  });

  it("uses Twilio's published table and refuses only what is over it", () => {
    expect(CARRIER_LIMITS).toEqual({
      att: { 'long-code': 1_000_000, 'toll-free': 600_000, 'short-code': 600_000 },
      tmobile: { 'long-code': 1_500_000, 'toll-free': 600_000, 'short-code': 1_000_000 },
      verizon: { 'long-code': 1_000_000, 'toll-free': 600_000, 'short-code': 1_200_000 },
    });
    expect(checkCarrierSize('+15005550006', '+15551230002', 1_000_000)).toBeUndefined();
    expect(checkCarrierSize('+15005550006', '+15551230002', 1_000_001)).toMatchObject({ carrier: 'att', senderType: 'long-code', limitBytes: 1_000_000 });
    expect(checkCarrierSize('+15005550006', '+15551230005', 1_400_000)).toBeUndefined();
    expect(checkCarrierSize('+18005550100', '+15551230005', 700_000)?.detail).toBe(
      "700000 bytes of media is over T-Mobile's 600000-byte limit for toll free MMS",
    );
  });

  it('any size fits some route iff it is within the largest limit (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 3_000_000 }), (d, size) => {
        const r = checkCarrierSize('+15005550006', `+1555123000${d}`, size);
        expect(r === undefined).toBe(size <= CARRIER_LIMITS[destinationCarrier(`+1555123000${d}`)]['long-code']);
      }),
    );
  });

  it('knows the unregistered 10DLC magic sender in every spelling', () => {
    expect(isUnregisteredSender('+15557770034')).toBe(true);
    expect(isUnregisteredSender('15557770034')).toBe(true);
    expect(isUnregisteredSender('+15557770033')).toBe(false);
  });
});

describe('opt-out keywords and state', () => {
  it('classifies whole-body keywords only, in any case', () => {
    for (const k of ['STOP', 'stop', ' Stop. ', 'STOPALL', 'stop all', 'UNSUBSCRIBE', 'cancel', 'END', 'quit']) expect(classifyKeyword(k)).toBe('opt-out');
    for (const k of ['START', 'unstop', 'Yes']) expect(classifyKeyword(k)).toBe('opt-in');
    for (const k of ['please stop', 'STOPPED', '', 'yes please']) expect(classifyKeyword(k)).toBeUndefined();
  });

  it('folds STOP and START per (provider, handset, sandbox number)', () => {
    const h = '+15551230002';
    const state = foldOptOuts([
      inbound(h, '+15557770001', 'STOP'),
      inbound(h, '+15557770002', 'STOP'),
      inbound(h, '+15557770002', 'START'),
      inbound(h, '+15557770041', 'quit', 'bandwidth'),
      { ...inbound('+15557770001', h, 'STOP'), direction: 'outbound' },
    ]);
    expect(state.map((o) => [o.provider, o.handset, o.sender])).toEqual([
      ['twilio', h, '+15557770001'],
      ['bandwidth', h, '+15557770041'],
    ]);
  });

  it('the book follows the store, including what was there before it', () => {
    const store = new MessageStore();
    store.add(inbound('+15551230002', '+15557770001', 'STOP'));
    const book = new OptOutBook(store);
    expect(book.isOptedOut('twilio', '+15557770001', '+15551230002')).toBe(true);
    expect(book.isOptedOut('telnyx', '+15557770001', '+15551230002')).toBe(false);
    store.add(inbound('+15551230002', '+15557770001', 'START'));
    expect(book.isOptedOut('twilio', '+15557770001', '+15551230002')).toBe(false);
    store.add(inbound('15551230003', '15557770001', 'UNSUBSCRIBE'));
    expect(book.isOptedOut('twilio', '+15557770001', '+15551230003')).toBe(true);
    expect(book.list()).toHaveLength(1);
    expect(optOutsFor(store)).toBe(optOutsFor(store));
  });
});

describe('the provider code table', () => {
  it('names a code for every provider and case, with a source or the sandbox-choice mark', async () => {
    const { PROVIDER_CARRIER_CODES } = await import('../../../src/sandbox/carrier.js');
    expect(Object.keys(PROVIDER_CARRIER_CODES).sort()).toEqual(['bandwidth', 'plivo', 'sinch', 'telnyx', 'twilio', 'vonage']);
    for (const codes of Object.values(PROVIDER_CARRIER_CODES)) {
      for (const o of [codes.optedOut, codes.unregistered, ...(codes.tooLarge ? [codes.tooLarge] : [])]) {
        expect(o.code).toMatch(/^\d+$/);
        expect(o.source).toMatch(/^https:\/\/|^\[sandbox choice\]$/);
      }
    }
    expect(PROVIDER_CARRIER_CODES.twilio!.optedOut).toMatchObject({ code: '21610', when: 'create' });
  });

  it('clear() forgets every opt-out', () => {
    const store = new MessageStore();
    const book = new OptOutBook(store);
    store.add(inbound('+15551230002', '+15557770001', 'STOP'));
    book.clear();
    expect(book.list()).toEqual([]);
  });
});
