import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildInboundRestore, buildInboundUpdate, incomingNumberPath, incomingNumbersLookupPath } from '../../../../src/providers/twilio/payload.js';
import { findIncomingNumber, inboundSettingsOf, messagingServiceOf, parseIncomingNumbers } from '../../../../src/providers/twilio/response.js';
import { ProviderError } from '../../../../src/errors/errors.js';

const fixture = readFileSync(new URL('../../../fixtures/responses/twilio/incoming-phone-numbers.json', import.meta.url), 'utf8');
const AC = `AC${'a'.repeat(32)}`;

describe('IncomingPhoneNumbers paths', () => {
  it('filters the list by PhoneNumber, URL-encoding the +', () => {
    expect(incomingNumbersLookupPath(AC, '+15551234567')).toBe(`/2010-04-01/Accounts/${AC}/IncomingPhoneNumbers.json?PhoneNumber=%2B15551234567`);
    expect(incomingNumberPath(AC, `PN${'b'.repeat(32)}`)).toBe(`/2010-04-01/Accounts/${AC}/IncomingPhoneNumbers/PN${'b'.repeat(32)}.json`);
  });
});

describe('parseIncomingNumbers / findIncomingNumber', () => {
  const list = parseIncomingNumbers({ status: 200, headers: {}, text: fixture });

  it('keeps the entries and picks the exact number (the filter also matches longer numbers)', () => {
    expect(list).toHaveLength(2);
    const n = findIncomingNumber(list, '+15551234567');
    expect(n?.sid).toBe(`PN${'c'.repeat(32)}`);
    expect(findIncomingNumber(list, '+15550000000')).toBeUndefined();
  });

  it('reads the settings to save, nulls as empty strings', () => {
    expect(inboundSettingsOf(findIncomingNumber(list, '+15551234567')!)).toEqual({
      sid: `PN${'c'.repeat(32)}`,
      smsUrl: 'https://example.com/sms?x=1',
      smsMethod: 'GET',
      smsFallbackUrl: 'https://example.com/fallback',
      smsFallbackMethod: 'GET',
      smsApplicationSid: `AP${'d'.repeat(32)}`,
    });
    expect(inboundSettingsOf({ sid: 'PN1', phone_number: '+1', sms_url: null, sms_application_sid: null })).toMatchObject({
      smsUrl: '',
      smsMethod: 'POST',
      smsApplicationSid: '',
    });
  });

  it('detects a Messaging Service (MG… in sms_application_sid) but not a TwiML App', () => {
    expect(messagingServiceOf({ sid: 'PN1', phone_number: '+1', sms_application_sid: `MG${'e'.repeat(32)}` })).toBe(`MG${'e'.repeat(32)}`);
    expect(messagingServiceOf(findIncomingNumber(list, '+15551234567')!)).toBeUndefined();
  });

  it('turns an error answer into a ProviderError and tolerates odd bodies', () => {
    expect(() => parseIncomingNumbers({ status: 401, headers: {}, text: JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }) })).toThrow(
      ProviderError,
    );
    expect(parseIncomingNumbers({ status: 200, headers: {}, text: '{"incoming_phone_numbers":[{"sid":1},null]}' })).toEqual([]);
    expect(parseIncomingNumbers({ status: 200, headers: {}, text: 'not json' })).toEqual([]);
  });
});

describe('buildInboundUpdate / buildInboundRestore', () => {
  const saved = {
    sid: `PN${'c'.repeat(32)}`,
    smsUrl: 'https://example.com/sms?x=1',
    smsMethod: 'GET',
    smsFallbackUrl: 'https://example.com/fallback',
    smsFallbackMethod: 'GET',
    smsApplicationSid: `AP${'d'.repeat(32)}`,
  };

  it('sets SmsUrl and SmsMethod=POST, clearing a TwiML App that would override them', () => {
    expect(buildInboundUpdate(saved, 'https://t.example/p/hooks/twilio/inbound').toString()).toBe(
      'SmsUrl=https%3A%2F%2Ft.example%2Fp%2Fhooks%2Ftwilio%2Finbound&SmsMethod=POST&SmsApplicationSid=',
    );
    expect(buildInboundUpdate({ ...saved, smsApplicationSid: '' }, 'https://t.example/x').has('SmsApplicationSid')).toBe(false);
  });

  it('puts every saved field back', () => {
    expect(Object.fromEntries(buildInboundRestore(saved))).toEqual({
      SmsUrl: 'https://example.com/sms?x=1',
      SmsMethod: 'GET',
      SmsFallbackUrl: 'https://example.com/fallback',
      SmsFallbackMethod: 'GET',
      SmsApplicationSid: `AP${'d'.repeat(32)}`,
    });
    const empty = buildInboundRestore({ ...saved, smsUrl: '', smsMethod: '', smsFallbackUrl: '', smsFallbackMethod: '', smsApplicationSid: '' });
    expect(empty.toString()).toBe('SmsUrl=&SmsMethod=POST&SmsFallbackUrl=&SmsFallbackMethod=POST');
  });
});
