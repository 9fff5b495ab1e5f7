// mms trigger inbound|status: fire a realistic, correctly signed provider webhook at your app (or
// print it). This file is flags and rendering; the flow is services/forward/trigger.ts.
import { Command, Option } from 'commander';
import type { AppContext } from '../context.js';
import { CliError, ErrorCode, UsageError } from '../errors/errors.js';
import { writeJson } from '../output/json.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
import type { TriggerOutcome, TriggerRequest, TriggeredRequest } from '../services/forward/trigger.js';
import { parseSeconds } from './flags.js';
import { answerExitCode, requireForwardUrl } from './listen.js';
import { collect, loadAccount, readStdin, withExitCode } from './shared.js';
import type { GlobalOptions } from './index.js';

export interface TriggerOptions extends GlobalOptions {
  url: string;
  provider?: string;
  baseUrl?: string;
  from?: string;
  to?: string;
  body?: string;
  media?: string[];
  id?: string;
  status?: 'delivered' | 'undelivered' | 'failed';
  errorCode?: string;
  secretStdin?: boolean;
  print?: boolean;
  timeout?: string;
  mediaWait?: string;
}

const E164 = /^\+[1-9]\d{1,14}$/;

function number(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!E164.test(value.trim())) {
    throw new UsageError(`${flag} "${sanitizeForTerminal(value)}" must be an E.164 number such as +15551234567`, { code: ErrorCode.INVALID_ARGUMENT });
  }
  return value.trim();
}

/** The flags as a request; `ours` is the profile's sender (the number a message is sent to, or from). */
export function triggerRequestFrom(kind: 'inbound' | 'status', opts: TriggerOptions, ours: string | undefined): TriggerRequest {
  const url = requireForwardUrl(opts.url, '--url');
  const from = number(opts.from, '--from');
  const to = number(opts.to, '--to');
  const missing = (flag: string) => new UsageError(`${flag} is required for mms trigger ${kind}`, { code: ErrorCode.MISSING_ARGUMENT });
  if (kind === 'status' && opts.id === undefined) throw missing('--id');
  // Inbound: a customer texts our number. Status: a message we sent to a customer.
  const customer = kind === 'inbound' ? from : to;
  const own = (kind === 'inbound' ? to : from) ?? ours;
  if (customer === undefined) throw missing(kind === 'inbound' ? '--from' : '--to');
  if (own === undefined) throw missing(kind === 'inbound' ? '--to' : '--from');
  const timeoutS = opts.timeout !== undefined ? parseSeconds(opts.timeout, '--timeout') : undefined;
  const mediaWaitS = opts.mediaWait !== undefined ? parseSeconds(opts.mediaWait, '--media-wait') : undefined;
  return {
    kind,
    url,
    from: kind === 'inbound' ? customer : own,
    to: kind === 'inbound' ? own : customer,
    body: opts.body ?? '',
    media: opts.media ?? [],
    ...(opts.id !== undefined ? { id: opts.id } : {}),
    status: opts.status ?? 'delivered',
    ...(opts.errorCode !== undefined ? { errorCode: opts.errorCode } : {}),
    print: Boolean(opts.print),
    ...(timeoutS !== undefined ? { timeoutMs: Math.round(timeoutS * 1000) } : {}),
    ...(mediaWaitS !== undefined ? { mediaWaitMs: Math.round(mediaWaitS * 1000) } : {}),
  };
}

/**
 * The request as shown: a Basic `Authorization` (Bandwidth's callback user and password) would carry
 * the password in base64, which the output's secret scrubber mangles half-way: show the user and a
 * placeholder instead, so the line reads as what it is.
 */
export function printableRequest(r: TriggeredRequest): TriggeredRequest {
  const auth = r.headers.authorization;
  const m = auth !== undefined ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(auth) : null;
  if (!m) return r;
  const user = Buffer.from(m[1]!, 'base64').toString('utf8').split(':')[0] ?? '';
  return { ...r, headers: { ...r.headers, authorization: `Basic base64(${user}:[redacted])` } };
}

/** The raw HTTP/1.1 request, as it goes on the wire. */
export function formatRawRequest(r: TriggeredRequest): string {
  const u = new URL(r.url);
  const lines = [`${r.method} ${u.pathname}${u.search} HTTP/1.1`, `Host: ${u.host}`];
  for (const [k, v] of Object.entries(r.headers)) lines.push(`${k}: ${v}`);
  lines.push(`content-length: ${Buffer.byteLength(r.body)}`, '', r.body);
  return lines.join('\n');
}

