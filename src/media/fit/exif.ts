// Pure, dependency-free metadata inspection and lossless stripping for JPEG and PNG: finds GPS coordinates
// (a warning when a local photo is sent without --fit) and removes EXIF/XMP/IPTC/comments without touching
// the compressed image data (--strip-metadata). Every offset is bounds-checked and every loop advances, so
// garbage input returns "nothing found" instead of throwing or spinning (property-tested with fast-check).
// References: JPEG markers (ITU T.81 Annex B), Exif 2.32 (CIPA DC-008) §4.5–4.6, PNG (W3C, 3rd ed.) §5 and eXIf.

/** What a file carries besides its pixels. */
export interface MetadataReport {
  format: 'jpeg' | 'png' | 'other';
  /** EXIF GPS latitude or longitude is present. */
  hasGps: boolean;
  /** EXIF orientation (1–8) when present. */
  orientation?: number;
  /** Anything stripMetadata would remove (EXIF, XMP, IPTC, comments, text chunks, trailing data). */
  hasMetadata: boolean;
}

/** The result of a lossless strip. */
export interface StripResult {
  data: Uint8Array;
  /** What was removed, e.g. ['EXIF', 'GPS', 'XMP']. */
  removed: string[];
}

interface TiffInfo {
  orientation?: number;
  hasGps: boolean;
}

const MAX_IFD_ENTRIES = 1000;

/** Reads orientation and GPS presence from a TIFF structure (the body of an EXIF block). */
function readTiff(b: Uint8Array, base: number, end: number): TiffInfo {
  const info: TiffInfo = { hasGps: false };
  if (end - base < 8) return info;
  const le = b[base] === 0x49 && b[base + 1] === 0x49;
  if (!le && !(b[base] === 0x4d && b[base + 1] === 0x4d)) return info;
  const u16 = (o: number) => (le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!);
  const u32 = (o: number) => (le ? u16(o) + u16(o + 2) * 65536 : u16(o) * 65536 + u16(o + 2));
  if (u16(base + 2) !== 42) return info;
  const entries = (ifd: number): Array<{ tag: number; type: number; at: number }> => {
    const at = base + ifd;
    if (ifd < 8 || at + 2 > end) return [];
    const n = u16(at);
    if (n > MAX_IFD_ENTRIES || at + 2 + n * 12 > end) return [];
    return Array.from({ length: n }, (_, i) => ({ tag: u16(at + 2 + i * 12), type: u16(at + 4 + i * 12), at: at + 2 + i * 12 }));
  };
  let gpsIfd: number | undefined;
  for (const e of entries(u32(base + 4))) {
    if (e.tag === 0x0112 && e.type === 3) info.orientation = u16(e.at + 8);
    if (e.tag === 0x8825) gpsIfd = u32(e.at + 8);
  }
  // GPSLatitude (2) and GPSLongitude (4) are the location; a GPS IFD with only a version tag is not.
  if (gpsIfd !== undefined) info.hasGps = entries(gpsIfd).some((e) => e.tag === 2 || e.tag === 4);
  return info;
}

interface JpegPiece {
  start: number;
  end: number;
  /** 0 for SOI, entropy-coded data and standalone markers; the marker byte for segments. */
  marker: number;
  keep: boolean;
  what?: string;
}

const startsWith = (b: Uint8Array, at: number, s: string) => s.length <= b.length - at && [...s].every((c, i) => b[at + i] === c.charCodeAt(0));

/** Classifies an APPn/COM segment: undefined keeps it, a name drops it. */
function jpegSegmentName(b: Uint8Array, marker: number, payload: number): string | undefined {
  if (marker === 0xe1) return startsWith(b, payload, 'Exif\0') ? 'EXIF' : startsWith(b, payload, 'http://ns.adobe.com/') ? 'XMP' : 'APP1';
  if (marker === 0xe0) return undefined; // JFIF/JFXX: density and thumbnail format only
  if (marker === 0xe2) return startsWith(b, payload, 'ICC_PROFILE\0') ? undefined : startsWith(b, payload, 'MPF\0') ? 'MPF' : 'APP2';
  if (marker === 0xee) return undefined; // Adobe: the colour transform needed to decode CMYK/YCCK correctly
  if (marker === 0xed) return 'IPTC';
  if (marker === 0xfe) return 'comment';
  if (marker >= 0xe3 && marker <= 0xef) return `APP${marker - 0xe0}`;
  return undefined;
}

