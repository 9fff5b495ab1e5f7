// mms send: validate every recipient and media item first (nothing is sent if anything is wrong),
// then dispatch with a shared rate limit, safe retries and an optional journal, and report per
// recipient. Heavy modules load inside the action so `mms --help` stays fast.
import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import type { AppContext } from '../context.js';
import type { MediaItem, MessageRequest, MessageStatus, RecipientResult } from '../core/types.js';
import { CliError, ErrorCode, InputError, UsageError, exitCodeForErrorCode, type ErrorCodeValue } from '../errors/errors.js';
import { ExitCode } from '../errors/exit-codes.js';
import { writeJson, writeNdjson } from '../output/json.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
import { parsePort, parsePositiveInt, parseRate, parseSeconds, tunnelChoice } from './flags.js';
import { collect, loadAccount, readStdin, splitList, withExitCode } from './shared.js';
import { formatBytes } from '../media/size.js';
import type { GlobalOptions } from './index.js';
import type { DispatchProgress, DispatchSummary } from '../core/send-runner.js';

export interface SendOptions extends GlobalOptions {
  to: string[];
  toFile?: string;
  from?: string;
  body?: string;
  bodyFile?: string;
  media: string[];
  dryRun: boolean;
  provider?: string;
  baseUrl?: string;
  defaultCountry?: string;
  statusCallback?: string;
  skipInvalid?: boolean;
  concurrency: string;
  rate?: string;
  retryAmbiguous?: boolean;
  journal?: string;
  progress?: boolean;
  ndjson?: boolean;
  checkMedia?: boolean;
  tunnel?: string | boolean;
  publicUrl?: string;
  tunnelHost?: string;
  mediaTimeout: string;
  wait?: string | boolean;
}

/** One problem found while validating input. */
export interface Problem {
  code: ErrorCodeValue;
  message: string;
}

export interface SendPlan {
  provider: string;
  profile: string;
  from?: string;
  recipients: Array<{ to: string; fields: Record<string, string> }>;
  invalid: Array<{ input: string; source: string; line?: number; reason: string }>;
  duplicates: number;
  body?: string;
  media: MediaItem[];
  warnings: string[];
  ratePerSecond: number;
  concurrency: number;
}

/** Delivery status learned through --wait. */
export interface DeliveryInfo {
  status: MessageStatus | 'pending';
  providerStatus?: string;
  errorCode?: string | number;
}

export interface SendOutcome {
  plan: SendPlan;
  dryRun: boolean;
  results: RecipientResult[];
  summary: DispatchSummary | undefined;
  interrupted: boolean;
  /** id → delivery status, with --wait. */
  delivery?: Map<string, DeliveryInfo>;
  waited: boolean;
}

/** Hooks the command passes so output can stream while sending. */
export interface SendHooks {
  onResult?(r: RecipientResult): void;
  onProgress?(p: DispatchProgress): void;
  note?(line: string): void;
}

const MAX_LISTED = 20;

function problemsError(problems: Problem[]): InputError {
  const first = problems[0]!;
  if (problems.length === 1) {
    return new InputError(first.code, `${first.message}; nothing was sent`, { details: { problems }, suggestion: suggestionFor(first.code) });
  }
  const listed = problems.slice(0, MAX_LISTED).map((p) => `  - ${p.message}`);
  if (problems.length > MAX_LISTED) listed.push(`  … and ${problems.length - MAX_LISTED} more (all of them are in --json output)`);
  return new InputError(first.code, `${problems.length} problems found, nothing was sent:\n${listed.join('\n')}`, {
    details: { problems },
    suggestion: problems.every((p) => p.code === ErrorCode.RECIPIENT_INVALID) ? 'Fix the numbers, or pass --skip-invalid to send to the valid ones only' : 'Fix the inputs above and run the command again',
  });
}

function suggestionFor(code: ErrorCodeValue): string {
  switch (code) {
    case ErrorCode.RECIPIENT_INVALID:
      return 'Write numbers in E.164 (+15551234567), set --default-country for national numbers, or pass --skip-invalid';
    case ErrorCode.MESSAGE_EMPTY:
      return 'Add --body "text" and/or --media <file-or-url>';
    case ErrorCode.BODY_TOO_LONG:
      return 'Shorten the text';
    case ErrorCode.INPUT_INVALID:
      return 'Add the missing column to the CSV, or remove the placeholder from --body';
    default:
      return 'Fix the input and run the command again';
  }
}

