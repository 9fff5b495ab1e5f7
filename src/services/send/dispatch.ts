// Step 6, dispatch: one request per recipient through the runner (concurrency, the shared rate
// limit, safe retries, the journal). Unknown outcomes are held back for ./settle.ts, which may ask
// for a second pass (`resend`) for those the provider's log proves were never created.
//
// Idempotency keys: none of the six providers documents one for message creation, so none is
// sent (checked Dec 2026; a key a provider ignores would only give false comfort):
// - Twilio: Create a Message takes no idempotency parameter or header (I-Twilio-Idempotency-Token
//   is a header Twilio sends on its webhooks): https://www.twilio.com/docs/messaging/api/message-resource
// - Telnyx: Idempotency-Key works only "on endpoints whose API reference declares Idempotency-Key
//   support" (https://developers.telnyx.com/docs/development/api-fundamentals/idempotency), and
//   Send a message (POST /v2/messages) declares none (nor does the telnyx SDK's messages.send).
// - Plivo (https://www.plivo.com/docs/messaging/api/message/send-a-message), Vonage Messages
//   (https://developer.vonage.com/en/api/messages), Bandwidth (https://dev.bandwidth.com/apis/messaging-apis/messaging/):
//   no idempotency key documented.
// - Sinch: Idempotency-Key is documented for the Voice API v2 only; SMS batches have
//   `client_reference`, a label, not deduplication: https://developers.sinch.com/docs/sms/api-reference/
import type { MessageRequest, RecipientResult } from '../../core/types.js';
import { runDispatch, type DispatchOutcome } from '../../core/send-runner.js';
import { TokenBucket } from '../../core/token-bucket.js';
import { createRetryPolicy } from '../../core/retry.js';
import { listPlaceholders, renderTemplate } from '../../recipients/parse.js';
import type { HostedMedia } from './host-media.js';
import type { ResultFile } from './result-file.js';
import type { SendJournal } from './ports.js';
import { hasProviderLog } from './provider-log.js';
import type { Recipient } from '../../recipients/parse.js';
import type { SendRun } from './types.js';

/** An unknown outcome held back for settling, and when (epoch ms, our clock) its answer was lost. */
export interface HeldUnknown {
  result: RecipientResult;
  /** The planned recipient (its CSV fields render the text a resend sends and the log is matched on). */
  recipient: Recipient;
  atMs: number;
  /** Left unknown by an earlier run (the journal) and not sent now: the log may settle it, a resend never. */
  fromJournal?: true;
}

/** What dispatch produced: the runner's outcome and the results held back until settled. */
export interface Dispatched {
  outcome: DispatchOutcome;
  /** Unknown outcomes the provider's log can settle (reported after settleUnknowns). */
  unknowns: HeldUnknown[];
  /** Sends again to these recipients (the log proved their messages were never created). */
  resend(recipients: readonly Recipient[]): Promise<Dispatched>;
}

/**
 * Sends to every planned recipient, reading the list as it goes (nothing per recipient is kept in memory but the held
 * unknowns; with `results`, the first pass's results go to that file, by their place in the list).
 */
export async function dispatch(
  run: SendRun,
  media: HostedMedia,
  statusUrl: string | undefined,
  journal: SendJournal | undefined,
  results?: ResultFile,
): Promise<Dispatched> {
  const pass = async (recipients: Iterable<Recipient> | AsyncIterable<Recipient>, isFirst: boolean): Promise<Dispatched> => {
    const done = await runPass(run, recipients, { media, statusUrl, journal, isFirst, ...(isFirst && results ? { results } : {}) });
    return { ...done, resend: (again) => pass(again, false) };
  };
  return pass(run.plan.recipients, true);
}

interface PassOptions {
  media: HostedMedia;
  statusUrl: string | undefined;
  journal: SendJournal | undefined;
  /** The first pass reports progress; a resend pass only its results. */
  isFirst: boolean;
  /** Where the first pass keeps its results (--json without --wait) instead of in memory. */
  results?: ResultFile;
}

/** One runner pass over `recipients`. */
async function runPass(
  run: SendRun,
  recipients: Iterable<Recipient> | AsyncIterable<Recipient>,
  { media, statusUrl, journal, isFirst, results }: PassOptions,
): Promise<Omit<Dispatched, 'resend'>> {
  const { request, plan, adapter, call, from, ports, events } = run;
  const { body, concurrency, ratePerSecond } = plan;
  const hasTemplate = body !== undefined && listPlaceholders(body).length > 0;
  const { now, sleep, random } = ports.time;
  const unknowns: HeldUnknown[] = [];
  const outcome = await runDispatch({
    recipients,
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
    onResult: (r: RecipientResult, recipient: Recipient, index: number) => {
      if (r.status !== 'unknown' || !hasProviderLog(run)) events.onResult?.(r);
      else {
        const prior = journal?.priorStatus ? journal.priorStatus(r.to) : journal?.prior(r.to)?.status;
        const fromJournal = !request.retryAmbiguous && (prior === 'started' || prior === 'unknown');
        unknowns.push({ result: r, recipient, atMs: ports.time.wallNow(), ...(fromJournal ? { fromJournal } : {}) });
      }
      // Last: a full temp disk throws here, which stops the run (nothing more is sent); this result is counted and journaled.
      results?.put(index, r);
    },
    ...(isFirst ? { total: plan.recipients.count } : {}),
    ...(events.onProgress && isFirst ? { onProgress: (p) => events.onProgress?.(p) } : {}),
    ...(events.onRetry ? { onRetry: (n) => events.onRetry?.(n) } : {}),
    collectResults: (request.collectResults && !results) || !isFirst,
    now,
    sleep,
  });
  return { outcome, unknowns };
}
