// Video fitting through ffmpeg, judged by ffprobe. Without ffmpeg on PATH the transcoding tests are skipped
// (CI installs Debian's ffmpeg through .ci/run); the "ffmpeg missing" error and the process limits are
// tested everywhere.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MediaError } from '../../../../src/errors/errors.js';
import { computeFitBudget } from '../../../../src/media/fit/budget.js';
import { fitMedia, type FitFileResult } from '../../../../src/media/fit/index.js';
import { findFfmpeg, runTool } from '../../../../src/media/fit/video.js';
import { sinchAdapter } from '../../../../src/providers/sinch/adapter.js';
import { twilioAdapter } from '../../../../src/providers/twilio/adapter.js';
import { hasFfmpeg, makeGif, makeVideo, makeWav, tempDir } from './fixtures.js';

const ffmpeg = hasFfmpeg();
const SKIP_REASON = 'ffmpeg/ffprobe not on PATH: video fitting tests skipped (apt-get install ffmpeg to run them)';
if (!ffmpeg) console.warn(SKIP_REASON);

let dir: string;
beforeAll(() => {
  dir = tempDir();
});

function probe(data: Uint8Array): {
  streams: Array<{ codec_type: string; codec_name: string; profile?: string; width?: number }>;
  format: { tags?: Record<string, string> };
} {
  const path = join(dir, `probe-${Math.random()}.mp4`);
  writeFileSync(path, data);
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path]);
  return JSON.parse(r.stdout.toString()) as ReturnType<typeof probe>;
}

