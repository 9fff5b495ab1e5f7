// What `mms send` prints while it runs: the live status line on a terminal (above which result lines
// go), the same columns on success and failure lines, and nothing live when it must not be.
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DispatchProgress } from '../../../src/core/send-runner.js';
import type { RecipientResult } from '../../../src/core/types.js';
import { createIO } from '../../../src/output/io.js';
import { createSendRenderer, fitProgressLine, interruptedLine } from '../../../src/output/render-send.js';
import { PLAIN_THEME } from '../../../src/output/theme.js';
import { fakeTimers } from './fake-timers.js';

type Tty = PassThrough & { isTTY?: boolean; columns?: number };

function stream(tty: boolean, columns: number): { s: Tty; text: () => string } {
  const s: Tty = new PassThrough();
  if (tty) Object.assign(s, { isTTY: true, columns });
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  return { s, text: () => text };
}

function setup(opts: { outTTY: boolean; errTTY: boolean; columns?: number; flags?: { json?: boolean; quiet?: boolean }; ndjson?: boolean; term?: string }) {
  const out = stream(opts.outTTY, opts.columns ?? 80);
  const err = stream(opts.errTTY, opts.columns ?? 80);
  const io = createIO(
    opts.flags ?? {},
    { NO_COLOR: '1', ...(opts.term ? { TERM: opts.term } : {}) },
    { stdout: out.s, stderr: err.s, stdin: Readable.from([]) },
  );
  const timers = fakeTimers();
  const r = createSendRenderer({ io, outTheme: PLAIN_THEME, errTheme: PLAIN_THEME }, { ndjson: Boolean(opts.ndjson), progress: false, timers });
  return { r, timers, out: out.text, err: err.text };
}

const ok = (to: string, id: string): RecipientResult => ({ to, status: 'accepted', id, providerStatus: 'queued' }) as RecipientResult;
const bad = (to: string): RecipientResult => ({ to, status: 'failed', error: { code: 'PROVIDER_REJECTED', message: 'bad number' } }) as RecipientResult;
const progress = (done: number, total: number, failed = 0): DispatchProgress => ({
  done,
  total,
  accepted: done - failed,
  failed,
  unknown: 0,
  skipped: 0,
  inFlight: 1,
  elapsedMs: done * 500,
});