async function readBodyInput(opts: SendOptions, stdinText: () => Promise<string>): Promise<string | undefined> {
  if (opts.body === '-' || opts.bodyFile === '-') return (await stdinText()).replace(/\r?\n$/, '');
  if (opts.bodyFile === undefined) return opts.body;
  try {
    return (await readFile(opts.bodyFile, 'utf8')).replace(/\r?\n$/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(ErrorCode.BODY_UNREADABLE, `--body-file ${sanitizeForTerminal(opts.bodyFile)}: ${code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`}; nothing was sent`, {
      suggestion: 'Pass a readable text file, or --body "text"',
    });
  }
}

// Everything validation needs, started as soon as this command is chosen and loaded in parallel
// (a waterfall of imports is mostly waiting on the disk).
let validation: ReturnType<typeof loadValidationModules> | undefined;
function loadValidationModules() {
  return [import('../recipients/parse.js'), import('../recipients/e164.js'), import('../media/resolve.js')] as const;
}
function validationModules() {
  return (validation ??= loadValidationModules());
}

/** Validates everything, then (unless --dry-run) sends. Returns data; never prints (hooks aside). */
export async function runSend(opts: SendOptions, ctx: AppContext, hooks: SendHooks = {}): Promise<SendOutcome> {
  const concurrency = parsePositiveInt(opts.concurrency ?? '4', '--concurrency', 512);
  const mediaTimeoutS = parseSeconds(opts.mediaTimeout ?? '120', '--media-timeout');
  const waitS = opts.wait === undefined || opts.wait === false ? undefined : opts.wait === true ? 120 : parseSeconds(opts.wait, '--wait');
  const stdinUsers = [opts.body === '-' && '--body -', opts.bodyFile === '-' && '--body-file -', opts.toFile === '-' && '--to-file -'].filter(Boolean);
  if (stdinUsers.length > 1) throw new UsageError(`stdin can feed only one input, but ${stdinUsers.join(' and ')} both ask for it`, { code: ErrorCode.INVALID_ARGUMENT });
  let stdinCache: Promise<string> | undefined;
  const stdinText = () => (stdinCache ??= readStdin(ctx));

  const rawTo = splitList(opts.to);
  if (rawTo.length === 0 && opts.toFile === undefined) {
    if (!ctx.io.canPrompt) {
      throw new UsageError('--to is required when not running interactively', { code: ErrorCode.MISSING_ARGUMENT, suggestion: 'Example: mms send --to +15551234567 --body "hi" (or --to-file numbers.csv)' });
    }
    const { askText } = await import('../output/prompt.js');
    rawTo.push(await askText(ctx.io, '--to', 'Send to (E.164, e.g. +15551234567):'));
  }
  const [loaded, { parseRecipients, findMissingPlaceholders, listPlaceholders, renderTemplate }, { toCountryCode }, { resolveMedia, typeAllowed }] = await Promise.all([
    loadAccount(ctx, opts),
    ...validationModules(),
  ]);
  const { adapter, account } = loaded;
  const caps = adapter.capabilities;
  const ratePerSecond = parseRate(opts.rate ?? String(caps.defaultRatePerSecond));
  const problems: Problem[] = [];
  const warnings: string[] = [];

  const body = await readBodyInput(opts, stdinText);

  // Recipients: flags and/or a file (plain lines or CSV with a phone column).
  const country = opts.defaultCountry ?? ctx.store().readConfig().settings.defaultCountry;
  if (country !== undefined && !toCountryCode(country)) {
    throw new UsageError(`--default-country "${country}" is not a country code libphonenumber knows`, { code: ErrorCode.INVALID_ARGUMENT, suggestion: 'Use an ISO 3166 code such as US, GB or DE' });
  }
  let file: { text: string; source: string } | undefined;
  if (opts.toFile !== undefined) {
    if (opts.toFile === '-') file = { text: await stdinText(), source: 'stdin' };
    else {
      try {
        file = { text: await readFile(opts.toFile, 'utf8'), source: opts.toFile };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new InputError(ErrorCode.RECIPIENT_INVALID, `--to-file ${sanitizeForTerminal(opts.toFile)}: ${code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`}; nothing was sent`, {
          suggestion: 'Pass a readable file with one number per line, or a CSV with a phone/to/number column ("-" reads stdin)',
        });
      }
    }
  }
  const parsed = parseRecipients({ to: rawTo, ...(file ? { file } : {}), ...(country ? { defaultCountry: country } : {}) });
  const describeInvalid = (i: (typeof parsed.invalid)[number]) =>
    `${i.source === '--to' ? '--to' : `${sanitizeForTerminal(i.source)}${i.line !== undefined ? `:${i.line}` : ''}`} "${sanitizeForTerminal(i.input)}": ${i.reason}`;
  if (parsed.invalid.length > 0) {
    if (opts.skipInvalid) {
      warnings.push(`skipping ${parsed.invalid.length} invalid recipient${parsed.invalid.length === 1 ? '' : 's'} (--skip-invalid): ${parsed.invalid.slice(0, 5).map(describeInvalid).join('; ')}${parsed.invalid.length > 5 ? '; …' : ''}`);
    } else {
      for (const i of parsed.invalid) problems.push({ code: ErrorCode.RECIPIENT_INVALID, message: describeInvalid(i) });
    }
  }
  if (parsed.valid.length === 0 && parsed.invalid.length === 0) {
    problems.push({ code: ErrorCode.RECIPIENT_MISSING, message: `${opts.toFile !== undefined ? `--to-file ${sanitizeForTerminal(opts.toFile)}` : '--to'}: no recipients found` });
  } else if (parsed.valid.length === 0 && opts.skipInvalid) {
    problems.push({ code: ErrorCode.RECIPIENT_INVALID, message: 'every recipient is invalid: there is no one to send to' });
  }

  // Body and {{column}} placeholders.
  if (body !== undefined) {
    const placeholders = listPlaceholders(body);
    const missing = findMissingPlaceholders(body, parsed.columns ?? []);
    if (missing.length > 0) {
      problems.push({
        code: ErrorCode.INPUT_INVALID,
        message: `--body uses ${missing.map((m) => `{{${m}}}`).join(', ')} but ${parsed.columns ? `the CSV has no such column (columns: ${parsed.columns.join(', ')})` : 'there is no CSV (--to-file with a header) to fill it from'}`,
      });
    } else if (placeholders.length > 0) {
      let tooLong = 0;
      let example = '';
      for (const r of parsed.valid) {
        const n = [...renderTemplate(body, r.fields)].length;
        if (n > caps.maxBodyChars) {
          tooLong++;
          example ||= `${r.to} (${n} characters)`;
        }
      }
      if (tooLong > 0) problems.push({ code: ErrorCode.BODY_TOO_LONG, message: `--body: the text for ${tooLong} recipient${tooLong === 1 ? '' : 's'} is longer than ${adapter.displayName}'s ${caps.maxBodyChars} characters, e.g. ${example}` });
    } else if ([...body].length > caps.maxBodyChars) {
      problems.push({ code: ErrorCode.BODY_TOO_LONG, message: `--body: ${[...body].length} characters, ${adapter.displayName} allows at most ${caps.maxBodyChars}` });
    }
  }

  // Sender.
  const from = account.from?.value;
  if (from !== undefined && adapter.checkSender) {
    const bad = adapter.checkSender(from);
    if (bad) problems.push({ code: ErrorCode.SENDER_INVALID, message: `--from "${sanitizeForTerminal(from)}": ${bad}` });
  }

  // Media.
  const media = await resolveMedia(opts.media ?? [], caps, adapter.displayName);
  for (const p of media.problems) problems.push({ code: p.code, message: sanitizeForTerminal(p.message) });
  warnings.push(...media.warnings.map((w) => sanitizeForTerminal(w)));
  if ((body === undefined || body.trim() === '') && (opts.media ?? []).length === 0) {
    problems.push({ code: ErrorCode.MESSAGE_EMPTY, message: 'the message is empty: no --body and no --media' });
  }
  if (opts.checkMedia) {
    const callCtx = { http: (await import('../providers/http-client.js')).createHttpClient({ provider: adapter.name, env: ctx.env }) };
    await Promise.all(
      media.items
        .filter((m) => m.kind === 'url')
        .map(async (m) => {
          const shown = sanitizeForTerminal(m.input);
          try {
            const res = await callCtx.http.request({ method: 'HEAD', url: m.url!, timeoutMs: 15_000, signal: ctx.signal });
            const type = (res.headers['content-type'] ?? '').split(';')[0]!.trim();
            const len = Number(res.headers['content-length'] ?? NaN);
            if (res.status >= 400) problems.push({ code: ErrorCode.MEDIA_FETCH_FAILED, message: `--media ${shown}: HEAD answered HTTP ${res.status}` });
            else if (!type) problems.push({ code: ErrorCode.MEDIA_TYPE_UNSUPPORTED, message: `--media ${shown}: the server sends no Content-Type (providers reject such media)` });
            else if (!typeAllowed(type, caps.mediaTypes)) problems.push({ code: ErrorCode.MEDIA_TYPE_UNSUPPORTED, message: `--media ${shown}: ${type} is not a type ${adapter.displayName} accepts` });
            else {
              m.contentType = type;
              if (Number.isFinite(len)) {
                m.size = len;
                if (len > caps.maxFileBytes) problems.push({ code: ErrorCode.MEDIA_TOO_LARGE, message: `--media ${shown}: ${formatBytes(len)} is over ${adapter.displayName}'s ${formatBytes(caps.maxFileBytes)} limit` });
              }
            }
          } catch (err) {
            problems.push({ code: ErrorCode.MEDIA_FETCH_FAILED, message: `--media ${shown}: ${(err as Error).message}` });
          }
        }),
    );
  }

  if (problems.length > 0) throw problemsError(problems);

  const plan: SendPlan = {
    provider: adapter.name,
    profile: account.profile.name,
    ...(from !== undefined ? { from } : {}),
    recipients: parsed.valid,
    invalid: parsed.invalid,
    duplicates: parsed.duplicates,
    ...(body !== undefined ? { body } : {}),
    media: media.items,
    warnings,
    ratePerSecond,
    concurrency,
  };
  if (opts.dryRun) return { plan, dryRun: true, results: [], summary: undefined, interrupted: false, waited: false };

  if (from === undefined) {
    throw new UsageError('--from is required: no default sender in the profile', {
      code: ErrorCode.SENDER_MISSING,
      suggestion: 'Pass --from +15551234567, or store one: mms config set from +15551234567',
    });
  }
  const callCtx = loaded.callContext();
  const cleanups: Array<() => Promise<void>> = [];
  try {
    // Journal first: a second run on the same journal must stop before anything is served or sent.
    const journalMod = opts.journal !== undefined ? await import('../core/journal.js') : undefined;
    const journal = journalMod ? journalMod.Journal.open(opts.journal!) : undefined;
    if (journal) {
      cleanups.push(async () => journal.close());
      if (journal.loaded.truncatedTail) hooks.note?.(`Journal ${sanitizeForTerminal(opts.journal!)}: its last line was cut short (an earlier run was killed).`);
      // Recipients an earlier run left in doubt: ask the provider's message log instead of guessing.
      if (adapter.findSent && !opts.retryAmbiguous) {
        const wanted = new Set(parsed.valid.map((r) => r.to));
        const unsettled = [...journal.loaded.records.values()].filter((r) => (r.status === 'started' || r.status === 'unknown') && wanted.has(r.to));
        for (const rec of unsettled) {
          const since = new Date(Date.parse(rec.at) - (rec.status === 'started' ? 2_000 : 120_000));
          try {
            const found = await adapter.findSent({ to: rec.to, from, since }, callCtx);
            const age = Date.now() - Date.parse(rec.at);
            if (!found && age < (adapter.messageLogDelayMs ?? 0)) {
              hooks.note?.(`${rec.to}: an earlier run did not record the outcome, and it is too recent for ${adapter.displayName}'s message log to be sure; left as unknown (re-run in a minute to settle it).`);
              continue;
            }
            journal.reconciled(rec.to, found);
            hooks.note?.(`${rec.to}: an earlier run did not record the outcome; the provider's log ${found ? `has it (${found.id}), so it is not sent again` : 'has no such message, so it is sent now'}.`);
          } catch (err) {
            hooks.note?.(`${rec.to}: could not check the provider's log (${(err as Error).message}); left as unknown.`);
          }
        }
      }
    }

    // Media: local files are uploaded (providers with an upload API) or served from here.
    const localFiles = media.items.filter((m) => m.kind === 'file');
    const mediaUrls = media.items.filter((m) => m.kind === 'url').map((m) => m.url!);
    const mediaIds: string[] = [];
    const served: Array<{ token: string }> = [];
    let endpoint: import('../webhook/endpoint.js').PublicEndpoint | undefined;
    const needEndpoint = (localFiles.length > 0 && caps.mediaTransport === 'url') || waitS !== undefined;
    if (needEndpoint) {
      const { openEndpoint } = await import('../webhook/endpoint.js');
      const explicit = (opts.tunnel !== undefined && opts.tunnel !== false) || opts.publicUrl !== undefined;
      endpoint = await openEndpoint({
        port: parsePort(undefined),
        ...(opts.tunnel !== undefined && opts.tunnel !== false ? { tunnel: tunnelChoice(opts.tunnel)! } : {}),
        ...(opts.publicUrl !== undefined ? { publicUrl: opts.publicUrl } : {}),
        ...(opts.tunnelHost !== undefined ? { tunnelHost: opts.tunnelHost } : {}),
        providerBaseUrl: account.baseUrl.value,
        env: ctx.env,
        whenUnspecified: 'auto',
        ...(hooks.note ? { note: hooks.note } : {}),
      }).catch((err: unknown) => {
        // No way to publish local files: that is a problem with the input as given (nothing sent).
        if (!explicit && localFiles.length > 0 && err instanceof CliError && err.exitCode === ExitCode.USAGE) {
          throw new InputError(ErrorCode.MEDIA_NEEDS_PUBLIC_URL, `--media ${sanitizeForTerminal(localFiles[0]!.input)}: ${adapter.displayName} fetches media from a public URL, and no tunnel is available to publish local files (${err.message}); nothing was sent`, {
            suggestion: `Pass the media as a public https:// URL, or make local files reachable: --public-url <https-url>, NGROK_AUTHTOKEN (+ @ngrok/ngrok), or cloudflared on PATH`,
          });
        }
        throw err;
      });
      const ep = endpoint;
      cleanups.push(() => ep.close());
    }
    for (const f of localFiles) {
      // Read once: every recipient's fetch is served from this copy.
      const data = await readFile(f.path!);
      if (caps.mediaTransport === 'url') {
        const route = endpoint!.server.addMediaFile({ path: f.path!, contentType: f.contentType!, size: data.length, fileName: f.fileName ?? 'media', data });
        served.push({ token: route.token });
        mediaUrls.push(`${endpoint!.publicUrl}${route.routePath}`);
      } else if (adapter.uploadMedia) {
        mediaIds.push(await adapter.uploadMedia({ path: f.path!, fileName: f.fileName ?? 'media', contentType: f.contentType!, size: data.length }, callCtx));
      }
    }

    // --wait: delivery receipts come back to a verified status route.
    const delivery = new Map<string, DeliveryInfo>();
    let statusUrl = opts.statusCallback;
    let onStatus: (() => void) | undefined;
    if (waitS !== undefined && endpoint) {
      const ep = endpoint;
      const path = ep.server.addWebhookRoute('status', async (req) => {
        const wreq = { method: req.method, publicUrl: `${ep.publicUrl}${req.url}`, headers: req.headers as Record<string, string | string[] | undefined>, rawBody: req.rawBody };
        if (!adapter.verifyWebhook || !adapter.verifyWebhook(wreq, callCtx.credentials)) {
          hooks.note?.(`Rejected a status callback with a missing or invalid signature (${sanitizeForTerminal(String(req.headers['user-agent'] ?? 'unknown client'))}).`);
          return { status: 403, body: 'invalid signature' };
        }
        for (const ev of adapter.parseWebhook?.(wreq) ?? []) {
          if (ev.type !== 'status') continue;
          delivery.set(ev.id, { status: ev.status, providerStatus: ev.providerStatus, ...(ev.errorCode !== undefined ? { errorCode: ev.errorCode } : {}) });
        }
        onStatus?.();
        return adapter.webhookReply?.('status') ?? { status: 200 };
      });
      statusUrl = `${ep.publicUrl}${path}`;
    }

    const { runDispatch } = await import('../core/send-runner.js');
    const { TokenBucket } = await import('../core/token-bucket.js');
    const { createRetryPolicy } = await import('../core/retry.js');
    const hasTemplate = body !== undefined && listPlaceholders(body).length > 0;
    const unknowns: RecipientResult[] = [];
    const outcome = await runDispatch({
      recipients: parsed.valid,
      buildRequest: (r): MessageRequest => {
        const text = body === undefined ? undefined : hasTemplate ? renderTemplate(body, r.fields) : body;
        return {
          to: r.to,
          from,
          ...(text !== undefined && text !== '' ? { body: text } : {}),
          mediaUrls,
          ...(mediaIds.length ? { mediaIds } : {}),
          ...(statusUrl ? { statusCallbackUrl: statusUrl } : {}),
        };
      },
      send: (req, signal) => adapter.send(req, { ...callCtx, signal }),
      concurrency,
      ...(Number.isFinite(ratePerSecond) ? { bucket: new TokenBucket({ ratePerSecond, burst: Math.max(1, Math.min(concurrency, Math.ceil(ratePerSecond))) }) } : {}),
      retryPolicy: createRetryPolicy({ retryAmbiguous: Boolean(opts.retryAmbiguous) }),
      ...(journal ? { journal } : {}),
      signal: ctx.signal,
      // Unknown outcomes are held back until the provider's log has been asked (below).
      onResult: (r: RecipientResult) => {
        if (r.status === 'unknown' && adapter.findSent) unknowns.push(r);
        else hooks.onResult?.(r);
      },
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      onRetry: (n) => ctx.io.debugLog(`retry ${n.to} after attempt ${n.attempt} in ${n.delayMs} ms: ${n.error.code} ${n.error.message}`),
      collectResults: !opts.ndjson,
    });
    // Outcomes left unknown by a lost answer: the provider's log settles them (never a resend).
    // The results are shared objects (also in outcome.results), so updating them updates both.
    let settled = 0;
    for (const r of unknowns) {
      try {
        const found = await adapter.findSent!({ to: r.to, from, since: new Date(Date.now() - outcome.summary.durationMs - 5_000) }, callCtx);
        if (found) {
          r.status = 'accepted';
          r.id = found.id;
          r.providerStatus = found.providerStatus;
          delete r.error;
          outcome.summary.unknown--;
          outcome.summary.accepted++;
          journal?.reconciled(r.to, found);
          settled++;
          if (unknowns.length <= 5) hooks.note?.(`${r.to}: the answer was lost, but the provider's log shows the message (${found.id}): counted as accepted.`);
        }
      } catch {
        // Stays unknown: the summary says so and nothing is resent.
      }
      hooks.onResult?.(r);
    }
    if (unknowns.length > 5) hooks.note?.(`${unknowns.length} answers were lost; the provider's log shows ${settled} of those messages (counted as accepted)${settled < unknowns.length ? `, the other ${unknowns.length - settled} stay unknown and were not resent` : ''}.`);
    const fatal = outcome.stopError;
    if (fatal && outcome.summary.accepted === 0) throw fatal;
    if (fatal instanceof CliError) hooks.note?.(`Stopped early: ${fatal.message}`);

    // Keep serving local files until every accepted message has fetched them (or the timeout).
    if (served.length > 0 && outcome.summary.accepted > 0 && endpoint) {
      const ep = endpoint;
      const deadline = Date.now() + mediaTimeoutS * 1000;
      const want = outcome.summary.accepted;
      while (served.some((s) => ep.server.fetchCount(s.token) < want) && Date.now() < deadline && !ctx.signal.aborted) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const short = served.filter((s) => ep.server.fetchCount(s.token) < want);
      if (short.length > 0) hooks.note?.(`Warning: ${short.length} local file${short.length === 1 ? ' was' : 's were'} not fetched for every message before the ${mediaTimeoutS} s media timeout; those messages may fail.`);
    }

    // --wait: until every accepted message has a final delivery status, or the deadline.
    let waited = false;
    if (waitS !== undefined) {
      waited = true;
      const { FINAL_STATUSES } = await import('../core/types.js');
      const ids = outcome.results.filter((r) => r.status === 'accepted' && r.id).map((r) => r.id!);
      const pendingIds = () => ids.filter((id) => !FINAL_STATUSES.has((delivery.get(id)?.status ?? 'queued') as MessageStatus));
      if (ids.length > 0) hooks.note?.(`Waiting up to ${waitS} s for delivery receipts…`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitS * 1000);
        function done(): void {
          clearTimeout(timer);
          onStatus = undefined;
          ctx.signal.removeEventListener('abort', done);
          resolve();
        }
        onStatus = () => {
          if (pendingIds().length === 0) done();
        };
        ctx.signal.addEventListener('abort', done, { once: true });
        onStatus();
      });
      for (const id of pendingIds()) if (!delivery.has(id)) delivery.set(id, { status: 'pending' });
    }
    return { plan, dryRun: false, results: outcome.results, summary: outcome.summary, interrupted: outcome.interrupted, ...(waited ? { delivery } : {}), waited };
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}

