// What `mms listen` does with a webhook it accepted, besides reporting its events: store it in the
// event log and, with --forward-to, forward it to the app and answer the provider with the app's
// answer. Nothing here throws into intake: a failed write is a notice, a failed forward a 502/504.
import type { WebhookEvent } from '../../core/types.js';
import { createRedactor, scrubKnownSecrets } from '../../config/redact.js';
import type { Credentials, LoggedInboundMessage, ProviderAdapter, WebhookRequest } from '../../providers/types.js';
import type { WebhookKind } from '../../webhook/intake.js';
import type { WebhookHttpResponse } from '../../webhook/server.js';
import { buildRecoveredWebhook } from '../events/index.js';
import { type EventLog, encodeBody, newEventId, redactHeaders, type StoredEvent } from '../events/store.js';
import { forwardWebhook } from '../forward/forward.js';
import { webhookKit } from '../forward/signers.js';
import type { ForwardReport, ListenEvents, ListenPorts, ListenRequest } from './types.js';

/** Options of {@link createAcceptedHandler}. */
export interface AcceptedOptions {
  adapter: Pick<ProviderAdapter, 'name'> & Partial<Pick<ProviderAdapter, 'credentialFields'>>;
  request: Pick<ListenRequest, 'forward' | 'skipVerify'>;
  ports: Pick<ListenPorts, 'forwardTimer' | 'signal'>;
  events: ListenEvents;
  credentials(): Credentials;
  log?: EventLog;
  now?: () => Date;
}

/** The facts of an event a forward line shows. */
function summary(ev: WebhookEvent): ForwardReport['events'][number] {
  if (ev.type === 'message') return { type: 'message', id: ev.id, from: ev.from, to: ev.to, media: ev.media.length };
  return { type: 'status', id: ev.id, status: ev.status, ...(ev.from !== undefined ? { from: ev.from } : {}), ...(ev.to !== undefined ? { to: ev.to } : {}) };
}

/** What the run does with accepted webhooks, and a way to wait for the forwards and log writes still in flight. */
export interface AcceptedHandler {
  handle(kind: WebhookKind, req: WebhookRequest, events: WebhookEvent[]): Promise<WebhookHttpResponse> | undefined;
  /**
   * Stores a message catch-up read from the provider's log (no webhook reached us: nothing is
   * forwarded). Its `request` holds the log record as read, secrets masked, flagged `recovered`.
   */
  recovered(record: LoggedInboundMessage): void;
  /** Resolves when every forward started so far was answered (or failed) and logged. */
  settled(): Promise<void>;
}

/** Creates the handler: log, then forward (answering with the app's answer) when a target is set for this kind. */
export function createAcceptedHandler(opts: AcceptedOptions): AcceptedHandler {
  const now = opts.now ?? (() => new Date());
  const kit = webhookKit(opts.adapter.name);
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    const settledP = p.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settledP);
    void settledP.then(() => inFlight.delete(settledP));
    return p;
  };
  const handle: AcceptedHandler['handle'] = (kind, req, events) => {
    const at = now();
    const id = newEventId(at);
    if (opts.log) {
      const stored: StoredEvent = {
        id,
        receivedAt: at.toISOString(),
        provider: opts.adapter.name,
        kind,
        verified: !opts.request.skipVerify,
        request: { method: req.method, url: req.publicUrl, headers: redactHeaders(req.headers), ...encodeBody(req.rawBody) },
        events,
        forwards: [],
      };
      void track(opts.log.append(stored).catch((err: unknown) => opts.events.eventLogFailed?.((err as Error).message)));
    }
    const target = kind === 'inbound' ? opts.request.forward?.inbound : opts.request.forward?.status;
    if (target === undefined) return undefined;
    return track(
      forwardWebhook(req, target, {
        kit,
        credentials: opts.credentials(),
        signal: opts.ports.signal,
        ...(opts.request.forward?.timeoutMs !== undefined ? { timeoutMs: opts.request.forward.timeoutMs } : {}),
        ...(opts.ports.forwardTimer ? { setTimer: opts.ports.forwardTimer } : {}),
      }).then(({ reply, attempt }) => {
        opts.events.forwarded?.({ type: 'forward', kind, provider: opts.adapter.name, logId: opts.log ? id : null, events: events.map(summary), attempt });
        if (opts.log) void track(opts.log.addForward(id, attempt).catch((err: unknown) => opts.events.eventLogFailed?.((err as Error).message)));
        return reply;
      }),
    );
  };
  const recovered = (record: LoggedInboundMessage): void => {
    const at = now();
    const { unavailable: _u, mediaCount: _c, ...message } = record;
    // The log record carries no credentials as far as we know; mask the account's secrets anyway, in every form.
    const creds = opts.credentials();
    const secrets = (opts.adapter.credentialFields ?? []).filter((f) => f.secret).flatMap((f) => (creds[f.key] ? [creds[f.key]!] : []));
    const body = scrubKnownSecrets(createRedactor(secrets)(JSON.stringify(record)));
    const stored: StoredEvent = {
      id: newEventId(at),
      receivedAt: at.toISOString(),
      provider: opts.adapter.name,
      kind: 'inbound',
      verified: true,
      recovered: true,
      request: { method: 'GET', url: '', headers: {}, body, bodyEncoding: 'utf8' },
      events: [message],
      forwards: [],
    };
    if (opts.log) void track(opts.log.append(stored).catch((err: unknown) => opts.events.eventLogFailed?.((err as Error).message)));
    forwardRecovered(message, stored.id);
  };
  /** --forward-to: the app gets the webhook the provider would have sent, built and signed for it (its answer goes nowhere). */
  const forwardRecovered = (message: Extract<WebhookEvent, { type: 'message' }>, id: string): void => {
    const target = opts.request.forward?.inbound;
    if (target === undefined) return;
    const creds = opts.credentials();
    const built = buildRecoveredWebhook(opts.adapter.name, message, target, creds, now());
    // No secret (--insecure-skip-verify): sent unsigned, as the listener itself accepted it.
    const headers = built?.headers ?? { 'content-type': 'application/json', 'user-agent': 'mms-listen' };
    const body = built?.body ?? Buffer.from(JSON.stringify(message), 'utf8');
    void track(
      forwardWebhook({ method: 'POST', publicUrl: target, headers, rawBody: body }, target, {
        credentials: creds,
        signal: opts.ports.signal,
        ...(opts.request.forward?.timeoutMs !== undefined ? { timeoutMs: opts.request.forward.timeoutMs } : {}),
        ...(opts.ports.forwardTimer ? { setTimer: opts.ports.forwardTimer } : {}),
      }).then(({ attempt }) => {
        const a = { ...attempt, resigned: built !== undefined };
        opts.events.forwarded?.({
          type: 'forward',
          kind: 'inbound',
          provider: opts.adapter.name,
          logId: opts.log ? id : null,
          events: [summary(message)],
          attempt: a,
        });
        if (opts.log) void track(opts.log.addForward(id, a).catch((err: unknown) => opts.events.eventLogFailed?.((err as Error).message)));
      }),
    );
  };
  return {
    handle,
    recovered,
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
