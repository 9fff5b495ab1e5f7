import { describe, expect, it } from 'vitest';
import { bandwidthMediaId, bandwidthMediaUrl, buildBandwidthPayload, mediaPath, messagesPath } from '../../../../src/providers/bandwidth/payload.js';

const ctx = { applicationId: '93de2206-9669-4e07-948d-329f4b722ee2', accountId: '9900000', baseUrl: 'https://messaging.bandwidth.com' };

describe('buildBandwidthPayload', () => {
  it('keeps E.164 with +, sends `to` as a one-element array, media URLs as given', () => {
    expect(
      buildBandwidthPayload(
        { to: '+15552223333', from: '+15554443333', body: 'Hello', mediaUrls: ['https://example.com/cat.jpg'], statusCallbackUrl: 'https://ignored.test' },
        ctx,
      ),
    ).toEqual({
      applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
      to: ['+15552223333'],
      from: '+15554443333',
      text: 'Hello',
      media: ['https://example.com/cat.jpg'],
    });
  });

  it('turns uploaded media ids into media resource URLs on the same base URL', () => {
    const p = buildBandwidthPayload(
      { to: '+15552223333', from: '+15554443333', mediaUrls: [], mediaIds: ['abc-cat.jpg'] },
      { ...ctx, baseUrl: 'http://127.0.0.1:4010' },
    );
    expect(p.media).toEqual(['http://127.0.0.1:4010/api/v2/users/9900000/media/abc-cat.jpg']);
    expect(p.text).toBeUndefined();
  });

  it('omits empty text and media', () => {
    expect(buildBandwidthPayload({ to: '+15552223333', from: '+15554443333', body: '', mediaUrls: [] }, ctx)).toEqual({
      applicationId: ctx.applicationId,
      to: ['+15552223333'],
      from: '+15554443333',
    });
  });
});

describe('paths and media names', () => {
  it('builds v2 paths', () => {
    expect(messagesPath('9900000')).toBe('/api/v2/users/9900000/messages');
    expect(mediaPath('9900000', 'a b')).toBe('/api/v2/users/9900000/media/a%20b');
    expect(bandwidthMediaUrl('https://messaging.bandwidth.com', '1', 'x.png')).toBe('https://messaging.bandwidth.com/api/v2/users/1/media/x.png');
  });
  it('makes URL-safe unique media names', () => {
    expect(bandwidthMediaId('my photo (1).JPG', 'u1')).toBe('u1-my_photo_1_.JPG');
    expect(bandwidthMediaId('../../etc/passwd', 'u2')).toBe('u2-etc_passwd');
    expect(bandwidthMediaId('', 'u3')).toBe('u3-media');
  });
});
