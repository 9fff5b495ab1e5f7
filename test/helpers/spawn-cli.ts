// Spawns a long-running `mms` command (e.g. `mms listen`) and lets a test read its stdout line by
// line, signal it, and wait for its exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, baseEnv } from './run-cli.js';

export interface SpawnedCli {
  child: ChildProcess;
  /** Every complete stdout line so far. */
  lines: string[];
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line (past or future) matching `pred`. */
  waitForLine(pred: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the first parsed NDJSON stdout object matching `pred`. */
  waitForJson<T = Record<string, unknown>>(pred: (obj: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<T>;
  /** Resolves once stderr contains `text`. */
  waitForStderr(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves when the process exits (killed with SIGKILL after timeoutMs). */
  exited(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `mms <args>` with a hermetic environment. */
export function spawnCli(args: string[], opts: { configDir: string; env?: Record<string, string>; cwd?: string; stdin?: 'ignore' | 'pipe' }): SpawnedCli {
  const env = { ...baseEnv(opts.configDir), ...(opts.env ?? {}) };
  // stdin 'pipe': a pipe the test holds open (and may write to); 'ignore' (the default): /dev/null.
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd: opts.cwd ?? process.cwd(), stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const lines: string[] = [];
  let partial = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of [...waiters]) w();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of [...waiters]) w();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  // 'close' comes after the last stdout/stderr chunk: only then is "not printed" final.
  let closed = false;
  void exit.then(() => {
    closed = true;
    for (const w of [...waiters]) w();
  });
  /** Resolves with get()'s first defined value, re-checked on every output chunk and at exit. */
  const waitUntil = <T>(get: () => T | undefined, what: string, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const finish = (fn: () => void): void => {
        waiters.delete(check);
        clearTimeout(timer);
        fn();
      };
      const check = (): void => {
        const hit = get();
        if (hit !== undefined) finish(() => resolve(hit));
        else if (closed) {
          finish(() => reject(new Error(`mms exited (${child.exitCode ?? child.signalCode}) before ${what}.\nstdout:\n${out}\nstderr:\n${err}`)));
        }
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${what}.\nstdout:\n${out}\nstderr:\n${err}`))), timeoutMs);
      waiters.add(check);
      check();
    });
  const handle: SpawnedCli = {
    child,
    lines,
    stdout: () => out,
    stderr: () => err,
    waitForLine(pred, timeoutMs = 10_000) {
      return waitUntil(() => lines.find(pred), 'the expected line', timeoutMs);
    },
    async waitForJson<T>(pred: (obj: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<T> {
      const parse = (l: string): Record<string, unknown> | undefined => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return undefined;
        }
      };
      const line = await handle.waitForLine((l) => {
        const o = parse(l);
        return o !== undefined && pred(o);
      }, timeoutMs);
      return JSON.parse(line) as T;
    },
    async waitForStderr(text, timeoutMs = 10_000) {
      await waitUntil(() => (err.includes(text) ? true : undefined), `${JSON.stringify(text)} on stderr`, timeoutMs);
    },
    exited(timeoutMs = 15_000) {
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      return exit.finally(() => clearTimeout(t));
    },
  };
  return handle;
}
