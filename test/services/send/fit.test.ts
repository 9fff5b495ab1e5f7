// `mms send --fit` end to end against the sandbox in this process: a phone photo with GPS and EXIF
// orientation 6 is fitted, served, fetched by the (Twilio-dialect) sandbox, and the bytes it fetched are
// read back with sharp (an independent decoder): under budget, no GPS, portrait. Also the dry run's
// before → after lines, the cache, the GPS warning without --fit and --strip-metadata.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectMetadata } from '../../../src/media/fit/exif.js';
import { findFfmpeg, probeVideo } from '../../../src/media/fit/video.js';
import { fitPlanMedia } from '../../../src/services/send/fit.js';
import type { SendPlan } from '../../../src/services/send/index.js';
import { twilioAdapter } from '../../../src/providers/twilio/adapter.js';
import { hasFfmpeg, makePhoto, makeVideo } from '../../unit/media/fit/fixtures.js';
import { useSendHarness } from './harness.js';

const h = useSendHarness();
let dir: string;
let photoBytes: Buffer;
/** Twilio long code: 600 KB carrier-safe (AT&T) less the 5% envelope reserve. */
const BUDGET = 570_000;

beforeAll(async () => {
  dir = join(h.dir, 'fit');
  mkdirSync(dir, { recursive: true });
  photoBytes = readFileSync(await makePhoto(dir, 'IMG_0042.jpg'));
}, 120_000);

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The fit cache's entries (data files) under a cache home. */
function cacheEntries(cacheHome: string): string[] {
  const d = join(cacheHome, 'mms', 'fit');
  return readdirSync(d)
    .filter((n) => n.endsWith('.bin'))
    .map((n) => join(d, n));
}

function run(args: string[], cacheHome: string) {
  return h.run(['send', '--to', '+15551234567', '--media', 'IMG_0042.jpg', ...args], { cwd: dir, env: { ...h.env, XDG_CACHE_HOME: cacheHome } });
}

