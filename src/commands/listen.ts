// mms listen: receive inbound messages and delivery receipts on a local, signature-checked webhook
// server, reachable through a tunnel (or directly when the provider is the local sandbox), and
// optionally point a number's inbound webhook at it for the duration (restored on every exit).
import { Command, Option } from 'commander';
import type { AppContext } from '../context.js';
import type { InboundMedia, WebhookEvent } from '../core/types.js';
import { AuthError, CliError, ErrorCode, ProviderError, UsageError } from '../errors/errors.js';
import { ExitCode } from '../errors/exit-codes.js';
import type { InboundRestoreState, ProviderAdapter, ProviderCallContext, WebhookRequest } from '../providers/types.js';
import { createLineWriter, writeJson, writeNdjson } from '../output/json.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
import type { Theme } from '../output/theme.js';
import type { PublicEndpoint } from '../webhook/endpoint.js';
import type { WebhookHttpRequest, WebhookHttpResponse } from '../webhook/server.js';
import type { TunnelChoice } from '../webhook/tunnel/select.js';
import type { RestoreRecord } from '../webhook/restore-file.js';
import { parseCount, parsePort, parseTimeoutSeconds, TUNNEL_FLAG_CHOICES } from './flags.js';
import { loadAccount, withExitCode, type LoadedAccount } from './shared.js';
import { formatBytes } from '../media/size.js';
import type { GlobalOptions } from './index.js';

export interface ListenOptions extends GlobalOptions {
  port?: string;
  tunnel?: TunnelChoice;
  publicUrl?: string;
  tunnelHost?: string;
  number?: string;
  restore?: boolean;
  saveMedia?: string;
  exec?: string;
  count?: string;
  timeout?: string;
  insecureSkipVerify?: boolean;
  provider?: string;
  baseUrl?: string;
}

/** A media item of an inbound message, after --save-media. */
export interface ListenMedia extends InboundMedia {
  /** Where --save-media wrote it. */
  path?: string;
  /** Why it could not be saved. */
  saveError?: string;
}

/** An inbound message as `mms listen` reports it. */
export type ListenMessageEvent = Omit<Extract<WebhookEvent, { type: 'message' }>, 'media'> & { media: ListenMedia[] };
/** A delivery receipt as `mms listen` reports it. */
export type ListenStatusEvent = Extract<WebhookEvent, { type: 'status' }>;
export type ListenEvent = ListenMessageEvent | ListenStatusEvent;

/** What the listener tells a script once it is ready. */
export interface ListeningInfo {
  provider: string;
  /** Public base URL (no trailing slash). */
  url: string;
  inboundUrl: string;
  statusUrl: string;
  via: string;
  number: string | null;
  /** True when --number pointed the number's inbound webhook here. */
  numberConfigured: boolean;
  verify: boolean;
}

/** Where runListen reports as it goes (the command renders; tests collect). */
export interface ListenSink {
  listening(info: ListeningInfo): void;
  event(ev: ListenEvent): void;
  /** A status line for people (stderr). */
  note(line: string): void;
  /** A warning or a rejected request (stderr, shown under --quiet too). */
  warn(line: string): void;
}

export type StopReason = 'count' | 'timeout' | 'signal' | 'tunnel-lost';

/** How a listener run ended. */
export interface ListenOutcome {
  reason: StopReason;
  messages: number;
  statuses: number;
  rejected: number;
  count?: number;
  exitCode: number;
}

/** What `mms listen --restore` did. */
export interface RestoreOutcome {
  restored: Array<{ provider: string; number: string; description: string }>;
  skipped: Array<{ provider?: string; number?: string; path: string; reason: string }>;
  failed: Array<{ provider: string; number: string; path: string; error: { code: string; message: string } }>;
}

// ---------------------------------------------------------------------------------------------
// Pure parts: flag parsing and rendering.

/** The exit code for a finished run: 8 when --count was given and not reached, else 0. */
export function listenExitCode(reason: StopReason, messages: number, count: number | undefined): number {
  if (reason === 'tunnel-lost') return ExitCode.UNAVAILABLE;
  if (count !== undefined && messages < count) return reason === 'signal' ? ExitCode.OK : ExitCode.PENDING;
  return ExitCode.OK;
}

