// How `mms listen` looks: event lines (human or NDJSON) on stdout, the ready block and notices on
// stderr, and the `--restore` report. Everything that came from outside (numbers, text, ids, URLs,
// content types, reasons, paths built from them) goes through sanitizeForTerminal: escape
// sequences are shown, never interpreted.
import type { IO } from './io.js';
import { createLineWriter, writeJson, writeNdjson } from './json.js';
import { sanitizeForTerminal as s } from './sanitize.js';
import type { Theme } from './theme.js';
import { formatBytes } from '../media/size.js';
import type { ListenEvent, ListenEvents, ListeningInfo, ListenNotice, ListenOutcome, RestoreOutcome, TunnelReport } from '../services/listen/types.js';

/** The kind key of an NDJSON line: `type`, as in every streaming command (README: JSON output). */
export function kindKeys<K extends string>(kind: K): { type: K } {
  return { type: kind };
}

/** The NDJSON object for an event (stable camelCase keys, additive only). */
export function eventToJson(ev: ListenEvent): Record<string, unknown> {
  if (ev.type === 'message') {
    return {
      ...kindKeys('message'),
      provider: ev.provider,
      id: ev.id,
      from: ev.from,
      to: ev.to,
      body: ev.body,
      media: ev.media.map((m) => ({
        url: m.url,
        contentType: m.contentType ?? null,
        size: m.size ?? null,
        ...(m.path !== undefined ? { path: m.path } : {}),
        ...(m.saveError !== undefined ? { saveError: m.saveError } : {}),
      })),
      receivedAt: ev.receivedAt,
      ...(ev.recovered ? { recovered: true } : {}),
    };
  }
  return {
    ...kindKeys('status'),
    provider: ev.provider,
    id: ev.id,
    status: ev.status,
    providerStatus: ev.providerStatus,
    to: ev.to ?? null,
    from: ev.from ?? null,
    errorCode: ev.errorCode ?? null,
    receivedAt: ev.receivedAt,
  };
}

function formatTime(iso: string, tty: boolean): string {
  if (!tty) return iso;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toTimeString().slice(0, 8);
}

/** Human lines for an event. On a TTY the time is local HH:MM:SS; piped it is ISO-8601. */
export function formatEventLines(ev: ListenEvent, opts: { tty: boolean; theme: Theme }): string[] {
  const t = opts.theme;
  const time = t.dim(formatTime(ev.receivedAt, opts.tty));
  if (ev.type === 'status') {
    const err = ev.errorCode !== undefined ? `  (error ${s(String(ev.errorCode))})` : '';
    const colour = ev.status === 'delivered' ? t.success : ev.status === 'failed' || ev.status === 'undelivered' ? t.error : (x: string) => x;
    return [`${time}  status  ${t.id(s(ev.id))}  ${colour(s(ev.providerStatus))}${ev.to ? `  → ${s(ev.to)}` : ''}${err}`];
  }
  const recovered = ev.recovered ? `  ${t.dim('(recovered)')}` : '';
  const lines = [`${time}  ${t.number(s(ev.from))} → ${t.number(s(ev.to))}  ${ev.body === '' ? t.dim('(no text)') : s(ev.body)}${recovered}`];
  ev.media.forEach((m, i) => {
    const parts = [`  media ${i + 1}/${ev.media.length}`, s(m.contentType ?? 'type unknown')];
    if (m.size !== undefined) parts.push(formatBytes(m.size));
    if (m.path !== undefined) parts.push(`saved ${s(m.path)}`);
    else parts.push(s(m.url));
    if (m.saveError !== undefined) parts.push(t.warn(`not saved: ${s(m.saveError)}`));
    lines.push(parts.join('  '));
  });
  return lines;
}

