// The message pipeline of `mms listen`: verify → dedupe → parse (webhook intake) → admit (--count)
// → save media → exec → emit. The provider gets its answer as soon as a webhook is admitted;
// saving media and running --exec happen afterwards, one message at a time in arrival order, so
// downloads never hold a webhook past the provider's timeout.
import type { WebhookEvent } from '../../core/types.js';
import type { Credentials, ProviderAdapter, ProviderCallContext, WebhookRequest } from '../../providers/types.js';
import { runExecHook, execHookEnv } from '../../webhook/exec-hook.js';
import { createWebhookIntake, type WebhookKind } from '../../webhook/intake.js';
import { createReplayCache } from '../../webhook/replay-cache.js';
import { isProviderOrigin, mediaAuthHeaders, saveMediaItem } from '../../webhook/media-save.js';
import type { RejectedRequestEvent, WebhookHandler, WebhookHttpResponse } from '../../webhook/server.js';
import type { DuplicateCheck, ListenEvent, ListenMessageEvent, ListenNotice, ListenPorts } from './types.js';

/** Options of {@link createMessagePipeline}. */
export interface PipelineOptions {
  adapter: ProviderAdapter;
  callContext: ProviderCallContext;
  /** Credentials webhooks are verified with, read per request (the lease may add some). */
  credentials(): Credentials;
  skipVerify: boolean;
  isDuplicate?: DuplicateCheck;
  count?: number;
  saveMedia?: string;
  exec?: { command: string; env: NodeJS.ProcessEnv; profile?: string; output: ListenPorts['hookOutput']; input: ListenPorts['hookInput'] };
  emit(ev: ListenEvent): void;
  notice(n: ListenNotice): void;
  /** Called once the --count-th message has been processed. */
  onCountReached(): void;
  /** Called for every admitted webhook (event log, --forward-to); may answer in the adapter's place. */
  onAccepted?(kind: WebhookKind, req: WebhookRequest, events: WebhookEvent[]): Promise<WebhookHttpResponse> | undefined;
}

/** A running pipeline. */
export interface MessagePipeline {
  /** The route handler for one kind of webhook, verified against `publicUrl`. */
  handler(kind: WebhookKind, publicUrl: string): WebhookHandler;
  /** Counts a request the server itself refused (unknown path, too large, …). */
  requestRejected(ev: RejectedRequestEvent): void;
  /** Stops admitting messages: later ones get a 503 so the provider retries or falls back. */
  stopAccepting(): void;
  /** Aborts downloads and --exec hooks in flight. */
  abortWork(): void;
  /** Resolves when every admitted message was processed. */
  drain(): Promise<void>;
  /** Admits a message recovered from the provider's log (catch-up): a later webhook with its id is skipped. False when not admitted (seen, or stopping). */
  admitRecovered(ev: ListenMessageEvent): boolean;
  /** True for a message id this run already admitted (from a webhook or catch-up). */
  hasSeen(id: string): boolean;
  counts(): { messages: number; statuses: number; rejected: number };
}

