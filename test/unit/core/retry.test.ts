import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  classifySendError,
  createRetryPolicy,
  decideRetry,
  isFatalError,
  toResultError,
  toUnknownOutcomeError,
  type AttemptClass,
} from '../../../src/core/retry.js';
import { AuthError, CliError, ErrorCode, MediaError, ProviderError, type ErrorCodeValue } from '../../../src/errors/errors.js';
import { ExitCode } from '../../../src/errors/exit-codes.js';

function perr(code: ErrorCodeValue, opts: { httpStatus?: number; retryAfterMs?: number; requestSent?: 'no' | 'maybe'; providerCode?: number } = {}) {
  return new ProviderError(code, ExitCode.UNAVAILABLE, `${code} happened`, {
    provider: 'twilio',
    ...(opts.httpStatus !== undefined ? { httpStatus: opts.httpStatus } : {}),
    ...(opts.retryAfterMs !== undefined ? { retryAfterMs: opts.retryAfterMs } : {}),
    ...(opts.providerCode !== undefined ? { providerCode: opts.providerCode } : {}),
    ...(opts.requestSent !== undefined ? { details: { requestSent: opts.requestSent } } : {}),
  });
}

const policy = (o: Parameters<typeof createRetryPolicy>[0] = {}) => createRetryPolicy({ random: () => 0.5, ...o });

