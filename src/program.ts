// The commander program: global flags, every command, and the settings subcommands need.
import { Command } from 'commander';
import type { AppContext } from './context.js';
import { registerCommands } from './commands/index.js';
import { describeOption } from './commands/flags.js';
import { versionLine } from './output/version.js';

/** Builds the program (exported for in-process command tests). */
export async function createProgram(ctx: AppContext, args: readonly string[] = []): Promise<Command> {
  const program = new Command('mms');
  program
    .description('Send and receive MMS (text, images, video, audio) through Twilio and other providers')
    .version(versionLine(ctx.version), '-V, --version', 'print the version')
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
  program.configureHelp({ optionDescription: describeOption });
  await registerCommands(program, ctx, args);
  // addCommand() does not copy these settings to subcommands: apply them to the whole tree.
  const apply = (cmd: Command) => {
    for (const sub of cmd.commands) {
      // Global flags (--json, --profile, …) are listed in every command's help: examples use them.
      sub
        .exitOverride()
        .configureOutput(program.configureOutput())
        .showSuggestionAfterError(true)
        .configureHelp({ ...sub.configureHelp(), showGlobalOptions: true, optionDescription: describeOption })
        .helpOption('-h, --help', 'show help');
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
