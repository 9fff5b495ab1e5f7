// mms listen: receive inbound messages and delivery receipts on a local, signature-checked webhook
// server, reachable through a tunnel (or directly when the provider is the local sandbox), and
// optionally point a number's inbound webhook at it for the duration (restored on every exit).
// This file is flags and rendering; the flow is services/listen/.
import { Command, Option } from 'commander';
import type { AppContext } from '../context.js';
import { ErrorCode, UsageError } from '../errors/errors.js';
import { ExitCode } from '../errors/exit-codes.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
import { writeNdjson } from '../output/json.js';
import type { ForwardReport, ListenEvents, ListenOutcome, ListenPorts, ListenRequest, StopReason } from '../services/listen/types.js';
import type { TunnelChoice } from '../webhook/tunnel/select.js';
import { parseCount, parsePort, parseSeconds, parseTimeoutSeconds, TUNNEL_FLAG_CHOICES } from './flags.js';
import { loadAccount, withExitCode, type LoadedAccount } from './shared.js';
import type { GlobalOptions } from './index.js';

export interface ListenOptions extends GlobalOptions {
  port?: string;
  tunnel?: TunnelChoice;
  publicUrl?: string;
  tunnelHost?: string;
  number?: string;
  since?: string;
  restore?: boolean;
  saveMedia?: string;
  exec?: string;
  count?: string;
  timeout?: string;
  insecureSkipVerify?: boolean;
  provider?: string;
  baseUrl?: string;
  forwardTo?: string;
  forwardInboundTo?: string;
  forwardStatusTo?: string;
  forwardTimeout?: string;
  keepEvents?: string;
  keepEventsDays?: string;
}

/** The exit code for a finished run: 8 when --count was given and not reached, else 0. */
export function listenExitCode(reason: StopReason, messages: number, count: number | undefined): number {
  if (reason === 'tunnel-lost') return ExitCode.UNAVAILABLE;
  if (count !== undefined && messages < count) return reason === 'signal' ? ExitCode.OK : ExitCode.PENDING;
  return ExitCode.OK;
}

function requireNumber(value: string): string {
  // E.164 only: --number names one of the account's own numbers, never a national form.
  if (!/^\+[1-9]\d{1,14}$/.test(value.trim())) {
    throw new UsageError(`--number "${sanitizeForTerminal(value)}" must be an E.164 number such as +15551234567`, { code: ErrorCode.INVALID_ARGUMENT });
  }
  return value.trim();
}

/** An http(s) URL to forward to (validation failures throw UsageError). */
export function requireForwardUrl(value: string, flag: string): string {
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
    throw new UsageError(`${flag} "${sanitizeForTerminal(value)}" must be an http(s) URL such as http://localhost:3000/sms`, {
      code: ErrorCode.INVALID_ARGUMENT,
    });
  }
  return value;
}

/** --forward-to and the per-kind overrides, or undefined when none was given. */
function forwardRequestFrom(opts: ListenOptions): ListenRequest['forward'] {
  const both = opts.forwardTo !== undefined ? requireForwardUrl(opts.forwardTo, '--forward-to') : undefined;
  const inbound = opts.forwardInboundTo !== undefined ? requireForwardUrl(opts.forwardInboundTo, '--forward-inbound-to') : both;
  const status = opts.forwardStatusTo !== undefined ? requireForwardUrl(opts.forwardStatusTo, '--forward-status-to') : both;
  if (inbound === undefined && status === undefined) {
    if (opts.forwardTimeout !== undefined) throw new UsageError('--forward-timeout needs --forward-to', { code: ErrorCode.INVALID_ARGUMENT });
    return undefined;
  }
  const timeoutS = opts.forwardTimeout !== undefined ? parseSeconds(opts.forwardTimeout, '--forward-timeout') : undefined;
  return {
    ...(inbound !== undefined ? { inbound } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(timeoutS !== undefined ? { timeoutMs: Math.round(timeoutS * 1000) } : {}),
  };
}

/** --keep-events: 0 turns the event log off. */
function parseKeepEvents(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) {
    throw new UsageError(`--keep-events "${sanitizeForTerminal(value)}" must be a whole number from 0 to 100000`, { code: ErrorCode.INVALID_ARGUMENT });
  }
  return n;
}

