// Step 2, plan (pure): recipients, {{column}} placeholders, body length, sender and media, checked
// against the provider's capabilities. Every problem is listed, not just the first (nothing is
// sent while any remains).
import { ErrorCode } from '../../errors/errors.js';
import type { ResolvedMedia } from '../../media/resolve.js';
import { sanitizeForTerminal } from '../../output/sanitize.js';
import type { ProviderAdapter } from '../../providers/types.js';
import { arrayList, MAX_LISTED_INVALID, type RecipientScan } from '../../recipients/list.js';
import { findMissingPlaceholders, listPlaceholders, parseRecipients, renderTemplate, type InvalidRecipient } from '../../recipients/parse.js';
import type { SendInputs } from './inputs.js';
import type { Problem, SendPlan, SendRequest } from './types.js';

/** The provider facts and account values a plan is checked against. */
export interface PlanContext {
  adapter: Pick<ProviderAdapter, 'name' | 'displayName' | 'capabilities' | 'checkSender'>;
  profile: string;
  from?: string;
}

type PlanRequest = Pick<SendRequest, 'toFile' | 'media' | 'skipInvalid' | 'concurrency' | 'ratePerSecond'>;

/** Builds the plan and lists every problem with it (pure: the inputs are already read, a streamed list already scanned). */
export function planSend(request: PlanRequest, inputs: SendInputs, media: ResolvedMedia, ctx: PlanContext): { plan: SendPlan; problems: Problem[] } {
  const scan = inputs.scanned ?? scanInMemory(inputs, ctx.adapter.capabilities.maxBodyChars);
  const warnings: string[] = [];
  const problems = [
    ...recipientProblems(scan, request, warnings),
    ...(inputs.body !== undefined ? bodyProblems(inputs.body, scan, ctx.adapter) : []),
    ...senderProblems(ctx),
    ...media.problems.map((p) => ({ code: p.code, message: sanitizeForTerminal(p.message) })),
  ];
  warnings.push(...media.warnings.map((w) => sanitizeForTerminal(w)));
  if ((inputs.body === undefined || inputs.body.trim() === '') && request.media.length === 0) {
    problems.push({ code: ErrorCode.MESSAGE_EMPTY, message: 'the message is empty: no --body and no --media' });
  }
  const plan: SendPlan = {
    provider: ctx.adapter.name,
    profile: ctx.profile,
    ...(ctx.from !== undefined ? { from: ctx.from } : {}),
    recipients: scan.list,
    invalid: scan.invalid,
    invalidCount: scan.invalidCount,
    duplicates: scan.duplicates,
    ...(inputs.body !== undefined ? { body: inputs.body } : {}),
    media: media.items,
    warnings,
    ratePerSecond: request.ratePerSecond ?? ctx.adapter.capabilities.defaultRatePerSecond,
    concurrency: request.concurrency,
  };
  return { plan, problems };
}

/** The scan of inputs given as text (callers that hold the whole list): parsed at once, then measured like a stream. */
function scanInMemory(inputs: SendInputs, maxChars: number): RecipientScan {
  const parsed = parseRecipients({
    to: inputs.rawTo,
    ...(inputs.file ? { file: inputs.file } : {}),
    ...(inputs.defaultCountry ? { defaultCountry: inputs.defaultCountry } : {}),
  });
  let tooLong: RecipientScan['tooLong'];
  if (inputs.body !== undefined && listPlaceholders(inputs.body).length > 0) {
    for (const r of parsed.valid) {
      const n = [...renderTemplate(inputs.body, r.fields)].length;
      if (n <= maxChars) continue;
      tooLong ??= { count: 0, example: `${r.to} (${n} characters)` };
      tooLong.count++;
    }
  }
  return {
    list: arrayList(parsed.valid),
    invalid: parsed.invalid.slice(0, MAX_LISTED_INVALID),
    invalidCount: parsed.invalid.length,
    duplicates: parsed.duplicates,
    ...(parsed.columns ? { columns: parsed.columns } : {}),
    ...(tooLong ? { tooLong } : {}),
  };
}

