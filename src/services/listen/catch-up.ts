// Catch-up after a gap: when nobody listened (the tunnel dropped, or `mms listen --since <time>`
// starts), the provider's own log of received messages is asked for what arrived meanwhile, and
// each message not already seen (event log, replay cache, this run) is emitted once, flagged
// `recovered: true`, oldest first. Providers without a listable log say so instead. Self-contained:
// the listener decides when to call it and what `seen` and `emit` are.
import type { WebhookEvent } from '../../core/types.js';
import type { InboundLogQuery, LoggedInboundMessage, ProviderAdapter, ProviderCallContext } from '../../providers/types.js';

/** Messages read from the log at most per catch-up (each may cost a request for its media). */
export const CATCH_UP_MAX = 1000;

/** An inbound message recovered from the provider's log. */
export type RecoveredMessage = LoggedInboundMessage & { recovered: true };

/** The adapter facts catch-up uses. */
export type CatchUpAdapter = Pick<ProviderAdapter, 'name' | 'displayName' | 'listInbound'>;

/** What catch-up needs: the log, the window, what was already seen, and where recovered messages go. */
export interface CatchUpOptions {
  adapter: CatchUpAdapter;
  /** The number of ours whose messages are recovered, E.164. */
  to: string;
  /** Start of the gap (inclusive): when the tunnel dropped, or `--since`. */
  since: Date;
  /** End of the gap (inclusive; default: now). */
  until?: Date;
  /** Bound on the messages read (default CATCH_UP_MAX). */
  max?: number;
  /** True for a message id already handled (event log, webhooks of this run): it is not emitted again. */
  seen(id: string): boolean | Promise<boolean>;
  /** Receives each recovered message once, oldest first. */
  emit(message: RecoveredMessage): void | Promise<void>;
}

/** What the provider's log can give back, for the start-up line. */
export type InboundLogSupport = { supported: true } | { supported: false; reason: string };

/** How a catch-up went. */
export type CatchUpResult =
  | { supported: false; provider: string; reason: string }
  | {
      supported: true;
      provider: string;
      /** The window asked for, ISO 8601 UTC. */
      since: string;
      until: string;
      /** Messages the log returned for the window (after de-duplication of the log's own repeats). */
      listed: number;
      /** Emitted with `recovered: true`. */
      recovered: number;
      /** Listed but already seen. */
      skipped: number;
      /** The bound was reached: older messages of the window may remain unread. */
      truncated: boolean;
      /** What the log kept no copy of, in any recovered message (Bandwidth: body and media; Plivo: body). */
      unavailable: Array<'body' | 'media'>;
      durationMs: number;
      /** The log could not be read to the end (messages read before the failure were emitted). */
      error?: { code: string; message: string };
    };

/** Why a provider without a listable log cannot catch up (the start-up line). */
function noLogReason(adapter: CatchUpAdapter): string {
  return `${adapter.displayName} keeps no API-readable log of received messages: messages that arrive while the listener is away cannot be recovered`;
}

/** Whether catch-up can work for this provider: the start-up line says so when it cannot. */
export function inboundLogSupport(adapter: CatchUpAdapter): InboundLogSupport {
  return adapter.listInbound ? { supported: true } : { supported: false, reason: noLogReason(adapter) };
}

/** True when the run was cancelled (Ctrl+C, shutdown): catch-up then stops quietly and rethrows. */
function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (err instanceof Error && (err.name === 'AbortError' || err.name === 'CancelledError'));
}

/** Reads the window from the log, bounded and de-duplicated by id; stops at the first error, keeping what it read. */
async function readLog(
  list: NonNullable<CatchUpAdapter['listInbound']>,
  q: InboundLogQuery,
  ctx: ProviderCallContext,
): Promise<{ messages: LoggedInboundMessage[]; truncated: boolean; error?: unknown }> {
  const byId = new Map<string, LoggedInboundMessage>();
  let read = 0;
  try {
    // One more than the bound, to tell "exactly max" from "more than max".
    for await (const m of list({ ...q, max: q.max + 1 }, ctx)) {
      if (++read > q.max) return { messages: [...byId.values()], truncated: true };
      if (!byId.has(m.id)) byId.set(m.id, m);
    }
  } catch (error) {
    if (isAbort(error, ctx.signal)) throw error;
    return { messages: [...byId.values()], truncated: false, error };
  }
  return { messages: [...byId.values()], truncated: false };
}

/** The error's stable code (a CliError's, else PROVIDER_UNAVAILABLE) and its message. */
function describeError(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' && /^[A-Z_]+$/.test(e.code) ? e.code : 'PROVIDER_UNAVAILABLE';
  return { code, message: typeof e?.message === 'string' ? e.message : String(err) };
}

/**
 * Asks the provider's log for the messages `to` received in the gap and emits each one not seen
 * before, once, oldest first, with `recovered: true`. Returns the counts; for a provider without a
 * log, `supported: false` and why. A log that fails part-way is reported in `error`, not thrown
 * (the listener keeps running); a cancelled run (ctx.signal) rethrows.
 */
export async function catchUp(opts: CatchUpOptions, ctx: ProviderCallContext, now: () => Date = () => new Date()): Promise<CatchUpResult> {
  const { adapter } = opts;
  if (!adapter.listInbound) return { supported: false, provider: adapter.name, reason: noLogReason(adapter) };
  const started = now();
  const until = opts.until ?? started;
  const q: InboundLogQuery = { to: opts.to, since: opts.since, until, max: opts.max ?? CATCH_UP_MAX };
  const read = await readLog(adapter.listInbound.bind(adapter), q, ctx);
  // Oldest first, as they would have arrived; the log pages newest first.
  const ordered = [...read.messages].sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt));
  let recovered = 0;
  let skipped = 0;
  const unavailable = new Set<'body' | 'media'>();
  for (const m of ordered) {
    if (ctx.signal?.aborted) throw ctx.signal.reason ?? new Error('aborted');
    if (await opts.seen(m.id)) {
      skipped++;
      continue;
    }
    for (const u of m.unavailable ?? []) unavailable.add(u);
    await opts.emit({ ...m, recovered: true });
    recovered++;
  }
  return {
    supported: true,
    provider: adapter.name,
    since: opts.since.toISOString(),
    until: until.toISOString(),
    listed: read.messages.length,
    recovered,
    skipped,
    truncated: read.truncated,
    unavailable: [...unavailable].sort(),
    durationMs: Math.max(0, Math.round(now().getTime() - started.getTime())),
    ...(read.error !== undefined ? { error: describeError(read.error) } : {}),
  };
}

/** The ids of the inbound messages a list of stored webhooks carried (the event log's `list()`): for `seen`. */
export function messageIdsOf(stored: ReadonlyArray<{ provider: string; events: readonly WebhookEvent[] }>, provider: string): Set<string> {
  const ids = new Set<string>();
  for (const s of stored) {
    if (s.provider !== provider) continue;
    for (const ev of s.events) if (ev.type === 'message') ids.add(ev.id);
  }
  return ids;
}
