// The status line: drawn within the terminal's width, lines printed above it, redraws throttled by
// an injected clock (no real time passes in these tests).
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createStatusLine, lineWidth, truncateToWidth } from '../../../src/output/status-line.js';
import { fakeTimers } from './fake-timers.js';

function terminal(columns: number): { stream: PassThrough & { columns: number; isTTY: boolean }; written: () => string } {
  const stream = Object.assign(new PassThrough(), { columns, isTTY: true });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, written: () => text };
}

/** What a terminal would show on its last line: the text after the last clear. */
function visible(written: string): string {
  return written.split('\r\x1b[K').at(-1)!;
}

describe('truncateToWidth', () => {
  it('keeps text that fits and cuts the rest with an ellipsis', () => {
    expect(truncateToWidth('abc', 3)).toBe('abc');
    expect(truncateToWidth('abcdef', 4)).toBe('abc…');
    expect(truncateToWidth('✓✓✓✓', 2)).toBe('✓…');
    expect(truncateToWidth('abc', 0)).toBe('');
  });

  it('uses one column less than the terminal so the cursor never wraps', () => {
    expect(lineWidth({ columns: 40 })).toBe(39);
    expect(lineWidth({})).toBe(79);
  });
});

describe('createStatusLine', () => {
  it('draws at once, then at most once per interval, and never loses the last text', async () => {
    const t = fakeTimers();
    const term = terminal(80);
    const line = createStatusLine(term.stream, { timers: t, intervalMs: 100 });
    line.set('one');
    await Promise.resolve();
    expect(visible(term.written())).toBe('one');
    line.set('two');
    line.set('three');
    expect(visible(term.written())).toBe('one');
    expect(t.pending()).toBe(1);
    t.advance(100);
    expect(visible(term.written())).toBe('three');
    expect(term.written()).not.toContain('two');
  });

  it('prints lines above itself and redraws at once', () => {
    const t = fakeTimers();
    const term = terminal(80);
    const line = createStatusLine(term.stream, { timers: t });
    line.set('status');
    line.above(() => term.stream.write('result 1\n'));
    expect(term.written()).toBe('\r\x1b[Kstatus\r\x1b[Kresult 1\n\r\x1b[Kstatus');
  });

  it('is never wider than the terminal and never contains a newline', () => {
    const t = fakeTimers();
    const term = terminal(40);
    const line = createStatusLine(term.stream, { timers: t });
    line.set('x'.repeat(100));
    expect([...visible(term.written())]).toHaveLength(39);
    t.advance(1000);
    line.set('a\nb');
    expect(visible(term.written())).toBe('a b');
  });

  it('offers the width to text functions', () => {
    const t = fakeTimers();
    const term = terminal(30);
    const line = createStatusLine(term.stream, { timers: t });
    line.set((w) => `width ${w}`);
    expect(visible(term.written())).toBe('width 29');
  });

  it('done() erases the line, cancels the pending redraw and draws nothing more', () => {
    const t = fakeTimers();
    const term = terminal(80);
    const line = createStatusLine(term.stream, { timers: t });
    line.set('a');
    line.set('b');
    line.done();
    expect(t.pending()).toBe(0);
    line.set('c');
    line.above(() => term.stream.write('after\n'));
    t.advance(1000);
    expect(term.written()).toBe('\r\x1b[Ka\r\x1b[Kafter\n');
  });

  it('prints nothing when no text was ever set', () => {
    const term = terminal(80);
    const line = createStatusLine(term.stream, { timers: fakeTimers() });
    line.above(() => term.stream.write('r\n'));
    line.done();
    expect(term.written()).toBe('r\n');
  });
});