describe('mms send --fit', () => {
  it('sends a phone photo under the carrier-safe budget, without GPS, the right way up', async () => {
    expect(inspectMetadata(photoBytes)).toMatchObject({ hasGps: true, orientation: 6 });
    const cache = join(h.dir, 'cache-send');
    const r = await run(['--fit', '--body', 'photo', '--json'], cache);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^Fit IMG_0042\.jpg: image\/jpeg 1800×2400 [\d.]+ MB → image\/jpeg \d+×\d+ \d+ KB \(rotated, stripped, (resized, )?re-encoded\)$/m,
    );
    const id = JSON.parse(r.stdout).results[0].id as string;
    const rec = await h.waitFor(id, (m) => m.media[0]?.status === 'fetched');
    expect(rec.media[0]!.contentType).toBe('image/jpeg');
    expect(rec.media[0]!.size).toBeLessThanOrEqual(BUDGET);
    // What the sandbox fetched is the cached output, byte for byte: read that back with sharp.
    const fitted = cacheEntries(cache).map((p) => readFileSync(p));
    const sent = fitted.find((b) => sha256(b) === rec.media[0]!.sha256);
    expect(sent).toBeDefined();
    const meta = await sharp(sent).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation ?? 1).toBe(1);
    expect(meta.height).toBeGreaterThan(meta.width);
    expect(inspectMetadata(sent!)).toMatchObject({ hasGps: false, hasMetadata: false });
    expect(statSync(cacheEntries(cache)[0]!).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('--dry-run --fit prints each file before → after and sends nothing; the second run comes from the cache', async () => {
    const cache = join(h.dir, 'cache-dry');
    const first = await run(['--fit', '--dry-run'], cache);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('Fit budget 557 KB (570,000 bytes): carrier-safe for long code (all carriers).');
    const line = /^Fit IMG_0042\.jpg: image\/jpeg 1800×2400 [\d.]+ MB → image\/jpeg (\d+)×(\d+) (\d+) KB \((.*)\)$/m.exec(first.stderr);
    expect(line).not.toBeNull();
    expect(line![4]).not.toContain('cached');
    expect(Number(line![2])).toBeGreaterThan(Number(line![1]));
    // The plan shows what would be sent: the fitted type and size.
    expect(first.stdout).toMatch(/^Media {5}IMG_0042\.jpg {2}image\/jpeg {2}\d+ KB$/m);
    // One unit everywhere (KB = 1024 bytes): the plan's Media line and the Fit line show the same figure.
    expect(first.stdout).toMatch(new RegExp(`^Media {5}IMG_0042\\.jpg {2}image/jpeg {2}${line![3]} KB$`, 'm'));
    expect(h.messages()).toHaveLength(0);

    const second = await run(['--fit', '--dry-run'], cache);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/^Fit IMG_0042\.jpg: .* → image\/jpeg .*, cached\)$/m);
    expect(second.stderr.replace(/, cached/, '')).toBe(first.stderr);
    expect(cacheEntries(cache)).toHaveLength(1);
  }, 60_000);

  it('--fit-budget overrides the carrier-safe target (and implies --fit)', async () => {
    const r = await run(['--fit-budget', '200KB', '--dry-run', '--json'], join(h.dir, 'cache-budget'));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Fit budget 195 KB (200,000 bytes): --fit-budget.');
    expect(JSON.parse(r.stdout).plan.media[0].size).toBeLessThanOrEqual(200_000);
  }, 60_000);

  it('uploads the fitted file to a provider with an upload API (Plivo)', async () => {
    const env = { ...h.providerEnv('plivo'), XDG_CACHE_HOME: join(h.dir, 'cache-plivo') };
    const r = await h.run(['send', '--provider', 'plivo', '--to', '+15551234567', '--media', 'IMG_0042.jpg', '--fit', '--body', 'x', '--json'], {
      cwd: dir,
      env,
    });
    expect(r.code).toBe(0);
    const rec = await h.waitFor(JSON.parse(r.stdout).results[0].id as string, (m) => m.media[0]?.status === 'fetched');
    expect(rec.media[0]).toMatchObject({ contentType: 'image/jpeg' });
    expect(rec.media[0]!.size).toBeLessThanOrEqual(BUDGET);
  }, 60_000);

  it('still sends when the cache cannot be written (the fitted file goes to a private temporary file)', async () => {
    const notADir = join(h.dir, 'cache-is-a-file');
    writeFileSync(notADir, 'x');
    const r = await run(['--fit', '--body', 'x', '--json'], notADir);
    expect(r.code).toBe(0);
    const rec = await h.waitFor(JSON.parse(r.stdout).results[0].id as string, (m) => m.media[0]?.status === 'fetched');
    expect(rec.media[0]!.size).toBeLessThanOrEqual(BUDGET);
  }, 60_000);

  it('refuses a --fit-budget it cannot read, naming the flag (exit 2)', async () => {
    const r = await run(['--fit-budget', 'lots', '--dry-run'], join(h.dir, 'cache-bad'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--fit-budget: expected a size such as 600KB or 1MB, got "lots"');
  });
});

describe('--fit without ffmpeg', () => {
  it('refuses a video over its budget, naming its size, the budget and how to install ffmpeg; nothing is sent', async () => {
    // An MP4 header and 700,000 bytes (684 KiB): over Twilio's 500 KiB for non-images, so it needs transcoding.
    const box = Buffer.from('\0\0\0\x18ftypisom\0\0\0\0isommp41', 'latin1');
    writeFileSync(join(dir, 'clip.mp4'), Buffer.concat([box, Buffer.alloc(700_000, 1)]));
    const r = await h.run(['send', '--to', '+15551234567', '--media', 'clip.mp4', '--fit', '--body', 'x'], {
      cwd: dir,
      env: { ...h.env, XDG_CACHE_HOME: join(h.dir, 'cache-noff'), PATH: join(h.dir, 'empty-path') },
    });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^Error: --media clip\.mp4: 684 KB is over its 500 KB budget and fitting it needs ffmpeg, but ffmpeg was not found on PATH/m);
    expect(r.stderr).toContain('Install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg');
    expect(h.messages()).toHaveLength(0);
  });
});

