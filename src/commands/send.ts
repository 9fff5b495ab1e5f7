// mms send: flags → a typed request → sendMessages (services/send: validate everything first, then
// dispatch) → render. Heavy modules load inside the action so `mms --help` stays fast.
import { Command, Option } from 'commander';
import type { AppContext } from '../context.js';
import type { SendInputPorts, SendPorts, SendRequest } from '../services/send/index.js';
import { parsePositiveInt, parseRate, parseSeconds, tunnelChoice } from './flags.js';
import { collect, loadAccount, readStdin, splitList, withExitCode } from './shared.js';
import { checkHttpUrl } from '../core/urls.js';
import { ErrorCode, UsageError } from '../errors/errors.js';
import { parseFitBudget } from '../media/fit/budget.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
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
  /** --fit / --no-fit (undefined: the config's `fit`). */
  fit?: boolean;
  fitBudget?: string;
  stripMetadata?: boolean;
  journalRepair?: boolean;
}

/** The typed request for the send flow (invalid numbers of any kind throw a UsageError naming the flag). */
export function toSendRequest(opts: SendOptions, config: { fit?: unknown } = {}): SendRequest {
  // When several numbers are wrong, the first in this order is reported (as it always was).
  const concurrency = parsePositiveInt(opts.concurrency ?? '4', '--concurrency', 512);
  const mediaTimeoutSeconds = parseSeconds(opts.mediaTimeout ?? '120', '--media-timeout');
  const wait = opts.wait === undefined || opts.wait === false ? undefined : opts.wait === true ? 120 : parseSeconds(opts.wait, '--wait');
  const tunnel = tunnelChoice(opts.tunnel);
  checkUrlFlag(opts.baseUrl, '--base-url');
  // Twilio documents user:password@ in callback URLs for HTTP basic auth, so credentials are allowed here.
  checkUrlFlag(opts.statusCallback, '--status-callback', { allowCredentials: true });
  return {
    concurrency,
    mediaTimeoutSeconds,
    ...(wait !== undefined ? { waitSeconds: wait } : {}),
    ...(opts.rate !== undefined ? { ratePerSecond: sendRate(opts.rate) } : {}),
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
    // Only --json's one document and --wait's delivery lines need every result; otherwise a run keeps counts.
    collectResults: (Boolean(opts.json) && !opts.ndjson) || wait !== undefined,
    ...fitRequest(opts, config),
    ...(opts.journalRepair ? { journalRepair: true } : {}),
  };
}

/** --fit, --no-fit, --fit-budget (implies --fit), --strip-metadata, and the config's `fit auto|off`. */
function fitRequest(opts: SendOptions, config: { fit?: unknown }): Pick<SendRequest, 'fit' | 'fitBudgetBytes' | 'stripMetadata'> {
  const budget = opts.fitBudget === undefined ? undefined : parseFitBudget(opts.fitBudget);
  if (budget !== undefined && opts.fit === false) throw new UsageError('--fit-budget needs fitting: drop --no-fit', { code: ErrorCode.INVALID_ARGUMENT });
  const fit = opts.fit ?? (budget !== undefined || config.fit === 'auto');
  return { ...(fit ? { fit: true } : {}), ...(budget !== undefined ? { fitBudgetBytes: budget } : {}), ...(opts.stripMetadata ? { stripMetadata: true } : {}) };
}

/** --rate; 0 is refused on send: it reads as "send nothing", and "no limit" is spelled `unlimited`. */
function sendRate(text: string): number {
  const rate = parseRate(text);
  if (rate === Infinity && !/^\s*(unlimited|none)\s*$/i.test(text)) {
    throw new UsageError(`--rate "${text}" would send nothing: pass a rate such as 10/s, or --rate unlimited for no limit`, {
      code: ErrorCode.INVALID_ARGUMENT,
    });
  }
  return rate;
}

/** Refuses a URL flag that is not a plain http(s) URL (the same rule as --media and login), before anything is sent. */
function checkUrlFlag(value: string | undefined, flag: string, opts: { allowCredentials?: boolean } = {}): void {
  if (value === undefined) return;
  const checked = checkHttpUrl(value, opts);
  if (checked.problem === undefined) return;
  // Never echo embedded credentials back.
  const shown = checked.problem.startsWith('URLs with embedded credentials') ? '(a URL with credentials)' : `"${sanitizeForTerminal(value)}"`;
  throw new UsageError(`${flag} ${shown}: ${checked.problem}`, { code: ErrorCode.INVALID_ARGUMENT });
}

