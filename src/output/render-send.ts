// What `mms send` prints: the dry-run plan, a line per recipient as results arrive, the progress
// line, and the summary; or one JSON document, or NDJSON lines. Data on stdout, people on stderr.
import type { DispatchProgress } from '../core/send-runner.js';
import type { RecipientResult } from '../core/types.js';
import { formatBytes } from '../media/size.js';
import type { DeliveryInfo, SendEvents, SendOutcome, SendPlan, StoredResults } from '../services/send/index.js';
import type { IO } from './io.js';
import { toJsonText, writeJson, writeNdjson } from './json.js';
import { sanitizeForTerminal } from './sanitize.js';
import { createStatusLine, REAL_TIMERS, type StatusTimers } from './status-line.js';
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
  /** Prints the end of a run; a dry run's --json document is written as its list is read back (a promise then). */
  finish(outcome: SendOutcome): void | Promise<void>;
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
  const f = progressFacts(p);
  const counts = `sent ${p.accepted}  failed ${p.failed}${p.unknown ? `  unknown ${p.unknown}` : ''}${p.skipped ? `  skipped ${p.skipped}` : ''}`;
  return `${counts}${f.remaining !== undefined ? `  remaining ${f.remaining}` : ''}  ${f.rate}/s  ETA ${f.eta}`;
}

function progressFacts(p: DispatchProgress): { remaining: number | undefined; rate: string; eta: string } {
  const rate = p.elapsedMs > 0 ? (p.done / p.elapsedMs) * 1000 : 0;
  const remaining = p.total !== undefined ? p.total - p.done : undefined;
  const eta = remaining !== undefined && rate > 0 ? formatDuration((remaining / rate) * 1000) : '?';
  return { remaining, rate: rate.toFixed(1), eta };
}

/**
 * The live status line for `width` columns: the full progress line when it fits, else shorter
 * forms that keep the counts and the ETA (a narrow terminal loses the words, not the numbers).
 */
export function fitProgressLine(p: DispatchProgress, width: number): string {
  const f = progressFacts(p);
  const extra = `${p.unknown ? ` ?${p.unknown}` : ''}${p.skipped ? ` =${p.skipped}` : ''}`;
  const done = p.total !== undefined ? `${p.done}/${p.total}` : `${p.done}`;
  const candidates = [
    progressLine(p),
    `sent ${p.accepted} failed ${p.failed}${extra}${f.remaining !== undefined ? ` left ${f.remaining}` : ''} ${f.rate}/s ETA ${f.eta}`,
    `${done} ✓${p.accepted} ✗${p.failed}${extra} ETA ${f.eta}`,
    `${done} ✗${p.failed} ${f.eta}`,
  ];
  return candidates.find((c) => [...c].length <= width) ?? candidates.at(-1)!;
}

/** Stands for the recipients in the dry run's JSON text, which is written around it as the list is read. */
const RECIPIENTS_MARK = '@@mms-recipients@@';

/**
 * The dry-run plan: a JSON document, or aligned lines. The JSON lists every recipient: it is written as the list is
 * read back (from its spill file for --to-file), byte for byte what one JSON.stringify of the whole list would write.
 */
export function renderPlan(view: SendView, plan: SendPlan): void | Promise<void> {
  const { io } = view;
  const isLimited = Number.isFinite(plan.ratePerSecond);
  const n = plan.recipients.count;
  if (io.json) {
    const doc = {
      summary: {
        dryRun: true,
        provider: plan.provider,
        profile: plan.profile,
        from: plan.from ?? null,
        recipients: n,
        invalid: plan.invalidCount,
        duplicates: plan.duplicates,
      },
      plan: {
        recipients: n > 0 ? [RECIPIENTS_MARK] : [],
        invalid: plan.invalid,
        body: plan.body ?? null,
        media: plan.media.map((m) => ({ input: m.input, kind: m.kind, contentType: m.contentType ?? null, size: m.size ?? null })),
        ratePerSecond: isLimited ? plan.ratePerSecond : null,
        concurrency: plan.concurrency,
        estimatedSeconds: isLimited ? Math.ceil(n / plan.ratePerSecond) : null,
      },
      results: [],
    };
    if (n === 0) return writeJson(io, doc);
    return writeRecipientsJson(io, toJsonText(doc, 2) + '\n', plan.recipients);
  }
  const shown = n ? `: ${plan.recipients.first.join(', ')}${n > plan.recipients.first.length ? ', …' : ''}` : '';
  const estimate = isLimited ? formatDuration((n / plan.ratePerSecond) * 1000) : 'as fast as the provider answers';
  io.out('Dry run: nothing was sent.');
  io.out(`Provider  ${plan.provider} (profile ${plan.profile})`);
  io.out(`From      ${plan.from ?? '(none: pass --from or set a default)'}`);
  io.out(`To        ${n} recipient${n === 1 ? '' : 's'}${shown}`);
  if (plan.invalidCount) io.out(`Invalid   ${plan.invalidCount} (skipped)`);
  if (plan.duplicates) io.out(`Repeated  ${plan.duplicates} (sent once)`);
  io.out(`Body      ${plan.body !== undefined ? `${[...plan.body].length} characters` : '(none)'}`);
  for (const m of plan.media)
    io.out(`Media     ${sanitizeForTerminal(m.input)}  ${m.contentType ?? 'type unknown'}${m.size !== undefined ? `  ${formatBytes(m.size)}` : ''}`);
  io.out(`Rate      ${isLimited ? `${plan.ratePerSecond}/s` : 'unlimited'}, ${plan.concurrency} at a time; about ${estimate}`);
}

