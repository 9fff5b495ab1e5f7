// sharp is an optional dependency: without it, loading the engine must still work (sharp is imported only
// when an image is fitted) and fitting an image must fail with a MediaError that says what to install.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MediaError } from '../../../../src/errors/errors.js';

const imported = vi.hoisted(() => ({ count: 0 }));
vi.mock('sharp', () => {
  imported.count++;
  throw new Error("Cannot find package 'sharp' imported from image.js");
});

const tempDir = () => mkdtempSync(join(tmpdir(), 'mms-fit-nosharp-'));

describe('without sharp installed', () => {
  it('loads the engine and fits non-images without touching sharp', async () => {
    const { computeFitBudget, fitMedia } = await import('../../../../src/media/fit/index.js');
    const card = join(tempDir(), 'card.vcf');
    writeFileSync(card, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEND:VCARD\r\n');
    const budget = computeFitBudget({ provider: { maxFileBytes: 1e6, maxTotalBytes: 1e6, mediaTypes: ['text/vcard', 'image/jpeg'] } });
    const report = await fitMedia([{ path: card }], { budget, cache: false });
    expect(report.files[0]).toMatchObject({ unchanged: true, before: { type: 'text/vcard' } });
    expect(imported.count).toBe(0);
  });

  it('fails an image fit with a MediaError naming sharp and how to install it', async () => {
    const { computeFitBudget, fitMedia } = await import('../../../../src/media/fit/index.js');
    const photo = join(tempDir(), 'p.jpg');
    writeFileSync(photo, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(50_000)]));
    const budget = computeFitBudget({ provider: { maxFileBytes: 1e6, maxTotalBytes: 1e6, mediaTypes: ['image/jpeg'] }, overrideBytes: 20_000 });
    const err = await fitMedia([{ path: photo }], { budget, cache: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect(err).toMatchObject({ code: 'MEDIA_FIT_UNAVAILABLE', message: expect.stringMatching(/needs the image library sharp, which is not installed/) });
    expect((err as MediaError).suggestion).toMatch(/optional/);
  });
});
