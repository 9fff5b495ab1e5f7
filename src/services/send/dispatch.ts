// Step 6, dispatch: one request per recipient through the runner (concurrency, the shared rate
// limit, safe retries, the journal). Step 7, settle: outcomes left unknown by a lost answer are
// looked up in the provider's message log, never resent.
import type { MessageRequest, RecipientResult } from '../../core/types.js';
import { runDispatch, type DispatchOutcome } from '../../core/send-runner.js';
import { TokenBucket } from '../../core/token-bucket.js';
import { createRetryPolicy } from '../../core/retry.js';
import { CliError } from '../../errors/errors.js';
import { listPlaceholders, renderTemplate } from '../../recipients/parse.js';
import type { HostedMedia } from './host-media.js';
import type { SendJournal } from './ports.js';
import type { SendRun } from './types.js';

/** How far before the run's start the log search for lost answers begins. */
const SETTLE_MARGIN_MS = 5_000;
/** Up to this many settled answers get a line each; more get one summary line. */
const SETTLE_LINES = 5;

/** What dispatch produced: the runner's outcome and the results held back until settled. */
export interface Dispatched {
  outcome: DispatchOutcome;
  /** Unknown outcomes the provider's log can settle (reported after settleUnknowns). */
  unknowns: RecipientResult[];
}

/** Sends to every planned recipient. */
export async function dispatch(run: SendRun, media: HostedMedia, statusUrl: string | undefined, journal: SendJournal | undefined): Promise<Dispatched> {
  const { request, plan, adapter, call, from, ports, events } = run;
  const { body, concurrency, ratePerSecond } = plan;
  const hasTemplate = body !== undefined && listPlaceholders(body).length > 0;
  const { now, sleep, random } = ports.time;
  const unknowns: RecipientResult[] = [];
  const outcome = await runDispatch({
    recipients: plan.recipients,
    buildRequest: (r): MessageRequest => {
      const text = body === undefined ? undefined : hasTemplate ? renderTemplate(body, r.fields) : body;
      return {
        to: r.to,
        from,
        ...(text !== undefined && text !== '' ? { body: text } : {}),
        mediaUrls: media.mediaUrls,
        ...(media.mediaIds.length ? { mediaIds: media.mediaIds } : {}),
        ...(statusUrl ? { statusCallbackUrl: statusUrl } : {}),
      };
    },
    send: (req, signal) => adapter.send(req, { ...call, signal }),
    concurrency,
    ...(Number.isFinite(ratePerSecond)
      ? { bucket: new TokenBucket({ ratePerSecond, burst: Math.max(1, Math.min(concurrency, Math.ceil(ratePerSecond))), now, sleep }) }
      : {}),
    retryPolicy: createRetryPolicy({ retryAmbiguous: request.retryAmbiguous, random }),
    ...(journal ? { journal } : {}),
    signal: ports.signal,
    // Unknown outcomes are held back until the provider's log has been asked (settleUnknowns).
    onResult: (r: RecipientResult) => {
      if (r.status === 'unknown' && adapter.findSent) unknowns.push(r);
      else events.onResult?.(r);
    },
    ...(events.onProgress ? { onProgress: (p) => events.onProgress?.(p) } : {}),
    ...(events.onRetry ? { onRetry: (n) => events.onRetry?.(n) } : {}),
    collectResults: request.collectResults,
    now,
    sleep,
  });
  return { outcome, unknowns };
}

/**
 * Looks up each held-back unknown in the provider's log: found → accepted (in the outcome, its
 * summary and the journal); otherwise it stays unknown. Each is then reported.
 */
export async function settleUnknowns({ outcome, unknowns }: Dispatched, run: SendRun, journal: SendJournal | undefined): Promise<void> {
  const { adapter, call, from, events } = run;
  let settled = 0;
  for (const r of unknowns) {
    try {
      const since = new Date(run.ports.time.wallNow() - outcome.summary.durationMs - SETTLE_MARGIN_MS);
      const found = await adapter.findSent!({ to: r.to, from, since }, call);
      if (found) {
        // The result objects are shared with outcome.results: updating them updates both.
        r.status = 'accepted';
        r.id = found.id;
        r.providerStatus = found.providerStatus;
        delete r.error;
        outcome.summary.unknown--;
        outcome.summary.accepted++;
        journal?.reconciled(r.to, found);
        settled++;
        if (unknowns.length <= SETTLE_LINES)
          events.note?.(`${r.to}: the answer was lost, but the provider's log shows the message (${found.id}): counted as accepted.`);
      }
    } catch {
      // Stays unknown: the summary says so and nothing is resent.
    }
    events.onResult?.(r);
  }
  if (unknowns.length > SETTLE_LINES) {
    const rest = settled < unknowns.length ? `, the other ${unknowns.length - settled} stay unknown and were not resent` : '';
    events.note?.(`${unknowns.length} answers were lost; the provider's log shows ${settled} of those messages (counted as accepted)${rest}.`);
  }
}

/** A run stopped early (rejected credentials, a journal failure): fatal when nobody got the message. */
export function checkStopped(outcome: DispatchOutcome, run: SendRun): void {
  const stopError = outcome.stopError;
  if (stopError && outcome.summary.accepted === 0) throw stopError;
  if (stopError instanceof CliError) run.events.note?.(`Stopped early: ${stopError.message}`);
}
