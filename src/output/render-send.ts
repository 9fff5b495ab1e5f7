// What `mms send` prints: the dry-run plan, a line per recipient as results arrive, the progress
// line, and the summary; or one JSON document, or NDJSON lines. Data on stdout, people on stderr.
import type { DispatchProgress } from '../core/send-runner.js';
import type { RecipientResult } from '../core/types.js';
import { formatBytes } from '../media/size.js';
import type { DeliveryInfo, SendEvents, SendOutcome, SendPlan } from '../services/send/index.js';
import type { IO } from './io.js';
import { writeJson, writeNdjson } from './json.js';
import { sanitizeForTerminal } from './sanitize.js';
import type { Theme } from './theme.js';

/** Where and how to print (an AppContext has all of it). */
export interface SendView {
  io: IO;
  outTheme: Theme;
  errTheme: Theme;
}

/** Renders a run as it happens (`events`) and when it ends (`finish`). */
export interface SendRenderer {
  events: SendEvents;
  finish(outcome: SendOutcome): void;
}

/** 42s, 3m05s, 2h10m; "?" when unknown. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The progress line: sent / failed / remaining, rate, ETA. */
export function progressLine(p: DispatchProgress): string {
  const rate = p.elapsedMs > 0 ? (p.done / p.elapsedMs) * 1000 : 0;
  const remaining = p.total !== undefined ? p.total - p.done : undefined;
  const eta = remaining !== undefined && rate > 0 ? formatDuration((remaining / rate) * 1000) : '?';
  const counts = `sent ${p.accepted}  failed ${p.failed}${p.unknown ? `  unknown ${p.unknown}` : ''}${p.skipped ? `  skipped ${p.skipped}` : ''}`;
  return `${counts}${remaining !== undefined ? `  remaining ${remaining}` : ''}  ${rate.toFixed(1)}/s  ETA ${eta}`;
}

/** The dry-run plan: a JSON document, or aligned lines. */
export function renderPlan(view: SendView, plan: SendPlan): void {
  const { io } = view;
  const isLimited = Number.isFinite(plan.ratePerSecond);
  const n = plan.recipients.length;
  if (io.json) {
    writeJson(io, {
      summary: {
        dryRun: true,
        provider: plan.provider,
        profile: plan.profile,
        from: plan.from ?? null,
        recipients: n,
        invalid: plan.invalid.length,
        duplicates: plan.duplicates,
      },
      plan: {
        recipients: plan.recipients.map((r) => r.to),
        invalid: plan.invalid,
        body: plan.body ?? null,
        media: plan.media.map((m) => ({ input: m.input, kind: m.kind, contentType: m.contentType ?? null, size: m.size ?? null })),
        ratePerSecond: isLimited ? plan.ratePerSecond : null,
        concurrency: plan.concurrency,
        estimatedSeconds: isLimited ? Math.ceil(n / plan.ratePerSecond) : null,
      },
      results: [],
    });
    return;
  }
  const estimate = isLimited ? formatDuration((n / plan.ratePerSecond) * 1000) : 'as fast as the provider answers';
  const shown = n
    ? `: ${plan.recipients
        .slice(0, 5)
        .map((r) => r.to)
        .join(', ')}${n > 5 ? ', …' : ''}`
    : '';
  io.out('Dry run: nothing was sent.');
  io.out(`Provider  ${plan.provider} (profile ${plan.profile})`);
  io.out(`From      ${plan.from ?? '(none: pass --from or set a default)'}`);
  io.out(`To        ${n} recipient${n === 1 ? '' : 's'}${shown}`);
  if (plan.invalid.length) io.out(`Invalid   ${plan.invalid.length} (skipped)`);
  if (plan.duplicates) io.out(`Repeated  ${plan.duplicates} (sent once)`);
  io.out(`Body      ${plan.body !== undefined ? `${[...plan.body].length} characters` : '(none)'}`);
  for (const m of plan.media)
    io.out(`Media     ${sanitizeForTerminal(m.input)}  ${m.contentType ?? 'type unknown'}${m.size !== undefined ? `  ${formatBytes(m.size)}` : ''}`);
  io.out(`Rate      ${isLimited ? `${plan.ratePerSecond}/s` : 'unlimited'}, ${plan.concurrency} at a time; about ${estimate}`);
}

function renderResultLine(view: SendView, r: RecipientResult, width: number, delivery?: Map<string, DeliveryInfo>): void {
  const { io, outTheme: t } = view;
  const d = r.id ? delivery?.get(r.id) : undefined;
  const detail = r.status === 'accepted' || r.status === 'skipped' ? (r.id ?? '') : r.error ? `${r.error.code}: ${sanitizeForTerminal(r.error.message)}` : '';
  const status = d ? d.status : r.status === 'accepted' ? (r.providerStatus ?? 'accepted') : r.status === 'skipped' && r.id ? 'done before' : r.status;
  if (io.stdoutIsTTY) {
    const ok = r.status === 'accepted' || (r.status === 'skipped' && r.id);
    const mark = ok ? t.success('✓') : r.status === 'failed' ? t.error('✗') : t.warn('?');
    io.out(`${mark} ${r.to.padEnd(width)}  ${status.padEnd(11)}  ${ok ? t.id(detail) : detail}`);
  } else {
    io.out(`${r.to}\t${status}\t${detail}`);
  }
}

