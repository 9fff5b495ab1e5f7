// mms send: flags → a typed request → sendMessages (services/send: validate everything first, then
// dispatch) → render. Heavy modules load inside the action so `mms --help` stays fast.
import { Command, Option } from 'commander';
import type { AppContext } from '../context.js';
import type { SendPorts, SendRequest } from '../services/send/index.js';
import { parsePositiveInt, parseRate, parseSeconds, tunnelChoice } from './flags.js';
import { collect, loadAccount, readStdin, splitList, withExitCode } from './shared.js';
import type { GlobalOptions } from './index.js';

// Still importable from here (test/unit/output/io.test.ts); it lives with the flow now.
export { sendExitCode } from '../services/send/outcome.js';

export interface SendOptions extends GlobalOptions {
  to: string[];
  toFile?: string;
  from?: string;
  body?: string;
  bodyFile?: string;
  media: string[];
  dryRun: boolean;
  provider?: string;
  baseUrl?: string;
  defaultCountry?: string;
  statusCallback?: string;
  skipInvalid?: boolean;
  concurrency: string;
  rate?: string;
  retryAmbiguous?: boolean;
  journal?: string;
  progress?: boolean;
  ndjson?: boolean;
  checkMedia?: boolean;
  tunnel?: string | boolean;
  publicUrl?: string;
  tunnelHost?: string;
  mediaTimeout: string;
  wait?: string | boolean;
}

/** The typed request for the send flow (invalid numbers of any kind throw a UsageError naming the flag). */
export function toSendRequest(opts: SendOptions): SendRequest {
  // When several numbers are wrong, the first in this order is reported (as it always was).
  const concurrency = parsePositiveInt(opts.concurrency ?? '4', '--concurrency', 512);
  const mediaTimeoutSeconds = parseSeconds(opts.mediaTimeout ?? '120', '--media-timeout');
  const wait = opts.wait === undefined || opts.wait === false ? undefined : opts.wait === true ? 120 : parseSeconds(opts.wait, '--wait');
  const tunnel = tunnelChoice(opts.tunnel);
  return {
    concurrency,
    mediaTimeoutSeconds,
    ...(wait !== undefined ? { waitSeconds: wait } : {}),
    ...(opts.rate !== undefined ? { ratePerSecond: parseRate(opts.rate) } : {}),
    ...(opts.toFile !== undefined ? { toFile: opts.toFile } : {}),
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    ...(opts.bodyFile !== undefined ? { bodyFile: opts.bodyFile } : {}),
    ...(opts.defaultCountry !== undefined ? { defaultCountry: opts.defaultCountry } : {}),
    ...(opts.journal !== undefined ? { journal: opts.journal } : {}),
    ...(opts.statusCallback !== undefined ? { statusCallback: opts.statusCallback } : {}),
    to: splitList(opts.to),
    media: opts.media ?? [],
    skipInvalid: Boolean(opts.skipInvalid),
    dryRun: Boolean(opts.dryRun),
    retryAmbiguous: Boolean(opts.retryAmbiguous),
    checkMedia: Boolean(opts.checkMedia),
    reach: {
      ...(tunnel !== undefined ? { tunnel } : {}),
      ...(opts.publicUrl !== undefined ? { publicUrl: opts.publicUrl } : {}),
      ...(opts.tunnelHost !== undefined ? { tunnelHost: opts.tunnelHost } : {}),
    },
    collectResults: !opts.ndjson,
  };
}

/** The send flow's ports for this process: the account, stdin, the prompt, the config store. */
async function sendPorts(ctx: AppContext, opts: SendOptions): Promise<SendPorts> {
  const { createSendPorts } = await import('../services/send/index.js');
  return createSendPorts({
    env: ctx.env,
    signal: ctx.signal,
    loadAccount: () => loadAccount(ctx, opts),
    configuredCountry: () => ctx.store().readConfig().settings.defaultCountry,
    readStdin: () => readStdin(ctx),
    ...(ctx.io.canPrompt
      ? {
          askRecipient: async () => {
            const { askText } = await import('../output/prompt.js');
            return askText(ctx.io, '--to', 'Send to (E.164, e.g. +15551234567):');
          },
        }
      : {}),
  });
}

