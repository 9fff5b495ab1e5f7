import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sniffMime, sameMime } from '../../../src/media/sniff.js';
import { checkMediaLimits, resolveMedia, typeAllowed } from '../../../src/media/resolve.js';
import { twilioAdapter } from '../../../src/providers/twilio/adapter.js';

const caps = twilioAdapter.capabilities;

describe('sniffMime', () => {
  it.each([
    [[0xff, 0xd8, 0xff, 0xe0], 'image/jpeg'],
    [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'image/png'],
    [[...Buffer.from('GIF89a')], 'image/gif'],
    [[...Buffer.from('%PDF-1.7')], 'application/pdf'],
    [[0, 0, 0, 0x18, ...Buffer.from('ftypmp42')], 'video/mp4'],
    [[0, 0, 0, 0x18, ...Buffer.from('ftyp3gp4')], 'video/3gpp'],
    [[...Buffer.from('ID3')], 'audio/mpeg'],
    [[...Buffer.from('BEGIN:VCARD\r\n')], 'text/vcard'],
    [[...Buffer.from('RIFF\0\0\0\0WEBPVP8 ')], 'image/webp'],
  ])('detects %j as %s', (bytes, mime) => {
    expect(sniffMime(Uint8Array.from(bytes))).toBe(mime);
  });

  const ftyp = (major: string, ...compatible: string[]) => {
    const box = Buffer.from(`\0\0\0\0ftyp${major}\0\0\0\0${compatible.join('')}`, 'latin1');
    box.writeUInt32BE(box.length, 0);
    return box;
  };

  it.each<[Buffer, string]>([
    // iPhone stills, bursts/Live Photos, and the multi-layer variants (HEIF, ISO/IEC 23008-12 Annex B).
    ...['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs'].map((b): [Buffer, string] => [ftyp(b, 'mif1', 'heic'), 'image/heic']),
    // Generic HEIF brands: HEIC unless an AVIF brand is among the compatible ones.
    [ftyp('mif1', 'mif1', 'heic'), 'image/heic'],
    [ftyp('msf1', 'msf1', 'hevc'), 'image/heic'],
    [ftyp('mif1', 'mif1', 'miaf', 'avif'), 'image/avif'],
    [ftyp('avif', 'mif1', 'miaf'), 'image/avif'],
    [ftyp('avis', 'msf1', 'miaf'), 'image/avif'],
    [ftyp('isom', 'iso2', 'mp41'), 'video/mp4'],
  ])('detects ISO BMFF %#: %s', (bytes, mime) => {
    expect(sniffMime(bytes)).toBe(mime);
  });

  it('returns undefined for plain text', () => {
    expect(sniffMime(Buffer.from('hello world'))).toBeUndefined();
  });

  it('treats jpg/jpeg and x- variants as the same type', () => {
    expect(sameMime('image/jpg', 'image/jpeg')).toBe(true);
    expect(sameMime('audio/x-wav', 'audio/wav')).toBe(true);
    expect(sameMime('image/png', 'image/jpeg')).toBe(false);
  });
});

describe('resolveMedia with --fit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mms-media-fit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bigJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(6 * 1024 * 1024)]);
  writeFileSync(join(dir, 'big.jpg'), bigJpeg);
  writeFileSync(join(dir, 'big.pdf'), Buffer.concat([Buffer.from('%PDF-1.7'), Buffer.alloc(6 * 1024 * 1024)]));

  it('leaves the size of local images to the fitter, but still checks what it cannot fit', async () => {
    const plain = await resolveMedia(['big.jpg', 'big.pdf'], caps, 'Twilio', dir);
    expect(plain.problems.map((p) => p.input)).toEqual(['big.jpg', 'big.pdf', '--media']);
    const fitting = await resolveMedia(['big.jpg', 'big.pdf'], caps, 'Twilio', dir, { fitting: true });
    expect(fitting.problems.map((p) => [p.input, p.code])).toEqual([
      ['big.pdf', 'MEDIA_TOO_LARGE'],
      ['--media', 'MEDIA_TOO_LARGE'],
    ]);
  });
});

describe('resolveMedia', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mms-media-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'chart.png'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  writeFileSync(join(dir, 'lying.jpg'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  writeFileSync(join(dir, 'empty.png'), '');
  mkdirSync(join(dir, 'sub'));

  it('resolves local files by content and URLs by extension', async () => {
    const r = await resolveMedia(['chart.png', 'https://example.com/a/b.jpg?x=1'], caps, 'Twilio', dir);
    expect(r.problems).toEqual([]);
    expect(r.items[0]).toMatchObject({ kind: 'file', contentType: 'image/png', size: 16, fileName: 'chart.png' });
    expect(r.items[1]).toMatchObject({ kind: 'url', url: 'https://example.com/a/b.jpg?x=1', contentType: 'image/jpeg' });
  });

  it('warns when the extension and the content disagree, and trusts the content', async () => {
    const r = await resolveMedia(['lying.jpg'], caps, 'Twilio', dir);
    expect(r.items[0]!.contentType).toBe('image/png');
    expect(r.warnings[0]).toMatch(/extension says image\/jpeg but the content is image\/png/);
  });

  it('reports every problem with the input named', async () => {
    const r = await resolveMedia(['missing.png', 'sub', 'empty.png', 'file:///etc/passwd', 'https://user:pw@example.com/a.png'], caps, 'Twilio', dir);
    expect(r.problems.map((p) => p.code)).toEqual(['MEDIA_NOT_FOUND', 'MEDIA_NOT_A_FILE', 'MEDIA_EMPTY', 'MEDIA_URL_INVALID', 'MEDIA_URL_INVALID']);
    expect(r.problems[0]!.message).toBe('--media missing.png: file not found');
    expect(r.problems[4]!.message).not.toContain('pw');
  });
});

describe('checkMediaLimits', () => {
  const file = (size: number, contentType: string) => ({ input: `f-${size}`, kind: 'file' as const, path: '/x', fileName: 'x', size, contentType });

  it('enforces count, per-type size and total size with the sizes in the message', () => {
    const problems = checkMediaLimits(
      [file(600 * 1024, 'video/mp4'), file(3 * 1024 * 1024, 'image/png'), file(3 * 1024 * 1024, 'image/jpeg')],
      11,
      caps,
      'Twilio',
    );
    expect(problems.map((p) => p.code)).toEqual(['MEDIA_TOO_MANY', 'MEDIA_TOO_LARGE', 'MEDIA_TOO_LARGE']);
    expect(problems[1]!.message).toContain("600 KB is over Twilio's 500 KB limit for non-image files");
    expect(problems[2]!.message).toContain("6.6 MB, over Twilio's 5.0 MB total");
  });

  it('rejects types the provider does not take', () => {
    expect(checkMediaLimits([file(10, 'application/x-msdownload')], 1, caps, 'Twilio')[0]!.code).toBe('MEDIA_TYPE_UNSUPPORTED');
    expect(typeAllowed('image/png', ['image/*'])).toBe(true);
    expect(typeAllowed('video/mp4', ['image/*'])).toBe(false);
  });
});
