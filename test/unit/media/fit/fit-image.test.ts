// fitMedia on generated images: every output is read back with sharp (an independent decoder) to check its
// size, type, orientation, frame count and that no GPS survives.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { MediaError } from '../../../../src/errors/errors.js';
import { computeFitBudget, type FitBudget } from '../../../../src/media/fit/budget.js';
import { inspectMetadata } from '../../../../src/media/fit/exif.js';
import { fitMedia, formatFitLine, type FitFileResult, type FitOptions } from '../../../../src/media/fit/index.js';
import { telnyxAdapter } from '../../../../src/providers/telnyx/adapter.js';
import { twilioAdapter } from '../../../../src/providers/twilio/adapter.js';
import { makeAlphaPng, makeGif, makePhoto, tempDir } from './fixtures.js';

let dir: string;
let photo: string;
let png: string;
let gif: string;
let photoOpts: FitOptions;
let photoFit: Promise<FitFileResult>;

beforeAll(async () => {
  dir = tempDir();
  photo = await makePhoto(dir);
  png = await makeAlphaPng(dir);
  gif = await makeGif(dir, { width: 240, height: 180, frames: 12, delayMs: 100 });
  // One fit of the photo, into a cache: the first test judges the output, the second asks again.
  photoOpts = opts();
  photoFit = fitMedia([{ path: photo }], photoOpts).then((r) => r.files[0]!);
  await photoFit.catch(() => undefined); // a failure is reported by the tests that await it
}, 180_000);

const budget600: FitBudget = computeFitBudget({ provider: twilioAdapter.capabilities, overrideBytes: 600_000 });
const opts = (extra: Partial<FitOptions> = {}): FitOptions => ({
  budget: budget600,
  cache: { dir: join(dir, `cache-${Math.random()}`) },
  env: { PATH: '' },
  ...extra,
});