// --count was reached: let the provider retry or use the number's fallback URL instead of
// acknowledging a message nobody will see.
const STOPPING: WebhookHttpResponse = { status: 503, headers: { 'retry-after': '60' }, body: 'listener is stopping' };

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Creates the pipeline (no I/O until webhooks arrive). */
export function createMessagePipeline(opts: PipelineOptions): MessagePipeline {
  const { adapter, callContext } = opts;
  let messages = 0;
  let statuses = 0;
  let rejected = 0;
  let accepting = true;
  let queue: Promise<void> = Promise.resolve();
  // Message ids admitted by this run: catch-up skips them, and a webhook for a recovered one is not reported twice.
  const admittedIds = new Set<string>();
  const work = new AbortController();
  // Nothing to download or run: report in arrival order at once, without a promise chain.
  const isDirect = opts.saveMedia === undefined && opts.exec === undefined;

  const saveMedia = async (ev: ListenMessageEvent, dir: string): Promise<void> => {
    const headersFor = async (url: string): Promise<Record<string, string> | undefined> =>
      mediaAuthHeaders(adapter, callContext.baseUrl, callContext.credentials, url) ??
      (adapter.mediaDownloadHeaders && isProviderOrigin(adapter, callContext.baseUrl, url)
        ? await adapter.mediaDownloadHeaders({ ...callContext, signal: work.signal })
        : undefined);
    for (const [i, m] of ev.media.entries()) {
      try {
        const saved = await saveMediaItem(m.url, ev.id, i, m.contentType, { dir, headersFor, signal: work.signal });
        m.path = saved.path;
        m.size = saved.size;
        if (m.contentType === undefined && saved.contentType !== undefined) m.contentType = saved.contentType;
      } catch (err) {
        m.saveError = errorMessage(err);
      }
    }
  };

  const runExec = async (ev: ListenMessageEvent, exec: NonNullable<PipelineOptions['exec']>): Promise<void> => {
    const paths = ev.media.flatMap((m) => (m.path !== undefined ? [m.path] : []));
    const r = await runExecHook(
      exec.command,
      exec.input(ev),
      { ...exec.env, ...execHookEnv(ev, paths, exec.profile !== undefined ? { profile: exec.profile } : {}) },
      { output: exec.output, signal: work.signal },
    );
    if (!r.ok) opts.notice({ type: 'exec-failed', id: ev.id, signal: r.signal, code: r.code, ...(r.error !== undefined ? { error: r.error } : {}) });
  };

  const processMessage = async (ev: ListenMessageEvent): Promise<void> => {
    if (opts.saveMedia !== undefined) await saveMedia(ev, opts.saveMedia);
    opts.emit(ev);
    if (opts.exec) await runExec(ev, opts.exec);
  };

  const admitMessage = (ev: Extract<WebhookEvent, { type: 'message' }> & { recovered?: boolean }): void => {
    admittedIds.add(ev.id);
    messages++;
    const last = opts.count !== undefined && messages >= opts.count;
    if (last) accepting = false;
    const mev: ListenMessageEvent = { ...ev, media: ev.media.map((m) => ({ ...m })) };
    if (isDirect) {
      opts.emit(mev);
      if (last) opts.onCountReached();
      return;
    }
    queue = queue
      .then(() => processMessage(mev))
      .catch((err: unknown) => opts.notice({ type: 'processing-failed', id: mev.id, message: errorMessage(err) }))
      .then(() => {
        if (last) opts.onCountReached();
      });
  };

  const admitStatus = (ev: Extract<WebhookEvent, { type: 'status' }>): void => {
    statuses++;
    if (isDirect) opts.emit(ev);
    else queue = queue.then(() => opts.emit(ev)).catch((err: unknown) => opts.notice({ type: 'report-failed', message: errorMessage(err) }));
  };

  const admit = (events: WebhookEvent[]): WebhookHttpResponse | undefined => {
    if (!accepting && events.some((e) => e.type === 'message')) return STOPPING;
    for (const ev of events) {
      if (ev.type === 'status') admitStatus(ev);
      else if (!accepting) break;
      else if (!admittedIds.has(ev.id)) admitMessage(ev);
    }
    return undefined;
  };

  // One cache for both routes: a request whose signature does not cover the URL (Vonage, Telnyx,
  // Sinch, Bandwidth) could otherwise be replayed on the other route and handed on again.
  const replayCache = createReplayCache();
  return {
    handler: (kind, publicUrl) =>
      createWebhookIntake({
        adapter,
        kind,
        publicUrl,
        replayCache,
        credentials: () => opts.credentials(),
        skipVerify: opts.skipVerify,
        ...(opts.isDuplicate ? { isDuplicate: opts.isDuplicate } : {}),
        onRejected: (r) => {
          rejected++;
          opts.notice({ type: 'signature-rejected', kind: r.kind, client: r.client });
        },
        onUnparseable: (p) => opts.notice({ type: 'unparseable', kind: p.kind, message: p.message }),
        onEvents: (events, req) => admit(events) ?? opts.onAccepted?.(kind, req, events),
      }),
    requestRejected: (ev) => {
      rejected++;
      opts.notice({ type: 'request-rejected', method: ev.method, path: ev.path, status: ev.status, reason: ev.reason });
    },
    stopAccepting: () => {
      accepting = false;
    },
    abortWork: () => work.abort(),
    drain: () => queue,
    admitRecovered: (ev) => {
      if (!accepting || admittedIds.has(ev.id)) return false;
      admitMessage(ev);
      return true;
    },
    hasSeen: (id) => admittedIds.has(id),
    counts: () => ({ messages, statuses, rejected }),
  };
}
