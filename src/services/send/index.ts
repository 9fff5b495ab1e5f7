// `mms send` as a flow of named steps, one module each, with their I/O behind ./ports.ts:
//   read inputs (inputs.ts) → plan (plan.ts, pure; problems.ts) → check media (check-media.ts)
//   → fit media (fit.ts: --fit, --strip-metadata, the GPS warning)
//   → reconcile the journal (reconcile.ts) → host or upload media (host-media.ts)
//   → dispatch (dispatch.ts) → settle unknowns (settle.ts, asking provider-log.ts)
//   → keep serving media (media-fetches.ts) → wait for delivery (wait.ts) → outcome (outcome.ts).
// This file only puts them in order. Nothing here prints, prompts or exits: progress goes to
// `events`, results are returned, failures are thrown as CliErrors.
import { existsSync } from 'node:fs';
import { requireCredentials } from '../../config/credentials.js';
import type { JournalRepairResult } from '../../core/journal.js';
import type { DispatchOutcome } from '../../core/send-runner.js';
import { CliError, ErrorCode, exitCodeForErrorCode, InputError, UsageError } from '../../errors/errors.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { resolveMedia } from '../../media/resolve.js';
import { sanitizeForTerminal } from '../../output/sanitize.js';
import { checkMediaUrls } from './check-media.js';
import { dispatch } from './dispatch.js';
import { fitPlanMedia } from './fit.js';
import { hostMedia, openReach } from './host-media.js';
import { checkStdinUse, readInputs, recipientArgs } from './inputs.js';
import { keepServingMedia, MediaFetchWatch } from './media-fetches.js';
import { planSend } from './plan.js';
import type { SendJournal, SendPorts } from './ports.js';
import { problemsError } from './problems.js';
import { openJournal, reconcileJournal } from './reconcile.js';
import { ResultFile, ResultFileError } from './result-file.js';
import { checkStopped, settleUnknowns } from './settle.js';
import type { SendEvents, SendInputPorts, SendOutcome, SendPlan, SendRequest, SendRun } from './types.js';
import { openReceiptRoute } from './wait.js';
import type { LoadedAccount } from '../account.js';

export { createSendPorts, type SendPorts, type SendPortsBase, type SendClock, type SendJournal } from './ports.js';
export { sendExitCode, summarise } from './outcome.js';
export type { StoredResults } from './result-file.js';
export type { DeliveryInfo, FitFileSummary, Problem, SendEvents, SendInputPorts, SendOutcome, SendPlan, SendRequest } from './types.js';

/**
 * Validates everything, then (unless a dry run) sends; returns data and reports through `events`. A dry run's
 * `plan.recipients` stays readable for rendering: the caller closes it (`outcome.plan.recipients.close()`).
 */
export async function sendMessages(request: SendRequest, ports: SendPorts & SendInputPorts, events: SendEvents = {}): Promise<SendOutcome> {
  checkStdinUse(request);
  const rawTo = await recipientArgs(request, ports);
  const loaded = await ports.loadAccount();
  const { adapter, account } = loaded;
  const inputs = await readInputs(request, rawTo, ports, adapter.capabilities.maxBodyChars);
  let keepList = false;
  try {
    const media = await resolveMedia(request.media, adapter.capabilities, adapter.displayName, process.cwd(), { fitting: Boolean(request.fit) });
    const { plan, problems } = planSend(request, inputs, media, {
      adapter,
      profile: account.profile.name,
      ...(account.from ? { from: account.from.value } : {}),
    });
    if (request.checkMedia) problems.push(...(await checkMediaUrls(plan.media, adapter, ports)));
    if (problems.length > 0) throw problemsError(problems);
    const outcome = await sendPlanned(request, ports, events, plan, loaded);
    keepList = outcome.dryRun;
    return outcome;
  } finally {
    if (!keepList) inputs.scanned?.list.close();
  }
}