/** Summary counts for a finished run's results. */
export function summarise(results: RecipientResult[]): { total: number; accepted: number; failed: number; unknown: number; skipped: number } {
  const s = { total: results.length, accepted: 0, failed: 0, unknown: 0, skipped: 0 };
  for (const r of results) s[r.status]++;
  return s;
}

/**
 * The exit code of a run: 0 when every recipient was accepted (or already was, per the journal),
 * 3 when some were and some were not, the failures' own code when none was; 130 when interrupted;
 * with --wait, 8 when a delivery status is still pending, 3/6 when a delivery failed.
 */
export function sendExitCode(outcome: Pick<SendOutcome, 'dryRun' | 'interrupted' | 'results' | 'delivery'> & { summary?: DispatchSummary | undefined }): number {
  if (outcome.dryRun) return ExitCode.OK;
  if (outcome.interrupted) return ExitCode.INTERRUPTED;
  const s = outcome.summary ?? { ...summarise(outcome.results), notAttempted: 0, durationMs: 0 };
  let deliveryFailed = 0;
  let pending = 0;
  for (const d of outcome.delivery?.values() ?? []) {
    if (d.status === 'delivered' || d.status === 'received') continue;
    if (d.status === 'undelivered' || d.status === 'failed' || d.status === 'canceled') deliveryFailed++;
    else pending++;
  }
  const bad = s.failed + s.unknown + s.notAttempted + deliveryFailed;
  if (bad === 0) return pending > 0 ? ExitCode.PENDING : ExitCode.OK;
  if (s.accepted + s.skipped - deliveryFailed > 0) return ExitCode.PARTIAL;
  // Nobody got the message: the most common failure decides (a failed delivery counts as a rejection).
  const counts = new Map<number, number>();
  if (deliveryFailed > 0) counts.set(ExitCode.PROVIDER_REJECTED, deliveryFailed);
  for (const r of outcome.results) {
    if (!r.error || r.status === 'accepted' || r.status === 'skipped') continue;
    const c = exitCodeForErrorCode(r.error.code);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best: number = ExitCode.PROVIDER_REJECTED;
  let n = -1;
  for (const [c, k] of counts) if (k > n) [best, n] = [c, k];
  return best;
}

function resultJson(r: RecipientResult, delivery: Map<string, DeliveryInfo> | undefined): Record<string, unknown> {
  const d = r.id ? delivery?.get(r.id) : undefined;
  return { ...r, ...(d ? { delivery: d } : {}) };
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The progress line: sent / failed / remaining, rate, ETA. */
export function progressLine(p: DispatchProgress): string {
  const rate = p.elapsedMs > 0 ? (p.done / p.elapsedMs) * 1000 : 0;
  const remaining = p.total !== undefined ? p.total - p.done : undefined;
  const eta = remaining !== undefined && rate > 0 ? formatDuration((remaining / rate) * 1000) : '?';
  return `sent ${p.accepted}  failed ${p.failed}${p.unknown ? `  unknown ${p.unknown}` : ''}${p.skipped ? `  skipped ${p.skipped}` : ''}${remaining !== undefined ? `  remaining ${remaining}` : ''}  ${rate.toFixed(1)}/s  ETA ${eta}`;
}

function renderPlan(outcome: SendOutcome, ctx: AppContext): void {
  const { io } = ctx;
  const { plan } = outcome;
  const estimate = Number.isFinite(plan.ratePerSecond) ? formatDuration((plan.recipients.length / plan.ratePerSecond) * 1000) : 'as fast as the provider answers';
  if (io.json) {
    writeJson(io, {
      summary: { dryRun: true, provider: plan.provider, profile: plan.profile, from: plan.from ?? null, recipients: plan.recipients.length, invalid: plan.invalid.length, duplicates: plan.duplicates },
      plan: {
        recipients: plan.recipients.map((r) => r.to),
        invalid: plan.invalid,
        body: plan.body ?? null,
        media: plan.media.map((m) => ({ input: m.input, kind: m.kind, contentType: m.contentType ?? null, size: m.size ?? null })),
        ratePerSecond: Number.isFinite(plan.ratePerSecond) ? plan.ratePerSecond : null,
        concurrency: plan.concurrency,
        estimatedSeconds: Number.isFinite(plan.ratePerSecond) ? Math.ceil(plan.recipients.length / plan.ratePerSecond) : null,
      },
      results: [],
    });
    return;
  }
  io.out('Dry run: nothing was sent.');
  io.out(`Provider  ${plan.provider} (profile ${plan.profile})`);
  io.out(`From      ${plan.from ?? '(none: pass --from or set a default)'}`);
  io.out(`To        ${plan.recipients.length} recipient${plan.recipients.length === 1 ? '' : 's'}${plan.recipients.length ? `: ${plan.recipients.slice(0, 5).map((r) => r.to).join(', ')}${plan.recipients.length > 5 ? ', …' : ''}` : ''}`);
  if (plan.invalid.length) io.out(`Invalid   ${plan.invalid.length} (skipped)`);
  if (plan.duplicates) io.out(`Repeated  ${plan.duplicates} (sent once)`);
  io.out(`Body      ${plan.body !== undefined ? `${[...plan.body].length} characters` : '(none)'}`);
  for (const m of plan.media) io.out(`Media     ${sanitizeForTerminal(m.input)}  ${m.contentType ?? 'type unknown'}${m.size !== undefined ? `  ${formatBytes(m.size)}` : ''}`);
  io.out(`Rate      ${Number.isFinite(plan.ratePerSecond) ? `${plan.ratePerSecond}/s` : 'unlimited'}, ${plan.concurrency} at a time; about ${estimate}`);
}

function renderResultLine(r: RecipientResult, ctx: AppContext, width: number, delivery?: Map<string, DeliveryInfo>): void {
  const { io, outTheme: t } = ctx;
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

/** `mms send`. */
export function createSendCommand(ctx: AppContext): Command {
  return new Command('send')
    .description('send an MMS (text plus images, video or audio) to one or more recipients')
    .option('-t, --to <numbers>', 'recipient, E.164 (repeatable, comma-separated)', collect, [])
    .option('--to-file <path>', 'recipients: one per line, or CSV with a phone/to/number column ("-" for stdin)')
    .option('-f, --from <sender>', "sender number or id (default: the profile's)")
    .addOption(new Option('-b, --body <text>', 'message text ("-" reads stdin); {{column}} is filled from the CSV').conflicts('bodyFile'))
    .option('--body-file <path>', 'read the message text from a file ("-" for stdin)')
    .option('-m, --media <path-or-url>', 'image/video/audio file or URL (repeatable)', collect, [])
    .option('--dry-run', 'validate everything and print the plan; send nothing', false)
    .option('--skip-invalid', 'send to the valid recipients even if some are invalid (they are reported)')
    .option('--default-country <code>', 'country for numbers without +country (ISO code, e.g. US)')
    .option('--concurrency <n>', 'requests in flight at once', '4')
    .option('--rate <n/s>', "send rate shared by the whole run (default: the provider's documented account rate; \"unlimited\")")
    .option('--journal <file>', 'record each outcome; re-running with it skips recipients already accepted')
    .option('--retry-ambiguous', 'resend when the outcome is unknown (may send duplicates)')
    .option('--progress', 'print periodic progress lines even when stderr is not a terminal')
    .option('--ndjson', 'print each result as a JSON line as it happens (for very large lists)')
    .option('--check-media', 'check media URLs with HEAD requests before sending')
    .option('--wait [seconds]', 'wait for delivery receipts (default 120 s); exit 8 if any is still pending')
    .addOption(new Option('--tunnel [backend]', 'how the provider reaches local files and receipts').choices(['auto', 'ngrok', 'cloudflared', 'localtunnel', 'public-url']))
    .option('--public-url <url>', 'public URL that forwards to the local server (instead of a tunnel)')
    .option('--tunnel-host <url>', 'localtunnel server (with --tunnel localtunnel)')
    .option('--media-timeout <seconds>', 'how long to keep serving local files for the provider to fetch', '120')
    .option('--provider <name>', "provider to use (default: the profile's)")
    .option('--base-url <url>', 'API base URL override (regional edge, proxy, or `mms sandbox`)')
    .option('--status-callback <url>', 'URL the provider posts delivery status to')
    .addHelpText(
      'after',
      `
Examples:
  $ mms send --to +15551234567 --media chart.png --body "Nightly chart"
  $ mms send --to-file subscribers.csv --body "Hi {{name}}" --media report.png --journal run.jsonl
  $ echo "Deploy finished" | mms send --to +15551234567 --body -`,
    )
    .hook('preAction', () => {
      // Parsing is done and this command will run: start loading what validation needs.
      void validationModules();
    })
    .action(withExitCode(ctx, async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<SendOptions>();
      const { io } = ctx;
      const streamJson = Boolean(opts.ndjson);
      const liveProgress = io.stderrIsTTY && !io.json && !streamJson && !io.quiet;
      const periodic = Boolean(opts.progress) && !liveProgress;
      let lastProgress = 0;
      let progressShown = false;
      let resultWidth = 16;
      const clearProgress = () => {
        if (progressShown) io.stderr.write('\r\x1b[K');
        progressShown = false;
      };
      const hooks: SendHooks = {
        note: (line) => {
          clearProgress();
          io.warn(line);
        },
        onResult: (r) => {
          if (streamJson) writeNdjson(io, { type: 'result', ...r });
          else if (!io.json) {
            clearProgress();
            renderResultLine(r, ctx, resultWidth);
          }
        },
        onProgress: (p) => {
          const now = Date.now();
          if (liveProgress && now - lastProgress > 100) {
            lastProgress = now;
            io.stderr.write(`\r\x1b[K${progressLine(p)}`);
            progressShown = true;
          } else if (periodic && now - lastProgress > 2000) {
            lastProgress = now;
            io.warn(`progress: ${progressLine(p)}`);
          }
        },
      };
      const outcome = await runSend(opts, ctx, {
        ...hooks,
        onResult: (r) => {
          resultWidth = Math.max(resultWidth, r.to.length);
          hooks.onResult!(r);
        },
      });
      clearProgress();
      for (const w of outcome.plan.warnings) io.warn(ctx.errTheme.warn(`Warning: ${w}`));
      if (outcome.dryRun) {
        renderPlan(outcome, ctx);
        return ExitCode.OK;
      }
      if (streamJson) {
        writeNdjson(io, { type: 'summary', provider: outcome.plan.provider, profile: outcome.plan.profile, ...outcome.summary, interrupted: outcome.interrupted });
      } else if (io.json) {
        writeJson(io, {
          summary: { dryRun: false, provider: outcome.plan.provider, profile: outcome.plan.profile, from: outcome.plan.from ?? null, ...outcome.summary, interrupted: outcome.interrupted },
          results: outcome.results.map((r) => resultJson(r, outcome.delivery)),
        });
      } else if (outcome.delivery) {
        // With --wait, the lines printed while sending showed "queued": print the final states.
        io.info('Delivery:');
        for (const r of outcome.results) if (r.status === 'accepted') renderResultLine(r, ctx, resultWidth, outcome.delivery);
      }
      if (!io.quiet) io.warn((outcome.summary!.accepted + outcome.summary!.skipped === outcome.summary!.total ? ctx.errTheme.success : ctx.errTheme.warn)(summaryLine(outcome)));
      if (outcome.interrupted) io.warn('Interrupted: stopped sending; recipients marked "skipped"/"not sent" were not sent. Re-run with the same --journal to finish.');
      return sendExitCode(outcome);
    }));
}
