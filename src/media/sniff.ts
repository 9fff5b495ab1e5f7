// MIME type from a file's first bytes (pure). Covers what MMS carries: images, audio, video, PDF,
// vCard/iCal. Returns undefined when the content is not recognised.

function ascii(buf: Uint8Array, start: number, len: number): string {
  return String.fromCharCode(...buf.subarray(start, start + len));
}

// ISO BMFF image brands (HEIF: ISO/IEC 23008-12 Annex B; AVIF: AV1 Image File Format §9): iPhones write
// `heic`, bursts and Live Photos `hevc`/`heix`/`hevx`, Samsung and others `mif1`/`msf1` with `heic` among the
// compatible brands, and the multi-layer variants `heim`/`heis`/`hevm`/`hevs`.
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const HEIF_BRANDS = new Set(['mif1', 'mif2', 'msf1', 'miaf']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/** The image type of an ISO BMFF file from its major brand (and, for generic HEIF brands, its compatible brands). */
function isoImageType(brand: string, b: Uint8Array): string | undefined {
  if (HEIC_BRANDS.has(brand)) return 'image/heic';
  if (AVIF_BRANDS.has(brand)) return 'image/avif';
  if (!HEIF_BRANDS.has(brand)) return undefined;
  // ftyp: size(4) 'ftyp' major(4) minor(4) then compatible brands, as far as the box and the head reach.
  const boxEnd = Math.min(b.length, ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0);
  const compatible: string[] = [];
  for (let at = 16; at + 4 <= boxEnd; at += 4) compatible.push(ascii(b, at, 4));
  if (compatible.some((c) => AVIF_BRANDS.has(c))) return 'image/avif';
  return 'image/heic';
}

/** Detects the MIME type of a file from its leading bytes (at least 32 recommended). */
export function sniffMime(head: Uint8Array): string | undefined {
  const b = head;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a) return 'image/png';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'image/gif';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF') {
    const kind = ascii(b, 8, 4);
    if (kind === 'WEBP') return 'image/webp';
    if (kind === 'WAVE') return 'audio/wav';
    if (kind === 'AVI ') return 'video/x-msvideo';
  }
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'image/bmp';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a)))
    return 'image/tiff';
  if (b.length >= 5 && ascii(b, 0, 5) === '%PDF-') return 'application/pdf';
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (brand.startsWith('3g')) return 'video/3gpp';
    if (brand === 'qt  ') return 'video/quicktime';
    if (brand === 'M4A ' || brand === 'M4B ') return 'audio/mp4';
    const still = isoImageType(brand, b);
    if (still) return still;
    return 'video/mp4';
  }
  if (b.length >= 3 && ascii(b, 0, 3) === 'ID3') return 'audio/mpeg';
  if (b.length >= 2 && b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0) return 'audio/mpeg';
  if (b.length >= 4 && ascii(b, 0, 4) === 'OggS') return 'audio/ogg';
  if (b.length >= 6 && ascii(b, 0, 6) === '#!AMR\n') return 'audio/amr';
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'video/webm';
  const text = ascii(b, 0, Math.min(b.length, 32))
    .replace(/^\uFEFF/, '')
    .replace(/^\xEF\xBB\xBF/, '')
    .trimStart()
    .toUpperCase();
  if (text.startsWith('BEGIN:VCARD')) return 'text/vcard';
  if (text.startsWith('BEGIN:VCALENDAR')) return 'text/calendar';
  return undefined;
}

/** True when two MIME types name the same thing (image/jpg vs image/jpeg, x- prefixes). */
export function sameMime(a: string, b: string): boolean {
  const norm = (t: string) =>
    t
      .toLowerCase()
      .split(';')[0]!
      .trim()
      .replace('/x-', '/')
      .replace('image/jpg', 'image/jpeg')
      .replace('audio/x-wav', 'audio/wav')
      .replace('audio/wave', 'audio/wav');
  return norm(a) === norm(b);
}
