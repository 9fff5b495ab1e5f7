// Sends one message per recipient with a fixed pool of workers pulling from the recipient
// iterator, sync or async (memory stays flat for millions of recipients: no promise per recipient up
// front, and with `collectResults: false` nothing per recipient is kept, only counts), a shared
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
  /** Read lazily, once: an array or any iterable, sync or async (e.g. a list read back from a spill file). */
  recipients: Iterable<R> | AsyncIterable<R>;
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
  /** Each final result as it happens (NDJSON, journal-independent logging), with the recipient's place in the list (0-based). */
  onResult?(result: RecipientResult, recipient: R, index: number): void;
  onProgress?(progress: DispatchProgress): void;
  onRetry?(notice: RetryNotice): void;
  /** Keep every result for the return value (default true; false for huge runs, which may keep them by `index` in `onResult`). */
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
  const state = new DispatchRun(opts);
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, () => state.worker()));
  } finally {
    state.unlink();
  }
  // Whatever was not started gets its own result: nobody is skipped silently.
  await state.finishUnread();
  return state.outcome();
}

/** Counts of final results, by kind. */
type Counts = Record<'accepted' | 'failed' | 'unknown' | 'skipped' | 'notAttempted', number>;

/** What one recipient's attempts are doing: the retry state `decideRetry` needs. */
interface Attempts {
  wasAmbiguous: boolean;
  rateLimited: number;
  lastError: unknown;
}

/** The state of one `runDispatch` call, shared by its workers. */
class DispatchRun<R extends { to: string }> {
  private readonly now: Clock;
  private readonly sleep: Sleep;
  readonly policy: RetryPolicy;
  private readonly stopLink: { signal: AbortSignal; unlink: () => void };
  private readonly forceLink: { signal: AbortSignal; unlink: () => void };
  private readonly isCollecting: boolean;
  private readonly total: number | undefined;
  private readonly startedAt: number;
  private readonly collected: Array<{ index: number; result: RecipientResult }> = [];
  private readonly counts: Counts = { accepted: 0, failed: 0, unknown: 0, skipped: 0, notAttempted: 0 };
  /** One of the two: a sync iterator is read without a microtask per recipient. */
  private readonly iterator: Iterator<R> | undefined;
  private readonly asyncIterator: AsyncIterator<R> | undefined;
  private read = 0;
  private inFlight = 0;
  private stopError: unknown;
  private hasStopped = false;

  constructor(private readonly opts: DispatchOptions<R>) {
    this.now = opts.now ?? (() => performance.now());
    this.sleep = opts.sleep ?? realSleep;
    this.policy = opts.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.stopLink = linkedController(opts.signal, opts.concurrency * 2 + 10);
    this.forceLink = linkedController(opts.forceSignal, opts.concurrency * 2 + 10);
    this.isCollecting = opts.collectResults ?? true;
    this.total = opts.total ?? (Array.isArray(opts.recipients) ? opts.recipients.length : undefined);
    this.startedAt = this.now();
    const r = opts.recipients;
    if (Symbol.asyncIterator in r) this.asyncIterator = r[Symbol.asyncIterator]();
    else this.iterator = r[Symbol.iterator]();
  }

  private get stopSignal(): AbortSignal {
    return this.stopLink.signal;
  }

  unlink(): void {
    this.stopLink.unlink();
    this.forceLink.unlink();
  }

  private stop(err: unknown): void {
    if (!this.hasStopped) this.stopError = err;
    this.hasStopped = true;
  }

  private emit(index: number, recipient: R, result: RecipientResult, countAs: keyof Counts): void {
    const c = this.counts;
    c[countAs]++;
    if (this.isCollecting) this.collected.push({ index, result });
    try {
      this.opts.onResult?.(result, recipient, index);
      this.opts.onProgress?.({
        done: c.accepted + c.failed + c.unknown + c.skipped + c.notAttempted,
        ...(this.total !== undefined ? { total: this.total } : {}),
        accepted: c.accepted,
        failed: c.failed,
        unknown: c.unknown,
        skipped: c.skipped,
        inFlight: this.inFlight,
        elapsedMs: this.now() - this.startedAt,
      });
    } catch (err) {
      // A broken output stream must not strand requests in flight: stop starting new ones.
      this.stop(err);
    }
  }