/** A notice as a stderr line: `info` is a status line (hidden by --quiet), `warn` is always shown. */
export function formatNotice(n: ListenNotice, t: Theme): { level: 'info' | 'warn'; line: string } {
  const warn = (line: string) => ({ level: 'warn' as const, line });
  const info = (line: string) => ({ level: 'info' as const, line });
  switch (n.type) {
    case 'insecure':
      return warn(
        t.error('WARNING: --insecure-skip-verify: webhook signatures are NOT checked. Anyone who finds the URL can post fake messages to this listener.'),
      );
    case 'endpoint':
      return info(n.line);
    case 'request-rejected':
      return warn(`Rejected ${s(n.method)} ${s(n.path)}: ${n.status} ${s(n.reason)}`);
    case 'handler-failed':
      return warn(`Webhook handler failed for ${s(n.route)}: ${s(n.message)}`);
    case 'signature-rejected':
      return warn(t.warn(`Rejected ${n.kind === 'inbound' ? 'an' : 'a'} ${n.kind} webhook with a missing or invalid signature (403) from ${s(n.client)}`));
    case 'unparseable':
      return warn(`Could not parse a ${n.kind} webhook: ${s(n.message)}`);
    case 'number-pointed':
      return info(`Pointed ${n.number}'s inbound webhook here: ${s(n.description)}. It is put back when mms listen stops.`);
    case 'manual-action':
      return warn(t.warn(`Action needed: ${s(n.description)}`));
    case 'manual-reminder':
      return warn(t.warn(`Reminder: put back the inbound webhook setting you changed by hand for ${n.number} (mms listen changed nothing itself).`));
    case 'number-restored':
      return info(`Restored the inbound webhook of ${n.number}.`);
    case 'restore-failed':
      return warn(`Error: ${n.error.message}\n${n.error.suggestion ?? ''}`.trimEnd());
    case 'tunnel-lost':
      return warn(t.error(`The tunnel closed unexpectedly: ${s(n.message)}`));
    case 'exec-failed':
      return warn(`--exec failed for ${s(n.id)}: ${n.error !== undefined ? s(n.error) : n.signal ? `killed by ${n.signal}` : `exit code ${n.code}`}`);
    case 'processing-failed':
      return warn(`Processing ${s(n.id)} failed: ${s(n.message)}`);
    case 'report-failed':
      return warn(`Could not report a receipt: ${s(n.message)}`);
    case 'catch-up-unsupported':
      return warn(t.warn(`Recovery after gaps is not possible: ${s(n.reason)}.`));
    case 'catch-up': {
      const more = n.truncated ? ' (the bound was reached: older ones may remain)' : '';
      return info(`Recovered ${n.recovered} message${n.recovered === 1 ? '' : 's'} received since ${n.since} (${n.skipped} already seen)${more}.`);
    }
    case 'catch-up-failed':
      return warn(t.warn(`Could not read the provider's message log to recover missed messages: ${s(n.message)}`));
  }
}

const seconds = (ms: number | undefined): string => `${Math.max(0, Math.round((ms ?? 0) / 1000))} s`;

/** What a reconnect line says about the messages of the gap. */
function recoveryText(r: TunnelReport): string {
  if (r.recovery === 'catch-up') return "; reading the messages of the gap from the provider's log";
  if (r.recovery === 'unavailable') return `; messages received in the gap cannot be recovered (${s(r.recoveryNote ?? 'no readable log')})`;
  return '; messages received in the gap are not recovered (that needs --number)';
}

/** The stderr line for a tunnel drop or return (one per report; always shown, --quiet too). */
export function formatTunnelReport(r: TunnelReport, t: Theme): string {
  switch (r.state) {
    case 'lost':
      return t.warn(`Tunnel lost (${s(r.via)}): ${s(r.message ?? 'closed')}. Re-opening it…`);
    case 'gave-up':
      return t.error(`Gave up re-opening the tunnel after ${r.attempts ?? 0} attempt${r.attempts === 1 ? '' : 's'}: ${s(r.message ?? '')}`);
    case 'resumed':
      return t.warn(`Tunnel interrupted for ${seconds(r.durationMs)} (${s(r.via)} reconnected by itself)${recoveryText(r)}.`);
    case 'reconnected': {
      const where = !r.urlChanged
        ? ` at the same URL`
        : r.numberRepointed
          ? ` at ${s(r.url ?? '')}; the number now points there`
          : ` at a new URL: point your webhook at ${s(r.inboundUrl ?? '')}`;
      const tries = `${r.attempts ?? 1} attempt${r.attempts === 1 ? '' : 's'}`;
      return t.warn(`Tunnel back after ${seconds(r.durationMs)} (${tries})${where}${recoveryText(r)}.`);
    }
  }
}