describe('fitMedia: a phone photo with GPS and orientation 6', () => {
  it('lands under budget, portrait, without GPS or any EXIF', async () => {
    expect(statSync(photo).size).toBeGreaterThan(600_000);
    const f = await photoFit;
    expect(f.data.length).toBeLessThanOrEqual(600_000);
    expect(f.data.length).toBeGreaterThan(300_000); // the search uses the budget, not a blind shrink
    expect(f.before).toMatchObject({ type: 'image/jpeg', width: 1800, height: 2400 });
    expect(f.actions).toEqual(expect.arrayContaining(['rotated', 'stripped', 'resized', 're-encoded']));
    const meta = await sharp(f.data).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.height).toBeGreaterThan(meta.width); // the rotation is in the pixels now
    expect([meta.width, meta.height]).toEqual([f.after.width, f.after.height]);
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(inspectMetadata(f.data).hasGps).toBe(false);
    expect(formatFitLine(f)).toMatch(/^.*photo\.jpg: image\/jpeg 1800×2400 .* → image\/jpeg \d+×\d+ \d+ KB \(rotated, stripped, resized, re-encoded\)$/);
  });

  it('is served from the cache the second time, byte for byte, in a private directory', async () => {
    const first = await photoFit;
    const second = (await fitMedia([{ path: photo }], photoOpts)).files[0]!;
    expect(first.fromCache).toBe(false);
    expect(second.fromCache).toBe(true);
    expect(Buffer.from(second.data).equals(Buffer.from(first.data))).toBe(true);
    expect(second.actions).toEqual(first.actions);
    expect(second.path).toBe(first.path);
    expect(statSync(second.path!).mode & 0o777).toBe(0o600);
    expect(statSync(join(second.path!, '..')).mode & 0o777).toBe(0o700);
  });

  it('shares one total across attachments', async () => {
    const other = await makePhoto(dir, 'second.jpg'); // the same pixels under another name
    const { files, totalBytes } = await fitMedia([{ path: photo }, { path: other }], opts({ cache: false }));
    expect(totalBytes).toBeLessThanOrEqual(600_000);
    for (const f of files) expect(f.data.length).toBeLessThanOrEqual(f.targetBytes);
    expect(files[0]!.path).toBeUndefined(); // no cache, nothing on disk: the caller writes data where it needs it
  });

  it('strips a small photo losslessly when it already fits', async () => {
    const small = join(dir, 'small.jpg');
    writeFileSync(
      small,
      await sharp(photo)
        .autoOrient()
        .resize(400)
        .jpeg()
        .withExif({ IFD0: { Make: 'Cam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '1/1 2/1 3/1' } })
        .toBuffer(),
    );
    const f = (await fitMedia([{ path: small }], opts())).files[0]!;
    expect(f.actions).toEqual(['stripped']);
    expect(inspectMetadata(f.data).hasGps).toBe(false);
    const [a, b] = await Promise.all([sharp(f.data).raw().toBuffer(), sharp(readFileSync(small)).raw().toBuffer()]);
    expect(a.equals(b)).toBe(true);
  });
});

describe('fitMedia: other images', () => {
  it('turns a large PNG with alpha into a JPEG flattened onto white', async () => {
    const telnyx = computeFitBudget({ provider: telnyxAdapter.capabilities, overrideBytes: 400_000 });
    const f = (await fitMedia([{ path: png }], opts({ budget: telnyx }))).files[0]!;
    expect(statSync(png).size).toBeGreaterThan(1_000_000);
    expect(f.after.type).toBe('image/jpeg');
    expect(f.fileName).toBe('alpha.jpg');
    expect(f.actions).toEqual(expect.arrayContaining(['converted', 're-encoded']));
    expect(f.data.length).toBeLessThanOrEqual(400_000);
    const { data, info } = await sharp(f.data).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    expect([...data.subarray(0, 3)].every((v) => v >= 250)).toBe(true); // the transparent corner is white
  });

  it('keeps an animated GIF animated while shrinking it', async () => {
    // 426 KB into 100 KB: far enough that frames are dropped as well as pixels.
    const small = computeFitBudget({ provider: twilioAdapter.capabilities, overrideBytes: 100_000 });
    expect(statSync(gif).size).toBeGreaterThan(300_000);
    const f = (await fitMedia([{ path: gif }], opts({ budget: small }))).files[0]!;
    expect(f.data.length).toBeLessThanOrEqual(100_000);
    const meta = await sharp(f.data, { animated: true }).metadata();
    expect(meta.format).toBe('gif');
    expect(meta.pages).toBeGreaterThan(1);
    expect(meta.pages).toBe(f.after.frames);
    // Dropped frames lengthen the kept ones: the animation's duration stays about the same.
    expect(f.actions).toContain('frames-dropped');
    expect(meta.delay!.reduce((s, d) => s + d, 0)).toBeGreaterThanOrEqual(1100);
  });

  it('refuses to flatten a GIF that only fits as video when video is not possible', async () => {
    const tiny = computeFitBudget({ provider: telnyxAdapter.capabilities, overrideBytes: 4_000 });
    const err = await fitMedia([{ path: gif }], opts({ budget: tiny })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('MEDIA_TOO_LARGE');
    expect((err as Error).message).toMatch(/cannot fit under .* and stay animated.*ffmpeg/);
  });

  it("says clearly that an HEVC HEIC cannot be decoded by sharp's prebuilt binaries", async () => {
    const heic = join(dir, 'IMG_0001.HEIC');
    writeFileSync(heic, Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic'), Buffer.alloc(2000, 7)]));
    const err = await fitMedia([{ path: heic }], opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('MEDIA_TYPE_UNSUPPORTED');
    expect((err as Error).message).toMatch(/image\/heic .*prebuilt binaries read AVIF but not HEVC-coded HEIC/);
    expect((err as MediaError).suggestion).toMatch(/JPEG/);
  });

  it('sends a small clean image untouched', async () => {
    const tiny = join(dir, 'tiny.png');
    writeFileSync(
      tiny,
      await sharp({ create: { width: 20, height: 10, channels: 3, background: '#123456' } })
        .png()
        .toBuffer(),
    );
    const f = (await fitMedia([{ path: tiny, name: 'tiny.png' }], opts())).files[0]!;
    expect(f).toMatchObject({ unchanged: true, actions: [], path: tiny, before: { width: 20, height: 10 } });
    expect(formatFitLine(f)).toBe('tiny.png: image/png 20×10 ' + `${f.before.bytes} B (fits, sent as is)`);
  });
});