function summaryLine(outcome: SendOutcome): string {
  const s = outcome.summary!;
  const parts = [`${s.accepted} of ${s.total} accepted`];
  if (s.skipped) parts.push(`${s.skipped} already sent (journal)`);
  if (s.failed) parts.push(`${s.failed} failed`);
  if (s.unknown) parts.push(`${s.unknown} unknown (not resent)`);
  if (s.notAttempted) parts.push(`${s.notAttempted} not sent`);
  if (outcome.delivery) {
    let delivered = 0;
    let pending = 0;
    for (const d of outcome.delivery.values()) {
      if (d.status === 'delivered') delivered++;
      else if (d.status === 'pending' || d.status === 'queued' || d.status === 'sent' || d.status === 'sending') pending++;
    }
    parts.push(`${delivered} delivered${pending ? `, ${pending} still pending` : ''}`);
  }
  return `${parts.join(', ')} via ${outcome.plan.provider} in ${(s.durationMs / 1000).toFixed(1)} s.`;
}

function resultJson(r: RecipientResult, delivery: Map<string, DeliveryInfo> | undefined): Record<string, unknown> {
  const d = r.id ? delivery?.get(r.id) : undefined;
  return { ...r, ...(d ? { delivery: d } : {}) };
}

/** The final output of a run that was not a dry run. */
function renderOutcome(view: SendView, outcome: SendOutcome, isNdjson: boolean, width: number): void {
  const { io, errTheme } = view;
  const { plan, summary } = outcome;
  if (isNdjson) {
    writeNdjson(io, { type: 'summary', provider: plan.provider, profile: plan.profile, ...summary, interrupted: outcome.interrupted });
  } else if (io.json) {
    writeJson(io, {
      summary: { dryRun: false, provider: plan.provider, profile: plan.profile, from: plan.from ?? null, ...summary, interrupted: outcome.interrupted },
      results: outcome.results.map((r) => resultJson(r, outcome.delivery)),
    });
  } else if (outcome.delivery) {
    // With --wait, the lines printed while sending showed "queued": print the final states.
    io.info('Delivery:');
    for (const r of outcome.results) if (r.status === 'accepted') renderResultLine(view, r, width, outcome.delivery);
  }
  if (!io.quiet) io.warn((summary!.accepted + summary!.skipped === summary!.total ? errTheme.success : errTheme.warn)(summaryLine(outcome)));
  if (outcome.interrupted)
    io.warn('Interrupted: stopped sending; recipients marked "skipped"/"not sent" were not sent. Re-run with the same --journal to finish.');
}

/** A renderer for one run: result lines (or NDJSON) and a progress line while sending, then the rest. */
export function createSendRenderer(view: SendView, opts: { ndjson: boolean; progress: boolean }): SendRenderer {
  const { io } = view;
  const isLive = io.stderrIsTTY && !io.json && !opts.ndjson && !io.quiet;
  const isPeriodic = opts.progress && !isLive;
  let lastProgress = 0;
  let isProgressShown = false;
  let width = 16;
  const clearProgress = (): void => {
    if (isProgressShown) io.stderr.write('\r\x1b[K');
    isProgressShown = false;
  };
  const events: SendEvents = {
    note: (line) => {
      clearProgress();
      io.warn(line);
    },
    onResult: (r) => {
      width = Math.max(width, r.to.length);
      if (opts.ndjson) writeNdjson(io, { type: 'result', ...r });
      else if (!io.json) {
        clearProgress();
        renderResultLine(view, r, width);
      }
    },
    onProgress: (p) => {
      const now = Date.now();
      if (isLive && now - lastProgress > 100) {
        lastProgress = now;
        io.stderr.write(`\r\x1b[K${progressLine(p)}`);
        isProgressShown = true;
      } else if (isPeriodic && now - lastProgress > 2000) {
        lastProgress = now;
        io.warn(`progress: ${progressLine(p)}`);
      }
    },
    onRetry: (n) => io.debugLog(`retry ${n.to} after attempt ${n.attempt} in ${n.delayMs} ms: ${n.error.code} ${n.error.message}`),
  };
  return {
    events,
    finish(outcome) {
      clearProgress();
      for (const w of outcome.plan.warnings) io.warn(view.errTheme.warn(`Warning: ${w}`));
      if (outcome.dryRun) renderPlan(view, outcome.plan);
      else renderOutcome(view, outcome, opts.ndjson, width);
    },
  };
}
