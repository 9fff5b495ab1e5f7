// The only ora importer. Spinners only on a TTY stderr and never with --json/--quiet; otherwise one
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
  const enabled = io.stderrIsTTY && !io.json && !io.quiet;
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
  return {
    update: (t) => {
      s.text = t;
    },
    succeed: (t) => void s.succeed(t),
    fail: (t) => void s.fail(t),
    stop: () => void s.stop(),
  };
}
