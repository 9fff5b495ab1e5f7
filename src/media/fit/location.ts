// Cheap "does this file say where it was made?" for ISO base media files (ISO/IEC 14496-12), without sharp or
// ffmpeg: only box headers, the `moov` box of MP4/MOV/3GP and the `meta` box and EXIF item of HEIC/HEIF/AVIF
// are read, whatever the file's size.
// - Video: user data `moov/udta/©xyz` (ISO 6709 string, written by iOS and Android cameras), the 3GPP location box
//   `moov/udta/loci` (3GPP TS 26.244 §8.10, what ffmpeg writes for MP4), or the QuickTime metadata key
//   `com.apple.quicktime.location.ISO6709` (moov/meta/keys).
// - HEIF (ISO/IEC 23008-12 §A.2.1): the `Exif` item found through `meta/iinf`, located by `meta/iloc`, holds a
//   4-byte offset then a TIFF structure whose GPS IFD is read like a JPEG's.
// Every offset is bounds-checked; anything unexpected means "no location found", never an error.
import { open, type FileHandle } from 'node:fs/promises';
import { tiffHasGps } from './exif.js';

interface Box {
  type: string;
  /** Offset of the payload (after the header). */
  start: number;
  end: number;
}

const MAX_BOXES = 4096;
const MAX_MOOV = 64 * 1024 * 1024;
const MAX_META = 4 * 1024 * 1024;
const MAX_EXIF = 1024 * 1024;
const LOCATION_BOXES = new Set([Buffer.from([0xa9, 0x78, 0x79, 0x7a]).toString('latin1'), 'loci']);
const QT_LOCATION_KEY = Buffer.from('com.apple.quicktime.location.ISO6709');

