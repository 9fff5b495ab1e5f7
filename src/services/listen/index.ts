// `mms listen` as a flow: check what the provider supports → start a loopback server and make it
// reachable (tunnel, --public-url, or directly for a local provider) → mount the signature-checked
// inbound and status routes → point --number at them (restore file first) → report events until
// --count, --timeout, Ctrl+C/SIGTERM or the loss of the tunnel → finish the messages in hand →
// close, and put the number back on every way out. It reports through `events` and returns data.
import { AuthError, CancelledError, CliError, ErrorCode, ProviderError } from '../../errors/errors.js';
import { ExitCode } from '../../errors/exit-codes.js';
import type { Credentials } from '../../providers/types.js';
import type { PublicEndpoint } from '../../webhook/endpoint.js';
import { openEventLog, type EventLog } from '../events/store.js';
import { createAcceptedHandler, type AcceptedHandler } from './accepted.js';
import { catchUp, inboundLogSupport, messageIdsOf } from './catch-up.js';
import { assertNumberFree, createInboundLease } from './lease.js';
import { createMessagePipeline, type MessagePipeline } from './pipeline.js';
import { keepTunnel, type RouteUrls, type TunnelKeeper, type TunnelKeeperOptions } from './reconnect.js';
import type { ListenAccount, ListenEvents, ListeningInfo, ListenOutcome, ListenPorts, ListenRequest, StopReason } from './types.js';

export { restoreLeftovers, webhookCredentialsOf } from './lease.js';
export type * from './types.js';

/** Refuses, before anything starts, what cannot work with this provider and these credentials. */
export function checkListenSupport(request: ListenRequest, account: Pick<ListenAccount, 'adapter' | 'callContext'>): void {
  const { adapter } = account;
  if (!adapter.parseWebhook) {
    throw new ProviderError(ErrorCode.NOT_SUPPORTED, ExitCode.USAGE, `mms listen does not support ${adapter.displayName} webhooks yet`, {
      provider: adapter.name,
    });
  }
  if (!request.skipVerify && !adapter.verifyWebhook) {
    throw new ProviderError(ErrorCode.NOT_SUPPORTED, ExitCode.USAGE, `${adapter.displayName} webhooks cannot be verified by mms yet`, {
      provider: adapter.name,
      suggestion: 'Only if you accept forged requests: pass --insecure-skip-verify',
    });
  }
  // A secret that is optional for sending is required here: without it every request would be
  // refused, or worse, accepted unchecked. Refuse to start instead.
  const problem = request.skipVerify
    ? undefined
    : adapter.webhookSecretProblem?.(account.callContext.credentials, { configuresNumber: request.number !== undefined });
  if (problem) {
    throw new AuthError(ErrorCode.AUTH_MISSING, problem.message, {
      suggestion: `${problem.suggestion}. Only if you accept forged requests: --insecure-skip-verify`,
    });
  }
  if (request.number !== undefined && (!adapter.configureInbound || !adapter.restoreInbound)) {
    throw new ProviderError(ErrorCode.NOT_SUPPORTED, ExitCode.USAGE, `--number is not supported for ${adapter.displayName} yet`, {
      provider: adapter.name,
      suggestion: 'Leave --number out and set the inbound webhook to the printed URL by hand',
    });
  }
}

/** Ctrl+C/SIGTERM abort the run with a cancellation (cli.ts); any other reason is an unexpected error that ends it. */
function isInterruption(reason: unknown): boolean {
  return !(reason instanceof Error) || reason instanceof CancelledError || reason.name === 'AbortError';
}