/** Writes `text` with the recipients in place of RECIPIENTS_MARK, in pieces of about 64 KiB. */
function writeRecipientsJson(io: IO, text: string, recipients: SendPlan['recipients']): Promise<void> {
  return writeListJson(io, text, RECIPIENTS_MARK, recipients, (r) => toJsonText(r.to));
}

/**
 * Writes `text` (a JSON document with 2-space indent) with the array element `mark` replaced by `items`, in pieces of
 * about 64 KiB: byte for byte what one toJsonText of the document holding them all would write, without that string.
 * `render` gives an item's JSON text with 2-space indent; its lines after the first are indented like the mark.
 */
async function writeListJson<T>(io: IO, text: string, mark: string, items: AsyncIterable<T>, render: (item: T) => string): Promise<void> {
  const quoted = JSON.stringify(mark);
  const at = text.indexOf(quoted);
  const indent = text.slice(text.lastIndexOf('\n', at) + 1, at);
  let piece = text.slice(0, at);
  let isFirst = true;
  for await (const item of items) {
    // JSON text has no raw newline inside strings: every newline starts a line to indent.
    piece += `${isFirst ? '' : `,\n${indent}`}${render(item).replaceAll('\n', `\n${indent}`)}`;
    isFirst = false;
    if (piece.length >= 64 * 1024) {
      io.stdout.write(piece);
      piece = '';
    }
  }
  io.stdout.write(piece + text.slice(at + quoted.length));
}

/** Column widths of the result table on a terminal; they only grow, so lines stay aligned as results arrive. */
interface ResultColumns {
  to: number;
  id: number;
  /** The header is printed before the first line (terminal only: piped output has no header). */
  hasHeader: boolean;
}

/**
 * One result line. Every line has the same columns: recipient, status, message id ("-" when there is
 * none), then the error, when there is one. Piped, they are tab-separated (no header).
 */