/** --keep-events-days: a positive number of days (fractions allowed). */
function parseKeepEventsDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 36_500) {
    throw new UsageError(`--keep-events-days "${sanitizeForTerminal(value)}" must be a number of days above 0 (e.g. 7)`, { code: ErrorCode.INVALID_ARGUMENT });
  }
  return n;
}

/** The flags of a listener run as a request (validation failures throw UsageError). */
export function listenRequestFrom(opts: ListenOptions): ListenRequest {
  const forward = forwardRequestFrom(opts);
  const keepEvents = parseKeepEvents(opts.keepEvents);
  const keepEventsDays = parseKeepEventsDays(opts.keepEventsDays);
  const count = parseCount(opts.count);
  const timeoutS = parseTimeoutSeconds(opts.timeout);
  const number = opts.number !== undefined ? requireNumber(opts.number) : undefined;
  if (opts.since !== undefined && number === undefined) {
    throw new UsageError('--since needs --number: catch-up reads the messages that number received', { code: ErrorCode.INVALID_ARGUMENT });
  }
  return {
    port: parsePort(opts.port),
    ...(opts.tunnel !== undefined ? { tunnel: opts.tunnel } : {}),
    ...(opts.publicUrl !== undefined ? { publicUrl: opts.publicUrl } : {}),
    ...(opts.tunnelHost !== undefined ? { tunnelHost: opts.tunnelHost } : {}),
    ...(number !== undefined ? { number } : {}),
    ...(opts.saveMedia !== undefined ? { saveMedia: opts.saveMedia } : {}),
    ...(opts.exec !== undefined ? { exec: opts.exec } : {}),
    ...(count !== undefined ? { count } : {}),
    ...(timeoutS !== undefined ? { timeoutS } : {}),
    skipVerify: Boolean(opts.insecureSkipVerify),
    ...(forward !== undefined ? { forward } : {}),
    ...(keepEvents !== undefined ? { keepEvents } : {}),
    ...(keepEventsDays !== undefined ? { keepEventsDays } : {}),
  };
}

const arrow = (from: string | undefined, to: string | undefined): string => `${sanitizeForTerminal(from ?? '?')} → ${sanitizeForTerminal(to ?? '?')}`;

/** The exit code of a one-off send to the app (trigger, replay): 0 for 2xx, 6 for another answer, 7 for none, 130 after Ctrl+C. */
export function answerExitCode(a: Pick<ForwardReport['attempt'], 'answered' | 'error'> | undefined): number {
  if (a === undefined) return ExitCode.OK;
  if (a.error) return a.error.reason === 'interrupted' ? ExitCode.INTERRUPTED : ExitCode.UNAVAILABLE;
  return a.answered >= 200 && a.answered < 300 ? ExitCode.OK : ExitCode.PROVIDER_REJECTED;
}

const WHY: Record<NonNullable<ForwardReport['attempt']['error']>['reason'], string> = {
  unreachable: 'the app is unreachable',
  timeout: 'no answer within the timeout',
  'too-large': 'answer too large',
  'bad-url': 'bad URL',
  interrupted: 'interrupted',
};

/**
 * The `-->` lines (what the webhook carried) and the `<--` line (the app's answer) of a forward.
 * `relayed`: the answer went to a provider (`mms listen`), so a failure line says what it was told.
 */
export function formatForwardLines(r: Pick<ForwardReport, 'kind' | 'events' | 'attempt'>, relayed = true): { out: string[]; warn?: string } {
  const s = sanitizeForTerminal;
  const out = r.events.map((e) =>
    e.type === 'message'
      ? `--> inbound ${s(e.id)} ${arrow(e.from, e.to)} (${e.media ?? 0} media)`
      : `--> status ${s(e.id)} ${s(e.status ?? '')} ${arrow(e.from, e.to)}`,
  );
  if (out.length === 0) out.push(`--> ${r.kind} webhook`);
  const a = r.attempt;
  if (a.error === undefined) {
    out.push(`<-- ${a.status ?? a.answered} ${s(a.method)} ${s(a.url)} ${a.durationMs} ms`);
    return { out };
  }
  const head = `<-- ${relayed ? `${a.answered} ` : ''}${s(a.method)} ${s(a.url)}: ${WHY[a.error.reason]} (${s(a.error.message)})`;
  return { out, warn: relayed ? `${head}; answered ${a.answered} so the provider retries` : head };
}

