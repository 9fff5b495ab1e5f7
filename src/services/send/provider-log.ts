// The provider's message log, asked whether a message to one recipient exists: used to settle
// outcomes a killed run or a lost answer left unknown, instead of resending. The one place that
// decides how the log is searched (the window, the sender to match, how long the log may lag).
import type { SendRun } from './types.js';

/** A message the log has. */
export interface LoggedMessage {
  id: string;
  providerStatus: string;
}

/** True when the provider has a log to ask. */
export function hasProviderLog(run: Pick<SendRun, 'adapter'>): boolean {
  return run.adapter.findSent !== undefined;
}

/** Looks for a message from this run's sender to `to` created at or after `since`. */
export async function findInProviderLog(run: Pick<SendRun, 'adapter' | 'call' | 'from'>, to: string, since: Date): Promise<LoggedMessage | undefined> {
  return run.adapter.findSent?.({ to, from: run.from, since }, run.call);
}

/** True when a request made at `atMs` (epoch ms) may not be in the log yet, so "not found" proves nothing. */
export function isTooRecentForLog(run: Pick<SendRun, 'adapter' | 'ports'>, atMs: number): boolean {
  return run.ports.time.wallNow() - atMs < (run.adapter.messageLogDelayMs ?? 0);
}
