// Input problems become one InputError (exit 5): the first problem alone, or a list of up to 20
// (the error's details, which --json prints, hold them all, or the first 100 and the count for huge lists), with what to do next.
import { ErrorCode, InputError, type ErrorCodeValue } from '../../errors/errors.js';
import type { Problem } from './types.js';

const MAX_LISTED = 20;

/**
 * The error for a run with input problems: nothing was sent. A huge list's problems past the first 100 come as one
 * entry that counts them (`unlisted`): they are counted in the message and in `details.problemCount`, not listed.
 */
export function problemsError(all: Problem[]): InputError {
  const problems = all.filter((p) => p.unlisted === undefined);
  const unlisted = all.reduce((n, p) => n + (p.unlisted ?? 0), 0);
  const total = problems.length + unlisted;
  const first = problems[0] ?? all[0]!;
  if (total === 1) {
    return new InputError(first.code, `${first.message}; nothing was sent`, { details: { problems }, suggestion: suggestionFor(first.code) });
  }
  const listed = problems.slice(0, MAX_LISTED).map((p) => `  - ${p.message}`);
  const where = unlisted > 0 ? `the first ${problems.length} are in --json output` : 'all of them are in --json output';
  if (total > MAX_LISTED) listed.push(`  … and ${total - Math.min(MAX_LISTED, problems.length)} more (${where})`);
  const onlyNumbers = all.every((p) => p.code === ErrorCode.RECIPIENT_INVALID);
  return new InputError(first.code, `${total} problems found, nothing was sent:\n${listed.join('\n')}`, {
    details: { problems, ...(unlisted > 0 ? { problemCount: total } : {}) },
    suggestion: onlyNumbers ? 'Fix the numbers, or pass --skip-invalid to send to the valid ones only' : 'Fix the inputs above and run the command again',
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
