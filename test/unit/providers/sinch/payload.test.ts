import { describe, expect, it } from 'vitest';
import { ErrorCode, InputError } from '../../../../src/errors/errors.js';
import { batchesPath, buildSinchPayload, sinchBaseUrl } from '../../../../src/providers/sinch/payload.js';

const base = { to: '+15552223333', from: '+15554443333' };

describe('buildSinchPayload', () => {
  it('sends one media item as mt_media with the text as body.message', () => {
    expect(buildSinchPayload({ ...base, body: 'Hello', mediaUrls: ['https://example.com/cat.jpg'] })).toEqual({
      type: 'mt_media',
      to: ['+15552223333'],
      from: '+15554443333',
      body: { url: 'https://example.com/cat.jpg', message: 'Hello' },
    });
  });
  it('asks for per-recipient delivery reports at the status callback URL', () => {
    expect(buildSinchPayload({ ...base, mediaUrls: ['https://example.com/cat.jpg'], statusCallbackUrl: 'https://t.test/sinch' })).toEqual({
      type: 'mt_media',
      to: ['+15552223333'],
      from: '+15554443333',
      body: { url: 'https://example.com/cat.jpg' },
      callback_url: 'https://t.test/sinch',
      delivery_report: 'per_recipient',
    });
  });
  it('sends text without media as a plain text batch (Sinch rejects text-only mt_media)', () => {
    const p = buildSinchPayload({ ...base, body: 'just text', mediaUrls: [] });
    expect(p).toEqual({ to: ['+15552223333'], from: '+15554443333', body: 'just text' });
    expect('type' in p).toBe(false);
  });
  it('refuses more than one media item', () => {
    let caught: unknown;
    try {
      buildSinchPayload({ ...base, mediaUrls: ['https://e.test/a.jpg', 'https://e.test/b.jpg'] });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).code).toBe(ErrorCode.MEDIA_TOO_MANY);
  });
});

describe('sinchBaseUrl', () => {
  it('picks the region host only when the base URL is the default', () => {
    expect(sinchBaseUrl('https://us.sms.api.sinch.com', undefined)).toBe('https://us.sms.api.sinch.com');
    expect(sinchBaseUrl('https://us.sms.api.sinch.com', 'EU')).toBe('https://eu.sms.api.sinch.com');
    expect(sinchBaseUrl('https://us.sms.api.sinch.com', 'us')).toBe('https://us.sms.api.sinch.com');
    expect(sinchBaseUrl('http://127.0.0.1:4010', 'eu')).toBe('http://127.0.0.1:4010');
  });
  it('builds the batches path', () => {
    expect(batchesPath('abc123')).toBe('/xms/v1/abc123/batches');
  });
});
