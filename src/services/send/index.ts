// `mms send` as a flow of named steps, one module each, with their I/O behind ./ports.ts:
//   read inputs (inputs.ts) → plan (plan.ts, pure; problems.ts) → check media (check-media.ts)
//   → reconcile the journal (reconcile.ts) → host or upload media (host-media.ts)
//   → dispatch (dispatch.ts) → settle unknowns (settle.ts, asking provider-log.ts)
//   → keep serving media (media-fetches.ts) → wait for delivery (wait.ts) → outcome (outcome.ts).
// This file only puts them in order. Nothing here prints, prompts or exits: progress goes to
// `events`, results are returned, failures are thrown as CliErrors.
import { ErrorCode, UsageError } from '../../errors/errors.js';
import { resolveMedia } from '../../media/resolve.js';
import { checkMediaUrls } from './check-media.js';
import { dispatch } from './dispatch.js';
import { hostMedia, openReach } from './host-media.js';
import { checkStdinUse, readInputs, recipientArgs } from './inputs.js';
import { keepServingMedia, MediaFetchWatch } from './media-fetches.js';
import { planSend } from './plan.js';
import type { SendPorts } from './ports.js';
import { problemsError } from './problems.js';
import { openJournal, reconcileJournal } from './reconcile.js';
import { checkStopped, settleUnknowns } from './settle.js';
import type { SendEvents, SendOutcome, SendPlan, SendRequest, SendRun } from './types.js';
import { openReceiptRoute } from './wait.js';

export { createSendPorts, type SendPorts, type SendPortsBase, type SendClock, type SendJournal } from './ports.js';
export { sendExitCode, summarise } from './outcome.js';
export type { DeliveryInfo, Problem, SendEvents, SendOutcome, SendPlan, SendRequest } from './types.js';

/** Validates everything, then (unless a dry run) sends; returns data and reports through `events`. */
export async function sendMessages(request: SendRequest, ports: SendPorts, events: SendEvents = {}): Promise<SendOutcome> {
  checkStdinUse(request);
  const rawTo = await recipientArgs(request, ports);
  const loaded = await ports.loadAccount();
  const { adapter, account } = loaded;
  const inputs = await readInputs(request, rawTo, ports);
  const media = await resolveMedia(request.media, adapter.capabilities, adapter.displayName);
  const { plan, problems } = planSend(request, inputs, media, {
    adapter,
    profile: account.profile.name,
    ...(account.from ? { from: account.from.value } : {}),
  });
  if (request.checkMedia) problems.push(...(await checkMediaUrls(plan.media, adapter, ports)));
  if (problems.length > 0) throw problemsError(problems);
  if (request.dryRun) return { plan, dryRun: true, results: [], summary: undefined, interrupted: false, waited: false };

  const from = requireSender(plan);
  const run: SendRun = { request, plan, adapter, call: loaded.callContext(), from, ports, events };
  const cleanups: Array<() => unknown> = [];
  try {
    // Journal first: a second run on the same journal must stop before anything is served or sent.
    const journal = request.journal === undefined ? undefined : await openJournal(request.journal, ports, events);
    if (journal)
      cleanups.push(() => {
        journal.close();
      });
    if (journal) await reconcileJournal(journal, run);
    const fetches = new MediaFetchWatch();
    const endpoint = await openReach(run, account.baseUrl.value, fetches.onMediaFetched);
    if (endpoint) cleanups.push(() => endpoint.close());
    const hosted = await hostMedia(run, endpoint);
    const receipts = request.waitSeconds !== undefined && endpoint ? openReceiptRoute(endpoint, adapter, run.call.credentials, events) : undefined;

    const dispatched = await dispatch(run, hosted, receipts?.statusUrl ?? request.statusCallback, journal);
    await settleUnknowns(dispatched, run, journal);
    const { outcome } = dispatched;
    checkStopped(outcome, run);

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
    };
  } finally {
    for (const c of cleanups.reverse())
      await Promise.resolve()
        .then(c)
        .catch(() => undefined);
  }
}

function requireSender(plan: SendPlan): string {
  if (plan.from !== undefined) return plan.from;
  throw new UsageError('--from is required: no default sender in the profile', {
    code: ErrorCode.SENDER_MISSING,
    suggestion: 'Pass --from +15551234567, or store one: mms config set from +15551234567',
  });
}