describe('classifySendError', () => {
  const table: Array<[string, unknown, AttemptClass]> = [
    ['429 response', perr(ErrorCode.RATE_LIMITED, { httpStatus: 429 }), 'retry'],
    ['429 with an unusual code', perr(ErrorCode.PROVIDER_REJECTED, { httpStatus: 429 }), 'retry'],
    ['Twilio 21611 queue full (400, RATE_LIMITED)', perr(ErrorCode.RATE_LIMITED, { httpStatus: 400, providerCode: 21611 }), 'fail'],
    ["500 with the provider's own error body", perr(ErrorCode.PROVIDER_UNAVAILABLE, { httpStatus: 500, providerCode: 20500 }), 'retry'],
    ["503 with the provider's own error body", perr(ErrorCode.PROVIDER_UNAVAILABLE, { httpStatus: 503, providerCode: 20503 }), 'retry'],
    // A gateway's page (HTML, no provider code): the provider behind it may have recorded the message.
    ['502 from a gateway', perr(ErrorCode.PROVIDER_UNAVAILABLE, { httpStatus: 502 }), 'ambiguous'],
    ['503 from a gateway', perr(ErrorCode.PROVIDER_UNAVAILABLE, { httpStatus: 503 }), 'ambiguous'],
    ['504 from a gateway', perr(ErrorCode.PROVIDER_UNAVAILABLE, { httpStatus: 504 }), 'ambiguous'],
    [
      'a proxy refusing CONNECT (not sent)',
      new ProviderError(ErrorCode.NETWORK_ERROR, ExitCode.UNAVAILABLE, 'proxy', { provider: 'twilio', details: { requestSent: 'no', proxyStatus: 403 } }),
      'fail',
    ],
    ['201 without a message id', perr(ErrorCode.PROVIDER_UNAVAILABLE, { httpStatus: 201 }), 'ambiguous'],
    ['connection refused (not sent)', perr(ErrorCode.NETWORK_ERROR, { requestSent: 'no' }), 'retry'],
    ['DNS failure (not sent)', perr(ErrorCode.NETWORK_ERROR, { requestSent: 'no' }), 'retry'],
    ['connect timeout (not sent)', perr(ErrorCode.TIMEOUT, { requestSent: 'no' }), 'retry'],
    ['reset after writing', perr(ErrorCode.NETWORK_ERROR, { requestSent: 'maybe' }), 'ambiguous'],
    ['network error, requestSent unknown', perr(ErrorCode.NETWORK_ERROR), 'ambiguous'],
    ['timeout after writing', perr(ErrorCode.TIMEOUT, { requestSent: 'maybe' }), 'ambiguous'],
    ['timeout, requestSent unknown', perr(ErrorCode.TIMEOUT), 'ambiguous'],
    ['unavailable without a status, maybe sent', perr(ErrorCode.PROVIDER_UNAVAILABLE, { requestSent: 'maybe' }), 'ambiguous'],
    ['cancelled in flight', perr(ErrorCode.CANCELLED, { requestSent: 'maybe' }), 'ambiguous'],
    ['cancelled before sending', perr(ErrorCode.CANCELLED, { requestSent: 'no' }), 'fail'],
    ['400 rejected', perr(ErrorCode.PROVIDER_REJECTED, { httpStatus: 400 }), 'fail'],
    ['invalid recipient', perr(ErrorCode.RECIPIENT_INVALID, { httpStatus: 400, providerCode: 21211 }), 'fail'],
    ['401', perr(ErrorCode.AUTH_REJECTED, { httpStatus: 401 }), 'fail'],
    ['AuthError', new AuthError(ErrorCode.AUTH_MISSING, 'no creds'), 'fail'],
    ['MediaError', new MediaError(ErrorCode.MEDIA_TOO_LARGE, 'big'), 'fail'],
    ['TypeError (a bug: may have sent)', new TypeError('x is undefined'), 'ambiguous'],
    ['a thrown string', 'boom', 'ambiguous'],
  ];
  it.each(table)('%s → %s', (_name, err, kind) => {
    expect(classifySendError(err).kind).toBe(kind);
  });

  it('carries Retry-After', () => {
    expect(classifySendError(perr(ErrorCode.RATE_LIMITED, { httpStatus: 429, retryAfterMs: 3000 }))).toEqual({
      kind: 'retry',
      reason: 'rate limited',
      retryAfterMs: 3000,
      rateLimited: true,
    });
  });

  it('gives 429s their own budget: they do not use up the ordinary attempts', () => {
    const policy = createRetryPolicy({ random: () => 0, maxAttempts: 2, maxRateLimitedRetries: 3 });
    const throttled = perr(ErrorCode.RATE_LIMITED, { httpStatus: 429 });
    const down = perr(ErrorCode.PROVIDER_UNAVAILABLE, { httpStatus: 503, providerCode: 20503 });
    // Three 429s in a row (attempts 1–3) are all retried although maxAttempts is 2…
    expect(decideRetry(throttled, 1, policy, false, 0).action).toBe('retry');
    expect(decideRetry(throttled, 2, policy, false, 1).action).toBe('retry');
    expect(decideRetry(throttled, 3, policy, false, 2).action).toBe('retry');
    // …the fourth exceeds the 429 budget and counts as an ordinary attempt: 4 − 3 = 1 < 2, retried once more.
    expect(decideRetry(throttled, 4, policy, false, 3).action).toBe('retry');
    expect(decideRetry(throttled, 5, policy, false, 3)).toMatchObject({ action: 'give-up', outcome: 'failed' });
    // A 503 after three 429s is the first ordinary failure: retried (1 < 2), then the next one gives up.
    expect(decideRetry(down, 4, policy, false, 3).action).toBe('retry');
    expect(decideRetry(down, 5, policy, false, 3).action).toBe('give-up');
  });
});

describe('isFatalError', () => {
  it('is true only for credential problems', () => {
    expect(isFatalError(perr(ErrorCode.AUTH_REJECTED, { httpStatus: 401 }))).toBe(true);
    expect(isFatalError(perr(ErrorCode.AUTH_FORBIDDEN, { httpStatus: 403 }))).toBe(true);
    expect(isFatalError(perr(ErrorCode.RECIPIENT_INVALID, { httpStatus: 400 }))).toBe(false);
    expect(isFatalError(new Error('x'))).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('is full jitter: random × min(max, base × 2^(n−1))', () => {
    const p = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, p))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, { ...p, random: () => 0 })).toBe(0);
  });
});

