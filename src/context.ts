// AppContext: everything a command needs from the outside world, in one place (tests build their own).
import type { IO } from './output/io.js';
import type { Theme } from './output/theme.js';
import { openStore, type Store } from './config/store.js';

export interface AppContext {
  io: IO;
  env: NodeJS.ProcessEnv;
  version: string;
  /** Colors for stderr lines (errors, status) and stdout lines (data). */
  errTheme: Theme;
  outTheme: Theme;
  /** Aborted on Ctrl+C/SIGTERM: commands stop starting new work and let in-flight work finish. */
  signal: AbortSignal;
  /** The config store (opened lazily: most commands only read it). */
  store(): Store;
  /** Cleanups to run before exit (servers, tunnels, restoring webhooks). */
  onExit(fn: () => Promise<void> | void): void;
  /** Records the exit code a command returned; only cli.ts applies it to the process. */
  setExitCode(code: number): void;
  /** The exit code a command returned, if any. */
  readonly exitCode: number | undefined;
}

/** Creates the context for one run. */
export function createContext(opts: {
  io: IO;
  env: NodeJS.ProcessEnv;
  version: string;
  errTheme: Theme;
  outTheme: Theme;
  signal: AbortSignal;
  cleanups: Array<() => Promise<void> | void>;
}): AppContext {
  let store: Store | undefined;
  let exitCode: number | undefined;
  return {
    setExitCode: (code) => {
      exitCode = code;
    },
    get exitCode() {
      return exitCode;
    },
    io: opts.io,
    env: opts.env,
    version: opts.version,
    errTheme: opts.errTheme,
    outTheme: opts.outTheme,
    signal: opts.signal,
    store: () => (store ??= openStore(opts.env, { warn: (l) => opts.io.warn(l) })),
    onExit: (fn) => {
      opts.cleanups.push(fn);
    },
  };
}