/** `mms send`. */
export function createSendCommand(ctx: AppContext): Command {
  return new Command('send')
    .description('send an MMS (text plus images, video or audio) to one or more recipients')
    .option('-t, --to <numbers>', 'recipient, E.164 (repeatable, comma-separated)', collect, [])
    .option('--to-file <path>', 'recipients: one per line, or CSV with a phone/to/number column ("-" for stdin)')
    .option('-f, --from <sender>', "sender number or id (default: the profile's)")
    .addOption(new Option('-b, --body <text>', 'message text ("-" reads stdin); {{column}} is filled from the CSV').conflicts('bodyFile'))
    .option('--body-file <path>', 'read the message text from a file ("-" for stdin)')
    .option('-m, --media <path-or-url>', 'image/video/audio file or URL (repeatable)', collect, [])
    .option('--dry-run', 'validate everything and print the plan; send nothing', false)
    .option('--skip-invalid', 'send to the valid recipients even if some are invalid (they are reported)')
    .option('--default-country <code>', 'country for numbers without +country (ISO code, e.g. US)')
    .option('--concurrency <n>', 'requests in flight at once', '4')
    .option('--rate <n/s>', 'send rate shared by the whole run (default: the provider\'s documented account rate; "unlimited")')
    .option('--journal <file>', 'record each outcome; re-running with it skips recipients already accepted')
    .option('--retry-ambiguous', 'resend when the outcome is unknown (may send duplicates)')
    .option('--progress', 'print periodic progress lines even when stderr is not a terminal')
    .option('--ndjson', 'print each result as a JSON line as it happens (for very large lists)')
    .option('--check-media', 'check media URLs with HEAD requests before sending')
    .option('--wait [seconds]', 'wait for delivery receipts (default 120 s); exit 8 if any is still pending')
    .addOption(
      new Option('--tunnel [backend]', 'how the provider reaches local files and receipts').choices([
        'auto',
        'ngrok',
        'cloudflared',
        'localtunnel',
        'public-url',
      ]),
    )
    .option('--public-url <url>', 'public URL that forwards to the local server (instead of a tunnel)')
    .option('--tunnel-host <url>', 'localtunnel server (with --tunnel localtunnel)')
    .option('--media-timeout <seconds>', 'how long to keep serving local files for the provider to fetch', '120')
    .option('--provider <name>', "provider to use (default: the profile's)")
    .option('--base-url <url>', 'API base URL override (regional edge, proxy, or `mms sandbox`)')
    .option('--status-callback <url>', 'URL the provider posts delivery status to')
    .addHelpText(
      'after',
      `
Examples:
  $ mms send --to +15551234567 --media chart.png --body "Nightly chart"
  $ mms send --to-file subscribers.csv --body "Hi {{name}}" --media report.png --journal run.jsonl
  $ echo "Deploy finished" | mms send --to +15551234567 --body -`,
    )
    .hook('preAction', () => {
      // Parsing is done and this command will run: start loading the flow while the action begins.
      void import('../services/send/index.js');
    })
    .action(
      withExitCode(ctx, async (_o: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<SendOptions>();
        const request = toSendRequest(opts);
        const [{ sendMessages, sendExitCode }, { createSendRenderer }] = await Promise.all([
          import('../services/send/index.js'),
          import('../output/render-send.js'),
        ]);
        const renderer = createSendRenderer(ctx, { ndjson: Boolean(opts.ndjson), progress: Boolean(opts.progress) });
        const outcome = await sendMessages(request, await sendPorts(ctx, opts), renderer.events);
        renderer.finish(outcome);
        return sendExitCode(outcome);
      }),
    );
}
