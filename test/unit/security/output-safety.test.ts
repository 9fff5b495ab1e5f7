import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createIO } from '../../../src/output/io.js';
import { toJsonText } from '../../../src/output/json.js';
import { sanitizeForTerminal } from '../../../src/output/sanitize.js';
import { memoryIO } from '../../helpers/memory-io.js';

// Characters a terminal acts on or hides: none may reach it raw, from human or JSON output.
const HOSTILE = ['\u0085', '\u009b', '\u202e', '\u2066', '\u200b', '\u200c', '\u2060', '\u180e', '\ufeff', '\u2028', 'a\u200db'];
const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b\u200c\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

describe('outside text stays inert', () => {
  it('escapes C1, bidi, separators and zero-width characters for the terminal', () => {
    for (const h of HOSTILE) {
      const out = sanitizeForTerminal(`x${h}y`);
      expect(out).not.toMatch(RAW);
      expect(out).not.toContain('a\u200db');
      expect(out).toMatch(/\\u[0-9a-f]{4}/);
    }
  });

  it('keeps emoji ZWJ sequences (they are not hiding anything)', () => {
    const family = '\u{1F468}\u200d\u{1F469}\u200d\u{1F467}';
    expect(sanitizeForTerminal(family)).toBe(family);
    expect(sanitizeForTerminal('\u{1F3F3}\ufe0f\u200d\u{1F308}')).toBe('\u{1F3F3}\ufe0f\u200d\u{1F308}');
  });

  it('writes JSON with those characters as \\uXXXX, and the document still parses to the same value', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary' })), { maxLength: 8 }), (parts) => {
        const value = { body: parts.join(''), list: parts };
        const text = toJsonText(value, 2);
        return !RAW.test(text.replace(/\n/g, '')) && JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('IO masks registered secrets in everything it writes', () => {
  function io() {
    const { io: created, stdout, stderr } = memoryIO();
    return { created, text: () => ({ stdout: stdout(), stderr: stderr() }) };
  }

  it('masks a token echoed by a provider error body, in plain, URL-encoded and Basic forms', async () => {
    const { created, text } = io();
    const token = 'tok_5f2a9c0e1b7d4e3f8a6b';
    const sid = 'AC99887766554433221100aabbccddeeff';
    created.out('before registering, nothing is known: plain');
    created.addSecrets([token, sid]);
    created.out(`{"message":"bad token ${token}","auth":"Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}"}`);
    created.warn(`Error: rejected ${encodeURIComponent(token)}`);
    created.stdout.write(Buffer.from(`raw ${token}\n`));
    await new Promise((r) => setImmediate(r));
    const { stdout, stderr } = text();
    for (const s of [stdout, stderr]) {
      expect(s).not.toContain(token);
      expect(s).not.toContain(encodeURIComponent(token));
      expect(s).not.toContain(sid);
    }
    expect(stdout).toContain('[REDACTED]');
    expect(stderr).toContain('Error: rejected [REDACTED]');
  });

  it('keeps stream properties (isTTY, columns) visible through the wrapper', () => {
    const out = Object.assign(new PassThrough(), { isTTY: true, columns: 40 });
    const created = createIO({}, {}, { stdout: out, stderr: new PassThrough(), stdin: new PassThrough() });
    expect((created.stdout as unknown as { columns: number }).columns).toBe(40);
    expect(created.stdoutIsTTY).toBe(true);
  });
});
