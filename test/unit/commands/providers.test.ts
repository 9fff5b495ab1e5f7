// `mms providers`: the README table's columns (non-image limit, signature), no header when piped,
// notes wrapped to the terminal.
import { afterAll, describe, expect, it } from 'vitest';
import { PROVIDERS_HEAD, signatureName } from '../../../src/commands/providers.js';
import { wrapText } from '../../../src/output/wrap.js';
import { tempConfigDir } from '../../helpers/run-cli.js';
import { runInProcess } from '../../helpers/run-in-process.js';

const cfg = tempConfigDir();
afterAll(() => cfg.cleanup());

describe('mms providers', () => {
  it('piped: one tab-separated row per provider, no header, with the non-image limit and the signature', async () => {
    const r = await runInProcess(['providers'], { configDir: cfg.dir });
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row.split('\t')).toHaveLength(PROVIDERS_HEAD.length);
    expect(rows[0]!.split('\t')).toEqual(['twilio', '10', '5.0 MB', '500 KB', '5.0 MB', 'via tunnel URL', '1600 ch', 'yes', '25', 'X-Twilio-Signature']);
    // Notes stay one line per provider when stderr is not a terminal.
    expect(r.stderr.trim().split('\n')).toHaveLength(6);
  });

  it('on a terminal: a header row, and notes wrapped to the width (80 columns)', async () => {
    const r = await runInProcess(['providers'], { configDir: cfg.dir, tty: true });
    expect(r.stdout.split('\n')[0]).toMatch(/^provider\s+media\s+per file\s+non-image\s+total.*signature$/);
    const notes = r.stderr.split('\n').filter((l) => l !== '');
    expect(notes.length).toBeGreaterThan(6);
    for (const l of notes) expect([...l].length).toBeLessThanOrEqual(79);
  });

  it('names signature schemes by their header', () => {
    expect(signatureName('X-Twilio-Signature: HMAC-SHA1 of URL')).toBe('X-Twilio-Signature');
    expect(signatureName('HTTP Basic auth with the callback credentials')).toBe('HTTP Basic auth');
  });
});

describe('wrapText', () => {
  it('wraps at spaces with a hanging indent and keeps words whole', () => {
    expect(wrapText('aaa bbb ccc ddd', 8, '  ')).toEqual(['aaa bbb', '  ccc', '  ddd']);
    expect(wrapText('averyveryverylongword x', 5)).toEqual(['averyveryverylongword', 'x']);
    expect(wrapText('a  b', Number.POSITIVE_INFINITY)).toEqual(['a b']);
  });
});
