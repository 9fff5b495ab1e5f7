import { describe, expect, it } from 'vitest';
import {
  buildMultipartBody,
  buildPlivoPayload,
  fromPlivoNumber,
  plivoAuthHeader,
  plivoMediaPath,
  plivoMessagePath,
  toPlivoNumber,
} from '../../../../src/providers/plivo/payload.js';

describe('Plivo number format', () => {
  it('writes numbers as bare digits with the country code', () => {
    expect(toPlivoNumber('+15551234567')).toBe('15551234567');
    expect(toPlivoNumber('+1 (555) 123-4567')).toBe('15551234567');
    expect(toPlivoNumber('44 7700.900/123')).toBe('447700900123');
  });

  it('leaves alphanumeric sender ids alone', () => {
    expect(toPlivoNumber('ACME')).toBe('ACME');
  });

  it('turns long digit strings back into E.164, but not short codes', () => {
    expect(fromPlivoNumber('15551234567')).toBe('+15551234567');
    expect(fromPlivoNumber('12345')).toBe('12345');
    expect(fromPlivoNumber('ACME')).toBe('ACME');
  });
});

describe('buildPlivoPayload', () => {
  it('builds an MMS body: digits without +, lower-case type, media_urls array, callback', () => {
    expect(
      buildPlivoPayload({
        to: '+15551234567',
        from: '+15557654321',
        body: 'hello',
        mediaUrls: ['https://example.com/a.jpg'],
        statusCallbackUrl: 'https://example.ngrok.app/plivo/status',
      }),
    ).toEqual({
      src: '15557654321',
      dst: '15551234567',
      text: 'hello',
      type: 'mms',
      media_urls: ['https://example.com/a.jpg'],
      url: 'https://example.ngrok.app/plivo/status',
      method: 'POST',
    });
  });

  it('sends uploaded media as media_ids', () => {
    const body = buildPlivoPayload({ to: '+15551234567', from: '+15557654321', mediaUrls: [], mediaIds: ['0178eb8a-461a-4fd1-bc37-13eebfdc0676'] });
    expect(body.type).toBe('mms');
    expect(body.media_ids).toEqual(['0178eb8a-461a-4fd1-bc37-13eebfdc0676']);
    expect(body.media_urls).toBeUndefined();
    expect(body.text).toBeUndefined();
  });

  it('uses type sms and no media keys for a text-only message', () => {
    expect(buildPlivoPayload({ to: '+15551234567', from: '+15557654321', body: 'hi', mediaUrls: [] })).toEqual({
      src: '15557654321',
      dst: '15551234567',
      text: 'hi',
      type: 'sms',
    });
  });

  it('sends from a Powerpack when from is a UUID', () => {
    const body = buildPlivoPayload({ to: '+15551234567', from: 'a7f5c2c4-2d0b-4d6b-9b1e-2f0b8c1d3e4f', mediaUrls: ['https://x.test/a.gif'] });
    expect(body.powerpack_uuid).toBe('a7f5c2c4-2d0b-4d6b-9b1e-2f0b8c1d3e4f');
    expect(body.src).toBeUndefined();
  });
});

describe('paths and auth', () => {
  it('keeps the trailing slash Plivo expects', () => {
    expect(plivoMessagePath('MAXXXXXXXXXXXXXXXXXX')).toBe('/v1/Account/MAXXXXXXXXXXXXXXXXXX/Message/');
    expect(plivoMediaPath('MAXXXXXXXXXXXXXXXXXX')).toBe('/v1/Account/MAXXXXXXXXXXXXXXXXXX/Media/');
  });

  it('uses HTTP Basic auth_id:auth_token', () => {
    const header = plivoAuthHeader({ authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: 'tok' });
    expect(Buffer.from(header.replace(/^Basic /, ''), 'base64').toString()).toBe('MAXXXXXXXXXXXXXXXXXX:tok');
  });
});

describe('buildMultipartBody', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

  it('produces a body that a standard multipart parser reads back', async () => {
    const { body, contentType } = buildMultipartBody([{ field: 'file', fileName: 'dot.png', contentType: 'image/png', data: png }], 'test-boundary-123');
    expect(contentType).toBe('multipart/form-data; boundary=test-boundary-123');
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
    const file = form.get('file');
    expect(file).toBeInstanceOf(Blob);
    expect((file as File).name).toBe('dot.png');
    expect((file as File).type).toBe('image/png');
    expect(Buffer.from(await (file as File).arrayBuffer()).equals(png)).toBe(true);
  });

  it('has the exact RFC 7578 layout', () => {
    const { body } = buildMultipartBody([{ field: 'file', fileName: 'a.txt', contentType: 'text/plain', data: Buffer.from('hi') }], 'B');
    expect(body.toString()).toBe('--B\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B--\r\n');
  });

  it('keeps quotes and line breaks in file names from breaking the header', () => {
    const { body } = buildMultipartBody([{ field: 'file', fileName: 'a"b\r\nX-Evil: 1.jpg', contentType: 'image/jpeg', data: Buffer.from('x') }], 'B');
    expect(body.toString()).toContain('filename="a_b__X-Evil: 1.jpg"');
    expect(body.toString()).not.toContain('\r\nX-Evil');
  });

  it('refuses a boundary that occurs in the data, and an invalid boundary', () => {
    expect(() => buildMultipartBody([{ field: 'file', fileName: 'a', contentType: 'text/plain', data: Buffer.from('x--B y') }], 'B')).toThrow(/boundary/);
    expect(() => buildMultipartBody([], 'has space"')).toThrow(/boundary/);
  });
});
