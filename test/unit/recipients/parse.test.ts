import { describe, expect, it } from 'vitest';
import {
  findMissingPlaceholders,
  listPlaceholders,
  parseRecipientFile,
  parseRecipients,
  readCsvRecords,
  renderTemplate,
} from '../../../src/recipients/parse.js';

// 202-555-01xx numbers are reserved for fiction but valid for libphonenumber's US metadata.
const A = '+12025550143';
const B = '+12025550144';
const C = '+12025550145';

const file = (text: string, source = 'list.csv') => ({ text, source });

describe('parseRecipients: --to values', () => {
  it('splits comma-separated values, accepts repeats, normalises with the default country', () => {
    const r = parseRecipients({ to: ['+1 202 555 0143, (202) 555-0144', '202.555.0145'], defaultCountry: 'us' });
    expect(r.valid.map((v) => v.to)).toEqual([A, B, C]);
    expect(r.valid[0]).toEqual({ to: A, fields: {} });
    expect(r.invalid).toEqual([]);
    expect(r.duplicates).toBe(0);
  });

  it('reports every invalid value with source --to and no line', () => {
    const r = parseRecipients({ to: ['abc,2025550143', '+1202555'] });
    expect(r.valid).toEqual([]);
    expect(r.invalid).toEqual([
      { input: 'abc', source: '--to', reason: expect.stringContaining('not part of a phone number') },
      { input: '2025550143', source: '--to', reason: expect.stringContaining('--default-country') },
      { input: '+1202555', source: '--to', reason: expect.any(String) },
    ]);
  });

  it('ignores empty pieces such as a trailing comma', () => {
    expect(parseRecipients({ to: [`${A},`, ' , '] }).valid).toHaveLength(1);
  });

  it('dedupes on E.164 across --to and the file, first one wins', () => {
    const r = parseRecipients({
      to: [A, '+1 (202) 555-0143'],
      file: file(`phone,name\n${B},Bo\n202-555-0143,Al\n${B},Again\n`),
      defaultCountry: 'US',
    });
    expect(r.valid.map((v) => v.to)).toEqual([A, B]);
    expect(r.valid[1]).toEqual({ to: B, fields: { name: 'Bo' }, line: 2 });
    expect(r.duplicates).toBe(3);
    expect(r.columns).toEqual(['phone', 'name']);
  });

  it('reports an unknown default country instead of a misleading reason', () => {
    const r = parseRecipients({ to: ['2025550143'], defaultCountry: 'XX' });
    expect(r.invalid[0]?.reason).toMatch(/unknown default country "XX"/);
  });
});

describe('parseRecipientFile: plain lists', () => {
  it('reads one number per line, skipping comments and blank lines, with line numbers', () => {
    const r = parseRecipientFile(file(`# subscribers\n\n${A}\n  # indented comment\n${B}  # Bob\n\nnot-a-number\n`, 'subs.txt'));
    expect(r.valid).toEqual([
      { to: A, fields: {}, line: 3 },
      { to: B, fields: {}, line: 5 },
    ]);
    expect(r.invalid).toEqual([{ input: 'not-a-number', source: 'subs.txt', line: 7, reason: expect.any(String) }]);
    expect(r.columns).toBeUndefined();
  });

  it('handles CRLF, lone CR, a BOM and no final newline', () => {
    const r = parseRecipientFile(file(`\uFEFF${A}\r\n${B}\r${C}`));
    expect(r.valid.map((v) => [v.to, v.line])).toEqual([
      [A, 1],
      [B, 2],
      [C, 3],
    ]);
  });

  it('counts duplicates inside the file', () => {
    const r = parseRecipientFile(file(`${A}\n${A}\n+1 202 555 0143\n`));
    expect(r.valid).toHaveLength(1);
    expect(r.duplicates).toBe(2);
  });

  it('returns nothing for an empty or comment-only file', () => {
    expect(parseRecipientFile(file(''))).toEqual({ valid: [], invalid: [], duplicates: 0 });
    expect(parseRecipientFile(file('# nothing yet\n\n'))).toEqual({ valid: [], invalid: [], duplicates: 0 });
  });

  it('uses the default country for national numbers', () => {
    const r = parseRecipientFile(file('020 7946 0958\n'), 'GB');
    expect(r.valid[0]?.to).toBe('+442079460958');
  });
});

