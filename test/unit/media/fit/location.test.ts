// The cheap location check for HEIF images and MP4/MOV clips (no sharp, no ffmpeg at run time), judged on files
// written by independent encoders: sharp/libheif (AVIF, the same HEIF container as HEIC) and ffmpeg.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasIsoBmffLocation } from '../../../../src/media/fit/location.js';
import { gpsWarnings } from '../../../../src/services/send/fit.js';
import { GPS_EXIF, hasFfmpeg, makeTinyClip } from './fixtures.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mms-location-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function avif(name: string, gps: boolean): Promise<string> {
  const img = sharp({ create: { width: 64, height: 48, channels: 3, background: '#888' } }).avif();
  const path = join(dir, name);
  writeFileSync(path, await img.withExif({ IFD0: { Make: 'FixtureCam' }, ...(gps ? GPS_EXIF : {}) }).toBuffer());
  return path;
}

/** A one-frame clip written by ffmpeg (made once per machine: where the location box goes does not depend on the length). */
function clip(name: string, format: 'mp4' | 'mov', location: boolean): Promise<string> {
  return makeTinyClip(dir, name, format, location);
}

describe('hasIsoBmffLocation', () => {
  it('finds EXIF GPS in a HEIF image (AVIF) and nothing when there is none', async () => {
    expect(await hasIsoBmffLocation(await avif('gps.avif', true))).toBe(true);
    expect(await hasIsoBmffLocation(await avif('plain.avif', false))).toBe(false);
  });

  it.skipIf(!hasFfmpeg())('finds the location of MP4 (3GPP loci) and MOV (©xyz) clips', async () => {
    expect(await hasIsoBmffLocation(await clip('loc.mp4', 'mp4', true))).toBe(true);
    expect(await hasIsoBmffLocation(await clip('loc.mov', 'mov', true))).toBe(true);
    expect(await hasIsoBmffLocation(await clip('plain.mp4', 'mp4', false))).toBe(false);
  });

  it('never throws on garbage, truncated boxes or missing files', async () => {
    expect(await hasIsoBmffLocation(join(dir, 'missing.mp4'))).toBe(false);
    const path = join(dir, 'fuzz.bin');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        // Random payloads behind plausible headers reach the moov, meta, iinf and iloc walkers.
        const header = Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1');
        writeFileSync(path, Buffer.concat([header, Buffer.from(bytes)]));
        expect(typeof (await hasIsoBmffLocation(path))).toBe('boolean');
      }),
      { numRuns: 200 },
    );
  });
});

describe('gpsWarnings (no --fit)', () => {
  it('names a HEIF photo and a clip that carry a location, with what removes it', async () => {
    const item = (path: string, contentType: string) => ({ input: path.slice(dir.length + 1), kind: 'file' as const, path, contentType });
    const items = [item(await avif('w.avif', true), 'image/avif'), item(await avif('q.avif', false), 'image/avif')];
    if (hasFfmpeg()) items.push(item(await clip('w.mp4', 'mp4', true), 'video/mp4'));
    const expected = ['--media w.avif carries GPS coordinates (where the photo was taken); --fit removes them'];
    if (hasFfmpeg()) expected.push('--media w.mp4 carries GPS coordinates (where the clip was recorded); --strip-metadata (with ffmpeg) or --fit removes them');
    expect(await gpsWarnings(items)).toEqual(expected);
  });
});
