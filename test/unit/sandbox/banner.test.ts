// The `mms sandbox` start-up banner fitted to a terminal: at 40, 80 and 120 columns no line is wider
// than the terminal's usable width, lines break at spaces only, and a URL, a path or a "provider
// number" pair is never cut (it moves to a line of its own). Piped, the banner is one line per row,
// exactly as before.
import { describe, expect, it } from 'vitest';
import { bannerLines, type Kept } from '../../../src/commands/sandbox.js';
import { lineWidth } from '../../../src/output/status-line.js';
import { wrapUnits } from '../../../src/output/wrap.js';
import type { SandboxInfo } from '../../../src/sandbox/server.js';

const ORIGIN = 'http://127.0.0.1:45678';
const NUMBERS: Record<string, string> = {
  twilio: '+15005550006',
  telnyx: '+15557770011',
  plivo: '+15557770021',
  vonage: '+15557770031',
  bandwidth: '+15557770041',
  sinch: '+15557770051',
};
const info: SandboxInfo = {
  origin: ORIGIN,
  faults: {},
  providers: Object.fromEntries(
    Object.entries(NUMBERS).map(([name, n]) => [
      name,
      {
        baseUrl: `${ORIGIN}/${name}`,
        numbers: [n],
        defaultFrom: n,
        credentials: (name === 'vonage'
          ? { apiKey: '0a1b2c3d', privateKey: '-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n' }
          : { accountSid: `AC${'0'.repeat(32)}`, authToken: 'f'.repeat(32) }) as Record<string, string>,
      },
    ]),
  ),
};
// As a terminal shows the default paths (under the home directory: ~/…).
const CREDS = '~/.config/mms/sandbox/credentials.json';
const DATA = '~/.config/mms/sandbox/data';
const kept: Kept = { credentialsFile: CREDS, credentialsCreated: true, dataDir: DATA, maxMessages: undefined };
const PROFILES = ['sandbox', 'sandbox-telnyx', 'sandbox-plivo', 'sandbox-vonage', 'sandbox-bandwidth', 'sandbox-sinch'];

const all = (b: { title: string[]; body: string[] }) => [...b.title, ...b.body];
const width = (s: string) => [...s].length;

describe('the sandbox banner', () => {
  it('piped (no width): one line per row, exactly as before', () => {
    expect(all(bannerLines(info, PROFILES, kept, false, Number.POSITIVE_INFINITY))).toEqual([
      `mms sandbox listening on ${ORIGIN}`,
      `  web phone    ${ORIGIN}/`,
      `  base URLs    ${ORIGIN}/<provider>  (twilio, telnyx, plivo, vonage, bandwidth, sinch)`,
      '  numbers      twilio +15005550006, telnyx +15557770011, plivo +15557770021',
      '               vonage +15557770031, bandwidth +15557770041, sinch +15557770051',
      `  credentials  new, kept in ${CREDS} (--show-credentials prints them)`,
      `  messages     kept in ${DATA} (last 1000)`,
      `  profiles     ${PROFILES.map((p) => `"${p}"`).join(', ')}: try  mms send --profile sandbox --to +15551234567 --body hi`,
      'Press Ctrl+C to stop.',
    ]);
    const memory = all(bannerLines(info, [], { ...kept, credentialsCreated: false, dataDir: undefined }, true, Number.POSITIVE_INFINITY));
    expect(memory).toContain(`  credentials  same as last time, kept in ${CREDS}`);
    expect(memory).toContain(`  twilio: accountSid AC${'0'.repeat(32)}  authToken ${'f'.repeat(32)}`);
    expect(memory).toContain(`  vonage: apiKey 0a1b2c3d  privateKey (PEM key: see ${CREDS})`);
    expect(memory).toContain('  messages     in memory only (--memory)');
    expect(memory).toContain('  profiles     none saved: --save-profile writes one per provider');
  });

  for (const columns of [40, 80, 120]) {
    it(`at ${columns} columns: no line wider than the terminal, URLs, paths and numbers whole, nothing lost`, () => {
      const max = lineWidth({ columns });
      const piped = all(bannerLines(info, PROFILES, kept, false, Number.POSITIVE_INFINITY));
      const lines = all(bannerLines(info, PROFILES, kept, false, max));
      for (const l of lines) expect(width(l), l).toBeLessThanOrEqual(max);
      for (const whole of [`${ORIGIN}/`, `${ORIGIN}/<provider>`, CREDS, DATA, ...Object.entries(NUMBERS).map(([p, n]) => `${p} ${n}`)])
        expect(
          lines.some((l) => l.includes(whole)),
          whole,
        ).toBe(true);
      // The same words in the same order: wrapping only moved line breaks.
      expect(lines.join(' ').split(/\s+/).filter(Boolean)).toEqual(piped.join(' ').split(/\s+/).filter(Boolean));
      // A row that fits stays as it is.
      for (const l of piped) if (width(l) <= max) expect(lines).toContain(l);
    });
  }

  it('at 40 columns a URL that does not fit after its label gets a line of its own', () => {
    const lines = bannerLines(info, [], kept, false, lineWidth({ columns: 40 })).body;
    const at = lines.findIndex((l) => l.startsWith('  base URLs'));
    expect(lines[at]).toBe('  base URLs');
    expect(lines[at + 1]!.trim()).toBe(`${ORIGIN}/<provider>`);
  });

  it('a path longer than the line stands alone on its line, whole', () => {
    const long = '/home/someone-with-a-long-name/.config/mms/sandbox/credentials.json';
    const lines = bannerLines(info, [], { ...kept, credentialsFile: long }, false, lineWidth({ columns: 40 })).body;
    expect(lines).toContain(long);
    for (const l of lines) if (l !== long) expect(width(l), l).toBeLessThanOrEqual(39);
  });

  it('--show-credentials at 40 columns: each secret whole on a line (a secret longer than the line stands alone)', () => {
    const lines = bannerLines(info, [], kept, true, lineWidth({ columns: 40 })).body;
    expect(lines).toContain(`    ${'f'.repeat(32)}`);
    expect(lines.some((l) => l.trim() === `AC${'0'.repeat(32)}`)).toBe(true);
  });
});

describe('wrapUnits', () => {
  it('never breaks a unit; one longer than the width stands alone, unindented', () => {
    const long = `/tmp/${'x'.repeat(50)}/credentials.json`;
    expect(wrapUnits(['kept', 'in', long, '(last', '5)'], 30, '  label      ', '             ')).toEqual([
      '  label      kept in',
      long,
      '             (last 5)',
    ]);
  });

  it('a label with nothing after it, and no units at all', () => {
    expect(wrapUnits([], 20, '  label   ')).toEqual(['  label']);
    expect(wrapUnits([], 20)).toEqual([]);
  });

  it('keeps the extra spacing a unit carries, except at the start of a line', () => {
    expect(wrapUnits(['a', '  b'], Number.POSITIVE_INFINITY)).toEqual(['a   b']);
    expect(wrapUnits(['aaaa', '  bbbb'], 6, '', '  ')).toEqual(['aaaa', '  bbbb']);
  });
});
