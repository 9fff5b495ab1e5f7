// Step 4, reconcile the journal: a recipient an earlier run left "started" (killed mid-request) or
// "unknown" (the answer was lost) is looked up in the provider's message log instead of guessed:
// found → not sent again; not found → sent now; too recent for the log to be sure → stays unknown
// (./provider-log.ts decides the window, the match and the lag).
import type { JournalRecord } from '../../core/journal.js';
import { sanitizeForTerminal } from '../../output/sanitize.js';
import type { Recipient } from '../../recipients/parse.js';
import type { SendJournal, SendPorts } from './ports.js';
import { findInProviderLog, hasProviderLog, isTooRecentForLog } from './provider-log.js';
import type { SendEvents, SendRun } from './types.js';

/** How far before a record's time the log search starts: a "started" line is written just before its request. */
const SEARCH_BEFORE_STARTED_MS = 2_000;
const SEARCH_BEFORE_UNKNOWN_MS = 120_000;
const NOT_IN_LOG = 'has no such message, so it is sent now';

function hasUnsettled(journal: SendJournal): boolean {
  // The Journal class counts them as it loads; a journal without priorStatus (a test's fake) is asked record by record.
  if (journal.priorStatus) return (journal.loaded.inDoubt ?? 0) > 0;
  for (const r of journal.loaded.records.values()) if (r.status === 'started' || r.status === 'unknown') return true;
  return false;
}

/** Opens (locks) the journal and says when an earlier run was killed mid-line. */
export async function openJournal(path: string, ports: Pick<SendPorts, 'openJournal'>, events: SendEvents): Promise<SendJournal> {
  const journal = await ports.openJournal(path);
  if (journal.loaded.truncatedTail) events.note?.(`Journal ${sanitizeForTerminal(path)}: its last line was cut short (an earlier run was killed).`);
  return journal;
}

/** Settles this run's recipients that an earlier run left in doubt, from the provider's log. */
export async function reconcileJournal(journal: SendJournal, run: SendRun): Promise<void> {
  const { adapter, events } = run;
  if (!hasProviderLog(run) || run.request.retryAmbiguous) return;
  if (!hasUnsettled(journal)) return;
  // In list order, one pass over the plan (read back from its spill): only the records in doubt are held.
  const unsettled: Array<{ rec: JournalRecord; recipient: Recipient }> = [];
  for await (const recipient of run.plan.recipients) {
    const status = journal.priorStatus ? journal.priorStatus(recipient.to) : journal.prior(recipient.to)?.status;
    if (status !== 'started' && status !== 'unknown') continue;
    const rec = journal.prior(recipient.to);
    if (rec) unsettled.push({ rec, recipient });
  }
  for (const { rec, recipient } of unsettled) {
    const at = Date.parse(rec.at);
    const inFlight = rec.status === 'started';
    try {
      const found = await findInProviderLog(run, recipient, at - (inFlight ? SEARCH_BEFORE_STARTED_MS : SEARCH_BEFORE_UNKNOWN_MS));
      // A killed run's request may have lived until its deadline, and the provider may have
      // finished it after the client died (a late commit): "not found" waits for both.
      if (!found && isTooRecentForLog(run, at, inFlight)) {
        events.note?.(
          `${rec.to}: an earlier run did not record the outcome, and it is too recent for ${adapter.displayName}'s message log to be sure; ` +
            'left as unknown (re-run in a minute to settle it).',
        );
        continue;
      }
      journal.reconciled(rec.to, found);
      events.note?.(
        `${rec.to}: an earlier run did not record the outcome; the provider's log ${found ? `has it (${found.id}), so it is not sent again` : NOT_IN_LOG}.`,
      );
    } catch (err) {
      events.note?.(`${rec.to}: could not check the provider's log (${(err as Error).message}); left as unknown.`);
    }
  }
}