/** The NDJSON object for an event (stable camelCase keys, additive only). */
export function eventToJson(ev: ListenEvent): Record<string, unknown> {
  if (ev.type === 'message') {
    return {
      event: 'message',
      provider: ev.provider,
      id: ev.id,
      from: ev.from,
      to: ev.to,
      body: ev.body,
      media: ev.media.map((m) => ({
        url: m.url,
        contentType: m.contentType ?? null,
        size: m.size ?? null,
        ...(m.path !== undefined ? { path: m.path } : {}),
        ...(m.saveError !== undefined ? { saveError: m.saveError } : {}),
      })),
      receivedAt: ev.receivedAt,
    };
  }
  return {
    event: 'status',
    provider: ev.provider,
    id: ev.id,
    status: ev.status,
    providerStatus: ev.providerStatus,
    to: ev.to ?? null,
    from: ev.from ?? null,
    errorCode: ev.errorCode ?? null,
    receivedAt: ev.receivedAt,
  };
}

function formatTime(iso: string, tty: boolean): string {
  if (!tty) return iso;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toTimeString().slice(0, 8);
}

/**
 * Human lines for an event. Everything that came from outside (numbers, text, ids, URLs, content
 * types, paths built from them) goes through sanitizeForTerminal: escape sequences are shown, never
 * interpreted. On a TTY the time is local HH:MM:SS; piped it is ISO-8601.
 */
export function formatEventLines(ev: ListenEvent, opts: { tty: boolean; theme: Theme }): string[] {
  const t = opts.theme;
  const s = sanitizeForTerminal;
  const time = t.dim(formatTime(ev.receivedAt, opts.tty));
  if (ev.type === 'status') {
    const err = ev.errorCode !== undefined ? `  (error ${s(String(ev.errorCode))})` : '';
    const colour = ev.status === 'delivered' ? t.success : ev.status === 'failed' || ev.status === 'undelivered' ? t.error : (x: string) => x;
    return [`${time}  status  ${t.id(s(ev.id))}  ${colour(s(ev.providerStatus))}${ev.to ? `  → ${s(ev.to)}` : ''}${err}`];
  }
  const lines = [`${time}  ${t.number(s(ev.from))} → ${t.number(s(ev.to))}  ${ev.body === '' ? t.dim('(no text)') : s(ev.body)}`];
  ev.media.forEach((m, i) => {
    const parts = [`  media ${i + 1}/${ev.media.length}`, s(m.contentType ?? 'type unknown')];
    if (m.size !== undefined) parts.push(formatBytes(m.size));
    if (m.path !== undefined) parts.push(`saved ${s(m.path)}`);
    else parts.push(s(m.url));
    if (m.saveError !== undefined) parts.push(t.warn(`not saved: ${s(m.saveError)}`));
    lines.push(parts.join('  '));
  });
  return lines;
}

/** What the provider expects in answer to a webhook (Twilio: empty TwiML, so no auto-reply). */
export function webhookReply(adapter: Pick<ProviderAdapter, 'webhookReply'>, kind: 'inbound' | 'status'): WebhookHttpResponse {
  return adapter.webhookReply?.(kind) ?? { status: 200 };
}

/** True when `url` is on the provider's API host (the configured base URL or the default one). */
export function isProviderOrigin(adapter: Pick<ProviderAdapter, 'defaultBaseUrl'>, baseUrl: string, url: string): boolean {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return false;
  }
  return [baseUrl, adapter.defaultBaseUrl].some((b) => {
    try {
      return new URL(b).origin === origin;
    } catch {
      return false;
    }
  });
}

/**
 * Request headers for downloading a media URL: the provider's credentials, but only for the
 * provider's own API host (never to a third-party host named in a payload).
 */
export function mediaAuthHeaders(adapter: Pick<ProviderAdapter, 'defaultBaseUrl' | 'mediaAuthHeaders'>, baseUrl: string, creds: Record<string, string>, url: string): Record<string, string> | undefined {
  if (!isProviderOrigin(adapter, baseUrl, url)) return undefined;
  return adapter.mediaAuthHeaders?.(creds);
}

// ---------------------------------------------------------------------------------------------
// The listener.

