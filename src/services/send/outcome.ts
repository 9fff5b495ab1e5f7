// Step 9, outcome: the exit code a run's results and receipts add up to.
import type { DispatchSummary } from '../../core/send-runner.js';
import type { RecipientResult } from '../../core/types.js';
import { ErrorCode, exitCodeForErrorCode } from '../../errors/errors.js';
import { ExitCode } from '../../errors/exit-codes.js';
import type { SendOutcome } from './types.js';

/** Summary counts for a finished run's results. */
export function summarise(results: RecipientResult[]): { total: number; accepted: number; failed: number; unknown: number; skipped: number } {
  const s = { total: results.length, accepted: 0, failed: 0, unknown: 0, skipped: 0 };
  for (const r of results) s[r.status]++;
  return s;
}

/**
 * The exit code of a run: 0 when every recipient was accepted (or already was, per the journal),
 * 3 when some were and some were not, the failures' own code when none was; 130 when interrupted;
 * with --wait, 8 when a delivery status is still pending, 3/6 when a delivery failed; 9 when the journal could
 * not be written (even if some recipients were accepted).
 */
export function sendExitCode(
  outcome: Pick<SendOutcome, 'dryRun' | 'interrupted' | 'results' | 'delivery' | 'stopped' | 'failureExitCodes'> & { summary?: DispatchSummary | undefined },
): number {
  if (outcome.dryRun) return ExitCode.OK;
  if (outcome.interrupted) return ExitCode.INTERRUPTED;
  // The journal stopped the run: whatever was accepted, a script must know its record is incomplete.
  if (outcome.stopped?.code === ErrorCode.JOURNAL_WRITE_FAILED) return ExitCode.JOURNAL_FAILED;
  const s = outcome.summary ?? { ...summarise(outcome.results), notAttempted: 0, durationMs: 0 };
  let deliveryFailed = 0;
  let pending = 0;
  for (const d of outcome.delivery?.values() ?? []) {
    if (d.status === 'delivered' || d.status === 'received') continue;
    if (d.status === 'undelivered' || d.status === 'failed' || d.status === 'canceled') deliveryFailed++;
    else pending++;
  }
  const bad = s.failed + s.unknown + s.notAttempted + deliveryFailed;
  if (bad === 0) return pending > 0 ? ExitCode.PENDING : ExitCode.OK;
  if (s.accepted + s.skipped - deliveryFailed > 0) return ExitCode.PARTIAL;
  // Nobody got the message: the most common failure decides (a failed delivery counts as a rejection).
  const counts = new Map<number, number>();
  if (deliveryFailed > 0) counts.set(ExitCode.PROVIDER_REJECTED, deliveryFailed);
  if (outcome.failureExitCodes) {
    // Counted as results were reported (the flow keeps no list of them unless --json asks for one).
    for (const [c, k] of outcome.failureExitCodes) counts.set(c, (counts.get(c) ?? 0) + k);
  } else {
    for (const r of outcome.results) {
      if (!r.error || r.status === 'accepted' || r.status === 'skipped') continue;
      const c = exitCodeForErrorCode(r.error.code);
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
  }
  let best: number = ExitCode.PROVIDER_REJECTED;
  let n = -1;
  for (const [c, k] of counts) if (k > n) [best, n] = [c, k];
  return best;
}
