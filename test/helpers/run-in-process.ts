// Runs `mms` in this process, the way cli.ts does for a real process but with captured streams, a
// hermetic environment and an abort signal the test controls: no child process, no start-up cost.
// Use the spawned binary (run-cli.ts) only where the process itself is under test (signals, kill -9,
// closed pipes, start-up).
import { PassThrough, Readable } from 'node:stream';
import { vi } from 'vitest';
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

/** A long-running command (e.g. `mms listen`) started in-process; `abort()` is its Ctrl+C. */
export interface RunningCli {
  /** Every complete stdout line so far. */
  lines: string[];
  stdout(): string;
  stderr(): string;
  /** True once the command returned. */
  done(): boolean;
  /** Resolves with the first parsed NDJSON stdout object (past or future) matching `pred`. */
  waitForJson<T = Record<string, unknown>>(pred: (obj: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<T>;
  /** Resolves once stderr contains `text`. */
  waitForStderr(text: string, timeoutMs?: number): Promise<void>;
  /** Ctrl+C: aborts the run's signal. */
  abort(): void;
  /** Resolves with the result when the command returns (aborting it after timeoutMs). */
  exited(timeoutMs?: number): Promise<RunResult>;
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts `mms <args>` in-process without waiting for it to finish. */
export function startInProcess(args: string[], opts: Omit<InProcessOptions, 'signal'>): RunningCli {
  const controller = new AbortController();
  const lines: string[] = [];
  let out = '';
  let err = '';
  let partial = '';
  let finished = false;
  const result = runInProcess(args, {
    ...opts,
    signal: controller.signal,
    onStdout(chunk) {
      out += chunk;
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      opts.onStdout?.(chunk);
    },
    onStderr(chunk) {
      err += chunk;
      opts.onStderr?.(chunk);
    },
  }).finally(() => {
    finished = true;
  });
  // A failed run is reported by exited(); keep it from being an unhandled rejection meanwhile.
  result.catch(() => undefined);
  const dump = (): string => `\nstdout:\n${out}\nstderr:\n${err}`;
  /** Waits for `get()` to return a value; fails at once when the command ends without one. */
  const waitUntil = async <T>(get: () => T | undefined, what: string, timeoutMs: number): Promise<T> => {
    const ended = result.then(() => {
      const v = get();
      if (v === undefined) throw new Error(`mms ${args[0] ?? ''} returned before ${what}${dump()}`);
      return v;
    });
    const found = vi.waitFor(
      () => {
        const v = get();
        if (v === undefined) throw new Error(`timed out waiting for ${what}${dump()}`);
        return v;
      },
      { timeout: timeoutMs, interval: 10 },
    );
    return Promise.race([found, ended]);
  };
  return {
    lines,
    stdout: () => out,
    stderr: () => err,
    done: () => finished,
    async waitForJson<T>(pred: (obj: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<T> {
      const hit = await waitUntil(() => lines.map(parseJson).find((o) => o !== undefined && pred(o)), 'the expected JSON line', timeoutMs);
      return hit as T;
    },
    async waitForStderr(text, timeoutMs = 10_000) {
      await waitUntil(() => (err.includes(text) ? true : undefined), JSON.stringify(text) + ' on stderr', timeoutMs);
    },
    abort: () => controller.abort(),
    async exited(timeoutMs = 15_000) {
      const t = setTimeout(() => controller.abort(), timeoutMs);
      try {
        return await result;
      } finally {
        clearTimeout(t);
      }
    },
  };
}