describe('decideRetry', () => {
  it('retries a 5xx with jittered backoff until attempts run out, then fails', () => {
    const p = policy({ maxAttempts: 3, baseDelayMs: 100 });
    const e = perr(ErrorCode.PROVIDER_UNAVAILABLE, { httpStatus: 503, providerCode: 20503 });
    expect(decideRetry(e, 1, p)).toMatchObject({ action: 'retry', delayMs: 50 });
    expect(decideRetry(e, 2, p)).toMatchObject({ action: 'retry', delayMs: 100 });
    expect(decideRetry(e, 3, p)).toMatchObject({ action: 'give-up', outcome: 'failed' });
  });

  it('honours Retry-After (plus a little jitter) for 429s', () => {
    const d = decideRetry(perr(ErrorCode.RATE_LIMITED, { httpStatus: 429, retryAfterMs: 2000 }), 1, policy({ baseDelayMs: 100 }));
    expect(d).toMatchObject({ action: 'retry', delayMs: 2050 });
  });

  it('gives up on a Retry-After longer than maxRetryAfterMs', () => {
    const d = decideRetry(perr(ErrorCode.RATE_LIMITED, { httpStatus: 429, retryAfterMs: 3_600_000 }), 1, policy());
    expect(d).toMatchObject({ action: 'give-up', outcome: 'failed' });
  });

  it('never resends an ambiguous outcome by default', () => {
    const d = decideRetry(perr(ErrorCode.TIMEOUT, { requestSent: 'maybe' }), 1, policy());
    expect(d).toMatchObject({ action: 'give-up', outcome: 'unknown' });
  });

  it('resends an ambiguous outcome with retryAmbiguous, and stays unknown when attempts run out', () => {
    const p = policy({ retryAmbiguous: true, maxAttempts: 2 });
    const e = perr(ErrorCode.NETWORK_ERROR, { requestSent: 'maybe' });
    expect(decideRetry(e, 1, p)).toMatchObject({ action: 'retry' });
    expect(decideRetry(e, 2, p)).toMatchObject({ action: 'give-up', outcome: 'unknown' });
  });

  it('does not resend a request the user cancelled in flight, even with retryAmbiguous', () => {
    const d = decideRetry(perr(ErrorCode.CANCELLED, { requestSent: 'maybe' }), 1, policy({ retryAmbiguous: true }));
    expect(d).toMatchObject({ action: 'give-up', outcome: 'unknown' });
  });

  it('reports unknown, not failed, when an earlier attempt was ambiguous', () => {
    const d = decideRetry(perr(ErrorCode.PROVIDER_REJECTED, { httpStatus: 400 }), 2, policy(), true);
    expect(d).toMatchObject({ action: 'give-up', outcome: 'unknown' });
  });

  it('fails definite rejections at once', () => {
    expect(decideRetry(perr(ErrorCode.RECIPIENT_INVALID, { httpStatus: 400 }), 1, policy())).toMatchObject({ action: 'give-up', outcome: 'failed' });
  });

  it('validates maxAttempts', () => {
    expect(() => createRetryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => createRetryPolicy({ maxAttempts: 1.5 })).toThrow(RangeError);
  });
});

describe('result errors', () => {
  it('keeps provider details', () => {
    expect(toResultError(perr(ErrorCode.RECIPIENT_INVALID, { httpStatus: 400, providerCode: 21211 }))).toEqual({
      code: 'RECIPIENT_INVALID',
      message: 'RECIPIENT_INVALID happened',
      httpStatus: 400,
      providerCode: 21211,
    });
    expect(toResultError(new CliError(ErrorCode.MEDIA_EMPTY, ExitCode.INVALID_INPUT, 'empty'))).toEqual({ code: 'MEDIA_EMPTY', message: 'empty' });
    expect(toResultError(new TypeError('oops'))).toEqual({ code: 'INTERNAL', message: 'oops' });
  });

  it('explains an unknown outcome and names the original code', () => {
    const e = toUnknownOutcomeError(perr(ErrorCode.TIMEOUT, { requestSent: 'maybe' }));
    expect(e.code).toBe('OUTCOME_UNKNOWN');
    expect(e.message).toMatch(/TIMEOUT happened \(TIMEOUT\).*not resent.*--retry-ambiguous/);
  });
});
