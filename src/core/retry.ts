// When may a message-creating request be sent again? Only when we know the provider did not
// create the message: it said so itself (429, or a 5xx carrying the provider's own error body), or
// the request never left this machine (connection refused, DNS, a proxy refusing the tunnel).
// Anything else that may have reached the provider is "ambiguous": a 5xx without the provider's
// body (a gateway's HTML 502/503/504 can come AFTER the provider recorded the message), a timeout
// or reset after the request was written, a 2xx we could not read. Resending could text the
// recipient twice and bill them twice, so it is settled from the provider's message log
// (services/send/settle.ts) and otherwise reported `unknown` (`--retry-ambiguous` opts in).
import type { ResultError } from './types.js';
import { CliError, ErrorCode, ProviderError } from '../errors/errors.js';

/** How one failed attempt is classed. */
export type AttemptClass = 'retry' | 'ambiguous' | 'fail';

export interface Classification {
  kind: AttemptClass;
  /** Why, in a few words (for debug logs and tests). */
  reason: string;
  /** The provider's Retry-After, when it gave one. */
  retryAfterMs?: number;
  /** A rate-limit answer (429): the message was not created, and waiting is the whole fix. */
  rateLimited?: boolean;
}

/** Codes that mean the provider account or credentials are unusable: every later send fails too. */
const FATAL_CODES: ReadonlySet<string> = new Set([ErrorCode.AUTH_MISSING, ErrorCode.AUTH_REJECTED, ErrorCode.AUTH_FORBIDDEN]);

function requestSent(err: CliError): 'no' | 'maybe' | undefined {
  const d = err.details;
  if (d && typeof d === 'object' && 'requestSent' in d) {
    const v = (d as { requestSent?: unknown }).requestSent;
    if (v === 'no' || v === 'maybe') return v;
  }
  return undefined;
}

/** The status a proxy answered to CONNECT, when that is why the request failed. */
function proxyStatus(err: CliError): number | undefined {
  const v = (err.details as { proxyStatus?: unknown } | undefined)?.proxyStatus;
  return typeof v === 'number' ? v : undefined;
}

/** True when a ProviderError carries the provider's own error (code or message), not a gateway's page. */
function hasProviderBody(err: CliError): boolean {
  return err instanceof ProviderError && (err.providerCode !== undefined || err.providerMessage !== undefined);
}

/** Classes an error thrown by an adapter's `send` (see the module comment for the rules). */
export function classifySendError(err: unknown): Classification {
  if (!(err instanceof CliError)) {
    // An unexpected exception (a bug, a library error) says nothing about whether the request
    // went out, so it must not be resent automatically.
    return { kind: 'ambiguous', reason: 'unexpected error' };
  }
  const status = err instanceof ProviderError ? err.httpStatus : undefined;
  const retryAfterMs = err instanceof ProviderError ? err.retryAfterMs : undefined;
  const withRetryAfter = (c: Classification): Classification => (retryAfterMs !== undefined ? { ...c, retryAfterMs } : c);
  if (status === 429 || (err.code === ErrorCode.RATE_LIMITED && status === undefined)) {
    // A rate-limit answer means the message was not created: wait and try again.
    return withRetryAfter({ kind: 'retry', reason: 'rate limited', rateLimited: true });
  }
  if (err.code === ErrorCode.RATE_LIMITED) {
    // A limit reported as a 4xx (Twilio 21611: the sender's queue holds 10 hours of messages)
    // does not clear in seconds: fail now, with the code that says "slow down".
    return { kind: 'fail', reason: `rate limited (HTTP ${status})` };
  }
  if (err.code === ErrorCode.CANCELLED) {
    return requestSent(err) === 'no' ? { kind: 'fail', reason: 'cancelled before sending' } : { kind: 'ambiguous', reason: 'cancelled in flight' };
  }
  if (status !== undefined) {
    // 5xx with the provider's own error body: the provider says it did not process the request.
    // 5xx without it: a gateway or load balancer answered (HTML 502/503/504), and the provider
    // behind it may have created the message before the gateway gave up: ambiguous.
    // 2xx/3xx that the adapter could not read (no message id): it may well have. 4xx: a definite no.
    if (status >= 500) {
      return hasProviderBody(err)
        ? withRetryAfter({ kind: 'retry', reason: `HTTP ${status}` })
        : { kind: 'ambiguous', reason: `HTTP ${status} without the provider's error body` };
    }
    if (status < 400) return { kind: 'ambiguous', reason: `unreadable HTTP ${status} answer` };
    return { kind: 'fail', reason: `HTTP ${status}` };
  }
  if (proxyStatus(err) !== undefined && requestSent(err) === 'no') {
    // A proxy refused the tunnel (403 to CONNECT): nothing was sent, and its policy will not
    // change in the next seconds, so this is a definite "not sent", not a retry and not unknown.
    return { kind: 'fail', reason: `proxy answered ${proxyStatus(err)} to CONNECT` };
  }
  if (err.code === ErrorCode.NETWORK_ERROR || err.code === ErrorCode.TIMEOUT || err.code === ErrorCode.PROVIDER_UNAVAILABLE) {
    return requestSent(err) === 'no'
      ? { kind: 'retry', reason: 'request not sent' }
      : { kind: 'ambiguous', reason: err.code === ErrorCode.TIMEOUT ? 'timeout after sending' : 'connection lost after sending' };
  }
  return { kind: 'fail', reason: err.code };
}