/** The forward lines: NDJSON under --json, else `-->`/`<--` lines (stdout; a failure on stderr). */
function renderForward(r: ForwardReport, ctx: AppContext, flush: () => void): void {
  flush();
  if (ctx.io.json) {
    const { attempt, ...rest } = r;
    writeNdjson(ctx.io, { ...rest, ...attempt });
    return;
  }
  const { out, warn } = formatForwardLines(r);
  for (const line of out) ctx.io.out(line);
  if (warn !== undefined) ctx.io.warn(warn);
}

/**
 * True when an event is shown by its forward's `-->` line instead of the event block: only events of
 * a kind that is forwarded (with --forward-status-to alone, inbound messages still print their block).
 */
export function showsForwardLinesFor(ev: { type: string }, forward: ListenRequest['forward'], json: boolean): boolean {
  if (json || forward === undefined) return false;
  return ev.type === 'message' ? forward.inbound !== undefined : ev.type === 'status' ? forward.status !== undefined : false;
}

/** The account as the listen service sees it; cleanup calls are not tied to Ctrl+C (which already fired). */
function listenAccount(loaded: LoadedAccount): ListenPorts['account'] {
  const callContext = loaded.callContext();
  const cleanupContext = () => {
    const c = loaded.callContext();
    return { credentials: c.credentials, baseUrl: c.baseUrl, http: c.http };
  };
  return { adapter: loaded.adapter, callContext, cleanupContext, ...(loaded.account.profile.record ? { profile: loaded.account.profile.name } : {}) };
}

/** `mms listen --restore`. */
async function restore(opts: ListenOptions, ctx: AppContext): Promise<number> {
  const number = opts.number !== undefined ? requireNumber(opts.number) : undefined;
  const [{ restoreLeftovers }, { renderRestoreOutcome }] = await Promise.all([import('../services/listen/index.js'), import('../output/render-listen.js')]);
  const out = await restoreLeftovers(
    { ...(number !== undefined ? { number } : {}), ...(opts.provider !== undefined ? { provider: opts.provider } : {}) },
    {
      env: ctx.env,
      async loadAccount(rec) {
        // The profile that made the change, unless --profile names another (or it was deleted since).
        const profile = opts.profile ?? (rec.profile !== undefined && ctx.store().readConfig().profiles[rec.profile] ? rec.profile : undefined);
        const loaded = await loadAccount(ctx, {
          ...opts,
          provider: rec.provider,
          baseUrl: opts.baseUrl ?? rec.baseUrl,
          ...(profile !== undefined ? { profile } : {}),
        });
        return listenAccount(loaded);
      },
    },
  );
  renderRestoreOutcome(out, ctx.io, ctx.errTheme);
  return out.failed.length > 0 ? ExitCode.UNAVAILABLE : ExitCode.OK;
}

/** `mms listen` until --count, --timeout, Ctrl+C or the loss of the tunnel. */
async function listen(opts: ListenOptions, ctx: AppContext): Promise<number> {
  // `mms listen --json | head -1`: a listener may write nothing for hours; without this it would
  // learn only at its next write that its reader left, keeping the number pointed at it.
  ctx.onExit(ctx.io.watchOutputClosed());
  const request = listenRequestFrom(opts);
  // The same parser as `mms events list --since`, loaded only when the flag is given.
  if (opts.since !== undefined) request.since = (await import('../services/events/index.js')).parseSince(opts.since, new Date());
  const account = listenAccount(await loadAccount(ctx, opts));
  const [{ listenForMessages }, render] = await Promise.all([import('../services/listen/index.js'), import('../output/render-listen.js')]);
  const base = render.createListenRenderer(ctx.io, { out: ctx.outTheme, err: ctx.errTheme });
  // Forwarding shows one `-->` line per event instead of the event block (NDJSON keeps both).
  const renderer: ListenEvents & { flush(): void } = {
    ...base,
    event: (ev) => (showsForwardLinesFor(ev, request.forward, ctx.io.json) ? undefined : base.event(ev)),
    forwarded: (r) => renderForward(r, ctx, () => base.flush()),
    eventLogFailed: (message) => ctx.io.warn(`Could not write the event log: ${sanitizeForTerminal(message)}`),
  };
  let outcome: ListenOutcome;
  try {
    outcome = await listenForMessages(
      request,
      {
        account,
        env: ctx.env,
        signal: ctx.signal,
        onExit: (fn) => ctx.onExit(fn),
        hookOutput: ctx.io.stderr,
        hookInput: (ev) => JSON.stringify(render.eventToJson(ev)) + '\n',
      },
      renderer,
    );
  } finally {
    renderer.flush();
  }
  const code = listenExitCode(outcome.reason, outcome.messages, outcome.count);
  render.renderListenSummary(outcome, { pending: code === ExitCode.PENDING, timeout: opts.timeout }, ctx.io, ctx.errTheme);
  return code;
}

