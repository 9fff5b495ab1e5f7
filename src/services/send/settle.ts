// Step 7, settle unknowns: outcomes left unknown by a lost answer (a reset or timeout after the
// request was written, a gateway's 502/504 page) are looked up in the provider's message log,
// never resent blindly. Found → accepted. Not found → once the provider's log delay has passed
// since the answer was lost (./provider-log.ts), "not found" proves the message was never
// created, and only then is it sent again, in a second pass through the journal. Otherwise (Ctrl+C,
// a run that stopped early, no log answer) it stays unknown and is reported so. Then a run that
// stopped early (rejected credentials, a journal failure) is reported, or thrown when nobody got
// the message.
import { CliError } from '../../errors/errors.js';
import type { DispatchOutcome, DispatchSummary } from '../../core/send-runner.js';
import type { RecipientResult } from '../../core/types.js';
import type { Dispatched, HeldUnknown } from './dispatch.js';
import type { SendJournal } from './ports.js';
import { findInProviderLog, logDelayMs, settledAtMs, type LoggedMessage } from './provider-log.js';
import type { SendRun } from './types.js';

/** How far before the run's start the log search for lost answers begins. */
const SETTLE_MARGIN_MS = 5_000;
/** Up to this many settled answers get a line each; more get one summary line. */
const SETTLE_LINES = 5;
/** Resend passes at most (a resent request can lose its answer again). */
const MAX_RESENDS = 3;

type Counted = Exclude<keyof DispatchSummary, 'total' | 'durationMs'>;

/** Tallies what settling did, for the lines it prints. */
interface Tally {
  lost: number;
  found: number;
  resent: number;
  /** Still unknown at the end (not found in time, or the log could not be asked). */
  left: number;
}

/**
 * Settles each held-back unknown from the provider's log (see the module comment), updating the
 * outcome, its summary and the journal, then reports each result once.
 */
export async function settleUnknowns(dispatched: Dispatched, run: SendRun, journal: SendJournal | undefined): Promise<void> {
  const { outcome } = dispatched;
  const tally: Tally = { lost: dispatched.unknowns.length, found: 0, resent: 0, left: 0 };
  const verbose = dispatched.unknowns.length <= SETTLE_LINES;
  let held = dispatched.unknowns;
  let current = dispatched;
  for (let round = 0; held.length > 0; round++) {
    const notFound = await lookUp(held, run, outcome, journal, tally, verbose);
    // An earlier run's doubt was settled by reconcileJournal as far as the log allows: never resent here.
    for (const h of notFound.filter((x) => x.fromJournal)) run.events.onResult?.(h.result);
    tally.left += notFound.filter((x) => x.fromJournal).length;
    const missing = notFound.filter((x) => !x.fromJournal);
    const canResend = round < MAX_RESENDS && missing.length > 0 && !run.ports.signal.aborted && outcome.stopError === undefined && !outcome.interrupted;
    if (!canResend || !(await waitForLog(missing, run))) {
      for (const h of missing) run.events.onResult?.(h.result);
      tally.left += missing.length;
      break;
    }
    // The log had time to show them: ask once more; what it still lacks was never created.
    const absent = await lookUp(missing, run, outcome, journal, tally, verbose);
    if (absent.length === 0) break;
    for (const h of absent) {
      journal?.reconciled(h.result.to, undefined);
      if (verbose)
        run.events.note?.(
          `${h.result.to}: the answer was lost and the provider's log still has no such message ${seconds(logDelayMs(run))} later: sent again.`,
        );
    }
    tally.resent += absent.length;
    current = await current.resend(absent.map((h) => h.recipient));
    held = merge(current, absent, outcome.summary);
  }
  if (!verbose) summaryNote(run, tally);
}

