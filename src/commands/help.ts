import { Command } from 'commander';
import type { AppContext } from '../context.js';
import { EXIT_CODE_HELP } from '../errors/exit-codes.js';
import { UsageError, ErrorCode } from '../errors/errors.js';
import { didYouMean } from '../errors/did-you-mean.js';
import { writeJson } from '../output/json.js';

/** One environment variable `mms` reads, for `mms help environment`. */
export interface EnvironmentVariable {
  name: string;
  description: string;
  /** The provider whose credentials or account it sets, if any. */
  provider?: string;
}

// Every variable read outside the provider descriptors (those list their own credentials). A test
// greps src/ for env reads and checks that each one is here or in a descriptor.
const GENERAL: ReadonlyArray<[string, string]> = [
  ['MMS_PROFILE', 'the stored profile to use (as --profile)'],
  ['MMS_FROM', "the sender when --from is not given (before the profile's)"],
  ['MMS_CONFIG_DIR', 'where config.json and credentials.json live (default: the OS config dir)'],
  ['MMS_DEBUG', 'as --debug: stack traces and a redacted HTTP log on stderr'],
  ['MMS_NO_PROMPT', 'never prompt; a missing input is an error naming its flag'],
  ['MMS_TEST_OFFLINE', 'refuse anything that would leave this machine (tunnels to non-loopback hosts); for tests'],
  ['CI', 'set: no prompts'],
  ['NO_COLOR', 'set (non-empty): no colors'],
  ['FORCE_COLOR', 'colors even when not a terminal ("0" or "false": off)'],
  ['TERM', '"dumb": no colors, no live progress line or spinner'],
  ['HTTPS_PROXY, HTTP_PROXY, NO_PROXY', 'proxy for provider API calls (lower case too)'],
  ['NGROK_AUTHTOKEN', 'enables --tunnel ngrok (and picks it for --tunnel auto)'],
  ['CLOUDFLARED_BIN', 'the cloudflared binary for --tunnel cloudflared (default: from PATH)'],
  ['FFMPEG_PATH', "the ffmpeg binary for fitting video to a provider's limits (ffprobe beside it; default: from PATH)"],
  ['XDG_CONFIG_HOME, APPDATA, HOME', 'locate the config dir when MMS_CONFIG_DIR is not set'],
  ['XDG_CACHE_HOME', 'where fitted media is cached (default ~/.cache/mms)'],
];

/** Every environment variable `mms` reads: the general ones, then each provider's (from its descriptor). */
export async function environmentVariables(): Promise<EnvironmentVariable[]> {
  const { allDescriptors } = await import('../providers/registry.js');
  const vars: EnvironmentVariable[] = GENERAL.map(([name, description]) => ({ name, description }));
  for (const d of allDescriptors()) {
    for (const f of d.credentialFields) {
      vars.push({ name: f.env.join(', '), description: `${f.label}${f.secret ? ' (secret)' : ''}`, provider: d.name });
    }
    vars.push({
      name: `MMS_${d.name.toUpperCase()}_BASE_URL`,
      description: 'API base URL override (regional edge, proxy, or `mms sandbox`)',
      provider: d.name,
    });
  }
  return vars;
}

async function printEnvironment(ctx: AppContext): Promise<void> {
  const vars = await environmentVariables();
  if (ctx.io.json) {
    writeJson(ctx.io, { environment: vars.map((v) => ({ ...v, provider: v.provider ?? null })) });
    return;
  }
  // Long names (several variables for one value) get their description on the next line.
  const width = Math.min(24, Math.max(...vars.map((v) => v.name.length)));
  ctx.io.out('Environment variables (a flag wins over a variable, a variable over the stored profile):');
  let group: string | null | undefined = null;
  for (const v of vars) {
    if (v.provider !== group) {
      group = v.provider;
      ctx.io.out(`\n${group ?? 'general'}:`);
    }
    if (v.name.length > width) ctx.io.out(`  ${v.name}\n  ${''.padEnd(width)}  ${v.description}`);
    else ctx.io.out(`  ${v.name.padEnd(width)}  ${v.description}`);
  }
  ctx.io.out('\n`mms listen --exec` sets variables for its command too: see `mms listen --help`.');
}

/** Help topics besides command names (completion offers them too). */
export const HELP_TOPICS = ['exit-codes', 'environment'];

/** `mms help [topic]`: help for a command, or a topic: exit codes, environment variables. */
export function createHelpCommand(ctx: AppContext, program: Command, load: (name: string) => Promise<Command | undefined>): Command {
  return new Command('help')
    .description('show help for a command, or a topic: exit-codes')
    .argument('[topic]', 'a command name, "exit-codes" or "environment"')
    .addHelpText('after', '\nExamples:\n  $ mms help send\n  $ mms help exit-codes\n  $ mms help environment')
    .action(async (topic: string | undefined) => {
      if (!topic) {
        program.outputHelp();
        return;
      }
      if (topic === 'environment' || topic === 'env') return printEnvironment(ctx);
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
        const names = program.commands.map((c) => c.name());
        throw new UsageError(`Unknown help topic "${topic}"`, {
          code: ErrorCode.INVALID_ARGUMENT,
          suggestion: `${didYouMean(topic, [...names, ...HELP_TOPICS])}Use a command name (${names.join(', ')}), "exit-codes" or "environment"`,
        });
      }
      // Shown as `mms <topic>`, with the global flags, as `mms <topic> --help` would.
      cmd.parent = program;
      cmd.configureOutput(program.configureOutput());
      cmd.outputHelp();
    });
}