describe('parseRecipientFile: CSV', () => {
  it('finds the phone column case-insensitively and keeps the other columns as fields', () => {
    const r = parseRecipientFile(file(`Name,PHONE,City\nAl,${A},Paris\nBo,${B},Oslo\n`));
    expect(r.columns).toEqual(['Name', 'PHONE', 'City']);
    expect(r.valid).toEqual([
      { to: A, fields: { Name: 'Al', City: 'Paris' }, line: 2 },
      { to: B, fields: { Name: 'Bo', City: 'Oslo' }, line: 3 },
    ]);
  });

  it.each([['to'], ['Number'], ['phone_number'], ['Mobile'], [' phone ']])('accepts %j as the phone column', (header) => {
    const r = parseRecipientFile(file(`${header},x\n${A},1\n`));
    expect(r.valid).toEqual([{ to: A, fields: { x: '1' }, line: 2 }]);
  });

  it('prefers "phone" over "number" when both exist', () => {
    const r = parseRecipientFile(file(`number,phone\n42,${A}\n`));
    expect(r.valid).toEqual([{ to: A, fields: { number: '42' }, line: 2 }]);
  });

  it('accepts a one-column CSV with just a header', () => {
    const r = parseRecipientFile(file(`phone\n${A}\n`));
    expect(r.valid).toEqual([{ to: A, fields: {}, line: 2 }]);
  });

  it('handles quoted fields with commas, escaped quotes and embedded newlines, keeping line numbers right', () => {
    const text = ['phone,name,note', `"${A}","Smith, John","said ""hi"""`, `${B},"Multi`, `line`, `name",x`, `${C},Cy,"a\r\nb"`, ''].join('\n');
    const r = parseRecipientFile(file(text));
    expect(r.valid).toEqual([
      { to: A, fields: { name: 'Smith, John', note: 'said "hi"' }, line: 2 },
      { to: B, fields: { name: 'Multi\nline\nname', note: 'x' }, line: 3 },
      { to: C, fields: { name: 'Cy', note: 'a\r\nb' }, line: 6 },
    ]);
    expect(r.invalid).toEqual([]);
  });

  it.each([
    ['semicolons (spreadsheet export)', ';'],
    ['tabs', '\t'],
  ])('detects %s from the header', (_name, d) => {
    const r = parseRecipientFile(file(`name${d}phone\n"Smith${d} J"${d}${A}\n`));
    expect(r.valid).toEqual([{ to: A, fields: { name: `Smith${d} J` }, line: 2 }]);
  });

  it('keeps commas as the delimiter when the comma header has a phone column', () => {
    const r = parseRecipientFile(file(`phone,note\n${A},a;b\n`));
    expect(r.valid[0]?.fields).toEqual({ note: 'a;b' });
  });

  it('handles a BOM before the header and CRLF line ends', () => {
    const r = parseRecipientFile(file(`\uFEFFphone,name\r\n${A},Al\r\n\r\n${B},Bo\r\n`));
    expect(r.columns).toEqual(['phone', 'name']);
    expect(r.valid).toEqual([
      { to: A, fields: { name: 'Al' }, line: 2 },
      { to: B, fields: { name: 'Bo' }, line: 4 },
    ]);
  });

  it('skips comment lines before the header and between rows', () => {
    const r = parseRecipientFile(file(`# exported 2024-01-01\nphone,name\n# vip\n${A},Al\n`));
    expect(r.valid).toEqual([{ to: A, fields: { name: 'Al' }, line: 4 }]);
  });

  it('reports a header without a phone column once, naming the columns', () => {
    const r = parseRecipientFile(file(`name,email\nAl,a@example.com\n`, 'people.csv'));
    expect(r.valid).toEqual([]);
    expect(r.invalid).toEqual([
      { input: 'name,email', source: 'people.csv', line: 1, reason: expect.stringMatching(/no phone, to or number column \(columns: name, email\)/) },
    ]);
  });

  it('reports every invalid row with its line number and keeps going', () => {
    const text = `phone,name\n${A},Al\nnope,Bad\n,Empty\n${B},Bo,extra\n2025550145,NoCountry\n${C},Cy\n`;
    const r = parseRecipientFile(file(text, 'list.csv'));
    expect(r.valid.map((v) => [v.to, v.line])).toEqual([
      [A, 2],
      [C, 7],
    ]);
    expect(r.invalid).toEqual([
      { input: 'nope', source: 'list.csv', line: 3, reason: expect.stringContaining('not part of a phone number') },
      { input: ',Empty', source: 'list.csv', line: 4, reason: 'the phone column is empty' },
      { input: `${B},Bo,extra`, source: 'list.csv', line: 5, reason: expect.stringContaining('3 fields but the header has 2') },
      { input: '2025550145', source: 'list.csv', line: 6, reason: expect.stringContaining('--default-country') },
    ]);
  });

  it('reports a row with fewer fields than the header at its line (its templates would be filled with nothing)', () => {
    const r = parseRecipientFile(file(`phone,name,city\n${A},Al\n${B},Bo,Berlin\n`));
    expect(r.valid.map((v) => v.to)).toEqual([B]);
    expect(r.invalid).toEqual([
      { input: `${A},Al`, source: 'list.csv', line: 2, reason: 'has 2 fields but the header has 3 (add the missing values, even if empty)' },
    ]);
  });

  it('reports an unterminated quote at its starting line', () => {
    const r = parseRecipientFile(file(`phone,name\n${A},Al\n${B},"Bo\n${C},Cy\n`));
    expect(r.valid.map((v) => v.to)).toEqual([A]);
    expect(r.invalid).toEqual([{ input: `${B},"Bo\n${C},Cy`, source: 'list.csv', line: 3, reason: expect.stringContaining('not closed') }]);
  });

  it('never throws on hostile input', () => {
    for (const text of ['"', '""""', ',,,,\n', 'phone\n"', '\uFEFF', '\r\r\r', 'phone,\n,\n', '#']) {
      expect(() => parseRecipientFile(file(text))).not.toThrow();
    }
  });

  it('parses 10,000 rows quickly', () => {
    const rows = ['phone,name'];
    for (let i = 0; i < 10_000; i++) rows.push(`+1202555${String(i % 10_000).padStart(4, '0')},n${i}`);
    const started = performance.now();
    const r = parseRecipientFile(file(rows.join('\n')));
    expect(r.valid.length + r.invalid.length).toBe(10_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('readCsvRecords', () => {
  it('keeps empty cells and the starting line of each record', () => {
    expect(readCsvRecords('a,,c\n"x\ny",z\n').map((r) => [r.cells, r.line])).toEqual([
      [['a', '', 'c'], 1],
      [['x\ny', 'z'], 2],
    ]);
  });
});

describe('templates', () => {
  it('lists placeholders in order, once each, tolerating spaces', () => {
    expect(listPlaceholders('Hi {{ name }}, {{city}} {{name}}')).toEqual(['name', 'city']);
  });

  it('renders fields, matching names exactly first and then ignoring case', () => {
    expect(renderTemplate('Hi {{Name}} from {{ city }}!', { name: 'Al', city: 'Oslo' })).toBe('Hi Al from Oslo!');
    expect(renderTemplate('{{a}}/{{A}}', { a: 'lower', A: 'upper' })).toBe('lower/upper');
  });

  it('leaves unknown placeholders and plain braces alone', () => {
    expect(renderTemplate('{{missing}} {x} {{}', {})).toBe('{{missing}} {x} {{}');
  });

  it('does not re-expand placeholders that appear inside values', () => {
    expect(renderTemplate('{{a}}', { a: '{{b}}', b: 'no' })).toBe('{{b}}');
  });

  it('finds the placeholders no column provides', () => {
    expect(findMissingPlaceholders('Hi {{name}}, your code is {{ Code }} ({{plan}})', ['name', 'code'])).toEqual(['plan']);
    expect(findMissingPlaceholders('no placeholders', [])).toEqual([]);
  });
});
