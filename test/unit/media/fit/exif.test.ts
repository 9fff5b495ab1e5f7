// The metadata parser is judged by sharp/libvips (an independent reader) on real files, and by fast-check on
// random and mutated bytes: it must never throw, never hang, and stripping must be idempotent.
import fc from 'fast-check';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectMetadata, stripMetadata } from '../../../../src/media/fit/exif.js';
import { GPS_EXIF } from './fixtures.js';

let jpeg: Buffer;
let jpegNoOrientation: Buffer;
let png: Buffer;

beforeAll(async () => {
  const base = sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699', noise: { type: 'gaussian', mean: 120, sigma: 30 } } });
  jpeg = await base
    .clone()
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Make: 'Cam' }, ...GPS_EXIF })
    .toBuffer();
  // A comment segment and trailing bytes after EOI (as phones append), which the strip must drop.
  jpegNoOrientation = Buffer.concat([
    await base
      .clone()
      .jpeg()
      .withExif({ IFD0: { Make: 'Cam' }, ...GPS_EXIF })
      .toBuffer(),
    Buffer.from('TRAILER-GPS'),
  ]);
  png = await base
    .clone()
    .png()
    .withExif({ IFD0: { Make: 'Cam' }, ...GPS_EXIF })
    .toBuffer();
});

async function pixels(b: Uint8Array): Promise<Buffer> {
  return sharp(b).raw().toBuffer();
}

describe('inspectMetadata', () => {
  it('finds GPS and orientation in a JPEG that sharp wrote', () => {
    expect(inspectMetadata(jpeg)).toEqual({ format: 'jpeg', hasGps: true, orientation: 6, hasMetadata: true });
  });

  it('finds GPS in a PNG eXIf chunk', () => {
    expect(inspectMetadata(png)).toMatchObject({ format: 'png', hasGps: true, hasMetadata: true });
  });

  it('reports nothing for a clean JPEG or a non-image', async () => {
    const clean = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .jpeg()
      .toBuffer();
    expect(inspectMetadata(clean)).toEqual({ format: 'jpeg', hasGps: false, hasMetadata: false });
    expect(inspectMetadata(Buffer.from('BEGIN:VCARD'))).toEqual({ format: 'other', hasGps: false, hasMetadata: false });
  });
});

describe('stripMetadata', () => {
  it('removes GPS from a JPEG, keeps its orientation and its pixels exactly', async () => {
    const out = stripMetadata(jpeg)!;
    expect(out.removed).toEqual(expect.arrayContaining(['EXIF', 'GPS']));
    const meta = await sharp(out.data).metadata();
    expect(meta.orientation).toBe(6);
    expect(meta.exif?.includes(Buffer.from('Cam'))).toBe(false);
    expect(inspectMetadata(out.data)).toMatchObject({ hasGps: false, orientation: 6 });
    expect((await pixels(out.data)).equals(await pixels(jpeg))).toBe(true);
    expect(out.data.length).toBeLessThan(jpeg.length);
  });

  it('drops trailing data and adds no EXIF when there is no orientation to keep', async () => {
    const out = stripMetadata(jpegNoOrientation)!;
    expect(out.removed).toEqual(expect.arrayContaining(['EXIF', 'GPS', 'trailing data']));
    expect((await sharp(out.data).metadata()).exif).toBeUndefined();
    expect(Buffer.from(out.data).includes('TRAILER')).toBe(false);
    expect((await pixels(out.data)).equals(await pixels(jpegNoOrientation))).toBe(true);
  });

  it('removes eXIf from a PNG and keeps its pixels', async () => {
    const out = stripMetadata(png)!;
    expect(out.removed).toEqual(expect.arrayContaining(['EXIF', 'GPS']));
    expect((await sharp(out.data).metadata()).exif).toBeUndefined();
    expect((await pixels(out.data)).equals(await pixels(png))).toBe(true);
  });

  it('leaves other formats alone', () => {
    expect(stripMetadata(Buffer.from('GIF89a'))).toBeUndefined();
  });
});

describe('parser robustness (property)', () => {
  const check = (b: Uint8Array) => {
    const report = inspectMetadata(b);
    expect(['jpeg', 'png', 'other']).toContain(report.format);
    const out = stripMetadata(b);
    if (out) {
      // Idempotent: a stripped file has nothing left to strip.
      const again = stripMetadata(out.data);
      expect(again && Buffer.from(again.data).equals(Buffer.from(out.data))).toBe(true);
      expect(inspectMetadata(out.data).hasGps).toBe(false);
    }
  };

  it('never throws on random bytes, bare or behind a JPEG/PNG signature', () => {
    const prefix = fc.constantFrom([], [0xff, 0xd8], [0xff, 0xd8, 0xff, 0xe1], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    fc.assert(
      fc.property(prefix, fc.uint8Array({ maxLength: 2048 }), (p, rest) => check(Uint8Array.from([...p, ...rest]))),
      { numRuns: 500 },
    );
  });

  it('never throws on real files with bytes flipped or cut off', () => {
    const file = fc.constantFrom(
      () => jpeg,
      () => png,
      () => jpegNoOrientation,
    );
    const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 });
    fc.assert(
      fc.property(file, edits, fc.option(fc.nat()), (get, flips, cut) => {
        const b = Uint8Array.from(get());
        for (const [at, v] of flips) b[at % b.length] = v;
        check(cut === null ? b : b.subarray(0, cut % (b.length + 1)));
      }),
      { numRuns: 400 },
    );
  });
});
