// Step 6, dispatch: one request per recipient through the runner (concurrency, the shared rate
// limit, safe retries, the journal). Unknown outcomes are held back for ./settle.ts.
import type { MessageRequest, RecipientResult } from '../../core/types.js';
import { runDispatch, type DispatchOutcome } from '../../core/send-runner.js';
import { TokenBucket } from '../../core/token-bucket.js';
import { createRetryPolicy } from '../../core/retry.js';
import { listPlaceholders, renderTemplate } from '../../recipients/parse.js';
import type { HostedMedia } from './host-media.js';
import type { SendJournal } from './ports.js';
import { hasProviderLog } from './provider-log.js';
import type { SendRun } from './types.js';

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
      if (r.status === 'unknown' && hasProviderLog(run)) unknowns.push(r);
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