describe('GPS without --fit', () => {
  it('warns in one line naming the file, and sends the photo as it is', async () => {
    const r = await run(['--dry-run'], join(h.dir, 'cache-none'));
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('Warning:'));
    expect(warnings).toEqual(['Warning: --media IMG_0042.jpg carries GPS coordinates (where the photo was taken); --strip-metadata or --fit removes them']);
    expect(r.stdout).toContain(`Media     IMG_0042.jpg  image/jpeg`);
    expect(JSON.parse((await run(['--dry-run', '--json'], join(h.dir, 'cache-none'))).stdout).plan.media[0].size).toBe(photoBytes.length);
  });

  it('--strip-metadata removes GPS losslessly: same pixels, same size on screen, orientation kept', async () => {
    const r = await run(['--strip-metadata', '--body', 'x', '--json'], join(h.dir, 'cache-strip'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Stripped EXIF, GPS from IMG_0042\.jpg \(lossless\): [\d.]+ MB → [\d.]+ MB\.$/m);
    expect(r.stderr).not.toContain('Warning:');
    const rec = await h.waitFor(JSON.parse(r.stdout).results[0].id as string, (m) => m.media[0]?.status === 'fetched');
    // Only metadata went: the size drops by at most the EXIF block.
    expect(rec.media[0]!.size).toBeLessThan(photoBytes.length);
    expect(rec.media[0]!.size).toBeGreaterThan(photoBytes.length - 64 * 1024);
  });
});

describe('--strip-metadata on video (the fit step alone)', () => {
  it.skipIf(!hasFfmpeg())(
    'copies the streams without the location tag, and the temporary copy goes at cleanup',
    async () => {
      const clipDir = join(h.dir, 'clip');
      mkdirSync(clipDir, { recursive: true });
      const clip = await makeVideo(clipDir);
      const tools = findFfmpeg()!;
      expect((await probeVideo(tools, clip)).hasLocation).toBe(true);
      const item = { input: 'clip.mp4', kind: 'file' as const, path: clip, fileName: 'clip.mp4', contentType: 'video/mp4', size: statSync(clip).size };
      const plan = { media: [item], warnings: [] } as unknown as SendPlan;
      const notes: string[] = [];
      const cleanup = await fitPlanMedia({ stripMetadata: true, dryRun: false }, plan, {
        adapter: twilioAdapter,
        env: process.env,
        signal: new AbortController().signal,
        events: { note: (l) => notes.push(l) },
      });
      expect(notes).toEqual([expect.stringMatching(/^Stripped metadata from clip\.mp4 \(stream copy, lossless\): [\d.]+ KB → [\d.]+ KB\.$/)]);
      const out = plan.media[0]!.path!;
      expect(out).not.toBe(clip);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(await probeVideo(tools, out)).toMatchObject({ hasLocation: false, hasMetadata: false, hasVideo: true, hasAudio: true });
      await cleanup();
      expect(() => statSync(out)).toThrow();
    },
    60_000,
  );
});

describe('the budget is shared with URL media', () => {
  it('says so when URL media (sizes from --check-media) leave nothing for local files', async () => {
    const url = { input: 'https://example.com/big.jpg', kind: 'url' as const, url: 'https://example.com/big.jpg', contentType: 'image/jpeg', size: 600_000 };
    const local = {
      input: 'IMG_0042.jpg',
      kind: 'file' as const,
      path: join(dir, 'IMG_0042.jpg'),
      fileName: 'IMG_0042.jpg',
      contentType: 'image/jpeg',
      size: photoBytes.length,
    };
    const plan = { media: [url, local], warnings: [] } as unknown as SendPlan;
    const ctx = { adapter: twilioAdapter, env: process.env, signal: new AbortController().signal, events: {} };
    await expect(fitPlanMedia({ fit: true, dryRun: true }, plan, ctx)).rejects.toMatchObject({
      code: 'MEDIA_TOO_LARGE',
      exitCode: 5,
      message: expect.stringMatching(
        /^--media: the URL media add up to 586 KB \(600,000 bytes\), which leaves nothing for local files of the budget of 557 KB \(570,000 bytes\): carrier-safe/,
      ),
    });
  });
});