/** Splits a JPEG into pieces up to EOI, or undefined when it is not a complete-enough JPEG to rewrite. */
function jpegPieces(b: Uint8Array): { pieces: JpegPiece[]; end: number; exif?: TiffInfo } | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  const pieces: JpegPiece[] = [{ start: 0, end: 2, marker: 0, keep: true }];
  let pos = 2;
  let sawScan = false;
  let exif: TiffInfo | undefined;
  while (pos < b.length) {
    if (b[pos] !== 0xff) return undefined;
    const markerAt = pos;
    while (pos < b.length && b[pos] === 0xff) pos++; // fill bytes
    if (pos >= b.length) return undefined;
    const marker = b[pos++]!;
    if (marker === 0xd9) {
      pieces.push({ start: markerAt, end: pos, marker: 0, keep: true });
      return { pieces, end: pos, ...(exif ? { exif } : {}) };
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      pieces.push({ start: markerAt, end: pos, marker: 0, keep: true });
      continue;
    }
    if (pos + 2 > b.length) return undefined;
    const len = (b[pos]! << 8) | b[pos + 1]!;
    if (len < 2 || pos + len > b.length) return undefined;
    const what = jpegSegmentName(b, marker, pos + 2);
    if (what === 'EXIF' && !exif) exif = readTiff(b, pos + 8, pos + len);
    pieces.push({ start: markerAt, end: pos + len, marker, keep: what === undefined, ...(what ? { what } : {}) });
    pos += len;
    if (marker === 0xda) {
      sawScan = true;
      const dataStart = pos;
      // Entropy-coded data runs to the next marker that is not a stuffed 0x00, a restart marker or fill.
      while (pos < b.length) {
        if (b[pos] === 0xff && pos + 1 < b.length) {
          const n = b[pos + 1]!;
          if (n === 0 || (n >= 0xd0 && n <= 0xd7) || n === 0xff) {
            pos += n === 0xff ? 1 : 2;
            continue;
          }
          break;
        }
        pos++;
      }
      pieces.push({ start: dataStart, end: pos, marker: 0, keep: true });
    }
  }
  // No EOI: a truncated file still decodes if the scan began; keep what there is.
  return sawScan ? { pieces, end: b.length, ...(exif ? { exif } : {}) } : undefined;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
// Ancillary chunks that describe how to show the pixels (colour, transparency, animation), not who/where/when.
const PNG_KEEP = new Set(['tRNS', 'gAMA', 'cHRM', 'sRGB', 'iCCP', 'sBIT', 'pHYs', 'bKGD', 'acTL', 'fcTL', 'fdAT', 'cICP', 'mDCV', 'cLLI', 'hIST', 'sPLT']);

interface PngChunk {
  start: number;
  end: number;
  type: string;
}

/** Splits a PNG into chunks up to IEND, or undefined when it is not a PNG. */
function pngChunks(b: Uint8Array): { chunks: PngChunk[]; end: number } | undefined {
  if (b.length < 8 || PNG_SIGNATURE.some((v, i) => b[i] !== v)) return undefined;
  const chunks: PngChunk[] = [];
  let pos = 8;
  while (pos + 12 <= b.length) {
    const len = ((b[pos]! << 24) >>> 0) + (b[pos + 1]! << 16) + (b[pos + 2]! << 8) + b[pos + 3]!;
    const end = pos + 12 + len;
    if (end > b.length) return undefined;
    const type = String.fromCharCode(b[pos + 4]!, b[pos + 5]!, b[pos + 6]!, b[pos + 7]!);
    chunks.push({ start: pos, end, type });
    pos = end;
    if (type === 'IEND') return { chunks, end };
  }
  return undefined;
}

const isCritical = (type: string) => type.charCodeAt(0) >= 0x41 && type.charCodeAt(0) <= 0x5a;

