// Entry point: builds the commander program, runs it, and is the only place that sets the exit code.
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { createIO, type IO } from './output/io.js';
import { PLAIN_THEME, type Theme } from './output/theme.js';
import { createContext } from './context.js';
import { CancelledError, ErrorCode, UsageError } from './errors/errors.js';
import { ExitCode } from './errors/exit-codes.js';
import { killTrackedChildren } from './webhook/tunnel/orphans.js';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
/** Signals closer together than this are one key press delivered twice (see main()). */
const ECHO_WINDOW_MS = 500;

/** Global flags, scanned before parsing so that even a parse error honours --json/--quiet. */
function scanGlobalFlags(args: string[]): { json: boolean; quiet: boolean; debug: boolean; color: boolean | undefined } {
  const end = args.indexOf('--');
  const a = end >= 0 ? args.slice(0, end) : args;
  return {
    json: a.includes('--json') || a.includes('--ndjson'),
    quiet: a.includes('--quiet') || a.includes('-q'),
    debug: a.includes('--debug'),
    color: a.includes('--no-color') ? false : undefined,
  };
}

async function loadTheme(color: boolean): Promise<Theme> {
  if (!color) return PLAIN_THEME;
  const { createTheme } = await import('./output/theme.js');
  return createTheme(true);
}

function usageFor(program: Command, args: string[]): string | undefined {
  const sub = program.commands.find((c) => args.includes(c.name()));
  const cmd = sub ?? program;
  return `Usage: ${cmd === program ? 'mms' : `mms ${cmd.name()}`} ${cmd.usage()}  (see \`mms ${cmd === program ? '' : cmd.name() + ' '}--help\`)`;
}

const COMMANDER_USAGE: Record<string, (typeof ErrorCode)[keyof typeof ErrorCode]> = {
  'commander.unknownOption': ErrorCode.UNKNOWN_OPTION,
  'commander.unknownCommand': ErrorCode.UNKNOWN_COMMAND,
  'commander.missingArgument': ErrorCode.MISSING_ARGUMENT,
  'commander.optionMissingArgument': ErrorCode.MISSING_ARGUMENT,
  'commander.missingMandatoryOptionValue': ErrorCode.MISSING_ARGUMENT,
  'commander.invalidArgument': ErrorCode.INVALID_ARGUMENT,
  'commander.conflictingOption': ErrorCode.INVALID_ARGUMENT,
  'commander.excessArguments': ErrorCode.INVALID_ARGUMENT,
};

function isCommanderError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | undefined)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('commander.');
}

/** The outside world of one run: streams, environment, and an abort signal (Ctrl+C/SIGTERM). */
export interface RunEnvironment {
  env: NodeJS.ProcessEnv;
  streams?: Parameters<typeof createIO>[2];
  signal: AbortSignal;
  /** Leave the shared HTTP connection pool open at the end (in-process tests running side by side). */
  keepHttp?: boolean;
}

/**
 * Ctrl+C/SIGTERM abort a run with a CancelledError (a test's plain abort() is an AbortError); any
 * other reason is an unexpected error that ends the run (services/listen reads the signal the same way).
 */
function isInterruption(reason: unknown): boolean {
  return !(reason instanceof Error) || reason instanceof CancelledError || reason.name === 'AbortError';
}

