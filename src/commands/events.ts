// mms events list|show|replay: the webhooks `mms listen` accepted (its event log), and sending one
// to an app again. This file is flags and rendering; the flow is services/events/.
import { Command, Option } from 'commander';
import type { AppContext } from '../context.js';
import { writeJson } from '../output/json.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
import type { EventFilter, StoredEvent } from '../services/events/index.js';
import { parseSeconds } from './flags.js';
import { answerExitCode, formatForwardLines, requireForwardUrl } from './listen.js';
import { loadAccount, withExitCode } from './shared.js';
import type { GlobalOptions } from './index.js';

interface EventsOptions extends GlobalOptions {
  since?: string;
  type?: 'inbound' | 'status';
  number?: string;
  forwardTo?: string;
  timeout?: string;
  provider?: string;
  baseUrl?: string;
}

const s = sanitizeForTerminal;

/** One row of `mms events list`: id, time, provider, kind, what it carried, the last forward's answer. */
export function eventRow(e: StoredEvent): string[] {
  const what = e.events.map((ev) => (ev.type === 'message' ? `${ev.id} ${ev.from} → ${ev.to} (${ev.media.length} media)` : `${ev.id} ${ev.status}`)).join('; ');
  const last = e.forwards.at(-1);
  const shown = `${what || '-'}${e.recovered ? ' (recovered)' : ''}`;
  return [e.id, e.receivedAt, e.provider, e.kind, shown, last ? String(last.answered) : '-'].map((x) => s(x));
}

/** The JSON shape of a stored event (the file's content, with `type` first). */
const eventJson = (e: StoredEvent) => ({ type: 'event', ...e });

async function openLog(ctx: AppContext) {
  const events = await import('../services/events/index.js');
  return { events, log: events.openEventLog(ctx.env) };
}

async function list(opts: EventsOptions, ctx: AppContext): Promise<void> {
  const { events, log } = await openLog(ctx);
  const filter: EventFilter = {
    ...(opts.since !== undefined ? { since: events.parseSince(opts.since, new Date()) } : {}),
    ...(opts.type !== undefined ? { type: opts.type } : {}),
    ...(opts.number !== undefined ? { number: opts.number.trim() } : {}),
  };
  const found = await events.listEvents(log, filter);
  if (ctx.io.json) {
    writeJson(ctx.io, { events: found.map(eventJson) });
    return;
  }
  if (found.length === 0) {
    ctx.io.info('No events. `mms listen` stores every webhook it accepts.');
    return;
  }
  // Piped: tab-separated rows without a header, as every table command prints them.
  if (!ctx.io.stdoutIsTTY) {
    for (const r of found.map(eventRow)) ctx.io.out(r.join('\t'));
    return;
  }
  const rows = [['ID', 'RECEIVED', 'PROVIDER', 'KIND', 'EVENTS', 'FORWARD'], ...found.map(eventRow)];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) ctx.io.out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}

/** The stored webhook request: request line, headers, body. */
function showRequestOf(e: StoredEvent, ctx: AppContext): void {
  ctx.io.out(`${s(e.request.method)} ${s(e.request.url)}`);
  for (const [k, v] of Object.entries(e.request.headers)) ctx.io.out(`${s(k)}: ${s(Array.isArray(v) ? v.join(', ') : v)}`);
  ctx.io.out('');
  if (e.request.bodyEncoding === 'base64') ctx.io.out(`(binary body, ${Buffer.from(e.request.body, 'base64').length} bytes)`);
  else for (const line of e.request.body.split('\n')) ctx.io.out(s(line));
}

/** A recovered message has no request: the provider's log record as catch-up read it. */
function showRecordOf(e: StoredEvent, ctx: AppContext): void {
  ctx.io.out(`Recovered from the ${s(e.provider)} message log (no webhook reached the listener). The log record:`);
  let text = e.request.body;
  try {
    text = JSON.stringify(JSON.parse(e.request.body), null, 2);
  } catch {
    // Not JSON after all: shown as stored.
  }
  for (const line of text.split('\n')) ctx.io.out(s(line));
}

