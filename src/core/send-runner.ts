// Sends one message per recipient with a fixed pool of workers pulling from the recipient
// iterator (memory stays flat for 10,000+ recipients: no promise per recipient up front), a shared
// token bucket, safe retries (./retry.ts) and the journal (./journal.ts). Every recipient ends with
// exactly one result: accepted, failed, unknown, or skipped (already done in an earlier run, or
// never attempted because the run was interrupted).
import { setMaxListeners } from 'node:events';
import type { MessageRequest, ProviderAcceptance, RecipientResult, ResultError } from './types.js';
import { resumeAction, type DispatchJournal } from './journal.js';
import { DEFAULT_RETRY_POLICY, decideRetry, isFatalError, toResultError, toUnknownOutcomeError, type RetryPolicy } from './retry.js';
import { realSleep, type Clock, type Sleep } from './token-bucket.js';
import { ErrorCode } from '../errors/errors.js';

/** What the runner needs from a rate limiter (`TokenBucket`). */
export interface RateLimiter {
  take(signal?: AbortSignal): Promise<void>;
  /** Holds everyone back after a 429 with Retry-After. */
  pause?(ms: number): void;
}

/** Counts so far, for a progress line. */
export interface DispatchProgress {
  /** Recipients with a final result. */
  done: number;
  /** All recipients, when known (an array, or `total` given). */
  total?: number;
  accepted: number;
  failed: number;
  unknown: number;
  skipped: number;
  inFlight: number;
  elapsedMs: number;
}

/** Told before each retry (for `--debug` lines). */
export interface RetryNotice {
  to: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: ResultError;
}

export interface DispatchOptions<R extends { to: string }> {
  /** Read lazily, once: an array or any iterable (e.g. a generator over a large file). */
  recipients: Iterable<R>;
  /** Number of recipients, for progress, when `recipients` is not an array. */
  total?: number;
  /** Builds the request for one recipient (templates already checked); a throw fails that recipient. */
  buildRequest(recipient: R): MessageRequest;
  /** One provider call. Must not retry on its own. */
  send(req: MessageRequest, signal: AbortSignal): Promise<ProviderAcceptance>;
  /** Requests in flight at once (≥ 1). */
  concurrency: number;
  /** Shared by all requests, retries included; omit for no limit. */
  bucket?: RateLimiter;
  retryPolicy?: RetryPolicy;
  journal?: DispatchJournal;
  /** Ctrl+C: stop starting recipients; requests in flight finish and are recorded. */
  signal?: AbortSignal;
  /** A second Ctrl+C: abort requests in flight too (their outcome becomes unknown). */
  forceSignal?: AbortSignal;
  /** Each final result as it happens (NDJSON, journal-independent logging). */
  onResult?(result: RecipientResult, recipient: R): void;
  onProgress?(progress: DispatchProgress): void;
  onRetry?(notice: RetryNotice): void;
  /** Keep every result for the return value (default true; false for huge NDJSON runs). */
  collectResults?: boolean;
  now?: Clock;
  sleep?: Sleep;
}

export interface DispatchSummary {
  /** Every recipient read, whatever happened to it. */
  total: number;
  accepted: number;
  failed: number;
  /** Outcome unknown (not resent): this run's ambiguous requests and earlier runs' unfinished ones. */
  unknown: number;
  /** Already accepted in an earlier run (journal). */
  skipped: number;
  /** Never attempted because the run stopped (Ctrl+C, rejected credentials, journal failure). */
  notAttempted: number;
  durationMs: number;
}

export interface DispatchOutcome {
  /** In recipient order (empty when `collectResults` is false). */
  results: RecipientResult[];
  summary: DispatchSummary;
  /** `signal` aborted during the run. */
  interrupted: boolean;
  /** Why dispatching stopped early other than Ctrl+C: rejected credentials or a journal write failure. */
  stopError?: unknown;
}

/**
 * Our own controller following `outer`: every waiting worker (and every request, through the
 * adapters' AbortSignal.any) listens on it, so it gets room for that many listeners instead of
 * Node's MaxListenersExceededWarning on stderr at --concurrency > 10.
 */