/** The ready block: the NDJSON `listening` line under --json, and the URLs on stderr. */
export function renderListening(info: ListeningInfo, io: IO, t: Theme): void {
  if (io.json) writeNdjson(io, { ...kindKeys('listening'), ...info });
  io.info(t.success(`Listening for ${info.provider} webhooks via ${info.via}.`));
  io.info(`  Inbound messages:  ${info.inboundUrl}`);
  io.info(`  Status callbacks:  ${info.statusUrl}`);
  if (!info.numberConfigured && info.number === null) {
    io.info(t.dim(`Point your number's inbound ("A message comes in") webhook, HTTP POST, at the inbound URL, or pass --number to do it for you.`));
    io.info(t.dim('Pass the status URL as --status-callback to mms send to see delivery receipts here.'));
  }
  io.info(t.dim('Press Ctrl+C to stop.'));
}

/** The renderer a run reports to, and `flush` for when it ends. */
export function createListenRenderer(io: IO, themes: { out: Theme; err: Theme }): ListenEvents & { flush(): void } {
  const tty = io.stdoutIsTTY;
  // Events are coalesced per event-loop turn: under a burst of webhooks, one write per batch.
  const lines = createLineWriter(io.stdout);
  return {
    listening: (info) => renderListening(info, io, themes.err),
    event: (ev) => {
      if (io.json) lines.write(JSON.stringify(eventToJson(ev)));
      else for (const line of formatEventLines(ev, { tty, theme: themes.out })) lines.write(line);
    },
    notice: (n) => {
      lines.flush();
      const { level, line } = formatNotice(n, themes.err);
      if (level === 'info') io.info(line);
      else io.warn(line);
    },
    tunnel: (r) => {
      // NDJSON readers see it in order with the events; people see it on stderr.
      if (io.json) lines.write(JSON.stringify(r));
      lines.flush();
      io.warn(formatTunnelReport(r, themes.err));
    },
    flush: () => lines.flush(),
  };
}

/** The last line of a run on stderr (`pending`: --timeout ended it before --count). */
export function renderListenSummary(outcome: ListenOutcome, opts: { pending: boolean; timeout: string | undefined }, io: IO, t: Theme): void {
  const got = `${outcome.messages} message${outcome.messages === 1 ? '' : 's'}, ${outcome.statuses} receipt${outcome.statuses === 1 ? '' : 's'}`;
  if (opts.pending) {
    io.warn(t.warn(`Timed out after ${opts.timeout} s: ${outcome.messages} of ${outcome.count} message${outcome.count === 1 ? '' : 's'} received.`));
  } else {
    io.info(`Stopped (${outcome.reason === 'count' ? '--count reached' : outcome.reason === 'timeout' ? '--timeout' : 'interrupted'}): ${got}.`);
  }
}

/** `mms listen --restore`: one JSON document, or a line per number. */
export function renderRestoreOutcome(out: RestoreOutcome, io: IO, t: Theme): void {
  if (io.json) {
    writeJson(io, out);
    return;
  }
  for (const r of out.restored) io.out(`restored\t${r.provider}\t${r.number}\t${s(r.description)}`);
  for (const x of out.skipped) io.warn(`Skipped ${x.number ?? x.path}: ${s(x.reason)}`);
  for (const f of out.failed) io.warn(t.error(`Could not restore ${f.number} (${f.provider}): ${s(f.error.message)}`));
  if (out.restored.length + out.skipped.length + out.failed.length === 0) io.info('Nothing to restore.');
}