function renderResultLine(view: SendView, r: RecipientResult, cols: ResultColumns, delivery?: Map<string, DeliveryInfo>): void {
  const { io, outTheme: t } = view;
  const d = r.id ? delivery?.get(r.id) : undefined;
  const status = d ? d.status : r.status === 'accepted' ? (r.providerStatus ?? 'accepted') : r.status === 'skipped' && r.id ? 'done before' : r.status;
  const error = r.error && r.status !== 'accepted' && r.status !== 'skipped' ? `${r.error.code}: ${sanitizeForTerminal(r.error.message)}` : '';
  const id = r.id ? sanitizeForTerminal(r.id) : '-';
  if (!io.stdoutIsTTY) {
    io.out([r.to, status, id, ...(error ? [error] : [])].join('\t'));
    return;
  }
  cols.id = Math.max(cols.id, id.length);
  if (!cols.hasHeader) {
    cols.hasHeader = true;
    io.out(t.bold(`  ${'TO'.padEnd(cols.to)}  ${'STATUS'.padEnd(11)}  ${'ID'.padEnd(cols.id)}  ERROR`.trimEnd()));
  }
  const ok = r.status === 'accepted' || (r.status === 'skipped' && r.id);
  const mark = ok ? t.success('✓') : r.status === 'failed' ? t.error('✗') : t.warn('?');
  const idText = error ? id.padEnd(cols.id) : id;
  io.out(`${mark} ${r.to.padEnd(cols.to)}  ${status.padEnd(11)}  ${ok ? t.id(idText) : idText}${error ? `  ${error}` : ''}`);
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

/** Stands for the results in --json's document when they are read back from their temporary file. */
const RESULTS_MARK = '@@mms-results@@';

/** --json's document, with its results read back in list order from their temporary file as they are written. */
async function writeStoredJson(io: IO, stored: StoredResults, summary: Record<string, unknown>): Promise<void> {
  if (stored.count === 0) return writeJson(io, { summary, results: [] });
  const text = toJsonText({ summary, results: [RESULTS_MARK] }, 2) + '\n';
  // No --wait here, so no delivery to add: each result is written as it is.
  await writeListJson(io, text, RESULTS_MARK, stored.inOrder(), (r) => toJsonText(r, 2));
}

/**
 * The final output of a run that was not a dry run. --json's results kept in a temporary file (`outcome.stored`) are
 * streamed (a promise then): byte for byte the document one toJsonText of all of them gives, without holding them.
 */
function renderOutcome(view: SendView, outcome: SendOutcome, isNdjson: boolean, cols: ResultColumns, journal: string | null | undefined): void | Promise<void> {
  const { io, errTheme } = view;
  const { plan } = outcome;
  // Durations are whole milliseconds in every JSON document (the runner measures fractions).
  const summary = outcome.summary && { ...outcome.summary, durationMs: Math.round(outcome.summary.durationMs) };
  const tail = (): void => {
    if (!io.quiet) io.warn((summary!.accepted + summary!.skipped === summary!.total ? errTheme.success : errTheme.warn)(summaryLine(outcome)));
    if (outcome.interrupted) io.warn(interruptedLine(journal));
  };
  const head = () => ({ dryRun: false, provider: plan.provider, profile: plan.profile, from: plan.from ?? null, ...summary, interrupted: outcome.interrupted });
  if (isNdjson) {
    writeNdjson(io, { type: 'summary', provider: plan.provider, profile: plan.profile, ...summary, interrupted: outcome.interrupted });
  } else if (io.json && outcome.stored) {
    return writeStoredJson(io, outcome.stored, head()).then(tail);
  } else if (io.json) {
    writeJson(io, { summary: head(), results: outcome.results.map((r) => resultJson(r, outcome.delivery)) });
  } else if (outcome.delivery) {
    // With --wait, the lines printed while sending showed "queued": print the final states.
    io.info('Delivery:');
    cols.hasHeader = false;
    for (const r of outcome.results) if (r.status === 'accepted') renderResultLine(view, r, cols, outcome.delivery);
  }
  tail();
}

/** What to do after Ctrl+C: re-run with the journal this run kept, or keep one next time. */
export function interruptedLine(journal: string | null | undefined): string {
  const head = 'Interrupted: stopped sending; recipients marked "skipped"/"not sent" were not sent.';
  const next = 'pass --journal <file> next time: a re-run with the same file skips recipients already sent.';
  if (typeof journal === 'string') return `${head} Re-run with the same --journal ${sanitizeForTerminal(journal)} to finish.`;
  if (journal === null) return `${head} To resume an interrupted run, ${next}`;
  // The caller did not say whether this run had a journal.
  return `${head} If this run had --journal, re-run with the same file to finish; otherwise ${next}`;
}

/** Options of a renderer; `timers` drive the status line's throttle (tests pass a fake clock). */
export interface SendRendererOptions {
  ndjson: boolean;
  progress: boolean;
  /** The --journal file, or null when the run has none (undefined: not said; the hint covers both). */
  journal?: string | null;
  timers?: StatusTimers;
}

/** A renderer for one run: result lines (or NDJSON) and a progress line while sending, then the rest. */
export function createSendRenderer(view: SendView, opts: SendRendererOptions): SendRenderer {
  const { io } = view;
  const timers = opts.timers ?? REAL_TIMERS;
  // The live line: a terminal on stderr that can redraw, and people reading it (not --json/--ndjson/--quiet).
  const status = io.stderrCanRedraw && !io.json && !opts.ndjson && !io.quiet ? createStatusLine(io.stderr, { timers }) : undefined;
  const isPeriodic = opts.progress && !status;
  let lastProgress = Number.NEGATIVE_INFINITY;
  const cols: ResultColumns = { to: 16, id: 34, hasHeader: false };
  if (status) io.setStatusLine(status);
  const stopStatus = (): void => {
    if (status) io.setStatusLine(undefined);
  };
  const events: SendEvents = {
    note: (line) => io.warn(line),
    onResult: (r) => {
      cols.to = Math.max(cols.to, r.to.length);
      if (opts.ndjson) writeNdjson(io, { type: 'result', ...r });
      else if (!io.json) renderResultLine(view, r, cols);
    },
    onProgress: (p) => {
      if (status) {
        status.set((width) => fitProgressLine(p, width));
        return;
      }
      const now = timers.now();
      if (isPeriodic && now - lastProgress >= 2000) {
        lastProgress = now;
        io.warn(`progress: ${progressLine(p)}`);
      }
    },
    onRetry: (n) => io.debugLog(`retry ${n.to} after attempt ${n.attempt} in ${n.delayMs} ms: ${n.error.code} ${n.error.message}`),
  };
  return {
    events,
    finish(outcome) {
      stopStatus();
      for (const w of outcome.plan.warnings) io.warn(view.errTheme.warn(`Warning: ${w}`));
      if (outcome.dryRun) return renderPlan(view, outcome.plan);
      const stored = outcome.stored;
      if (!stored) return renderOutcome(view, outcome, opts.ndjson, cols, opts.journal);
      // The results file is freed once written (or when writing fails).
      return Promise.resolve()
        .then(() => renderOutcome(view, outcome, opts.ndjson, cols, opts.journal))
        .finally(() => stored.close());
    },
  };
}
