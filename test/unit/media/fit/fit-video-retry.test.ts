// The retry loop of video fitting, judged with stand-in ffmpeg/ffprobe executables whose output size
// follows a fixed model, so the case is the same on every run. Real x264 output varies by a few
// percent from run to run (threaded rate control), and a short busy GIF that landed at the bitrate
// floor once missed its 12 KB budget by a few hundred bytes after three encodes: at the floor the
// bitrate cannot shrink, so the frame has to shrink more.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MediaError } from '../../../../src/errors/errors.js';
import { fitVideo } from '../../../../src/media/fit/video.js';
import { tempDir } from './fixtures.js';

/**
 * A stand-in ffmpeg: writes `bytesAt(width, height)` bytes to its last argument and logs the frame
 * size it was asked for; a stand-in ffprobe describing a 0.8 s, 400×300 silent clip.
 */
function fakeTools(dir: string, model: string): { ffmpeg: string; ffprobe: string; log: string } {
  const log = join(dir, 'encodes.log');
  const ffmpeg = join(dir, 'ffmpeg');
  const ffprobe = join(dir, 'ffprobe');
  writeFileSync(
    ffmpeg,
    `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
const [w, h] = args[args.indexOf('-vf') + 1].match(/scale=(\\d+):(\\d+)/).slice(1).map(Number);
const bytes = Math.round((${model})(w, h));
fs.appendFileSync(${JSON.stringify(log)}, w + 'x' + h + ' ' + args[args.indexOf('-b:v') + 1] + ' ' + bytes + '\\n');
fs.writeFileSync(args[args.length - 1], Buffer.alloc(bytes));
`,
  );
  writeFileSync(
    ffprobe,
    `#!${process.execPath}
process.stdout.write(JSON.stringify({ format: { duration: '0.800000' }, streams: [{ codec_type: 'video', width: 400, height: 300 }] }));
`,
  );
  chmodSync(ffmpeg, 0o755);
  chmodSync(ffprobe, 0o755);
  return { ffmpeg, ffprobe, log };
}

const request = (tools: { ffmpeg: string; ffprobe: string }, dir: string) => ({
  tools,
  inputPath: join(dir, 'busy.gif'),
  name: 'busy.gif',
  inputType: 'image/gif',
  targetBytes: 12_000,
  accepts: () => true,
});

describe('fitVideo retries', () => {
  it('at the bitrate floor, shrinks the frame by what the bitrate could not give (fits on the third encode)', async () => {
    const dir = tempDir();
    // A noisy clip: a fixed 6,000 bytes plus 0.2 a pixel, whatever the bitrate.
    const tools = fakeTools(dir, '(w, h) => 6000 + 0.2 * w * h');
    const f = await fitVideo(request(tools, dir));
    expect(f.data.length).toBeLessThanOrEqual(12_000 * 0.97);
    const encodes = readFileSync(tools.log, 'utf8').trim().split('\n');
    expect(encodes).toHaveLength(3);
    // The third encode asked for the floor bitrate and a frame well under the second's.
    const [, second, third] = encodes.map((l) => l.split(' '));
    expect(Number(third![1])).toBe(48_000);
    const area = (s: string[]) =>
      s[0]!
        .split('x')
        .map(Number)
        .reduce((a, b) => a * b);
    expect(area(third!) / area(second!)).toBeLessThan(0.75);
  });

  it('gives up after three encodes with a message whose numbers agree', async () => {
    const dir = tempDir();
    const tools = fakeTools(dir, '() => 11_700');
    const err = await fitVideo(request(tools, dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as Error).message).toBe(
      '--media busy.gif: still 11 KB (11,700 bytes) after 3 encodes, over the 11 KB (11,640 bytes) that fits 12 KB with its safety margin',
    );
  });
});