/** Children of a box held in memory (payload `b[from, to)`). */
function boxesIn(b: Buffer, from: number, to: number): Box[] {
  const out: Box[] = [];
  for (let at = from; at + 8 <= to && out.length < MAX_BOXES;) {
    let size = b.readUInt32BE(at);
    let header = 8;
    if (size === 1 && at + 16 <= to) {
      size = Number(b.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header || at + size > to) break;
    out.push({ type: b.toString('latin1', at + 4, at + 8), start: at + header, end: at + size });
    at += size;
  }
  return out;
}

/** Top-level boxes of a file, from their headers only. */
async function topBoxes(fh: FileHandle, fileSize: number): Promise<Box[]> {
  const out: Box[] = [];
  const head = Buffer.alloc(16);
  for (let at = 0; at + 8 <= fileSize && out.length < MAX_BOXES;) {
    const { bytesRead } = await fh.read(head, 0, 16, at);
    if (bytesRead < 8) break;
    let size = head.readUInt32BE(0);
    let header = 8;
    if (size === 1 && bytesRead === 16) {
      size = Number(head.readBigUInt64BE(8));
      header = 16;
    } else if (size === 0) size = fileSize - at;
    if (size < header || at + size > fileSize) break;
    out.push({ type: head.toString('latin1', 4, 8), start: at + header, end: at + size });
    at += size;
  }
  return out;
}

async function readRange(fh: FileHandle, start: number, end: number): Promise<Buffer> {
  const b = Buffer.alloc(end - start);
  const { bytesRead } = await fh.read(b, 0, b.length, start);
  return b.subarray(0, bytesRead);
}

/** True when an MP4/MOV/3GP/M4A file or a HEIC/HEIF/AVIF image records where it was made (never throws). */
export async function hasIsoBmffLocation(path: string): Promise<boolean> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const size = (await fh.stat()).size;
    for (const box of await topBoxes(fh, size)) {
      const len = box.end - box.start;
      if (box.type === 'moov' && len <= MAX_MOOV && videoHasLocation(await readRange(fh, box.start, box.end))) return true;
      if (box.type === 'meta' && len <= MAX_META) {
        const exif = await heifExif(fh, await readRange(fh, box.start, box.end), box.start);
        if (exif && tiffHasGps(exif)) return true;
      }
    }
    return false;
  } catch {
    return false;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

function videoHasLocation(moov: Buffer): boolean {
  if (moov.includes(QT_LOCATION_KEY)) return true;
  return boxesIn(moov, 0, moov.length).some((b) => b.type === 'udta' && boxesIn(moov, b.start, b.end).some((c) => LOCATION_BOXES.has(c.type)));
}

/** The TIFF bytes of a HEIF file's Exif item, from its `meta` payload (a FullBox: 4 bytes of version/flags first). */
async function heifExif(fh: FileHandle, meta: Buffer, metaFileOffset: number): Promise<Buffer | undefined> {
  const children = boxesIn(meta, 4, meta.length);
  const iinf = children.find((c) => c.type === 'iinf');
  const iloc = children.find((c) => c.type === 'iloc');
  if (!iinf || !iloc) return undefined;
  const id = exifItemId(meta, iinf);
  const extent = id === undefined ? undefined : itemExtent(meta, iloc, id);
  if (!extent || extent.length < 8 || extent.length > MAX_EXIF) return undefined;
  const idat = children.find((c) => c.type === 'idat');
  const base = extent.method === 1 ? (idat ? metaFileOffset + idat.start : -1) : 0;
  if (base < 0 || extent.method > 1) return undefined;
  const item = await readRange(fh, base + extent.offset, base + extent.offset + extent.length);
  const tiffAt = 4 + item.readUInt32BE(0);
  return tiffAt < item.length ? item.subarray(tiffAt) : undefined;
}

/** The item_ID whose `infe` (version 2 or 3) has item_type `Exif`. */
function exifItemId(b: Buffer, iinf: Box): number | undefined {
  const version = b[iinf.start]!;
  const first = iinf.start + 4 + (version === 0 ? 2 : 4);
  for (const infe of boxesIn(b, first, iinf.end)) {
    if (infe.type !== 'infe' || infe.end - infe.start < 12) continue;
    const v = b[infe.start]!;
    if (v < 2) continue;
    const idSize = v === 2 ? 2 : 4;
    const id = idSize === 2 ? b.readUInt16BE(infe.start + 4) : b.readUInt32BE(infe.start + 4);
    const typeAt = infe.start + 4 + idSize + 2;
    if (typeAt + 4 <= infe.end && b.toString('latin1', typeAt, typeAt + 4) === 'Exif') return id;
  }
  return undefined;
}

/** Where item `id`'s first extent is, per `iloc` (versions 0–2). */
function itemExtent(b: Buffer, iloc: Box, id: number): { method: number; offset: number; length: number } | undefined {
  const version = b[iloc.start]!;
  let at = iloc.start + 4;
  const uint = (n: number): number => {
    if (at + n > iloc.end) throw new RangeError('iloc');
    const v = n === 0 ? 0 : n === 2 ? b.readUInt16BE(at) : n === 4 ? b.readUInt32BE(at) : n === 8 ? Number(b.readBigUInt64BE(at)) : NaN;
    at += n;
    if (Number.isNaN(v)) throw new RangeError('iloc');
    return v;
  };
  const sizes = uint(2);
  const [offsetSize, lengthSize, baseSize] = [sizes >> 12, (sizes >> 8) & 15, (sizes >> 4) & 15];
  const indexSize = version >= 1 ? sizes & 15 : 0;
  const count = uint(version < 2 ? 2 : 4);
  for (let i = 0; i < count; i++) {
    const itemId = uint(version < 2 ? 2 : 4);
    const method = version >= 1 ? uint(2) & 15 : 0;
    uint(2); // data_reference_index
    const baseOffset = uint(baseSize);
    const extents = uint(2);
    const list = Array.from({ length: extents }, () => {
      uint(indexSize);
      return { offset: uint(offsetSize), length: uint(lengthSize) };
    });
    if (itemId === id && list[0]) return { method, offset: baseOffset + list[0].offset, length: list[0].length };
  }
  return undefined;
}
