import { Command } from 'commander';
import type { AppContext } from '../context.js';
import { ErrorCode, ProviderError } from '../errors/errors.js';
import { ExitCode } from '../errors/exit-codes.js';
import type { MessageStatusInfo } from '../core/types.js';
import { loadAccount } from './shared.js';
import type { GlobalOptions } from './index.js';

export interface StatusOptions extends GlobalOptions {
  provider?: string;
  baseUrl?: string;
}

/** Fetches one message's status. */
export async function runStatus(id: string, opts: StatusOptions, ctx: AppContext): Promise<MessageStatusInfo> {
  const { adapter, callContext } = await loadAccount(ctx, opts);
  if (!adapter.getStatus) {
    throw new ProviderError(ErrorCode.NOT_SUPPORTED, ExitCode.USAGE, `${adapter.displayName} has no API to look up a message's status`, {
      provider: adapter.name,
      suggestion: 'Use `mms send --wait` or `mms listen` to receive delivery receipts instead',
    });
  }
  return adapter.getStatus(id.trim(), callContext());
}

/** `mms status <message-id>`. */
export function createStatusCommand(ctx: AppContext): Command {
  return new Command('status')
    .description("show a sent message's delivery status")
    .argument('<message-id>', 'the id `mms send` printed (Twilio: SM… or MM…)')
    .option('--provider <name>', "provider to ask (default: the profile's)")
    .option('--base-url <url>', 'API base URL override')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mms status MM0123456789abcdef0123456789abcdef\n  $ mms status MM0123456789abcdef0123456789abcdef --json | jq -r .status',
    )
    .action(async (id: string, _o, cmd: Command) => {
      const info = await runStatus(id, cmd.optsWithGlobals<StatusOptions>(), ctx);
      const { renderStatus } = await import('../output/render-status.js');
      renderStatus(ctx.io, info);
    });
}
