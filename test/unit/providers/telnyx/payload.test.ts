import { describe, expect, it } from 'vitest';
import { buildTelnyxPayload, telnyxHeaders, TELNYX_MESSAGES_PATH } from '../../../../src/providers/telnyx/payload.js';
import { ErrorCode, MediaError } from '../../../../src/errors/errors.js';

describe('buildTelnyxPayload', () => {
  it('builds an MMS body with media_urls, type MMS and a per-message webhook', () => {
    const body = buildTelnyxPayload({
      to: '+15551234567',
      from: '+15557654321',
      body: 'hello',
      mediaUrls: ['https://example.com/a.jpg', 'https://example.com/b.png'],
      statusCallbackUrl: 'https://example.ngrok.app/telnyx/status',
    });
    expect(body).toEqual({
      to: '+15551234567',
      from: '+15557654321',
      text: 'hello',
      media_urls: ['https://example.com/a.jpg', 'https://example.com/b.png'],
      type: 'MMS',
      webhook_url: 'https://example.ngrok.app/telnyx/status',
    });
    // The wire form is plain JSON with snake_case keys.
    expect(JSON.parse(JSON.stringify(body))).toHaveProperty('media_urls');
  });

  it('omits text, type and media_urls when there is nothing to put in them', () => {
    const body = buildTelnyxPayload({ to: '+15551234567', from: '+15557654321', body: '', mediaUrls: [] });
    expect(body).toEqual({ to: '+15551234567', from: '+15557654321' });
  });

  it('sends from a messaging profile (number pool) when from is a UUID', () => {
    const body = buildTelnyxPayload({ to: '+15551234567', from: '4000EBA1-a0c0-4563-9925-b25e842a7cb6', mediaUrls: ['https://x.test/a.gif'] });
    expect(body.messaging_profile_id).toBe('4000EBA1-a0c0-4563-9925-b25e842a7cb6');
    expect(body.from).toBeUndefined();
  });

  it('does not alias the caller array', () => {
    const urls = ['https://example.com/a.jpg'];
    const body = buildTelnyxPayload({ to: '+15551234567', from: '+15557654321', mediaUrls: urls });
    urls.push('https://example.com/late.jpg');
    expect(body.media_urls).toEqual(['https://example.com/a.jpg']);
  });

  it('refuses uploaded media ids: Telnyx MMS takes public URLs only', () => {
    let caught: unknown;
    try {
      buildTelnyxPayload({ to: '+15551234567', from: '+15557654321', mediaUrls: [], mediaIds: ['abc'] });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MediaError);
    expect((caught as MediaError).code).toBe(ErrorCode.MEDIA_NEEDS_PUBLIC_URL);
    expect((caught as MediaError).exitCode).toBe(5);
  });
});

describe('telnyxHeaders', () => {
  it('uses a Bearer token, and a JSON content type only with a body', () => {
    expect(telnyxHeaders('KEY123')).toEqual({ Authorization: 'Bearer KEY123', Accept: 'application/json' });
    expect(telnyxHeaders('KEY123', true)['Content-Type']).toBe('application/json');
    expect(TELNYX_MESSAGES_PATH).toBe('/v2/messages');
  });
});