function describeInvalid(i: InvalidRecipient): string {
  const where = i.source === '--to' ? '--to' : `${sanitizeForTerminal(i.source)}${i.line !== undefined ? `:${i.line}` : ''}`;
  return `${where} "${sanitizeForTerminal(i.input)}": ${i.reason}`;
}

/**
 * Invalid recipients are problems (the first MAX_LISTED_INVALID listed, the rest counted: see problemsError),
 * or warnings with --skip-invalid; nobody to send to is a problem.
 */
function recipientProblems(scan: RecipientScan, request: PlanRequest, warnings: string[]): Problem[] {
  const problems: Problem[] = [];
  const { invalid, invalidCount } = scan;
  const valid = scan.list.count;
  if (invalidCount > 0) {
    if (request.skipInvalid) {
      const listed = `${invalid.slice(0, 5).map(describeInvalid).join('; ')}${invalidCount > 5 ? '; …' : ''}`;
      warnings.push(`skipping ${invalidCount} invalid recipient${invalidCount === 1 ? '' : 's'} (--skip-invalid): ${listed}`);
    } else {
      for (const i of invalid) problems.push({ code: ErrorCode.RECIPIENT_INVALID, message: describeInvalid(i) });
      if (invalidCount > invalid.length) problems.push(unlistedProblems(invalidCount - invalid.length));
    }
  }
  if (valid === 0 && invalidCount === 0) {
    const flag = request.toFile !== undefined ? `--to-file ${sanitizeForTerminal(request.toFile)}` : '--to';
    problems.push({ code: ErrorCode.RECIPIENT_MISSING, message: `${flag}: no recipients found` });
  } else if (valid === 0 && request.skipInvalid) {
    problems.push({ code: ErrorCode.RECIPIENT_INVALID, message: 'every recipient is invalid: there is no one to send to' });
  }
  return problems;
}

/** The problems past the listed ones, as one entry that stands for all of them (problemsError counts, never lists, it). */
function unlistedProblems(n: number): Problem {
  return { code: ErrorCode.RECIPIENT_INVALID, message: `${n} more invalid recipient${n === 1 ? '' : 's'}`, unlisted: n };
}

/** Placeholders need a CSV column each; the text (per recipient, when templated) must fit. */
function bodyProblems(body: string, scan: RecipientScan, adapter: PlanContext['adapter']): Problem[] {
  const max = adapter.capabilities.maxBodyChars;
  const missing = findMissingPlaceholders(body, scan.columns ?? []);
  if (missing.length > 0) {
    const why = scan.columns ? `the CSV has no such column (columns: ${scan.columns.join(', ')})` : 'there is no CSV (--to-file with a header) to fill it from';
    return [{ code: ErrorCode.INPUT_INVALID, message: `--body uses ${missing.map((m) => `{{${m}}}`).join(', ')} but ${why}` }];
  }
  if (listPlaceholders(body).length > 0) {
    if (!scan.tooLong) return [];
    const { count, example } = scan.tooLong;
    const who = `${count} recipient${count === 1 ? '' : 's'}`;
    return [
      { code: ErrorCode.BODY_TOO_LONG, message: `--body: the text for ${who} is longer than ${adapter.displayName}'s ${max} characters, e.g. ${example}` },
    ];
  }
  const n = [...body].length;
  return n > max ? [{ code: ErrorCode.BODY_TOO_LONG, message: `--body: ${n} characters, ${adapter.displayName} allows at most ${max}` }] : [];
}

function senderProblems(ctx: PlanContext): Problem[] {
  if (ctx.from === undefined || !ctx.adapter.checkSender) return [];
  const bad = ctx.adapter.checkSender(ctx.from);
  return bad ? [{ code: ErrorCode.SENDER_INVALID, message: `--from "${sanitizeForTerminal(ctx.from)}": ${bad}` }] : [];
}