/** `mms listen`. */
export function createListenCommand(ctx: AppContext): Command {
  return new Command('listen')
    .description('receive inbound messages and delivery receipts on a local, signature-checked webhook')
    .option('--port <port>', 'local port (0 picks a free one)', '0')
    .addOption(new Option('--tunnel [backend]', 'make the listener public: auto picks ngrok or cloudflared').choices([...TUNNEL_FLAG_CHOICES]).preset('auto'))
    .option('--public-url <url>', 'public https URL that already forwards to --port (your own proxy or tunnel)')
    .option('--tunnel-host <url>', 'localtunnel server for --tunnel localtunnel (its hop is unencrypted)')
    .option('--number <e164>', "point this number's inbound webhook at the listener while it runs (restored on exit)")
    .option('--since <when>', 'with --number: first recover the messages it received since then (15m, 1h, 7d or ISO 8601) that nobody saw')
    .option('--restore', "put back the webhooks a killed listener left changed (all, or --number's), then exit")
    .option('--save-media <dir>', 'download inbound media into this directory (generated names, never overwrites)')
    .option('--exec <command>', 'run a shell command per message: event JSON on stdin, MMS_MESSAGE_FROM/_TO/_BODY/_MEDIA in its env')
    .option('--forward-to <url>', "forward every verified webhook to your app (re-signed for its URL where the signature covers it); relay the app's answer")
    .option('--forward-inbound-to <url>', 'forward inbound-message webhooks here (overrides --forward-to)')
    .option('--forward-status-to <url>', 'forward delivery-receipt webhooks here (overrides --forward-to)')
    .option('--forward-timeout <seconds>', "how long to wait for the app's answer before answering the provider 504 (default 10)")
    .option('--keep-events <n>', 'how many accepted webhooks the event log keeps for `mms events` (0: none; default 1000)')
    .option('--keep-events-days <days>', 'also drop logged webhooks older than this many days (default: no age limit)')
    .option('--count <n>', 'exit 0 after n inbound messages')
    .option('--timeout <seconds>', 'stop after this long (exit 8 if --count was not reached)')
    .option('--insecure-skip-verify', 'accept webhooks without checking signatures (dangerous: anyone can post fakes)')
    .option('--provider <name>', "provider to listen for (default: the profile's)")
    .option('--base-url <url>', 'API base URL override (e.g. `mms sandbox`)')
    .addHelpText(
      'after',
      `
Events go to stdout (NDJSON with --json, starting with {"type":"listening",…});
status lines and rejected requests go to stderr. A lost tunnel is opened again
(8 attempts over about 2 minutes), the number re-pointed, and the messages of the
gap recovered from the provider's log; a closed stdout stops the listener.

Examples:
  $ mms listen --number +15551234567 --tunnel              # print inbound MMS until Ctrl+C
  $ mms listen --number +15551234567 --tunnel --count 1 --timeout 300 --json --save-media ./inbox
  $ mms listen --profile sandbox --number +15557770001 --forward-to http://localhost:3000/sms
  $ mms listen --restore                                   # after a kill -9: put webhooks back`,
    )
    .action(
      withExitCode(ctx, async (_o: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<ListenOptions>();
        return opts.restore ? restore(opts, ctx) : listen(opts, ctx);
      }),
    );
}