function requireNumber(value: string): string {
  // E.164 only: --number names one of the account's own numbers, never a national form.
  if (!/^\+[1-9]\d{1,14}$/.test(value.trim())) {
    throw new UsageError(`--number "${sanitizeForTerminal(value)}" must be an E.164 number such as +15551234567`, { code: ErrorCode.INVALID_ARGUMENT });
  }
  return value.trim();
}

/** String values of a restore state's `webhookCredentials` (see InboundRestoreState.data). */
export function webhookCredentialsOf(state: InboundRestoreState): Record<string, string> {
  const raw = state.data.webhookCredentials;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

/** A call context for cleanup: not tied to Ctrl+C (which already fired), bounded by the client's timeout. */
function cleanupContext(loaded: LoadedAccount): ProviderCallContext {
  const c = loaded.callContext();
  return { credentials: c.credentials, baseUrl: c.baseUrl, http: c.http };
}

/** Runs the listener until --count, --timeout, Ctrl+C/SIGTERM or the loss of the tunnel. */
export async function runListen(opts: ListenOptions, ctx: AppContext, sink: ListenSink): Promise<ListenOutcome> {
  const count = parseCount(opts.count);
  const timeoutS = parseTimeoutSeconds(opts.timeout);
  const number = opts.number !== undefined ? requireNumber(opts.number) : undefined;
  const port = parsePort(opts.port);
  const skipVerify = Boolean(opts.insecureSkipVerify);

  const loaded = await loadAccount(ctx, opts);
  const { adapter, account } = loaded;
  const callCtx = loaded.callContext();
  const creds = account.credentials;
  // What webhooks are verified with: the profile's credentials, plus any that configureInbound set
  // up for this run (Bandwidth's callback credentials on its temporary application).
  let verifyCreds: Record<string, string> = { ...creds };
  if (!adapter.parseWebhook) {
    throw new ProviderError(ErrorCode.NOT_SUPPORTED, ExitCode.USAGE, `mms listen does not support ${adapter.displayName} webhooks yet`, { provider: adapter.name });
  }
  if (!skipVerify && !adapter.verifyWebhook) {
    throw new ProviderError(ErrorCode.NOT_SUPPORTED, ExitCode.USAGE, `${adapter.displayName} webhooks cannot be verified by mms yet`, {
      provider: adapter.name,
      suggestion: 'Only if you accept forged requests: pass --insecure-skip-verify',
    });
  }
  // A secret that is optional for sending (Vonage, Sinch, Telnyx) is required here: without it
  // every request would be refused, or worse, accepted unchecked. Refuse to start instead.
  const secretProblem = skipVerify ? undefined : adapter.webhookSecretProblem?.(creds, { configuresNumber: number !== undefined });
  if (secretProblem) {
    throw new AuthError(ErrorCode.AUTH_MISSING, secretProblem.message, {
      suggestion: `${secretProblem.suggestion}. Only if you accept forged requests: --insecure-skip-verify`,
    });
  }
  if (number !== undefined && (!adapter.configureInbound || !adapter.restoreInbound)) {
    throw new ProviderError(ErrorCode.NOT_SUPPORTED, ExitCode.USAGE, `--number is not supported for ${adapter.displayName} yet`, {
      provider: adapter.name,
      suggestion: 'Leave --number out and set the inbound webhook to the printed URL by hand',
    });
  }
  const restoreMod = await import('../webhook/restore-file.js');
  if (number !== undefined) {
    // Refuse early (before any tunnel) if another run still holds this number.
    const path = restoreMod.restoreFilePath(ctx.env, adapter.name, number);
    const existing = await restoreMod.readRestoreFile(path);
    if (existing.record || existing.error !== undefined && !existing.error.startsWith('cannot read (ENOENT')) {
      throw await restoreMod.restoreConflictError(path, number);
    }
  }
  if (skipVerify) {
    sink.warn(ctx.errTheme.error('WARNING: --insecure-skip-verify: webhook signatures are NOT checked. Anyone who finds the URL can post fake messages to this listener.'));
  }

  const { openEndpoint } = await import('../webhook/endpoint.js');
  const mediaMod = opts.saveMedia !== undefined ? await import('../webhook/media-save.js') : undefined;
  const execMod = opts.exec !== undefined ? await import('../webhook/exec-hook.js') : undefined;

  let messages = 0;
  let statuses = 0;
  let rejected = 0;
  let accepting = true;
  let stop: (reason: StopReason) => void = () => undefined;
  let fail: (err: unknown) => void = () => undefined;
  const stopped = new Promise<StopReason>((resolve, reject) => {
    stop = resolve;
    fail = reject;
  });
  // Message processing (saving media, --exec) runs one message at a time, in arrival order, after
  // the provider got its answer: downloads must not hold the webhook past the provider's timeout.
  let queue: Promise<void> = Promise.resolve();
  const work = new AbortController();

  let endpoint: PublicEndpoint | undefined;
  let restoreState: InboundRestoreState | undefined;
  let restorePath: string | undefined;
  let restoreError: CliError | undefined;
  let restoreReported = false;
  let manualState: InboundRestoreState | undefined;
  let closed: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (closed ??= (async () => {
      accepting = false;
      await endpoint?.close().catch(() => undefined);
      if (restoreState && adapter.restoreInbound) {
        try {
          await adapter.restoreInbound(restoreState, cleanupContext(loaded));
          if (restorePath) await restoreMod.removeRestoreFile(restorePath);
          sink.note(`Restored the inbound webhook of ${restoreState.number}.`);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          restoreError = new CliError(err instanceof CliError ? err.code : ErrorCode.PROVIDER_UNAVAILABLE, err instanceof CliError ? err.exitCode : ExitCode.UNAVAILABLE, `Could not restore the inbound webhook of ${restoreState.number}: ${message}`, {
            suggestion: `Run \`mms listen --restore --number ${restoreState.number}\` to try again${restorePath ? ` (saved in ${restorePath})` : ''}`,
          });
        }
      }
      if (manualState) sink.warn(ctx.errTheme.warn(`Reminder: put back the inbound webhook setting you changed by hand for ${manualState.number} (mms listen changed nothing itself).`));
    })());
  ctx.onExit(shutdown);

  const persist = async (state: InboundRestoreState): Promise<void> => {
    const record: RestoreRecord = {
      version: 1,
      provider: adapter.name,
      number: state.number,
      ...(account.profile.record ? { profile: account.profile.name } : {}),
      baseUrl: callCtx.baseUrl,
      pid: process.pid,
      createdAt: new Date().toISOString(),
      state,
    };
    restorePath = await restoreMod.createRestoreFile(ctx.env, record);
    // From here on every exit path puts the number back.
    restoreState = state;
  };

  const onUncaught = (err: unknown): void => fail(err);
  try {
    endpoint = await openEndpoint({
      port,
      ...(opts.tunnel !== undefined ? { tunnel: opts.tunnel } : {}),
      ...(opts.publicUrl !== undefined ? { publicUrl: opts.publicUrl } : {}),
      ...(opts.tunnelHost !== undefined ? { tunnelHost: opts.tunnelHost } : {}),
      providerBaseUrl: callCtx.baseUrl,
      env: ctx.env,
      whenUnspecified: 'error',
      note: (line) => sink.note(line),
      server: {
        onRejected: (ev) => {
          rejected++;
          sink.warn(`Rejected ${sanitizeForTerminal(ev.method)} ${sanitizeForTerminal(ev.path)}: ${ev.status} ${sanitizeForTerminal(ev.reason)}`);
        },
        onHandlerError: (err, route) => sink.warn(`Webhook handler failed for ${sanitizeForTerminal(route)}: ${sanitizeForTerminal((err as Error).message ?? String(err))}`),
      },
    });
    const ep = endpoint;
    const base = ep.publicUrl;

    const processMessage = async (ev: ListenMessageEvent): Promise<void> => {
      if (mediaMod && opts.saveMedia !== undefined) {
        for (const [i, m] of ev.media.entries()) {
          try {
            const saved = await mediaMod.saveMediaItem(m.url, ev.id, i, m.contentType, {
              dir: opts.saveMedia,
              headersFor: async (url) =>
                mediaAuthHeaders(adapter, callCtx.baseUrl, creds, url) ??
                (adapter.mediaDownloadHeaders && isProviderOrigin(adapter, callCtx.baseUrl, url) ? await adapter.mediaDownloadHeaders({ ...callCtx, signal: work.signal }) : undefined),
              signal: work.signal,
            });
            m.path = saved.path;
            m.size = saved.size;
            if (m.contentType === undefined && saved.contentType !== undefined) m.contentType = saved.contentType;
          } catch (err) {
            m.saveError = (err as Error).message;
          }
        }
      }
      sink.event(ev);
      if (execMod && opts.exec !== undefined) {
        const paths = ev.media.flatMap((m) => (m.path !== undefined ? [m.path] : []));
        const r = await execMod.runExecHook(opts.exec, JSON.stringify(eventToJson(ev)) + '\n', { ...ctx.env, ...execMod.execHookEnv(ev, paths) }, { output: ctx.io.stderr, signal: work.signal });
        if (!r.ok) {
          sink.warn(`--exec failed for ${sanitizeForTerminal(ev.id)}: ${r.error !== undefined ? sanitizeForTerminal(r.error) : r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`}`);
        }
      }
    };

    const isDirect = opts.saveMedia === undefined && opts.exec === undefined;
    const handle = (kind: 'inbound' | 'status') => (req: WebhookHttpRequest): WebhookHttpResponse => {
      const wr: WebhookRequest = { method: req.method, publicUrl: `${base}${req.url}`, headers: req.headers, rawBody: req.rawBody };
      if (!skipVerify && !adapter.verifyWebhook!(wr, verifyCreds)) {
        rejected++;
        sink.warn(ctx.errTheme.warn(`Rejected ${kind === 'inbound' ? 'an' : 'a'} ${kind} webhook with a missing or invalid signature (403) from ${sanitizeForTerminal(String(req.headers['user-agent'] ?? 'unknown client'))}`));
        return { status: 403, body: 'invalid signature' };
      }
      let events: WebhookEvent[];
      try {
        events = adapter.parseWebhook!(wr);
      } catch (err) {
        sink.warn(`Could not parse a ${kind} webhook: ${sanitizeForTerminal((err as Error).message)}`);
        return { status: 400, body: 'unparseable webhook' };
      }
      const hasMessage = events.some((e) => e.type === 'message');
      if (hasMessage && !accepting) {
        // --count was reached: let the provider retry or use the number's fallback URL instead of
        // acknowledging a message nobody will see.
        return { status: 503, headers: { 'retry-after': '60' }, body: 'listener is stopping' };
      }
      for (const ev of events) {
        if (ev.type === 'status') {
          statuses++;
          if (isDirect) sink.event(ev);
          else queue = queue.then(() => sink.event(ev)).catch((err: unknown) => sink.warn(`Could not report a receipt: ${sanitizeForTerminal((err as Error).message)}`));
          continue;
        }
        if (!accepting) break;
        messages++;
        const last = count !== undefined && messages >= count;
        if (last) accepting = false;
        const mev: ListenMessageEvent = { ...ev, media: ev.media.map((m) => ({ ...m })) };
        if (isDirect) {
          // Nothing to download or run: report now, in arrival order, without a promise chain.
          sink.event(mev);
          if (last) stop('count');
          continue;
        }
        queue = queue
          .then(() => processMessage(mev))
          .catch((err: unknown) => sink.warn(`Processing ${sanitizeForTerminal(mev.id)} failed: ${sanitizeForTerminal((err as Error).message)}`))
          .then(() => {
            if (last) stop('count');
          });
      }
      return webhookReply(adapter, kind);
    };
    const inboundPath = ep.server.addWebhookRoute(`${adapter.name}/inbound`, handle('inbound'));
    const statusPath = ep.server.addWebhookRoute(`${adapter.name}/status`, handle('status'));
    const inboundUrl = `${base}${inboundPath}`;
    const statusUrl = `${base}${statusPath}`;

    let numberConfigured = false;
    if (number !== undefined) {
      let persisted = false;
      const state = await adapter.configureInbound!(number, inboundUrl, callCtx, {
        beforeChange: async (s) => {
          await persist(s);
          persisted = true;
        },
      });
      verifyCreds = { ...verifyCreds, ...webhookCredentialsOf(state) };
      if (state.data.manual === true) {
        // Nothing was changed through the API (Sinch): no restore file, nothing to undo on exit;
        // the user makes (and later undoes) the change by hand, as the description says.
        manualState = state;
        sink.warn(ctx.errTheme.warn(`Action needed: ${sanitizeForTerminal(state.description)}`));
      } else {
        // Adapters that do not call beforeChange: record the change right after it.
        if (!persisted) await persist(state);
        else restoreState = state;
        numberConfigured = true;
        sink.note(`Pointed ${number}'s inbound webhook here: ${sanitizeForTerminal(state.description)}. It is put back when mms listen stops.`);
      }
    }

    ep.tunnel?.onClose((reason) => {
      sink.warn(ctx.errTheme.error(`The tunnel closed unexpectedly: ${sanitizeForTerminal(reason.message)}`));
      stop('tunnel-lost');
    });
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    const onAbort = (): void => stop('signal');
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    const timer = timeoutS !== undefined ? setTimeout(() => stop('timeout'), timeoutS * 1000) : undefined;

    sink.listening({ provider: adapter.name, url: base, inboundUrl, statusUrl, via: ep.via, number: number ?? null, numberConfigured, verify: !skipVerify });

    let reason: StopReason;
    try {
      reason = await stopped;
    } finally {
      if (timer) clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      accepting = false;
    }
    if (reason === 'signal' || reason === 'tunnel-lost') work.abort();
    await queue;
    await shutdown();
    if (restoreError) {
      restoreReported = true;
      throw restoreError;
    }
    if (reason === 'tunnel-lost') {
      throw new CliError(ErrorCode.NETWORK_ERROR, ExitCode.UNAVAILABLE, `The tunnel was lost after ${messages} message${messages === 1 ? '' : 's'}; the listener stopped`, {
        suggestion: 'Check your network and the tunnel service, then run mms listen again',
      });
    }
    return { reason, messages, statuses, rejected, ...(count !== undefined ? { count } : {}), exitCode: listenExitCode(reason, messages, count) };
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    work.abort();
    await shutdown();
    // A restore failure must not hide the error that ended the run: report it as a warning.
    const unreported: CliError | undefined = restoreReported ? undefined : restoreError;
    if (unreported) sink.warn(`Error: ${unreported.message}\n${unreported.suggestion ?? ''}`.trimEnd());
  }
}

/** `mms listen --restore`: puts back every number a killed listener left redirected (or just --number's). */
export async function runRestore(opts: ListenOptions, ctx: AppContext): Promise<RestoreOutcome> {
  const number = opts.number !== undefined ? requireNumber(opts.number) : undefined;
  const mod = await import('../webhook/restore-file.js');
  const entries = await mod.listRestoreFiles(ctx.env);
  const out: RestoreOutcome = { restored: [], skipped: [], failed: [] };
  for (const entry of entries) {
    const rec = entry.record;
    if (!rec) {
      out.skipped.push({ path: entry.path, reason: `unreadable restore file: ${entry.error ?? 'unknown problem'}` });
      continue;
    }
    if (number !== undefined && rec.number !== number) continue;
    if (opts.provider !== undefined && rec.provider !== opts.provider) continue;
    if (rec.pid !== process.pid && mod.isProcessAlive(rec.pid)) {
      out.skipped.push({ provider: rec.provider, number: rec.number, path: entry.path, reason: `mms listen (pid ${rec.pid}) still runs; stop it and it restores the number itself` });
      continue;
    }
    try {
      const cfg = ctx.store().readConfig();
      const profile = opts.profile ?? (rec.profile !== undefined && cfg.profiles[rec.profile] ? rec.profile : undefined);
      const loaded = await loadAccount(ctx, {
        ...opts,
        provider: rec.provider,
        baseUrl: opts.baseUrl ?? rec.baseUrl,
        ...(profile !== undefined ? { profile } : {}),
      });
      await loaded.adapter.restoreInbound!(rec.state, cleanupContext(loaded));
      await mod.removeRestoreFile(entry.path);
      out.restored.push({ provider: rec.provider, number: rec.number, description: rec.state.description });
    } catch (err) {
      const e = err instanceof CliError ? err : undefined;
      out.failed.push({ provider: rec.provider, number: rec.number, path: entry.path, error: { code: e?.code ?? ErrorCode.INTERNAL, message: err instanceof Error ? err.message : String(err) } });
    }
  }
  return out;
}

function renderListening(info: ListeningInfo, ctx: AppContext): void {
  const { io, errTheme: t } = ctx;
  if (io.json) writeNdjson(io, { event: 'listening', ...info });
  io.info(t.success(`Listening for ${info.provider} webhooks via ${info.via}.`));
  io.info(`  Inbound messages:  ${info.inboundUrl}`);
  io.info(`  Status callbacks:  ${info.statusUrl}`);
  if (!info.numberConfigured && info.number === null) {
    io.info(t.dim(`Point your number's inbound ("A message comes in") webhook, HTTP POST, at the inbound URL, or pass --number to do it for you.`));
    io.info(t.dim('Pass the status URL as --status-callback to mms send to see delivery receipts here.'));
  }
  io.info(t.dim('Press Ctrl+C to stop.'));
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
    .option('--restore', 'put back the webhooks a killed listener left changed (all, or --number\'s), then exit')
    .option('--save-media <dir>', 'download inbound media into this directory (generated names, never overwrites)')
    .option('--exec <command>', 'run a shell command per message: event JSON on stdin, MMS_FROM/MMS_TO/MMS_BODY/MMS_MEDIA in its env')
    .option('--count <n>', 'exit 0 after n inbound messages')
    .option('--timeout <seconds>', 'stop after this long (exit 8 if --count was not reached)')
    .option('--insecure-skip-verify', 'accept webhooks without checking signatures (dangerous: anyone can post fakes)')
    .option('--provider <name>', "provider to listen for (default: the profile's)")
    .option('--base-url <url>', 'API base URL override (e.g. `mms sandbox`)')
    .addHelpText(
      'after',
      `
Events go to stdout (NDJSON with --json, starting with {"event":"listening",…});
status lines and rejected requests go to stderr.

Examples:
  $ mms listen --number +15551234567 --tunnel              # print inbound MMS until Ctrl+C
  $ mms listen --number +15551234567 --tunnel --count 1 --timeout 300 --json --save-media ./inbox
  $ mms listen --restore                                   # after a kill -9: put webhooks back`,
    )
    .action(withExitCode(ctx, async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ListenOptions>();
      const { io } = ctx;
      if (opts.restore) {
        const out = await runRestore(opts, ctx);
        if (io.json) writeJson(io, out);
        else {
          for (const r of out.restored) io.out(`restored\t${r.provider}\t${r.number}\t${sanitizeForTerminal(r.description)}`);
          for (const s of out.skipped) io.warn(`Skipped ${s.number ?? s.path}: ${sanitizeForTerminal(s.reason)}`);
          for (const f of out.failed) io.warn(ctx.errTheme.error(`Could not restore ${f.number} (${f.provider}): ${sanitizeForTerminal(f.error.message)}`));
          if (out.restored.length + out.skipped.length + out.failed.length === 0) io.info('Nothing to restore.');
        }
        return out.failed.length > 0 ? ExitCode.UNAVAILABLE : ExitCode.OK;
      }
      const tty = io.stdoutIsTTY;
      // Events are coalesced per event-loop turn: under a burst of webhooks, one write per batch.
      const lines = createLineWriter(io.stdout);
      let outcome;
      try {
        outcome = await runListen(opts, ctx, {
          listening: (info) => renderListening(info, ctx),
          event: (ev) => {
            if (io.json) lines.write(JSON.stringify(eventToJson(ev)));
            else for (const line of formatEventLines(ev, { tty, theme: ctx.outTheme })) lines.write(line);
          },
          note: (line) => {
            lines.flush();
            io.info(line);
          },
          warn: (line) => {
            lines.flush();
            io.warn(line);
          },
        });
      } finally {
        lines.flush();
      }
      const got = `${outcome.messages} message${outcome.messages === 1 ? '' : 's'}, ${outcome.statuses} receipt${outcome.statuses === 1 ? '' : 's'}`;
      if (outcome.exitCode === ExitCode.PENDING) {
        io.warn(ctx.errTheme.warn(`Timed out after ${opts.timeout} s: ${outcome.messages} of ${outcome.count} message${outcome.count === 1 ? '' : 's'} received.`));
      } else {
        io.info(`Stopped (${outcome.reason === 'count' ? '--count reached' : outcome.reason === 'timeout' ? '--timeout' : 'interrupted'}): ${got}.`);
      }
      return outcome.exitCode;
    }));
}
