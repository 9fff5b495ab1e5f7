// Command registry. Only the command being run is loaded: the others are light stand-ins with the
// name, description and usage that `mms --help` lists (each real module pulls in its own
// dependencies, and loading all of them would cost every invocation tens of milliseconds).
import { Command } from 'commander';
import type { AppContext } from '../context.js';
import { createHelpCommand } from './help.js';

type Factory = (ctx: AppContext) => Command;

interface CommandEntry {
  name: string;
  /** What `mms --help` lists after the name. */
  term: string;
  description: string;
  load: () => Promise<Factory>;
}

/** Every command, in the order `mms --help` lists them. Descriptions must match the modules'. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'send',
    term: '[options]',
    description: 'send an MMS (text plus images, video or audio) to one or more recipients',
    load: async () => (await import('./send.js')).createSendCommand,
  },
  {
    name: 'listen',
    term: '[options]',
    description: 'receive inbound messages and delivery receipts on a local, signature-checked webhook',
    load: async () => (await import('./listen.js')).createListenCommand,
  },
  {
    name: 'trigger',
    term: '',
    description: "send your app a provider's webhook, built and signed like the real one",
    load: async () => (await import('./trigger.js')).createTriggerCommand,
  },
  {
    name: 'events',
    term: '',
    description: 'list, show and replay the webhooks mms listen accepted (its event log)',
    load: async () => (await import('./events.js')).createEventsCommand,
  },
  {
    name: 'status',
    term: '[options] <message-id>',
    description: "show a sent message's delivery status",
    load: async () => (await import('./status.js')).createStatusCommand,
  },
  {
    name: 'login',
    term: '[options]',
    description: 'store provider credentials in a profile (checked with a real API call first)',
    load: async () => (await import('./auth/login.js')).createLoginCommand,
  },
  {
    name: 'logout',
    term: '',
    description: 'remove a stored profile and its credentials',
    load: async () => (await import('./auth/logout.js')).createLogoutCommand,
  },
  {
    name: 'whoami',
    term: '[options]',
    description: 'show the provider, account (masked), default sender, and where each value comes from',
    load: async () => (await import('./auth/whoami.js')).createWhoamiCommand,
  },
  {
    name: 'profiles',
    term: '',
    description: 'list stored profiles, pick the default, or remove one',
    load: async () => (await import('./auth/profiles.js')).createProfilesCommand,
  },
  {
    name: 'config',
    term: '',
    description: 'read and change settings (secrets are managed by `mms login`)',
    load: async () => (await import('./config/index.js')).createConfigCommand,
  },
  {
    name: 'providers',
    term: '',
    description: 'list supported providers and what each can do (media limits, upload, status, signatures)',
    load: async () => (await import('./providers.js')).createProvidersCommand,
  },
  {
    name: 'sandbox',
    term: '[options]',
    description: "run a local emulator of the providers' APIs (no account, no internet)",
    load: async () => (await import('./sandbox.js')).createSandboxCommand,
  },
  {
    name: 'completion',
    term: '[options] [shell]',
    description: 'print a shell completion script: bash, zsh or fish',
    load: async () => (await import('./completion.js')).createCompletionCommand,
  },
];

/** The command name an argument list runs (the first word that is not a global flag or its value). */
export function targetCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return undefined;
    if (a === '--profile') {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return a;
  }
  return undefined;
}

/** Loads the real command for `name` (for `mms help <name>` too). */
export async function loadCommand(name: string, ctx: AppContext): Promise<Command | undefined> {
  const entry = COMMANDS.find((c) => c.name === name);
  return entry ? (await entry.load())(ctx) : undefined;
}

/** Adds the command being run (real) and stand-ins for the rest. */
export async function registerCommands(program: Command, ctx: AppContext, args: readonly string[]): Promise<void> {
  program.addHelpCommand(false);
  const target = targetCommand(args);
  for (const entry of COMMANDS) {
    const real = entry.name === target ? await loadCommand(entry.name, ctx) : undefined;
    program.addCommand(real ?? new Command(entry.name).description(entry.description));
  }
  const terms = new Map(COMMANDS.map((c) => [c.name, c.term]));
  program.configureHelp({
    subcommandTerm: (cmd) => {
      const term = terms.get(cmd.name());
      if (term !== undefined) return term ? `${cmd.name()} ${term}` : cmd.name();
      const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`)).join(' ');
      return `${cmd.name()}${cmd.options.length ? ' [options]' : ''}${args ? ` ${args}` : ''}`;
    },
  });
  program.addCommand(createHelpCommand(ctx, program, (name) => loadCommand(name, ctx)));
}

/** The global flags as seen from a subcommand's action. */
export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;
  profile?: string;
}
