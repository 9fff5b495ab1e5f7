// The one HTTP-status ladder every adapter shares: a provider's error answer → ProviderError with our
// code, the provider's own code, message and link, a suggestion and when to retry.
// 401 → AUTH_REJECTED, 403 → AUTH_FORBIDDEN, 404 → NOT_FOUND, 429 → RATE_LIMITED (with the
// retry delay), 5xx → PROVIDER_UNAVAILABLE, any other status → PROVIDER_REJECTED; each provider's
// descriptor says whether its own codes beat that ladder and which suggestions go with it.
import { ErrorCode, ProviderError, exitCodeForErrorCode } from '../errors/errors.js';
import { lookup, type ErrorRule, type ProviderDescriptor, type StatusClass } from './descriptor.js';
import type { HttpResponse } from './http-client.js';
import { parseRetryAfter } from './shared.js';

/** What a provider's response parser read from an error answer. */
export interface ErrorFacts {
  providerCode?: string | number;
  providerMessage?: string;
  moreInfo?: string;
  /**
   * A meaning found in the body beyond the code table (a blamed field, a sentence about the
   * sender); looked up in `errors.codes` by `providerCode` when absent.
   */
  rule?: ErrorRule;
  /** Appended to the message, e.g. " (+2 more)". */
  messageSuffix?: string;
}

/** The ladder's class for an HTTP status. */
export function statusClass(status: number): StatusClass {
  if (status === 401) return ErrorCode.AUTH_REJECTED;
  if (status === 403) return ErrorCode.AUTH_FORBIDDEN;
  if (status === 404) return ErrorCode.NOT_FOUND;
  if (status === 429) return ErrorCode.RATE_LIMITED;
  if (status >= 500) return ErrorCode.PROVIDER_UNAVAILABLE;
  return ErrorCode.PROVIDER_REJECTED;
}

/**
 * Milliseconds to wait before retrying: `Retry-After` when present, else (on 429) the provider's
 * reset header, read as seconds until the window resets.
 */
export function retryAfterMs(res: HttpResponse, headers: ProviderDescriptor['rateLimitHeaders'], now = Date.now()): number | undefined {
  const retryAfter = parseRetryAfter(res.headers[headers.retryAfter], now);
  if (retryAfter !== undefined || res.status !== 429 || !headers.reset) return retryAfter;
  const reset = res.headers[headers.reset]?.trim();
  if (!reset || !/^\d+(\.\d+)?$/.test(reset)) return undefined;
  const n = Number(reset);
  // Defensive: a value that looks like an epoch timestamp is treated as one rather than as a delay
  // of several decades.
  if (n > 1_000_000_000) return Math.max(0, Math.round(n * 1000 - now));
  return Math.round(n * 1000);
}

/** The rule that decides an answer: the provider's meaning or the status ladder's, per the descriptor's precedence. */
function decide(d: ProviderDescriptor, status: number, facts: ErrorFacts): ErrorRule {
  const rule = facts.rule ?? lookup(d.errors.codes, facts.providerCode === undefined ? undefined : String(facts.providerCode));
  const cls = statusClass(status);
  const ladderDecides = cls !== ErrorCode.NOT_FOUND && cls !== ErrorCode.PROVIDER_REJECTED;
  if (rule && (d.errors.precedence === 'code' || !ladderDecides || rule.beatsStatus)) return rule;
  const suggestion = d.errors.statusHints[cls];
  return suggestion !== undefined ? { code: cls, suggestion } : { code: cls };
}

/** Turns a provider's non-2xx answer into a ProviderError: "<Provider> <code or HTTP status>: <message>". */
export function providerHttpError(d: ProviderDescriptor, res: HttpResponse, facts: ErrorFacts = {}, now = Date.now()): ProviderError {
  const { code, suggestion } = decide(d, res.status, facts);
  const { providerCode, providerMessage, moreInfo } = facts;
  const what = providerMessage ?? (res.text.slice(0, 200) || 'no message');
  const message = `${d.displayName} ${providerCode ?? `HTTP ${res.status}`}: ${what}${facts.messageSuffix ?? ''}`;
  const retry = retryAfterMs(res, d.rateLimitHeaders, now);
  return new ProviderError(code, exitCodeForErrorCode(code), message, {
    provider: d.name,
    httpStatus: res.status,
    ...(providerCode !== undefined ? { providerCode } : {}),
    ...(providerMessage !== undefined ? { providerMessage } : {}),
    ...(moreInfo !== undefined ? { moreInfo } : {}),
    ...(retry !== undefined ? { retryAfterMs: retry } : {}),
    ...(suggestion !== undefined ? { suggestion } : {}),
  });
}
