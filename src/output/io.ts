// Streams and terminal facts, computed once per run (tests pass their own).
import { spawn } from 'node:child_process';
import { fstatSync } from 'node:fs';
import type { Writable, Readable } from 'node:stream';
import { createRedactor } from '../config/redact.js';

export interface IO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  /** stderr is a terminal that can redraw a line (`\r`, erase line): a TTY and not TERM=dumb. */
  stderrCanRedraw: boolean;
  /** Colors on stdout / stderr. */
  colorOut: boolean;
  colorErr: boolean;
  /** Prompts are allowed: TTY in and out, not CI, not MMS_NO_PROMPT, not --json. */
  canPrompt: boolean;
  json: boolean;
  quiet: boolean;
  debug: boolean;
  /** Writes a people-facing line to stderr (suppressed under --quiet unless `force`). */
  info(line: string): void;
  /** Writes a warning line to stderr (shown under --quiet too). */
  warn(line: string): void;
  /** Writes a data line to stdout. */
  out(line: string): void;
  /** Writes a debug line to stderr when --debug is on. */
  debugLog(line: string): void;
  /**
   * Registers secrets (credentials in effect for this run): from then on, everything written to
   * stdout and stderr through this IO has them masked, in every encoding redact.ts knows. The
   * last line of defence for provider error bodies that echo credentials back.
   */
  addSecrets(values: readonly string[]): void;
  /**
   * Calls `fn` once stdout or stderr is closed by the reader (`mms … | head -1`: EPIPE). Output
   * after that is dropped quietly; cli.ts stops the run as it would for Ctrl+C.
   */
  onOutputClosed(fn: (stream: 'stdout' | 'stderr') => void): void;
  /**
   * For commands that can stay silent for hours (`mms listen`, `mms sandbox`): from now on, notice
   * that stdout's reader went away even when nothing is written, and tell the onOutputClosed
   * listeners at once. Nothing happens for a terminal or a file. Returns a function that stops watching.
   */
  watchOutputClosed(): () => void;
  /**
   * Shows a status line (output/status-line.ts) on stderr: from then on every line written through
   * info/warn/debugLog (and out, when stdout is a terminal too) is printed above it. `undefined`
   * erases the current one (cli.ts does so before printing an error, so none is left behind).
   */
  setStatusLine(line: StatusLineHost | undefined): void;
}

/** What IO needs from a status line. */
export interface StatusLineHost {
  above(write: () => void): void;
  done(): void;
}

export interface IOFlags {
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;
}