/** Asks the log about each of `held`: found → accepted (result, summary, journal); returns the ones not found. */
async function lookUp(held: HeldUnknown[], run: SendRun, outcome: DispatchOutcome, journal: SendJournal | undefined, tally: Tally, verbose: boolean) {
  const missing: HeldUnknown[] = [];
  for (const h of held) {
    const r = h.result;
    let found: LoggedMessage | undefined;
    try {
      found = await findInProviderLog(run, h.recipient, run.ports.time.wallNow() - outcome.summary.durationMs - SETTLE_MARGIN_MS);
    } catch {
      // Stays unknown: the summary says so and nothing is resent.
      tally.left++;
      run.events.onResult?.(r);
      continue;
    }
    if (!found) {
      missing.push(h);
      continue;
    }
    // The result objects are shared with outcome.results: updating them updates both.
    r.status = 'accepted';
    r.id = found.id;
    r.providerStatus = found.providerStatus;
    delete r.error;
    outcome.summary.unknown--;
    outcome.summary.accepted++;
    journal?.reconciled(r.to, found);
    tally.found++;
    if (verbose) run.events.note?.(`${r.to}: the answer was lost, but the provider's log shows the message (${found.id}): counted as accepted.`);
    run.events.onResult?.(r);
  }
  return missing;
}

/** Waits until "not found" is proof for every one of `missing`; false when interrupted (Ctrl+C). */
async function waitForLog(missing: HeldUnknown[], run: SendRun): Promise<boolean> {
  const until = Math.max(...missing.map((h) => settledAtMs(run, h.atMs, false)));
  const ms = until - run.ports.time.wallNow();
  if (ms <= 0) return true;
  run.events.note?.(
    `${missing.length} lost answer${missing.length === 1 ? ' is' : 's are'} not in ${run.adapter.displayName}'s message log yet: ` +
      `checking again in ${seconds(ms)} (its log can lag that much) before sending any again.`,
  );
  try {
    await run.ports.time.sleep(ms, run.ports.signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Folds a resend pass into the run's outcome: each original result (shared with outcome.results)
 * takes its new result, the summary moves it out of "unknown"; returns the pass's unknowns, held
 * as the original objects.
 */
function merge(pass: Dispatched, resent: HeldUnknown[], summary: DispatchSummary): HeldUnknown[] {
  const originals = new Map(resent.map((h) => [h.result.to, h.result]));
  for (const r of pass.outcome.results) {
    const original = originals.get(r.to);
    if (!original || r.status === 'unknown') continue;
    replaceResult(original, r);
    summary.unknown--;
    summary[countedAs(r)]++;
  }
  return pass.unknowns.map((h) => {
    const original = originals.get(h.result.to);
    if (original) replaceResult(original, h.result);
    return { result: original ?? h.result, recipient: h.recipient, atMs: h.atMs };
  });
}

function countedAs(r: RecipientResult): Counted {
  if (r.status === 'skipped') return r.id ? 'skipped' : 'notAttempted';
  return r.status;
}

function replaceResult(target: RecipientResult, from: RecipientResult): void {
  for (const k of Object.keys(target) as Array<keyof RecipientResult>) delete target[k];
  Object.assign(target, from);
}

function seconds(ms: number): string {
  return `${Math.ceil(ms / 1000)} s`;
}

function summaryNote(run: SendRun, tally: Tally): void {
  const resent = tally.resent > 0 ? `, ${tally.resent} were still missing after its log delay and were sent again` : '';
  const rest = tally.left > 0 ? `, the other ${tally.left} stay unknown and were not resent` : '';
  run.events.note?.(`${tally.lost} answers were lost; the provider's log shows ${tally.found} of those messages (counted as accepted)${resent}${rest}.`);
}

/** A run stopped early (rejected credentials, a journal failure): fatal when nobody got the message. */
export function checkStopped(outcome: DispatchOutcome, run: SendRun): void {
  const stopError = outcome.stopError;
  if (stopError && outcome.summary.accepted === 0) throw stopError;
  if (stopError instanceof CliError) run.events.note?.(`Stopped early: ${stopError.message}`);
}