/**
 * The credentials of a `--status-callback https://user:password@host/…` (allowed: Twilio documents them for HTTP
 * basic auth on callbacks), for the output redactor: the password as typed and decoded, and `user:password`, which
 * also masks a password too short to be masked alone wherever the pair appears (the --debug form body, errors).
 */
export function callbackSecrets(url: string | undefined): string[] {
  if (url === undefined) return [];
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  if (u.password === '') return u.username === '' ? [] : [u.username, safeDecode(u.username)];
  const pairs = [`${u.username}:${u.password}`, `${safeDecode(u.username)}:${safeDecode(u.password)}`];
  return [...new Set([u.password, safeDecode(u.password), ...pairs])];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The send flow's ports for this process: the account, stdin, the prompt, the config store. */
async function sendPorts(ctx: AppContext, opts: SendOptions): Promise<SendPorts & SendInputPorts> {
  const { createSendPorts } = await import('../services/send/index.js');
  const ports = createSendPorts({
    env: ctx.env,
    signal: ctx.signal,
    loadAccount: () => loadAccount(ctx, opts),
    configuredCountry: () => ctx.store().readConfig().settings.defaultCountry,
    readStdin: () => readStdin(ctx, '--body -'),
    ...(ctx.io.canPrompt
      ? {
          askRecipient: async () => {
            const { askText } = await import('../output/prompt.js');
            return askText(ctx.io, '--to', 'Send to (E.164, e.g. +15551234567):');
          },
        }
      : {}),
  });
  return { ...ports, env: ctx.env, stdinChunks: () => ctx.io.stdin };
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
    .option('--fit', 'convert local images/GIFs/video over the carrier-safe size to fit, and strip metadata (GPS) (config: fit auto)')
    .option('--no-fit', 'send local media as it is, even with `fit auto` in the config')
    .option('--fit-budget <size>', 'bytes all media of one message may add up to with --fit, e.g. 600KB or 1MB (implies --fit)')
    .option('--strip-metadata', 'remove metadata (GPS, EXIF) from local JPEG/PNG (and, with ffmpeg, video) losslessly, without resizing')
    .option('--skip-invalid', 'send to the valid recipients even if some are invalid (they are reported)')
    .option('--default-country <code>', 'country for numbers without +country (ISO code, e.g. US)')
    .option('--concurrency <n>', 'requests in flight at once', '4')
    .option('--rate <n/s>', 'send rate shared by the whole run (default: the provider\'s documented account rate; "unlimited")')
    .option('--journal <file>', 'record each outcome; re-running with it skips recipients already accepted')
    .option('--journal-repair', 'repair a damaged --journal first: keeps intact lines, marks what the damage hides as unknown, keeps a backup')
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
  $ echo "Deploy finished" | mms send --to +15551234567 --body -
  $ mms send --to +15551234567 --media IMG_0042.jpg --fit --dry-run`,
    )
    .hook('preAction', () => {
      // Parsing is done and this command will run: start loading the flow while the action begins.
      void import('../services/send/index.js');
    })
    .action(
      withExitCode(ctx, async (_o: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<SendOptions>();
        // The config's `fit` (auto|off); read defensively: older config files have no such setting.
        const request = toSendRequest(opts, { fit: (ctx.store().readConfig().settings as { fit?: unknown }).fit });
        ctx.io.addSecrets(callbackSecrets(request.statusCallback));
        const [{ sendMessages, sendExitCode }, { createSendRenderer }] = await Promise.all([
          import('../services/send/index.js'),
          import('../output/render-send.js'),
        ]);
        const renderer = createSendRenderer(ctx, { ndjson: Boolean(opts.ndjson), progress: Boolean(opts.progress), journal: opts.journal ?? null });
        const outcome = await sendMessages(request, await sendPorts(ctx, opts), renderer.events);
        try {
          await renderer.finish(outcome);
        } finally {
          outcome.plan.recipients.close();
        }
        return sendExitCode(outcome);
      }),
    );
}
