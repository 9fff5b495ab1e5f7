// Runs `mms` in this process, the way cli.ts does for a real process but with captured streams, a
// hermetic environment and an abort signal the test controls: no child process, no start-up cost.
// Use the spawned binary (run-cli.ts) only where the process itself is under test (signals, kill -9,
// closed pipes, start-up).
import { PassThrough, Readable } from 'node:stream';
import { run } from '../../src/cli.js';
import { baseEnv, type RunResult } from './run-cli.js';

export interface InProcessOptions {
  configDir: string;
  env?: Record<string, string | undefined>;
  input?: string;
  /** Aborting it acts like Ctrl+C. */
  signal?: AbortSignal;
  /** Pretend stdout/stderr/stdin are terminals. */
  tty?: boolean;
  /** Called with each chunk written to stdout/stderr as it happens (e.g. to wait for "listening"). */
  onStdout?(chunk: string): void;
  onStderr?(chunk: string): void;
}

function capture(tty: boolean, onChunk?: (s: string) => void): { stream: PassThrough & { isTTY?: boolean; columns?: number }; text: () => string } {
  const stream: PassThrough & { isTTY?: boolean; columns?: number } = new PassThrough();
  if (tty) {
    stream.isTTY = true;
    stream.columns = 80;
  }
  let text = '';
  stream.on('data', (d: Buffer) => {
    const s = d.toString();
    text += s;
    onChunk?.(s);
  });
  return { stream, text: () => text };
}

/** Runs `mms <args>` in-process; resolves with the exit code and everything printed. */
export async function runInProcess(args: string[], opts: InProcessOptions): Promise<RunResult> {
  const env: Record<string, string> = { ...baseEnv(opts.configDir) };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const tty = Boolean(opts.tty);
  const out = capture(tty, opts.onStdout);
  const err = capture(tty, opts.onStderr);
  const stdin: Readable & { isTTY?: boolean } = Readable.from(opts.input !== undefined ? [Buffer.from(opts.input)] : []);
  if (tty) stdin.isTTY = true;
  const code = await run(args, {
    env,
    streams: { stdout: out.stream, stderr: err.stream, stdin },
    signal: opts.signal ?? new AbortController().signal,
    keepHttp: true,
  });
  // Let the 'data' handlers see the last writes.
  await new Promise((r) => setImmediate(r));
  return { code, signal: null, stdout: out.text(), stderr: err.text() };
}
