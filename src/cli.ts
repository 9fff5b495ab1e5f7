// Entry point: builds the commander program, runs it, and is the only place that sets the exit code.
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { createIO, type IO } from './output/io.js';
import { PLAIN_THEME, type Theme } from './output/theme.js';
import { createContext, type AppContext } from './context.js';
import { CancelledError, ErrorCode, UsageError } from './errors/errors.js';
import { ExitCode } from './errors/exit-codes.js';
import { handleError } from './errors/handle.js';
import { registerCommands } from './commands/index.js';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

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

/** Builds the program (exported for in-process command tests). */
export function createProgram(ctx: AppContext): Command {
  const program = new Command('mms');
  program
    .description('Send and receive MMS (text, images, video, audio) through Twilio and other providers')
    .version(ctx.version, '-V, --version', 'print the version')
    .option('--json', 'print one JSON document on stdout (NDJSON for streaming commands)')
    .option('-q, --quiet', 'print only data and errors')
    .option('--debug', 'print stack traces and a redacted HTTP log to stderr (also MMS_DEBUG=1)')
    .option('--no-color', 'disable colors (also NO_COLOR)')
    .option('--profile <name>', 'use this stored profile (also MMS_PROFILE)')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      // Our handler prints errors (one line, or JSON); commander stays quiet.
      outputError: () => undefined,
    });
  registerCommands(program, ctx);
  // addCommand() does not copy these settings to subcommands: apply them to the whole tree.
  const apply = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput(program.configureOutput()).showSuggestionAfterError(true);
      apply(sub);
    }
  };
  apply(program);
  program.addHelpText(
    'after',
    `
Examples:
  $ mms login
  $ mms send --to +15551234567 --media photo.jpg --body "Nightly chart"
  $ mms sandbox            # a local provider emulator: no account needed

Exit codes: mms help exit-codes`,
  );
  return program;
}

function usageFor(program: Command, args: string[]): string | undefined {
  const sub = program.commands.find((c) => args.includes(c.name()));
  const cmd = sub ?? program;
  return `Usage: ${cmd === program ? 'mms' : `mms ${cmd.name()}`} ${cmd.usage()}  (see \`mms ${cmd === program ? '' : cmd.name() + ' '}--help\`)`;
}

/** Runs the CLI with process.argv and sets process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  const args = argv.slice(2);
  const flags = scanGlobalFlags(args);
  const env = process.env;
  const io: IO = createIO(flags, env);
  const [errTheme, outTheme] = await Promise.all([loadTheme(io.colorErr), loadTheme(io.colorOut)]);
  const controller = new AbortController();
  const cleanups: Array<() => Promise<void> | void> = [];
  const ctx = createContext({ io, env, version: pkg.version, errTheme, outTheme, signal: controller.signal, cleanups });
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      io.warn('Interrupted again: exiting now.');
      process.exit(ExitCode.INTERRUPTED);
    }
    controller.abort(new CancelledError(sig === 'SIGTERM' ? 'Terminated' : 'Interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const program = createProgram(ctx);
  let code: number = ExitCode.OK;
  try {
    await program.parseAsync(argv);
    code = typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        code = ExitCode.OK;
      } else {
        const message = err.message.replace(/^error:\s*/i, '');
        const sub = program.commands.find((c) => args.includes(c.name()));
        const usageError = new UsageError(message.charAt(0).toUpperCase() + message.slice(1), {
          code: COMMANDER_USAGE[err.code] ?? ErrorCode.USAGE,
          suggestion: `Run \`mms ${sub ? `${sub.name()} ` : ''}--help\` to see the options`,
        });
        code = handleError(usageError, {
          io,
          theme: errTheme,
          version: pkg.version,
        });
      }
    } else {
      code = handleError(controller.signal.aborted && !(err instanceof Error && 'exitCode' in err) ? new CancelledError() : err, {
        io,
        theme: errTheme,
        version: pkg.version,
        usage: usageFor(program, args),
      });
    }
  } finally {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        io.debugLog(`cleanup failed: ${(err as Error).message}`);
      }
    }
    const { closeHttp } = await import('./providers/http-client.js');
    await closeHttp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.exitCode = code;
}
