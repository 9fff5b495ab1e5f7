// A persistent one-line status at the bottom of a terminal (log-update style): lines printed while it
// is shown go above it (clear the line, print, redraw), it is never wider than the terminal (a line
// that wraps cannot be cleared with one `\r\x1b[K`, and at 40 columns it floods the screen), and its
// redraws are throttled with an injectable clock so that tests need no real time.
import type { Writable } from 'node:stream';

/** The clock and timer a status line uses (tests pass fakes). */
export interface StatusTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock; the timer is unref'd so a pending redraw never keeps the process alive. */
export const REAL_TIMERS: StatusTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Text for the line, given the columns it may use. */
export type StatusText = string | ((columns: number) => string);

export interface StatusLine {
  /** Sets the text: drawn now, or at the end of the current throttle interval (never lost). */
  set(text: StatusText): void;
  /** Runs `print` (which writes whole lines) above the status line, then redraws it at once. */
  above(print: () => void): void;
  /** Erases the line and cancels any pending redraw; the line stays hidden afterwards. */
  done(): void;
}

const CLEAR = '\r\x1b[K';

/** Cuts `text` to at most `width` code points, ending with "…" when cut. */
export function truncateToWidth(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 0) return '';
  return chars.slice(0, width - 1).join('') + '…';
}

/** The usable width of a terminal stream: one less than its columns, so the cursor never wraps. */
export function lineWidth(stream: { columns?: number }): number {
  const columns = typeof stream.columns === 'number' && stream.columns > 0 ? stream.columns : 80;
  return Math.max(1, columns - 1);
}

/** Creates a status line on `stream` (a terminal); nothing is drawn until the first `set`. */
export function createStatusLine(stream: Writable & { columns?: number }, opts: { intervalMs?: number; timers?: StatusTimers } = {}): StatusLine {
  const intervalMs = opts.intervalMs ?? 100;
  const timers = opts.timers ?? REAL_TIMERS;
  let text: StatusText | undefined;
  let isShown = false;
  let isDone = false;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let pending: unknown;

  const render = (): string => {
    const width = lineWidth(stream);
    const raw = typeof text === 'function' ? text(width) : (text ?? '');
    // One line only: a newline inside would leave a line behind that CLEAR cannot reach.
    return truncateToWidth(raw.replace(/[\r\n]+/g, ' '), width);
  };
  const draw = (): void => {
    if (pending !== undefined) {
      timers.clearTimeout(pending);
      pending = undefined;
    }
    if (isDone || text === undefined) return;
    stream.write(CLEAR + render());
    isShown = true;
    lastDraw = timers.now();
  };
  const clear = (): void => {
    if (isShown) stream.write(CLEAR);
    isShown = false;
  };
  return {
    set(next) {
      if (isDone) return;
      text = next;
      const wait = lastDraw + intervalMs - timers.now();
      if (wait <= 0) draw();
      else pending ??= timers.setTimeout(draw, wait);
    },
    above(print) {
      clear();
      print();
      if (text !== undefined && !isDone) draw();
    },
    done() {
      if (pending !== undefined) timers.clearTimeout(pending);
      pending = undefined;
      clear();
      isDone = true;
    },
  };
}
