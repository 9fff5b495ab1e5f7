// mms send: validate every recipient and media item first, then send, and report per recipient.
import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import type { AppContext } from '../context.js';
import type { MediaItem, MessageRequest, RecipientResult } from '../core/types.js';
import { CliError, ErrorCode, InputError, ProviderError, UsageError, exitCodeForErrorCode } from '../errors/errors.js';
import { ExitCode } from '../errors/exit-codes.js';
import type { ProviderAdapter } from '../providers/types.js';
import { writeJson } from '../output/json.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
import { collect, formatBytes, loadAccount, readStdin, splitList } from './shared.js';
import type { GlobalOptions } from './index.js';

export interface SendOptions extends GlobalOptions {
  to: string[];
  from?: string;
  body?: string;
  bodyFile?: string;
  media: string[];
  dryRun: boolean;
  provider?: string;
  baseUrl?: string;
  defaultCountry?: string;
  statusCallback?: string;
}

export interface SendPlan {
  provider: string;
  profile: string;
  from?: string;
  recipients: string[];
  body?: string;
  media: MediaItem[];
  warnings: string[];
}

export interface SendOutcome {
  plan: SendPlan;
  dryRun: boolean;
  results: RecipientResult[];
  interrupted: boolean;
}

/** One problem found while validating input. */
interface Problem {
  code: (typeof ErrorCode)[keyof typeof ErrorCode];
  message: string;
}

function problemsError(problems: Problem[]): InputError {
  const first = problems[0]!;
  if (problems.length === 1) {
    return new InputError(first.code, `${first.message}; nothing was sent`, { details: { problems }, suggestion: suggestionFor(first.code) });
  }
  return new InputError(
    first.code,
    `${problems.length} problems found, nothing was sent:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`,
    { details: { problems }, suggestion: 'Fix the inputs above and run the command again' },
  );
}

function suggestionFor(code: Problem['code']): string {
  switch (code) {
    case ErrorCode.RECIPIENT_INVALID:
      return 'Write numbers in E.164 (+15551234567), or set --default-country for national numbers';
    case ErrorCode.MEDIA_NEEDS_PUBLIC_URL:
      return 'Pass the media as a public https:// URL instead (sending local files through a tunnel is coming with `mms listen`)';
    case ErrorCode.MESSAGE_EMPTY:
      return 'Add --body "text" and/or --media <file-or-url>';
    case ErrorCode.BODY_TOO_LONG:
      return 'Shorten the text';
    default:
      return 'Fix the input and run the command again';
  }
}

function isLoopbackUrl(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return h === 'localhost' || h === '[::1]' || h === '::1' || /^127\./.test(h);
  } catch {
    return false;
  }
}