/** The ways a run ends: count, timeout, Ctrl+C, tunnel loss (resolve) or an unexpected error (reject). */
function createStopper(ports: ListenPorts): { stop(reason: StopReason): void; arm(timeoutS: number | undefined): void; stopped(): Promise<StopReason> } {
  let stop: (reason: StopReason) => void = () => undefined;
  let fail: (err: unknown) => void = () => undefined;
  const stopped = new Promise<StopReason>((resolve, reject) => {
    stop = resolve;
    fail = reject;
  });
  const onAbort = (): void => (isInterruption(ports.signal.reason) ? stop('signal') : fail(ports.signal.reason));
  const setTimer =
    ports.setTimer ??
    ((ms, fn) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    });
  let disarm = (): void => undefined;
  return {
    stop: (reason) => stop(reason),
    arm(timeoutS) {
      if (ports.signal.aborted) onAbort();
      else ports.signal.addEventListener('abort', onAbort, { once: true });
      const cancel = timeoutS !== undefined ? setTimer(timeoutS * 1000, () => stop('timeout')) : undefined;
      disarm = () => {
        cancel?.();
        ports.signal.removeEventListener('abort', onAbort);
      };
    },
    stopped: () => stopped.finally(() => disarm()),
  };
}

/** Starts the loopback server and makes it reachable for the provider. */
async function openListenerEndpoint(request: ListenRequest, ports: ListenPorts, events: ListenEvents, pipeline: MessagePipeline): Promise<PublicEndpoint> {
  const open = ports.openEndpoint ?? (await import('../../webhook/endpoint.js')).openEndpoint;
  return open({
    port: request.port,
    ...(request.tunnel !== undefined ? { tunnel: request.tunnel } : {}),
    ...(request.publicUrl !== undefined ? { publicUrl: request.publicUrl } : {}),
    ...(request.tunnelHost !== undefined ? { tunnelHost: request.tunnelHost } : {}),
    providerBaseUrl: ports.account.callContext.baseUrl,
    env: ports.env,
    whenUnspecified: 'error',
    note: (line) => events.notice({ type: 'endpoint', line }),
    server: {
      onRejected: (ev) => pipeline.requestRejected(ev),
      onHandlerError: (err, route) => events.notice({ type: 'handler-failed', route, message: (err as Error | undefined)?.message ?? String(err) }),
    },
  });
}

/**
 * Mounts the signature-checked inbound and status routes; returns their public URLs, and `remount`,
 * which verifies webhooks against another public URL from then on (the tunnel came back elsewhere).
 */
function mountRoutes(endpoint: PublicEndpoint, provider: string, pipeline: MessagePipeline): { urls: RouteUrls; remount(base: string): RouteUrls } {
  const intakes = { inbound: pipeline.handler('inbound', endpoint.publicUrl), status: pipeline.handler('status', endpoint.publicUrl) };
  const inboundPath = endpoint.server.addWebhookRoute(`${provider}/inbound`, (req) => intakes.inbound(req));
  const statusPath = endpoint.server.addWebhookRoute(`${provider}/status`, (req) => intakes.status(req));
  const urlsAt = (base: string): RouteUrls => ({ url: base, inboundUrl: `${base}${inboundPath}`, statusUrl: `${base}${statusPath}` });
  return {
    urls: urlsAt(endpoint.publicUrl),
    remount(base) {
      intakes.inbound = pipeline.handler('inbound', base);
      intakes.status = pipeline.handler('status', base);
      return urlsAt(base);
    },
  };
}

/** The error that ends a run whose tunnel closed (`detail`: why it was not brought back). */
function tunnelLostError(messages: number, detail?: string): CliError {
  return new CliError(
    ErrorCode.NETWORK_ERROR,
    ExitCode.UNAVAILABLE,
    `The tunnel was lost${detail !== undefined ? ` and ${detail}` : ''}; the listener stopped after ${messages} message${messages === 1 ? '' : 's'}`,
    {
      suggestion: 'Check your network and the tunnel service, then run mms listen again (--since recovers what arrived meanwhile)',
    },
  );
}

/** True when a lost tunnel can be opened again: a backend named by the flags (not --public-url), or an injected opener. */
function canReopen(request: ListenRequest, ports: ListenPorts): boolean {
  return ports.reconnect?.open !== undefined || (request.tunnel !== undefined && request.tunnel !== 'public-url' && request.publicUrl === undefined);
}

