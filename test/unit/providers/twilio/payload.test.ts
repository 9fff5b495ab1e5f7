import { describe, expect, it } from 'vitest';
import { buildTwilioPayload, messagesPath, twilioAuthHeader } from '../../../../src/providers/twilio/payload.js';
import { mapTwilioStatus, parseTwilioSend, twilioError } from '../../../../src/providers/twilio/response.js';
import { parseRetryAfter } from '../../../../src/providers/shared.js';

describe('buildTwilioPayload', () => {
  it('builds the form body with repeated MediaUrl fields', () => {
    const form = buildTwilioPayload({
      to: '+15551234567',
      from: '+15005550006',
      body: 'Nightly chart',
      mediaUrls: ['https://a.example/1.png', 'https://a.example/2.jpg'],
      statusCallbackUrl: 'https://cb.example/s',
    });
    expect(form.toString()).toBe(
      'To=%2B15551234567&From=%2B15005550006&Body=Nightly+chart&MediaUrl=https%3A%2F%2Fa.example%2F1.png&MediaUrl=https%3A%2F%2Fa.example%2F2.jpg&StatusCallback=https%3A%2F%2Fcb.example%2Fs',
    );
  });

  it('uses MessagingServiceSid for MG… senders and omits an empty body', () => {
    const form = buildTwilioPayload({ to: '+15551234567', from: `MG${'a'.repeat(32)}`, body: '', mediaUrls: ['https://a.example/1.png'] });
    expect(form.get('MessagingServiceSid')).toBe(`MG${'a'.repeat(32)}`);
    expect(form.has('From')).toBe(false);
    expect(form.has('Body')).toBe(false);
  });

  it('encodes the account in the path and builds Basic auth from the token or the API key', () => {
    expect(messagesPath('AC123')).toBe('/2010-04-01/Accounts/AC123/Messages.json');
    expect(twilioAuthHeader({ accountSid: 'AC1', authToken: 'tok' })).toBe(`Basic ${Buffer.from('AC1:tok').toString('base64')}`);
    expect(twilioAuthHeader({ accountSid: 'AC1', authToken: 'tok', apiKey: 'SK1', apiSecret: 'sec' })).toBe(
      `Basic ${Buffer.from('SK1:sec').toString('base64')}`,
    );
  });
});

describe('Twilio responses', () => {
  const res = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers,
    text: typeof body === 'string' ? body : JSON.stringify(body),
  });

  it('parses a 201 into an acceptance', () => {
    expect(parseTwilioSend(res(201, { sid: `MM${'0'.repeat(32)}`, status: 'queued' }))).toEqual({
      id: `MM${'0'.repeat(32)}`,
      status: 'queued',
      providerStatus: 'queued',
    });
  });

  it.each([
    [400, 21211, 'RECIPIENT_INVALID', 6],
    [400, 21212, 'SENDER_INVALID', 6],
    [400, 21606, 'SENDER_REJECTED', 6],
    [400, 21610, 'RECIPIENT_OPTED_OUT', 6],
    [400, 21611, 'RATE_LIMITED', 7],
    [400, 21620, 'MEDIA_REJECTED', 6],
    [401, 20003, 'AUTH_REJECTED', 4],
    [429, 20429, 'RATE_LIMITED', 7],
    [400, 99999, 'PROVIDER_REJECTED', 6],
    [503, 20500, 'PROVIDER_UNAVAILABLE', 7],
  ])('maps HTTP %d / Twilio %d to %s (exit %d), keeping Twilio code and more_info', (status, code, ours, exit) => {
    const err = twilioError(res(status, { code, message: 'boom', more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
    expect(err.code).toBe(ours);
    expect(err.exitCode).toBe(exit);
    expect(err.providerCode).toBe(code);
    expect(err.httpStatus).toBe(status);
    expect(err.moreInfo).toBe(`https://www.twilio.com/docs/errors/${code}`);
    expect(err.message).toBe(`Twilio ${code}: boom`);
  });

  it('copes with a non-JSON error body', () => {
    const err = twilioError(res(502, '<html>Bad gateway</html>'));
    expect(err.code).toBe('PROVIDER_UNAVAILABLE');
    expect(err.message).toContain('HTTP 502');
  });

  it('parses Retry-After in seconds and as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('normalises statuses', () => {
    expect(mapTwilioStatus('read')).toBe('delivered');
    expect(mapTwilioStatus('receiving')).toBe('received');
    expect(mapTwilioStatus('weird')).toBe('unknown');
  });
});
