// The retry loop of video fitting, judged with stand-in ffmpeg/ffprobe executables whose output size
// follows a fixed model, so the case is the same on every run. Real x264 output varies by a few
// percent from run to run (threaded rate control), and a short busy GIF that landed at the bitrate
// floor once missed its 12 KB budget by a few hundred bytes after three encodes: at the floor the
// bitrate cannot shrink, so the frame has to shrink more.
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MediaError } from '../../../../src/errors/errors.js';
import { fitVideo } from '../../../../src/media/fit/video.js';
import { tempDir } from './fixtures.js';

/**
 * A stand-in ffmpeg: writes `model` bytes (shell arithmetic over the frame's w and h) to its last argument and
 * logs the frame size and bitrate it was asked for; a stand-in ffprobe describing a 0.8 s, 400×300 silent clip.
 * POSIX shell rather than node: each encode is then a few milliseconds of CPU, not a tenth of a second.
 */
function fakeTools(dir: string, model: string): { ffmpeg: string; ffprobe: string; log: string } {
  const log = join(dir, 'encodes.log');
  const ffmpeg = join(dir, 'ffmpeg');
  const ffprobe = join(dir, 'ffprobe');
  writeFileSync(
    ffmpeg,
    `#!/bin/sh
prev=; w=; h=; rate=; out=
for a in "$@"; do
  case "$prev" in
    -vf) size=\${a#scale=}; size=\${size%%,*}; w=\${size%%:*}; h=\${size#*:} ;;
    -b:v) rate=$a ;;
  esac
  prev=$a; out=$a
done
bytes=$(( ${model} ))
echo "\${w}x\${h} $rate $bytes" >> '${log}'
head -c "$bytes" /dev/zero > "$out"
`,
  );
  writeFileSync(
    ffprobe,
    `#!/bin/sh
echo '{"format":{"duration":"0.800000"},"streams":[{"codec_type":"video","width":400,"height":300}]}'
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
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // A noisy clip: a fixed 6,000 bytes plus 0.2 a pixel, whatever the bitrate.
    const tools = fakeTools(dir, '6000 + w * h / 5');
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
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const tools = fakeTools(dir, '11700');
    const err = await fitVideo(request(tools, dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as Error).message).toBe(
      '--media busy.gif: still 11 KB (11,700 bytes) after 3 encodes, over the 11 KB (11,640 bytes) that fits 12 KB with its safety margin',
    );
  });
});
