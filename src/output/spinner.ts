// The only ora importer. Spinners only on a TTY stderr that can redraw (not TERM=dumb) and never with --json/--quiet; otherwise one
// plain line per step (nothing under --quiet).
import type { IO } from './io.js';

export interface Spinner {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

/** Starts a spinner (or its plain-text stand-in) on stderr. */
export async function startSpinner(io: IO, text: string): Promise<Spinner> {
  const enabled = io.stderrCanRedraw && !io.json && !io.quiet;
  if (!enabled) {
    io.info(text);
    return {
      update: () => undefined,
      succeed: (t) => io.info(t),
      fail: (t) => io.warn(t),
      stop: () => undefined,
    };
  }
  const { default: ora } = await import('ora');
  const s = ora({ text, stream: io.stderr as NodeJS.WriteStream, isEnabled: true, color: io.colorErr ? 'cyan' : (false as never) }).start();
  // ora itself moves lines written to its stream while it spins above it (it hooks the stream's
  // write); holding the status-line slot lets an error end it first (cli.ts), so no frame is left.
  io.setStatusLine({
    above: (write) => write(),
    done: () => {
      if (s.isSpinning) s.stop();
    },
  });
  const end = (fn: () => void): void => {
    fn();
    io.setStatusLine(undefined);
  };
  return {
    update: (t) => {
      s.text = t;
    },
    succeed: (t) => end(() => s.succeed(t)),
    fail: (t) => end(() => s.fail(t)),
    stop: () => end(() => s.stop()),
  };
}