/** Prints the outcome; returns the exit code (0: the app answered 2xx; 6: it answered otherwise; 7: no answer). */
function render(out: TriggerOutcome, ctx: AppContext): number {
  const a = out.answer;
  const code = answerExitCode(a);
  for (const n of out.notes) ctx.io.warn(`Note: ${n}`);
  if (ctx.io.json) {
    writeJson(ctx.io, { type: 'trigger', ...out, request: printableRequest(out.request) });
    return code;
  }
  if (a === undefined) {
    for (const line of formatRawRequest(printableRequest(out.request)).split('\n')) ctx.io.out(sanitizeForTerminal(line));
    return code;
  }
  ctx.io.out(`--> ${out.kind} ${sanitizeForTerminal(out.id)} (${out.provider}) POST ${sanitizeForTerminal(out.request.url)}`);
  if (a.error) {
    ctx.io.warn(`<-- no answer from ${sanitizeForTerminal(a.url)}: ${sanitizeForTerminal(a.error.message)}`);
    return code;
  }
  ctx.io.out(`<-- ${a.answered} ${sanitizeForTerminal(a.contentType ?? '')} ${a.durationMs} ms`.replace(/ {2}/, ' '));
  if (a.body !== '') for (const line of a.body.split('\n')) ctx.io.out(sanitizeForTerminal(line));
  for (const m of out.media) ctx.io.info(`media ${sanitizeForTerminal(m.input)}: fetched ${m.fetched} time${m.fetched === 1 ? '' : 's'}`);
  return code;
}

async function runTrigger(kind: 'inbound' | 'status', opts: TriggerOptions, ctx: AppContext): Promise<number> {
  // --from/--to name the webhook's numbers, not the account's sender: keep them out of the account.
  const { from: _from, to: _to, ...accountFlags } = opts;
  const loaded = await loadAccount(ctx, accountFlags);
  const request = triggerRequestFrom(kind, opts, loaded.account.from?.value);
  let secret: string | undefined;
  if (opts.secretStdin) {
    secret = (await readStdin(ctx, '--secret-stdin')).trim();
    if (secret === '') throw new UsageError('--secret-stdin got nothing on stdin', { code: ErrorCode.MISSING_ARGUMENT });
    ctx.io.addSecrets([secret]);
  }
  const { triggerWebhook } = await import('../services/forward/trigger.js');
  try {
    const out = await triggerWebhook(request, {
      adapter: loaded.adapter,
      credentials: loaded.account.credentials,
      ...(secret !== undefined ? { secret } : {}),
      signal: ctx.signal,
    });
    return render(out, ctx);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new UsageError(`Could not build the webhook: ${(err as Error).message}`, { code: ErrorCode.INVALID_ARGUMENT });
  }
}

function triggerSubcommand(ctx: AppContext, kind: 'inbound' | 'status', description: string): Command {
  const cmd = new Command(kind)
    .description(description)
    .requiredOption('--url <app-url>', 'where to send it: your app (e.g. http://localhost:3000/sms)')
    .option('--provider <name>', "whose webhook to build (default: the profile's)")
    .option('--base-url <url>', 'API base URL override (not used: nothing is sent to the provider)')
    .option('--from <e164>', kind === 'inbound' ? 'the customer who texts (required)' : "our sender (default: the profile's)")
    .option('--to <e164>', kind === 'inbound' ? "our number (default: the profile's sender)" : 'the customer (required)')
    .option('--id <message-id>', kind === 'status' ? 'the message the receipt is for (required)' : 'the message id (default: a fresh one)')
    .option('--secret-stdin', 'read the signing secret from stdin (Telnyx: an Ed25519 private key)')
    .option('--print', 'print the raw HTTP request instead of sending it')
    .option('--timeout <seconds>', "how long to wait for the app's answer (default 10)");
  if (kind === 'inbound') {
    cmd
      .option('--body <text>', 'message text', '')
      .option('--media <file-or-url>', 'media item (repeatable); local files are served by mms on 127.0.0.1 while the app fetches them', collect)
      .option('--media-wait <seconds>', 'how long local media stays served after the answer (default 30)');
  } else {
    cmd
      .addOption(new Option('--status <status>', 'final status').choices(['delivered', 'undelivered', 'failed']).default('delivered'))
      .option('--error-code <code>', "the provider's error code (undelivered/failed)");
  }
  return cmd.action(withExitCode(ctx, async (_o: unknown, c: Command) => runTrigger(kind, c.optsWithGlobals<TriggerOptions>(), ctx)));
}

/** `mms trigger`. */
export function createTriggerCommand(ctx: AppContext): Command {
  return new Command('trigger')
    .description("send your app a provider's webhook, built and signed like the real one")
    .addCommand(triggerSubcommand(ctx, 'inbound', 'an inbound message webhook (text and media) from a customer to your number'))
    .addCommand(triggerSubcommand(ctx, 'status', 'a delivery-status webhook for a message you sent'))
    .addHelpText(
      'after',
      `
Signed with the profile's secret (Twilio/Plivo Auth Token, Vonage signature secret, Sinch webhook
secret, Bandwidth callback password), or the one --secret-stdin reads. Telnyx webhooks are signed
with Telnyx's private key: pass an Ed25519 private key on stdin, or mms makes a fresh pair and
prints the public key your app must use.

Examples:
  $ mms trigger inbound --url http://localhost:3000/sms --from +15557654321 --body "hi" --media ./cat.jpg
  $ mms trigger status --url http://localhost:3000/status --id SM0123… --to +15557654321 --status undelivered --error-code 30003
  $ mms trigger inbound --provider plivo --url http://localhost:3000/sms --from +15557654321 --print`,
    );
}
