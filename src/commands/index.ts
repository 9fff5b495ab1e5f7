// Command registry: each command module only declares flags; actions lazy-load what they need.
import type { Command } from 'commander';
import type { AppContext } from '../context.js';
import { createSendCommand } from './send.js';
import { createStatusCommand } from './status.js';
import { createProvidersCommand } from './providers.js';
import { createLoginCommand } from './auth/login.js';
import { createLogoutCommand } from './auth/logout.js';
import { createWhoamiCommand } from './auth/whoami.js';
import { createProfilesCommand } from './auth/profiles.js';
import { createConfigCommand } from './config/index.js';
import { createSandboxCommand } from './sandbox.js';
import { createListenCommand } from './listen.js';
import { createHelpCommand } from './help.js';

/** Adds every command to the program. */
export function registerCommands(program: Command, ctx: AppContext): void {
  program.addHelpCommand(false);
  for (const make of [
    createSendCommand,
    createListenCommand,
    createStatusCommand,
    createLoginCommand,
    createLogoutCommand,
    createWhoamiCommand,
    createProfilesCommand,
    createConfigCommand,
    createProvidersCommand,
    createSandboxCommand,
  ]) {
    program.addCommand(make(ctx));
  }
  program.addCommand(createHelpCommand(ctx, program));
}

/** The global flags as seen from a subcommand's action. */
export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;
  profile?: string;
}