  private notAttempted(index: number, recipient: R): void {
    const stopError = this.stopError;
    const error: ResultError = isFatalError(stopError)
      ? { code: ErrorCode.CANCELLED, message: `Not sent: the run stopped after the provider rejected the credentials` }
      : stopError !== undefined
        ? { code: ErrorCode.CANCELLED, message: `Not sent: the run stopped early (${toResultError(stopError).message})` }
        : { code: ErrorCode.CANCELLED, message: 'Not sent: the run was interrupted before this recipient' };
    this.emit(index, recipient, { to: recipient.to, status: 'skipped', error }, 'notAttempted');
  }

  /** The next recipient to start, or undefined when there is none or the run stopped (a promise for an async list). */
  private nextRecipient(): { index: number; recipient: R } | undefined | Promise<{ index: number; recipient: R } | undefined> {
    if (this.hasStopped || this.stopSignal.aborted) return undefined;
    if (this.iterator) return this.numbered(this.iterator.next());
    // Concurrent next() calls on an async iterator are answered in order: indexes follow the list. A list that
    // cannot be read further (an I/O error on its spill file) stops the run like a journal failure: nothing more starts.
    return this.asyncIterator!.next().then(
      (n) => this.numbered(n),
      (err: unknown) => {
        this.stop(err);
        return undefined;
      },
    );
  }

  private numbered(n: IteratorResult<R>): { index: number; recipient: R } | undefined {
    return n.done ? undefined : { index: this.read++, recipient: n.value };
  }

  /** Records a final outcome in the journal; a failure stops the run (the result still counts). */
  private async journalFinished(result: RecipientResult): Promise<void> {
    if (!this.opts.journal) return;
    try {
      await this.opts.journal.finished(result);
    } catch (err) {
      this.stop(err);
    }
  }

  /** The journal's earlier result for this recipient when it is done already (skipped or unknown), else undefined. */
  private priorResult(to: string): RecipientResult | undefined {
    const journal = this.opts.journal;
    if (!journal) return undefined;
    // The status alone says "send" for most recipients; the record is read back only for those it skips.
    const status = journal.priorStatus ? journal.priorStatus(to) : journal.prior(to)?.status;
    if (status === undefined || status === 'failed' || (status !== 'accepted' && this.policy.retryAmbiguous)) return undefined;
    const resume = resumeAction(journal.prior(to), this.policy.retryAmbiguous);
    return resume.action === 'skip' ? resume.result : undefined;
  }

  private emitFinal(index: number, recipient: R, result: RecipientResult): void {
    this.emit(index, recipient, result, result.status === 'accepted' ? 'accepted' : result.status === 'unknown' ? 'unknown' : 'failed');
  }

  private async processOne(index: number, recipient: R): Promise<void> {
    const to = recipient.to;
    const prior = this.priorResult(to);
    if (prior) {
      this.emit(index, recipient, prior, prior.status === 'unknown' ? 'unknown' : 'skipped');
      return;
    }
    let req: MessageRequest;
    try {
      req = this.opts.buildRequest(recipient);
    } catch (err) {
      const result: RecipientResult = { to, status: 'failed', error: toResultError(err) };
      await this.journalFinished(result);
      this.emit(index, recipient, result, 'failed');
      return;
    }
    const result = await this.attempt(index, recipient, req);
    if (result === undefined) return; // not attempted (already reported)
    await this.journalFinished(result);
    this.emitFinal(index, recipient, result);
  }

