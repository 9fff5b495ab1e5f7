// Input problems become one InputError (exit 5): the first problem alone, or a list of up to 20
// (all of them are in the error's details, which --json prints), with what to do next.
import { ErrorCode, InputError, type ErrorCodeValue } from '../../errors/errors.js';
import type { Problem } from './types.js';

const MAX_LISTED = 20;

/** The error for a run with input problems: nothing was sent. */
export function problemsError(problems: Problem[]): InputError {
  const first = problems[0]!;
  if (problems.length === 1) {
    return new InputError(first.code, `${first.message}; nothing was sent`, { details: { problems }, suggestion: suggestionFor(first.code) });
  }
  const listed = problems.slice(0, MAX_LISTED).map((p) => `  - ${p.message}`);
  if (problems.length > MAX_LISTED) listed.push(`  … and ${problems.length - MAX_LISTED} more (all of them are in --json output)`);
  const onlyNumbers = problems.every((p) => p.code === ErrorCode.RECIPIENT_INVALID);
  return new InputError(first.code, `${problems.length} problems found, nothing was sent:\n${listed.join('\n')}`, {
    details: { problems },
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
