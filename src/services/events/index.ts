// `mms events list|show|replay`: read the listener's event log, and send a stored webhook to an app
// again, re-signed for the target (a fresh signature where the profile holds the secret) so the
// app's check passes. Returns data; the command renders it.
import { AuthError, ErrorCode, UsageError } from '../../errors/errors.js';
import { sanitizeForTerminal } from '../../output/sanitize.js';
import type { Credentials, ProviderName } from '../../providers/types.js';
import { forwardWebhook, type ForwardAttempt, type ForwardOptions } from '../forward/forward.js';
import { webhookKit } from '../forward/signers.js';
import { decodeBody, type EventLog, type StoredEvent } from './store.js';

export { openEventLog, type EventLog, type StoredEvent } from './store.js';

/** Filters of `mms events list`. */
export interface EventFilter {
  since?: Date;
  type?: 'inbound' | 'status';
  /** E.164: events from or to this number. */
  number?: string;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: a duration back from now (`90s`, `15m`, `1h`, `7d`) or an ISO 8601 time. */
export function parseSince(value: string, now: Date): Date {
  const m = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim());
  if (m) return new Date(now.getTime() - Number(m[1]) * UNITS[m[2]!]!);
  const t = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value.trim()) && !Number.isNaN(t)) return new Date(t);
  throw new UsageError(`--since "${sanitizeForTerminal(value)}" must be a duration such as 15m, 1h or 7d, or an ISO 8601 time`, {
    code: ErrorCode.INVALID_ARGUMENT,
  });
}

/** True when the stored webhook matches the filter. */
export function matchesFilter(e: StoredEvent, f: EventFilter): boolean {
  if (f.since && Date.parse(e.receivedAt) < f.since.getTime()) return false;
  if (f.type && e.kind !== f.type) return false;
  if (f.number && !e.events.some((ev) => ev.from === f.number || ev.to === f.number)) return false;
  return true;
}

/** The stored webhooks matching `f`, oldest first. */
export async function listEvents(log: EventLog, f: EventFilter): Promise<StoredEvent[]> {
  return (await log.list()).filter((e) => matchesFilter(e, f));
}

/** One stored webhook (by id or unique prefix); a UsageError when there is none, or the prefix names several. */
export async function getEvent(log: EventLog, id: string): Promise<StoredEvent> {
  const want = id.trim();
  // An empty prefix matches every event: it would show whichever one happens to be alone in the log.
  if (want === '') throw new UsageError('An event id is required', { code: ErrorCode.MISSING_ARGUMENT, suggestion: 'List them with mms events list' });
  const found = await log.find(want);
  const shown = sanitizeForTerminal(want);
  if (found.matches > 1) {
    throw new UsageError(`${found.matches} events start with ${shown}: give more of the id`, {
      code: ErrorCode.INVALID_ARGUMENT,
      suggestion: 'List them with mms events list',
    });
  }
  if (!found.event)
    throw new UsageError(`No event ${shown} in the event log (${log.dir})`, { code: ErrorCode.NOT_FOUND, suggestion: 'List them with mms events list' });
  return found.event;
}

/** What a replay did. */
export interface ReplayOutcome {
  event: StoredEvent;
  attempt: ForwardAttempt;
  body: string;
  /** How the request was signed for the target ('rebuilt': a recovered message, built as the provider's webhook and signed). */
  signing: 'resigned' | 'verbatim' | 'rebuilt';
}

/** An inbound message as catch-up recovered it (the event a webhook would have carried). */
type RecoveredMessageEvent = Extract<StoredEvent['events'][number], { type: 'message' }>;

/**
 * The webhook the provider would have sent for a message catch-up recovered from its log (its
 * fields and content type, as `mms trigger` builds them), signed for `target`; undefined when
 * `credentials` lack the provider's signing secret.
 */