/** The run's event log: the injected one, else `<config dir>/events` unless --keep-events 0. */
function eventLogOf(request: ListenRequest, ports: ListenPorts): { log?: EventLog } {
  if (ports.eventLog) return { log: ports.eventLog };
  if (request.keepEvents === 0) return {};
  return {
    log: openEventLog(ports.env, {
      ...(request.keepEvents !== undefined ? { max: request.keepEvents } : {}),
      ...(request.keepEventsDays !== undefined ? { maxAgeMs: Math.round(request.keepEventsDays * 86_400_000) } : {}),
    }),
  };
}

/** What a catch-up needs from the run. */
interface RunCatchUpOptions {
  adapter: ListenAccount['adapter'];
  callContext: ListenAccount['callContext'];
  since: Date;
  number: string;
  pipeline: MessagePipeline;
  events: ListenEvents;
  log?: EventLog;
  /** Stores each recovered message in the event log. */
  accepted: AcceptedHandler;
  /** A second look (the log's delay has passed): no line unless it found something. */
  quietWhenNone?: boolean;
}

/** Recovers, once, what the number received since `since` and nobody saw (event log, this run); failures are notices. */
async function runCatchUp(o: RunCatchUpOptions): Promise<void> {
  try {
    const logged = o.log ? messageIdsOf(await o.log.list(), o.adapter.name) : new Set<string>();
    const result = await catchUp(
      {
        adapter: o.adapter,
        to: o.number,
        since: o.since,
        seen: (id) => logged.has(id) || o.pipeline.hasSeen(id),
        emit: (record) => {
          const { unavailable: _u, mediaCount: _c, ...m } = record;
          if (o.pipeline.admitRecovered({ ...m, media: m.media.map((x) => ({ ...x })), recovered: true })) o.accepted.recovered(record);
        },
      },
      o.callContext,
    );
    if (!result.supported || (o.quietWhenNone && result.recovered === 0 && !result.error)) return;
    o.events.notice({ type: 'catch-up', recovered: result.recovered, skipped: result.skipped, since: result.since, truncated: result.truncated });
    if (result.error) o.events.notice({ type: 'catch-up-failed', message: result.error.message });
  } catch (err) {
    // Ctrl+C during catch-up: the stopper ends the run; anything else is a notice and the listener keeps going.
    if (o.callContext.signal?.aborted) return;
    o.events.notice({ type: 'catch-up-failed', message: err instanceof Error ? err.message : String(err) });
  }
}

/** Whether a tunnel gap's messages can be read back: only with --number, from a provider that keeps a log. */
function recoveryOf(request: ListenRequest, adapter: ListenAccount['adapter']): { state: 'catch-up' | 'unavailable' | 'none'; note?: string } {
  if (request.number === undefined) return { state: 'none' };
  const support = inboundLogSupport(adapter);
  return support.supported ? { state: 'catch-up' } : { state: 'unavailable', note: support.reason };
}

/**
 * Catch-ups after tunnel gaps, one at a time: each runs at once and again once the provider's log
 * delay has passed (a message received just before the tunnel came back may not be listed yet).
 */
function createCatchUps(ports: ListenPorts, catchUp: (since: Date, quietWhenNone: boolean) => Promise<void>) {
  const setTimer =
    ports.reconnect?.setTimer ??
    ((ms: number, fn: () => void) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    });
  const delay = ports.account.adapter.messageLogDelayMs ?? 0;
  const timers = new Set<() => void>();
  let chain: Promise<void> = Promise.resolve();
  let cancelled = false;
  const queue = (since: Date, quiet: boolean): Promise<void> => (chain = chain.then(() => (cancelled ? undefined : catchUp(since, quiet))));
  return {
    async run(since: Date): Promise<void> {
      await queue(since, false);
      if (delay <= 0 || cancelled) return;
      const cancel = setTimer(delay, () => {
        timers.delete(cancel);
        void queue(since, true);
      });
      timers.add(cancel);
    },
    cancel(): void {
      cancelled = true;
      for (const c of timers) c();
      timers.clear();
    },
    settled: (): Promise<void> => chain,
  };
}