/** True for errors after which sending to anyone else is pointless (rejected credentials). */
export function isFatalError(err: unknown): boolean {
  return err instanceof CliError && FATAL_CODES.has(err.code);
}

/** Retry settings for one run. */
export interface RetryPolicy {
  /** Attempts per recipient, the first included (1 = never retry). */
  maxAttempts: number;
  /** First backoff ceiling; doubles per attempt. */
  baseDelayMs: number;
  /** Backoff ceiling. */
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the recipient fails as rate-limited. */
  maxRetryAfterMs: number;
  /**
   * Rate-limit retries allowed on top of maxAttempts: a 429 means "not now", not "broken", so a
   * run that outpaces the account's rate slows down instead of failing recipients.
   */
  maxRateLimitedRetries: number;
  /** Resend after an ambiguous outcome (`--retry-ambiguous`): may duplicate messages. */
  retryAmbiguous: boolean;
  /** Uniform random in [0, 1): injectable for tests. */
  random: () => number;
}

/** Defaults: 4 attempts, 0.5 s doubling to 20 s, Retry-After honoured up to 2 minutes, 20 extra tries for 429s. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 120_000,
  maxRateLimitedRetries: 20,
  retryAmbiguous: false,
  random: Math.random,
});

/** A full policy from the defaults plus overrides. */
export function createRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const p = { ...DEFAULT_RETRY_POLICY, ...overrides };
  if (!(p.maxAttempts >= 1) || !Number.isInteger(p.maxAttempts)) throw new RangeError(`maxAttempts must be an integer ≥ 1, got ${p.maxAttempts}`);
  return p;
}

/**
 * Backoff before retry number `retry` (1 = the first retry): "full jitter", a uniform delay in
 * [0, min(maxDelay, base × 2^(retry−1))), so that many workers hit by the same outage spread out.
 */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(policy.random() * ceiling);
}

/** What to do after a failed attempt. */
export type RetryDecision =
  { action: 'retry'; delayMs: number; classification: Classification } | { action: 'give-up'; outcome: 'failed' | 'unknown'; classification: Classification };

/**
 * Decides after attempt number `attempt` (1-based) failed with `err`. `wasAmbiguous` says an
 * earlier attempt of this recipient had an ambiguous outcome (then the final outcome can only be
 * `unknown` or `accepted`: a later definite failure does not prove the earlier one failed).
 */
export function decideRetry(err: unknown, attempt: number, policy: RetryPolicy, wasAmbiguous = false, rateLimitedSoFar = 0): RetryDecision {
  const c = classifySendError(err);
  const giveUp = (outcome: 'failed' | 'unknown'): RetryDecision => ({
    action: 'give-up',
    outcome: wasAmbiguous || outcome === 'unknown' ? 'unknown' : 'failed',
    classification: c,
  });
  if (c.kind === 'fail') return giveUp('failed');
  // A request cancelled in flight stays unknown: the user asked us to stop, not to resend.
  if (c.kind === 'ambiguous' && (!policy.retryAmbiguous || (err instanceof CliError && err.code === ErrorCode.CANCELLED))) return giveUp('unknown');
  // 429s do not use up the ordinary attempts, up to their own budget.
  const isExtraThrottle = c.rateLimited === true && rateLimitedSoFar < policy.maxRateLimitedRetries;
  const counted = attempt - Math.min(rateLimitedSoFar, policy.maxRateLimitedRetries);
  if (!isExtraThrottle && counted >= policy.maxAttempts) return giveUp(c.kind === 'ambiguous' ? 'unknown' : 'failed');
  if (c.retryAfterMs !== undefined) {
    if (c.retryAfterMs > policy.maxRetryAfterMs) return giveUp('failed');
    // Honour the provider's wait, plus a little jitter so workers do not all return at once.
    return { action: 'retry', delayMs: c.retryAfterMs + Math.floor(policy.random() * policy.baseDelayMs), classification: c };
  }
  return { action: 'retry', delayMs: backoffDelay(c.rateLimited ? Math.min(rateLimitedSoFar + 1, 6) : counted, policy), classification: c };
}

/** The JSON `error` object of a failed recipient. */
export function toResultError(err: unknown): ResultError {
  if (err instanceof ProviderError) {
    const out: ResultError = { code: err.code, message: err.message };
    if (err.providerCode !== undefined) out.providerCode = err.providerCode;
    if (err.httpStatus !== undefined) out.httpStatus = err.httpStatus;
    if (err.moreInfo !== undefined) out.moreInfo = err.moreInfo;
    return out;
  }
  if (err instanceof CliError) return { code: err.code, message: err.message };
  return { code: ErrorCode.INTERNAL, message: err instanceof Error ? err.message : String(err) };
}

/** The JSON `error` object of a recipient whose message may or may not have been created. */
export function toUnknownOutcomeError(err: unknown, retryAmbiguous = false): ResultError {
  const base = toResultError(err);
  const out: ResultError = {
    ...base,
    code: ErrorCode.OUTCOME_UNKNOWN,
    message:
      `${base.message} (${base.code}) after the request may have reached the provider: the message may or may not have been created` +
      (retryAmbiguous ? '' : ', so it was not resent') +
      ". Check the provider's message log before sending to this recipient again (--retry-ambiguous resends).",
  };
  return out;
}
