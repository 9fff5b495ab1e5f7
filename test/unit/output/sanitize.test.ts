import { describe, expect, it } from 'vitest';
import { safeFileName, sanitizeForTerminal } from '../../../src/output/sanitize.js';

// Nothing in the output may be a control character or a bidi control.
const RAW_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

describe('sanitizeForTerminal', () => {
  it.each([
    ['plain ascii', 'hello world', 'hello world'],
    ['newline and CR', 'a\nb\r\nc', 'a\\nb\\r\\nc'],
    ['tab', 'a\tb', 'a\\tb'],
    ['NUL and BEL', 'a\u0000b\u0007', 'a\\u0000b\\u0007'],
    ['DEL', 'x\u007fy', 'x\\u007fy'],
    ['CSI color', '\u001b[31mred\u001b[0m', '\\u001b[31mred\\u001b[0m'],
    ['CSI clear screen', '\u001b[2J\u001b[H', '\\u001b[2J\\u001b[H'],
    ['OSC 52 clipboard write (BEL)', '\u001b]52;c;ZWNobyBwd25lZA==\u0007', '\\u001b]52;c;ZWNobyBwd25lZA==\\u0007'],
    [
      'OSC 8 hyperlink (ST)',
      '\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\',
      '\\u001b]8;;https://evil.example\\u001b\\click\\u001b]8;;\\u001b\\',
    ],
    ['DCS', '\u001bP1$r0m\u001b\\', '\\u001bP1$r0m\\u001b\\'],
    ['C1 CSI', '\u009b31m', '\\u009b31m'],
    ['C1 OSC and NEL', '\u009d0;title\u009c\u0085', '\\u009d0;title\\u009c\\u0085'],
    ['backspace overwrite', 'rm -rf /\b\b\b\bls', 'rm -rf /\\u0008\\u0008\\u0008\\u0008ls'],
    ['RLO trojan source', 'invoice\u202Egpj.exe', 'invoice\\u202egpj.exe'],
    ['isolates and marks', '\u2066a\u2069\u200e\u200f\u061c', '\\u2066a\\u2069\\u200e\\u200f\\u061c'],
    ['line separators and BOM', 'a\u2028b\u2029c\ufeff', 'a\\u2028b\\u2029c\\ufeff'],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeForTerminal(input)).toBe(expected);
  });

  it('keeps non-ASCII text, emoji with ZWJ, combining marks and RTL letters', () => {
    const s = 'héllo 👋 👩‍👩‍👧 é שלום مرحبا 日本語 🇫🇷';
    expect(sanitizeForTerminal(s)).toBe(s);
  });

  it('escapes lone surrogates but keeps valid pairs', () => {
    expect(sanitizeForTerminal('a\ud800b')).toBe('a\\ud800b');
    expect(sanitizeForTerminal('a\udc00b')).toBe('a\\udc00b');
    expect(sanitizeForTerminal('\ud83d\ude00')).toBe('😀');
    expect(sanitizeForTerminal('\udc00\ud800')).toBe('\\udc00\\ud800');
  });

  it('leaves no raw control character for every code point below U+00A0', () => {
    let all = '';
    for (let i = 0; i < 0xa0; i++) all += String.fromCharCode(i);
    const out = sanitizeForTerminal(all);
    expect(out).not.toMatch(RAW_UNSAFE);
    expect(out).toContain(' !"#$%&');
  });

  it('is idempotent on its own output', () => {
    const once = sanitizeForTerminal('\u001b[1m\nx\u202e');
    expect(sanitizeForTerminal(once)).toBe(once);
  });
});

describe('safeFileName', () => {
  it.each([
    ['photo.jpg', 'photo.jpg'],
    ['../../etc/passwd', '_.._etc_passwd'],
    ['..\\..\\windows\\system32\\cmd.exe', '_.._windows_system32_cmd.exe'],
    ['/etc/shadow', '_etc_shadow'],
    ['..', 'file'],
    ['.', 'file'],
    ['...', 'file'],
    ['', 'file'],
    ['/', 'file'],
    ['../', 'file'],
    ['.bashrc', 'bashrc'],
    ['-rf', 'rf'],
    ['  spaced.png  ', 'spaced.png'],
    ['trailing.dot.', 'trailing.dot'],
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['Lpt1.jpg', '_Lpt1.jpg'],
    ['COM¹', '_COM¹'],
    ['nul', '_nul'],
    ['console.png', 'console.png'],
    ['a<b>c:d"e|f?g*h.gif', 'a_b_c_d_e_f_g_h.gif'],
    ['evil\u001b[31m.jpg', 'evil_[31m.jpg'],
    ['invoice\u202Egpj.exe', 'invoice_gpj.exe'],
    ['new\nline.png', 'new_line.png'],
    ['bad\u0000null.png', 'bad_null.png'],
    ['ünïcödé 写真.jpeg', 'ünïcödé 写真.jpeg'],
  ])('%j → %j', (input, expected) => {
    expect(safeFileName(input)).toBe(expected);
  });

  it('normalises to NFC', () => {
    expect(safeFileName('e\u0301.png')).toBe('\u00e9.png');
  });

  it('uses the fallback option', () => {
    expect(safeFileName('../', { fallback: 'media' })).toBe('media');
  });

  it('limits the UTF-8 length and keeps the extension', () => {
    const out = safeFileName(`${'a'.repeat(500)}.jpeg`);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(200);
    expect(out.endsWith('.jpeg')).toBe(true);
  });

  it('never splits a multi-byte character when truncating', () => {
    const out = safeFileName(`${'😀'.repeat(100)}.png`, { maxBytes: 50 });
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(50);
    expect(out).toBe(`${'😀'.repeat(11)}.png`);
    expect(out).not.toMatch(/[\ud800-\udfff](?![\udc00-\udfff])/u);
  });

  it('never returns separators, traversal or a leading dot for random nasty input', () => {
    const pieces = ['..', '/', '\\', '.', '\u0000', '\u001b', 'a', 'é', '😀', ' ', '-', 'CON', ':', '\u202e'];
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (let i = 0; i < 2000; i++) {
      let s = '';
      const n = rand() % 12;
      for (let j = 0; j < n; j++) s += pieces[rand() % pieces.length];
      const out = safeFileName(s);
      expect(out.length).toBeGreaterThan(0);
      expect(out).not.toMatch(/[/\\]/);
      expect(out).not.toMatch(/^[.\s-]/);
      expect(out).not.toMatch(/[.\s]$/);
      expect(out).not.toMatch(RAW_UNSAFE);
      expect(out).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i);
    }
  });
});