export function buildRecoveredWebhook(
  provider: string,
  message: RecoveredMessageEvent,
  target: string,
  credentials: Credentials,
  now: Date,
): { headers: Record<string, string>; body: Buffer } | undefined {
  const kit = webhookKit(provider as ProviderName);
  if (!credentials[kit.secretField]) return undefined;
  const media = message.media.map((m) => ({
    url: m.url,
    contentType: m.contentType ?? 'application/octet-stream',
    ...(m.size !== undefined ? { size: m.size } : {}),
  }));
  const receivedAt = new Date(message.receivedAt);
  const built = kit.inbound(
    { id: message.id, from: message.from, to: message.to, body: message.body, media, now: Number.isNaN(receivedAt.getTime()) ? now : receivedAt },
    credentials,
    target,
  );
  const headers = { 'content-type': built.contentType, 'user-agent': 'mms-listen', ...kit.sign(built, target, credentials, now) };
  return { headers, body: Buffer.from(built.body, 'utf8') };
}

/** A recovered event's webhook for `replay`; refuses without the signing secret (nothing unsigned is sent). */
function rebuildRecovered(event: StoredEvent, target: string, credentials: Credentials, now: Date): { headers: Record<string, string>; body: Buffer } {
  const message = event.events.find((e): e is RecoveredMessageEvent => e.type === 'message');
  if (!message) throw new UsageError(`Event ${event.id} holds no message to rebuild a webhook from`, { code: ErrorCode.INVALID_ARGUMENT });
  const built = buildRecoveredWebhook(event.provider, message, target, credentials, now);
  if (!built) {
    throw new AuthError(
      ErrorCode.AUTH_MISSING,
      `Event ${event.id} was recovered from the ${event.provider} message log: no webhook was stored, and this profile has no ${webhookKit(event.provider as ProviderName).secretField} to sign a rebuilt one`,
      { suggestion: `Use the profile the listener used (--profile), or set the ${event.provider} signing secret` },
    );
  }
  return built;
}

/** Sends a stored webhook to `target` (default: where it was last forwarded), signed anew when `creds` hold the secret. */
export async function replayEvent(
  log: EventLog,
  id: string,
  opts: { target?: string; credentials: Credentials; forward?: Pick<ForwardOptions, 'timeoutMs' | 'setTimer' | 'signal'>; now?: () => Date },
): Promise<ReplayOutcome> {
  const event = await getEvent(log, id);
  const target = opts.target ?? event.forwards.at(-1)?.url;
  if (target === undefined) {
    throw new UsageError(`Event ${event.id} was never forwarded: say where to send it`, {
      code: ErrorCode.MISSING_ARGUMENT,
      suggestion: `mms events replay ${event.id} --forward-to <url>`,
    });
  }
  if (event.recovered) {
    const rebuilt = rebuildRecovered(event, target, opts.credentials, (opts.now ?? (() => new Date()))());
    const { reply, attempt } = await forwardWebhook({ method: 'POST', publicUrl: target, headers: rebuilt.headers, rawBody: rebuilt.body }, target, {
      credentials: opts.credentials,
      ...(opts.forward ?? {}),
    });
    const replayed: ForwardAttempt = { ...attempt, resigned: true, replay: true };
    await log.addForward(event.id, replayed);
    return { event, attempt: replayed, body: attempt.error ? '' : Buffer.from(reply.body ?? '').toString('utf8'), signing: 'rebuilt' };
  }
  const kit = webhookKit(event.provider as ProviderName);
  const body = decodeBody(event);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(event.request.headers)) if (v !== '[redacted]') headers[k] = v;
  const contentType = String(headers['content-type'] ?? 'application/octet-stream');
  const canSign = Boolean(opts.credentials[kit.secretField]);
  if (canSign) Object.assign(headers, kit.sign({ contentType, body: body.toString('utf8') }, target, opts.credentials, (opts.now ?? (() => new Date()))()));
  const { reply, attempt } = await forwardWebhook({ method: event.request.method, publicUrl: target, headers, rawBody: body }, target, {
    credentials: opts.credentials,
    ...(opts.forward ?? {}),
  });
  const replayed: ForwardAttempt = { ...attempt, resigned: canSign, replay: true };
  await log.addForward(event.id, replayed);
  return { event, attempt: replayed, body: attempt.error ? '' : Buffer.from(reply.body ?? '').toString('utf8'), signing: canSign ? 'resigned' : 'verbatim' };
}
