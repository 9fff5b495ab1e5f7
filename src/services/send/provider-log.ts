// The provider's message log, asked whether a message to one recipient exists: used to settle
// outcomes a killed run or a lost answer left unknown, instead of resending. The one place that
// decides how the log is searched:
// - the window: times are ours, the log's are the provider's, so the search allows for the clock
//   skew the HTTP client read from the provider's `Date` header (its provider clock 5 s behind ours
//   once made every in-flight message look absent);
// - the match: the recipient and this run's sender; for a Messaging Service (Twilio `MG…`) the
//   adapter matches the service and the body, since its records carry the pool number;
// - the lag: a "not found" proves nothing until the provider's log delay (its descriptor's
//   `messageLogDelayMs`, shown by `mms providers --json`) has passed since the request could last
//   have reached the provider. For a request a killed run left "started", that is its deadline.
import { listPlaceholders, renderTemplate, type Recipient } from '../../recipients/parse.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../providers/http-client.js';
import type { SendRun } from './types.js';

/** A message the log has. */
export interface LoggedMessage {
  id: string;
  providerStatus: string;
}

/** Slack for the skew estimate (the Date header has 1 s resolution) and for the request's transit. */
const SKEW_ALLOWANCE_MS = 2_000;

/** True when the provider has a log to ask. */
export function hasProviderLog(run: Pick<SendRun, 'adapter'>): boolean {
  return run.adapter.findSent !== undefined;
}

/** The provider's clock minus ours, as last read from a `Date` header (undefined before any answer). */
function skewOf(run: Pick<SendRun, 'call'>): number | undefined {
  return run.call.http.clockSkewMs?.();
}

/** The text this run sends to `recipient` (templates rendered from its fields), for matching a Messaging Service's records. */
export function bodyFor(run: Pick<SendRun, 'plan'>, recipient: Pick<Recipient, 'fields'>): string | undefined {
  const { plan } = run;
  if (plan.body === undefined || plan.body === '') return undefined;
  if (listPlaceholders(plan.body).length === 0) return plan.body;
  return renderTemplate(plan.body, recipient.fields);
}

/**
 * Looks for a message from this run's sender to `recipient` created at or after `sinceMs` (epoch ms, our
 * clock; the window is moved by the provider's skew). When the skew was unknown before the first
 * search, a miss is asked again with the skew that search's answer revealed.
 */
export async function findInProviderLog(
  run: Pick<SendRun, 'adapter' | 'call' | 'from' | 'plan'>,
  recipient: Pick<Recipient, 'to' | 'fields'>,
  sinceMs: number,
): Promise<LoggedMessage | undefined> {
  const find = run.adapter.findSent;
  if (!find) return undefined;
  const { to } = recipient;
  const body = bodyFor(run, recipient);
  const ask = (skew: number | undefined): Promise<LoggedMessage | undefined> => {
    // A query object, not a literal: `body` is read by adapters that match on it (Twilio MG senders).
    const query = { to, from: run.from, since: new Date(sinceMs + Math.min(0, skew ?? 0) - SKEW_ALLOWANCE_MS), body };
    return find.call(run.adapter, query, run.call);
  };
  const before = skewOf(run);
  const found = await ask(before);
  const after = skewOf(run);
  if (found || before !== undefined || after === undefined || after >= 0) return found;
  return ask(after);
}

/** The provider's log delay (ms): how long a new message may take to appear in it. */
export function logDelayMs(run: Pick<SendRun, 'adapter'>): number {
  return run.adapter.messageLogDelayMs ?? 0;
}

/**
 * When (epoch ms, our clock) a "not found" becomes proof that a request made no message: the log
 * delay after the request could last have reached the provider. `inFlight`: the time is a
 * "started" line of a killed run, so the request may have lived until its deadline.
 */
export function settledAtMs(run: Pick<SendRun, 'adapter'>, atMs: number, inFlight: boolean): number {
  return atMs + (inFlight ? DEFAULT_REQUEST_TIMEOUT_MS : 0) + logDelayMs(run);
}

/** True when a request made or answered at `atMs` (epoch ms) may not be in the log yet, so "not found" proves nothing. */
export function isTooRecentForLog(run: Pick<SendRun, 'adapter' | 'ports'>, atMs: number, inFlight = false): boolean {
  return run.ports.time.wallNow() < settledAtMs(run, atMs, inFlight);
}