async function show(id: string, ctx: AppContext): Promise<void> {
  const { events, log } = await openLog(ctx);
  const e = await events.getEvent(log, id);
  if (ctx.io.json) {
    writeJson(ctx.io, eventJson(e));
    return;
  }
  ctx.io.out(`${s(e.id)}  ${e.receivedAt}  ${s(e.provider)} ${e.kind}${e.verified ? '' : '  (NOT verified: --insecure-skip-verify)'}`);
  ctx.io.out('');
  if (e.recovered) showRecordOf(e, ctx);
  else showRequestOf(e, ctx);
  if (e.forwards.length > 0) ctx.io.out('');
  for (const f of e.forwards) {
    const { out, warn } = formatForwardLines({ kind: e.kind, events: [], attempt: f }, !f.replay);
    ctx.io.out(`${f.startedAt}${f.replay ? ' replay' : ''}  ${warn ?? out.at(-1)!}`);
  }
}

async function replay(id: string, opts: EventsOptions, ctx: AppContext): Promise<number> {
  const target = opts.forwardTo !== undefined ? requireForwardUrl(opts.forwardTo, '--forward-to') : undefined;
  const timeoutS = opts.timeout !== undefined ? parseSeconds(opts.timeout, '--timeout') : undefined;
  const { events, log } = await openLog(ctx);
  const stored = await events.getEvent(log, id);
  // The signing secret comes from the profile for the event's provider.
  const loaded = await loadAccount(ctx, { ...opts, provider: stored.provider });
  const out = await events.replayEvent(log, stored.id, {
    credentials: loaded.account.credentials,
    ...(target !== undefined ? { target } : {}),
    forward: { signal: ctx.signal, ...(timeoutS !== undefined ? { timeoutMs: Math.round(timeoutS * 1000) } : {}) },
  });
  if (out.signing === 'verbatim') ctx.io.warn(`Note: no ${stored.provider} signing secret in this profile: sent with the stored signature headers`);
  if (out.signing === 'rebuilt')
    ctx.io.info(`Note: ${stored.id} was recovered from the provider's log: sent as the webhook ${stored.provider} would have sent, signed for the target`);
  const a = out.attempt;
  if (ctx.io.json) writeJson(ctx.io, { type: 'replay', id: stored.id, signing: out.signing, ...a, body: out.body });
  else {
    const { out: lines, warn } = formatForwardLines(
      {
        kind: stored.kind,
        events: stored.events.map((ev) => ({ ...ev, media: ev.type === 'message' ? ev.media.length : 0 })),
        attempt: a,
      },
      false,
    );
    for (const line of lines) ctx.io.out(line);
    if (warn !== undefined) ctx.io.warn(warn);
    if (out.body !== '') for (const line of out.body.split('\n')) ctx.io.out(s(line));
  }
  return answerExitCode(a);
}

/** `mms events`. */
export function createEventsCommand(ctx: AppContext): Command {
  const listCmd = new Command('list')
    .description('list stored webhooks, oldest first')
    .option('--since <when>', 'only those received since: a duration (15m, 1h, 7d) or an ISO 8601 time')
    .addOption(new Option('--type <kind>', 'only inbound messages or delivery receipts').choices(['inbound', 'status']))
    .option('--number <e164>', 'only events from or to this number')
    .action(withExitCode(ctx, async (_o: unknown, c: Command) => list(c.optsWithGlobals<EventsOptions>(), ctx)));
  const showCmd = new Command('show')
    .description('show one stored webhook: the raw request (auth headers redacted) and every forward')
    .argument('<id>', 'event id (or a unique prefix) from mms events list')
    .action(withExitCode(ctx, async (id: string) => show(id, ctx)));
  const replayCmd = new Command('replay')
    .description('send a stored webhook to your app again, signed for the target URL')
    .argument('<id>', 'event id (or a unique prefix) from mms events list')
    .option('--forward-to <url>', 'where to send it (default: where mms listen forwarded it)')
    .option('--timeout <seconds>', "how long to wait for the app's answer (default 10)")
    .action(withExitCode(ctx, async (id: string, _o: unknown, c: Command) => replay(id, c.optsWithGlobals<EventsOptions>(), ctx)));
  return new Command('events')
    .description('list, show and replay the webhooks mms listen accepted (its event log)')
    .addCommand(listCmd)
    .addCommand(showCmd)
    .addCommand(replayCmd)
    .addHelpText(
      'after',
      `
The log lives in <config dir>/events (one 0600 file per webhook, directory 0700) and keeps the
newest 1000 (mms listen --keep-events <n>; 0 turns it off; --keep-events-days <d> also drops
older ones).

Examples:
  $ mms events list --since 1h --type inbound
  $ mms events show ev_0mf3k2x1a8c2d4e6f0
  $ mms events replay ev_0mf3k2x1a8c2d4e6f0 --forward-to http://localhost:3000/sms`,
    );
}