/** The screen a terminal shows for this output: `\r\x1b[K` clears the line, `\n` ends it. */
function screen(written: string): string[] {
  const lines: string[] = [''];
  for (const part of written.split(/(\r\x1b\[K|\n)/)) {
    if (part === '\r\x1b[K') lines[lines.length - 1] = '';
    else if (part === '\n') lines.push('');
    else lines[lines.length - 1] += part;
  }
  return lines;
}

describe('the live status line', () => {
  it('stays on the last line of a terminal while results print above it', () => {
    const { r, timers, err } = setup({ outTTY: false, errTTY: true, columns: 40 });
    r.events.onResult!(ok('+15551230001', 'SM1'));
    r.events.onProgress!(progress(1, 10));
    expect(screen(err()).at(-1)).toMatch(/^1\/10 ✓1 ✗0 ETA 5s$|^sent 1/);
    r.events.note!('a note for people');
    expect(screen(err())).toEqual(['a note for people', expect.stringMatching(/ETA/)]);
    r.events.onProgress!(progress(2, 10));
    timers.advance(100);
    for (const l of screen(err())) expect([...l].length).toBeLessThan(40);
  });

  it('on a shared terminal, result lines go above the status line', async () => {
    const out = stream(true, 40);
    const err = { s: out.s, text: out.text };
    const io = createIO({}, { NO_COLOR: '1' }, { stdout: out.s, stderr: err.s, stdin: Readable.from([]) });
    const timers = fakeTimers();
    const r = createSendRenderer({ io, outTheme: PLAIN_THEME, errTheme: PLAIN_THEME }, { ndjson: false, progress: false, timers });
    r.events.onProgress!(progress(0, 3));
    r.events.onResult!(ok('+15551230001', 'SM1'));
    r.events.onResult!(bad('+15551230002'));
    const lines = screen(out.text());
    expect(lines.at(-1)).toMatch(/ETA/);
    expect(lines.slice(0, 3).map((l) => l.trim().split(/ {2,}/)[0])).toEqual(['TO', '✓ +15551230001', '✗ +15551230002']);
    const summary = { total: 2, accepted: 1, failed: 1, unknown: 0, skipped: 0, notAttempted: 0, durationMs: 1234.56 };
    await r.finish({
      plan: { warnings: [], provider: 'twilio', profile: 'default' },
      dryRun: false,
      results: [],
      summary,
      interrupted: false,
      waited: false,
    } as never);
    const after = screen(out.text());
    expect(after.at(-1)).toBe('');
    expect(after.at(-2)).toBe('1 of 2 accepted, 1 failed via twilio in 1.2 s.');
  });

  it('a run that ends in an error leaves no status line behind (cli.ts erases it before printing)', () => {
    const out = stream(true, 40);
    const io = createIO({}, { NO_COLOR: '1' }, { stdout: out.s, stderr: out.s, stdin: Readable.from([]) });
    const r = createSendRenderer({ io, outTheme: PLAIN_THEME, errTheme: PLAIN_THEME }, { ndjson: false, progress: false, timers: fakeTimers() });
    r.events.onProgress!(progress(1, 3));
    expect(screen(out.text()).at(-1)).toMatch(/ETA/);
    io.setStatusLine(undefined);
    io.warn('Error: credentials rejected');
    expect(screen(out.text())).toEqual(['Error: credentials rejected', '']);
  });

  it('fits the counts and the ETA into 40 columns', () => {
    const p: DispatchProgress = { done: 1234, total: 10000, accepted: 1200, failed: 34, unknown: 0, skipped: 0, inFlight: 4, elapsedMs: 60000 };
    const line = fitProgressLine(p, 39);
    expect([...line].length).toBeLessThanOrEqual(39);
    expect(line).toContain('ETA');
    expect(line).toContain('1234/10000');
    expect(fitProgressLine(p, 200)).toMatch(/^sent 1200 {2}failed 34 {2}remaining 8766 {2}20\.6\/s {2}ETA 7m06s$/);
  });

  it.each([
    ['stderr is not a terminal', { outTTY: true, errTTY: false }],
    ['--quiet', { outTTY: true, errTTY: true, flags: { quiet: true } }],
    ['--json', { outTTY: true, errTTY: true, flags: { json: true } }],
    ['--ndjson', { outTTY: true, errTTY: true, ndjson: true }],
    ['TERM=dumb', { outTTY: true, errTTY: true, term: 'dumb' }],
  ])('is not drawn when %s', (_name, opts) => {
    const { r, err } = setup(opts);
    r.events.onProgress!(progress(1, 2));
    expect(err()).toBe('');
  });
});

describe('result lines', () => {
  it('piped: recipient, status, id ("-" when none), then the error when there is one; no header', () => {
    const { r, out } = setup({ outTTY: false, errTTY: false });
    r.events.onResult!(ok('+15551230001', 'SM1'));
    r.events.onResult!(bad('+15551230002'));
    expect(out()).toBe('+15551230001\tqueued\tSM1\n+15551230002\tfailed\t-\tPROVIDER_REJECTED: bad number\n');
  });

  it('on a terminal: a header, then aligned columns (the error after the id column)', () => {
    const { r, out } = setup({ outTTY: true, errTTY: false });
    r.events.onResult!(ok('+15551230001', 'SM1'));
    r.events.onResult!(bad('+15551230002'));
    const [head, first, second] = out().split('\n');
    expect(head).toMatch(/^ {2}TO {16}STATUS {7}ID +ERROR$/);
    expect(first).toBe(`✓ +15551230001      queued       SM1`);
    expect(second!.indexOf('PROVIDER_REJECTED')).toBe(head!.indexOf('ERROR'));
    expect(second!.indexOf('-')).toBe(head!.indexOf('ID'));
  });
});

describe('after Ctrl+C', () => {
  it('names the journal to re-run with, or says how to keep one next time', () => {
    expect(interruptedLine('run.jsonl')).toContain('Re-run with the same --journal run.jsonl to finish.');
    expect(interruptedLine(null)).not.toContain('Re-run with the same');
    expect(interruptedLine(null)).toContain('pass --journal <file> next time');
    expect(interruptedLine(undefined)).toContain('If this run had --journal');
  });
});