function linkedController(outer: AbortSignal | undefined, listeners: number): { signal: AbortSignal; unlink: () => void } {
  const ctl = new AbortController();
  setMaxListeners(listeners, ctl.signal);
  if (!outer) return { signal: ctl.signal, unlink: () => undefined };
  const onAbort = (): void => ctl.abort(outer.reason);
  if (outer.aborted) onAbort();
  else outer.addEventListener('abort', onAbort, { once: true });
  return { signal: ctl.signal, unlink: () => outer.removeEventListener('abort', onAbort) };
}

/** Sends to every recipient (see the module comment); resolves when nothing is in flight. */
export async function runDispatch<R extends { to: string }>(opts: DispatchOptions<R>): Promise<DispatchOutcome> {
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) throw new RangeError(`concurrency must be an integer ≥ 1, got ${opts.concurrency}`);
  const now = opts.now ?? (() => performance.now());
  const sleep = opts.sleep ?? realSleep;
  const policy = opts.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const stopLink = linkedController(opts.signal, opts.concurrency * 2 + 10);
  const forceLink = linkedController(opts.forceSignal, opts.concurrency * 2 + 10);
  const stopSignal = stopLink.signal;
  const sendSignal = forceLink.signal;
  const isCollecting = opts.collectResults ?? true;
  const total = opts.total ?? (Array.isArray(opts.recipients) ? opts.recipients.length : undefined);
  const startedAt = now();

  const collected: Array<{ index: number; result: RecipientResult }> = [];
  const counts = { accepted: 0, failed: 0, unknown: 0, skipped: 0, notAttempted: 0 };
  let read = 0;
  let inFlight = 0;
  let stopError: unknown;
  let hasStopped = false;
  const iterator = opts.recipients[Symbol.iterator]();

  const stop = (err: unknown): void => {
    if (!hasStopped) stopError = err;
    hasStopped = true;
  };

  const emit = (index: number, recipient: R, result: RecipientResult, countAs: keyof typeof counts): void => {
    counts[countAs]++;
    if (isCollecting) collected.push({ index, result });
    try {
      opts.onResult?.(result, recipient);
      opts.onProgress?.({
        done: counts.accepted + counts.failed + counts.unknown + counts.skipped + counts.notAttempted,
        ...(total !== undefined ? { total } : {}),
        accepted: counts.accepted,
        failed: counts.failed,
        unknown: counts.unknown,
        skipped: counts.skipped,
        inFlight,
        elapsedMs: now() - startedAt,
      });
    } catch (err) {
      // A broken output stream must not strand requests in flight: stop starting new ones.
      stop(err);
    }
  };

  const notAttempted = (index: number, recipient: R): void => {
    const error: ResultError = isFatalError(stopError)
      ? { code: ErrorCode.CANCELLED, message: `Not sent: the run stopped after the provider rejected the credentials` }
      : stopError !== undefined
        ? { code: ErrorCode.CANCELLED, message: `Not sent: the run stopped early (${toResultError(stopError).message})` }
        : { code: ErrorCode.CANCELLED, message: 'Not sent: the run was interrupted before this recipient' };
    emit(index, recipient, { to: recipient.to, status: 'skipped', error }, 'notAttempted');
  };

  const nextRecipient = (): { index: number; recipient: R } | undefined => {
    if (hasStopped || stopSignal.aborted) return undefined;
    const n = iterator.next();
    if (n.done) return undefined;
    return { index: read++, recipient: n.value };
  };

  /** Records a final outcome in the journal; a failure stops the run (the result still counts). */
  const journalFinished = async (result: RecipientResult): Promise<void> => {
    if (!opts.journal) return;
    try {
      await opts.journal.finished(result);
    } catch (err) {
      stop(err);
    }
  };

  const processOne = async (index: number, recipient: R): Promise<void> => {
    const to = recipient.to;
    if (opts.journal) {
      const resume = resumeAction(opts.journal.prior(to), policy.retryAmbiguous);
      if (resume.action === 'skip') {
        emit(index, recipient, resume.result, resume.result.status === 'unknown' ? 'unknown' : 'skipped');
        return;
      }
    }
    let req: MessageRequest;
    try {
      req = opts.buildRequest(recipient);
    } catch (err) {
      const result: RecipientResult = { to, status: 'failed', error: toResultError(err) };
      await journalFinished(result);
      emit(index, recipient, result, 'failed');
      return;
    }

    let wasAmbiguous = false;
    let rateLimited = 0;
    let lastError: unknown;
    let result: RecipientResult | undefined;
    for (let attempt = 1; result === undefined; attempt++) {
      try {
        await opts.bucket?.take(stopSignal);
      } catch {
        // Ctrl+C while waiting for a token: nothing more is sent for this recipient.
        if (attempt === 1) {
          notAttempted(index, recipient);
          return;
        }
        result = giveUpResult(to, lastError, wasAmbiguous, policy.retryAmbiguous);
        break;
      }
      if (attempt === 1 && (hasStopped || stopSignal.aborted)) {
        // Stopped while this worker waited for its token: it has not been sent, so leave it.
        notAttempted(index, recipient);
        return;
      }
      if (attempt === 1 && opts.journal) {
        try {
          // Durable before the request: a crash from here on leaves "started" = unknown, never resent.
          await opts.journal.started(to);
        } catch (err) {
          stop(err);
          notAttempted(index, recipient);
          return;
        }
      }
      let acc: ProviderAcceptance;
      inFlight++;
      try {
        acc = await opts.send(req, sendSignal);
      } catch (err) {
        inFlight--;
        lastError = err;
        if (isFatalError(err)) stop(err);
        const decision = decideRetry(err, attempt, policy, wasAmbiguous, rateLimited);
        if (decision.classification.kind === 'ambiguous') wasAmbiguous = true;
        if (decision.action === 'retry' && decision.classification.rateLimited) rateLimited++;
        if (decision.action === 'give-up') {
          result =
            decision.outcome === 'unknown'
              ? { to, status: 'unknown', error: toUnknownOutcomeError(err, policy.retryAmbiguous) }
              : { to, status: 'failed', error: toResultError(err) };
        } else {
          if (decision.classification.retryAfterMs !== undefined) opts.bucket?.pause?.(decision.classification.retryAfterMs);
          try {
            opts.onRetry?.({ to, attempt, delayMs: decision.delayMs, error: toResultError(err) });
          } catch {
            // A logging hook must not change what is sent.
          }
          try {
            await sleep(decision.delayMs, stopSignal);
          } catch {
            // Ctrl+C during backoff: stop here; the last error stands (resume retries "failed").
            result = giveUpResult(to, lastError, wasAmbiguous, policy.retryAmbiguous);
          }
        }
        continue;
      }
      inFlight--;
      result = { to, status: 'accepted', id: acc.id, providerStatus: acc.providerStatus };
    }
    await journalFinished(result);
    emit(index, recipient, result, result.status === 'accepted' ? 'accepted' : result.status === 'unknown' ? 'unknown' : 'failed');
  };

  const worker = async (): Promise<void> => {
    for (let next = nextRecipient(); next; next = nextRecipient()) {
      try {
        await processOne(next.index, next.recipient);
      } catch (err) {
        // Defensive: processOne handles its own errors, so this is a bug. The request may have
        // gone out, so report the recipient as unknown (never resent) and stop cleanly.
        stop(err);
        const result: RecipientResult = { to: next.recipient.to, status: 'unknown', error: toUnknownOutcomeError(err) };
        await journalFinished(result);
        emit(next.index, next.recipient, result, 'unknown');
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
  } finally {
    stopLink.unlink();
    forceLink.unlink();
  }

  // Whatever was not started gets its own result: nobody is skipped silently.
  for (let n = iterator.next(); !n.done; n = iterator.next()) {
    const index = read++;
    const resume = opts.journal ? resumeAction(opts.journal.prior(n.value.to), policy.retryAmbiguous) : undefined;
    // Done in an earlier run: say so rather than "not sent".
    if (resume?.action === 'skip') emit(index, n.value, resume.result, resume.result.status === 'unknown' ? 'unknown' : 'skipped');
    else notAttempted(index, n.value);
  }

  const results = isCollecting ? collected.sort((a, b) => a.index - b.index).map((c) => c.result) : [];
  const outcome: DispatchOutcome = {
    results,
    summary: { total: read, ...counts, durationMs: now() - startedAt },
    interrupted: stopSignal.aborted,
  };
  if (stopError !== undefined) outcome.stopError = stopError;
  return outcome;
}

function giveUpResult(to: string, lastError: unknown, wasAmbiguous: boolean, retryAmbiguous: boolean): RecipientResult {
  return wasAmbiguous
    ? { to, status: 'unknown', error: toUnknownOutcomeError(lastError, retryAmbiguous) }
    : { to, status: 'failed', error: toResultError(lastError) };
}