/** After validation: fitting, then (unless a dry run) the steps of a real send. */
async function sendPlanned(
  request: SendRequest,
  ports: SendPorts & SendInputPorts,
  events: SendEvents,
  plan: SendPlan,
  loaded: LoadedAccount,
): Promise<SendOutcome> {
  const { adapter, account } = loaded;
  const cleanups: Array<() => unknown> = [];
  try {
    // A real send needs credentials, then a sender: the root cause first (#11), and both before any encoding.
    if (!request.dryRun) requireCredentials(adapter, account);
    const from = request.dryRun ? undefined : requireSender(plan);
    cleanups.push(await fitPlanMedia(request, plan, { adapter, env: ports.env ?? process.env, signal: ports.signal, events }));
    if (from === undefined) return { plan, dryRun: true, results: [], summary: undefined, interrupted: false, waited: false };
    const tally = new ResultTally(events);
    const run: SendRun = { request, plan, adapter, call: loaded.callContext(), from, ports, events: tally.events };
    return { ...(await deliver(run, account.baseUrl.value, cleanups)), failureExitCodes: tally.failureExitCodes };
  } finally {
    for (const c of cleanups.reverse())
      await Promise.resolve()
        .then(c)
        .catch(() => undefined);
  }
}

/**
 * Counts each recipient's final result as it is reported (every recipient is reported exactly once, after settling),
 * so the exit code needs no list of results: for each exit code, how many recipients failed with an error mapping to it.
 */
class ResultTally {
  readonly failureExitCodes = new Map<number, number>();
  readonly events: SendEvents;

  constructor(events: SendEvents) {
    this.events = {
      ...events,
      onResult: (r) => {
        if (r.error && r.status !== 'accepted' && r.status !== 'skipped') {
          const c = exitCodeForErrorCode(r.error.code);
          this.failureExitCodes.set(c, (this.failureExitCodes.get(c) ?? 0) + 1);
        }
        events.onResult?.(r);
      },
    };
  }
}

/** Steps 4–9 of a real send: journal, hosting, dispatch, settling, serving media, receipts. */
async function deliver(run: SendRun, providerBaseUrl: string, cleanups: Array<() => unknown>): Promise<SendOutcome> {
  const { request, plan, adapter, ports, events } = run;
  // Journal first: a second run on the same journal must stop before anything is served or sent.
  const journal = request.journal === undefined ? undefined : await openRepairedJournal(request, ports, events);
  if (journal)
    cleanups.push(() => {
      journal.close();
    });
  if (journal) await reconcileJournal(journal, run);
  const fetches = new MediaFetchWatch();
  const endpoint = await openReach(run, providerBaseUrl, fetches.onMediaFetched);
  if (endpoint) cleanups.push(() => endpoint.close());
  const hosted = await hostMedia(run, endpoint);
  const receipts = request.waitSeconds !== undefined && endpoint ? openReceiptRoute(endpoint, adapter, run.call.credentials, events) : undefined;

  // --json without --wait keeps its results in a file; --wait keeps them in memory (it asks for each accepted id).
  const stored = request.collectResults && request.waitSeconds === undefined ? openResultFile(plan, ports) : undefined;
  try {
    const dispatched = await dispatch(run, hosted, receipts?.statusUrl ?? request.statusCallback, journal, stored);
    await settleUnknowns(dispatched, run, journal);
    const outcome = dispatched.outcome;
    if (stored) finishResultFile(stored, outcome, request.journal);
    checkStopped(outcome, run);
    return { ...(await afterDispatch(run, endpoint, hosted, fetches, outcome, receipts)), ...(stored ? { stored } : {}) };
  } catch (err) {
    stored?.close();
    throw err;
  }
}

/** Steps 8–9: serve local files until fetched, wait for receipts, and the outcome. */
async function afterDispatch(
  run: SendRun,
  endpoint: Awaited<ReturnType<typeof openReach>>,
  hosted: Awaited<ReturnType<typeof hostMedia>>,
  fetches: MediaFetchWatch,
  outcome: DispatchOutcome,
  receipts: ReturnType<typeof openReceiptRoute> | undefined,
): Promise<SendOutcome> {
  const { request, plan, ports } = run;
  const stopped = outcome.stopError instanceof CliError ? { code: outcome.stopError.code, message: outcome.stopError.message } : undefined;

  // Keep serving local files until every accepted message has fetched them (or the timeout).
  if (endpoint) await keepServingMedia(run, endpoint.server, hosted.served, outcome.summary.accepted, fetches);
  const accepted = outcome.results.filter((r) => r.status === 'accepted' && r.id).map((r) => r.id!);
  const delivery = receipts ? await receipts.waitFor(accepted, request.waitSeconds!, { signal: ports.signal, sleep: ports.time.sleep }) : undefined;
  return {
    plan,
    dryRun: false,
    results: outcome.results,
    summary: outcome.summary,
    interrupted: outcome.interrupted,
    ...(delivery ? { delivery } : {}),
    waited: delivery !== undefined,
    ...(stopped ? { stopped } : {}),
  };
}

