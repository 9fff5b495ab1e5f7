import { Command } from 'commander';
import type { AppContext } from '../context.js';
import { EXIT_CODE_HELP } from '../errors/exit-codes.js';
import { UsageError, ErrorCode } from '../errors/errors.js';
import { writeJson } from '../output/json.js';

/** `mms help [topic]`: help for a command, or the exit-code table. */
export function createHelpCommand(ctx: AppContext, program: Command, load: (name: string) => Promise<Command | undefined>): Command {
  return new Command('help')
    .description('show help for a command, or a topic: exit-codes')
    .argument('[topic]', 'a command name or "exit-codes"')
    .addHelpText('after', '\nExamples:\n  $ mms help send\n  $ mms help exit-codes')
    .action(async (topic: string | undefined) => {
      if (!topic) {
        program.outputHelp();
        return;
      }
      if (topic === 'exit-codes') {
        if (ctx.io.json) {
          writeJson(ctx.io, { exitCodes: EXIT_CODE_HELP.map(([code, meaning]) => ({ code, meaning })) });
          return;
        }
        ctx.io.out('Exit codes:');
        for (const [code, meaning] of EXIT_CODE_HELP) ctx.io.out(`  ${String(code).padStart(3)}  ${meaning}`);
        return;
      }
      const cmd = await load(topic);
      if (!cmd) {
        throw new UsageError(`Unknown help topic "${topic}"`, {
          code: ErrorCode.INVALID_ARGUMENT,
          suggestion: `Use a command name (${program.commands.map((c) => c.name()).join(', ')}) or "exit-codes"`,
        });
      }
      // Shown as `mms <topic>`, with the global flags, as `mms <topic> --help` would.
      cmd.parent = program;
      cmd.configureOutput(program.configureOutput());
      cmd.outputHelp();
    });
}