/** What a JPEG or PNG carries besides pixels (never throws). */
export function inspectMetadata(bytes: Uint8Array): MetadataReport {
  const jpeg = jpegPieces(bytes);
  if (jpeg) {
    const hasMetadata = jpeg.pieces.some((p) => !p.keep) || jpeg.end < bytes.length;
    return { format: 'jpeg', hasGps: jpeg.exif?.hasGps ?? false, hasMetadata, ...(jpeg.exif?.orientation ? { orientation: jpeg.exif.orientation } : {}) };
  }
  const png = pngChunks(bytes);
  if (png) {
    let tiff: TiffInfo = { hasGps: false };
    const exifChunk = png.chunks.find((c) => c.type === 'eXIf');
    if (exifChunk) tiff = readTiff(bytes, exifChunk.start + 8, exifChunk.end - 4);
    const hasMetadata = png.chunks.some((c) => !isCritical(c.type) && !PNG_KEEP.has(c.type)) || png.end < bytes.length;
    return { format: 'png', hasGps: tiff.hasGps, hasMetadata, ...(tiff.orientation ? { orientation: tiff.orientation } : {}) };
  }
  return { format: 'other', hasGps: false, hasMetadata: false };
}

/** A minimal big-endian EXIF APP1 segment holding only an orientation tag. */
function orientationSegment(orientation: number): Uint8Array {
  const body = [
    ...[0x45, 0x78, 0x69, 0x66, 0, 0], // "Exif\0\0"
    ...[0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8], // TIFF header, IFD0 at 8
    ...[0, 1], // one entry
    ...[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0], // Orientation SHORT ×1
    ...[0, 0, 0, 0], // no next IFD
  ];
  const len = body.length + 2;
  return Uint8Array.from([0xff, 0xe1, len >> 8, len & 0xff, ...body]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function stripJpeg(b: Uint8Array, jpeg: NonNullable<ReturnType<typeof jpegPieces>>): StripResult {
  const removed = new Set<string>();
  const parts: Uint8Array[] = [];
  const orientation = jpeg.exif?.orientation;
  for (const p of jpeg.pieces) {
    if (!p.keep) {
      removed.add(p.what ?? 'metadata');
      continue;
    }
    parts.push(b.subarray(p.start, p.end));
    // Without the orientation tag a portrait phone photo would show sideways: keep just that one tag,
    // after SOI or after JFIF APP0 (which must come first).
    const afterHeader = p.start === 0 ? jpeg.pieces[1]?.marker !== 0xe0 : p.marker === 0xe0 && parts.length === 2;
    if (afterHeader && orientation && orientation !== 1 && orientation <= 8) parts.push(orientationSegment(orientation));
  }
  if (jpeg.exif?.hasGps) removed.add('GPS');
  if (jpeg.end < b.length) removed.add('trailing data');
  return { data: concat(parts), removed: [...removed] };
}

function stripPng(b: Uint8Array, png: NonNullable<ReturnType<typeof pngChunks>>): StripResult {
  const removed = new Set<string>();
  const parts: Uint8Array[] = [b.subarray(0, 8)];
  for (const c of png.chunks) {
    if (isCritical(c.type) || PNG_KEEP.has(c.type)) parts.push(b.subarray(c.start, c.end));
    else removed.add(c.type === 'eXIf' ? 'EXIF' : c.type);
  }
  const exifChunk = png.chunks.find((c) => c.type === 'eXIf');
  if (exifChunk && readTiff(b, exifChunk.start + 8, exifChunk.end - 4).hasGps) removed.add('GPS');
  if (png.end < b.length) removed.add('trailing data');
  return { data: concat(parts), removed: [...removed] };
}

/**
 * Removes metadata from a JPEG or PNG without re-encoding: the compressed image data is copied byte for byte.
 * JPEG keeps JFIF, ICC and Adobe segments plus a minimal orientation tag; PNG keeps colour/animation chunks.
 * Returns undefined for other formats or files too damaged to rewrite (never throws).
 */
export function stripMetadata(bytes: Uint8Array): StripResult | undefined {
  const jpeg = jpegPieces(bytes);
  if (jpeg) return stripJpeg(bytes, jpeg);
  const png = pngChunks(bytes);
  return png ? stripPng(bytes, png) : undefined;
}

/** Whether a TIFF structure (an EXIF block, e.g. a HEIF `Exif` item after its header offset) holds GPS coordinates. */
export function tiffHasGps(b: Uint8Array): boolean {
  return readTiff(b, 0, b.length).hasGps;
}
