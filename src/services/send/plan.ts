// Step 2, plan (pure): recipients, {{column}} placeholders, body length, sender and media, checked
// against the provider's capabilities. Every problem is listed, not just the first (nothing is
// sent while any remains).
import { ErrorCode } from '../../errors/errors.js';
import type { ResolvedMedia } from '../../media/resolve.js';
import { sanitizeForTerminal } from '../../output/sanitize.js';
import type { ProviderAdapter } from '../../providers/types.js';
import { findMissingPlaceholders, listPlaceholders, parseRecipients, renderTemplate, type ParsedRecipients } from '../../recipients/parse.js';
import type { SendInputs } from './inputs.js';
import type { Problem, SendPlan, SendRequest } from './types.js';

/** The provider facts and account values a plan is checked against. */
export interface PlanContext {
  adapter: Pick<ProviderAdapter, 'name' | 'displayName' | 'capabilities' | 'checkSender'>;
  profile: string;
  from?: string;
}

type PlanRequest = Pick<SendRequest, 'toFile' | 'media' | 'skipInvalid' | 'concurrency' | 'ratePerSecond'>;

/** Builds the plan and lists every problem with it (pure: the inputs are already read). */
export function planSend(request: PlanRequest, inputs: SendInputs, media: ResolvedMedia, ctx: PlanContext): { plan: SendPlan; problems: Problem[] } {
  const parsed = parseRecipients({
    to: inputs.rawTo,
    ...(inputs.file ? ('parsed' in inputs.file ? { parsedFile: inputs.file.parsed } : { file: inputs.file }) : {}),
    ...(inputs.defaultCountry ? { defaultCountry: inputs.defaultCountry } : {}),
  });
  const warnings: string[] = [];
  const problems = [
    ...recipientProblems(parsed, request, warnings),
    ...(inputs.body !== undefined ? bodyProblems(inputs.body, parsed, ctx.adapter) : []),
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
    recipients: parsed.valid,
    invalid: parsed.invalid,
    duplicates: parsed.duplicates,
    ...(inputs.body !== undefined ? { body: inputs.body } : {}),
    media: media.items,
    warnings,
    ratePerSecond: request.ratePerSecond ?? ctx.adapter.capabilities.defaultRatePerSecond,
    concurrency: request.concurrency,
  };
  return { plan, problems };
}

function describeInvalid(i: ParsedRecipients['invalid'][number]): string {
  const where = i.source === '--to' ? '--to' : `${sanitizeForTerminal(i.source)}${i.line !== undefined ? `:${i.line}` : ''}`;
  return `${where} "${sanitizeForTerminal(i.input)}": ${i.reason}`;
}

/** Invalid recipients are problems, or warnings with --skip-invalid; nobody to send to is a problem. */
function recipientProblems(parsed: ParsedRecipients, request: PlanRequest, warnings: string[]): Problem[] {
  const problems: Problem[] = [];
  const invalid = parsed.invalid;
  if (invalid.length > 0) {
    if (request.skipInvalid) {
      const listed = `${invalid.slice(0, 5).map(describeInvalid).join('; ')}${invalid.length > 5 ? '; …' : ''}`;
      warnings.push(`skipping ${invalid.length} invalid recipient${invalid.length === 1 ? '' : 's'} (--skip-invalid): ${listed}`);
    } else {
      for (const i of invalid) problems.push({ code: ErrorCode.RECIPIENT_INVALID, message: describeInvalid(i) });
    }
  }
  if (parsed.valid.length === 0 && invalid.length === 0) {
    const flag = request.toFile !== undefined ? `--to-file ${sanitizeForTerminal(request.toFile)}` : '--to';
    problems.push({ code: ErrorCode.RECIPIENT_MISSING, message: `${flag}: no recipients found` });
  } else if (parsed.valid.length === 0 && request.skipInvalid) {
    problems.push({ code: ErrorCode.RECIPIENT_INVALID, message: 'every recipient is invalid: there is no one to send to' });
  }
  return problems;
}

/** Placeholders need a CSV column each; the text (per recipient, when templated) must fit. */
function bodyProblems(body: string, parsed: ParsedRecipients, adapter: PlanContext['adapter']): Problem[] {
  const max = adapter.capabilities.maxBodyChars;
  const missing = findMissingPlaceholders(body, parsed.columns ?? []);
  if (missing.length > 0) {
    const why = parsed.columns
      ? `the CSV has no such column (columns: ${parsed.columns.join(', ')})`
      : 'there is no CSV (--to-file with a header) to fill it from';
    return [{ code: ErrorCode.INPUT_INVALID, message: `--body uses ${missing.map((m) => `{{${m}}}`).join(', ')} but ${why}` }];
  }
  if (listPlaceholders(body).length > 0) {
    let tooLong = 0;
    let example = '';
    for (const r of parsed.valid) {
      const n = [...renderTemplate(body, r.fields)].length;
      if (n > max) {
        tooLong++;
        example ||= `${r.to} (${n} characters)`;
      }
    }
    if (tooLong === 0) return [];
    const who = `${tooLong} recipient${tooLong === 1 ? '' : 's'}`;
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