/** Validates everything, then (unless --dry-run) sends to each recipient. Returns data; never prints. */
export async function runSend(opts: SendOptions, ctx: AppContext): Promise<SendOutcome> {
  const rawTo = splitList(opts.to);
  if (rawTo.length === 0) {
    if (!ctx.io.canPrompt) {
      throw new UsageError('--to is required when not running interactively', { code: ErrorCode.MISSING_ARGUMENT, suggestion: 'Example: mms send --to +15551234567 --body "hi"' });
    }
    const { askText } = await import('../output/prompt.js');
    rawTo.push(await askText(ctx.io, '--to', 'Send to (E.164, e.g. +15551234567):'));
  }
  const loaded = await loadAccount(ctx, opts);
  const { adapter, account } = loaded;
  const caps = adapter.capabilities;
  const problems: Problem[] = [];

  // Body: --body (or "-" for stdin) / --body-file (path or "-").
  let body = opts.body;
  if (body === '-' || opts.bodyFile === '-') {
    body = (await readStdin(ctx)).replace(/\r?\n$/, '');
  } else if (opts.bodyFile !== undefined) {
    try {
      body = (await readFile(opts.bodyFile, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(ErrorCode.BODY_UNREADABLE, `--body-file ${opts.bodyFile}: ${code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`}; nothing was sent`, {
        suggestion: 'Pass a readable text file, or --body "text"',
      });
    }
  }
  if (body !== undefined && [...body].length > caps.maxBodyChars) {
    problems.push({ code: ErrorCode.BODY_TOO_LONG, message: `--body: ${[...body].length} characters, ${adapter.displayName} allows at most ${caps.maxBodyChars}` });
  }

  // Recipients.
  const { normalisePhone } = await import('../recipients/e164.js');
  const country = opts.defaultCountry ?? ctx.store().readConfig().settings.defaultCountry;
  if (country !== undefined && !/^[A-Za-z]{2}$/.test(country)) {
    throw new UsageError(`--default-country "${country}" is not a two-letter country code`, { code: ErrorCode.INVALID_ARGUMENT, suggestion: 'Use an ISO 3166 code such as US, GB or DE' });
  }
  const recipients: string[] = [];
  const seen = new Set<string>();
  for (const input of rawTo) {
    const r = normalisePhone(input, country);
    if (!r.ok) problems.push({ code: ErrorCode.RECIPIENT_INVALID, message: `--to "${sanitizeForTerminal(input)}": ${r.reason}` });
    else if (!seen.has(r.e164)) {
      seen.add(r.e164);
      recipients.push(r.e164);
    }
  }

  // Sender.
  const from = account.from?.value;
  if (from !== undefined && adapter.checkSender) {
    const bad = adapter.checkSender(from);
    if (bad) problems.push({ code: ErrorCode.SENDER_INVALID, message: `--from "${sanitizeForTerminal(from)}": ${bad}` });
  }

  // Media.
  const { resolveMedia } = await import('../media/resolve.js');
  const media = await resolveMedia(opts.media ?? [], caps, adapter.displayName);
  for (const p of media.problems) problems.push({ code: p.code, message: sanitizeForTerminal(p.message) });
  const localFiles = media.items.filter((m) => m.kind === 'file');
  if (localFiles.length > 0 && caps.mediaTransport === 'url') {
    for (const f of localFiles) {
      problems.push({
        code: ErrorCode.MEDIA_NEEDS_PUBLIC_URL,
        message: `--media ${sanitizeForTerminal(f.input)}: ${adapter.displayName} fetches media from a public URL and local files cannot be served yet`,
      });
    }
  }
  if ((body === undefined || body.trim() === '') && (opts.media ?? []).length === 0) {
    problems.push({ code: ErrorCode.MESSAGE_EMPTY, message: 'the message is empty: no --body and no --media' });
  }

  if (problems.length > 0) throw problemsError(problems);

  const plan: SendPlan = {
    provider: adapter.name,
    profile: account.profile.name,
    ...(from !== undefined ? { from } : {}),
    recipients,
    ...(body !== undefined ? { body } : {}),
    media: media.items,
    warnings: media.warnings,
  };
  if (opts.dryRun) return { plan, dryRun: true, results: [], interrupted: false };

  if (from === undefined) {
    throw new UsageError('--from is required: no default sender in the profile', {
      code: ErrorCode.SENDER_MISSING,
      suggestion: `Pass --from +15551234567, or store one: mms config set from +15551234567`,
    });
  }
  const callCtx = loaded.callContext();
  const results: RecipientResult[] = [];
  let interrupted = false;
  for (const to of recipients) {
    if (ctx.signal.aborted) {
      interrupted = true;
      results.push({ to, status: 'skipped', error: { code: ErrorCode.CANCELLED, message: 'not sent: interrupted' } });
      continue;
    }
    const req: MessageRequest = {
      to,
      from,
      ...(body !== undefined && body !== '' ? { body } : {}),
      mediaUrls: media.items.filter((m) => m.kind === 'url').map((m) => m.url!),
      ...(opts.statusCallback ? { statusCallbackUrl: opts.statusCallback } : {}),
    };
    try {
      const acc = await adapter.send(req, callCtx);
      results.push({ to, status: 'accepted', id: acc.id, providerStatus: acc.providerStatus });
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      if (err.code === ErrorCode.AUTH_REJECTED || err.code === ErrorCode.AUTH_FORBIDDEN) throw err;
      if (err.code === ErrorCode.CANCELLED) {
        interrupted = true;
        results.push({ to, status: 'unknown', error: { code: ErrorCode.OUTCOME_UNKNOWN, message: 'interrupted while the request was in flight: it may have been sent' } });
        continue;
      }
      const pe = err instanceof ProviderError ? err : undefined;
      const maybeSent = (err.details as { requestSent?: string } | undefined)?.requestSent === 'maybe';
      results.push({
        to,
        status: maybeSent ? 'unknown' : 'failed',
        error: {
          code: maybeSent ? ErrorCode.OUTCOME_UNKNOWN : err.code,
          message: maybeSent ? `${err.message}; the message may have been sent, so it was not resent` : err.message,
          ...(pe?.providerCode !== undefined ? { providerCode: pe.providerCode } : {}),
          ...(pe?.httpStatus !== undefined ? { httpStatus: pe.httpStatus } : {}),
          ...(pe?.moreInfo !== undefined ? { moreInfo: pe.moreInfo } : {}),
        },
      });
    }
  }
  return { plan, dryRun: false, results, interrupted };
}

/** Summary counts for a run. */
export function summarise(results: RecipientResult[]): { total: number; accepted: number; failed: number; unknown: number; skipped: number } {
  const s = { total: results.length, accepted: 0, failed: 0, unknown: 0, skipped: 0 };
  for (const r of results) s[r.status]++;
  return s;
}

/** The exit code for a finished run: 0 all accepted, 3 some failed, the failure's own code when none was accepted. */
export function sendExitCode(outcome: SendOutcome): number {
  if (outcome.dryRun) return ExitCode.OK;
  if (outcome.interrupted) return ExitCode.INTERRUPTED;
  const s = summarise(outcome.results);
  if (s.accepted === s.total) return ExitCode.OK;
  if (s.accepted > 0) return ExitCode.PARTIAL;
  // None accepted: the most common failure decides.
  const counts = new Map<number, number>();
  for (const r of outcome.results) {
    if (!r.error) continue;
    const c = exitCodeForErrorCode(r.error.code);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best: number = ExitCode.PROVIDER_REJECTED;
  let n = -1;
  for (const [c, k] of counts) if (k > n) [best, n] = [c, k];
  return best;
}

function render(outcome: SendOutcome, ctx: AppContext): void {
  const { io, outTheme: t, errTheme: et } = ctx;
  const { plan } = outcome;
  for (const w of plan.warnings) io.warn(et.warn(`Warning: ${w}`));
  if (io.json) {
    const s = summarise(outcome.results);
    writeJson(io, {
      summary: {
        dryRun: outcome.dryRun,
        provider: plan.provider,
        profile: plan.profile,
        from: plan.from ?? null,
        ...(outcome.dryRun ? { recipients: plan.recipients.length } : s),
        interrupted: outcome.interrupted,
      },
      ...(outcome.dryRun
        ? {
            plan: {
              recipients: plan.recipients,
              body: plan.body ?? null,
              media: plan.media.map((m) => ({ input: m.input, kind: m.kind, contentType: m.contentType ?? null, size: m.size ?? null })),
            },
          }
        : {}),
      results: outcome.results,
    });
    return;
  }
  if (outcome.dryRun) {
    io.out(`Dry run: nothing was sent.`);
    io.out(`Provider  ${plan.provider} (profile ${plan.profile})`);
    io.out(`From      ${plan.from ?? '(none: pass --from or set a default)'}`);
    io.out(`To        ${plan.recipients.length} recipient${plan.recipients.length === 1 ? '' : 's'}: ${plan.recipients.slice(0, 10).join(', ')}${plan.recipients.length > 10 ? ', …' : ''}`);
    io.out(`Body      ${plan.body !== undefined ? `${[...plan.body].length} characters` : '(none)'}`);
    for (const m of plan.media) {
      io.out(`Media     ${sanitizeForTerminal(m.input)}  ${m.contentType ?? 'type unknown'}${m.size !== undefined ? `  ${formatBytes(m.size)}` : ''}`);
    }
    return;
  }
  const tty = io.stdoutIsTTY;
  const width = Math.max(...outcome.results.map((r) => r.to.length), 2);
  for (const r of outcome.results) {
    const detail = r.status === 'accepted' ? (r.id ?? '') : r.error ? `${r.error.code}: ${sanitizeForTerminal(r.error.message)}` : '';
    const status = r.status === 'accepted' ? (r.providerStatus ?? 'accepted') : r.status;
    if (tty) {
      const mark = r.status === 'accepted' ? t.success('✓') : r.status === 'failed' ? t.error('✗') : t.warn('?');
      io.out(`${mark} ${r.to.padEnd(width)}  ${status.padEnd(9)}  ${r.status === 'accepted' ? t.id(detail) : detail}`);
    } else {
      io.out(`${r.to}\t${status}\t${detail}`);
    }
  }
  const s = summarise(outcome.results);
  const parts = [`${s.accepted} of ${s.total} accepted`];
  if (s.failed) parts.push(`${s.failed} failed`);
  if (s.unknown) parts.push(`${s.unknown} unknown (not resent)`);
  if (s.skipped) parts.push(`${s.skipped} not sent`);
  io.info((s.accepted === s.total ? et.success : et.warn)(`${parts.join(', ')} via ${plan.provider}.`));
}

/** `mms send`. */
export function createSendCommand(ctx: AppContext): Command {
  return new Command('send')
    .description('send an MMS (text plus images, video or audio) to one or more recipients')
    .option('-t, --to <numbers>', 'recipient, E.164 (repeatable, comma-separated)', collect, [])
    .option('-f, --from <sender>', 'sender number or id (default: the profile\'s)')
    .addOption(new Option('-b, --body <text>', 'message text ("-" reads stdin)').conflicts('bodyFile'))
    .option('--body-file <path>', 'read the message text from a file ("-" for stdin)')
    .option('-m, --media <path-or-url>', 'image/video/audio file or URL (repeatable)', collect, [])
    .option('--dry-run', 'validate everything and print the plan; send nothing', false)
    .option('--provider <name>', 'provider to use (default: the profile\'s)')
    .option('--base-url <url>', 'API base URL override (regional edge, proxy, or `mms sandbox`)')
    .option('--default-country <code>', 'country for numbers without +country (ISO code, e.g. US)')
    .option('--status-callback <url>', 'URL the provider posts delivery status to')
    .addHelpText(
      'after',
      `
Examples:
  $ mms send --to +15551234567 --media https://example.com/chart.png --body "Nightly chart"
  $ mms send --to +15551234567,+15557654321 --body-file note.txt --json
  $ echo "Deploy finished" | mms send --to +15551234567 --body -`,
    )
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<SendOptions>();
      const outcome = await runSend(opts, ctx);
      render(outcome, ctx);
      if (outcome.interrupted) ctx.io.warn('Interrupted: stopped sending; recipients marked "not sent" were not sent.');
      process.exitCode = sendExitCode(outcome);
    });
}