const RESULT_FILE_HINT = 'Free some space there, or point TMPDIR at a disk with room for the results (about 150 bytes per recipient)';

/** Up to this many recipients, a run keeps its results in memory (`outcome.results`, a few KB): no file for them. */
const RESULTS_IN_MEMORY = 50;

/**
 * --json's results file (./result-file.ts) for a longer list, opened before anything is sent: without room for it,
 * nothing is. Undefined for a short list (unless a port provides the file).
 */
function openResultFile(plan: SendPlan, ports: SendPorts): ResultFile | undefined {
  const n = plan.recipients.count;
  if (!ports.openResultFile && n <= RESULTS_IN_MEMORY) return undefined;
  try {
    return ports.openResultFile ? ports.openResultFile(n) : new ResultFile({ expected: n });
  } catch (err) {
    if (!(err instanceof ResultFileError)) throw err;
    throw new InputError(ErrorCode.INPUT_INVALID, `--json: ${sanitizeForTerminal(err.message)}; nothing was sent`, { suggestion: RESULT_FILE_HINT });
  }
}

/**
 * The results file could not be written during the run (a full temp disk): the run stopped starting recipients then
 * (the runner's stopError); every result is in the journal, but --json's document cannot be written: exit 9.
 */
function finishResultFile(stored: ResultFile, outcome: DispatchOutcome, journal: string | undefined): void {
  try {
    stored.flush();
  } catch {
    // Reported below, with what happened to the run.
  }
  const err = stored.error;
  if (!err) return;
  const kept = journal !== undefined ? `every result is in the journal ${sanitizeForTerminal(journal)}` : 'the results were not kept (no --journal)';
  const message = `--json: ${sanitizeForTerminal(err.message)}: the run stopped sending there (${outcome.summary.accepted} accepted); ${kept}`;
  throw new CliError(ErrorCode.JOURNAL_WRITE_FAILED, ExitCode.JOURNAL_FAILED, message, {
    cause: err,
    suggestion: `${RESULT_FILE_HINT}; then re-run with the same --journal to finish`,
  });
}

/** --journal-repair: repairs a damaged journal (keeping a backup) before it is opened and locked for this run. */
async function openRepairedJournal(request: SendRequest, ports: SendPorts, events: SendEvents): Promise<SendJournal> {
  const path = request.journal!;
  if (request.journalRepair && existsSync(path)) {
    const { repairJournal } = await import('../../core/journal.js');
    const r = repairJournal(path);
    if (r.backupPath !== undefined) events.note?.(describeRepair(path, r));
  }
  return openJournal(path, ports, events);
}

function describeRepair(path: string, r: JournalRepairResult): string {
  const lines = r.damagedLines.length === 1 ? `line ${r.damagedLines[0]}` : `lines ${r.damagedLines.join(', ')}`;
  const unknown = r.markedUnknown.length ? `; ${r.markedUnknown.length} recipient(s) it may have named are now unknown (not resent)` : '';
  const unattributed = r.unattributedLines.length
    ? `; no recipient could be read from line(s) ${r.unattributedLines.join(', ')}: check the provider's log`
    : '';
  return `Journal ${sanitizeForTerminal(path)} repaired: damaged ${lines} left out${unknown}${unattributed}; the original is kept as ${sanitizeForTerminal(r.backupPath!)}.`;
}

function requireSender(plan: SendPlan): string {
  if (plan.from !== undefined) return plan.from;
  throw new UsageError('--from is required: no default sender in the profile', {
    code: ErrorCode.SENDER_MISSING,
    suggestion: 'Pass --from +15551234567, or store one: mms config set from +15551234567',
  });
}