/** Decides whether color is on for one stream: NO_COLOR/--no-color/TERM=dumb/non-TTY off, FORCE_COLOR on. */
export function colorEnabled(isTTY: boolean, env: NodeJS.ProcessEnv, flagColor: boolean | undefined): boolean {
  if (flagColor === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

function isTruthyEnv(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Builds the IO for this process from its streams, env and global flags. */
export function createIO(
  flags: IOFlags,
  env: NodeJS.ProcessEnv = process.env,
  streams: { stdout: Writable & { isTTY?: boolean }; stderr: Writable & { isTTY?: boolean }; stdin: Readable & { isTTY?: boolean } } = process,
): IO {
  const stdoutIsTTY = Boolean(streams.stdout.isTTY);
  const stderrIsTTY = Boolean(streams.stderr.isTTY);
  const stdinIsTTY = Boolean(streams.stdin.isTTY);
  const json = Boolean(flags.json);
  const quiet = Boolean(flags.quiet);
  const debug = Boolean(flags.debug) || isTruthyEnv(env.MMS_DEBUG);
  const canPrompt = stdinIsTTY && stdoutIsTTY && !isTruthyEnv(env.MMS_NO_PROMPT) && !isTruthyEnv(env.CI) && !json;
  const secrets = new Set<string>();
  let redact: ((text: string) => string) | undefined;
  const closedListeners: Array<(stream: 'stdout' | 'stderr') => void> = [];
  const closed = { stdout: false, stderr: false };
  const markClosed = (name: 'stdout' | 'stderr'): void => {
    if (closed[name]) return;
    closed[name] = true;
    for (const fn of closedListeners) fn(name);
  };
  for (const name of ['stdout', 'stderr'] as const) {
    // A reader that went away (EPIPE) or a stream already destroyed: never a crash with a stack
    // trace. Every error on an output stream means nobody can read what follows.
    streams[name].on('error', () => markClosed(name));
  }
  const stdout = scrubbing(
    streams.stdout,
    () => redact,
    () => closed.stdout,
  );
  const stderr = scrubbing(
    streams.stderr,
    () => redact,
    () => closed.stderr,
  );
  let status: StatusLineHost | undefined;
  const errLine = (text: string): void => {
    if (status) status.above(() => stderr.write(text));
    else stderr.write(text);
  };
  const io: IO = {
    stdout,
    stderr,
    stdin: streams.stdin,
    stdoutIsTTY,
    stderrIsTTY,
    stdinIsTTY,
    stderrCanRedraw: stderrIsTTY && env.TERM !== 'dumb',
    colorOut: colorEnabled(stdoutIsTTY, env, flags.color),
    colorErr: colorEnabled(stderrIsTTY, env, flags.color),
    canPrompt,
    json,
    quiet,
    debug,
    info(line) {
      if (!quiet) errLine(line + '\n');
    },
    warn(line) {
      errLine(line + '\n');
    },
    out(line) {
      // Piped stdout does not share the screen with the status line: no need to move it.
      if (status && stdoutIsTTY) status.above(() => stdout.write(line + '\n'));
      else stdout.write(line + '\n');
    },
    debugLog(line) {
      if (debug) errLine(`[debug] ${line}\n`);
    },
    setStatusLine(next) {
      const previous = status;
      status = next;
      if (previous && previous !== next) previous.done();
    },
    onOutputClosed(fn) {
      closedListeners.push(fn);
    },
    watchOutputClosed() {
      return stdoutIsTTY ? () => undefined : watchReaderGone(streams.stdout, () => markClosed('stdout'));
    },
    addSecrets(values) {
      const before = secrets.size;
      for (const v of values) if (v) secrets.add(v);
      if (secrets.size === before) return;
      const r = createRedactor([...secrets]);
      redact = r.active ? r : undefined;
    },
  };
  return io;
}

/**
 * The stream itself, with `write` masking registered secrets first and dropping output once the
 * reader is gone. A Proxy rather than a new
 * stream, so `isTTY`, `columns`, events and `end` keep working as callers expect.
 */
function scrubbing<T extends Writable>(stream: T, current: () => ((text: string) => string) | undefined, isClosed: () => boolean): T {
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (isClosed() || stream.destroyed) return true;
    const redact = current();
    const text = redact && (typeof chunk === 'string' || Buffer.isBuffer(chunk)) ? redact(chunk.toString()) : chunk;
    return (stream.write as (...a: unknown[]) => boolean)(text, ...rest);
  };
  // A library may wrap `write` (ora 9 does, to keep its spinner below other output): the wrapper is
  // kept here, not on the stream, so that it calls this `write` and this one the stream's own. Set
  // on the stream, it would call this `write`, which would call it again: a stack overflow.
  let wrapped: unknown;
  return new Proxy(stream, {
    get(target, prop, receiver) {
      if (prop === 'write') return wrapped ?? write;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    set(target, prop, value) {
      if (prop !== 'write') return Reflect.set(target, prop, value);
      wrapped = value === write ? undefined : value;
      return true;
    },
  });
}

/** The parts of a Node stdio stream the reader watch uses (absent on test streams: nothing is watched). */
type StdioStream = Writable & { fd?: unknown; _handle?: { readStart?(): number; readStop?(): number; onread?: unknown } };

/**
 * Calls `onGone` once the reader of `stream` (fd 1 of a pipe) goes away, without writing to it;
 * returns a stop function. Node offers no way to wait for the EPOLLERR a pipe's write end gets:
 * - a socket (Node and most supervisors spawn us with socketpairs) is opened by libuv for reading
 *   too, so reading from it reports the reader's end as EOF at once (data is never expected; dropped);
 * - a pipe (`mms listen | head -1`) is write-only for libuv (its read start fails with ENOTCONN), so
 *   on Linux GNU `tail -f --pid` holds the same fd and, polling it every 0.2 s, dies of SIGPIPE when
 *   the reader is gone (elsewhere, or without GNU tail, the next write notices, as before);
 * - a terminal or a file has no reader to lose.
 */
function watchReaderGone(stream: StdioStream, onGone: () => void): () => void {
  const fd = stream.fd;
  if (typeof fd !== 'number') return () => undefined;
  let kind: 'socket' | 'fifo' | undefined;
  try {
    const st = fstatSync(fd);
    kind = st.isSocket() ? 'socket' : st.isFIFO() ? 'fifo' : undefined;
  } catch {
    kind = undefined;
  }
  if (kind === 'socket') return watchSocketPeer(stream, onGone);
  if (kind === 'fifo' && process.platform === 'linux') return watchPipeReader(fd, onGone);
  return () => undefined;
}

/** Reads from a socket stdout only to see its end (see watchReaderGone). */
function watchSocketPeer(stream: StdioStream, onGone: () => void): () => void {
  const handle = stream._handle;
  if (!handle || typeof handle.readStart !== 'function') return () => undefined;
  const previous = handle.onread;
  // libuv calls onread with the chunk's ArrayBuffer, or with nothing at EOF or on an error.
  handle.onread = (chunk?: unknown) => {
    if (chunk !== undefined) return;
    stop();
    onGone();
  };
  let active = handle.readStart() === 0;
  const stop = (): void => {
    if (!active) return;
    active = false;
    handle.readStop?.();
    handle.onread = previous;
  };
  if (!active) handle.onread = previous;
  return stop;
}

/** Lets GNU tail watch a pipe's reader for us (see watchReaderGone); killed by stop() and at exit. */
function watchPipeReader(fd: number, onGone: () => void): () => void {
  // --pid: should we be killed with -9, tail ends within a second and stops holding the pipe open.
  const child = spawn('tail', ['-f', '-s', '0.2', `--pid=${process.pid}`, '/dev/null'], {
    stdio: ['ignore', fd, 'ignore'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
  });
  let stopped = false;
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  };
  child.on('error', () => undefined); // no tail (busybox, macOS): the next write notices instead
  child.once('exit', (_code, signal) => {
    process.off('exit', kill);
    if (!stopped && signal === 'SIGPIPE') onGone();
  });
  child.unref();
  process.once('exit', kill);
  return () => {
    stopped = true;
    kill();
  };
}