describe.skipIf(!ffmpeg)('fitMedia with ffmpeg', () => {
  // One fit of one clip, into a cache: the first test judges the output, the second reuses it without ffmpeg.
  const budget = computeFitBudget({ provider: sinchAdapter.capabilities, overrideBytes: 60_000 });
  let clip: string;
  let cache: { dir: string };
  let fitted: Promise<FitFileResult>;
  beforeAll(async () => {
    clip = await makeVideo(dir);
    cache = { dir: join(dir, 'cache-clip') };
    fitted = fitMedia([{ path: clip }], { budget, cache }).then((r) => r.files[0]!);
    // Settled here so a failure is reported by the test that awaits it, not as an unhandled rejection.
    await fitted.catch(() => undefined);
  }, 120_000);

  it('fits a 1 s clip of about 110 KB into 60 KB as H.264 baseline + AAC MP4 without its location tag', async () => {
    const f = await fitted;
    expect(f.before.bytes).toBeGreaterThan(60_000);
    expect(f.data.length).toBeLessThanOrEqual(60_000);
    expect(f.after).toMatchObject({ type: 'video/mp4' });
    expect(f.after.durationSec).toBeCloseTo(1, 0);
    const p = probe(f.data);
    const v = p.streams.find((s) => s.codec_type === 'video')!;
    expect(v).toMatchObject({ codec_name: 'h264', profile: expect.stringMatching(/Baseline/) });
    expect(p.streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac' });
    expect(JSON.stringify(p.format.tags ?? {})).not.toMatch(/location|48\.85/);
    expect(f.actions).toEqual(expect.arrayContaining(['stripped', 're-encoded']));
  });

  it('reuses a clip fitted before from the cache even where ffmpeg is gone now (a cron job after an upgrade)', async () => {
    const first = await fitted;
    expect(first.fromCache).toBe(false);
    const again = (await fitMedia([{ path: clip }], { budget, cache, env: { PATH: '', FFMPEG_PATH: '/nonexistent/ffmpeg' } })).files[0]!;
    expect(again).toMatchObject({ fromCache: true, after: first.after });
  });

  it('turns an animated GIF into MP4 only when no GIF can fit and the provider takes video, the same bytes every time', async () => {
    const gif = await makeGif(dir, { width: 400, height: 300, frames: 20, delayMs: 40, name: 'busy.gif', smooth: true });
    const budget = computeFitBudget({ provider: twilioAdapter.capabilities, overrideBytes: 12_000 });
    // Two at once: frame-threaded x264 gave different sizes from run to run (more under load), so a clip near its
    // budget could fit once and fail the next time.
    const [f, again] = (await Promise.all([1, 2].map(() => fitMedia([{ path: gif }], { budget, cache: false })))).map((r) => r.files[0]!);
    expect(createHash('sha256').update(again!.data).digest('hex')).toBe(createHash('sha256').update(f!.data).digest('hex'));
    expect(f!.after.type).toBe('video/mp4');
    expect(f!.fileName).toBe('busy.mp4');
    expect(f!.actions).toContain('converted');
    expect(f!.data.length).toBeLessThanOrEqual(12_000);
    expect(probe(f!.data).streams[0]).toMatchObject({ codec_type: 'video', codec_name: 'h264' });
  }, 120_000);

  it('strips the location from a clip already within budget without re-encoding it', async () => {
    const input = readFileSync(clip);
    expect(JSON.stringify(probe(input).format.tags)).toMatch(/location/);
    const budget = computeFitBudget({ provider: { maxFileBytes: 10e6, maxTotalBytes: 10e6, mediaTypes: ['video/mp4'] }, overrideBytes: 8_000_000 });
    const f = (await fitMedia([{ path: clip }], { budget, cache: false })).files[0]!;
    expect(f.actions).toEqual(['stripped']);
    expect(f.fileName).toBe('clip.mp4');
    const p = probe(f.data);
    expect(JSON.stringify(p.format.tags ?? {})).not.toMatch(/location|48\.85/);
    expect(p.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(Math.abs(f.data.length - input.length)).toBeLessThan(input.length * 0.02); // a copy, not a re-encode
  }, 60_000);

  it('fits long audio as AAC in .m4a', async () => {
    // 5 s of WAV (441 KB) into 80 KB: far over its budget, so it is transcoded, in one AAC encode.
    const wav = await makeWav(dir, 'voice.wav', 5);
    const budget = computeFitBudget({ provider: twilioAdapter.capabilities, overrideBytes: 80_000 });
    const f = (await fitMedia([{ path: wav }], { budget, cache: false })).files[0]!;
    expect(f.before).toMatchObject({ type: 'audio/wav' });
    expect(f.before.bytes).toBeGreaterThan(80_000);
    expect(f.after).toMatchObject({ type: 'audio/mp4' });
    expect(f.fileName).toBe('voice.m4a');
    expect(f.data.length).toBeLessThanOrEqual(80_000);
    expect(probe(f.data).streams).toEqual([expect.objectContaining({ codec_type: 'audio', codec_name: 'aac' })]);
  }, 60_000);

  it('finds ffmpeg through FFMPEG_PATH with ffprobe beside it', () => {
    const onPath = findFfmpeg()!;
    expect(findFfmpeg({ FFMPEG_PATH: onPath.ffmpeg, PATH: '' })).toEqual(onPath);
    expect(findFfmpeg({ FFMPEG_PATH: join(dir, 'nope', 'ffmpeg'), PATH: process.env.PATH })).toBeUndefined();
  });
});

describe('without ffmpeg', () => {
  it('names how to install it and the file size against its budget', async () => {
    const fake = join(tempDir(), 'clip.mp4');
    writeFileSync(fake, Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(800_000)]));
    const budget = computeFitBudget({ provider: twilioAdapter.capabilities, overrideBytes: 600_000 });
    const err = await fitMedia([{ path: fake, name: 'clip.mp4' }], { budget, cache: false, env: { PATH: '' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('MEDIA_FIT_UNAVAILABLE');
    expect((err as Error).message).toBe('--media clip.mp4: 781 KB is over its 500 KB budget and fitting it needs ffmpeg, but ffmpeg was not found on PATH');
    expect((err as MediaError).suggestion).toMatch(/apt-get install ffmpeg.*brew install ffmpeg.*FFMPEG_PATH/);
  });

  it('sends an in-budget clip untouched without needing ffmpeg', async () => {
    const small = join(tempDir(), 'small.mp4');
    writeFileSync(small, Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(1000)]));
    const budget = computeFitBudget({ provider: twilioAdapter.capabilities, overrideBytes: 600_000 });
    const f = (await fitMedia([{ path: small }], { budget, cache: false, env: { PATH: '' } })).files[0]!;
    expect(f).toMatchObject({ unchanged: true, before: { type: 'video/mp4', bytes: 1012 } });
  });
});

describe('runTool', () => {
  it('kills the process when the caller aborts', async () => {
    const ac = new AbortController();
    const run = runTool(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(run).rejects.toThrow('stop');
  });

  it('kills the process at its time limit', async () => {
    await expect(runTool(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 1 })).rejects.toThrow(/was stopped by SIGKILL \(time limit/);
  });

  it('reports the tail of stderr when the tool fails', async () => {
    await expect(runTool(process.execPath, ['-e', 'console.error("bad input"); process.exit(3)'])).rejects.toThrow(/exited with 3: bad input/);
  });

  it('never goes through a shell', async () => {
    const out = await runTool(process.execPath, ['-e', 'process.stdout.write(process.argv[1])', '$(echo hi); rm -rf /']);
    expect(out).toBe('$(echo hi); rm -rf /');
  });
});