/** Runs the CLI with process.argv and sets process.exitCode (the only place that does). */
export async function main(argv: string[]): Promise<void> {
  // A lone `--version` never gets here: bin/mms.js answers it before this module loads.
  const args = argv.slice(2);
  const controller = new AbortController();
  let interrupts = 0;
  let firstSignalAt = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    // One key press can arrive twice: a library's exit hook (when-exit, loaded by conf's atomic
    // writes) re-raises the signal it caught, and `npm exec` or `timeout` forward it as well.
    // A second signal within half a second is that echo, not the user pressing Ctrl+C again.
    if (interrupts > 0 && performance.now() - firstSignalAt < ECHO_WINDOW_MS) return;
    interrupts++;
    if (interrupts === 1) firstSignalAt = performance.now();
    if (interrupts > 1) {
      // From the start of the line: a live status line (mms send) may be on it.
      process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}Interrupted again: exiting now.\n`);
      process.exit(ExitCode.INTERRUPTED);
    }
    controller.abort(new CancelledError(sig === 'SIGTERM' ? 'Terminated' : 'Interrupted'));
  };
  // An error thrown where no command can catch it (a callback, a stray promise) ends the run the
  // way Ctrl+C does, so that servers close and a number `mms listen --number` pointed is put back
  // (its cleanups run); run() then reports it as a bug. If the run does not wind down, exit anyway,
  // but only after a restore call has had its full HTTP timeout (30 s) to put a number back.
  let fatal: unknown;
  const onFatal = (err: unknown) => {
    if (fatal !== undefined) return;
    fatal = err instanceof Error ? err : new Error(String(err));
    if (!controller.signal.aborted) controller.abort(fatal);
    else process.stderr.write(`Error while stopping: ${(fatal as Error).message}\nThis is a bug in mms ${pkg.version}: please report it.\n`);
    setTimeout(() => process.exit(ExitCode.INTERNAL), 60_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Whatever way the process ends, a tunnel client (cloudflared) does not stay behind.
  process.once('exit', killTrackedChildren);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  try {
    const code = await run(args, { env: process.env, signal: controller.signal });
    // A fatal error after Ctrl+C (the signal was already aborted) still makes the run a failure.
    process.exitCode = fatal !== undefined && controller.signal.reason !== fatal ? ExitCode.INTERNAL : code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
  }
}

/**
 * Runs one command line (without the node and script arguments) and returns its exit code. Tests
 * call it in-process with their own streams, environment and signal.
 */
export async function run(args: string[], runEnv: RunEnvironment): Promise<number> {
  const argv = ['node', 'mms', ...args];
  const flags = scanGlobalFlags(args);
  const env = runEnv.env;
  const io: IO = createIO(flags, env, runEnv.streams);
  const [errTheme, outTheme] = await Promise.all([loadTheme(io.colorErr), loadTheme(io.colorOut)]);
  // The run stops on the caller's signal (Ctrl+C, SIGTERM, a fatal error), and also when its
  // reader goes away (`mms send … | head -1`): with nobody to read the results, a bulk send stops
  // dispatching as on Ctrl+C — in-flight requests finish and are journalled — and exits 130.
  const stop = new AbortController();
  const forward = () => stop.abort(runEnv.signal.reason);
  if (runEnv.signal.aborted) forward();
  else runEnv.signal.addEventListener('abort', forward, { once: true });
  io.onOutputClosed((stream) => {
    if (stream === 'stdout' && !stop.signal.aborted) stop.abort(new CancelledError('Output closed'));
  });
  const signal = stop.signal;
  const cleanups: Array<() => Promise<void> | void> = [];
  const ctx = createContext({ io, env, version: pkg.version, errTheme, outTheme, signal, cleanups });
  const { createProgram } = await import('./program.js');
  const program = await createProgram(ctx, args);
  let code: number = ExitCode.OK;
  try {
    await program.parseAsync(argv);
    code = ctx.exitCode ?? ExitCode.OK;
  } catch (err) {
    // A live status line (mms send) is erased before the error is printed: none is left on screen.
    io.setStatusLine(undefined);
    if (isCommanderError(err)) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        code = ExitCode.OK;
      } else {
        const message = err.message.replace(/^error:\s*/i, '');
        const sub = program.commands.find((c) => args.includes(c.name()));
        const usageError = new UsageError(message.charAt(0).toUpperCase() + message.slice(1), {
          code: COMMANDER_USAGE[err.code] ?? ErrorCode.USAGE,
          suggestion: `Run \`mms ${sub ? `${sub.name()} ` : ''}--help\` to see the options`,
        });
        const { handleError } = await import('./errors/handle.js');
        code = handleError(usageError, {
          io,
          theme: errTheme,
          version: pkg.version,
        });
      }
    } else {
      const { handleError } = await import('./errors/handle.js');
      const interrupted = signal.aborted && isInterruption(signal.reason);
      code = handleError(interrupted && !(err instanceof Error && 'exitCode' in err) ? new CancelledError() : err, {
        io,
        theme: errTheme,
        version: pkg.version,
        usage: usageFor(program, args),
      });
    }
    if (signal.aborted && !isInterruption(signal.reason) && code !== ExitCode.INTERNAL) {
      // The run was ended by an unexpected error elsewhere (see main): that is the error to report.
      const { handleError } = await import('./errors/handle.js');
      code = handleError(signal.reason, { io, theme: errTheme, version: pkg.version });
    }
  } finally {
    io.setStatusLine(undefined);
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        io.debugLog(`cleanup failed: ${(err as Error).message}`);
      }
    }
    if (!runEnv.keepHttp) {
      const { closeHttp } = await import('./providers/http-client.js');
      await closeHttp();
    }
  }
  return code;
}
