// sharp is an optional dependency loaded only for --fit: `mms send` without --fit (the GPS warning included)
// must never import it, and --fit without it must fail with a clear error before anything is sent.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { useSendHarness } from './harness.js';

const imported = vi.hoisted(() => ({ count: 0 }));
vi.mock('sharp', () => {
  imported.count++;
  throw new Error("Cannot find package 'sharp' imported from image.js");
});

/** A minimal EXIF APP1 segment whose GPS IFD holds a latitude (tag 2): enough for any EXIF reader to see GPS. */
function gpsApp1(): Buffer {
  const tiff = Buffer.alloc(68);
  tiff.write('II*\0', 0, 'latin1');
  tiff.writeUInt32LE(8, 4); // IFD0 at 8
  tiff.writeUInt16LE(1, 8); // one entry: the GPS IFD pointer
  tiff.writeUInt16LE(0x8825, 10);
  tiff.writeUInt16LE(4, 12); // LONG
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt32LE(26, 18); // GPS IFD at 26
  tiff.writeUInt16LE(1, 26); // one entry: GPSLatitude, 3 RATIONALs at 44
  tiff.writeUInt16LE(2, 28);
  tiff.writeUInt16LE(5, 30);
  tiff.writeUInt32LE(3, 32);
  tiff.writeUInt32LE(44, 36);
  for (let i = 0; i < 3; i++) {
    tiff.writeUInt32LE(48 + i, 44 + i * 8);
    tiff.writeUInt32LE(1, 48 + i * 8);
  }
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

const h = useSendHarness();
let dir: string;

beforeAll(() => {
  dir = join(h.dir, 'no-sharp');
  mkdirSync(dir, { recursive: true });
  const pixel = readFileSync(join(import.meta.dirname, '../../fixtures/media/pixel.jpg'));
  writeFileSync(join(dir, 'where.jpg'), Buffer.concat([pixel.subarray(0, 2), gpsApp1(), pixel.subarray(2)]));
});

describe('without sharp', () => {
  it('send --dry-run (GPS check included) never imports sharp', async () => {
    const r = await h.run(['send', '--to', '+15551234567', '--media', 'where.jpg', '--dry-run'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Warning: --media where.jpg carries GPS coordinates');
    expect(imported.count).toBe(0);
  });

  it('send --fit fails before sending, naming sharp and how to install it', async () => {
    const r = await h.run(['send', '--to', '+15551234567', '--media', 'where.jpg', '--fit-budget', '10KB', '--body', 'x'], { cwd: dir });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('--fit needs the image library sharp, which is not installed');
    expect(h.messages()).toHaveLength(0);
  });
});