  /** Sends with retries until a final result; undefined when the recipient was never sent (reported as not attempted). */
  private async attempt(index: number, recipient: R, req: MessageRequest): Promise<RecipientResult | undefined> {
    const to = recipient.to;
    const state: Attempts = { wasAmbiguous: false, rateLimited: 0, lastError: undefined };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.opts.bucket?.take(this.stopSignal);
      } catch {
        // Ctrl+C while waiting for a token: nothing more is sent for this recipient.
        if (attempt === 1) return this.skipNotAttempted(index, recipient);
        return giveUpResult(to, state.lastError, state.wasAmbiguous, this.policy.retryAmbiguous);
      }
      // Stopped while this worker waited for its token: it has not been sent, so leave it.
      if (attempt === 1 && (this.hasStopped || this.stopSignal.aborted)) return this.skipNotAttempted(index, recipient);
      if (attempt === 1 && !(await this.journalStarted(to))) return this.skipNotAttempted(index, recipient);
      this.inFlight++;
      try {
        const acc = await this.opts.send(req, this.forceLink.signal);
        this.inFlight--;
        return { to, status: 'accepted', id: acc.id, providerStatus: acc.providerStatus };
      } catch (err) {
        this.inFlight--;
        const result = await this.afterFailure(to, err, attempt, state);
        if (result) return result;
      }
    }
  }

  private skipNotAttempted(index: number, recipient: R): undefined {
    this.notAttempted(index, recipient);
    return undefined;
  }

  /** Durable before the request: a crash from here on leaves "started" = unknown, never resent. False when the journal failed (the run stops). */
  private async journalStarted(to: string): Promise<boolean> {
    if (!this.opts.journal) return true;
    try {
      await this.opts.journal.started(to);
      return true;
    } catch (err) {
      this.stop(err);
      return false;
    }
  }

  /** After a failed attempt: the final result, or undefined once the backoff is over and it is time to retry. */
  private async afterFailure(to: string, err: unknown, attempt: number, state: Attempts): Promise<RecipientResult | undefined> {
    state.lastError = err;
    if (isFatalError(err)) this.stop(err);
    const decision = decideRetry(err, attempt, this.policy, state.wasAmbiguous, state.rateLimited);
    if (decision.classification.kind === 'ambiguous') state.wasAmbiguous = true;
    if (decision.action === 'retry' && decision.classification.rateLimited) state.rateLimited++;
    if (decision.action === 'give-up') {
      return decision.outcome === 'unknown'
        ? { to, status: 'unknown', error: toUnknownOutcomeError(err, this.policy.retryAmbiguous) }
        : { to, status: 'failed', error: toResultError(err) };
    }
    if (decision.classification.retryAfterMs !== undefined) this.opts.bucket?.pause?.(decision.classification.retryAfterMs);
    try {
      this.opts.onRetry?.({ to, attempt, delayMs: decision.delayMs, error: toResultError(err) });
    } catch {
      // A logging hook must not change what is sent.
    }
    try {
      await this.sleep(decision.delayMs, this.stopSignal);
      return undefined;
    } catch {
      // Ctrl+C during backoff: stop here; the last error stands (resume retries "failed").
      return giveUpResult(to, state.lastError, state.wasAmbiguous, this.policy.retryAmbiguous);
    }
  }

  async worker(): Promise<void> {
    for (;;) {
      const pending = this.nextRecipient();
      // A sync list is read without a microtask per recipient (the order of events stays what it was).
      const next = pending instanceof Promise ? await pending : pending;
      if (!next) return;
      try {
        await this.processOne(next.index, next.recipient);
      } catch (err) {
        // Defensive: processOne handles its own errors, so this is a bug. The request may have
        // gone out, so report the recipient as unknown (never resent) and stop cleanly.
        this.stop(err);
        const result: RecipientResult = { to: next.recipient.to, status: 'unknown', error: toUnknownOutcomeError(err) };
        await this.journalFinished(result);
        this.emit(next.index, next.recipient, result, 'unknown');
      }
    }
  }

  /** Gives every recipient not started its result: done in an earlier run (the journal says so), else not attempted. */
  async finishUnread(): Promise<void> {
    const rest = async (): Promise<IteratorResult<R>> => {
      try {
        return this.iterator ? this.iterator.next() : await this.asyncIterator!.next();
      } catch (err) {
        // The rest of the list cannot be read: the run reports why it stopped (stopError) instead of those recipients.
        this.stop(err);
        return { done: true, value: undefined };
      }
    };
    for (let n = await rest(); !n.done; n = await rest()) {
      const index = this.read++;
      const prior = this.priorResult(n.value.to);
      if (prior) this.emit(index, n.value, prior, prior.status === 'unknown' ? 'unknown' : 'skipped');
      else this.notAttempted(index, n.value);
    }
  }

  outcome(): DispatchOutcome {
    const results = this.isCollecting ? this.collected.sort((a, b) => a.index - b.index).map((c) => c.result) : [];
    const outcome: DispatchOutcome = {
      results,
      summary: { total: this.read, ...this.counts, durationMs: this.now() - this.startedAt },
      interrupted: this.stopSignal.aborted,
    };
    if (this.stopError !== undefined) outcome.stopError = this.stopError;
    return outcome;
  }
}

function giveUpResult(to: string, lastError: unknown, wasAmbiguous: boolean, retryAmbiguous: boolean): RecipientResult {
  return wasAmbiguous
    ? { to, status: 'unknown', error: toUnknownOutcomeError(lastError, retryAmbiguous) }
    : { to, status: 'failed', error: toResultError(lastError) };
}