/**
 * Keeps the run's tunnel (reconnect.ts), or, when it cannot be opened again (--public-url, an
 * injected endpoint), ends the run at its loss as before: `giveUp` then gets no detail.
 */
function watchTunnel(
  request: ListenRequest,
  ports: ListenPorts,
  events: ListenEvents,
  o: Pick<TunnelKeeperOptions, 'endpoint' | 'remount' | 'lease' | 'onWebhookCredentials' | 'catchUp'> & { giveUp(detail?: string): void },
): TunnelKeeper | undefined {
  if (!canReopen(request, ports)) {
    o.endpoint.tunnel?.onClose((reason) => {
      events.notice({ type: 'tunnel-lost', message: reason.message });
      o.giveUp();
    });
    return undefined;
  }
  const now = ports.now ?? (() => new Date());
  return keepTunnel({ ...o, request, ports, events, recovery: recoveryOf(request, ports.account.adapter), now });
}

/** One listener run: its message pipeline, its lease on the number, and the ways it ends. */
function createListenRun(request: ListenRequest, ports: ListenPorts, events: ListenEvents) {
  const { adapter, callContext } = ports.account;
  const stopper = createStopper(ports);
  // Webhooks are verified with the profile's credentials plus any the lease set up for this run
  // (callback credentials on a temporary application).
  let verifyWith: Credentials = { ...callContext.credentials };
  const logOpt = eventLogOf(request, ports);
  const accepted = createAcceptedHandler({ adapter, request, ports, events, credentials: () => verifyWith, ...logOpt });
  const pipeline = createMessagePipeline({
    adapter,
    callContext,
    credentials: () => verifyWith,
    skipVerify: request.skipVerify,
    ...(ports.isDuplicate ? { isDuplicate: ports.isDuplicate } : {}),
    ...(request.count !== undefined ? { count: request.count } : {}),
    ...(request.saveMedia !== undefined ? { saveMedia: request.saveMedia } : {}),
    ...(request.exec !== undefined
      ? {
          exec: {
            command: request.exec,
            env: ports.env,
            ...(ports.account.profile !== undefined ? { profile: ports.account.profile } : {}),
            output: ports.hookOutput,
            input: (ev) => ports.hookInput(ev),
          },
        }
      : {}),
    emit: (ev) => events.event(ev),
    notice: (n) => events.notice(n),
    onCountReached: () => stopper.stop('count'),
    onAccepted: (kind, req, evs) => accepted.handle(kind, req, evs),
  });
  const lease =
    request.number !== undefined
      ? createInboundLease({
          adapter,
          number: request.number,
          callContext,
          cleanupContext: () => ports.account.cleanupContext(),
          ...(ports.account.profile !== undefined ? { profile: ports.account.profile } : {}),
          env: ports.env,
          notice: (n) => events.notice(n),
        })
      : undefined;
  let endpoint: PublicEndpoint | undefined;
  let keeper: TunnelKeeper | undefined;
  let lostDetail: string | undefined;
  let closed: Promise<CliError | undefined> | undefined;
  let restoreReported = false;
  const catchUps = createCatchUps(ports, (since, quietWhenNone) =>
    request.number === undefined
      ? Promise.resolve()
      : runCatchUp({ adapter, callContext, since, number: request.number, pipeline, events, accepted, quietWhenNone, ...logOpt }),
  );
  const shutdown = (): Promise<CliError | undefined> =>
    (closed ??= (async () => {
      pipeline.stopAccepting();
      catchUps.cancel();
      await keeper?.close().catch(() => undefined);
      await catchUps.settled();
      await endpoint?.close().catch(() => undefined);
      return lease?.release();
    })());
  // Whatever happens to this promise chain, cli.ts runs this before the process exits.
  ports.onExit(async () => void (await shutdown()));

  return {
    /** Server → public URL → routes → the number pointed here (restore file first) → armed. */
    async start(): Promise<ListeningInfo> {
      endpoint = await openListenerEndpoint(request, ports, events, pipeline);
      const routes = mountRoutes(endpoint, adapter.name, pipeline);
      const urls = routes.urls;
      let numberConfigured = false;
      if (lease) {
        const pointed = await lease.point(urls.inboundUrl);
        verifyWith = { ...verifyWith, ...pointed.webhookCredentials };
        numberConfigured = pointed.configured;
      }
      keeper = watchTunnel(request, ports, events, {
        endpoint,
        remount: (base) => routes.remount(base),
        ...(lease ? { lease } : {}),
        onWebhookCredentials: (c) => (verifyWith = { ...verifyWith, ...c }),
        catchUp: (since) => catchUps.run(since),
        giveUp: (detail?: string) => {
          lostDetail = detail;
          stopper.stop('tunnel-lost');
        },
      });
      stopper.arm(request.timeoutS);
      return { provider: adapter.name, ...urls, via: endpoint.via, number: request.number ?? null, numberConfigured, verify: !request.skipVerify };
    },
    /** --since: the messages the provider's log holds that nobody saw, through the normal message path. */
    async catchUp(): Promise<void> {
      if (request.since === undefined || request.number === undefined) return;
      await runCatchUp({ adapter, callContext, since: request.since, number: request.number, pipeline, events, accepted, ...logOpt });
    },
    /** Resolves with why the run stopped (rejects with an unexpected error); no message is admitted after it. */
    async untilStopped(): Promise<StopReason> {
      try {
        return await stopper.stopped();
      } finally {
        pipeline.stopAccepting();
      }
    },
    /** Finishes the messages in hand (abandoned on Ctrl+C or a lost tunnel), closes, and puts the number back. */
    async finish(reason: StopReason): Promise<ListenOutcome> {
      if (reason === 'signal' || reason === 'tunnel-lost') pipeline.abortWork();
      await pipeline.drain();
      // The last message's forward may still wait for the app: its answer goes to the provider first.
      await accepted.settled();
      const restoreError = await shutdown();
      if (restoreError) {
        restoreReported = true;
        throw restoreError;
      }
      const counts = pipeline.counts();
      if (reason === 'tunnel-lost') throw tunnelLostError(counts.messages, lostDetail);
      return { reason, ...counts, ...(request.count !== undefined ? { count: request.count } : {}) };
    },
    /** Every way out: closes and restores (once); a restore failure that would hide the run's own error becomes a notice. */
    async close(): Promise<void> {
      pipeline.abortWork();
      const restoreError = await shutdown();
      if (restoreError && !restoreReported) events.notice({ type: 'restore-failed', error: restoreError });
    },
  };
}

/** Runs the listener until --count, --timeout, Ctrl+C/SIGTERM or the loss of the tunnel. */
export async function listenForMessages(request: ListenRequest, ports: ListenPorts, events: ListenEvents): Promise<ListenOutcome> {
  checkListenSupport(request, ports.account);
  // Refuse early, before any tunnel starts, when another run still holds the number.
  if (request.number !== undefined) await assertNumberFree(ports.env, ports.account.adapter.name, request.number);
  if (request.skipVerify) events.notice({ type: 'insecure' });
  const support = inboundLogSupport(ports.account.adapter);
  if (request.since !== undefined && request.number !== undefined && !support.supported)
    events.notice({ type: 'catch-up-unsupported', reason: support.reason });
  const run = createListenRun(request, ports, events);
  try {
    events.listening(await run.start());
    await run.catchUp();
    const reason = await run.untilStopped();
    return await run.finish(reason);
  } finally {
    await run.close();
  }
}
