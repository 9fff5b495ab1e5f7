// The spinner shares the status-line slot: lines printed while it spins go above it, and ending it
// (or an error, through setStatusLine(undefined)) leaves no frame behind.
import { clearLine, cursorTo, moveCursor } from 'node:readline';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createIO } from '../../../src/output/io.js';
import { startSpinner } from '../../../src/output/spinner.js';

function terminal(env: Record<string, string> = {}) {
  // What ora needs of a tty.WriteStream besides write.
  const s = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
  Object.assign(s, {
    cursorTo: (x: number, y?: number) => cursorTo(s, x, y),
    moveCursor: (dx: number, dy: number) => moveCursor(s, dx, dy),
    clearLine: (dir: -1 | 0 | 1) => clearLine(s, dir),
  });
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  const io = createIO({}, { NO_COLOR: '1', ...env }, { stdout: new PassThrough(), stderr: s, stdin: Readable.from([]) });
  return { io, text: () => text };
}

describe('startSpinner', () => {
  it('prints lines above itself and ends with the result line', async () => {
    const t = terminal();
    const spinner = await startSpinner(t.io, 'Checking');
    t.io.warn('a warning');
    spinner.succeed('Checked');
    t.io.warn('after');
    expect(t.text()).toContain('a warning\n');
    expect(t.text()).toMatch(/Checked\n/);
    // Nothing redrawn after the end: the last write is the plain line.
    expect(t.text().endsWith('after\n')).toBe(true);
    expect(t.text().split('after\n')[0]!.endsWith('Checked\n')).toBe(true);
  });

  it('an error (setStatusLine(undefined)) stops it', async () => {
    const t = terminal();
    await startSpinner(t.io, 'Checking');
    t.io.setStatusLine(undefined);
    t.io.warn('Error: refused');
    expect(t.text().endsWith('Error: refused\n')).toBe(true);
  });

  it('TERM=dumb: one plain line instead of a spinner', async () => {
    const t = terminal({ TERM: 'dumb' });
    const spinner = await startSpinner(t.io, 'Checking');
    spinner.succeed('Checked');
    expect(t.text()).toBe('Checking\nChecked\n');
  });
});
