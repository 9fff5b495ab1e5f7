// Step 7, settle unknowns: outcomes left unknown by a lost answer are looked up in the provider's
// message log, never resent. Then a run that stopped early (rejected credentials, a journal
// failure) is reported, or thrown when nobody got the message.
import { CliError } from '../../errors/errors.js';
import type { DispatchOutcome } from '../../core/send-runner.js';
import type { Dispatched } from './dispatch.js';
import type { SendJournal } from './ports.js';
import { findInProviderLog } from './provider-log.js';
import type { SendRun } from './types.js';

/** How far before the run's start the log search for lost answers begins. */
const SETTLE_MARGIN_MS = 5_000;
/** Up to this many settled answers get a line each; more get one summary line. */
const SETTLE_LINES = 5;

/**
 * Looks up each held-back unknown in the provider's log: found → accepted (in the outcome, its
 * summary and the journal); otherwise it stays unknown. Each is then reported.
 */
export async function settleUnknowns({ outcome, unknowns }: Dispatched, run: SendRun, journal: SendJournal | undefined): Promise<void> {
  const { events } = run;
  let settled = 0;
  for (const r of unknowns) {
    try {
      const since = new Date(run.ports.time.wallNow() - outcome.summary.durationMs - SETTLE_MARGIN_MS);
      const found = await findInProviderLog(run, r.to, since);
      if (found) {
        // The result objects are shared with outcome.results: updating them updates both.
        r.status = 'accepted';
        r.id = found.id;
        r.providerStatus = found.providerStatus;
        delete r.error;
        outcome.summary.unknown--;
        outcome.summary.accepted++;
        journal?.reconciled(r.to, found);
        settled++;
        if (unknowns.length <= SETTLE_LINES)
          events.note?.(`${r.to}: the answer was lost, but the provider's log shows the message (${found.id}): counted as accepted.`);
      }
    } catch {
      // Stays unknown: the summary says so and nothing is resent.
    }
    events.onResult?.(r);
  }
  if (unknowns.length > SETTLE_LINES) {
    const rest = settled < unknowns.length ? `, the other ${unknowns.length - settled} stay unknown and were not resent` : '';
    events.note?.(`${unknowns.length} answers were lost; the provider's log shows ${settled} of those messages (counted as accepted)${rest}.`);
  }
}

/** A run stopped early (rejected credentials, a journal failure): fatal when nobody got the message. */
export function checkStopped(outcome: DispatchOutcome, run: SendRun): void {
  const stopError = outcome.stopError;
  if (stopError && outcome.summary.accepted === 0) throw stopError;
  if (stopError instanceof CliError) run.events.note?.(`Stopped early: ${stopError.message}`);
}
