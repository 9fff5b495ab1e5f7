import { createVerify } from 'node:crypto';
import { defaultKeyPair } from '../../../../src/sandbox/dialects/vonage/context.js';
import { describe, expect, it } from 'vitest';
import {
  buildVonagePayload,
  createVonageAppJwt,
  toVonageNumber,
  vonageAuthHeader,
  vonageBasicAuth,
  vonageMediaKind,
} from '../../../../src/providers/vonage/payload.js';

const base = { to: '+14155550100', from: '+14155550101', mediaUrls: [] as string[] };

describe('toVonageNumber', () => {
  it('strips + and 00 prefixes and keeps other senders', () => {
    expect(toVonageNumber('+14155550100')).toBe('14155550100');
    expect(toVonageNumber('0014155550100')).toBe('14155550100');
    expect(toVonageNumber('14155550100')).toBe('14155550100');
    expect(toVonageNumber('12345')).toBe('12345');
  });
});

describe('vonageMediaKind', () => {
  it.each([
    ['https://x.test/a.JPG', 'image'],
    ['https://x.test/a.png?sig=1', 'image'],
    ['https://x.test/song.mp3', 'audio'],
    ['https://x.test/clip.mp4', 'video'],
    ['https://x.test/card.vcf', 'vcard'],
    ['https://x.test/doc.pdf', 'file'],
    ['https://x.test/noext', 'file'],
  ])('%s → %s', (url, kind) => {
    expect(vonageMediaKind(url)).toBe(kind);
  });
});

describe('buildVonagePayload', () => {
  it('sends a text MMS when there is no media, numbers without +', () => {
    expect(buildVonagePayload({ ...base, body: 'hello' })).toEqual({
      channel: 'mms',
      message_type: 'text',
      to: '14155550100',
      from: '14155550101',
      text: 'hello',
    });
  });

  it('sends one image as a typed message with the body as caption and the status webhook', () => {
    expect(buildVonagePayload({ ...base, body: 'hi', mediaUrls: ['https://example.com/a.jpg'], statusCallbackUrl: 'https://t.test/status' })).toEqual({
      channel: 'mms',
      message_type: 'image',
      to: '14155550100',
      from: '14155550101',
      image: { url: 'https://example.com/a.jpg', caption: 'hi' },
      webhook_url: 'https://t.test/status',
      webhook_version: 'v1',
    });
  });

  it('omits the caption when there is no body, and never captions a vCard', () => {
    expect(buildVonagePayload({ ...base, mediaUrls: ['https://example.com/a.mp4'] }).video).toEqual({ url: 'https://example.com/a.mp4' });
    const v = buildVonagePayload({ ...base, body: 'x', mediaUrls: ['https://example.com/me.vcf'] });
    expect(v.message_type).toBe('vcard');
    expect(v.vcard).toEqual({ url: 'https://example.com/me.vcf' });
  });

  it('uses message_type content for several media, caption on the first item', () => {
    const p = buildVonagePayload({ ...base, body: 'two', mediaUrls: ['https://e.test/a.gif', 'https://e.test/b.pdf'] });
    expect(p.message_type).toBe('content');
    expect(p.content).toEqual([
      { type: 'image', url: 'https://e.test/a.gif', caption: 'two' },
      { type: 'file', url: 'https://e.test/b.pdf' },
    ]);
    expect(p.image).toBeUndefined();
  });
});

describe('auth', () => {
  it('builds Basic from the API key and secret', () => {
    expect(vonageBasicAuth('abc123', 's3cret')).toBe(`Basic ${Buffer.from('abc123:s3cret').toString('base64')}`);
    expect(vonageAuthHeader({ apiKey: 'abc123', apiSecret: 's3cret' }, undefined, 0)).toMatch(/^Basic /);
  });

  it('signs an RS256 application JWT that verifies with the public key', () => {
    // Any 2048-bit pair will do: the one this process already made for sandboxes (making one costs 0.2–1 s of CPU).
    const { privateKey: pem, publicKey } = defaultKeyPair();
    const token = createVonageAppJwt({ applicationId: 'app-1', privateKey: pem, nowSec: 1_700_000_000, jti: 'j1' });
    const [h, p, s] = token.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toEqual({ application_id: 'app-1', iat: 1_700_000_000, jti: 'j1', exp: 1_700_000_900 });
    const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(publicKey, Buffer.from(s, 'base64url'));
    expect(ok).toBe(true);
    const bearer = vonageAuthHeader({ apiKey: 'k', apiSecret: 's', applicationId: 'app-1' }, pem, 1_700_000_000);
    expect(bearer).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });
});
